"""The daemon: an APScheduler job that polls every ``poll_interval`` seconds.

One run at a time (``max_instances=1``, missed runs coalesced); SIGTERM/SIGINT set a stop
flag the pipeline checks between messages, so the current message finishes and nothing
is left half-done. Failures are logged once per change of state, not once per retry,
and a heartbeat file tells a health check whether polls succeed.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from threading import Event
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from mailbridge.errors import TransientError
from mailbridge.pipeline import PollSummary, poll_once
from mailbridge.settings import Settings

log = logging.getLogger("mailbridge.daemon")

FAILURES_BEFORE_ERROR = 5


@dataclass
class Health:
    """What the heartbeat file says (and, later, the metrics endpoint)."""

    consecutive_failures: int = 0
    last_error: str = ""
    last_success: str = ""
    polls: int = 0

    def record(self, summary: PollSummary | None, error: str = "") -> None:
        self.polls += 1
        if summary is not None and not error:
            if self.consecutive_failures:
                log.info("recovered after %d failed poll(s)", self.consecutive_failures)
            self.consecutive_failures, self.last_error = 0, ""
            self.last_success = datetime.now(timezone.utc).isoformat()
            return
        self.consecutive_failures += 1
        if error != self.last_error:  # once per change of state, not once per retry
            log.warning("poll failed: %s", error)
        if self.consecutive_failures == FAILURES_BEFORE_ERROR:
            log.error("%d consecutive polls failed; last error: %s", self.consecutive_failures, error)
        self.last_error = error

    @property
    def healthy(self) -> bool:
        return self.consecutive_failures < FAILURES_BEFORE_ERROR

    def write(self, path: str, extra: dict[str, Any]) -> None:
        if not path:
            return
        data = {"time": datetime.now(timezone.utc).isoformat(), "healthy": self.healthy,
                "consecutive_failures": self.consecutive_failures, "last_error": self.last_error,
                "last_success": self.last_success, "polls": self.polls, "pid": os.getpid(), **extra}
        tmp = Path(path).with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a file


def poll_job(settings: Settings, engine: Engine, stop: Event, health: Health) -> PollSummary | None:
    summary: PollSummary | None = None
    try:
        summary = poll_once(settings, engine, stop)
        log.info(summary.line())
        health.record(summary)
    except TransientError as exc:
        health.record(None, str(exc))
    except Exception as exc:  # noqa: BLE001 - the daemon must stay up; this is a bug to report
        log.exception("poll crashed")
        health.record(None, f"{type(exc).__name__}: {exc}")
    health.write(settings.daemon.heartbeat_file, {"last_poll": summary.line() if summary else ""})
    return summary


def run_daemon(settings: Settings, engine: Engine) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code (0 = clean stop)."""
    stop = Event()
    health = Health()
    scheduler = BlockingScheduler(timezone=timezone.utc)
    scheduler.add_job(poll_job, IntervalTrigger(seconds=settings.daemon.poll_interval),
                      args=(settings, engine, stop, health), max_instances=1, coalesce=True,
                      next_run_time=datetime.now(timezone.utc), id="poll", misfire_grace_time=None)

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s: finishing the current message, then stopping", signal.Signals(signum).name)
        stop.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("mailbridge started: %s every %ss, folders %s", settings.imap.account,
             settings.daemon.poll_interval, settings.imap.folders)
    scheduler.start()  # blocks until shutdown; the running job's thread is joined at exit
    log.info("mailbridge stopped after %d poll(s)", health.polls)
    return 0
