"""Dedupe: a message already stored is never stored or acknowledged again, and a resend
is recognised as one.

1. The Message-ID (or the hash-derived one when the sender gave none) is the first, cheap
   check: it catches redelivery, the same mail seen through a second folder, and everything
   a UIDVALIDITY resync fetches again. Such a copy is skipped, not stored.
2. Our own outgoing mail coming back (a Bcc to ourselves, a list that echoes, a forwarder):
   its Message-ID is in the outbox or carries our keyed hash. Skipped.
3. A resend with a new Message-ID: same sender, same normalised content
   (``mailbridge.fingerprint``) within ``threading.resend_window_days``. It is stored —
   staff want to see "customer resent 3 times" — flagged ``duplicate_of`` the original,
   put on the original's case, counted in ``Case.resend_count`` and never acknowledged.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from mailbridge import msgids
from mailbridge.errors import SkipRest
from mailbridge.fingerprint import fingerprint
from mailbridge.models import Case, Message, Outgoing, utcnow
from mailbridge.matching import tag_pattern
from mailbridge.work import InboundMail


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    parsed = mail.parsed
    assert parsed is not None
    message_id = parsed.message_id
    session, settings = ctx.session, ctx.settings
    if session.exec(select(Message.id).where(Message.message_id == message_id)).first() is not None:
        ctx.summary.duplicates += 1
        raise SkipRest(f"already stored: <{message_id}>")
    if session.exec(select(Outgoing.id).where(Outgoing.message_id == message_id)).first() is not None:
        raise SkipRest(f"our own outgoing mail came back: <{message_id}>")
    domain = msgids.domain_of(settings)
    if msgids.looks_ours(message_id, domain) and msgids.verify(message_id, msgids.signing_key(settings, session),
                                                               domain):
        raise SkipRest(f"our own mail came back (signed Message-ID): <{message_id}>")
    if mail.direction != "inbound" or mail.is_automated:
        mail.note("dedupe", "new Message-ID")
        return
    sender = parsed.from_.email if parsed.from_ else ""
    text = mail.extraction.redacted_text if mail.extraction and mail.extraction.redacted_text else parsed.text
    fp = fingerprint(sender, parsed.subject, text, tag_pattern(settings.cases.number_prefix))
    mail.extra["fingerprint"] = fp
    window = settings.threading.resend_window_days
    original = find_original(session, fp, sender, mail, window) if fp and window > 0 else None
    if original is None:
        mail.note("dedupe", "new Message-ID, new content")
        return
    case = session.get(Case, original.case_id)
    assert case is not None
    mail.duplicate_of = original.duplicate_of or original.message_id
    mail.case, mail.thread_reason = case, "resend"
    case.resend_count += 1
    session.add(case)
    ctx.summary.duplicates += 1
    mail.note("dedupe", f"resend of <{mail.duplicate_of}> on {case.number} (resend #{case.resend_count})")


def find_original(session, fp: str, sender: str, mail: InboundMail, window_days: float) -> Message | None:  # noqa: ANN001
    """The earliest message with this fingerprint from this sender inside the window."""
    now = mail.fetched.received_at or utcnow()
    cutoff = now - timedelta(days=window_days)
    rows = session.exec(select(Message).where(Message.fingerprint == fp, Message.from_email == sender,
                                              Message.case_id.is_not(None))  # type: ignore[union-attr]
                        .order_by(Message.id)).all()
    for row in rows:
        if (row.received_at or row.created_at) >= cutoff:
            return row
    return None
