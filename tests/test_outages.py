"""Outages: IMAP, SMTP and the database going away and coming back, on real servers.

What must hold every time: nothing stored is lost, nothing is stored or acknowledged twice,
the IMAP checkpoint never moves past what was committed, the daemon stays up, and the
logs say what happened once per change of state rather than once per retry.
Outage tests start their own Dovecot/PostgreSQL (the session-wide ones are shared).
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from harness import Harness, make_harness
from mailbridge import database, samples
from mailbridge.daemon import Health, poll_job
from mailbridge.devservers import DovecotServer, PostgresServer, SmtpSink, free_port, postgres_available
from mailbridge.errors import TransientError
from mailbridge.models import MailboxState, Outgoing, Quarantined

pytestmark = pytest.mark.servers


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

class CuttingProxy:
    """A TCP proxy to the IMAP server that can cut a connection after the server sent
    ``cut_after`` bytes on it: "the connection dropped in the middle of a FETCH"."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.cut_after: int | None = None
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=2)
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            sent = [0]
            threading.Thread(target=self._pump, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, sent), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counted: list[int] | None) -> None:
        try:
            while data := src.recv(4096):
                if counted is not None and self.cut_after is not None and counted[0] + len(data) > self.cut_after:
                    dst.sendall(data[: max(self.cut_after - counted[0], 0)])
                    self.cuts += 1
                    break
                dst.sendall(data)
                if counted is not None:
                    counted[0] += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.fixture
def private_dovecot() -> Iterator[DovecotServer]:
    with DovecotServer(tls=False) as server:
        yield server


@pytest.fixture
def outage(private_dovecot: DovecotServer, smtp_sink: SmtpSink, sqlite_url: str, tmp_path: Path) -> Iterator[Harness]:
    """A harness on a Dovecot of its own, which the test may pause, restart or cut."""
    h = make_harness(private_dovecot, private_dovecot.new_user(), smtp_sink, sqlite_url, tmp_path)
    yield h
    h.engine.dispose()


def _customers(n: int, tag: str) -> list[bytes]:
    return [samples.plain(f"{tag}{i}@customer.example", f"{tag} problem {i}", f"Body of {tag} {i} " + "x" * 2000,
                          message_id=f"<{tag}.{i}@customer.example>") for i in range(n)]


def _checkpoint(h: Harness) -> int:
    with h.session() as s:
        state = s.exec(select(MailboxState)).first()
    return state.last_uid if state else 0


def _stored_uids(h: Harness) -> list[int]:
    return sorted(m.imap_uid for m in h.messages() if m.imap_uid)


def _acks_by_rcpt(sink: SmtpSink) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in sink.messages:
        counts[r.rcpt_tos[0]] = counts.get(r.rcpt_tos[0], 0) + 1
    return counts


# --------------------------------------------------------------------------------------------
# IMAP
# --------------------------------------------------------------------------------------------

def test_imap_refused_login_failure_and_recovery_are_logged_once_per_state(
        outage: Harness, private_dovecot: DovecotServer, caplog: pytest.LogCaptureFixture) -> None:
    """The daemon's poll job, in process: refused -> login failure -> back, with backoff."""
    from mailbridge.settings import parse_settings
    from harness import settings_data

    def settings(**imap):  # noqa: ANN001, ANN202
        data = settings_data(private_dovecot, outage.user, outage.sink, str(outage.engine.url), outage.tmp,
                             daemon={"poll_interval": 0.01, "max_backoff_seconds": 0.05, "unhealthy_after": 3,
                                     "heartbeat_file": str(outage.tmp / "hb.json")})
        data["imap"].update(imap)
        return parse_settings(data, base=outage.tmp)

    outage.append(*_customers(2, "pre"))
    health = Health(unhealthy_after=3)
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="mailbridge")

    def run(s, polls: int) -> None:  # noqa: ANN001
        done = 0
        while done < polls:
            before = health.polls
            poll_job(s, outage.engine, stop, health)
            done += health.polls - before
            time.sleep(0.005)

    run(settings(), 1)
    assert len(outage.sink.wait_for(2)) == 2 and _checkpoint(outage) == 2

    private_dovecot.pause()  # connection refused
    run(settings(), 4)
    beat = json.loads((outage.tmp / "hb.json").read_text())
    assert beat["healthy"] is False and beat["consecutive_failures"] == 4 and "Connection refused" in beat["last_error"]
    private_dovecot.resume()
    run(settings(password="wrong-pw-7788"), 2)  # login refused: a new state, logged once more
    outage.append(*_customers(2, "post"))
    run(settings(), 1)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "mailbridge.daemon"]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "mailbridge.daemon"]
    infos = [r.getMessage() for r in caplog.records if "recovered after" in r.getMessage()]
    assert len(warnings) == 2, warnings  # refused (first failure), then the login failure
    assert "Connection refused" in warnings[0] and "AUTHENTICATIONFAILED" in warnings[1].upper()
    assert len(errors) == 1 and "3 consecutive polls failed" in errors[0]
    assert len(infos) == 1 and "6 failed poll(s)" in infos[0]
    assert json.loads((outage.tmp / "hb.json").read_text())["healthy"] is True
    assert _checkpoint(outage) == 4 and _stored_uids(outage) == [1, 2, 3, 4]
    assert sorted(_acks_by_rcpt(outage.sink).values()) == [1, 1, 1, 1]
    assert "wrong-pw-7788" not in caplog.text  # the password never reaches a log


def test_acks_go_out_while_imap_is_down(outage: Harness, private_dovecot: DovecotServer) -> None:
    """Committed acks do not wait for IMAP: the daemon drains the outbox after a failed poll."""
    outage.sink.stop()
    outage.append(*_customers(2, "wait"))
    outage.poll()
    assert [o.status for o in outage.outbox()] == ["pending", "pending"]
    private_dovecot.pause()
    outage.sink.start()
    health = Health()
    assert poll_job(outage.settings, outage.engine, threading.Event(), health) is None
    assert health.consecutive_failures == 1 and "IMAP" in health.last_error
    assert [o.status for o in outage.outbox()] == ["sent", "sent"] and len(outage.sink.messages) == 2


def test_backoff_grows_between_failing_polls_and_is_capped() -> None:
    from mailbridge.daemon import backoff
    from mailbridge.settings import parse_settings

    s = parse_settings({"daemon": {"poll_interval": 10.0, "max_backoff_seconds": 300.0}})
    assert [backoff(s, n) for n in range(0, 8)] == [0, 10, 20, 40, 80, 160, 300, 300]


def test_connection_dropped_mid_fetch_never_moves_the_checkpoint_past_the_commit(
        outage: Harness, private_dovecot: DovecotServer) -> None:
    proxy = CuttingProxy(private_dovecot.port)
    try:
        outage.reconfigure(imap={"port": proxy.port, "batch_size": 3})
        outage.append(*_customers(12, "drop"))
        proxy.cut_after = 25_000  # about two batches of ~2.3 KB messages in, mid-FETCH of the third
        with pytest.raises(TransientError, match="IMAP"):
            outage.poll()
        assert proxy.cuts == 1
        stored, checkpoint = _stored_uids(outage), _checkpoint(outage)
        assert 0 < len(stored) < 12
        assert stored == list(range(1, checkpoint + 1))  # exactly what was committed, no gap, no more
        proxy.cut_after = None
        summary = outage.poll()
        assert summary.fetched == 12 - checkpoint
        assert _stored_uids(outage) == list(range(1, 13))
        assert sorted(_acks_by_rcpt(outage.sink).values()) == [1] * 12
    finally:
        proxy.close()


def test_imap_server_restarted_between_polls(outage: Harness, private_dovecot: DovecotServer) -> None:
    outage.append(*_customers(2, "r1"))
    assert outage.poll().new_cases == 2
    private_dovecot.restart()
    outage.append(*_customers(2, "r2"))
    assert outage.poll().new_cases == 2
    assert _stored_uids(outage) == [1, 2, 3, 4] and len(outage.sink.messages) == 4


def test_daemon_survives_an_imap_outage_and_catches_up(outage: Harness, private_dovecot: DovecotServer,
                                                       tmp_path: Path) -> None:
    """The real daemon: Dovecot goes down for a while, comes back; error at N, healthy again."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from kill_cycles import start_daemon, write_config

    config = write_config(tmp_path, private_dovecot, outage.user, outage.sink, str(outage.engine.url))
    config.write_text(config.read_text().replace('log_level = "debug"', 'log_level = "info"\nunhealthy_after = 3\n'
                                                 'max_backoff_seconds = 0.4'), encoding="utf-8")
    heartbeat = tmp_path / "heartbeat.json"
    outage.append(*_customers(3, "d1"))
    proc = start_daemon(config, tmp_path / "daemon.log")
    try:
        outage.sink.wait_for(3, timeout=30)
        private_dovecot.pause()
        _wait(lambda: _beat(heartbeat).get("consecutive_failures", 0) >= 5, 30)
        assert _beat(heartbeat)["healthy"] is False and proc.poll() is None
        private_dovecot.resume()
        outage.append(*_customers(3, "d2"))
        outage.sink.wait_for(6, timeout=30)
        _wait(lambda: _beat(heartbeat).get("healthy") is True, 30)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    log = (tmp_path / "daemon.log").read_text()
    assert log.count("poll failed") == 1 and log.count("consecutive polls failed") == 1
    assert log.count("recovered after") == 1 and "Traceback" not in log
    assert sorted(_acks_by_rcpt(outage.sink).values()) == [1] * 6


def _beat(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _wait(predicate, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------
# SMTP
# --------------------------------------------------------------------------------------------

def test_smtp_down_for_long_then_everything_goes_out_in_order(harness: Harness,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mailbridge.send")
    harness.sink.stop()
    for i in range(3):  # three polls, three more customers each time, SMTP down throughout
        harness.append(*_customers(3, f"q{i}-"))
        summary = harness.poll()
        assert summary.new_cases == 3 and summary.acks_sent == 0 and summary.errors
    assert [o.status for o in harness.outbox()] == ["pending"] * 9
    assert all(o.attempts == 0 for o in harness.outbox())  # an outage is not the mail's fault
    harness.sink.start()
    assert harness.poll().acks_sent == 9
    order = [r.rcpt_tos[0] for r in harness.sink.wait_for(9)]
    assert order == [o.rcpt_to for o in harness.outbox()]  # the order they were queued in
    unavailable = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert [r.levelno for r in unavailable] == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_4xx_is_retried_with_growing_backoff_and_does_not_block_the_others(harness: Harness) -> None:
    from datetime import timedelta

    from mailbridge.models import utcnow

    harness.reconfigure(smtp={"retry_base_seconds": 30.0})
    harness.sink.fail_next("451 4.7.1 greylisted, try later")
    harness.append(*_customers(3, "grey"))
    summary = harness.poll()
    assert summary.acks_sent == 2  # the two behind the refused one went out
    first = harness.outbox()[0]
    assert first.status == "pending" and first.attempts == 1 and "451 4.7.1 greylisted" in first.last_error
    assert timedelta(seconds=25) < first.next_attempt_at - utcnow() <= timedelta(seconds=30)
    assert harness.poll().acks_sent == 0  # not due yet

    harness.sink.fail_next("451 4.7.1 still greylisted")
    _make_due(harness)
    harness.poll()
    row = harness.outbox()[0]
    assert row.attempts == 2 and timedelta(seconds=55) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)
    _make_due(harness)
    assert harness.poll().acks_sent == 1
    assert sorted(_acks_by_rcpt(harness.sink).values()) == [1, 1, 1]


def _make_due(h: Harness) -> None:
    """Time passes: every pending mail is due now."""
    from mailbridge.models import utcnow

    with h.session() as s:
        for row in s.exec(select(Outgoing).where(Outgoing.status == "pending")).all():
            row.next_attempt_at = utcnow()
            s.add(row)
        s.commit()


def test_5xx_is_recorded_with_the_server_text_never_retried_and_blocks_nothing(harness: Harness) -> None:
    harness.sink.fail_next("550 5.1.1 <grey0@customer.example>: Recipient address rejected")
    harness.append(*_customers(3, "grey"))
    assert harness.poll().acks_sent == 2
    for _ in range(2):
        _make_due(harness)
        harness.poll()
    first = harness.outbox()[0]
    assert first.status == "failed" and first.attempts == 1
    assert first.last_error == "550 5.1.1 <grey0@customer.example>: Recipient address rejected"
    assert [r.rcpt_tos[0] for r in harness.sink.messages] == ["grey1@customer.example", "grey2@customer.example"]
    assert harness.export()["cases"][0]["messages"][0]["ack"]["status"] == "failed"


# --------------------------------------------------------------------------------------------
# The database: locked, full, down
# --------------------------------------------------------------------------------------------

def test_database_locked_longer_than_the_busy_timeout_loses_nothing(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    harness.append(*_customers(2, "lk0-"))
    harness.poll()
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 300)
    harness.engine.dispose()  # new connections get the short timeout
    harness.append(*_customers(4, "lk1-"))
    blocker = sqlite3.connect(harness.engine.url.database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock through the whole poll
    try:
        with pytest.raises(TransientError, match="database is locked"):
            harness.poll()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert _checkpoint(harness) == 2 and len(harness.messages()) == 2
    with harness.session() as s:
        assert s.exec(select(Quarantined)).all() == []  # a lock is never the message's fault
    summary = harness.poll()
    assert (summary.fetched, summary.new_cases, summary.quarantined) == (4, 4, 0)
    assert _checkpoint(harness) == 6 and sorted(_acks_by_rcpt(harness.sink).values()) == [1] * 6


def test_database_locked_briefly_just_waits(harness: Harness) -> None:
    harness.append(*_customers(3, "wait"))
    blocker = sqlite3.connect(harness.engine.url.database, isolation_level=None, check_same_thread=False)
    blocker.execute("PRAGMA journal_mode=WAL")
    blocker.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(1.0, lambda: blocker.execute("ROLLBACK"))
    timer.start()
    try:
        summary = harness.poll()  # waits for the lock (busy timeout) instead of failing
    finally:
        timer.join()
        blocker.close()
    assert (summary.new_cases, summary.acks_sent) == (3, 3)


def test_database_full_moves_no_checkpoint_and_resumes(harness: Harness) -> None:
    harness.append(*_customers(1, "full0-"))
    harness.poll()
    with harness.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_connection, _record):  # noqa: ANN001, ANN202 - "the disk is full" for SQLite
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 3}")

    event.listen(harness.engine, "connect", cap)
    harness.engine.dispose()
    big = [samples.plain(f"full{i}@customer.example", f"Full {i}", "y" * 60_000) for i in range(4)]
    harness.append(*big)
    try:
        with pytest.raises(TransientError, match="full"):
            harness.poll()
    finally:
        event.remove(harness.engine, "connect", cap)
        harness.engine.dispose()
    assert _checkpoint(harness) == 1 and len(harness.messages()) == 1
    summary = harness.poll()
    assert (summary.new_cases, summary.quarantined) == (4, 0) and _checkpoint(harness) == 5


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    if not postgres_available():
        pytest.skip("PostgreSQL is not installed")
    with PostgresServer() as server:
        yield server


def test_postgres_down_moves_no_checkpoint_and_resumes(dovecot: DovecotServer, imap_user: str, smtp_sink: SmtpSink,
                                                       private_postgres: PostgresServer, tmp_path: Path) -> None:
    h = make_harness(dovecot, imap_user, smtp_sink, private_postgres.create_database(), tmp_path)
    try:
        h.append(*_customers(2, "pg0-"))
        h.poll()
        private_postgres.pause()
        h.append(*_customers(3, "pg1-"))
        with pytest.raises(TransientError, match="database error"):
            h.poll()
        private_postgres.resume()
        summary = h.poll()
        assert (summary.fetched, summary.new_cases, summary.quarantined) == (3, 3, 0)
        assert _stored_uids(h) == [1, 2, 3, 4, 5] and _checkpoint(h) == 5
        assert sorted(_acks_by_rcpt(smtp_sink).values()) == [1] * 5
    finally:
        h.engine.dispose()


def test_postgres_down_while_marking_sent_is_retried_not_resent(
        dovecot: DovecotServer, imap_user: str, smtp_sink: SmtpSink, private_postgres: PostgresServer,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database blinks right after a 250: the "sent" UPDATE is retried, no second mail."""
    from mailbridge.steps import send

    h = make_harness(dovecot, imap_user, smtp_sink, private_postgres.create_database(), tmp_path)
    original = send._mark_sent
    blinked = []

    async def blink_then_mark(engine, item, summary):  # noqa: ANN001, ANN202
        if not blinked:
            blinked.append(item.message_id)
            private_postgres.pause()
            threading.Timer(0.3, private_postgres.resume).start()
        await original(engine, item, summary)

    monkeypatch.setattr(send, "_mark_sent", blink_then_mark)
    try:
        h.append(*_customers(2, "blink"))
        summary = h.poll()
        assert summary.acks_sent == 2
        assert [o.status for o in h.outbox()] == ["sent", "sent"]
        h.poll()
        assert sorted(_acks_by_rcpt(smtp_sink).values()) == [1, 1]
    finally:
        h.engine.dispose()


def test_whole_pipeline_on_postgres(dovecot: DovecotServer, imap_user: str, smtp_sink: SmtpSink, postgres_url: str,
                                    tmp_path: Path) -> None:
    """The smoke test on PostgreSQL: every kind of mail the SQLite tests use, end to end."""
    h = make_harness(dovecot, imap_user, smtp_sink, postgres_url, tmp_path)
    try:
        customer = samples.plain("nul@customer.example", "NUL in the body", "before\x00after \x00 UID 12345678",
                                 message_id="<nul@customer.example>")
        h.append(samples.chinese_gbk(), samples.korean_euckr(), samples.english_html_with_png(), customer,
                 samples.plain("away@customer.example", "Out of office", extra={"Auto-Submitted": "auto-replied"}),
                 b"\x01\x02 not a mail at all \xff")
        first = h.poll()
        assert (first.new_cases, first.acks_sent, first.quarantined) == (4, 4, 1)
        ack = next(r.message for r in smtp_sink.wait_for(4) if r.rcpt_tos == ["alice@customer.example"])
        h.append(samples.plain("Alice Smith <alice@customer.example>", f"Re: {ack['Subject']}", "Any news?",
                               in_reply_to=ack["Message-ID"]), samples.english_html_with_png(
                     message_id=str(h.messages()[2].message_id).join("<>")))
        second = h.poll()
        assert (second.follow_ups, second.duplicates, second.new_cases, second.acks_sent) == (1, 1, 0, 0)
        data = h.export()
        assert [c["number"] for c in data["cases"]] == ["MB-000001", "MB-000002", "MB-000003", "MB-000004"]
        assert data["cases"][0]["customer_name"] == "黄堃" and len(data["quarantined"]) == 1
        nul = next(m for m in h.messages() if m.message_id == "nul@customer.example")
        assert "before" in nul.body_text and "after" in nul.body_text
    finally:
        h.engine.dispose()
