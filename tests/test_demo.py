"""`mailbridge demo` end to end: with Dovecot, and with the pure-Python IMAP fallback."""

from __future__ import annotations

import pytest

import mailbridge.devservers as devservers
from mailbridge.demo import run_demo

pytestmark = pytest.mark.servers


@pytest.mark.parametrize("server", ["dovecot", "pymap"])
def test_demo_runs_the_whole_flow(server: str, dovecot: devservers.DovecotServer,
                                  monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    if server == "pymap":
        pytest.importorskip("pymap")
        monkeypatch.setattr(devservers, "dovecot_available", lambda: False)
    assert run_demo(None) == 0
    out = capsys.readouterr().out
    assert ("PymapServer" if server == "pymap" else "DovecotServer") in out
    assert "poll fetched=3 new_cases=3" in out and "acks_sent=3" in out
    assert "poll fetched=1 new_cases=0 follow_ups=1" in out
    for line in ("MB-000001  open    huang@customer.example", "MB-000002  open    minsu@customer.example",
                 "MB-000003  open    alice@customer.example  2"):
        assert line in out
    assert "Subject: [Case MB-000003] Withdrawal stuck" in out and "Auto-Submitted: auto-replied" in out
