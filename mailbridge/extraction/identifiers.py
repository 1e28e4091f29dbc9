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
# The last character of an excluding word (case-insensitive, as the pattern is): the one that
# ends the 12 characters before a label once its trailing separators are off, or no match.
_EXCLUDE_LAST = re.compile(
    "[" + "".join(sorted({re.escape(w.lower()[-1]) for w in _DATA["exclude"]["before"]})) + "]", re.IGNORECASE)
_EXCLUDE_TRAIL = ":_-"  # and white space: what [\s:_\-]{0,3}$ lets follow the word

# What may stand between a label and its number: punctuation, "is", "是", "는", "は", "번호"...
_SEP = re.compile(
    r"(?:[\s:：=#.\-_|/()\[\]\"'*>]|is\b|was\b|are\b|是|为|為|は|が|는|은|이|가|번호|号|號|碼|码){0,12}",
    re.IGNORECASE,
)
_LIST_SEP = re.compile(r"[\s]*(?:,|、|/|&|\band\b|\bor\b|和|及|与|與|및|와|과|と|또는|或)[\s]*", re.IGNORECASE)
_BAD_TAIL = re.compile(r"[-.][0-9]")  # 010-1234-5678, 12345678.5: part of something longer
# To settle the usual cases without running the patterns: the characters _SEP's character
# class takes besides white space, and those a _LIST_SEP word can start with (in any case).
_SEP_CHARS = frozenset(":：=#.-_|/()[]\"'*>")
_LIST_SEP_FIRST = frozenset(",、/&aAoO和及与與및와과と또或")
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


def find_labelled(text: str, rules: LabelRules, low: str | None = None) -> tuple[list[str], list[str]]:
    """(account UIDs, order numbers) labelled in ``text``, in order of appearance. ``low``:
    ``text.lower()`` when the caller has it."""
    uids: list[str] = []
    orders: list[str] = []
    low = text.lower() if low is None else low
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
    low = max(0, start - 12)
    end = start
    while end > low and (text[end - 1] in _EXCLUDE_TRAIL or text[end - 1].isspace()):
        end -= 1
    if end == low or not _EXCLUDE_LAST.match(text, end - 1):
        return False  # cheap test first: most labels follow no excluding word
    return _EXCLUDE_BEFORE.search(text, low, start) is not None


def _numbers_after(text: str, pos: int, number: re.Pattern[str]) -> list[str]:
    """The number right after a label, and any more joined to it by "," / "and" / "和"...

    A listed number must be about as long as the first: one exchange's UIDs share a format,
    and "UID 12345678 and 100000 USDT" lists an amount, not a second UID.
    """
    values: list[str] = []
    pos = _sep_end(text, pos)
    while True:
        m = number.match(text, pos)
        if m is None:
            return values
        end = m.end()
        if text[end:end + 1] in ("-", ".") and "0" <= text[end + 1:end + 2] <= "9":  # _BAD_TAIL
            return values
        if values and abs(len(m.group(0)) - len(values[0])) > 1:
            return values
        values.append(m.group(0))
        pos = _list_sep_end(text, end)
        if pos < 0:
            return values


def _sep_end(text: str, pos: int) -> int:
    """``_SEP.match(text, pos).end()``. The usual case, separator characters and then a digit
    (where no word of the pattern can start), is counted here."""
    j = pos
    limit = min(len(text), pos + 12)
    while j < limit and (text[j] in _SEP_CHARS or text[j].isspace()):
        j += 1
    if j < limit and "0" <= text[j] <= "9":
        return j
    return _SEP.match(text, pos).end()  # type: ignore[union-attr]  # {0,n} always matches


def _list_sep_end(text: str, pos: int) -> int:
    """``_LIST_SEP.match(text, pos).end()``, or -1 when it does not match: without one of the
    words' first characters after the white space there is none."""
    j = pos
    limit = min(len(text), pos + 8)  # a longer run of white space is left to the pattern
    while j < limit and text[j].isspace():
        j += 1
    if j < limit and text[j] not in _LIST_SEP_FIRST or j == len(text):
        return -1
    more = _LIST_SEP.match(text, pos)
    return -1 if more is None else more.end()
