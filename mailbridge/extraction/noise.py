"""Blank out what looks like an identifier but is not one, before anything is extracted.

Real mail is full of long numbers and hashes that are nobody's account or transaction: links
to articles and trackers, content hashes in image URLs, base64 images in data URIs, e-mail
addresses (``12345678@qq.com``), Message-ID and other header lines in forwarded mail, file
names (``IMG_20250305_101754.jpg``) and hashes labelled as a commit, a checksum or a private
key. Each is replaced by one space. Block-explorer links are kept: they carry the id and its
chain; their spans are returned so ids inside them take the link's chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailbridge.extraction.links import URL_PATTERN, explorer_chain, trim_url

_NOISE = re.compile(
    r"(?P<header>^[ \t>]*(?:message-id|references|in-reply-to|thread-index|thread-topic|x-[a-z-]+"
    r"|dkim-signature)[ \t]*:[^\n]*)"
    r"|(?P<data>data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]*)"
    rf"|(?P<url>{URL_PATTERN})"
    r"|(?P<email>[A-Za-z0-9._%+=/-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?P<shot>(?:screen\s?shot|スクリーンショット|스크린샷|截屏|截图|截圖|屏幕截图|螢幕擷取畫面)"
    r"[^\n]{0,40}?\.(?:png|jpe?g|heic|webp|gif))"
    r"|(?P<file>(?<![A-Za-z0-9_.\-])[A-Za-z0-9_.()\-]*[A-Za-z0-9_\-]"
    r"\.(?:png|jpe?g|gif|bmp|webp|heic|pdf|mp4|mov|zip|rar|7z|txt|csv|xlsx?|docx?|log)(?![A-Za-z0-9]))"
    r"|(?P<hash>(?:commit|sha-?256|sha-?1|md5|checksum|digest|fingerprint)"
    r"(?:\s+(?:hash|id|sum|of\s+(?:the\s+)?[\w.\- ]{1,20}?))?\s*[:=#]?\s*[0-9a-fA-F]{32,}(?![0-9A-Za-z]))"
    r"|(?P<key>(?:private\s*key|privkey|secret\s*key|私钥|私鑰|개인\s*키|비밀\s*키|秘密鍵|秘密キー)"
    r"(?:\s*(?:is|是|为|為|は|는|은|:)\s*)*(?:0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z]))",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(slots=True)
class Masked:
    """Text with noise blanked; ``explorer_spans`` are (start, end, chain) of explorer links
    in it (chain ``""`` when the link does not name one)."""

    text: str
    explorer_spans: list[tuple[int, int, str]] = field(default_factory=list)

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
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    size = 0
    last = 0
    for m in _NOISE.finditer(text):
        out.append(text[last:m.start()])
        size += m.start() - last
        last = m.end()
        kept = _keep(m, spans, size)
        out.append(kept)
        size += len(kept)
    out.append(text[last:])
    return Masked("".join(out), spans)


def _keep(m: re.Match[str], spans: list[tuple[int, int, str]], at: int) -> str:
    """What replaces one noise match: a space, or the explorer link itself (span recorded)."""
    if m.lastgroup != "url":
        return " "
    raw = m.group(0)
    url = trim_url(raw)
    tail = raw[len(url):]
    chain = explorer_chain(url)
    if chain is None:
        return " " + tail
    spans.append((at, at + len(url), chain))
    return url + tail
