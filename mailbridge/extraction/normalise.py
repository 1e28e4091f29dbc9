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

_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_WBR = re.compile(r"<wbr\s*/?>|&shy;|&#8203;|&#x200b;", re.IGNORECASE)
_WBR_START = re.compile("<[wW]")  # a literal first character: found fast (two-character "in" is slower)
# A long alphanumeric run ending a line, continued by runs on up to three following lines
# (optionally after quote marks). Only the joins that form an identifier are kept.
_SPLIT_ID = re.compile(r"[0-9A-Za-z]{8,}(?:[ \t]*=?\r?\n[ \t>]*[0-9A-Za-z]+){1,3}")
# Where one may start: a newline after 8 letters or digits (and maybe "=", "\r" or a space),
# before a letter or digit. It starts with a literal newline, which the regex engine finds
# fast; the run before it is then found by hand.
_MAYBE_SPLIT = re.compile(r"\n(?:(?<=[0-9A-Za-z]{8}\n)|(?<=[0-9A-Za-z]{8}[=\r ]\n))[ \t>]*[0-9A-Za-z]")
_ALNUM_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_LINE_BREAK = re.compile(r"[ \t]*=?\r?\n[ \t>]*")
_SHORTEST_ID = 26  # a P2PKH bitcoin address can be; every other identifier is longer (chains.classify)
# Full-width ASCII (！ to ～) and the ideographic space: the usual reason CJK mail is not NFKC
# already (，：？（）). Each is one character whose NFKC form is one ASCII character.
_FULL_WIDTH_NFKC = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
# Both kinds in one pass over the text.
_SPECIAL = re.compile(f"[\uff01-\uff5e\u3000{_INVISIBLE_CHARS}]")


def normalise(text: str) -> str:
    """NFKC, without the invisible characters HTML mail inserts into long ids."""
    if not text.isascii():
        special = set(_SPECIAL.findall(text))
        invisible = not special.isdisjoint(_INVISIBLE_CHARS)
        if not unicodedata.is_normalized("NFKC", text):
            text, complete = _nfkc(text, special.difference(_INVISIBLE_CHARS))
            if not complete:  # unicodedata.normalize ran: look again
                invisible = _INVISIBLE.search(text) is not None
        if invisible:
            text = _INVISIBLE.sub("", text)
    if "&" in text or _WBR_START.search(text):  # what every match of _WBR starts with
        text = _WBR.sub("", text)
    return text


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster for the usual CJK mail.

    Full-width punctuation and letters are replaced by their NFKC forms first (``str.replace``
    per distinct character: C speed, where ``normalize`` costs ~20 µs per KB of CJK text). That
    leaves the compatibility decomposition of the text, and so its NFKC form, unchanged; when
    the result is NFKC already, it is the answer, otherwise ``normalize`` finishes the job.
    """
    return _nfkc(text, set(_FULL_WIDTH.findall(text)))[0]


def _nfkc(text: str, full_width: set[str]) -> tuple[str, bool]:
    """``nfkc(text)`` given the full-width characters in it; and whether it is the text with
    just those replaced (False: ``unicodedata.normalize`` had to run)."""
    if full_width:
        for ch in full_width:
            text = text.replace(ch, _FULL_WIDTH_NFKC[ch])
        if unicodedata.is_normalized("NFKC", text):
            return text, True
    return unicodedata.normalize("NFKC", text), False


def rejoin_split_ids(text: str) -> str:
    """Rejoin ids broken across lines ("…a43\\n836a…" → one 64-hex id)."""
    if "\n" not in text:
        return text
    out: list[str] = []
    last = 0
    for m in _MAYBE_SPLIT.finditer(text):
        if m.start() < last:
            continue  # inside a stretch already rejoined
        start = run_start(text, run_start(text, m.start(), "=\r \t"), _ALNUM_CHARS)
        found = _SPLIT_ID.match(text, start)
        if found is not None:
            out.append(text[last:start])
            out.append(_rejoin(found))
            last = found.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def run_start(text: str, end: int, chars: str) -> int:
    """Where the run of ``chars`` that ends at ``end`` starts (``str.rstrip`` walks it)."""
    while end > 0:
        low = max(0, end - 128)
        kept = text[low:end].rstrip(chars)
        if kept:
            return low + len(kept)
        end = low
    return end


def _complete(piece: str) -> bool:
    """A piece that is an id on its own. An all-lower 0x+40 hex piece is not taken as one: it
    carries no checksum, and it is exactly what a 0x tx id wrapped after 42 characters leaves."""
    if len(piece) == 42 and piece[:2] == "0x" and piece[2:] in (piece[2:].lower(), piece[2:].upper()):
        return False
    return is_identifier(piece)


def _rejoin(m: re.Match[str]) -> str:
    whole = m.group(0)
    if len(whole) < _SHORTEST_ID:
        return whole  # no join of its pieces is long enough to be an identifier
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
