"""Follow-up: put the message on the case it belongs to, or open a new case.

Rules, in order (the reason is stored on the message and shown by ``show``/``export``):
1. ``in-reply-to`` / ``references``: a known Message-ID — a message on a case, our ack or
   notice, a recorded staff reply, or any ID carrying our keyed hash (``msgids``);
2. ``subject tag``: the case number anywhere in the subject, after any reply prefixes;
3. ``soft: shared tx_id|order_id|account_uid``: the same sender, no headers, no tag, and
   an identifier of one of their open cases within ``threading.soft_match_days``;
4. ``new case``.
Rules 1 and 2 attach only when the sender may see the case: the customer, an address that
already took part, authenticated staff, or a robot answering a mail *we* sent. A stranger's
mail carrying someone else's tag or reference opens its own case, flagged ``mentions_case``
— a hijack attempt, or a colleague writing for the customer; staff decide.

A customer mail on a resolved case reopens it within ``threading.reopen_days``; after that
it opens a new case linked to the old one. Robots never open a case and never change one's
status; a bounce of our ack marks the case (the customer's address may be wrong).
"""

from __future__ import annotations

from datetime import timedelta

from mailbridge import matching
from mailbridge.matching import Match
from mailbridge.models import Case, utcnow
from mailbridge.steps.classify import looks_like_bounce
from mailbridge.work import InboundMail


def find(mail: InboundMail, ctx) -> Match | None:  # noqa: ANN001
    """Rules 1-3 (without the sender policy); forged references are flagged on the way."""
    parsed, settings, session = mail.parsed, ctx.settings, ctx.session
    assert parsed is not None
    forged: list[str] = []
    match = matching.by_headers(session, parsed, settings, forged)
    for message_id in forged:
        mail.extra.setdefault("flags", []).append(f"forged reference <{message_id}> (our format, bad keyed hash)")
    if match is None and mail.is_automated and looks_like_bounce(parsed):
        found = matching.by_bounce(session, mail.fetched.raw, settings)
        if found is not None:
            match, mail.extra["bounced_outgoing"] = found
    if match is None:
        match = matching.by_subject(session, parsed, settings)
    if match is None and mail.direction == "inbound" and not mail.is_automated and mail.extraction:
        since = matching.window_start(utcnow(), settings.threading.soft_match_days)
        match = matching.by_identifiers(session, _sender(mail), mail.extraction.entities,
                                        mail.extraction.quoted, since)
    return match


def may_join(match: Match, mail: InboundMail) -> bool:
    """The sender policy (see the module docstring)."""
    sender, case = _sender(mail), match.case
    if sender == case.customer_email or sender in case.participants or mail.direction == "staff":
        return True
    return mail.is_automated and match.ours  # a bounce or auto-reply to our own ack


def open_case(mail: InboundMail, ctx) -> Case:  # noqa: ANN001
    parsed = mail.parsed
    assert parsed is not None
    extraction = mail.extraction
    sender = _sender(mail)
    own = ctx.settings.own_addresses()
    participants = [a.email for a in [parsed.from_, *parsed.cc] if a and a.email and a.email not in own]
    case = Case(customer_email=sender, customer_name=parsed.from_.name if parsed.from_ else "",
                subject=(extraction.redacted_subject if extraction else parsed.subject)[:1000],
                language=extraction.language if extraction else "en",
                category=extraction.category if extraction else "other",
                urgent=bool(extraction and extraction.urgent), participants=list(dict.fromkeys(participants)),
                mailbox=ctx.settings.imap.account)
    if case.urgent:
        case.priority = "urgent"
    ctx.session.add(case)
    ctx.session.flush()  # the id gives the human-readable number
    case.number = ctx.settings.cases.number(case.id)
    ctx.summary.new_cases += 1
    return case


def attach(case: Case, mail: InboundMail, ctx) -> Case:  # noqa: ANN001
    """Put ``mail`` on ``case``; returns the case it really lands on (a new linked case
    when ``case`` was resolved too long ago)."""
    parsed = mail.parsed
    assert parsed is not None
    now = utcnow()
    if mail.direction == "inbound" and case.status == "resolved":
        period = timedelta(days=ctx.settings.threading.reopen_days)
        if case.resolved_at is not None and now - case.resolved_at > period:
            new = open_case(mail, ctx)
            new.linked_case_id = case.id
            mail.thread_reason = f"new case (follows up {case.number}, resolved {case.resolved_at:%Y-%m-%d})"
            return new
        case.status, case.resolved_at = "open", None
        mail.note("follow_up", f"reopened {case.number}")
    elif mail.direction == "inbound" and case.status == "waiting":
        case.status = "open"  # the customer answered
    if mail.direction == "inbound":
        new_people = [a.email for a in [parsed.from_, *parsed.cc]
                      if a and a.email not in case.participants and a.email not in ctx.settings.own_addresses()
                      and not ctx.settings.is_staff(a.email)]
        if new_people:
            case.participants = [*case.participants, *dict.fromkeys(new_people)]
    if mail.extra.get("bounced_outgoing") is not None:
        _record_bounce(case, mail)
    case.updated_at = now
    ctx.session.add(case)
    ctx.summary.follow_ups += 1
    return case


def _record_bounce(case: Case, mail: InboundMail) -> None:
    sent = mail.extra["bounced_outgoing"]
    sent.status, sent.last_error = "bounced", f"bounced: {mail.parsed.subject if mail.parsed else ''}"[:2000]
    case.bounced = True
    mail.extra.setdefault("flags", []).append(f"our mail to {sent.rcpt_to} bounced: the address may be wrong")


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    assert mail.parsed is not None
    if mail.case is not None:  # a resend: dedupe already put it on the original's case
        mail.case = attach(mail.case, mail, ctx)
    elif (match := find(mail, ctx)) is not None and may_join(match, mail):
        mail.thread_reason = match.reason
        mail.case = attach(match.case, mail, ctx)
    else:
        if match is not None:
            mail.mentions_case = match.case.number
            mail.extra.setdefault("flags", []).append(
                f"{_sender(mail)} is not on {match.case.number} but cited it ({match.reason})")
        if mail.is_automated:
            mail.thread_reason = "automated, no case"  # stored without a case; never opens one
        elif mail.direction == "staff":
            mail.thread_reason = "staff mail, no case"  # staff writing to us is never a customer case
        else:
            mail.case = open_case(mail, ctx)
            mail.thread_reason = "new case" + (f" (stranger mentioned {mail.mentions_case})"
                                               if mail.mentions_case else "")
    mail.note("follow_up", f"{mail.thread_reason}: {mail.case.number if mail.case else '-'}")


def _sender(mail: InboundMail) -> str:
    return mail.parsed.from_.email if mail.parsed and mail.parsed.from_ else ""
