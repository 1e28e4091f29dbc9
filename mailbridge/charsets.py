"""Bytes and header values to ``str``, the way real support mail needs it.

Mail labels its charset wrongly often enough that trusting the label loses text
(shared/notes/parsing.md):

* ``gb2312`` labels over GBK bytes (Foxmail, old Outlook): 堃/喆/赟 decoded as gb2312 lose
  the character *and the one after it*. Every GB label is read as GB18030, a superset.
* ``euc-kr`` / ``ks_c_5601-1987`` labels over Windows code page 949 bytes: read as cp949.
* Misspelt and exotic labels seen in real mail (``uft-8``, ``iso-8859-8-i``,
  ``x-mac-cyrillic``, ``unicode-1-1-utf-7``, ``iso-gb2312``) are mapped; labels Python does
  not know at all (``x-unknown``) fall through to detection (charset-normalizer).

Nothing here raises on bad input: the worst case is UTF-8 with replacement characters
plus a short defect string saying what happened.
"""

from __future__ import annotations

import binascii
import codecs
import re
from functools import lru_cache

import charset_normalizer

__all__ = ["decode_bytes", "decode_header_value", "unfold", "resolve_charset"]

# Label (lower-cased, quotes and spaces stripped) -> codecs to try strictly, in order.
# Several candidates where one label covers several real-world byte repertoires.
_ALIASES: dict[str, tuple[str, ...]] = {
    # Chinese, simplified: GB18030 is a superset of GB2312 and GBK.
    **dict.fromkeys(
        ("gb2312", "gbk", "x-gbk", "iso-gb2312", "gb_2312-80", "gb_2312", "csgb2312", "cp936",
         "ms936", "windows-936", "euc-cn", "x-euc-cn", "chinese", "gb18030", "gb18030-2000"),
        ("gb18030",),
    ),
    # Chinese, traditional: Outlook writes cp950 under a big5 label; Hong Kong mail HKSCS.
    **dict.fromkeys(("big5", "x-big5", "cn-big5", "csbig5", "big-5", "cp950", "windows-950"),
                    ("cp950", "big5hkscs")),
    **dict.fromkeys(("big5-hkscs", "big5hkscs"), ("big5hkscs", "cp950")),
    # Korean: ks_c_5601-1987 is what Outlook calls cp949 (Unified Hangul Code).
    **dict.fromkeys(
        ("euc-kr", "x-euc-kr", "ks_c_5601-1987", "ks_c_5601-1989", "ks_c_5601", "ksc5601",
         "ksc_5601", "csksc56011987", "korean", "x-windows-949", "windows-949", "cp949", "uhc"),
        ("cp949",),
    ),
    # Japanese: Shift_JIS labels usually mean cp932 (NEC/IBM extensions such as ①).
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis",
                     "windows-31j", "cp932", "x-ms-cp932"), ("cp932",)),
    **dict.fromkeys(("euc-jp", "x-euc-jp", "eucjp", "cseucpkdfmtjapanese"), ("euc_jp", "euc_jis_2004")),
    **dict.fromkeys(("iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2"),
                    # 8-bit bytes under this 7-bit label are EUC-JP or Shift_JIS (carrier mail)
                    ("iso2022_jp", "iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_2004", "euc_jp", "cp932")),
    # Unicode spellings seen in the real-world corpus.
    **dict.fromkeys(("utf-8", "utf8", "uft-8", "uft8", "utf-8-sig", "x-utf-8", "unicode-1-1-utf-8",
                     "unicode-2-0-utf-8"), ("utf-8",)),
    **dict.fromkeys(("utf-7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7", "csunicode11utf7"), ("utf-7",)),
    # Western labels: WHATWG reads latin-1 labels as windows-1252 (smart quotes); UTF-8
    # first because webforms send UTF-8 under these labels, and valid UTF-8 multi-byte
    # sequences practically never occur in real Latin-1 text.
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "latin1",
                     "latin-1", "iso_8859-1", "iso_8859-1:1987", "l1", "cp819", "windows-1252",
                     "cp1252", "x-cp1252"), ("utf-8", "cp1252", "latin-1")),
    # Hebrew/Arabic "logical/explicit" variants are the same bytes.
    **dict.fromkeys(("iso-8859-8-i", "iso-8859-8-e", "iso_8859-8-i"), ("iso-8859-8",)),
    **dict.fromkeys(("iso-8859-6-i", "iso-8859-6-e"), ("iso-8859-6",)),
    "x-mac-cyrillic": ("mac-cyrillic",),
    "x-mac-ukrainian": ("mac-cyrillic",),
    "x-mac-roman": ("mac-roman",),
    "macintosh": ("mac-roman",),
    "windows-874": ("cp874",),
    "cp-850": ("cp850",),
    "tis-620": ("cp874",),
    "koi8-r": ("koi8-r", "koi8-u"),
}

# Labels that say "I do not know", and ASCII labels (which cannot be true of 8-bit bytes):
# both are treated as if no charset were declared, so 8-bit bytes go to UTF-8 then detection.
_UNKNOWN_LABELS = frozenset(
    ("", "x-unknown", "unknown", "unknown-8bit", "x-unknown-8bit", "x-user-defined", "default",
     "8bit", "7bit", "binary", "none", "charset",
     "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "csascii")
)

# Codecs whose text is 7-bit (or NUL-rich) on the wire: pure-ASCII bytes are not ASCII text.
_NOT_ASCII_COMPATIBLE = ("utf_16", "utf_32", "utf-16", "utf-32", "utf_7", "utf-7", "iso2022", "hz")

# Detector answers normalised to the superset we decode with.
_DETECTED_SUPERSET = {
    "gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949", "shift_jis": "cp932",
    "big5": "cp950", "ascii": "utf-8", "utf_8": "utf-8",
}

_DETECT_SAMPLE = 64 * 1024  # enough for charset-normalizer; keeps detection of big parts cheap
_NEAR_MISS = 200  # accept the declared charset with replacements when <= 1 in 200 chars is bad
_TOO_SHORT_TO_DETECT = 48  # bytes; below this a detector guess is worse than the label
# What the detector may answer: the scripts our customers write (zh, ko, ja, en) plus the
# Western and Cyrillic code pages. Unrestricted, it picks exotica for short text (cp1006 for
# "héllo"); with Central European pages in the list it read "Håvard" as cp1250 "Hĺvard".
_DETECT_AMONG = [
    "utf_8", "utf_16", "gb18030", "cp949", "euc_kr", "big5", "cp950", "cp932", "shift_jis",
    "euc_jp", "iso2022_jp", "cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r",
]


@lru_cache(maxsize=512)
def resolve_charset(declared: str | None) -> tuple[str, tuple[str, ...]]:
    """Normalise a declared charset label.

    Returns ``(label, candidates)``: the cleaned label and the codec names to try strictly,
    in order. ``candidates`` is empty when the label names no codec Python has
    (``x-unknown``), says "unknown", or is an ASCII label: the caller tries UTF-8, then
    detects.

    >>> resolve_charset('"GB2312"')
    ('gb2312', ('gb18030',))
    """
    label = (declared or "").strip().strip("\"'").strip().lower()
    if label in _UNKNOWN_LABELS:
        return label, ()
    if label in _ALIASES:
        return label, _ALIASES[label]
    for guess in (label, label.removeprefix("x-"), label.replace("_", "-"), label.removeprefix("cs")):
        try:
            name = codecs.lookup(guess).name
        except (LookupError, ValueError):
            continue
        return label, _ALIASES.get(name, (name,))
    return label, ()


def _ascii_compatible(codec: str) -> bool:
    return not codec.startswith(_NOT_ASCII_COMPATIBLE)


_HALFWIDTH_KATAKANA = re.compile("[\uff61-\uff9f]")


def _detect(data: bytes, among: list[str] = _DETECT_AMONG) -> str | None:
    """Best guess from charset-normalizer, mapped to the superset codec; None if no guess."""
    try:
        best = charset_normalizer.from_bytes(data[:_DETECT_SAMPLE], cp_isolation=among).best()
    except Exception:  # noqa: BLE001 - a detector bug must not lose the mail
        return None
    if best is None:
        return None
    name = _DETECTED_SUPERSET.get(best.encoding, best.encoding)
    # Half-width katakana is all but unused in mail; a Shift_JIS guess that produces it is
    # a Western byte misread ("VIAGRA \xae" -> "VIAGRA ｮ", otrs/PostMaster-Test14.box).
    if name == "cp932" and among is _DETECT_AMONG and _HALFWIDTH_KATAKANA.search(str(best)):
        return _detect(data, [c for c in among if c not in ("cp932", "shift_jis")]) or name
    return name


def decode_bytes(data: bytes, declared: str | None, *, hint: str | None = None) -> tuple[str, str]:
    """Decode ``data`` labelled ``declared``; never raises.

    Returns ``(text, defect)`` where ``defect`` is "" when the label (or an alias of it)
    decoded the bytes strictly, else a short note such as
    ``"charset x-unknown detected as gb18030"``. ``hint`` is tried after the label and
    before detection (the parser passes the message's body charset for raw 8-bit headers).

    >>> decode_bytes("黄堃".encode("gbk"), "gb2312")
    ('黄堃', '')
    """
    if not data:
        return "", ""
    label, candidates = resolve_charset(declared)
    known = bool(candidates)
    if not known:
        candidates = ("utf-8",)  # undeclared: UTF-8 is both the commonest and self-checking
    # Fast path: most mail is ASCII or UTF-8.
    if data.isascii() and _ascii_compatible(candidates[0]):
        if not known and b"\x1b$" in data:  # undeclared ISO-2022-JP (escape sequences, 7-bit)
            try:
                return data.decode("iso2022_jp_2"), "undeclared charset detected as iso2022_jp"
            except UnicodeDecodeError:
                pass
        return data.decode("ascii"), ""
    seven_bit = not _ascii_compatible(candidates[0]) and data.isascii()
    for codec in candidates:
        if seven_bit and _ascii_compatible(codec):
            continue  # 8-bit fallbacks of a 7-bit label (iso-2022-jp -> euc_jp) would keep ESC
        try:
            return data.decode(codec), ""
        except UnicodeDecodeError:
            continue
    if hint:
        _, hinted = resolve_charset(hint)
        for codec in hinted:
            try:
                return data.decode(codec), ""
            except UnicodeDecodeError:
                continue
    named = f"charset {label}" if label else "undeclared charset"
    # A known label that fails on a byte or two (a truncated line, one stray byte) reads
    # better with the label and a few replacement characters than with a detector guess.
    if known:
        codec = candidates[0]
        text = data.decode(codec, "replace")
        bad = text.count("\ufffd")
        if bad * _NEAR_MISS <= len(text) or len(data) < _TOO_SHORT_TO_DETECT:
            return text, f"{named}: {bad} undecodable byte(s) replaced"
    detected = _detect(data)
    if detected:
        try:
            return data.decode(detected, "replace"), f"{named} detected as {detected}"
        except LookupError:
            pass
    return data.decode("utf-8", "replace"), f"{named} undecodable; utf-8 with replacement"


# --- headers ---------------------------------------------------------------------------

_FOLD = re.compile(r"\r?\n[ \t]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([QqBb])\?([^?]*)\?=")
_WSP_ONLY = re.compile(r"[ \t]*\Z")


def unfold(value: str) -> str:
    """Remove header folding: CRLF (or bare LF) followed by a space or tab becomes one space.

    mail-parser and the stdlib's compat32 policy leave folds in place; 14-15 % of subjects
    in the measured corpus came back as ``"...TXID\\r\\n 0x..."`` (parsing.md).
    """
    if "\n" not in value and "\r" not in value:
        return value
    return _FOLD.sub(" ", value).replace("\r", "").replace("\n", "")


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """Payload bytes of one encoded word, or None when it is not decodable."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    try:
        if encoding in "bB":
            raw = raw.replace(b" ", b"").replace(b"\t", b"").rstrip(b"=")
            if len(raw) % 4 == 1:  # a dangling sextet carries no whole byte
                raw = raw[:-1]
            return binascii.a2b_base64(raw + b"=" * (-len(raw) % 4))  # senders drop padding
        return binascii.a2b_qp(raw, header=True)
    except (binascii.Error, ValueError):
        return None


def _to_bytes(text: str) -> bytes:
    """Header text back to wire bytes: the stdlib keeps 8-bit octets as lone surrogates."""
    return text.encode("utf-8", "surrogateescape")


def _decode_raw(text: str, hint: str | None, defects: list[str] | None) -> str:
    if text.isascii():
        if "\x1b" in text:  # raw ISO-2022-JP (escape sequences) outside encoded words
            return decode_bytes(text.encode("ascii"), "iso-2022-jp")[0]
        return text
    decoded, defect = decode_bytes(_to_bytes(text), None, hint=hint)
    if defect and defects is not None:
        defects.append("header 8-bit text: " + defect)
    return decoded


def decode_header_value(
    value: str | bytes | None,
    *,
    hint: str | None = None,
    defects: list[str] | None = None,
) -> str:
    """Decode a raw header value to clean single-line text; never raises.

    Unfolds, decodes RFC 2047 encoded words with the charset aliases above (adjacent words
    in one charset are joined *before* decoding, so a character split across two words
    survives), drops the whitespace between adjacent encoded words, and decodes raw 8-bit
    bytes (kept by the stdlib as surrogates) as UTF-8, then ``hint``, then by detection.
    Control characters (CR, LF, NUL) that encoded words may smuggle in become spaces.
    Short notes on anything repaired are appended to ``defects`` when given.

    >>> decode_header_value("=?gb2312?B?u8aI0g==?=\\r\\n =?utf-8?Q?_=E4=BD=A0?= ok")
    '黄堃 你 ok'
    """
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("ascii", "surrogateescape")
    elif not isinstance(value, str):  # email.header.Header and friends
        value = str(value)
    if "=?" not in value and "\x1b" not in value and value.isascii():  # fast path: most headers
        value = unfold(value)
        return (_CONTROL.sub(" ", value) if not value.isprintable() else value).strip()
    value = unfold(value)
    out: list[str] = []
    pending_charset: str | None = None  # charset of the run of encoded words being collected
    pending: list[bytes] = []
    pos = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            text, defect = decode_bytes(b"".join(pending), pending_charset or None, hint=hint)
            if defect and defects is not None:
                defects.append("header " + defect)
            out.append(text)
            pending.clear()
            pending_charset = None

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos:match.start()]
        charset = match.group(1).split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
        payload = _word_bytes(match.group(2), match.group(3))
        if payload is None:  # not decodable: keep it literally
            flush()
            out.append(_decode_raw(value[pos:match.end()], hint, defects))
            pos = match.end()
            continue
        if pending_charset is not None and _WSP_ONLY.match(between):
            if charset.lower() == pending_charset.lower():
                pending.append(payload)
                pos = match.end()
                continue
            flush()  # whitespace between encoded words is dropped (RFC 2047 section 6.2)
        else:
            flush()
            out.append(_decode_raw(between, hint, defects))
        pending_charset = charset
        pending.append(payload)
        pos = match.end()
    flush()
    out.append(_decode_raw(value[pos:], hint, defects))
    return _CONTROL.sub(" ", "".join(out)).strip()
