"""Acknowledge: decide whether a message gets an acknowledgement, and put it in the outbox.

The ack is rendered and written to the outbox in the same transaction as the case, so a
crash can never leave a case without its ack or an ack without its case; ``send`` delivers
it after the commit. Only a customer's first mail on a new case is acknowledged: never a
robot (RFC 3834), a duplicate, a follow-up, staff, or our own mail.
"""

from __future__ import annotations

import re
import secrets
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from mailbridge.models import Case, Outgoing, utcnow
from mailbridge.render import render
from mailbridge.settings import Settings
from mailbridge.steps.classify import OWN_MAIL_HEADER
from mailbridge.work import InboundMail

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
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
    if mail.case is None or not mail.thread_reason.startswith("new case"):
        return "follow-up on an existing case"
    if not _ADDRESS.fullmatch(sender):
        return f"no usable sender address ({sender!r})"
    return ""


def one_line(text: str, limit: int = 400) -> str:
    """Header-safe text: no CR/LF or other controls can start a new header line."""
    return _CONTROL.sub(" ", text).strip()[:limit]


def new_message_id(settings: Settings, case: Case) -> str:
    domain = settings.mailbox.support_address.rpartition("@")[2]
    return f"mb.{case.number}.{secrets.token_hex(8)}@{domain}"


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
    reason = skip_reason(mail, ctx.settings)
    if reason:
        mail.ack_skipped_reason = reason
        mail.note("acknowledge", f"skipped: {reason}")
        return
    case = mail.case
    assert case is not None and mail.parsed is not None and mail.parsed.from_ is not None
    message_id = new_message_id(ctx.settings, case)
    composed = compose(ctx.settings, case, mail, message_id)
    ctx.session.add(Outgoing(message_id=message_id, case_id=case.id,
                             reply_to_pk=mail.message.id if mail.message else None, kind="ack",
                             mail_from=ctx.settings.mailbox.support_address, rcpt_to=mail.parsed.from_.email,
                             subject=str(composed["Subject"]), raw=composed.as_bytes(), next_attempt_at=utcnow()))
    ctx.summary.acks_queued += 1
    mail.note("acknowledge", f"queued <{message_id}>")
