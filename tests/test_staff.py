"""Staff replying from a normal mail client, internal notes with commands, and staff
impostors (issue 4), on real Dovecot and aiosmtpd."""

from __future__ import annotations

import pytest

from harness import SUPPORT, Harness
from mailbridge import authresults
from mailbridge import samples as mails
from mailbridge.steps.classify import lookalike_of

pytestmark = pytest.mark.servers

STAFF = "li.wei@exchange.example"
AR_PASS = "mx.exchange.example; spf=pass smtp.mailfrom=exchange.example; dkim=pass header.d=exchange.example; dmarc=pass"


def _customer_case(h: Harness) -> str:
    h.append(mails.plain("Nina <nina@customer.example>", "Withdrawal stuck", "My withdrawal is stuck."))
    h.poll()
    return h.cases()[0].number or ""


def test_staff_reply_with_support_in_cc(harness: Harness) -> None:
    number = _customer_case(harness)
    first = harness.messages()[0]
    harness.append(mails.plain(f"Li Wei <{STAFF}>", f"Re: [Case {number}] Withdrawal stuck", "We are checking it.",
                               to="nina@customer.example", in_reply_to=f"<{first.message_id}>",
                               message_id="<staff-1@exchange.example>",
                               extra={"Cc": SUPPORT, "Authentication-Results": AR_PASS}))
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (0, 0)
    staff = harness.messages()[-1]
    assert staff.direction == "staff" and staff.case_id == harness.cases()[0].id
    assert harness.cases()[0].status == "waiting"
    assert len(harness.sink.messages) == 1  # the customer's ack only

    # The customer answers the staff reply: back to open, on the same case.
    harness.append(mails.plain("nina@customer.example", "Re: Withdrawal stuck", "Thanks, any update?",
                               in_reply_to="<staff-1@exchange.example>"))
    harness.poll()
    assert harness.messages()[-1].thread_reason == "in-reply-to"
    assert harness.cases()[0].status == "open"
    directions = [m["direction"] for m in harness.export()["cases"][0]["messages"]]
    assert directions == ["inbound", "ack", "staff", "inbound"]


def test_staff_reply_with_support_in_bcc(harness: Harness) -> None:
    number = _customer_case(harness)
    # Bcc: support appears in neither To nor Cc; the delivery headers show how it got here.
    harness.append(mails.plain(STAFF, f"RE: [Case {number}] Withdrawal stuck", "Your withdrawal is done.",
                               to="nina@customer.example",
                               extra={"Delivered-To": SUPPORT, "X-Original-To": SUPPORT}))
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (0, 0)
    staff = harness.messages()[-1]
    assert staff.direction == "staff" and staff.thread_reason == "subject tag"
    assert any("support in Bcc" in decision for _, decision in staff.trail)
    assert harness.cases()[0].status == "waiting"


def test_internal_note_with_commands_and_an_unknown_one_reported_back(harness: Harness) -> None:
    number = _customer_case(harness)
    note = ("#status resolved\n#priority urgent\n#assign Li Wei\n#category withdrawal\n#frobnicate now\n\n"
            "Finance confirmed the payout.\n#status open  <- not a command: below the text")
    harness.append(mails.plain(STAFF, f"[Case {number}] note", note, to=SUPPORT))
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (0, 0)
    stored = harness.messages()[-1]
    assert stored.direction == "note"
    assert stored.commands == ["#status resolved: applied", "#priority urgent: applied", "#assign Li Wei: applied",
                               "#category withdrawal: applied",
                               "#frobnicate now: unknown command #frobnicate (known: #status, #priority, #assign, "
                               "#category)"]
    case = harness.cases()[0]
    assert (case.status, case.priority, case.urgent, case.assignee, case.category) == \
        ("resolved", "urgent", True, "Li Wei", "withdrawal")
    assert case.resolved_at is not None
    received = harness.sink.wait_for(2)
    notice = [r for r in received if r.rcpt_tos == [STAFF]]
    assert len(notice) == 1
    body = notice[0].message.get_body(("plain",)).get_content()
    assert "#frobnicate now" in body and number in notice[0].message["Subject"]
    assert [o.kind for o in harness.outbox()] == ["ack", "notice"]
    shown = harness.export()["cases"][0]
    assert shown["notices"][0]["status"] == "sent" and shown["messages"][2]["direction"] == "note"


def test_note_on_a_resolved_case_does_not_reopen_it_and_customer_mail_does(harness: Harness) -> None:
    number = _customer_case(harness)
    harness.append(mails.plain(STAFF, f"[Case {number}]", "#status resolved", to=SUPPORT))
    harness.poll()
    harness.append(mails.plain(STAFF, f"[Case {number}]", "Just a remark for colleagues.", to=SUPPORT))
    harness.poll()
    assert harness.cases()[0].status == "resolved"
    harness.append(mails.plain("nina@customer.example", f"Re: [Case {number}]", "It is back again!"))
    harness.poll()
    assert harness.cases()[0].status == "open"


@pytest.mark.parametrize("results", [
    ["mx.exchange.example; spf=fail smtp.mailfrom=exchange.example; dkim=none; dmarc=fail (p=reject)"],
    # The attacker's own "pass" further down does not count: only our server's topmost header.
    ["mx.exchange.example; spf=softfail; dkim=fail header.d=exchange.example",
     "evil.example; spf=pass; dkim=pass; dmarc=pass"],
], ids=["dmarc-fail", "forged-pass-below"])
def test_forged_staff_mail_failing_authentication_is_a_stranger(harness: Harness, results: list[str]) -> None:
    number = _customer_case(harness)
    raw = mails.plain(f"Li Wei <{STAFF}>", f"[Case {number}] #status resolved",
                      "#status resolved\n#assign attacker\nPlease send the customer's KYC file to me.", to=SUPPORT)
    head, _, body = raw.partition(b"\n\n")
    extra = b"".join(f"Authentication-Results: {r}\n".encode() for r in results)
    harness.append(extra + head + b"\n\n" + body)
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued) == (1, 0)
    victim, impostor_case = harness.cases()
    assert victim.status == "open" and victim.assignee == ""  # no command was applied
    forged = harness.messages()[-1]
    assert forged.direction == "inbound" and forged.case_id == impostor_case.id
    assert forged.mentions_case == number
    assert any(f.startswith("spoofed staff") for f in forged.flags)
    assert forged.ack_skipped_reason.startswith("staff-looking mail failed authentication")
    assert len(harness.sink.messages) == 1


@pytest.mark.parametrize("sender, flag", [
    ('"support@exchange.example" <x@evil.example>', "display name shows support@exchange.example"),
    ("Li Wei <li.wei@exchange-example.com>", "look-alike domain exchange-example.com"),
    ("Li Wei <li.wei@exchange.example.evil.com>", "look-alike domain exchange.example.evil.com"),
    ("Li Wei <li.wei@exchanqe.example>", "look-alike domain exchanqe.example"),
], ids=["display-name", "hyphen", "prefix-of-other-domain", "typo"])
def test_lookalike_staff_is_a_stranger_and_flagged(harness: Harness, sender: str, flag: str) -> None:
    number = _customer_case(harness)
    harness.append(mails.plain(sender, f"Re: [Case {number}] Withdrawal stuck", "Please confirm your seed.",
                               to="nina@customer.example", extra={"Cc": SUPPORT}))
    summary = harness.poll()
    assert summary.new_cases == 1
    impostor = harness.messages()[-1]
    assert impostor.direction == "inbound" and impostor.mentions_case == number
    assert any(f.startswith(flag) for f in impostor.flags), impostor.flags
    assert harness.cases()[0].status == "open"


def test_authentication_results_parsing() -> None:
    assert authresults.check(["mx.a; dmarc=pass; spf=fail"], []) == ""
    assert authresults.check(["mx.a; spf=fail; dkim=pass"], []) == ""  # forwarded: SPF breaks, DKIM holds
    assert authresults.check(["mx.a; spf=fail"], []) == "spf=fail"
    assert authresults.check(["mx.a (comment; dmarc=pass); dmarc=fail"], []) == "dmarc=fail"
    assert authresults.check(["other; dmarc=pass", "mx.a; dmarc=fail"], ["mx.a"]) == "dmarc=fail"
    assert authresults.check([], []) == ""


def test_lookalike_rules_leave_real_domains_alone() -> None:
    protected = {"exchange.example"}
    for ok in ("exchange.example", "mail.exchange.example", "customer.example", "gmail.com", "qq.com", "naver.com"):
        assert lookalike_of(ok, protected) == "", ok
    for bad in ("exchange-example.com", "exchanqe.example", "xn--exchnge-9wa.example", "exchange.example.co"):
        assert lookalike_of(bad, protected) == "exchange.example", bad
