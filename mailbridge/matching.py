"""Lookups that find the case a message belongs to; ``steps/follow_up.py`` applies them in
order and decides whether the sender may join.

Each function answers one question against the database and returns a :class:`Match`
(or None), so the rules can be tested and benchmarked one at a time
(``benchmarks/notmuch_threads.py`` runs :func:`by_headers` alone).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from functools import lru_cache

from sqlmodel import Session, select

from mailbridge import msgids
from mailbridge.extraction.types import Entities
from mailbridge.models import Case, Identifier, Message, Outgoing
from mailbridge.settings import Settings
from mailbridge.work import ParsedMail

SOFT_KINDS = ("tx_id", "order_id", "account_uid")  # most specific first


@dataclass(frozen=True, slots=True)
class Match:
    case: Case
    reason: str  # "in-reply-to" | "references" | "subject tag" | "soft: shared tx_id" | "bounce of <id>"
    ours: bool = False  # reached through a Message-ID we sent (ack, notice): proves a robot answers *us*


@lru_cache(maxsize=8)
def tag_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}(\d{{1,12}})(?!\d)", re.IGNORECASE)


def case_numbers_in(subject: str, settings: Settings) -> list[str]:
    """Case numbers anywhere in ``subject``, canonical (``mb-123``, ``ＭＢ－１２３`` -> ``MB-000123``).
    Reply prefixes of any language sit in front and do not matter."""
    text = unicodedata.normalize("NFKC", subject)
    found = tag_pattern(settings.cases.number_prefix).findall(text)
    return list(dict.fromkeys(settings.cases.number(int(n)) for n in found))


def by_headers(session: Session, parsed: ParsedMail, settings: Settings,
               forged: list[str] | None = None) -> Match | None:
    """The case of the most recent known message this one replies to (In-Reply-To first).

    Known: any stored message with a case, anything in our outbox, and any Message-ID that
    carries our keyed hash (even if the outbox row is gone). A reference shaped like ours
    whose hash fails is appended to ``forged`` and ignored.
    """
    candidates = [(i, "in-reply-to") for i in parsed.in_reply_to] + \
                 [(r, "references") for r in reversed(parsed.references)]
    if not candidates:
        return None
    ids = list(dict.fromkeys(i for i, _ in candidates))
    owners = dict(session.exec(select(Message.message_id, Message.case_id)
                               .where(Message.message_id.in_(ids), Message.case_id.is_not(None))).all())  # type: ignore[union-attr,attr-defined]
    sent = dict(session.exec(select(Outgoing.message_id, Outgoing.case_id)
                             .where(Outgoing.message_id.in_(ids), Outgoing.case_id.is_not(None))).all())  # type: ignore[union-attr,attr-defined]
    domain = msgids.domain_of(settings)
    for message_id, reason in candidates:
        case_id = owners.get(message_id) or sent.get(message_id)
        if case_id is not None and (case := session.get(Case, case_id)) is not None:
            return Match(case, reason, ours=message_id in sent)
        if msgids.looks_ours(message_id, domain):
            number = msgids.verify(message_id, msgids.signing_key(settings, session), domain)
            case = session.exec(select(Case).where(Case.number == number)).first() if number else None
            if case is not None:
                return Match(case, reason, ours=True)
            if number is None and forged is not None and message_id not in forged:
                forged.append(message_id)
    return None


def by_subject(session: Session, parsed: ParsedMail, settings: Settings) -> Match | None:
    for number in case_numbers_in(parsed.subject, settings):
        case = session.exec(select(Case).where(Case.number == number)).first()
        if case is not None:
            return Match(case, "subject tag")
    return None


def by_bounce(session: Session, raw: bytes, settings: Settings) -> tuple[Match, Outgoing] | None:
    """A bounce of one of our mails: our Message-ID inside the returned headers or message.

    DSNs attach the original as ``message/rfc822`` or ``text/rfc822-headers``; some MTAs
    paste it into the text. Only IDs in our outbox count: the row is what gets marked.
    """
    domain = msgids.domain_of(settings)
    text = _attached_text(raw)
    for message_id in dict.fromkeys(msgids.find_in(text, domain)):
        sent = session.exec(select(Outgoing).where(Outgoing.message_id == message_id)).first()
        if sent is not None and sent.case_id is not None and (case := session.get(Case, sent.case_id)):
            return Match(case, f"bounce of <{message_id}>", ours=True), sent
    return None


def _attached_text(raw: bytes) -> str:
    """The raw mail plus every decoded leaf part, as text to search for our Message-IDs.

    Our IDs are ASCII, so the raw bytes show them unless a part is base64/QP-encoded; the
    decoded leaves cover that. Nothing is re-serialised: the stdlib folds an 8-bit header in
    quadratic time (``Message.as_string()`` took 30 s on an 87 KB hostile "bounce").
    """
    texts = [raw.decode("latin-1")]
    try:
        msg = message_from_bytes(raw, policy=policy.compat32)
        texts += [(part.get_payload(decode=True) or b"").decode("latin-1")
                  for part in msg.walk() if not part.is_multipart()]
    except Exception:  # noqa: BLE001 - a broken bounce is still searched as raw bytes
        pass
    return "\n".join(texts)


def by_identifiers(session: Session, sender: str, entities: Entities, quoted: Entities,
                   since: datetime) -> Match | None:
    """Soft match: one of ``sender``'s open cases, updated since ``since``, that shares a
    TxID, order number or account UID with this mail.

    Compared at the most specific kind both sides have: a mail with a new TxID is a new
    problem even when it repeats the customer's UID (every mail of theirs carries it).
    """
    mine = {"tx_id": {t.value for t in [*entities.tx_ids, *quoted.tx_ids]},
            "order_id": set(entities.order_ids) | set(quoted.order_ids),
            "account_uid": set(entities.account_uids) | set(quoted.account_uids)}
    if not any(mine.values()):
        return None
    cases = session.exec(select(Case).where(Case.customer_email == sender, Case.status.in_(("open", "waiting")),  # type: ignore[attr-defined]
                                            Case.updated_at >= since).order_by(Case.updated_at.desc())).all()  # type: ignore[union-attr,attr-defined]
    if not cases:
        return None
    theirs: dict[int, dict[str, set[str]]] = {c.id: {k: set() for k in SOFT_KINDS} for c in cases if c.id}
    rows = session.exec(select(Identifier.case_id, Identifier.kind, Identifier.value)
                        .where(Identifier.case_id.in_(list(theirs)), Identifier.kind.in_(SOFT_KINDS))).all()  # type: ignore[union-attr,attr-defined]
    for case_id, kind, value in rows:
        theirs[case_id][kind].add(value)
    for case in cases:
        for kind in SOFT_KINDS:
            if mine[kind] and theirs[case.id][kind]:
                if mine[kind] & theirs[case.id][kind]:
                    return Match(case, f"soft: shared {kind}")
                break  # both name this kind and differ: another problem
    return None


def window_start(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)
