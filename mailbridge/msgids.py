"""Verifiable Message-IDs for the mail we send.

Every acknowledgement and notice carries ``mb.<CASE>.<nonce>.<mac>@<support domain>``,
where ``mac`` is a keyed hash (HMAC-SHA256) of the case number and the nonce. A reply
that cites one of these is tied to its case even when the outbox row is gone (a restored
database), and a reference that *looks* like ours but whose hash does not verify is a
forgery: someone typed "our" Message-ID to get into a case (issue 4).

The key comes from ``mailbox.signing_key`` (or its ``_env``/``_file`` forms); without
one, a random key is generated once and kept in the database, so it survives restarts.

>>> mid = make("MB-000001", b"k", "exchange.example", nonce="00ff")
>>> mid
'mb.MB-000001.00ff.420c175afb7784ea@exchange.example'
>>> verify(mid, b"k", "exchange.example")
'MB-000001'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlmodel import Session

from mailbridge.models import KeyValue
from mailbridge.settings import Settings

KEY_NAME = "message_id_signing_key"
_OURS = re.compile(r"mb\.(?P<case>[A-Za-z0-9-]{1,40})\.(?P<nonce>[0-9a-f]{4,32})(?:\.(?P<mac>[0-9a-f]{16}))?"
                   r"@(?P<domain>[^@\s>]+)", re.IGNORECASE)


def _mac(key: bytes, case: str, nonce: str) -> str:
    return hmac.new(key, f"{case}.{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


def make(case: str, key: bytes, domain: str, nonce: str | None = None) -> str:
    """A new Message-ID (without angle brackets) for a mail about ``case``."""
    nonce = nonce or secrets.token_hex(8)
    return f"mb.{case}.{nonce}.{_mac(key, case, nonce)}@{domain}"


def looks_ours(message_id: str, domain: str) -> bool:
    """Shaped like one of our Message-IDs at our domain (verified or not)."""
    m = _OURS.fullmatch(message_id)
    return m is not None and m["domain"].lower() == domain.lower()


def verify(message_id: str, key: bytes, domain: str) -> str | None:
    """The case number a genuine Message-ID of ours names, else None (not ours, or forged).

    IDs written before the keyed hash existed (``mb.<CASE>.<nonce>@``) carry no mac and never
    verify; the database still knows them (``Outgoing.message_id``).
    """
    m = _OURS.fullmatch(message_id)
    if m is None or m["mac"] is None or m["domain"].lower() != domain.lower():
        return None
    return m["case"] if hmac.compare_digest(m["mac"].lower(), _mac(key, m["case"], m["nonce"].lower())) else None


def find_in(text: str, domain: str) -> list[str]:
    """Every Message-ID shaped like ours in ``text`` (a bounce's attached headers, say)."""
    return [m.group(0) for m in _OURS.finditer(text) if m["domain"].lower() == domain.lower()]


def domain_of(settings: Settings) -> str:
    return settings.mailbox.support_address.rpartition("@")[2]


def signing_key(settings: Settings, session: Session) -> bytes:
    """The configured key, else the one kept in the database (created on first use).

    A generated key is written in the caller's transaction: if that rolls back, the next
    message generates another, and nothing was signed with the lost one.
    """
    configured = settings.mailbox.signing_key.get_secret_value()
    if configured:
        return configured.encode()
    row = session.get(KeyValue, KEY_NAME)
    if row is None:
        row = KeyValue(name=KEY_NAME, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return row.value.encode()
