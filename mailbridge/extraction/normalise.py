"""Undo what mail clients do to identifiers before anything looks for them.

* NFKC folds full-width forms (``ＵＩＤ：１２３４５６７８``) into ASCII, so one set of
  patterns serves all languages and reported values are ASCII.
* Invisible break opportunities (``<wbr>``, soft hyphen, zero-width space) that HTML mail puts
  inside long hex strings are dropped.
* A transaction id broken across lines (a client's hard wrap, a quoted-printable soft break
  ``=`` at line end) is rejoined, but only when the joined string is one complete,
  checksum-valid identifier: that rule keeps two ids on consecutive lines apart.
"""

from __future__ import annotations

import re
import unicodedata

from mailbridge.extraction.chains import is_identifier

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_WBR = re.compile(r"<wbr\s*/?>|&shy;|&#8203;|&#x200b;", re.IGNORECASE)
# A long alphanumeric run ending a line, continued by runs on up to three following lines
# (optionally after quote marks). Only the joins that form an identifier are kept.
_SPLIT_ID = re.compile(r"[0-9A-Za-z]{8,}(?:[ \t]*=?\r?\n[ \t>]*[0-9A-Za-z]+){1,3}")
# Where one may start: a newline after 8 letters or digits (and maybe "=", "\r" or a space),
# before a letter or digit. It starts with a literal newline, which the regex engine finds
# fast; the run before it is then found by hand.
_MAYBE_SPLIT = re.compile(r"\n(?:(?<=[0-9A-Za-z]{8}\n)|(?<=[0-9A-Za-z]{8}[=\r ]\n))[ \t>]*[0-9A-Za-z]")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LINE_BREAK = re.compile(r"[ \t]*=?\r?\n[ \t>]*")


def normalise(text: str) -> str:
    """NFKC, without the invisible characters HTML mail inserts into long ids."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    if "<" in text or "&" in text:
        text = _WBR.sub("", text)
    return text


def rejoin_split_ids(text: str) -> str:
    """Rejoin ids broken across lines ("…a43\\n836a…" → one 64-hex id)."""
    if "\n" not in text:
        return text
    out: list[str] = []
    last = 0
    for m in _MAYBE_SPLIT.finditer(text):
        if m.start() < last:
            continue  # inside a stretch already rejoined
        start = m.start()
        while start and text[start - 1] in "=\r \t":
            start -= 1
        while start and text[start - 1] in _ALNUM:
            start -= 1
        found = _SPLIT_ID.match(text, start)
        if found is not None:
            out.append(text[last:start])
            out.append(_rejoin(found))
            last = found.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _complete(piece: str) -> bool:
    """A piece that is an id on its own. An all-lower 0x+40 hex piece is not taken as one: it
    carries no checksum, and it is exactly what a 0x tx id wrapped after 42 characters leaves."""
    if len(piece) == 42 and piece[:2] == "0x" and piece[2:] in (piece[2:].lower(), piece[2:].upper()):
        return False
    return is_identifier(piece)


def _rejoin(m: re.Match[str]) -> str:
    whole = m.group(0)
    pieces = _LINE_BREAK.split(whole)
    breaks = _LINE_BREAK.findall(whole)
    for i in range(len(pieces) - 1):
        if _complete(pieces[i]):
            continue  # already whole: never glue the next line onto a complete id
        for k in range(len(pieces), i + 1, -1):
            joined = "".join(pieces[i:k])
            if is_identifier(joined):
                head = "".join(p + b for p, b in zip(pieces[:i], breaks[:i]))
                tail = "".join(b + p for b, p in zip(breaks[k - 1:], pieces[k:]))
                return head + joined + tail
    return whole
