"""Extraction: the facts staff act on, pulled out of a customer's mail, and the secrets that
must never be kept.

One pure function, :func:`extract`; the pipeline's ``extract`` step calls it. The order of
work matters:

1. secrets are redacted first (``redaction.redact``), so a private key can never come back as a
   transaction id and nothing downstream sees one;
2. text is NFKC-normalised and ids broken by mail clients are rejoined (``normalise``);
3. new text is split from quoted history (``quotes``): only the new text's entities are this
   message's own, the quoted ones go to ``Extraction.quoted``;
4. noise that looks like ids (links, data URIs, Message-IDs, file names, labelled hashes) is
   masked (``noise``), then entities are found (``entities``), timestamps by
   ``timestamps.find_timestamps``, then language and category.

Example::

    >>> from mailbridge.extraction import extract
    >>> x = extract("充值未到账", "我的UID：12345678，交易哈希 4747a61da5bcf45d0474a9b0d3a3e8ba0a3019a0a18240d1af0f0bde5c42920d USDT-TRC20")
    >>> x.entities.account_uids, x.entities.tx_ids[0].chain, x.language, x.category
    (['12345678'], 'tron', 'zh-Hans', 'deposit')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Sequence

from mailbridge.extraction.category import CategoryRules, categorise
from mailbridge.extraction.entities import find_entities, find_in_names, merge
from mailbridge.extraction.identifiers import LabelRules
from mailbridge.extraction.language import detect_language
from mailbridge.extraction.noise import mask_noise
from mailbridge.extraction.normalise import normalise, rejoin_split_ids
from mailbridge.extraction.quotes import split_quoted
from mailbridge.extraction.redaction import redact
from mailbridge.extraction.timestamps import find_timestamps
from mailbridge.extraction.types import (
    DEFAULT_RULES,
    Amount,
    Entities,
    Extraction,
    ExtractionRules,
    Timestamp,
    TxId,
    WalletAddress,
)

__all__ = [
    "DEFAULT_RULES", "Amount", "Entities", "Extraction", "ExtractionRules", "Timestamp", "TxId",
    "WalletAddress", "extract",
]


def extract(
    subject: str,
    text: str,
    *,
    attachment_names: Sequence[str] = (),
    sent_at: datetime | None = None,
    rules: ExtractionRules = DEFAULT_RULES,
) -> Extraction:
    """Everything staff need from one message; see the module docstring for the order of work.

    ``text`` is the body as text (HTML already converted); ``sent_at`` is the Date header,
    used to resolve zone-less and relative timestamps.
    """
    compiled = _compile(rules)
    subject_redacted, subject_secrets = redact(subject)
    text_redacted, text_secrets = redact(text)

    new_text, history = split_quoted(normalise(text_redacted))
    head = mask_noise(normalise(" ".join(subject_redacted.split())))
    body = mask_noise(rejoin_split_ids(new_text))

    entities = find_entities(body.after(head), compiled.labels)
    if attachment_names:
        merge(entities, find_in_names(attachment_names, compiled.labels))
    entities.timestamps = find_timestamps(body.text, sent_at)

    # Quoted history keeps what helps threading (ids, UIDs, orders, addresses); its amounts and
    # times are not looked for: they are not this message's facts and cost time on long threads.
    quoted = Entities()
    if history.strip():
        quoted = find_entities(mask_noise(rejoin_split_ids(history)), compiled.labels, amounts=False)

    category, urgent = categorise(head.text, body.text, compiled.category)
    return Extraction(
        entities=entities,
        quoted=quoted,
        secrets=list(dict.fromkeys(subject_secrets + text_secrets)),
        language=detect_language(head.text + "\n" + body.text),
        category=category,
        urgent=urgent,
        redacted_subject=subject_redacted,
        redacted_text=text_redacted,
    )


@dataclass(frozen=True, slots=True)
class _Compiled:
    labels: LabelRules
    category: CategoryRules


def _compile(rules: ExtractionRules) -> _Compiled:
    """Compiled matchers for ``rules``; built once per distinct rule set."""
    if rules is DEFAULT_RULES:
        return _compile_default()  # the common case skips building the key
    return _compile_key(_key(rules))


@cache
def _compile_default() -> _Compiled:
    return _compile_key(_key(DEFAULT_RULES))


def _key(rules: ExtractionRules) -> tuple:
    # ExtractionRules holds a Mapping, so it is not hashable; this tuple is.
    keywords = tuple(sorted((c, tuple(words)) for c, words in rules.category_keywords.items()))
    return (rules.account_uid_pattern, tuple(rules.account_uid_labels), rules.order_id_pattern,
            tuple(rules.order_id_labels), keywords, tuple(rules.urgent_categories))


@lru_cache(maxsize=32)
def _compile_key(key: tuple) -> _Compiled:
    uid_pattern, uid_labels, order_pattern, order_labels, keywords, urgent = key
    return _Compiled(
        labels=LabelRules.build(uid_pattern, uid_labels, order_pattern, order_labels),
        category=CategoryRules.build(dict(keywords), urgent),
    )
