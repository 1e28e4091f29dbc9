"""kill -9 at any point: nothing lost, nothing stored twice, no ack twice outside one window.

The real daemon (``python -m mailbridge run``) against real Dovecot and aiosmtpd. Each crash
window is first hit on purpose with the hidden ``MAILBRIDGE_FAULT`` hook (the process
SIGKILLs itself at a named point), then a short run of random kills checks it all together;
``benchmarks/kill_cycles.py`` is the long version with figures.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mailbridge import samples
from mailbridge.devservers import DovecotServer, SmtpSink, append_messages, imap_connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from kill_cycles import run_kill_cycles, settle, start_daemon, write_config  # noqa: E402

pytestmark = pytest.mark.servers


def _customers(n: int, tag: str) -> list[bytes]:
    return [samples.plain(f"{tag}{i}@customer.example", f"{tag} problem {i}", f"Body {tag} {i}",
                          message_id=f"<{tag}.{i}@customer.example>") for i in range(n)]


def _rows(db_url: str, query: str) -> list[tuple]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query))]
    finally:
        engine.dispose()


def _crash_at(fault: str, config: Path, tmp_path: Path) -> str:
    proc = start_daemon(config, tmp_path / "crash.log", fault=fault)
    assert proc.wait(timeout=60) == -9, (tmp_path / "crash.log").read_text()
    return (tmp_path / "crash.log").read_text()


@pytest.fixture
def world(dovecot: DovecotServer, imap_user: str, smtp_sink: SmtpSink, tmp_path: Path):
    """Config for the daemon on the shared Dovecot (fresh user), a fresh sink and SQLite file."""
    db_url = f"sqlite:///{tmp_path}/mb.db"
    config = write_config(tmp_path, dovecot, imap_user, smtp_sink, db_url, batch_size=3)

    def append(raws: list[bytes]) -> None:
        append_messages(dovecot.host, dovecot.port, imap_user, dovecot.password, "INBOX", raws)

    return config, db_url, append


def test_killed_before_the_batch_commit_nothing_is_kept_and_all_is_redone(world, smtp_sink, tmp_path) -> None:
    config, db_url, append = world
    append(_customers(5, "pre"))
    _crash_at("before_batch_commit", config, tmp_path)
    assert _rows(db_url, "select count(*) from message") == [(0,)]
    assert _rows(db_url, "select last_uid from mailboxstate") == [(0,)]  # checkpoint did not move
    assert smtp_sink.messages == []

    settle(config, tmp_path / "settle.log", db_url)
    assert _rows(db_url, "select count(*) from message") == [(5,)]
    assert sorted(Counter(r.message["In-Reply-To"] for r in smtp_sink.messages).values()) == [1] * 5


@pytest.mark.parametrize("action", ["flag", "move"])
def test_killed_after_the_commit_before_the_flag_nothing_is_processed_twice(
        world, smtp_sink, tmp_path, dovecot: DovecotServer, imap_user: str, action: str) -> None:
    config, db_url, append = world
    config.write_text(config.read_text().replace('start_from = "all"', 'start_from = "all"\n'
                                                 f'after_processing = "{action}"\nmove_to = "Done"'),
                      encoding="utf-8")
    append(_customers(3, "flag"))
    _crash_at("after_commit_before_flag", config, tmp_path)
    assert _rows(db_url, "select count(*) from message") == [(3,)]
    assert _rows(db_url, "select last_uid from mailboxstate") == [(3,)]
    assert _rows(db_url, "select status from outgoing") == [("pending",)] * 3  # committed with the cases
    assert smtp_sink.messages == []

    settle(config, tmp_path / "settle.log", db_url)
    assert _rows(db_url, "select count(*) from message") == [(3,)]
    assert len(smtp_sink.messages) == 3
    # The flag or move the crash skipped is done by the restarted daemon, for that batch only.
    with imap_connection(dovecot.host, dovecot.port, imap_user, dovecot.password) as client:
        client.select_folder("INBOX")
        if action == "flag":
            assert client.search(["KEYWORD", "$MailbridgeDone"]) == [1, 2, 3]
        else:
            assert client.search(["ALL"]) == [] and client.select_folder("Done")[b"EXISTS"] == 3
    assert f"after a restart: {action} 3 processed message(s)" in (tmp_path / "settle.log").read_text()


def test_killed_before_data_no_ack_is_lost_or_doubled(world, smtp_sink, tmp_path) -> None:
    config, db_url, append = world
    append(_customers(4, "pds"))
    _crash_at("before_send:2", config, tmp_path)  # the first ack went out, the second did not
    assert len(smtp_sink.messages) == 1
    settle(config, tmp_path / "settle.log", db_url)
    ids = Counter(r.message["Message-ID"] for r in smtp_sink.messages)
    assert len(ids) == 4 and set(ids.values()) == {1}
    assert _rows(db_url, "select distinct status from outgoing") == [("sent",)]


def test_killed_between_250_and_commit_resends_the_same_message_id_once(world, smtp_sink, tmp_path) -> None:
    """The one window that cannot be closed: the server has the mail, we had not recorded it.
    The re-send is the identical stored mail, so the customer's client collapses it."""
    config, db_url, append = world
    append(_customers(3, "win"))
    _crash_at("after_250_before_commit", config, tmp_path)
    assert len(smtp_sink.messages) == 1
    first = smtp_sink.messages[0]
    settle(config, tmp_path / "settle.log", db_url)

    ids = Counter(r.message["Message-ID"] for r in smtp_sink.messages)
    assert len(ids) == 3
    assert ids[first.message["Message-ID"]] == 2 and sum(ids.values()) == 4  # exactly one duplicate
    again = [r for r in smtp_sink.messages[1:] if r.message["Message-ID"] == first.message["Message-ID"]]
    assert again[0].data == first.data  # byte for byte the same mail
    assert _rows(db_url, "select distinct status from outgoing") == [("sent",)]


def test_random_kills_lose_nothing(tmp_path: Path) -> None:
    """Five SIGKILLs at random moments and while sending; about 60 mixed messages."""
    figures = run_kill_cycles(cycles=5, messages=60, seed=5, workdir=tmp_path)
    print(figures.report())
    assert figures.problems == [], figures.report()
    assert figures.lost == 0 and figures.acks_with_two_ids == 0 and figures.unwanted_acks == 0
    assert figures.acks_delivered == figures.acks_due > 0
