"""TEMPORARY placeholder (lead): replaced by the real extraction core."""
from __future__ import annotations
from mailbridge.extraction.secrets import redact
from mailbridge.extraction.types import DEFAULT_RULES, Extraction


def extract(subject, text, *, attachment_names=(), sent_at=None, rules=DEFAULT_RULES):
    s, k1 = redact(subject)
    t, k2 = redact(text)
    return Extraction(secrets=sorted(set(k1) | set(k2)), redacted_subject=s, redacted_text=t)
