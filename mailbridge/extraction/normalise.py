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

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_WBR = re.compile(r"<wbr\s*/?>|&shy;|&#8203;|&#x200b;", re.IGNORECASE)
# A long alphanumeric run ending a line, continued by runs on up to three following lines
# (optionally after quote marks). Only the joins that form an identifier are kept.
_SPLIT_ID = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{8,}(?:[ \t]*=?\r?\n[ \t>]*[0-9A-Za-z]+){1,3}")
_LINE_BREAK = re.compile(r"[ \t]*=?\r?\n[ \t>]*")


def normalise(text: str) -> str:
    """NFKC, without the invisible characters HTML mail inserts into long ids."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    if "<" in text or "&" in text:
        text = _WBR.sub("", text)
    return text


def rejoin_split_ids(text: str) -> str:
    """Rejoin ids broken across lines ("…a43\\n836a…" → one 64-hex id)."""
    if "\n" not in text:
        return text
    return _SPLIT_ID.sub(_rejoin, text)


def _rejoin(m: re.Match[str]) -> str:
    whole = m.group(0)
    pieces = _LINE_BREAK.split(whole)
    breaks = _LINE_BREAK.findall(whole)
    for i in range(len(pieces) - 1):
        if is_identifier(pieces[i]):
            continue  # already whole: never glue the next line onto a complete id
        for k in range(len(pieces), i + 1, -1):
            joined = "".join(pieces[i:k])
            if is_identifier(joined):
                head = "".join(p + b for p, b in zip(pieces[:i], breaks[:i]))
                tail = "".join(b + p for b, p in zip(breaks[k - 1:], pieces[k:]))
                return head + joined + tail
    return whole
