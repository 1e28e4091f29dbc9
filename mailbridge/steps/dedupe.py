"""Dedupe: a message already stored is never stored or acknowledged again.

The Message-ID (or the hash-derived one when the sender gave none) is the first, cheap
check: it catches redelivery, the same mail seen through a second folder, and everything
a UIDVALIDITY resync fetches again. Resends with a new Message-ID are a later step's job.
"""

from __future__ import annotations

from sqlmodel import select

from mailbridge.errors import SkipRest
from mailbridge.models import Message, Outgoing
from mailbridge.work import InboundMail


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    assert mail.parsed is not None
    message_id = mail.parsed.message_id
    session = ctx.session
    if session.exec(select(Message.id).where(Message.message_id == message_id)).first() is not None:
        ctx.summary.duplicates += 1
        raise SkipRest(f"already stored: <{message_id}>")
    if session.exec(select(Outgoing.id).where(Outgoing.message_id == message_id)).first() is not None:
        raise SkipRest(f"our own outgoing mail came back: <{message_id}>")
    mail.note("dedupe", "new Message-ID")
