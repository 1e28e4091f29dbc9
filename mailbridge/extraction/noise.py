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

# Each kind of noise is found by a pattern that starts with a literal ("<", "{", "@", ".png"),
# which Python's regex engine scans for quickly; the rest of the span is grown leftwards by
# hand. One alternation of everything was eight times slower (it tries every branch at every
# position) and extraction must keep up with 3,000 messages a second.
_HEADER = re.compile(  # matched on lower-cased text
    r"^[ \t>]*(?:message-id|references|in-reply-to|thread-index|thread-topic|x-[a-z-]+|dkim-signature)"
    r"[ \t]*:[^\n]*",
    re.MULTILINE,
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,400})?/?>")
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
    r"(?:commit|sha-?256|sha-?1|md5|checksum|digest|fingerprint|private\s*key|privkey|secret\s*key"
    r"|私钥|私鑰|개인\s*키|비밀\s*키|秘密鍵|秘密キー)"
    r"(?:\s+(?:hash|id|sum|of\s+(?:the\s+)?[\w.\- ]{1,20}?))?(?:\s*(?:is|是|为|為|は|는|은|:|=|#)\s*)*"
    r"\s*((?:0x)?[0-9a-f]{32,})(?![0-9a-z])"
)
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEADER_WORDS = ("message-id", "references", "in-reply-to", "thread-", "x-", "dkim-")
_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_LOCAL_CHARS = _DOMAIN_CHARS | frozenset("_%+=/")
_FILE_CHARS = _DOMAIN_CHARS | frozenset("_()")

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
        kept = _replacement(text[start:end], kind, explorer, size)
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
    if any(word in low for word in _HEADER_WORDS):
        found += [(m.start(), m.end(), "header") for m in _HEADER.finditer(low)]
    for pattern, kind, needle in _SIMPLE:
        if needle in text:
            found += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    found += _urls(text)
    found += _bare_domains(text)
    if "@" in text:
        found += _emails(text)
    found += _files(text)
    found += [(m.start(), m.end(), "hash") for m in _HASH_LABEL.finditer(low)]
    found.sort(key=lambda s: (s[0], -s[1]))
    kept: list[Span] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _grow_left(text: str, start: int, allowed: frozenset[str]) -> int:
    while start > 0 and text[start - 1] in allowed:
        start -= 1
    return start


def _urls(text: str) -> list[Span]:
    spans = []
    if "://" in text:
        for m in _SCHEME_URL.finditer(text):
            start = _grow_left(text, m.start(), _SCHEME_CHARS)
            if start < m.start():
                spans.append((start, m.end(), "url"))
    if "www." in text or "WWW." in text:
        spans += [(m.start(), m.end(), "url") for m in _WWW_URL.finditer(text)]
    return spans


def _bare_domains(text: str) -> list[Span]:
    """Links pasted without a scheme: "tronscan.org/#/transaction/…", "zhihu.com/question/…"."""
    spans = []
    for m in _BARE_DOMAIN.finditer(text):
        start = _grow_left(text, m.start(), _DOMAIN_CHARS)
        if start < m.start() and (start == 0 or text[start - 1] not in "@_"):
            spans.append((start, m.end(), "url"))
    return spans


def _emails(text: str) -> list[Span]:
    spans = []
    for m in _EMAIL_DOMAIN.finditer(text):
        start = _grow_left(text, m.start(), _LOCAL_CHARS)
        if start < m.start():
            spans.append((start, m.end(), "email"))
    return spans


def _files(text: str) -> list[Span]:
    """File names ("IMG_20250305_101754.jpg"), and a screenshot's whole name when it has
    spaces ("Screenshot 2025-03-05 at 10.17.54.png"): its date is not a reported time."""
    spans = []
    for m in _FILE_EXT.finditer(text):
        start = _grow_left(text, m.start(), _FILE_CHARS)
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
