"""HTML-only mail (Outlook, webmail, exchange notifications) turned into readable text.

The text feeds staff and the extractors, so the conversion must keep what the
extractors look for:

* no wrapping (``body_width=0``): a wrapped 0x + 64-hex TxID is two tokens;
* link URLs kept: block-explorer links carry the TxID (``https://etherscan.io/tx/0x…``);
* no Markdown escaping (``\\-----Original Message-----`` would break quote stripping) and no
  emphasis marks (``_0xabc…_`` is not a word boundary for a regex);
* ``<wbr>``, soft hyphens and zero-width spaces inside a token do not split or pollute it;
* images, ``<style>`` and ``<script>`` dropped.

Never raises: if html2text fails, a crude tag strip is returned instead.
"""

from __future__ import annotations

import html
import re

import html2text

__all__ = ["html_to_text"]

# Above this many characters html2text (pure Python, ~1-2 MB/s) would hold up the poll;
# newsletters that big are not support requests, so the crude strip is good enough.
_MAX_HTML2TEXT_CHARS = 1_000_000

# Invisible characters senders (and explorers) put inside long tokens: soft hyphen,
# zero-width space, word joiner, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"), None)
_WBR = re.compile(r"<wbr\s*/?>|</wbr>", re.IGNORECASE)
_DROP_BLOCKS = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h[1-6])\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


class _PlainText(html2text.HTML2Text):
    """html2text without Markdown escaping of the text itself."""

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        # entity_char=True is html2text's own switch for "insert verbatim, do not escape".
        super().handle_data(data, entity_char=True)


def _converter() -> _PlainText:
    conv = _PlainText(bodywidth=0)
    conv.ignore_images = True
    conv.ignore_emphasis = True
    conv.ignore_links = False
    conv.inline_links = True
    conv.protect_links = False
    conv.wrap_links = False
    conv.skip_internal_links = True
    conv.unicode_snob = True  # keep the real characters (no ASCII look-alikes)
    conv.single_line_break = False
    return conv


def _crude(markup: str) -> str:
    text = _DROP_BLOCKS.sub(" ", markup)
    text = _BREAKS.sub("\n", text)
    return html.unescape(_TAG.sub("", text))


def _tidy(text: str) -> str:
    text = text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\xa0", " ")
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML body; never raises.

    >>> html_to_text('<p>TxID 0xab<wbr>cd, see <a href="https://etherscan.io/tx/0xabcd">here</a></p>')
    'TxID 0xabcd, see [here](https://etherscan.io/tx/0xabcd)'
    """
    if not markup:
        return ""
    try:
        markup = _WBR.sub("", markup)
        if len(markup) > _MAX_HTML2TEXT_CHARS:
            return _tidy(_crude(markup))
        return _tidy(_converter().handle(markup))
    except Exception:  # noqa: BLE001 - html2text/HTMLParser bugs on hostile markup
        try:
            return _tidy(_crude(markup))
        except Exception:  # noqa: BLE001
            return ""
