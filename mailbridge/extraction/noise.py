"""Blank out what looks like an identifier but is not one, before anything is extracted.

Real mail is full of long numbers and hashes that are nobody's account or transaction: HTML
tags and CSS left over from conversion (``color:#ff0000``), links
to articles and trackers, content hashes in image URLs, base64 images in data URIs, e-mail
addresses (``12345678@qq.com``), Message-ID and other header lines in forwarded mail, file
names (``IMG_20250305_101754.jpg``) and hashes labelled as a commit, a checksum or a private
key. Each is replaced by one space. Block-explorer links are kept: they carry the id and its
chain; their spans are returned so ids inside them take the link's chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailbridge.extraction.links import explorer_chain, trim_url
from mailbridge.extraction.normalise import run_start

# Each kind of noise is found by a pattern that starts with a literal ("<", "{", "@", ".png"),
# which Python's regex engine scans for quickly; the rest of the span is grown leftwards by
# hand. One alternation of everything was eight times slower (it tries every branch at every
# position) and extraction must keep up with 3,000 messages a second.
_HEADER_LINE = (r"[ \t>]*(?:message-id|references|in-reply-to|thread-index|thread-topic|x-[a-z-]+|dkim-signature)"
                r"[ \t]*:[^\n]*")
_HEADER = re.compile("^" + _HEADER_LINE, re.MULTILINE)  # matched on lower-cased text
# _HEADER's matches, found as the first line and lines after a newline: a pattern that starts
# with a literal is scanned for fast, one that starts with "^" is tried at every position.
_HEADER_FIRST = re.compile(_HEADER_LINE)
_HEADER_NEXT = re.compile("\n" + _HEADER_LINE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*+(?:\s[^<>]{0,400})?/?>")  # *+: what follows a name is never a letter
_CSS = re.compile(r"\{[^{}]{0,500}\}")
_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]*", re.IGNORECASE)
_SCHEME_URL = re.compile(r"://[!#-&(-;=?-~]+")  # grown left over the scheme ("https")
_WWW_URL = re.compile(r"(?:www|WWW)\.[!#-&(-;=?-~]+")
_BARE_DOMAIN = re.compile(
    r"\.(?:com|org|io|net|info|space|cn|jp|kr|co|me|app|xyz|cc|tw|hk|fm)(?::\d+)?/[!#-&(-;=?-~]*",
    re.IGNORECASE,
)
_EMAIL_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_FILE_EXT = re.compile(
    r"\.(?:png|jpe?g|gif|bmp|webp|heic|pdf|mp4|mov|zip|rar|7z|txt|csv|xlsx?|docx?|log)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SCREENSHOT = re.compile(r"(?:screen\s?shot|スクリーンショット|스크린샷|截屏|截图|截圖|屏幕截图|螢幕擷取畫面)[^\n]*$",
                         re.IGNORECASE)
# A hash labelled as something that is not a transaction: "commit <hex>", "sha256 of the log
# file: <hex>", "private key: 0x<hex>" (the secrets module redacts keys; this is the backstop
# that keeps one from ever becoming a tx id).
_HASH_LABEL = re.compile(  # matched on lower-cased text; group 1 is the hash
    # commit|sha-?256|sha-?1|md5|checksum|digest|fingerprint|private\s*key|privkey|secret\s*key|私钥|私鑰
    # |개인\s*키|비밀\s*키|秘密鍵|秘密キー, folded by first letter (one branch tried per position)
    r"(?:c(?:ommit|hecksum)|s(?:ha-?(?:256|1)|ecret\s*key)|md5|digest|fingerprint|priv(?:ate\s*key|key)"
    r"|私[钥鑰]|개인\s*키|비밀\s*키|秘密(?:鍵|キー))"
    r"(?:\s+(?:hash|id|sum|of\s+(?:the\s+)?[\w.\- ]{1,20}?))?(?:\s*(?:is|是|为|為|は|는|은|:|=|#)\s*)*"
    r"\s*((?:0x)?[0-9a-f]{32,})(?![0-9a-z])"
)
# Characters a span may grow left over (``run_start`` strips them with ``str.rstrip``).
_SCHEME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DOMAIN_CHARS = _SCHEME_CHARS + "0123456789.-"
_LOCAL_CHARS = _DOMAIN_CHARS + "_%+=/"
_FILE_CHARS = _DOMAIN_CHARS + "_()"

_HEX_BYTES = bytes(0x61 if chr(c) in "0123456789abcdef" else 0x20 for c in range(256))
_HEX_RUN = b"a" * 32

Span = tuple[int, int, str]
# (pattern, kind, a substring every match contains: a cheap test that skips the scan)
_SIMPLE = ((_TAG, "tag", "<"), (_CSS, "css", "{"), (_DATA_URI, "data", ";base64,"))


@dataclass(slots=True)
class Masked:
    """Text with noise blanked; ``explorer_spans`` are (start, end, chain) of explorer links
    in it (chain ``""`` when the link does not name one)."""

    text: str
    explorer_spans: list[tuple[int, int, str]] = field(default_factory=list)

    def after(self, head: "Masked") -> "Masked":
        """``head`` (the subject), a newline, then this text, as one document: the subject's
        chain words then count for the body's ids."""
        shift = len(head.text) + 1
        spans = head.explorer_spans + [(s + shift, e + shift, c) for s, e, c in self.explorer_spans]
        return Masked(head.text + "\n" + self.text, spans)

    def link_chain(self, pos: int) -> str | None:
        for start, end, chain in self.explorer_spans:
            if start <= pos < end:
                return chain
        return None


def mask_noise(text: str) -> Masked:
    """``text`` with every non-identifier look-alike replaced by a space.

    >>> mask_noise("see https://www.zhihu.com/question/1234567890 ok").text
    'see   ok'
    """
    spans = _noise_spans(text)
    if not spans:
        return Masked(text)
    out: list[str] = []
    explorer: list[tuple[int, int, str]] = []
    size = last = 0
    for start, end, kind in spans:
        out.append(text[last:start])
        size += start - last
        kept = " " if kind != "url" else _replacement(text[start:end], kind, explorer, size)
        out.append(kept)
        size += len(kept)
        last = end
    out.append(text[last:])
    return Masked("".join(out), explorer)


def _noise_spans(text: str) -> list[Span]:
    """Every noise span, sorted, overlaps resolved (the earliest, then the longest, wins)."""
    found: list[Span] = []
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer: positions would shift
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    first = _HEADER_FIRST.match(low)
    if first:
        found.append((first.start(), first.end(), "header"))
    found += [(m.start() + 1, m.end(), "header") for m in _HEADER_NEXT.finditer(low)]
    for pattern, kind, needle in _SIMPLE:
        if needle in text:
            found += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    found += _urls(text)
    if "/" in text:  # every bare-domain link has one
        found += _bare_domains(text)
    if "@" in text:
        found += _emails(text)
    found += _files(text)
    end = _hex_end(low)
    if end:
        found += [(m.start(), m.end(), "hash") for m in _HASH_LABEL.finditer(low, 0, end)]
    found.sort(key=lambda s: (s[0], -s[1]))
    kept: list[Span] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _hex_end(low: str) -> int:
    """0 when ``low`` has no run of 32 hex digits (no _HASH_LABEL match then); otherwise a place
    past which no match reaches: one character after the end of the last such run (the
    pattern's lookahead reads that character)."""
    raw = low.encode("utf-8", "surrogatepass")
    runs = raw.translate(_HEX_BYTES)
    last = runs.rfind(_HEX_RUN)
    if last < 0:
        return 0
    end = runs.find(b" ", last)
    end = len(runs) if end < 0 else end
    if len(raw) != len(low):  # multi-byte text: the run's place in characters
        run = raw[last:end].decode("ascii")
        end = low.rfind(run) + len(run)  # the last occurrence: no later run holds it
    return min(end + 1, len(low))


def _urls(text: str) -> list[Span]:
    spans = []
    if "://" in text:
        for m in _SCHEME_URL.finditer(text):
            start = run_start(text, m.start(), _SCHEME_CHARS)
            if start < m.start():
                spans.append((start, m.end(), "url"))
    if "www." in text or "WWW." in text:
        spans += [(m.start(), m.end(), "url") for m in _WWW_URL.finditer(text)]
    return spans


def _bare_domains(text: str) -> list[Span]:
    """Links pasted without a scheme: "tronscan.org/#/transaction/…", "zhihu.com/question/…"."""
    spans = []
    for m in _BARE_DOMAIN.finditer(text):
        start = run_start(text, m.start(), _DOMAIN_CHARS)
        if start < m.start() and (start == 0 or text[start - 1] not in "@_"):
            spans.append((start, m.end(), "url"))
    return spans


def _emails(text: str) -> list[Span]:
    spans = []
    for m in _EMAIL_DOMAIN.finditer(text):
        start = run_start(text, m.start(), _LOCAL_CHARS)
        if start < m.start():
            spans.append((start, m.end(), "email"))
    return spans


def _files(text: str) -> list[Span]:
    """File names ("IMG_20250305_101754.jpg"), and a screenshot's whole name when it has
    spaces ("Screenshot 2025-03-05 at 10.17.54.png"): its date is not a reported time."""
    spans = []
    for m in _FILE_EXT.finditer(text):
        start = run_start(text, m.start(), _FILE_CHARS)
        line_start = text.rfind("\n", 0, start) + 1
        shot = _SCREENSHOT.search(text, max(line_start, start - 45), start)
        if shot is not None:
            start = shot.start()
        if start < m.start():
            spans.append((start, m.end(), "file"))
    return spans


def _replacement(raw: str, kind: str, explorer: list[tuple[int, int, str]], at: int) -> str:
    """What replaces one noise span: a space, or the explorer link itself (span recorded)."""
    if kind != "url":
        return " "
    url = trim_url(raw)
    tail = raw[len(url):]
    chain = explorer_chain(url)
    if chain is None:
        return " " + tail
    explorer.append((at, at + len(url), chain))
    return url + tail
