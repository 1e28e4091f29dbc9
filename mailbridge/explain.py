"""``mailbridge parse FILE.eml``: everything mailbridge reads from one message, as JSON.

Runs the same pure functions as the pipeline (parse, extract, classify) without a
database; secrets are shown redacted, exactly as they would be stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mailbridge.errors import UnprocessableError
from mailbridge.extraction import extract
from mailbridge.report import iso
from mailbridge.settings import Settings, parse_settings
from mailbridge.steps.classify import robot_reason
from mailbridge.steps.parse import parse_message


def explain_file(path: Path, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or parse_settings({})
    raw = path.read_bytes()
    try:
        parsed = parse_message(raw, max_attachment_bytes=settings.storage.max_attachment_bytes)
    except UnprocessableError as exc:
        return {"file": str(path), "error": str(exc)}
    result = extract(parsed.subject, parsed.text, attachment_names=[a.filename for a in parsed.attachments],
                     sent_at=parsed.sent_at, rules=settings.extract.rules())
    return {
        "file": str(path),
        "message_id": parsed.message_id, "message_id_derived": parsed.message_id_derived,
        "from": parsed.from_.formatted() if parsed.from_ else None,
        "to": [a.formatted() for a in parsed.to], "cc": [a.formatted() for a in parsed.cc],
        "reply_to": [a.formatted() for a in parsed.reply_to],
        "subject": result.redacted_subject, "date": iso(parsed.sent_at),
        "in_reply_to": parsed.in_reply_to, "references": parsed.references,
        "automated": robot_reason(parsed, settings) or None,
        "language": result.language, "category": result.category, "urgent": result.urgent,
        "entities": result.entities.to_json(), "quoted_entities": result.quoted.to_json(),
        "secrets": result.secrets,
        "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "refused_reason": a.refused_reason or None} for a in parsed.attachments],
        "defects": parsed.defects,
        "text": result.redacted_text,
    }
