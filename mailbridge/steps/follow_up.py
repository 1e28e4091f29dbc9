"""Follow-up: put the message on the case it belongs to, or open a new case.

Rules, in order (the reason is stored on the message):
1. In-Reply-To / References name a message of a case (the customer's earlier mail, our
   acknowledgement, a staff reply);
2. the case tag (``MB-000123``) appears in the subject.
A match attaches the message only when its sender may see that case: the customer, an
address that already took part, or staff. A stranger's mail carrying someone else's tag
or reference opens its own case, flagged ``mentions_case`` so staff can look — a case tag
must never let a stranger into someone else's case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlmodel import Session, select

from mailbridge.models import Case, Message, Outgoing, utcnow
from mailbridge.settings import Settings
from mailbridge.work import InboundMail, ParsedMail


@lru_cache(maxsize=8)
def tag_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}(\d{{1,12}})(?!\d)", re.IGNORECASE)


def case_numbers_in(subject: str, settings: Settings) -> list[str]:
    """Case numbers in ``subject`` in canonical form (``mb-123`` -> ``MB-000123``)."""
    found = tag_pattern(settings.cases.number_prefix).findall(subject)
    return list(dict.fromkeys(settings.cases.number(int(n)) for n in found))


def case_by_headers(session: Session, parsed: ParsedMail) -> tuple[Case, str] | None:
    """The case of the most recent message this one replies to (In-Reply-To first)."""
    candidates = [(i, "in-reply-to") for i in parsed.in_reply_to] + \
                 [(r, "references") for r in reversed(parsed.references)]
    if not candidates:
        return None
    ids = list(dict.fromkeys(i for i, _ in candidates))
    owners = dict(session.exec(select(Message.message_id, Message.case_id)
                               .where(Message.message_id.in_(ids), Message.case_id.is_not(None))).all())  # type: ignore[union-attr,attr-defined]
    owners.update(session.exec(select(Outgoing.message_id, Outgoing.case_id)
                               .where(Outgoing.message_id.in_(ids), Outgoing.case_id.is_not(None))).all())  # type: ignore[union-attr,attr-defined]
    for message_id, reason in candidates:
        case_id = owners.get(message_id)
        if case_id is not None:
            case = session.get(Case, case_id)
            if case is not None:
                return case, reason
    return None


def case_by_subject(session: Session, parsed: ParsedMail, settings: Settings) -> tuple[Case, str] | None:
    for number in case_numbers_in(parsed.subject, settings):
        case = session.exec(select(Case).where(Case.number == number)).first()
        if case is not None:
            return case, "subject tag"
    return None


def may_join(case: Case, mail: InboundMail, settings: Settings) -> bool:
    """The sender policy: the customer, an earlier participant, staff, or a robot answering us."""
    parsed = mail.parsed
    sender = parsed.from_.email if parsed and parsed.from_ else ""
    return (sender == case.customer_email or sender in case.participants
            or mail.direction == "staff" or mail.is_automated)


def open_case(mail: InboundMail, ctx) -> Case:  # noqa: ANN001
    parsed = mail.parsed
    assert parsed is not None
    extraction = mail.extraction
    sender = parsed.from_.email if parsed.from_ else ""
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


def _join(case: Case, mail: InboundMail) -> None:
    parsed = mail.parsed
    assert parsed is not None
    if mail.direction == "inbound":
        new = [a.email for a in [parsed.from_, *parsed.cc] if a and a.email not in case.participants]
        if new:
            case.participants = [*case.participants, *new]
        if case.status in ("resolved", "waiting"):
            case.status = "open"
    case.updated_at = utcnow()


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    assert mail.parsed is not None
    match = case_by_headers(ctx.session, mail.parsed)
    if match is None and not mail.is_automated:  # a robot's subject tag alone proves nothing
        match = case_by_subject(ctx.session, mail.parsed, ctx.settings)
    if match is not None and may_join(match[0], mail, ctx.settings):
        mail.case, mail.thread_reason = match
        _join(mail.case, mail)
        ctx.session.add(mail.case)
        ctx.summary.follow_ups += 1
    elif mail.is_automated:
        mail.thread_reason = "automated, no case"  # stored without a case; never opens one
    else:
        if match is not None:
            mail.mentions_case = match[0].number
        mail.case = open_case(mail, ctx)
        mail.thread_reason = "new case" + (f" (stranger mentioned {mail.mentions_case})" if mail.mentions_case else "")
    mail.note("follow_up", f"{mail.thread_reason}: {mail.case.number if mail.case else '-'}")
