"""Acknowledge: decide whether a message gets an acknowledgement, and put it in the outbox.

The ack is rendered and written to the outbox in the same transaction as the case, so a
crash can never leave a case without its ack or an ack without its case; ``send`` delivers
it after the commit. Only a customer's first mail on a new case is acknowledged: never a
robot (RFC 3834), a duplicate, a follow-up, staff, mail that failed authentication, or our
own mail. Per-recipient limits (``ack.max_per_recipient_hour``/``_day``) bound a ping-pong
with another helpdesk's auto-responder that hides every robot header, and
``ack.max_per_case`` the acks on one case.

This step is also where other mail to the outbox is written: the notice that tells staff
which ``#commands`` in their note were not understood (``steps/staff.py``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from sqlalchemy import func
from sqlmodel import select

from mailbridge import msgids
from mailbridge.models import Case, Outgoing, utcnow
from mailbridge.render import render
from mailbridge.settings import Settings
from mailbridge.steps.classify import OWN_MAIL_HEADER
from mailbridge.work import InboundMail

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # C0, DEL, C1 (NEL) and Unicode line breaks
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


def skip_reason(mail: InboundMail, settings: Settings) -> str:
    """Why ``mail`` gets no acknowledgement, or '' when it gets one."""
    parsed = mail.parsed
    sender = parsed.from_.email if parsed and parsed.from_ else ""
    if not settings.ack.enabled:
        return "acknowledgements disabled"
    if mail.is_automated:
        return f"automated: {mail.automated_reason}"
    if mail.direction != "inbound":
        return f"{mail.direction} mail"
    if mail.duplicate_of:
        return f"duplicate of <{mail.duplicate_of}>"
    if mail.extra.get("auth_failed"):
        return f"staff-looking mail failed authentication ({mail.extra['auth_failed']})"
    if mail.mentions_case:
        # A stranger citing another case's tag or one of our acks: a hijack attempt, a colleague,
        # or a ticket system answering our ack from a new address each time (no per-recipient
        # limit can stop that loop). Staff see the flag and decide; no ack.
        return f"cites {mail.mentions_case} without being on it; staff decide"
    if mail.case is None or not mail.thread_reason.startswith("new case"):
        return "follow-up on an existing case"
    if not _ADDRESS.fullmatch(sender):
        return f"no usable sender address ({sender!r})"
    return ""


def limit_reason(session, settings: Settings, rcpt: str, case: Case | None) -> str:  # noqa: ANN001
    """Why another mail to ``rcpt`` (on ``case``) would exceed a configured limit, or ''."""
    now = utcnow()
    # One indexed lookup (rcpt_to is stored lower-case, so no lower() that would defeat the
    # index and scan the whole outbox for every ack); at most a day's limit of rows comes back.
    recent = session.exec(select(Outgoing.created_at).where(
        Outgoing.rcpt_to == rcpt.lower(), Outgoing.created_at >= now - timedelta(days=1))
        .limit(settings.ack.max_per_recipient_day + settings.ack.max_per_recipient_hour)).all()
    for window, limit, name in ((timedelta(hours=1), settings.ack.max_per_recipient_hour, "hour"),
                                (timedelta(days=1), settings.ack.max_per_recipient_day, "day")):
        sent = sum(1 for created in recent if created >= now - window)
        if sent >= limit:
            return f"rate limit: {sent} mails to {rcpt} in the last {name}"
    if case is not None:
        acked = session.exec(select(func.count()).select_from(Outgoing).where(
            Outgoing.case_id == case.id, Outgoing.kind == "ack")).one()
        if acked >= settings.ack.max_per_case:
            return f"case limit: {case.number} already has {acked} acknowledgement(s)"
    return ""


def one_line(text: str, limit: int = 400) -> str:
    """Header-safe text: no CR/LF or other controls can start a new header line."""
    return _CONTROL.sub(" ", text).strip()[:limit]


def new_message_id(settings: Settings, case: Case, session) -> str:  # noqa: ANN001
    """A Message-ID carrying a keyed hash of the case (see ``mailbridge.msgids``)."""
    return msgids.make(case.number or "", msgids.signing_key(settings, session), msgids.domain_of(settings))


def compose(settings: Settings, case: Case, mail: InboundMail, message_id: str) -> EmailMessage:
    """The acknowledgement as a complete MIME message (text plus HTML alternative)."""
    parsed, extraction = mail.parsed, mail.extraction
    assert parsed is not None and parsed.from_ is not None and extraction is not None
    subject = one_line(extraction.redacted_subject)
    variables = {"case_number": case.number, "customer_name": one_line(parsed.from_.name, 100),
                 "subject": subject, "language": extraction.language, "secret_kinds": list(extraction.secrets),
                 "support_name": settings.mailbox.support_name}
    text = render(settings.ack.templates_dir, "ack.txt.j2", extraction.language, variables)
    html = render(settings.ack.templates_dir, "ack.html.j2", extraction.language, {**variables, "text": text})
    out = EmailMessage(policy=SMTP)
    out["From"] = HeaderAddress(one_line(settings.mailbox.support_name, 100), addr_spec=settings.mailbox.support_address)
    out["To"] = HeaderAddress(variables["customer_name"], addr_spec=parsed.from_.email)
    out["Subject"] = one_line(settings.ack.subject.format(case=case.number, subject=subject), 900)
    out["Date"] = format_datetime(utcnow())
    out["Message-ID"] = f"<{message_id}>"
    out["In-Reply-To"] = f"<{parsed.message_id}>"
    refs = [*parsed.references[-10:], parsed.message_id]
    out["References"] = " ".join(f"<{r}>" for r in refs if _safe_id(r))
    out["Auto-Submitted"] = "auto-replied"
    out["X-Auto-Response-Suppress"] = "All"
    out[OWN_MAIL_HEADER] = case.number or ""
    out.set_content(text)
    out.add_alternative(html, subtype="html")
    return out


def _safe_id(message_id: str) -> bool:
    return bool(message_id) and len(message_id) < 250 and not re.search(r"[\s<>\x00-\x1f]", message_id)


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    _record_on_message(mail)
    if mail.extra.get("unknown_commands"):
        queue_notice(mail, ctx)
    reason = skip_reason(mail, ctx.settings)
    if not reason and mail.parsed is not None and mail.parsed.from_ is not None:
        reason = limit_reason(ctx.session, ctx.settings, mail.parsed.from_.email, mail.case)
    if reason:
        mail.ack_skipped_reason = reason
        mail.note("acknowledge", f"skipped: {reason}")
        return
    case = mail.case
    assert case is not None and mail.parsed is not None and mail.parsed.from_ is not None
    message_id = new_message_id(ctx.settings, case, ctx.session)
    composed = compose(ctx.settings, case, mail, message_id)
    ctx.session.add(Outgoing(message_id=message_id, case_id=case.id,
                             reply_to_pk=mail.message.id if mail.message else None, kind="ack",
                             mail_from=ctx.settings.mailbox.support_address, rcpt_to=mail.parsed.from_.email,
                             subject=str(composed["Subject"]), raw=composed.as_bytes(), next_attempt_at=utcnow()))
    ctx.summary.acks_queued += 1
    mail.note("acknowledge", f"queued <{message_id}>")


def _record_on_message(mail: InboundMail) -> None:
    """Flags and command results decided by earlier steps go onto the stored row."""
    if mail.message is None:
        return
    if mail.extra.get("flags"):
        mail.message.flags = list(dict.fromkeys(mail.extra["flags"]))
    if mail.extra.get("commands"):
        mail.message.commands = list(mail.extra["commands"])


def queue_notice(mail: InboundMail, ctx) -> None:  # noqa: ANN001
    """Tell the staff member which commands in their note were not applied (kind "notice")."""
    parsed, case, settings = mail.parsed, mail.case, ctx.settings
    assert parsed is not None and parsed.from_ is not None and case is not None
    limited = limit_reason(ctx.session, settings, parsed.from_.email, None)
    if limited:
        mail.note("acknowledge", f"notice skipped: {limited}")
        return
    message_id = new_message_id(settings, case, ctx.session)
    text = render(settings.ack.templates_dir, "notice.txt.j2", "en",
                  {"case_number": case.number, "problems": mail.extra["unknown_commands"],
                   "applied": [c for c in mail.extra.get("commands", []) if c.endswith(": applied")],
                   "support_name": settings.mailbox.support_name})
    out = EmailMessage(policy=SMTP)
    out["From"] = HeaderAddress(one_line(settings.mailbox.support_name, 100), addr_spec=settings.mailbox.support_address)
    out["To"] = parsed.from_.email
    out["Subject"] = one_line(f"[Case {case.number}] Commands not applied", 900)
    out["Date"] = format_datetime(utcnow())
    out["Message-ID"] = f"<{message_id}>"
    if _safe_id(parsed.message_id):
        out["In-Reply-To"] = f"<{parsed.message_id}>"
    out["Auto-Submitted"] = "auto-replied"
    out["X-Auto-Response-Suppress"] = "All"
    out[OWN_MAIL_HEADER] = case.number or ""
    out.set_content(text)
    ctx.session.add(Outgoing(message_id=message_id, case_id=case.id, kind="notice",
                             reply_to_pk=mail.message.id if mail.message else None,
                             mail_from=settings.mailbox.support_address, rcpt_to=parsed.from_.email,
                             subject=str(out["Subject"]), raw=out.as_bytes(), next_attempt_at=utcnow()))
    mail.note("acknowledge", f"notice queued <{message_id}>: {len(mail.extra['unknown_commands'])} problem(s)")
