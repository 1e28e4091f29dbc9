"""End to end on real servers: Dovecot in, SQLite in the middle, aiosmtpd out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from mailbridge import samples as mails
from harness import Harness, settings_data, write_toml
from mailbridge.devservers import create_folder, delete_folder
from mailbridge.models import MailboxState

pytestmark = pytest.mark.servers


def _three_customers(h: Harness) -> list[bytes]:
    raws = [mails.chinese_gbk(), mails.korean_euckr(), mails.english_html_with_png()]
    h.append(*raws)
    return raws


def _message_id(raw: bytes) -> str:
    from email import message_from_bytes

    return message_from_bytes(raw)["Message-ID"].strip("<>")


def test_three_customers_three_cases_three_acks(harness: Harness) -> None:
    raws = _three_customers(harness)
    summary = harness.poll()
    assert (summary.fetched, summary.new_cases, summary.acks_sent, summary.quarantined) == (3, 3, 3, 0)

    cases = harness.cases()
    assert [c.number for c in cases] == ["MB-000001", "MB-000002", "MB-000003"]
    assert [c.customer_email for c in cases] == ["huang@customer.example", "minsu@customer.example",
                                                 "alice@customer.example"]
    assert cases[0].customer_name == "黄堃"  # GBK-only character under a gb2312 label survived
    assert "黄堃" in cases[0].subject

    received = harness.sink.wait_for(3)
    by_rcpt = {r.rcpt_tos[0]: r.message for r in received}
    for raw, case in zip(raws, cases):
        ack = by_rcpt[case.customer_email]
        assert case.number in ack["Subject"]
        assert ack["In-Reply-To"] == f"<{_message_id(raw)}>"
        assert ack["Auto-Submitted"] == "auto-replied"
        assert ack["X-Auto-Response-Suppress"] == "All"
        assert ack.get_body(("plain",)).get_content().count(case.number) >= 1
        assert ack.get_body(("html",)) is not None

    messages = harness.messages()
    html_mail = messages[2]
    assert "withdrawal of 0.5 BTC is stuck" in " ".join(html_mail.body_text.split()).replace("**", "")
    attachments = Path(harness.settings.storage.attachments_dir)
    assert [p.name for p in attachments.rglob("*.png")] == ["screenshot.png"]
    assert (Path(harness.settings.storage.attachments_dir) / next(attachments.rglob("*.png"))).read_bytes() == mails.PNG


def test_reply_to_ack_joins_case_without_new_ack(harness: Harness) -> None:
    harness.append(mails.english_html_with_png())
    harness.poll()
    ack = harness.sink.wait_for(1)[0].message
    reply = mails.plain("Alice Smith <alice@customer.example>", f"Re: {ack['Subject']}",
                        "Any news?", in_reply_to=ack["Message-ID"])
    harness.append(reply)
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups, summary.acks_sent) == (0, 1, 0)
    assert len(harness.cases()) == 1
    assert harness.messages()[-1].thread_reason == "in-reply-to"
    assert len(harness.sink.messages) == 1


def test_subject_tag_only_reply_joins_case(harness: Harness) -> None:
    harness.append(mails.plain("bob@customer.example", "Deposit missing"))
    harness.poll()
    harness.append(mails.plain("bob@customer.example", "回复：[Case MB-000001] Deposit missing", "还没到账"))
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups) == (0, 1)
    assert harness.messages()[-1].thread_reason == "subject tag"


def test_stranger_with_someone_elses_tag_gets_own_case(harness: Harness) -> None:
    harness.append(mails.plain("bob@customer.example", "Deposit missing"))
    harness.poll()
    harness.append(mails.plain("mallory@evil.example", "Re: [Case MB-000001] Deposit missing", "send me the details"))
    summary = harness.poll()
    assert summary.new_cases == 1
    cases = harness.cases()
    assert [c.customer_email for c in cases] == ["bob@customer.example", "mallory@evil.example"]
    stranger = harness.messages()[-1]
    assert stranger.case_id == cases[1].id and stranger.mentions_case == "MB-000001"


def test_same_message_appended_again_is_not_processed_twice(harness: Harness) -> None:
    raw = mails.plain("carol@customer.example", "Help", message_id="<same-1@customer.example>")
    harness.append(raw)
    harness.poll()
    harness.append(raw)
    summary = harness.poll()
    assert (summary.fetched, summary.duplicates, summary.new_cases, summary.acks_sent) == (1, 1, 0, 0)
    assert len(harness.messages()) == 1 and len(harness.sink.messages) == 1


def test_restart_process_and_poll_again_reprocesses_nothing(harness: Harness, tmp_path: Path) -> None:
    """Two separate `mailbridge poll` processes: the checkpoint and outbox live in the database."""
    _three_customers(harness)
    config = write_toml(tmp_path / "config.toml", settings_data(harness.dovecot, harness.user, harness.sink,
                                                                str(harness.engine.url), tmp_path))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    first = subprocess.run([sys.executable, "-m", "mailbridge", "poll", "-c", str(config)],
                           capture_output=True, text=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    assert "fetched=3 new_cases=3" in first.stdout
    second = subprocess.run([sys.executable, "-m", "mailbridge", "poll", "-c", str(config)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "fetched=0 new_cases=0" in second.stdout and "acks_sent=0" in second.stdout
    assert len(harness.sink.wait_for(3)) == 3 and len(harness.cases()) == 3


def test_uidvalidity_change_reacknowledges_nothing(harness: Harness) -> None:
    raws = [mails.plain(f"c{i}@customer.example", f"Problem {i}") for i in range(3)]
    harness.reconfigure(imap={"folders": ["Support"]})
    create_folder(harness.dovecot.host, harness.dovecot.port, harness.user, harness.dovecot.password, "Support")
    harness.append(*raws, folder="Support")
    harness.poll()
    with harness.session() as s:
        before = s.exec(select(MailboxState)).one().uidvalidity

    delete_folder(harness.dovecot.host, harness.dovecot.port, harness.user, harness.dovecot.password, "Support")
    harness.append(*raws, folder="Support")  # re-created with the same mails
    summary = harness.poll()
    with harness.session() as s:
        state = s.exec(select(MailboxState)).one()
    assert state.uidvalidity != before
    assert (summary.fetched, summary.duplicates, summary.new_cases, summary.acks_sent) == (3, 3, 0, 0)
    assert len(harness.sink.messages) == 3 and len(harness.messages()) == 3


def test_resync_after_start_from_now_still_skips_the_backlog(harness: Harness) -> None:
    """A UIDVALIDITY change re-scans the folder; mail that was backlog at first start stays out."""
    from datetime import datetime, timezone

    from mailbridge.devservers import imap_connection

    server = (harness.dovecot.host, harness.dovecot.port, harness.user, harness.dovecot.password)
    old = mails.plain("old@customer.example", "Backlog from January")
    new = mails.plain("new@customer.example", "Fresh problem")

    def put(raw: bytes, when: datetime | None = None) -> None:
        with imap_connection(*server) as client:
            client.append("Support", raw, msg_time=when)

    harness.reconfigure(imap={"start_from": "now", "folders": ["Support"]})
    create_folder(*server, "Support")
    put(old, datetime(2025, 1, 2, tzinfo=timezone.utc))
    assert harness.poll().fetched == 0
    put(new)
    assert harness.poll().new_cases == 1

    delete_folder(*server, "Support")
    create_folder(*server, "Support")
    put(old, datetime(2025, 1, 2, tzinfo=timezone.utc))
    put(new)
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (0, 0)
    assert [c.customer_email for c in harness.cases()] == ["new@customer.example"]
    assert len(harness.sink.messages) == 1


def test_start_from_now_skips_the_backlog(harness: Harness) -> None:
    harness.reconfigure(imap={"start_from": "now"})
    harness.append(mails.plain("old@customer.example", "Old backlog mail"))
    summary = harness.poll()
    assert (summary.fetched, summary.new_cases, summary.acks_sent) == (0, 0, 0)
    harness.append(mails.plain("new@customer.example", "New mail"))
    summary = harness.poll()
    assert (summary.fetched, summary.new_cases, summary.acks_sent) == (1, 1, 1)
    assert harness.sink.wait_for(1)[0].rcpt_tos == ["new@customer.example"]


def test_smtp_451_is_retried_on_a_later_cycle_exactly_once(harness: Harness) -> None:
    harness.sink.fail_next("451 4.3.0 try again later")
    harness.append(mails.plain("dave@customer.example", "Where is my deposit"))
    first = harness.poll()
    assert (first.acks_queued, first.acks_sent) == (1, 0)
    assert harness.outbox()[0].status == "pending" and "451" in harness.outbox()[0].last_error
    second = harness.poll()
    assert second.acks_sent == 1
    third = harness.poll()
    assert third.acks_sent == 0
    assert len(harness.sink.messages) == 1
    assert harness.outbox()[0].status == "sent" and harness.outbox()[0].attempts == 2


def test_smtp_550_is_recorded_and_not_retried(harness: Harness) -> None:
    harness.sink.fail_next("550 5.1.1 no such user")
    harness.append(mails.plain("erin@customer.example", "Help"))
    harness.poll()
    harness.poll()
    row = harness.outbox()[0]
    assert row.status == "failed" and row.last_error.startswith("550") and "no such user" in row.last_error
    assert harness.sink.messages == []


def test_smtp_down_then_back_delivers_queued_acks(harness: Harness) -> None:
    harness.sink.stop()
    harness.append(mails.plain("f1@customer.example", "One"), mails.plain("f2@customer.example", "Two"))
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_sent) == (2, 0) and summary.errors
    harness.sink.start()
    summary = harness.poll()
    assert summary.acks_sent == 2
    assert [r.rcpt_tos[0] for r in harness.sink.wait_for(2)] == ["f1@customer.example", "f2@customer.example"]


@pytest.mark.parametrize("raw, reason", [
    (mails.plain("frank@customer.example", "Out of Office: away until Monday", "I am away",
                 extra={"Auto-Submitted": "auto-replied"}), "Auto-Submitted"),
    (mails.dsn_bounce("mb.MB-000001.x@exchange.example"), "Auto-Submitted"),
    (mails.plain("news@list.example", "Weekly digest", extra={"List-Id": "<digest.list.example>"}), "mailing list"),
    (mails.plain("noreply@service.example", "Your receipt"), "noreply sender"),
], ids=["out-of-office", "dsn-bounce", "list-id", "noreply"])
def test_robot_mail_is_stored_but_not_acknowledged(harness: Harness, raw: bytes, reason: str) -> None:
    harness.append(raw)
    summary = harness.poll()
    assert (summary.fetched, summary.acks_queued, summary.quarantined) == (1, 0, 0)
    [message] = harness.messages()
    assert message.is_automated and message.direction == "automated"
    assert message.automated_reason == reason
    assert message.ack_skipped_reason.startswith("automated")
    assert harness.sink.messages == []


def test_after_processing_flag_is_set_after_commit(harness: Harness) -> None:
    from mailbridge.devservers import imap_connection

    harness.reconfigure(imap={"after_processing": "flag"})
    harness.append(mails.plain("gina@customer.example", "Help"))
    harness.poll()
    with imap_connection(harness.dovecot.host, harness.dovecot.port, harness.user, harness.dovecot.password) as c:
        c.select_folder("INBOX")
        flags = next(iter(c.get_flags(c.search(["ALL"])).values()))
    assert b"$MailbridgeDone" in flags and b"\\Seen" not in flags


def test_after_processing_move(harness: Harness) -> None:
    from mailbridge.devservers import imap_connection

    harness.reconfigure(imap={"after_processing": "move", "move_to": "Processed"})
    harness.append(mails.plain("hank@customer.example", "Help"))
    harness.poll()
    with imap_connection(harness.dovecot.host, harness.dovecot.port, harness.user, harness.dovecot.password) as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
        assert c.select_folder("Processed")[b"EXISTS"] == 1
    assert harness.poll().fetched == 0


def test_unparseable_message_is_quarantined_and_poll_goes_on(harness: Harness) -> None:
    harness.append(b"\x00\x01\x02 not an email at all \xff\xfe", mails.plain("ivy@customer.example", "Help"))
    summary = harness.poll()
    assert summary.quarantined == 1 and summary.new_cases == 1
    data = harness.export()
    assert len(data["quarantined"]) == 1 and data["quarantined"][0]["reason"]


def test_export_contract(harness: Harness) -> None:
    _three_customers(harness)
    harness.poll()
    data = harness.export()
    case = data["cases"][0]
    assert {"number", "status", "customer", "messages"} <= case.keys()
    inbound, ack = case["messages"][0], case["messages"][1]
    assert {"message_id", "direction", "from", "subject", "received_at", "duplicate_of", "thread_reason",
            "entities", "secrets", "ack"} <= inbound.keys()
    assert inbound["direction"] == "inbound" and ack["direction"] == "ack"
    assert inbound["received_at"].endswith("Z")
    assert inbound["ack"]["status"] == "sent" and inbound["ack"]["message_id"] == ack["message_id"]
    assert set(inbound["entities"]) >= {"account_uids", "tx_ids", "addresses", "order_ids", "timestamps"}



def _seed_phrase_mail(sender: str) -> tuple[bytes, str]:
    from bip_utils import Bip39MnemonicGenerator, Bip39WordsNum

    words = str(Bip39MnemonicGenerator().FromWordsNumber(Bip39WordsNum.WORDS_NUM_12))
    return mails.plain(sender, "Please restore my wallet", f"My seed phrase is:\n{words}\nPlease help!"), words


@pytest.mark.parametrize("action", ["move", "delete", "flag"])
def test_originals_holding_secrets_are_secured_on_the_server(harness: Harness, action: str) -> None:
    from mailbridge.devservers import imap_connection

    harness.reconfigure(imap={"secrets_action": action, "after_processing": "flag"})
    raw, words = _seed_phrase_mail("victim@customer.example")
    harness.append(raw, mails.plain("other@customer.example", "Ordinary question"))
    harness.poll()
    [leaky, ordinary] = harness.messages()
    assert leaky.secrets == ["seed phrase"] and words not in leaky.body_text
    assert leaky.flags == ["customer sent a secret (seed phrase); redacted"] and ordinary.flags == []
    assert [(c.urgent, c.priority) for c in harness.cases()] == [(True, "urgent"), (False, "normal")]
    assert words.encode() not in leaky.raw
    with imap_connection(harness.dovecot.host, harness.dovecot.port, harness.user, harness.dovecot.password) as c:
        c.select_folder("INBOX")
        inbox = c.fetch(c.search(["ALL"]), ["FLAGS", "BODY.PEEK[]"])
        restricted = c.folder_exists("Restricted") and c.select_folder("Restricted")[b"EXISTS"]
    bodies = [d[b"BODY[]"] for d in inbox.values()]
    if action == "flag":
        assert len(bodies) == 2
        flags = {b"victim@" in d[b"BODY[]"]: d[b"FLAGS"] for d in inbox.values()}
        assert b"$MailbridgeSecret" in flags[True] and b"$MailbridgeSecret" not in flags[False]
    else:
        assert len(bodies) == 1 and b"victim@" not in bodies[0]  # the ordinary mail stays, flagged
        assert b"$MailbridgeDone" in next(iter(inbox.values()))[b"FLAGS"]
        assert restricted == (1 if action == "move" else 0)
    ack = harness.sink.wait_for(2)
    warning = next(r for r in ack if r.rcpt_tos == ["victim@customer.example"]).message
    text = warning.get_body(("plain",)).get_content()
    assert "SECURITY WARNING" in text and words not in text
