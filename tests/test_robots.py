"""Robots and loops on real servers (issue 4): out-of-office and auto-replies to our acks,
bounces of our acks, another helpdesk's auto-responder, and our own mail coming back."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from harness import SUPPORT, Harness
from mailbridge import samples as mails
from mailbridge.models import Case

pytestmark = pytest.mark.servers


def _case_with_ack(h: Harness, sender: str = "olga@customer.example") -> tuple[Case, str]:
    h.append(mails.plain(sender, "Cannot withdraw", "My withdrawal fails."))
    h.poll()
    ack = h.sink.wait_for(1)[0].message
    return h.cases()[0], ack["Message-ID"]


def _waiting(h: Harness, number: str) -> None:
    h.append(mails.plain("staff@exchange.example", f"Re: [Case {number}] Cannot withdraw", "Please send the TxID.",
                         to="olga@customer.example", extra={"Cc": SUPPORT}))
    h.poll()
    assert h.cases()[0].status == "waiting"


OOF = {
    "auto-submitted": ({"Auto-Submitted": "auto-replied"}, "Out of Office: back Monday", "Auto-Submitted"),
    "x-autoreply": ({"X-Autoreply": "yes"}, "Re: Cannot withdraw", "auto-reply header"),
    "x-autorespond": ({"X-Autorespond": "yes"}, "Re: Cannot withdraw", "auto-reply header"),
    "precedence": ({"Precedence": "auto_reply"}, "Re: Cannot withdraw", "Precedence"),
    "ms-oof": ({"X-Auto-Response-Suppress": "All", "X-MS-Exchange-Generated-Message-Source": "Mailbox Rules Agent"},
               "Automatic reply: Cannot withdraw", "out-of-office header"),
    "ms-suppress-on-reply": ({"X-Auto-Response-Suppress": "DR, OOF, AutoReply"}, "Re: Cannot withdraw",
                             "out-of-office header"),
    "subject-zh": ({}, "自动回复: [Case MB-000001] Cannot withdraw", "auto-reply subject"),
    "subject-zh-hant": ({}, "自動回覆：Cannot withdraw", "auto-reply subject"),
    "subject-ko": ({}, "자동 응답: Cannot withdraw", "auto-reply subject"),
    "subject-en": ({}, "Automatic reply: Cannot withdraw", "auto-reply subject"),
    "subject-de": ({}, "Abwesenheitsnotiz: Cannot withdraw", "auto-reply subject"),
}


@pytest.mark.parametrize("headers, subject, reason", OOF.values(), ids=OOF.keys())
def test_out_of_office_to_an_ack_is_recorded_as_automated(harness: Harness, headers: dict, subject: str,
                                                          reason: str) -> None:
    case, ack_id = _case_with_ack(harness)
    _waiting(harness, case.number or "")
    harness.append(mails.plain("olga@customer.example", subject, "I am out of the office until Monday.",
                               in_reply_to=ack_id, extra=headers))
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (0, 0)
    oof = harness.messages()[-1]
    assert oof.direction == "automated" and oof.automated_reason == reason
    assert oof.case_id == case.id and oof.thread_reason == "in-reply-to"
    assert harness.cases()[0].status == "waiting"  # never reopens or changes the status
    assert len(harness.sink.messages) == 1


def test_auto_reply_from_another_address_answering_our_ack_joins_by_our_message_id(harness: Harness) -> None:
    case, ack_id = _case_with_ack(harness)
    harness.append(mails.plain("helpdesk@customer.example", "Re: Cannot withdraw", "Ticket 4711 received.",
                               in_reply_to=ack_id, extra={"Auto-Submitted": "auto-replied"}))
    harness.poll()
    assert harness.messages()[-1].case_id == case.id


@pytest.mark.parametrize("attached_as", ["text/rfc822-headers", "message/rfc822"])
def test_bounce_of_an_ack_is_recorded_on_the_case(harness: Harness, attached_as: str) -> None:
    case, ack_id = _case_with_ack(harness, "typo@customer.example")
    bounce = mails.dsn_bounce(ack_id.strip("<>"), rcpt="typo@customer.example")
    if attached_as == "message/rfc822":
        bounce = bounce.replace(b"Content-Type: text/rfc822-headers\r\n\r\n",
                                b"Content-Type: message/rfc822\r\n\r\n")
        bounce = bounce.replace(b"Subject: [Case MB-000001] x\r\n", b"Subject: x\r\n\r\nbody\r\n")
    harness.append(bounce)
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (0, 0)
    stored = harness.messages()[-1]
    assert stored.case_id == case.id and stored.direction == "automated"
    assert stored.thread_reason == f"bounce of {ack_id}"
    assert any("bounced" in f for f in stored.flags)
    assert harness.cases()[0].bounced and harness.cases()[0].status == "open"
    assert harness.outbox()[0].status == "bounced"
    shown = harness.export()["cases"][0]
    assert shown["bounced"] and shown["messages"][0]["ack"]["status"] == "bounced"


def test_bounce_naming_nothing_of_ours_stays_unassigned(harness: Harness) -> None:
    _case_with_ack(harness)
    harness.append(mails.dsn_bounce("someone-else@other.example"))
    harness.poll()
    assert harness.messages()[-1].case_id is None and len(harness.cases()) == 1


def test_loop_with_an_auto_responder_keeping_headers_stops_at_once(harness: Harness) -> None:
    """A helpdesk without robot headers that answers our ack as a reply: one follow-up, no ack."""
    harness.append(mails.plain("tickets@otherdesk.example", "Invoice question", "Hello, about the invoice."))
    for round_ in range(3):
        harness.poll()
        for item in harness.sink.messages[round_:]:
            ack = item.message
            harness.append(mails.plain("tickets@otherdesk.example", f"Re: {ack['Subject']}",
                                       "We received your request and will answer soon.",
                                       in_reply_to=ack["Message-ID"]))
    assert len(harness.sink.messages) == 1 and len(harness.cases()) == 1


def test_loop_with_an_auto_responder_dropping_everything_is_bounded(harness: Harness) -> None:
    """Worst case: each answer has a new ticket number, no headers, no tag: every one looks
    like a new customer problem. The per-recipient limit ends the ping-pong."""
    harness.reconfigure(ack={"max_per_recipient_hour": 3, "max_per_recipient_day": 10})
    harness.append(mails.plain("tickets@otherdesk.example", "Invoice question", "Hello, about the invoice."))
    answered = 0
    for ticket in range(1, 8):
        harness.poll()
        fresh = harness.sink.messages[answered:]
        answered = len(harness.sink.messages)
        for _ in fresh:
            harness.append(mails.plain("tickets@otherdesk.example", f"[Ticket #{ticket}] Received",
                                       f"Your request was received as ticket {ticket}."))
    assert len(harness.sink.messages) == 3
    skipped = [m.ack_skipped_reason for m in harness.messages() if m.ack_skipped_reason]
    assert skipped and skipped[-1].startswith("rate limit: 3 mails to tickets@otherdesk.example in the last hour")


def test_our_own_ack_coming_back_is_not_stored(harness: Harness) -> None:
    _case_with_ack(harness)
    ack_raw = harness.sink.messages[0].message.as_bytes()
    harness.append(ack_raw)  # a Bcc to ourselves, an echoing list, a forwarder
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued, summary.skipped) == (0, 0, 1)
    assert len(harness.messages()) == 1


def test_our_signed_message_id_is_ours_even_without_the_outbox_row(harness: Harness) -> None:
    from sqlmodel import select

    from mailbridge.models import Outgoing

    _case_with_ack(harness)
    ack = harness.sink.messages[0].message
    with harness.session() as s:
        for row in s.exec(select(Outgoing)).all():
            s.delete(row)
        s.commit()
    echoed = mails.plain("olga@customer.example", "Fwd", "x", message_id=ack["Message-ID"])
    assert message_from_bytes(echoed)["Message-ID"] == ack["Message-ID"]
    harness.append(echoed)
    assert harness.poll().skipped == 1
    assert len(harness.messages()) == 1
