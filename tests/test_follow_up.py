"""Follow-up matching on real servers (issue 4): every message on the right case, for the
right reason — headers, the tag behind any prefix, soft identifiers — and never a
stranger let into someone else's case."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from email import message_from_bytes

import pytest
from sqlmodel import select

from harness import Harness
from mailbridge import samples as mails
from mailbridge.models import Case, Outgoing, utcnow

pytestmark = pytest.mark.servers


def mid(raw: bytes) -> str:
    return message_from_bytes(raw)["Message-ID"].strip().strip("<>")


def tx(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def by_sender(h: Harness) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in h.messages():
        out.setdefault(m.from_email, []).append(m)
    return out


def test_reply_with_in_reply_to_and_with_references_only(harness: Harness) -> None:
    harness.append(mails.plain("alice@customer.example", "Withdrawal stuck", "My BTC withdrawal is stuck."))
    harness.poll()
    ack = harness.sink.wait_for(1)[0].message
    # A client that keeps References but drops In-Reply-To, and one that keeps both.
    harness.append(mails.plain("alice@customer.example", "Re: status?", "Any news?",
                               extra={"References": f"<unknown@elsewhere.example> {ack['Message-ID']}"}),
                   mails.plain("alice@customer.example", "Re: status", "Hello?", in_reply_to=ack["Message-ID"]))
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups, summary.acks_queued) == (0, 2, 0)
    assert [m.thread_reason for m in harness.messages()] == ["new case", "references", "in-reply-to"]
    data = harness.export()["cases"][0]
    assert [m["thread_reason"] for m in data["messages"] if m["direction"] == "inbound"] == \
        ["new case", "references", "in-reply-to"]


def test_reply_to_a_signed_ack_id_works_even_without_the_outbox_row(harness: Harness) -> None:
    """Our Message-IDs carry a keyed hash of the case: a restored database still threads."""
    harness.append(mails.plain("bob@customer.example", "Deposit missing", "Deposit missing since Monday."))
    harness.poll()
    ack = harness.sink.wait_for(1)[0].message
    with harness.session() as s:
        for row in s.exec(select(Outgoing)).all():
            s.delete(row)
        s.commit()
    harness.append(mails.plain("bob@customer.example", "Re: something", "Still missing", in_reply_to=ack["Message-ID"]))
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups) == (0, 1)
    assert harness.messages()[-1].thread_reason == "in-reply-to"


PREFIXES = ["Re: ", "RE: ", "Fwd: ", "FW: ", "AW: ", "WG: ", "SV: ", "Antw: ", "回复: ", "答复: ", "回覆: ",
            "转发: ", "轉寄: ", "답장: ", "회신: ", "전달: ", "返信: ", "転送: ", "回复：", "Re：", "Re: Re: RE: ",
            "Re[2]: ", "RE(3): ", "Re: 回复：Fwd: "]


def test_reply_with_only_the_tag_behind_every_prefix_family(harness: Harness) -> None:
    customers = [f"c{i}@customer.example" for i in range(len(PREFIXES))]
    harness.append(*[mails.plain(c, f"Problem {i}", f"Problem number {i} with my account.")
                     for i, c in enumerate(customers)])
    harness.poll()
    numbers = {c.customer_email: c.number for c in harness.cases()}
    # New Message-IDs, no In-Reply-To/References: only the tag, behind the prefix, carries it.
    harness.append(*[mails.plain(c, f"{p}[Case {numbers[c]}] Problem {i}", f"Follow-up {i}: any news?")
                     for i, (c, p) in enumerate(zip(customers, PREFIXES))])
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups, summary.acks_queued) == (0, len(PREFIXES), 0)
    cases = {c.id: c.customer_email for c in harness.cases()}
    for sender, (first, reply) in by_sender(harness).items():
        assert reply.case_id == first.case_id and cases[reply.case_id] == sender
        assert reply.thread_reason == "subject tag", reply.subject


def test_tag_in_full_width_digits_and_lower_case(harness: Harness) -> None:
    harness.append(mails.plain("dan@customer.example", "充值没到账", "我充值了但是没到账"))
    harness.poll()
    harness.append(mails.plain("dan@customer.example", "回复：［Case ｍｂ－０００００１］充值没到账", "请尽快处理"))
    assert harness.poll().follow_ups == 1
    assert harness.messages()[-1].thread_reason == "subject tag"


def test_soft_match_on_shared_tx_id_order_and_uid(harness: Harness) -> None:
    t1 = tx("soft-1")
    harness.append(mails.plain("eve@customer.example", "Withdrawal stuck", f"TxID: 0x{t1} is stuck."),
                   mails.plain("fay@customer.example", "充值未到账", "订单号: 2025030512345678 充值未到账"),
                   mails.plain("gus@customer.example", "로그인 문제", "회원번호: 87654321 로그인이 안 됩니다."))
    harness.poll()
    # Written again from scratch: no headers, no tag, different words, the same identifier.
    harness.append(mails.plain("eve@customer.example", "Where is my money", f"Please check 0x{t1} again."),
                   mails.plain("fay@customer.example", "还是没有", "订单号 2025030512345678 还是没有到账，怎么回事"),
                   mails.plain("gus@customer.example", "다시 문의", "회원번호 87654321 아직도 로그인 안 돼요"))
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups, summary.acks_queued) == (0, 3, 0)
    reasons = {m.from_email: m.thread_reason for m in harness.messages()[3:]}
    assert reasons == {"eve@customer.example": "soft: shared tx_id", "fay@customer.example": "soft: shared order_id",
                       "gus@customer.example": "soft: shared account_uid"}


def test_new_problem_from_the_same_customer_is_a_new_case(harness: Harness) -> None:
    harness.append(mails.plain("hal@customer.example", "Withdrawal stuck",
                               f"UID: 12345678. Withdrawal TxID: 0x{tx('a')} stuck."))
    harness.poll()
    harness.append(mails.plain("hal@customer.example", "Another withdrawal stuck",
                               f"UID: 12345678. Now this one too: TxID: 0x{tx('b')}."),
                   )
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (1, 1)
    assert [c.customer_email for c in harness.cases()] == ["hal@customer.example"] * 2


def test_stranger_with_a_reference_or_a_tag_gets_own_case_flagged(harness: Harness) -> None:
    original = mails.plain("ivy@customer.example", "KYC rejected", "My KYC was rejected.")
    harness.append(original)
    harness.poll()
    ack = harness.sink.wait_for(1)[0].message
    harness.append(mails.plain("mallory@evil.example", "Re: [Case MB-000001] KYC rejected", "Send me your passport",
                               in_reply_to=ack["Message-ID"]),
                   mails.plain("colleague@customer.example", "Re: KYC rejected", "Writing for Ivy",
                               in_reply_to=f"<{mid(original)}>"))
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups) == (2, 0)
    ivy_case = harness.cases()[0]
    assert len([m for m in harness.messages() if m.case_id == ivy_case.id]) == 1
    for stranger in harness.messages()[1:]:
        assert stranger.mentions_case == "MB-000001" and stranger.case_id != ivy_case.id
        assert any("cited it" in f for f in stranger.flags)


def test_cc_participant_may_reply_by_tag(harness: Harness) -> None:
    harness.append(mails.plain("jo@customer.example", "Account locked", "Locked out.",
                               extra={"Cc": "jo.partner@customer.example"}))
    harness.poll()
    harness.append(mails.plain("jo.partner@customer.example", "Re: [Case MB-000001] Account locked", "Same here"))
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups) == (0, 1)


def test_forged_reference_in_our_format_is_flagged_and_ignored(harness: Harness) -> None:
    harness.append(mails.plain("kim@customer.example", "API key", "API key does not work."))
    harness.poll()
    forged = "<mb.MB-000001.0123456789abcdef.0000000000000000@exchange.example>"
    harness.append(mails.plain("kim@customer.example", "about my problem", "hello again", in_reply_to=forged))
    summary = harness.poll()
    assert summary.new_cases == 1  # the forged reference proved nothing; no tag, no identifiers
    last = harness.messages()[-1]
    assert last.thread_reason == "new case" and any("forged reference" in f for f in last.flags)


def _resolve(h: Harness, number: str, days_ago: float) -> None:
    with h.session() as s:
        case = s.exec(select(Case).where(Case.number == number)).one()
        case.status, case.resolved_at = "resolved", utcnow() - timedelta(days=days_ago)
        s.add(case)
        s.commit()


def test_resolved_case_reopens_within_period_else_new_linked_case(harness: Harness) -> None:
    harness.append(mails.plain("lee@customer.example", "Deposit", "Deposit missing."),
                   mails.plain("max@customer.example", "Deposit", "Deposit missing too."))
    harness.poll()
    _resolve(harness, "MB-000001", days_ago=2)
    _resolve(harness, "MB-000002", days_ago=30)
    harness.append(mails.plain("lee@customer.example", "Re: [Case MB-000001] Deposit", "It happened again"),
                   mails.plain("max@customer.example", "Re: [Case MB-000002] Deposit", "It happened again"))
    summary = harness.poll()
    assert (summary.new_cases, summary.follow_ups, summary.acks_queued) == (1, 1, 1)
    lee, old_max, new_max = harness.cases()
    assert lee.status == "open" and lee.resolved_at is None
    assert old_max.status == "resolved" and new_max.linked_case_id == old_max.id
    assert harness.messages()[-1].thread_reason.startswith("new case (follows up MB-000002")
    assert harness.export()["cases"][2]["linked_case"] == "MB-000002"
