"""Hidden fault injection for the crash-safety tests: ``MAILBRIDGE_FAULT=point[:n]``.

At the ``n``-th time (default 1) the named point is reached the process kills itself with
SIGKILL, exactly as ``kill -9`` would, so a test can prove each crash window on purpose
instead of hoping a random kill lands in it. Unset (always, in production) it costs one
dictionary lookup. Points, in the order a poll meets them:

``before_batch_commit``       messages processed, batch transaction not yet committed
``after_commit_before_flag``  batch and checkpoint committed, IMAP flag/move not yet done
``before_send``               outbox row read, SMTP connected, DATA not yet sent
``after_250_before_commit``   the SMTP server said 250, the outbox row is not yet marked sent
"""

from __future__ import annotations

import os
import signal

ENV = "MAILBRIDGE_FAULT"
_spec = os.environ.get(ENV, "")
_point, _, _nth = _spec.partition(":")
_remaining = int(_nth) if _nth.isdigit() else 1


def point(name: str) -> None:
    """Die here (SIGKILL) when ``MAILBRIDGE_FAULT`` names this point and its count is reached."""
    global _remaining
    if not _point or name != _point:
        return
    _remaining -= 1
    if _remaining <= 0:
        os.kill(os.getpid(), signal.SIGKILL)
