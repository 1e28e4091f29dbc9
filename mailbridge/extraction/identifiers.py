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


@dataclass(frozen=True, slots=True)
class LabelRules:
    """Compiled label matcher: one regex for every label, then the kind's number pattern."""

    labels: re.Pattern[str]
    kinds: dict[str, str]  # normalised label -> "uid" | "order"
    numbers: dict[str, re.Pattern[str]]

    @classmethod
    def build(cls, uid_pattern: str, uid_labels: tuple[str, ...],
              order_pattern: str, order_labels: tuple[str, ...]) -> "LabelRules":
        kinds = {_key(label): "uid" for label in BUILTIN_UID_LABELS + uid_labels}
        # Order labels win a tie ("order id" must not read as "id").
        kinds.update({_key(label): "order" for label in BUILTIN_ORDER_LABELS + order_labels})
        words = [w.lower() for w in BUILTIN_UID_LABELS + uid_labels + BUILTIN_ORDER_LABELS + order_labels]
        labels = re.compile(rf"(?<![A-Za-z])(?:{trie_pattern(words)})(?![a-z])", re.IGNORECASE)
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
    for m in rules.labels.finditer(text):
        kind = rules.kinds.get(_key(m.group(0)))
        if kind is None or _excluded(text, m.start()):
            continue
        found = uids if kind == "uid" else orders
        for value in _numbers_after(text, m.end(), rules.numbers[kind]):
            if value not in found:
                found.append(value)
    return uids, orders


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
