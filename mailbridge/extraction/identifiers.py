"""Account UIDs and order numbers: numbers the customer labels as such.

A bare number is never a UID or an order: phone numbers, postal codes, QQ numbers, company
registration numbers look just the same. So a number counts only when a label from
``data/labels.toml`` (or the operator's config) stands right before it, joined by
punctuation or a connecting word ("UID: 12345678", "my account id is 12345678",
"제 UID는 12345678입니다", "ユーザーIDは12345678"). "UID 1234567 and 2345678" gives both.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mailbridge.extraction.wordtrie import trie_pattern

_DATA = tomllib.loads((Path(__file__).parent / "data" / "labels.toml").read_text(encoding="utf-8"))
BUILTIN_UID_LABELS: tuple[str, ...] = tuple(_DATA["account_uid"]["labels"])
BUILTIN_ORDER_LABELS: tuple[str, ...] = tuple(_DATA["order_id"]["labels"])
# "bank account 12345678", "QQ账号 12345678": the word right before the label owns the number.
_EXCLUDE_BEFORE = re.compile(
    "(?:" + "|".join((r"(?<![A-Za-z])" if w.isascii() else "") + re.escape(w.lower())
                     for w in _DATA["exclude"]["before"]) + r")[\s:_\-]{0,3}$",
    re.IGNORECASE,
)

# What may stand between a label and its number: punctuation, "is", "是", "는", "は", "번호"...
_SEP = re.compile(
    r"(?:[\s:：=#.\-_|/()\[\]\"'*>]|is\b|was\b|are\b|是|为|為|は|が|는|은|이|가|번호|号|號|碼|码){0,12}",
    re.IGNORECASE,
)
_LIST_SEP = re.compile(r"[\s]*(?:,|、|/|&|\band\b|\bor\b|和|及|与|與|및|와|과|と|또는|或)[\s]*", re.IGNORECASE)
_BAD_TAIL = re.compile(r"[-.][0-9]")  # 010-1234-5678, 12345678.5: part of something longer
_KEY_DROP = re.compile(r"[\s_\-]+")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, slots=True)
class LabelRules:
    """Compiled label matchers (labels starting with an ASCII letter, and the others: one
    pattern mixing both first-character sets is scanned far slower), then each kind's number
    pattern."""

    labels: tuple[re.Pattern[str], re.Pattern[str]]
    kinds: dict[str, str]  # normalised label -> "uid" | "order"
    numbers: dict[str, re.Pattern[str]]

    @classmethod
    def build(cls, uid_pattern: str, uid_labels: tuple[str, ...],
              order_pattern: str, order_labels: tuple[str, ...]) -> "LabelRules":
        kinds = {_key(label): "uid" for label in BUILTIN_UID_LABELS + uid_labels}
        # Order labels win a tie ("order id" must not read as "id").
        kinds.update({_key(label): "order" for label in BUILTIN_ORDER_LABELS + order_labels})
        words = [w.lower() for w in BUILTIN_UID_LABELS + uid_labels + BUILTIN_ORDER_LABELS + order_labels]
        labels = (re.compile(trie_pattern((w for w in words if w[0].isascii()), not_after="a-z")),  # lower-cased
                  re.compile(trie_pattern(w for w in words if not w[0].isascii())))
        numbers = {
            "uid": re.compile(rf"(?:{uid_pattern})(?![0-9A-Za-z])", re.ASCII),
            "order": re.compile(rf"(?:{order_pattern})(?![0-9A-Za-z])", re.ASCII),
        }
        return cls(labels, kinds, numbers)


def _key(label: str) -> str:
    return _KEY_DROP.sub("", label.lower())


def find_labelled(text: str, rules: LabelRules) -> tuple[list[str], list[str]]:
    """(account UIDs, order numbers) labelled in ``text``, in order of appearance."""
    uids: list[str] = []
    orders: list[str] = []
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer would shift positions
        return _find_labelled_slow(text, rules)
    hits: list[tuple[int, str, list[str]]] = []
    for labels in rules.labels:
        if labels is rules.labels[1] and low.isascii():
            break
        hits += _labelled(text, low, labels, rules)
    hits.sort(key=lambda hit: hit[0])
    for _, kind, values in hits:
        found = uids if kind == "uid" else orders
        found.extend(v for v in values if v not in found)
    return uids, orders


def _labelled(text: str, low: str, labels: re.Pattern[str], rules: LabelRules) -> list[tuple[int, str, list[str]]]:
    """(position, kind, numbers) for each label of ``labels`` that has numbers after it."""
    hits = []
    pos = 0
    while (m := labels.search(low, pos)) is not None:
        pos = m.start() + 1  # "my account id is 123": "my account" finds no number, "account id" does
        word = m.group(0)
        kind = rules.kinds.get(word) or rules.kinds.get(_key(word))
        if kind is None or not _whole_word(low, m.start(), m.end()) or _excluded(text, m.start()):
            continue
        values = _numbers_after(text, m.end(), rules.numbers[kind])
        if values:
            hits.append((m.start(), kind, values))
            pos = m.end()
    return hits


def _find_labelled_slow(text: str, rules: LabelRules) -> tuple[list[str], list[str]]:
    """Same as :func:`find_labelled` for text whose lower-casing changes its length."""
    lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    return find_labelled(lowered, rules) if len(lowered) == len(text) else ([], [])


def _whole_word(low: str, start: int, end: int) -> bool:
    """ASCII labels are whole words: "uid" is not in "fluid" nor in "guide"."""
    if start and low[start - 1] in _LETTERS and low[start].isascii():
        return False
    return not (end < len(low) and low[end] in _LETTERS and low[end - 1].isascii())


def _excluded(text: str, start: int) -> bool:
    return _EXCLUDE_BEFORE.search(text, max(0, start - 12), start) is not None


def _numbers_after(text: str, pos: int, number: re.Pattern[str]) -> list[str]:
    """The number right after a label, and any more joined to it by "," / "and" / "和"...

    A listed number must be about as long as the first: one exchange's UIDs share a format,
    and "UID 12345678 and 100000 USDT" lists an amount, not a second UID.
    """
    values: list[str] = []
    pos = _SEP.match(text, pos).end()  # type: ignore[union-attr]  # {0,n} always matches
    while True:
        m = number.match(text, pos)
        if m is None or _BAD_TAIL.match(text, m.end()):
            return values
        if values and abs(len(m.group(0)) - len(values[0])) > 1:
            return values
        values.append(m.group(0))
        more = _LIST_SEP.match(text, m.end())
        if more is None:
            return values
        pos = more.end()
