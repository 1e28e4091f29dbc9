"""Store: the message row, its identifiers and attachments, in the batch's transaction.

What is stored is what may be shown: the text and subject with secrets already redacted,
and — when a secret was found — a rebuilt raw copy instead of the original bytes, so the
audit copy never holds a seed phrase. Statements per message are kept few (one message
row, identifier and attachment rows added in bulk) because storage, not parsing, is
what made peer helpdesks slow (parsing.md).
"""

from __future__ import annotations

import hashlib
import html as htmllib
import logging
import re
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from mailbridge.attachments import save_attachment
from mailbridge.extraction import redact
from mailbridge.extraction.types import Entities, Extraction
from mailbridge.models import Attachment, Identifier, Message
from mailbridge.work import InboundMail, ParsedMail

log = logging.getLogger("mailbridge.store")

_SKIP_ON_REBUILD = {"content-type", "content-transfer-encoding", "mime-version", "subject", "content-disposition"}


_TAG = re.compile(r"<[^>]*>")
_SCANNED_ATTACHMENT_BYTES = 2_000_000  # text attachments up to this size are searched for secrets


def hidden_secrets(parsed: ParsedMail) -> tuple[list[str], dict[int, bytes]]:
    """Secrets where ``extract`` does not look: an HTML alternative (when a text part exists,
    only the text is extracted; "see the HTML version" plus a seed phrase in the HTML was
    stored verbatim) and text attachments (``wallet.txt``). Returns the kinds found and,
    by attachment index, the redacted payloads to save instead."""
    kinds: set[str] = set()
    if parsed.html:
        kinds.update(redact(htmllib.unescape(_TAG.sub(" ", parsed.html)))[1])
    payloads: dict[int, bytes] = {}
    for index, part in enumerate(parsed.attachments):
        if (part.payload is not None and part.content_type.startswith(("text/", "application/json"))
                and part.size <= _SCANNED_ATTACHMENT_BYTES):
            text, found = redact(part.payload.decode("utf-8", "replace"))
            if found:
                kinds.update(found)
                payloads[index] = text.encode("utf-8")
    return sorted(kinds), payloads


def redacted_raw(parsed: ParsedMail, extraction: Extraction, kinds: list[str] | None = None) -> bytes:
    """A plain-text stand-in for a message that carried secrets: headers, redacted subject
    and text. Attachments are stored separately and not repeated here."""
    out = EmailMessage(policy=SMTP)
    for name, values in parsed.headers.items():
        if name in _SKIP_ON_REBUILD:
            continue
        for value in values:
            try:
                out[name] = _one_line(value)
            except (ValueError, TypeError):
                continue  # a header the stdlib refuses to re-serialise is not worth a crash
    out["Subject"] = _one_line(extraction.redacted_subject)
    out["X-Mailbridge-Redacted"] = ", ".join(kinds if kinds is not None else extraction.secrets)
    out.set_content(extraction.redacted_text or "")
    return out.as_bytes()


def _one_line(value: str) -> str:
    return " ".join(value.split())


def identifier_rows(entities: Entities, *, quoted: bool) -> list[Identifier]:
    rows = [Identifier(kind="account_uid", value=v, quoted=quoted, message_pk=0) for v in entities.account_uids]
    rows += [Identifier(kind="tx_id", value=t.value, chain=t.chain, quoted=quoted, message_pk=0) for t in entities.tx_ids]
    rows += [Identifier(kind="address", value=a.value, chain=a.chain, quoted=quoted, message_pk=0)
             for a in entities.addresses]
    rows += [Identifier(kind="order_id", value=v, quoted=quoted, message_pk=0) for v in entities.order_ids]
    return rows


def _attachment_rows(parsed: ParsedMail, root: Path, written: list[Path], cut_at: int | None = None,
                     redacted: dict[int, bytes] | None = None) -> list[Attachment]:
    """Rows for the message's attachments, saving those that are allowed. ``written`` gets
    each file's path as it is written (the pipeline removes them if the rows are rolled back).
    ``cut_at``: the message was truncated there, so its last attachment is incomplete and not
    saved. ``redacted``: payloads to save instead of the original (secrets removed)."""
    folder = hashlib.sha256(parsed.message_id.encode("utf-8", "replace")).hexdigest()[:16]
    resolved_root = root.resolve()
    rows = []
    for index, part in enumerate(parsed.attachments):
        row = Attachment(message_pk=0, filename=part.filename[:1000], content_type=part.content_type[:200],
                         size=part.size, refused_reason=part.refused_reason)
        if cut_at and index == len(parsed.attachments) - 1 and not part.refused_reason:
            row.refused_reason = f"incomplete: the message was truncated at {cut_at} bytes"
        elif part.payload is not None:
            payload = (redacted or {}).get(index, part.payload)
            row.sha256 = hashlib.sha256(payload).hexdigest()
            stored = save_attachment(root, folder, part.filename, payload)
            written.append(resolved_root / stored)
            row.stored_path = str(stored)
        rows.append(row)
    return rows


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    parsed, extraction = mail.parsed, mail.extraction
    assert parsed is not None and extraction is not None
    fetched = mail.fetched
    hidden, redacted_payloads = hidden_secrets(parsed)
    secrets = sorted({*extraction.secrets, *hidden})
    raw = redacted_raw(parsed, extraction, secrets) if secrets else fetched.raw
    defects = list(parsed.defects)
    if fetched.truncated_from:  # over storage.max_message_bytes: only the first part was fetched
        defects.append(f"truncated: {fetched.truncated_from} bytes on the server, first {len(fetched.raw)} "
                       "kept (storage.max_message_bytes)")
    message = Message(
        message_id=parsed.message_id, message_id_derived=parsed.message_id_derived,
        case_id=mail.case.id if mail.case else None, direction=mail.direction,
        from_email=parsed.from_.email if parsed.from_ else "", from_name=parsed.from_.name if parsed.from_ else "",
        to_addrs=[a.email for a in parsed.to], cc_addrs=[a.email for a in parsed.cc],
        subject=extraction.redacted_subject, sent_at=parsed.sent_at, received_at=fetched.received_at,
        in_reply_to=parsed.in_reply_to, refs=parsed.references, body_text=extraction.redacted_text,
        raw=raw, raw_size=fetched.truncated_from or len(fetched.raw), entities=extraction.entities.to_json(),
        quoted_entities=extraction.quoted.to_json(), secrets=secrets,
        language=extraction.language, category=extraction.category, thread_reason=mail.thread_reason,
        duplicate_of=mail.duplicate_of, is_automated=mail.is_automated, automated_reason=mail.automated_reason,
        mentions_case=mail.mentions_case, defects=defects, folder=fetched.folder,
        imap_uid=fetched.imap_uid, uidvalidity=fetched.uidvalidity, fingerprint=mail.extra.get("fingerprint", ""))
    ctx.session.add(message)
    ctx.session.flush()
    children = identifier_rows(extraction.entities, quoted=False) + identifier_rows(extraction.quoted, quoted=True)
    for row in children:
        row.message_pk, row.case_id = message.id, message.case_id
    attachments = _attachment_rows(parsed, Path(ctx.settings.storage.attachments_dir), ctx.written_files,
                                   len(fetched.raw) if fetched.truncated_from else None, redacted_payloads)
    for att in attachments:
        att.message_pk = message.id
    ctx.session.add_all([*children, *attachments])
    if secrets:
        _flag_for_staff(mail, secrets)
    mail.message = message
    mail.note("store", f"message {message.id}")


def _flag_for_staff(mail: InboundMail, secrets: list[str]) -> None:
    """A customer who pasted a seed phrase or key may be losing funds now: the message is
    flagged and the case goes to the top of the queue."""
    mail.extra.setdefault("flags", []).append(f"customer sent a secret ({', '.join(secrets)}); redacted")
    if mail.case is not None:
        mail.case.urgent, mail.case.priority = True, "urgent"


def finish(mail: InboundMail) -> None:
    """Copy the trail decided after ``store`` onto the row (acknowledge runs last)."""
    if mail.message is not None:
        mail.message.trail = [list(t) for t in mail.trail]
        mail.message.ack_skipped_reason = mail.ack_skipped_reason
