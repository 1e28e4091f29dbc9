"""Nothing is lost: a message that fails is kept with its raw bytes and the reason.

``mailbridge quarantine`` lists what is held; ``mailbridge replay`` runs it through the
pipeline again once the cause is fixed. The same raw mail is held once, however often it
is fetched (a resync, a second folder).
"""

from __future__ import annotations

import hashlib
import traceback
from typing import Iterator

from sqlmodel import Session, select

from mailbridge.errors import UnprocessableError
from mailbridge.extraction.redaction import redact
from mailbridge.models import Quarantined, utcnow
from mailbridge.work import FetchedMail


def describe(exc: BaseException) -> str:
    """A one-line reason an operator can act on: what failed and where in our code."""
    if isinstance(exc, UnprocessableError):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames)
                  if "/mailbridge/" in f.filename), "")
    return f"{type(exc).__name__}: {exc}" + (f" (at {where})" if where else "")


def without_secrets(raw: bytes) -> bytes:
    """``raw`` with any secret visible in its bytes redacted, every other byte kept.

    A quarantined mail has not been through the extract step, yet nothing mailbridge keeps
    may hold a seed phrase. Secrets inside base64 parts are not visible here; the pipeline
    passes a redacted copy when extraction already found them.
    """
    text = raw.decode("utf-8", "surrogateescape")
    redacted, kinds = redact(text)
    return redacted.encode("utf-8", "surrogateescape") if kinds else raw


def hold(session: Session, fetched: FetchedMail, reason: str, message_id: str | None = None,
         stored_raw: bytes | None = None) -> bool:
    """Keep ``fetched`` (or ``stored_raw``, a redacted stand-in) with ``reason``; False when
    the same bytes are already held."""
    digest = hashlib.sha256(fetched.raw).hexdigest()
    existing = session.exec(select(Quarantined).where(Quarantined.sha256 == digest)).first()
    if existing is not None:
        if existing.status == "held":
            existing.reason = reason
            session.add(existing)
        return False
    session.add(Quarantined(source=fetched.source, folder=fetched.folder, imap_uid=fetched.imap_uid,
                            uidvalidity=fetched.uidvalidity, message_id=message_id, reason=reason[:2000],
                            raw=without_secrets(fetched.raw if stored_raw is None else stored_raw),
                            sha256=digest))
    return True


def held(session: Session, ids: list[int] | None = None) -> Iterator[tuple[Quarantined, FetchedMail]]:
    query = select(Quarantined).where(Quarantined.status == "held").order_by(Quarantined.id)
    if ids:
        query = query.where(Quarantined.id.in_(ids))  # type: ignore[union-attr]
    for row in session.exec(query).all():
        yield row, FetchedMail(raw=row.raw, source=f"replay:quarantine/{row.id}", folder=row.folder,
                               imap_uid=row.imap_uid, uidvalidity=row.uidvalidity)


def mark_replayed(row: Quarantined) -> None:
    row.status, row.replayed_at = "replayed", utcnow()
