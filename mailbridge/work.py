"""The item passed between pipeline steps, and the typed pieces it carries.

A fetched message becomes an :class:`InboundMail`; each step reads what earlier steps
filled in and adds its own part. ``trail`` records every step's decision so that
"why was this not acknowledged?" is a query on the stored message, not a log hunt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    from mailbridge.extraction.types import Extraction
    from mailbridge.models import Case, Message


@dataclass(frozen=True, slots=True)
class FetchedMail:
    """One message as the IMAP server gave it to us.

    ``source`` names where it came from (``imap:user@host/INBOX``, ``replay:quarantine/12``)
    so that quarantine and logs can say what and where.
    """

    raw: bytes
    source: str
    folder: str = ""
    imap_uid: int | None = None
    uidvalidity: int | None = None
    received_at: datetime | None = None  # IMAP INTERNALDATE, timezone-aware UTC
    truncated_from: int | None = None  # the server's size when only the first storage.max_message_bytes were fetched


@dataclass(frozen=True, slots=True)
class Address:
    """A mailbox in a header: ``name`` is the decoded display name, ``email`` lower-cased."""

    name: str
    email: str

    def formatted(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True, slots=True)
class AttachmentPart:
    """An attachment found in the message (not yet saved to disk).

    ``payload`` is None when the part was over the size limit; ``refused_reason`` says why.
    """

    filename: str  # as the sender named it, decoded; may be hostile (../, NUL, RTL override)
    content_type: str
    size: int
    payload: bytes | None
    content_id: str = ""
    refused_reason: str = ""


@dataclass(slots=True)
class ParsedMail:
    """Everything the later steps need from the raw message, decoded and typed.

    Text fields are already unfolded and decoded to ``str`` (RFC 2047, charset aliases
    such as gb2312 -> GB18030 applied). ``text`` is the plain-text body, or the HTML body
    converted to text when there is no text part.
    """

    message_id: str  # without angle brackets; derived from a hash of the raw bytes when missing
    message_id_derived: bool
    from_: Address | None
    to: list[Address]
    cc: list[Address]
    reply_to: list[Address]
    subject: str
    sent_at: datetime | None  # Date header, timezone-aware (its own offset kept); None when absent/invalid
    in_reply_to: list[str]  # message ids without angle brackets
    references: list[str]
    text: str
    html: str
    attachments: list[AttachmentPart]
    headers: dict[str, list[str]]  # lower-cased name -> decoded values, in order (robot headers live here)
    defects: list[str] = field(default_factory=list)  # what was wrong but survivable (bad charset, ...)

    def header(self, name: str) -> str:
        """First value of header ``name`` (case-insensitive), or ''."""
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    @property
    def return_path(self) -> str:
        return self.header("return-path").strip().strip("<>").strip()


@dataclass(slots=True)
class InboundMail:
    """The unit of work: one fetched message travelling through ``pipeline.STEPS``."""

    fetched: FetchedMail
    parsed: ParsedMail | None = None
    extraction: Extraction | None = None
    direction: str = "inbound"  # inbound | staff | automated | note
    is_automated: bool = False
    automated_reason: str = ""
    duplicate_of: str | None = None  # Message-ID of the original when this is a resend
    case: Case | None = None
    thread_reason: str = ""  # "new case", "in-reply-to", "references", "subject tag", ...
    mentions_case: str | None = None  # another case's number seen in a stranger's mail
    ack_skipped_reason: str = ""
    message: Message | None = None  # the stored row, once the store step ran
    trail: list[tuple[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def note(self, step: str, decision: str) -> None:
        """Record a step's decision on the trail (stored with the message)."""
        self.trail.append((step, decision))
