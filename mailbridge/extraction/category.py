"""Category (deposit, withdrawal, account, kyc, security, api, trading, other) and urgency,
from the keyword rules in ``data/categories.toml`` plus the operator's ``category_keywords``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from mailbridge.extraction.wordtrie import trie_pattern

_DATA = tomllib.loads((Path(__file__).parent / "data" / "categories.toml").read_text(encoding="utf-8"))
ORDER: tuple[str, ...] = tuple(_DATA["order"])
_OVERRIDING: frozenset[str] = frozenset(_DATA.get("overriding", ()))
BUILTIN_URGENT: frozenset[str] = frozenset(c for c in ORDER if _DATA.get(c, {}).get("urgent", False))
_RANK = {c: i for i, c in enumerate(ORDER)}  # earlier in ORDER wins a tie
_OVERRIDING_IN_ORDER = tuple(c for c in ORDER if c in _OVERRIDING)


def builtin_keywords() -> dict[str, list[str]]:
    """category -> keywords of every language, as shipped."""
    return {c: [w for lang, words in _DATA.get(c, {}).items() if isinstance(words, list) for w in words]
            for c in ORDER}


@dataclass(frozen=True, slots=True)
class CategoryRules:
    latin: re.Pattern[str]
    cjk: re.Pattern[str]
    category_of: dict[str, str]  # lower-cased keyword -> category
    urgent: frozenset[str]

    @classmethod
    def build(cls, extra: Mapping[str, tuple[str, ...]], urgent: tuple[str, ...]) -> "CategoryRules":
        keywords = builtin_keywords()
        for category, words in extra.items():
            keywords.setdefault(category, []).extend(words)
        category_of: dict[str, str] = {}
        for category in keywords:  # earlier categories keep a keyword listed twice
            for word in keywords[category]:
                category_of.setdefault(_key(word), category)
        every = {w.lower() for ws in keywords.values() for w in ws}
        latin = [w for w in every if w.isascii()]
        cjk = [w for w in every if not w.isascii()]
        # Two patterns: one alternation of ASCII and CJK first characters defeats the regex
        # engine's fast scan and costs three times as much.
        return cls(re.compile(trie_pattern(latin, not_after="a-z0-9")), re.compile(trie_pattern(cjk)), category_of,
                   BUILTIN_URGENT | frozenset(urgent))


_KEY_DROP = re.compile(r"[\s_\-]+")


def _key(word: str) -> str:
    """"log in", "log-in" and "login" are one keyword."""
    return _KEY_DROP.sub("", word.lower())


def categorise(subject: str, text: str, rules: CategoryRules) -> tuple[str, bool]:
    """(category, urgent) for a message; ``subject`` hits count double."""
    scores: dict[str, int] = {}
    _score(subject.lower(), rules, 2, scores)
    _score(text.lower(), rules, 1, scores)
    category = _winner(scores)
    return category, category in rules.urgent


def _score(text: str, rules: CategoryRules, weight: int, scores: dict[str, int]) -> None:
    # Latin keywords start a word ("api" is not in "rapid", checked by the pattern) and may end
    # inside one ("deposit" counts in "deposited").
    for m in rules.latin.finditer(text):
        _add(rules, m.group(0), weight, scores)
    if not text.isascii():
        for m in rules.cjk.finditer(text):
            _add(rules, m.group(0), weight, scores)


def _add(rules: CategoryRules, word: str, weight: int, scores: dict[str, int]) -> None:
    category = rules.category_of.get(word) or rules.category_of.get(_key(word))
    if category is not None:
        scores[category] = scores.get(category, 0) + weight


def _winner(scores: dict[str, int]) -> str:
    if not scores:
        return "other"
    for category in _OVERRIDING_IN_ORDER:
        if scores.get(category):
            return category
    return max(scores, key=lambda c: (scores[c], -_RANK.get(c, len(_RANK))))
