"""The daemon: an APScheduler job that polls every ``poll_interval`` seconds.

One run at a time (``max_instances=1``, missed runs coalesced); SIGTERM/SIGINT set a stop
flag the pipeline checks between messages, so the current message finishes and nothing
is left half-done. A failed poll (IMAP, the database) is retried with exponential backoff
(``poll_interval * 2^(failures-1)``, capped at ``daemon.max_backoff_seconds``), logged once
per change of state rather than once per retry, and after ``daemon.unhealthy_after`` failures
in a row logged at error level and reported as ``healthy: false`` in the heartbeat file. The
outbox is still drained while IMAP is down: acknowledgements already committed go out.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from threading import Event
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from mailbridge import compiled
from mailbridge.errors import TransientError
from mailbridge.pipeline import PollSummary, poll_once
from mailbridge.settings import Settings
from mailbridge.steps import send

log = logging.getLogger("mailbridge.daemon")

FAILURES_BEFORE_ERROR = 5  # the default of daemon.unhealthy_after
_DIGITS = re.compile(r"\d+")


@dataclass
class Health:
    """What the heartbeat file says (and, later, the metrics endpoint)."""

    unhealthy_after: int = FAILURES_BEFORE_ERROR
    consecutive_failures: int = 0
    last_error: str = ""
    last_success: str = ""
    polls: int = 0
    failing_since: float = 0.0  # monotonic time of the first failure of the current outage
    retry_at: float = 0.0  # monotonic; scheduler ticks before this are skipped (backoff)

    def record(self, summary: PollSummary | None, error: str = "", backoff: float = 0.0) -> None:
        self.polls += 1
        now = time.monotonic()
        if summary is not None and not error:
            if self.consecutive_failures:
                log.info("recovered after %d failed poll(s) in %.1fs; last error was: %s",
                         self.consecutive_failures, now - self.failing_since, self.last_error)
            self.consecutive_failures, self.last_error, self.retry_at = 0, "", 0.0
            self.last_success = datetime.now(timezone.utc).isoformat()
            return
        self.consecutive_failures += 1
        if self.consecutive_failures == 1:
            self.failing_since = now
            log.warning("poll failed: %s (retrying with backoff)", error)
        elif _shape(error) != _shape(self.last_error):  # once per change of state, not per retry
            log.warning("poll still failing, now: %s", error)
        if self.consecutive_failures == self.unhealthy_after:
            log.error("%d consecutive polls failed over %.0fs; last error: %s", self.consecutive_failures,
                      now - self.failing_since, error)
        self.last_error = error
        self.retry_at = now + backoff

    @property
    def healthy(self) -> bool:
        return self.consecutive_failures < self.unhealthy_after

    def write(self, path: str, extra: dict[str, Any]) -> None:
        if not path:
            return
        data = {"time": datetime.now(timezone.utc).isoformat(), "healthy": self.healthy,
                "consecutive_failures": self.consecutive_failures, "last_error": self.last_error,
                "last_success": self.last_success, "polls": self.polls, "pid": os.getpid(),
                "retry_in": round(max(self.retry_at - time.monotonic(), 0.0), 1), **extra}
        tmp = Path(path).with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a file


def _shape(error: str) -> str:
    """An error without its numbers: the same outage must not count as a new state because
    a port, a UID or a byte count in the message changed."""
    return _DIGITS.sub("#", error)


def backoff(settings: Settings, failures: int) -> float:
    """Seconds to wait before the next poll after ``failures`` failed polls in a row."""
    if failures <= 0:
        return 0.0
    return min(settings.daemon.poll_interval * 2 ** min(failures - 1, 30), settings.daemon.max_backoff_seconds)


def poll_job(settings: Settings, engine: Engine, stop: Event, health: Health) -> PollSummary | None:
    if health.retry_at and time.monotonic() < health.retry_at:
        health.write(settings.daemon.heartbeat_file, {"last_poll": ""})  # still alive, backing off
        return None
    summary: PollSummary | None = None
    try:
        summary = poll_once(settings, engine, stop)
        log.info(summary.line())
        health.record(summary)
    except TransientError as exc:
        health.record(None, str(exc), backoff(settings, health.consecutive_failures + 1))
        _drain_anyway(settings, engine, stop)
    except Exception as exc:  # noqa: BLE001 - the daemon must stay up; this is a bug to report
        log.exception("poll crashed")
        health.record(None, f"{type(exc).__name__}: {exc}", backoff(settings, health.consecutive_failures + 1))
    health.write(settings.daemon.heartbeat_file, {"last_poll": summary.line() if summary else ""})
    return summary


def _drain_anyway(settings: Settings, engine: Engine, stop: Event) -> None:
    """IMAP is down but SMTP and the database may not be: send what the outbox holds."""
    if stop.is_set():
        return
    summary = PollSummary()
    try:
        send.drain(settings, engine, summary, stop)
    except TransientError as exc:
        log.debug("outbox not drained: %s", exc)
        return
    if summary.acks_sent or summary.ack_failures:
        log.info("outbox while polling failed: acks_sent=%d ack_failures=%d", summary.acks_sent,
                 summary.ack_failures)


def run_daemon(settings: Settings, engine: Engine) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code (0 = clean stop)."""
    stop = Event()
    health = Health(unhealthy_after=settings.daemon.unhealthy_after)
    scheduler = BlockingScheduler(timezone=timezone.utc)
    scheduler.add_job(poll_job, IntervalTrigger(seconds=settings.daemon.poll_interval),
                      args=(settings, engine, stop, health), max_instances=1, coalesce=True,
                      next_run_time=datetime.now(timezone.utc), id="poll", misfire_grace_time=None)

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s: finishing the current message, then stopping", signal.Signals(signum).name)
        stop.set()
        scheduler.shutdown(wait=False)

    # A poll longer than poll_interval is normal (a big batch): not a warning every tick.
    logging.getLogger("apscheduler.scheduler").addFilter(
        lambda record: "maximum number of running instances" not in record.getMessage())
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("mailbridge started: %s every %ss, folders %s; extraction: %s", settings.imap.account,
             settings.daemon.poll_interval, settings.imap.folders, compiled.describe())
    scheduler.start()  # blocks until shutdown; the running job's thread is joined at exit
    log.info("mailbridge stopped after %d poll(s)", health.polls)
    return 0
