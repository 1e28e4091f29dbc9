"""All table models in one module (SQLModel's advice): cases, messages, identifiers,
attachments, mailbox checkpoints, the outbox and the quarantine.

Portable types only (no SQLite- or PostgreSQL-specific SQL): JSON columns for small lists,
LargeBinary for raw mail, timezone-aware timestamps stored as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, LargeBinary, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _json(default: Any = list) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _when(**kw: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kw), default=None)


class Case(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    number: Optional[str] = Field(default=None, unique=True, index=True)  # MB-000123, set right after insert
    status: str = Field(default="open", index=True)  # open | waiting | resolved
    customer_email: str = Field(index=True)
    customer_name: str = ""
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    language: str = "en"
    category: str = "other"
    urgent: bool = False
    priority: str = "normal"
    assignee: str = ""
    resend_count: int = 0
    participants: list[str] = _json()  # addresses that took part (customer, Cc'd people)
    mailbox: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    resolved_at: Optional[datetime] = _when()  # set by "#status resolved"; bounds the reopen period
    linked_case_id: Optional[int] = Field(default=None, foreign_key="case.id")  # the resolved case this follows up
    bounced: bool = False  # an ack to the customer bounced: the address may be wrong


class Message(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=Column(Text, nullable=False, unique=True, index=True))
    message_id_derived: bool = False
    case_id: Optional[int] = Field(default=None, foreign_key="case.id", index=True)
    direction: str = "inbound"  # inbound | staff | note | automated | ack
    from_email: str = Field(default="", index=True)
    from_name: str = ""
    to_addrs: list[str] = _json()
    cc_addrs: list[str] = _json()
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    sent_at: Optional[datetime] = _when()
    received_at: Optional[datetime] = _when()
    in_reply_to: list[str] = _json()
    refs: list[str] = _json()
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False))  # redacted
    raw: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))  # redacted when secrets were found
    raw_size: int = 0
    entities: dict[str, Any] = _json(dict)
    quoted_entities: dict[str, Any] = _json(dict)
    secrets: list[str] = _json()
    language: str = ""
    category: str = ""
    thread_reason: str = ""
    duplicate_of: Optional[str] = Field(default=None, sa_column=Column(Text))
    fingerprint: str = Field(default="", index=True)  # normalised content + sender, for resend detection
    is_automated: bool = False
    automated_reason: str = ""
    mentions_case: Optional[str] = None
    ack_skipped_reason: str = ""
    flags: list[str] = _json()  # what staff should look at: spoofed staff, forged reference, bounce...
    commands: list[str] = _json()  # "#status resolved: applied" — staff commands in an internal note
    trail: list[list[str]] = _json()
    defects: list[str] = _json()
    folder: str = ""
    imap_uid: Optional[int] = None
    uidvalidity: Optional[int] = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class Identifier(SQLModel, table=True):
    """One extracted identifier, for lookups by TxID, account UID, address or order number."""

    id: Optional[int] = Field(default=None, primary_key=True)
    message_pk: int = Field(foreign_key="message.id", index=True)
    case_id: Optional[int] = Field(default=None, foreign_key="case.id", index=True)
    kind: str = Field(index=True)  # account_uid | tx_id | address | order_id
    value: str = Field(index=True)
    chain: str = ""
    quoted: bool = False  # found in quoted history, not in the new text


class Attachment(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    message_pk: int = Field(foreign_key="message.id", index=True)
    filename: str = Field(sa_column=Column(Text, nullable=False))  # as the sender named it (display only)
    stored_path: str = ""  # relative to storage.attachments_dir; empty when refused
    content_type: str = ""
    size: int = 0
    sha256: str = ""
    refused_reason: str = ""


class MailboxState(SQLModel, table=True):
    """The IMAP checkpoint: advanced only in the transaction that stored the messages."""

    __table_args__ = (UniqueConstraint("account", "folder"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    folder: str
    uidvalidity: int
    last_uid: int = 0
    # when this checkpoint was first created: with start_from = "now", mail received before
    # it is the backlog and is never imported, not even by a UIDVALIDITY resync
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    resync_upto: int = 0  # after a UIDVALIDITY change: UIDs up to here are re-scanned existing mail
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class Outgoing(SQLModel, table=True):
    """The outbox: a fully rendered mail, written with the case, sent after commit."""

    id: Optional[int] = Field(default=None, primary_key=True)
    message_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    case_id: Optional[int] = Field(default=None, foreign_key="case.id", index=True)
    reply_to_pk: Optional[int] = Field(default=None, foreign_key="message.id")
    kind: str = "ack"  # ack | notice
    mail_from: str = ""
    rcpt_to: str = Field(index=True)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    raw: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="pending", index=True)  # pending | sent | failed
    attempts: int = 0
    next_attempt_at: Optional[datetime] = _when()
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    sent_at: Optional[datetime] = _when()


class KeyValue(SQLModel, table=True):
    """Small values mailbridge generates once and must keep across restarts (the fallback
    key that signs our outgoing Message-IDs when ``mailbox.signing_key`` is not set)."""

    name: str = Field(primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class Quarantined(SQLModel, table=True):
    """A message that could not be processed: raw bytes and the reason, for replay."""

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = ""
    folder: str = ""
    imap_uid: Optional[int] = None
    uidvalidity: Optional[int] = None
    message_id: Optional[str] = Field(default=None, sa_column=Column(Text))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    raw: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(default="", index=True)  # of the raw bytes: the same mail is held once
    status: str = Field(default="held", index=True)  # held | replayed
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    replayed_at: Optional[datetime] = _when()
