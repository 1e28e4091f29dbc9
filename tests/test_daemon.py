"""The daemon as operators run it: `mailbridge run`, real servers, SIGTERM to stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import Harness, settings_data, write_toml
from mailbridge import samples

pytestmark = pytest.mark.servers
ROOT = Path(__file__).resolve().parents[1]


def _start(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "mailbridge", "run", "-c", str(config)], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait(predicate, timeout: float = 20.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    return proc.returncode, err


def test_run_polls_acknowledges_and_stops_cleanly_on_sigterm(harness: Harness, tmp_path: Path) -> None:
    heartbeat = tmp_path / "heartbeat.json"
    config = write_toml(tmp_path / "config.toml", settings_data(
        harness.dovecot, harness.user, harness.sink, str(harness.engine.url), tmp_path,
        daemon={"poll_interval": 0.3, "heartbeat_file": str(heartbeat)}))
    harness.append(samples.plain("a@customer.example", "One"), samples.plain("b@customer.example", "Two"))
    proc = _start(config)
    try:
        harness.sink.wait_for(2, timeout=20)
        harness.append(samples.plain("c@customer.example", "Three, while running"))
        harness.sink.wait_for(3, timeout=20)
        _wait(lambda: heartbeat.exists() and json.loads(heartbeat.read_text())["polls"] >= 3)
    finally:
        code, err = _stop(proc)
    assert code == 0, err
    assert "mailbridge stopped after" in err and "Traceback" not in err
    assert "poll fetched=" in err  # one summary line per poll
    beat = json.loads(heartbeat.read_text())
    assert beat["healthy"] is True and beat["consecutive_failures"] == 0

    # A second daemon on the same database acknowledges nothing again.
    proc = _start(config)
    try:
        _wait(lambda: json.loads(heartbeat.read_text())["pid"] == proc.pid and
              json.loads(heartbeat.read_text())["polls"] >= 2)
    finally:
        code, _ = _stop(proc)
    assert code == 0
    assert len(harness.sink.messages) == 3 and len(harness.cases()) == 3


def test_daemon_stays_up_while_imap_is_down_and_logs_once(harness: Harness, tmp_path: Path) -> None:
    heartbeat = tmp_path / "heartbeat.json"
    data = settings_data(harness.dovecot, harness.user, harness.sink, str(harness.engine.url), tmp_path,
                         daemon={"poll_interval": 0.2, "heartbeat_file": str(heartbeat)})
    data["imap"]["port"] = 1  # nothing listens there
    config = write_toml(tmp_path / "config.toml", data)
    proc = _start(config)
    try:
        _wait(lambda: heartbeat.exists() and json.loads(heartbeat.read_text())["consecutive_failures"] >= 6)
    finally:
        code, err = _stop(proc)
    assert code == 0
    assert err.count("poll failed") == 1  # once per change of state, not once per retry
    assert "consecutive polls failed" in err
    assert json.loads(heartbeat.read_text())["healthy"] is False
