"""Timestamps customers report ("2025年3月5日 10时17分", "어제 오후 3시"), normalised to UTC.

Placeholder with the agreed signature; the real implementation replaces it.
"""

from __future__ import annotations

from datetime import datetime

from mailbridge.extraction.types import Timestamp


def find_timestamps(text: str, sent_at: datetime | None) -> list[Timestamp]:
    """Timestamps in ``text``; zone-less ones take ``sent_at``'s UTC offset, relative ones
    ("yesterday 3pm") are relative to ``sent_at``'s local date."""
    return []
