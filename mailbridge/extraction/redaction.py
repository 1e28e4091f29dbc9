"""Secrets customers must never send: find them, and redact them before anything is kept.

Customers who lost money paste their seed phrase or private key "so support can check".
Whatever mailbridge stores, logs or sends must carry ``[REDACTED: <kind>]`` instead
(issue 3 "Secrets", issue 5). Four kinds:

``seed phrase``
    A BIP39 mnemonic (12/15/18/21/24 words) in any official word list, written spaced,
    unspaced (Chinese characters or Japanese kana with no separator), numbered
    (``1. abandon``, ``1) ...``, ``(1)``, one per line), comma/、/， separated, in any case and
    Unicode normal form, validated by the BIP39 checksum. A labelled run (``seed phrase``,
    ``助记词``, ``복구 구문``, ``シードフレーズ`` ...) of at least 12 list words is redacted even when
    the checksum fails: a typo must not be stored either.
``private key``
    64 hex digits (``0x`` optional), a 128-hex seed or a Solana-style base58 key after a
    private-key label on the same or the next line; a PEM ``PRIVATE KEY`` block; a BIP32
    extended private key (``xprv...``, checksum verified).
``wif key``
    A mainnet WIF key: base58check, version 0x80, 51 characters starting ``5`` or 52 starting
    ``K``/``L``. The checksum and version make it specific enough to need no label.
``api secret``
    A 32-128 character token after an API-secret label (``api secret``, ``secretKey``,
    ``API密钥``, ``시크릿 키``, ``シークレットキー`` ...). The API *key* is public and left alone.

Ordinary prose must not be redacted, and many BIP39 words are everyday words (English
``about``, ``account``, ``help``; Chinese lists are the 2,048 most common characters). So a
seed phrase needs a contiguous run of list words (only separators and numbering between
them) plus the checksum or a label; unspaced Chinese also has to look unlike prose
(``bip39_words.COMMON_HAN_WORDS``). Keys need a label, and the nearest label before a value
decides: a ``TxID:`` label after ``private key`` claims the hash for itself.

Cost: a message with nothing suspicious only goes through prefilters that work on whole
strings and bytes (``bytes.translate``, ``str.find``, a few one-pass regexes): about 40-70 µs
for 2 KB of English, 100-200 µs for 2 KB of Chinese, Korean or Japanese. The word-by-word
analysis runs only on the stretches they point at. A pathological 1 MB text costs ~1-3 s.

    >>> redact("my words: " + " ".join(["abandon"] * 11 + ["about"]))
    ('my words: [REDACTED: seed phrase]', ['seed phrase'])
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import compress
from typing import Callable, Mapping, Sequence

from . import bip39_words as bw

KINDS = ("seed phrase", "private key", "wif key", "api secret")


@dataclass(frozen=True, slots=True)
class SecretSpan:
    kind: str  # "seed phrase" | "private key" | "wif key" | "api secret"
    start: int
    end: int


MARKER_RE = re.compile(r"\[REDACTED: (?:seed phrase|private key|wif key|api secret)\]")
# Markers already in the text (a second redact() pass, a quoted reply to our own warning) are
# overwritten with this character for the analysis: it is no word and no separator, so runs
# stop at a marker, and it is dropped when measuring the distance from a label to a value.
_MASK = "\u2592"

# --- character classes --------------------------------------------------------------------
_LATIN = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\uFF21-\uFF3A\uFF41-\uFF5A"
_MARKS = "\u0300-\u036F"
_HANGUL = "\uAC00-\uD7A3\u1100-\u11FF\u3131-\u318E\uA960-\uA97F\uD7B0-\uD7FF"
_KANA = "\u3041-\u3096\u3099-\u309C"  # hiragana and its (combining or spacing) voicing marks
_HAN = "\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF"

# The tokens: Latin words, Hangul words, kana runs, single Chinese characters.
_TOKEN_RE = re.compile(
    f"(?P<L>[{_LATIN}][{_LATIN}{_MARKS}]*)|(?P<K>[{_HANGUL}]+)|(?P<J>[{_KANA}]+)|(?P<H>[{_HAN}])"
)
# How _SeedScan._chains finds them: with ``split`` (no match object per token), Chinese
# characters as whole runs that it takes apart. The pattern starts with one character class,
# which the regex engine skips to quickly (an alternation of classes is tried in full at every
# position); the classes are disjoint, so the first character says how the token goes on.
_TOKEN_SPLIT_RE = re.compile(
    f"([{_LATIN}{_HANGUL}{_KANA}{_HAN}](?:(?<=[{_LATIN}])[{_LATIN}{_MARKS}]*|(?<=[{_HANGUL}])[{_HANGUL}]*"
    f"|(?<=[{_KANA}])[{_KANA}]*|(?<=[{_HAN}])[{_HAN}]*))"
)


def _script(c: str) -> str:
    """The _TOKEN_RE group ("L", "K", "J" or "H") of a token that starts with ``c``."""
    if c < "\u1100":
        return "L"  # A-Z, a-z, U+00C0-024F
    if c <= "\u11ff":
        return "K"  # conjoining jamo
    if c < "\u3041":
        return "L"  # U+1E00-1EFF
    if c <= "\u309c":
        return "J"
    if c < "\u3400":
        return "K"  # compatibility jamo
    if c <= "\u9fff":
        return "H"
    if c < "\uf900":
        return "K"  # syllables, extended jamo
    if c <= "\ufaff":
        return "H"
    return "L"  # full-width letters


# What may stand between two words of one mnemonic: separators and numbering, nothing else.
# A sentence full stop does not qualify (a "." only after a number), so prose sentences do
# not join into one run.
_GAP_RE = re.compile(
    r"(?:[\s,，、;；|/·・•*>\"'“”‘’「」『』\-–—_:：=]"
    r"|#?[0-9０-９]{1,2}(?:[.．)）:：、]|(?=[\s\-–—]))"
    r"|[(（][0-9０-９]{1,2}[)）])*"
)
_MAX_GAP = 24
# A one-character gap matches _GAP_RE exactly when it is white space or one of these (the
# common case, tested without the regex; tests/extraction/test_fast_paths.py checks
# the equivalence over every code point).
_GAP_PUNCT = frozenset(",，、;；|/·・•*>\"'“”‘’「」『』-–—_:：=")
_GAP_OK: dict[str, bool] = {}  # gap -> may it join two words; mail repeats its gaps (", ", "\n")


def _gap_ok(gap: str) -> bool:
    """May ``gap`` (not empty) stand between two words of one mnemonic?"""
    ok = _GAP_OK.get(gap)
    if ok is None:
        if len(gap) == 1:
            ok = gap in _GAP_PUNCT or gap.isspace()
        else:
            ok = len(gap) <= _MAX_GAP and _GAP_RE.fullmatch(gap) is not None
        if len(_GAP_OK) < 4096:
            _GAP_OK[gap] = ok
    return ok

# --- fast prefilters ------------------------------------------------------------------------
_ASCII_SPLIT = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (65 <= c <= 90 or 97 <= c <= 122) else 32 for c in range(256)
)
_UTF8_SPLIT = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (65 <= c <= 90 or 97 <= c <= 122 or c >= 128) else 32 for c in range(256)
)
# Separators the gap pattern accepts that survive NFKC as non-ASCII (full-width ones become ASCII).
_WIDE_SEPARATORS = (
    "、", "・", "·", "•", "“", "”", "‘", "’", "「", "」", "『", "』", "—", "–", "，", "：", "；", "．", "（", "）",
    "\u3000", "\xa0", "\u0085", "\u2028", "\u2029", "\u1680", "\u2002", "\u2003", "\u2009", "\u202f",
) + tuple(chr(c) for c in range(0xFF10, 0xFF1A))  # full-width digits (numbering)
_WIDE_SEPARATOR_RE = re.compile("[" + re.escape("".join(_WIDE_SEPARATORS)) + "]")
# What NFKC changes that matters here: full-width letters, combining marks (NFD accents, kana
# voicing), conjoining Hangul jamo, compatibility ideographs. Other differences (full-width
# punctuation and digits, half-width katakana) are handled without it.
_NEEDS_NFKC = re.compile("[\uFF21-\uFF3A\uFF41-\uFF5A\u0300-\u036F\u1100-\u11FF\u3099\u309A\uF900-\uFAFF]")
# >= 10 list words with at most single non-list tokens between them: the least a mnemonic
# (or a labelled one with typos) looks like in the token stream.
_FLAGS_RE = re.compile(rb"\x01(?:\x00?\x01){9,}")  # on flags: one byte per word, 1 = a list word
_SPLIT_WORD_RE = re.compile(rb"[^ ]+")  # the words of a translated byte string, as split() sees them
_HAN_KANA_RE = re.compile("[\u3041-\u309f\u3400-\u9fff\uf900-\ufaff]")  # any Chinese character or kana
_PRE_SEP = r"[\s,、;|/·・•*>\-–—_:.)(0-9]{1,8}+"  # separators after NFKC (full-width ones are ASCII)
_HAN_RE = re.compile(f"[{_HAN}]+")
_SEP_HAN_RE = re.compile(rf"[{_HAN}]{_PRE_SEP}[{_HAN}](?:{_PRE_SEP}[{_HAN}]){{10}}")
_KANA_SPACED_RE = re.compile(rf"[{_KANA}]{{3,}}+(?:{_PRE_SEP}[{_KANA}]{{3,}}+){{11}}")
_KANA_UNSPACED_RE = re.compile(rf"[{_KANA}]{{36}}")
_KANA_CHAR_RE = re.compile(f"[{_KANA}]")
_KANA_GAP_KANA = re.compile(rb"\xe3[\x81\x82][\x80-\xbf] +(?=\xe3[\x81\x82])")  # UTF-8 hiragana: E3 81/82 xx
_CJK_RE = re.compile(f"[{_HAN}{_KANA}]+")
_ASCII_TO_SPACE = bytes(32 if c < 128 else c for c in range(256))
# UTF-8 lead bytes of accented Latin (U+00C0-024F, U+1E00-1EFF) and Hangul (syllables, jamo).
_WORD_LEADS = tuple(bytes([b]) for b in (0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xE1, 0xEA, 0xEB, 0xEC, 0xED))
_NOT_WORD_LEADS = bytes(b for b in range(256) if bytes([b]) not in _WORD_LEADS)  # translate() deletes these
_HIRAGANA_UTF8 = re.compile(b"\xe3[\x81\x82]")  # a regex finds these two-byte prefixes faster than "in"
# --- labels -----------------------------------------------------------------------------------
# (kind, anchor, pattern, back): a label is found by looking for its anchor (a plain,
# lower-case substring: str.find is fast) and matching ``pattern`` (lower case) from at most
# ``back`` characters before it. One big alternation regex was ~0.7 µs per character.
# Kinds: "seed" labels a mnemonic; "api" an API secret; "pk" a private key; "other" claims a
# long value for something harmless (a TxID, an API key, an address).
_LABEL_TABLE: tuple[tuple[str, str, str, int], ...] = (
    ("seed", "seed", r"(?<![a-z])seed(?:[\s_-]*(?:phrase|words?))?", 0),
    ("seed", "mnemonic", r"mnemonic(?:[\s_-]*(?:phrase|words?))?", 0),
    ("seed", "recovery", r"recovery[\s_-]*(?:phrase|words?|seed)", 0),
    ("seed", "phrase", r"secret[\s_-]*(?:recovery[\s_-]*)?phrase|backup[\s_-]*phrase", 18),
    ("seed", "word", r"(?<![0-9])(?:12|15|18|21|24|twelve|fifteen|eighteen|twenty[\s-]*(?:one|four))[\s-]*words?(?![a-z])"
                     r"|(?:backup|wallet)[\s_-]*words?", 16),
    ("seed", "助记", r"助记[词码字]", 0),
    ("seed", "助記", r"助記[詞碼字]", 0),
    ("seed", "短语", r"(?:恢复|种子|备份)短语", 2),
    ("seed", "短語", r"(?:恢復|種子|備份)短語", 2),
    ("seed", "种子", r"种子词", 0),
    ("seed", "種子", r"種子詞", 0),
    ("seed", "个", r"(?:12|15|18|21|24)\s*个\s*(?:单词|词|字)", 4),
    ("seed", "個", r"(?:12|15|18|21|24)\s*個\s*(?:單詞|詞|字)", 4),
    ("seed", "구문", r"(?:비밀\s*)?(?:복구|시드)\s*구문", 6),
    ("seed", "문구", r"(?:복구|시드)\s*문구", 4),
    ("seed", "니모닉", r"니모닉", 0),
    ("seed", "시드", r"시드(?:\s*(?:단어|키))?", 0),
    ("seed", "단어", r"(?:12|15|18|21|24)\s*개?의?\s*단어", 6),
    ("seed", "シード", r"シード(?:フレーズ)?", 0),
    ("seed", "ニーモニック", r"ニーモニック", 0),
    ("seed", "フレーズ", r"(?:リカバリー|復元|バックアップ)\s*フレーズ", 7),
    ("seed", "単語", r"(?:12|15|18|21|24)\s*(?:個の)?単語", 5),
    ("api", "api", r"api[\s_-]*(?:secret(?:[\s_-]*key)?|密[钥鑰]|金鑰|(?:시크릿|비밀)(?:\s*키)?|シークレット(?:\s*キー)?)", 0),
    ("api", "secret", r"secret[\s_-]*key|secret(?=[\"']?\s*[:=])", 0),
    ("api", "client", r"client[\s_-]*secret", 0),
    ("api", "시크릿", r"시크릿\s*키", 0),
    ("api", "シークレット", r"シークレット\s*キー", 0),
    ("pk", "priv", r"private[\s_-]*key|priv[\s_-]*key|privkey", 0),
    ("pk", "私钥", r"私钥", 0),
    ("pk", "私鑰", r"私鑰", 0),
    ("pk", "金鑰", r"私密金鑰", 2),
    ("pk", "密钥", r"(?<!公)密钥", 0),
    ("pk", "密鑰", r"(?<!公)密鑰", 0),
    ("pk", "개인", r"개인\s*키", 0),
    ("pk", "프라이빗", r"프라이빗\s*키", 0),
    ("pk", "비밀", r"비밀\s*키", 0),
    ("pk", "秘密鍵", r"秘密鍵", 0),
    ("pk", "プライベート", r"プライベート\s*キー", 0),
    ("pk", "seed", r"(?<![a-z])seed(?![\s_-]*(?:phrase|words?))", 0),
    ("other", "tx", r"(?<![a-z])tx[\s_-]*(?:id|hash)|/tx/", 1),
    ("other", "transaction", r"transaction[\s_-]*(?:id|hash)", 0),
    ("other", "hash", r"hash", 0),
    ("other", "交易", r"交易(?:哈希|\s*id|号|編號|雜湊)", 0),
    ("other", "哈希", r"哈希", 0),
    ("other", "雜湊", r"雜湊", 0),
    ("other", "트랜잭션", r"트랜잭션", 0),
    ("other", "해시", r"해시", 0),
    ("other", "거래", r"거래\s*id", 0),
    ("other", "トランザクション", r"トランザクション", 0),
    ("other", "ハッシュ", r"ハッシュ", 0),
    ("other", "取引", r"取引\s*id", 0),
    ("other", "api", r"api[\s_-]*(?:key|키|キー)|apikey", 0),
    ("other", "key", r"(?:access|public|pub)[\s_-]*key", 7),
    ("other", "公", r"公[钥鑰]|公開鍵", 0),
    ("other", "공개", r"공개\s*키", 0),
    ("other", "address", r"address", 0),
    ("other", "地址", r"地址", 0),
    ("other", "주소", r"주소", 0),
    ("other", "アドレス", r"アドレス", 0),
    ("other", "order", r"order", 0),
)


class _LabelFinder:
    """Labels of some kinds in a stretch of text, via their anchors.

    Each anchor is first gated by one of its characters: a one-character ``in`` test costs
    ~0.05 µs on 2 KB of CJK text, a multi-character search ~3 µs.
    """

    def __init__(self, kinds: set[str]) -> None:
        self.entries = [(kind, anchor, _gate(anchor), re.compile(pattern), back)
                        for kind, anchor, pattern, back in _LABEL_TABLE if kind in kinds]
        self.anchors = tuple(dict.fromkeys(anchor for _, anchor, _, _, _ in self.entries))

    def find(self, text: str, a: int, b: int) -> list[tuple[int, int, str]]:
        """(start, end, kind) of every label in ``text[a:b]``, sorted."""
        a = max(0, a)
        chunk = text[a:b]
        low = chunk.lower()
        if len(low) != len(chunk):  # lower() changed the length (e.g. "İ"): keep offsets exact
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in chunk)
        found: set[tuple[int, int, str]] = set()
        for kind, anchor, gate, pattern, back in self.entries:
            if gate not in low:
                continue
            i = low.find(anchor)
            while i >= 0:
                stop = i + len(anchor) + 40
                m = pattern.search(low, max(0, i - back), stop)
                while m and m.start() <= i:  # the match that contains this anchor
                    if m.end() >= i + len(anchor):
                        found.add((a + m.start(), a + m.end(), kind))
                        break
                    m = pattern.search(low, m.start() + 1, stop)
                i = low.find(anchor, i + 1)
        return sorted(found)


def _gate(anchor: str) -> str:
    """The character of ``anchor`` least likely in ordinary text (a rough guess is enough)."""
    if anchor in ("种子", "種子", "短语", "短語"):
        return anchor[0]
    return anchor[-1]


def _has_key_anchor(work: str, raw: bytes) -> bool:
    """Could there be a private-key or API-secret label anywhere in ``work``?"""
    ascii_part = raw.lower() if len(raw) == len(work) else raw.lower().translate(None, _NON_ASCII_BYTES)
    if any(a in ascii_part for a in _KEY_ANCHORS_ASCII):
        return True
    if len(raw) == len(work):
        return False
    return any(gate in work and a in work for gate, a in _KEY_ANCHORS_CJK)


# 个 or 個 right after a mnemonic's word count, with at most one white-space character between
# (the three characters before the measure word, stripped, end with the count).
_COUNTED_MEASURE = re.compile(r"[个個](?:(?<=(?:12|15|18|21|24).)|(?<=(?:12|15|18|21|24)\s.))")


def _has_anchor(low: str, low_utf8: bytes) -> bool:
    """Is there a seed-label anchor in ``low`` (lower-cased text, and the same as UTF-8)?"""
    if any(gate in low and a in low for gate, a in _SEED_ANCHORS_CJK):
        return True
    if _COUNTED_MEASURE.search(low):  # "12个词": a count before the (very common) measure word
        return True
    ascii_part = low_utf8.translate(None, _NON_ASCII_BYTES)  # ASCII anchors: search a short string
    return any(a in ascii_part for a in _SEED_ANCHORS_ASCII)


_SEED_LABELS = _LabelFinder({"seed"})
_KEY_LABELS = _LabelFinder({"api", "pk"})
_OTHER_LABELS = _LabelFinder({"other"})
# For the prefilter: the anchors, but "个"/"個" (a common measure word) only after a count.
_SEED_ANCHORS = tuple(a for a in _SEED_LABELS.anchors if a not in ("个", "個")) + tuple(
    f"{n}{c}" for n in (12, 15, 18, 21, 24) for c in "个個")
_SEED_ANCHORS_UTF8 = tuple(a.encode() for a in _SEED_ANCHORS)
_SEED_ANCHORS_ASCII = tuple(a.encode() for a in _SEED_ANCHORS if a.isascii())
_SEED_ANCHORS_CJK = tuple((_gate(a), a) for a in _SEED_LABELS.anchors if not a.isascii() and a not in ("个", "個"))
_KEY_ANCHORS_ASCII = tuple(a.encode() for a in _KEY_LABELS.anchors if a.isascii())
_KEY_ANCHORS_CJK = tuple((_gate(a), a) for a in _KEY_LABELS.anchors if not a.isascii())  # (gate, anchor)
_NON_ASCII_BYTES = bytes(range(128, 256))
_LENGTH_SET = frozenset(bw.MNEMONIC_LENGTHS)
_LABEL_LOOKBACK = 300

# --- long values --------------------------------------------------------------------------
_VALUE_RE = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{32,128}={0,2}(?![A-Za-z0-9+/=_\-])")
_VALUE_BYTES = bytes(
    0x61 if chr(c).isascii() and (chr(c).isalnum() or chr(c) in "+/_-=") else 0x20 for c in range(256)
)
_LONG_RUN = b"a" * 32
_DIGIT_RE = re.compile(r"[0-9]")
_B58 = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_HEX_KEY_RE = re.compile(r"(?:0[xX])?(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{128})")
_B64_32_RE = re.compile(r"[A-Za-z0-9+/]{43}=")
_PEM_BEGIN_RE = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_PEM_END_RE = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY_RE = re.compile(r"(?:[ \t]*(?:[A-Za-z0-9+/=]+|[A-Za-z-]+:[^\n]*)?[ \t]*\r?\n)*[A-Za-z0-9+/=]*")
_PEM_MAX = 20_000

# --- unspaced Chinese: prose or random characters? ------------------------------------------
# Mean log(index+1) below which 12..24 random list characters fall with probability ~1e-5
# (exact convolution of the uniform index distribution); prose sits far lower, since the
# Chinese lists are in frequency order.
_HAN_MEANLOG_FLOOR = {12: 4.95, 15: 5.15, 18: 5.3, 21: 5.4, 24: 5.5}
_LOG = tuple(math.log(i + 1) for i in range(2048))

# No secret is shorter: a seed phrase is 12 tokens of at least one character each (12 Chinese
# characters written together), a key or API secret 32 characters or more. Subjects often are.
_MIN_SECRET = 12
_MAX_PASSES = 8  # each pass removes unredacted text, so this is never reached in practice
_MAX_CHECKS = 4000  # checksum evaluations per message (~80 ms); past it, fail closed
_JA_MAX_NODES = 50_000


def find_secrets(text: str) -> list[SecretSpan]:
    """Every secret in ``text``, sorted by position; spans of one kind never overlap.

    >>> find_secrets("WIF: 5HpjKrb7dH5kKQQzmbjB87Mxova7mek5bXUTWfndcX6tBoqUwzm")
    [SecretSpan(kind='wif key', start=5, end=56)]
    """
    if len(text) < _MIN_SECRET:
        return []
    work = MARKER_RE.sub(lambda m: _MASK * len(m.group()), text) if "[REDACTED: " in text else text
    found: list[SecretSpan] = []
    if "PRIVATE KEY" in work:
        found += _pem_blocks(work)
    raw = work.encode("utf-8", "surrogatepass")
    values = _value_candidates(work, raw)
    # Label-free, position-independent detections first; then everything that depends on a
    # label, in text order, measuring label distance without what was already found (see
    # _Scan.between) so that redacting and scanning again finds nothing new.
    scan = _Scan(work, found)
    for start, end, value in values:
        kind = _self_evident_key(value)
        if kind:
            scan.add(kind, start, end)
    key_labelled = bool(values) and _has_key_anchor(work, raw)
    regions = _seed_prefilter(work, raw)
    seeds = None
    if regions:
        # "...museum glad\n\nprivate key: 4c08...": "private" and "key" are BIP39 words, and a
        # window of the phrase that runs on into them can pass the checksum by chance (one
        # 24-word phrase in five, laid out like this). A label that labels a value is
        # therefore never part of a seed phrase.
        protected = _Intervals()
        if key_labelled:
            for start, _, value in values:
                label = None if scan.covered(start, start + 1) else scan.label_of(start, value)
                if label:
                    protected.add(label[0], label[1])
        seeds = _SeedScan(work, scan, regions, protected)
        seeds.unlabelled()
    jobs: list[tuple[int, Callable[[], None]]] = seeds.labelled_jobs() if seeds else []
    if key_labelled:
        jobs += [(s, functools.partial(scan.labelled_value, s, e, v)) for s, e, v in values]
    for _, job in sorted(jobs, key=lambda j: j[0]):
        job()
    return _merge(scan.spans)


def redact(text: str) -> tuple[str, list[str]]:
    """``text`` with every secret replaced by ``[REDACTED: kind]``, and the kinds found.

    Overlapping secrets are replaced once (the longest names the marker). Running it again on
    its own output changes nothing: the scan is repeated on the redacted text until it finds
    nothing more. That second scan is almost always empty; it exists because a marker can
    change what is next to it (a key glued to a PEM block becomes a token of its own).
    """
    kinds: set[str] = set()
    for _ in range(_MAX_PASSES):
        spans = find_secrets(text)
        if not spans:
            break
        kinds.update(s.kind for s in spans)
        text = replace_spans(text, spans)
    return text, sorted(kinds)


def replace_spans(text: str, spans: list[SecretSpan]) -> str:
    """``text`` with each span replaced by its marker; overlapping spans become one marker,
    named by the longest of them."""
    pieces: list[str] = []
    cursor = 0
    for kind, start, end in _union(spans):
        pieces += [text[cursor:start], f"[REDACTED: {kind}]"]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


# --- shared state of one scan -------------------------------------------------------------


class _Intervals:
    """A union of half-open intervals, kept as sorted disjoint (start, end) lists."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, a: int, b: int) -> None:
        i = bisect.bisect_left(self.ends, a)  # first interval ending at or after a
        j = bisect.bisect_right(self.starts, b)  # intervals starting at or before b
        if i < j:
            a, b = min(a, self.starts[i]), max(b, self.ends[j - 1])
        self.starts[i:j] = [a]
        self.ends[i:j] = [b]

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.ends, a)  # first interval ending after a
        return i < len(self.starts) and self.starts[i] < b

    def contains(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.starts, a) - 1  # the interval starting at or before a
        return i >= 0 and self.ends[i] >= b

    def within(self, a: int, b: int) -> list[tuple[int, int]]:
        """The parts of the intervals inside [a, b)."""
        out = []
        for i in range(bisect.bisect_right(self.ends, a), len(self.starts)):
            if self.starts[i] >= b:
                break
            out.append((max(self.starts[i], a), min(self.ends[i], b)))
        return out


class _Scan:
    """What one find_secrets() call has found so far, and the label logic for long values."""

    def __init__(self, work: str, spans: list[SecretSpan]) -> None:
        self.work = work
        self.spans: list[SecretSpan] = []
        self.taken = _Intervals()
        self.checks = 0
        self._key_labels: list[tuple[int, int, str]] | None = None
        for span in spans:
            self.add(span.kind, span.start, span.end)

    def add(self, kind: str, start: int, end: int) -> None:
        self.spans.append(SecretSpan(kind, start, end))
        self.taken.add(start, end)

    def covered(self, start: int, end: int) -> bool:
        return self.taken.overlaps(start, end)

    def between(self, start: int, end: int) -> str:
        """``work[start:end]`` without secrets already found and without old markers.

        Label distances are measured on this, so a label sees the same distance to a value
        before and after the secrets between them became short markers.
        """
        if start >= end:
            return ""
        pieces, cursor = [], start
        for a, b in self.taken.within(start, end):
            pieces.append(self.work[cursor:a])
            cursor = b
        pieces.append(self.work[cursor:end])
        return "".join(pieces).replace(_MASK, "")

    def labelled_value(self, start: int, end: int, value: str) -> None:
        """A long value after a private-key or API-secret label, unless a nearer label (TxID,
        API key, address...) claims it."""
        if self.covered(start, end):
            return
        label = self.label_of(start, value)
        if label is not None:
            self.add("private key" if label[2] == "pk" else "api secret", start, end)

    def label_of(self, start: int, value: str) -> tuple[int, int, str] | None:
        """The private-key or API-secret label that makes the value at ``start`` a secret."""
        if not (_looks_like_key(value) or _looks_like_secret(value)):
            return None
        if self._key_labels is None:
            self._key_labels = _KEY_LABELS.find(self.work, 0, len(self.work))
            self._key_label_starts = [ls for ls, _, _ in self._key_labels]
        label = None  # the nearest: latest end, then earliest start ("API Secret Key", not "Key")
        first = bisect.bisect_left(self._key_label_starts, start - _LABEL_LOOKBACK - 64)
        for ls, le, kind in self._key_labels[first:bisect.bisect_left(self._key_label_starts, start)]:
            if le > start or le < start - _LABEL_LOOKBACK:
                continue
            if not self.covered(ls, le):  # "PRIVATE KEY" of a PEM block found already
                if label is None or (le, -ls) > (label[1], -label[0]):
                    label = (ls, le, kind)
        if label is None:
            return None
        if any(le > label[1] for _, le, _ in _OTHER_LABELS.find(self.work, max(0, label[1] - 8), start)):
            return None  # "private key is safe, TxID: ..."
        gap = self.between(label[1], start)
        if gap.count("\n") > 2 or len(gap.strip()) > 80:
            return None  # "same line or the next one", not a key somewhere further down
        if label[2] == "pk" and _looks_like_key(value) or label[2] == "api" and _looks_like_secret(value):
            return label
        return None


def _merge(spans: list[SecretSpan]) -> list[SecretSpan]:
    """Sort; fuse overlapping or touching spans of the same kind."""
    out: list[SecretSpan] = []
    for kind in sorted({s.kind for s in spans}):
        same = sorted((s for s in spans if s.kind == kind), key=lambda s: (s.start, s.end))
        for s in same:
            if out and out[-1].kind == kind and s.start <= out[-1].end:
                if s.end > out[-1].end:
                    out[-1] = SecretSpan(kind, out[-1].start, s.end)
            else:
                out.append(s)
    return sorted(out, key=lambda s: (s.start, s.end, s.kind))


def _union(spans: list[SecretSpan]) -> list[tuple[str, int, int]]:
    """Overlapping spans of any kind → one region, named after its longest span."""
    regions: list[list] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if regions and s.start < regions[-1][2]:
            region = regions[-1]
            region[2] = max(region[2], s.end)
            if s.end - s.start > region[3]:
                region[0], region[3] = s.kind, s.end - s.start
        else:
            regions.append([s.kind, s.start, s.end, s.end - s.start])
    return [(kind, start, end) for kind, start, end, _ in regions]


# --- keys -----------------------------------------------------------------------------------


def _pem_blocks(work: str) -> list[SecretSpan]:
    out = []
    for begin in _PEM_BEGIN_RE.finditer(work):
        end = _PEM_END_RE.search(work, begin.end(), begin.end() + _PEM_MAX)
        if end:
            stop = end.end()
        else:  # cut off (forwarded, truncated): take the base64 body that follows
            body = _PEM_BODY_RE.match(work, begin.end())
            stop = body.end() if body else begin.end()
        out.append(SecretSpan("private key", begin.start(), stop))
    return out


def _value_candidates(work: str, raw: bytes) -> list[tuple[int, int, str]]:
    """Every 32-128 character token of key/secret characters, as (start, end, value).

    The long runs are found on bytes (C speed); the pattern only runs over them.
    """
    runs = raw.translate(_VALUE_BYTES)  # ASCII key characters -> "a", anything else -> " "
    i = runs.find(_LONG_RUN)
    out: list[tuple[int, int, str]] = []
    cursor = 0
    while i >= 0:
        start = runs.rfind(b" ", 0, i) + 1
        end = runs.find(b" ", i)
        end = len(runs) if end < 0 else end
        token = raw[start:end]
        if len(raw) == len(work):
            s, e = start, end
        else:  # multi-byte text: find the (ASCII) run in the str to get str offsets
            s = work.find(token.decode("ascii"), cursor)
            if s < 0:  # cannot happen (the run is in the text); never guess offsets
                break
            e = s + len(token)
        core = token.rstrip(b"=")
        if len(core) <= 128 and len(token) - len(core) <= 2 and b"=" not in core:
            out.append((s, e, work[s:e]))  # the run is the value (the usual case)
        else:  # "key=value", or too long: let the pattern pick values out
            out += [(m.start(), m.end(), m.group()) for m in _VALUE_RE.finditer(work, s, e)]
        cursor = e
        i = runs.find(_LONG_RUN, end)
    return out


def _self_evident_key(value: str) -> str | None:
    """WIF and BIP32 extended private keys carry a version and a checksum: no label needed."""
    n = len(value)
    if n in (51, 52) and value[0] in "5KL" and set(value) <= _B58:
        if (n == 51) != (value[0] == "5"):
            return None
        from bip_utils import WifDecoder
        from bip_utils.base58.base58_ex import Base58ChecksumError

        try:
            WifDecoder.Decode(value)
        except (ValueError, Base58ChecksumError):
            return None
        return "wif key"
    if n == 111 and value[1:4] == "prv" and value[0] in "xyztuvYZUV" and set(value) <= _B58:
        from bip_utils import Base58Decoder
        from bip_utils.base58.base58_ex import Base58ChecksumError

        try:
            return "private key" if len(Base58Decoder.CheckDecode(value)) == 78 else None
        except (ValueError, Base58ChecksumError):
            return None
    return None


def _looks_like_key(value: str) -> bool:
    """A raw private key: 32 bytes in hex (or a 64-byte seed), base58 (Solana), base64."""
    if _HEX_KEY_RE.fullmatch(value):
        return True
    if 80 <= len(value) <= 90 and set(value) <= _B58:
        return True
    return bool(_B64_32_RE.fullmatch(value))


def _looks_like_secret(value: str) -> bool:
    """An API secret is random: it has a digit or both letter cases (not a hyphenated phrase)."""
    core = value.rstrip("=")
    if not 32 <= len(core) <= 128:
        return False
    return bool(_DIGIT_RE.search(core)) or (core != core.lower() and core != core.upper())


# --- seed phrases: prefilter ------------------------------------------------------------------


@functools.cache
def _ascii_words() -> frozenset[bytes]:
    """Every list word that is plain ASCII (the Latin lists, accents dropped), as bytes."""
    return frozenset(w.encode() for w in bw.word_lists().lookup if w.isascii())


@functools.cache
def _utf8_words() -> frozenset[bytes]:
    """Every list word, NFKC and lower case, as UTF-8."""
    return frozenset(w.encode() for w in bw.word_lists().lookup)


Region = tuple[int, int]


def _seed_prefilter(work: str, raw: bytes) -> list[Region]:
    """Where could ``work`` hold a seed phrase? Never misses one; may point at prose.

    Returns the stretches of ``work`` worth the word-by-word analysis (often none).
    Words are counted on bytes (``bytes.translate`` + ``split`` is several times faster than a
    regex): ASCII letters are folded to lower case, other ASCII becomes a space, and UTF-8
    sequences stay whole, so ``ábaco`` or ``가격`` are looked up as they are.
    """
    whole = [(0, len(work))]
    if len(raw) == len(work):
        known = _ascii_words()
        split = raw.translate(_ASCII_SPLIT)
        flags = bytes(map(known.__contains__, split.split()))
        if not _flags_fire(flags, raw, 11):
            return []
        return _pad([(a, b) for a, b in _flag_spans(flags, split, 11, raw)], len(work))
    # ``aligned``: offsets in ``pre`` are offsets in ``work``.
    aligned = unicodedata.is_normalized("NFKC", work) or not _NEEDS_NFKC.search(work)
    pre = work if aligned else unicodedata.normalize("NFKC", work)
    if _WIDE_SEPARATOR_RE.search(pre):
        for sep in _WIDE_SEPARATORS:
            if sep in pre:
                pre = pre.replace(sep, " ")
    lowered = pre.lower()
    low = lowered.encode("utf-8", "surrogatepass")
    if low.translate(None, _NOT_WORD_LEADS):  # Hangul or accented Latin: UTF-8 chunks are words too
        known = _utf8_words()
        split = low.translate(_UTF8_SPLIT)
    else:  # only ASCII words can be list words; CJK around them is a separator
        known = _ascii_words()
        split = low.translate(_ASCII_SPLIT)
    flags = bytes(map(known.__contains__, split.split()))
    found: list[Region] = []
    # 10, not 11: the last Korean word may carry a particle (가격입니다).
    if _flags_fire(flags, low, 10):
        if not aligned or len(lowered) != len(work):
            return whole
        spans = _flag_spans(flags, split, 10, low)
        chars = _char_offsets(low, sorted({x for span in spans for x in span}))
        found += [(chars[a], chars[b]) for a, b in spans]
    if not _HAN_KANA_RE.search(pre):
        return _pad(found, len(work))
    # One pass over Chinese characters and kana together (one character class scans fast).
    runs = _CJK_RE.findall(pre)
    lengths = list(map(len, runs))
    # Characters set apart (的 一 是 ...): twelve one-character runs in a row.
    if lengths.count(1) >= 12 and "1" * 12 in "".join(["1" if n == 1 else "0" for n in lengths]):
        found += [m.span() for m in _SEP_HAN_RE.finditer(pre)]
    han: list[str] = []  # Chinese-only runs of 12+ characters
    for run in compress(runs, map((12).__le__, lengths)):  # the runs of 12 or more
        if not _KANA_CHAR_RE.search(run):
            han.append(run)
            continue
        han += [r for r in _HAN_RE.findall(run) if len(r) >= 12]
        if len(run) >= 36 and _KANA_UNSPACED_RE.search(run):  # Japanese written together
            found += [(i, i + len(run)) for i in _occurrences(pre, run)]
    # Japanese with separators: kana, separators, kana, eleven times or more. Counted on bytes
    # with every ASCII byte (and, above, every wide separator) turned into a space.
    if _HIRAGANA_UTF8.search(raw):  # b"\xe3\x81" or b"\xe3\x82" in raw
        if len(_KANA_GAP_KANA.findall(low.translate(_ASCII_TO_SPACE))) >= 11:
            found += [m.span() for m in _KANA_SPACED_RE.finditer(pre)]
    if han:
        exact = {r for r in han if len(r) in _LENGTH_SET}
        if len(exact) > 4:  # many: one pass over the text beats a search per run
            spans = [m.span() for m in _HAN_RE.finditer(pre) if m.end() - m.start() in _LENGTH_SET]
        else:
            spans = [(i, i + len(r)) for r in exact for i in _occurrences(pre, r)]
        for i, end in spans:
            if (not (i and _is_han(pre[i - 1])) and not (end < len(pre) and _is_han(pre[end]))
                    and _isolated_han_mnemonic(pre, i, end)):
                found.append((i, end))
        if _has_anchor(lowered, low):  # a label allows Chinese glued to other text
            found += [(ls - _REGION_BEFORE, ls + _LABEL_REACH) for ls, _, _ in _SEED_LABELS.find(pre, 0, len(pre))]
    if not found:
        return []
    if not aligned:
        return whole
    return _pad(found, len(work))


def _pad(found: list[Region], n: int) -> list[Region]:
    """Candidate stretches widened to leave room for labels and context, merged."""
    return _merge_regions([(max(0, a - _REGION_BEFORE), min(n, b + _REGION_AFTER)) for a, b in found])


def _flag_spans(flags: bytes, split: bytes, need: int, low: bytes) -> list[Region]:
    """Byte offsets (in ``split``) of the word runs that made ``_flags_fire`` say yes."""
    runs = [m.span() for m in re.finditer(b"\x01{%d,}" % need, flags)]
    if any(a in low for a in _SEED_ANCHORS_UTF8):
        runs += [m.span() for m in _FLAGS_RE.finditer(flags)]
    words = [m.span() for m in _SPLIT_WORD_RE.finditer(split)]
    return [(words[a][0], words[b - 1][1]) for a, b in runs]


def _char_offsets(utf8: bytes, offsets: list[int]) -> dict[int, int]:
    """Byte offsets (sorted, at character boundaries) -> character offsets."""
    out: dict[int, int] = {}
    chars = last = 0
    for offset in offsets:
        chars += len(utf8[last:offset].decode("utf-8", "surrogatepass"))
        out[offset] = chars
        last = offset
    return out


def _occurrences(text: str, needle: str):
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


_REGION_BEFORE = 300  # room for a label before a candidate
_REGION_AFTER = 300
_LABEL_REACH = 1000  # a labelled run starts within ~150 characters of its label; 24 numbered words fit


def _merge_regions(regions: list[Region]) -> list[Region]:
    out: list[Region] = []
    for a, b in sorted(regions):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _isolated_han_mnemonic(pre: str, start: int, end: int) -> bool:
    """The unlabelled rule for Chinese written together, applied early (it is cheaper than the
    full analysis): a whole stretch of 12..24 list characters, not glued to a sentence, not
    prose, valid checksum."""
    if end - start not in bw.MNEMONIC_LENGTHS:
        return False
    if (start and pre[start - 1] in _PROSE_PUNCT) or (end < len(pre) and pre[end] in _PROSE_PUNCT):
        return False
    run = pre[start:end]
    index = bw.word_lists().index
    for language in ("chinese_simplified", "chinese_traditional"):
        words = index[language]
        if all(c in words for c in run):
            indices = [words[c] for c in run]
            if not _han_prose_like(run, indices) and bw.checksum_ok(indices):
                return True
    return False


def _flags_fire(flags: bytes, low: bytes, need: int) -> bool:
    """``flags`` has a 1 per list word, a 0 per other word. ``need`` list words in a row may be
    a mnemonic; with a seed label around, ten among single unknown words may be one with typos."""
    if b"\x01" * need in flags:
        return True
    return (flags.count(1) >= 10  # what _FLAGS_RE needs at least
            and bool(_FLAGS_RE.search(flags)) and any(a in low for a in _SEED_ANCHORS_UTF8))


# --- seed phrases: analysis -------------------------------------------------------------------


_NO_CANDS: Mapping[str, int] = {}
# Per-word results (pure functions of one token) are kept: mail repeats its words.
_norm = functools.lru_cache(maxsize=1 << 14)(bw.norm)
_strip_accents = functools.lru_cache(maxsize=1 << 14)(bw.strip_accents)


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str  # norm() of the token
    script: str  # "L" Latin, "K" Hangul, "J" kana, "H" Han
    cands: Mapping[str, int] = field(default_factory=dict)  # language -> word index (shared, read-only)
    gap_before: str = ""


class _SeedScan:
    """Word-by-word analysis of the ``regions`` the prefilter pointed at."""

    def __init__(self, work: str, scan: _Scan, regions: list[Region], protected: _Intervals) -> None:
        self.work = work
        self.scan = scan
        self.protected = protected  # labels of keys: never words of a seed phrase
        self.lists = bw.word_lists()
        self.labels = sorted({(ls, le) for a, b in regions for ls, le, _ in _SEED_LABELS.find(work, a, b)})
        self.label_starts = [ls for ls, _ in self.labels]
        self.chains = [chain for a, b in regions for chain in self._chains(a, b)]
        self._segment_cache: dict[tuple[int, str], list[list[tuple[_Tok, int]]]] = {}
        self._language_cache: dict[int, set[str]] = {}

    # tokens and chains -------------------------------------------------------------------

    def _chains(self, a: int, b: int) -> list[list[_Tok]]:
        """Tokens joined by separators into chains. A token that is no list word ends the
        chain, except kana (Japanese may be unspaced), Hangul (a particle may be glued to
        the last word) and, when a seed label is present, Latin words (typos).

        Only chains that can hold a candidate are returned: 12 tokens or more, or enough kana
        for 12 Japanese words (every later step needs one of the two).
        """
        lookup = self.lists.lookup.get
        keep_latin = bool(self.labels)
        protected = self.protected if self.protected.starts else None
        # Tokens are tuples (start, end, text, script, cands, gap_before) until a chain is known
        # to be kept: most chains are short, and a tuple costs a fraction of a _Tok.
        chains: list[list[tuple]] = []
        chain: list[tuple] = []
        kept = False  # was the token right before this one kept (in a chain)?
        # [gap, token, gap, token, ..., gap]: what _TOKEN_RE.finditer finds, without match objects.
        parts = iter(_TOKEN_SPLIT_RE.split(self.work[a:b]))
        pos = a
        for gap, raw in zip(parts, parts):  # (gap before a token, the token)
            start = pos + len(gap)
            pos = start + len(raw)
            c = raw[0]
            script = "L" if c < "\u1100" else _script(c)
            if script == "H":  # one token per character, written together
                for start, ch in enumerate(raw, start):
                    text = _norm(ch) if "\uF900" <= ch <= "\uFAFF" else ch  # ideographs are their own NFKC form
                    found = lookup(text)
                    if found is None or protected is not None and protected.overlaps(start, start + 1):
                        kept = False
                    else:
                        if kept and (not gap or _gap_ok(gap)):
                            chain.append((start, start + 1, text, "H", found, gap))
                        else:
                            chain = [(start, start + 1, text, "H", found, "")]
                            chains.append(chain)
                        kept = True
                    gap = ""
                continue
            text = raw.lower() if raw.isascii() else _norm(raw)
            found = lookup(text)
            if (found is None and script == "L" and not keep_latin
                    or protected is not None and protected.overlaps(start, pos)):
                kept = False
                continue
            if kept and (not gap or _gap_ok(gap)):
                chain.append((start, pos, text, script, found or _NO_CANDS, gap))
            else:
                chain = [(start, pos, text, script, found or _NO_CANDS, "")]
                chains.append(chain)
            kept = True
        kana_needed = 12 * min(self.lists.japanese_lengths or (3,))
        return [[_Tok(*t) for t in c] for c in chains if len(c) >= 12 or _has_kana(c, kana_needed)]

    def _segments(self, chain: list[_Tok], lang: str) -> list[list[tuple[_Tok, int]]]:
        """Maximal runs of ``chain`` whose tokens are all words of ``lang``.

        A Korean word with a particle glued on (``가격입니다``) may end a run. Computed once per
        chain and language (the label-free and the labelled pass both ask; callers do not
        modify the lists).
        """
        key = (id(chain), lang)  # chains live as long as this scan: ids are stable
        segs = self._segment_cache.get(key)
        if segs is None:
            segs = self._segment_cache[key] = self._find_segments(chain, lang)
        return segs

    def _find_segments(self, chain: list[_Tok], lang: str) -> list[list[tuple[_Tok, int]]]:
        segs: list[list[tuple[_Tok, int]]] = []
        cur: list[tuple[_Tok, int]] = []
        for tok in chain:
            if lang in tok.cands:
                cur.append((tok, tok.cands[lang]))
                continue
            if lang == "korean" and cur and tok.script == "K":
                part = self._korean_prefix(tok)
                if part:
                    cur.append(part)
            if cur:
                segs.append(cur)
            cur = []
        if cur:
            segs.append(cur)
        return segs

    def _korean_prefix(self, tok: _Tok) -> tuple[_Tok, int] | None:
        index = self.lists.index["korean"]
        for n in (4, 3, 2):
            word = tok.text[:n]
            if len(tok.text) > n and word in index:
                raw = self.work[tok.start:tok.end]
                end = tok.start + n
                if not unicodedata.is_normalized("NFC", raw):  # decomposed jamo: find where the word ends
                    end = next((tok.start + j for j in range(1, len(raw) + 1)
                                if bw.norm(raw[:j]) == word and not (j < len(raw) and "\u11a8" <= raw[j] <= "\u11ff")),
                               tok.end)
                return _Tok(tok.start, end, word, "K", {}, tok.gap_before), index[word]
        return None

    def _languages(self, chain: list[_Tok]) -> set[str]:
        langs = self._language_cache.get(id(chain))
        if langs is None:
            langs = self._language_cache[id(chain)] = set()
            for tok in chain:
                langs.update(tok.cands)
        return langs

    # label-free detection ----------------------------------------------------------------

    def unlabelled(self) -> None:
        for chain in self.chains:
            if len(chain) < 12 and not any(t.script == "J" for t in chain):
                continue
            for lang in self._languages(chain):
                if lang == "japanese":
                    continue
                for seg in self._segments(chain, lang):
                    if len(seg) >= 12:
                        self._windows(seg, lang)
            for region in self._kana_regions(chain):
                self._japanese(region, labelled=False)

    def _windows(self, seg: list[tuple[_Tok, int]], lang: str) -> bool:
        """Add every window of ``seg`` that is a mnemonic (no label needed); True if any was."""
        if lang not in bw.HAN_LANGUAGES:
            return self._checksum_windows(seg)
        hit = False
        for run, spaced in _gap_styles(seg):  # type: ignore[arg-type]
            if spaced:  # 的 一 是 ...: like words
                hit |= self._checksum_windows(run)  # type: ignore[arg-type]
            elif len(run) in _LENGTH_SET:  # written together: the whole stretch or nothing
                start, end = run[0][0].start, run[-1][0].end
                if self._han_window_ok(run, start, end, False, len(run) - 1):  # type: ignore[arg-type]
                    hit |= self._checksum_windows(run, only=len(run))  # type: ignore[arg-type]
        return hit

    def _checksum_windows(self, seg: list[tuple[_Tok, int]], only: int | None = None) -> bool:
        hit = False
        for k in (only,) if only else reversed(bw.MNEMONIC_LENGTHS):  # longest first
            for o in range(len(seg) - k + 1):
                window = seg[o:o + k]
                if self.scan.taken.contains(window[0][0].start, window[-1][0].end):
                    continue  # inside a mnemonic already found: nothing to add
                if self.scan.checks >= _MAX_CHECKS:
                    self.scan.add("seed phrase", seg[0][0].start, seg[-1][0].end)  # fail closed
                    return True
                self.scan.checks += 1
                if bw.checksum_ok([i for _, i in window]):
                    self.scan.add("seed phrase", window[0][0].start, window[-1][0].end)
                    hit = True
        return hit

    def _han_window_ok(self, window: list[tuple[_Tok, int]], start: int, end: int, labelled: bool,
                       glued: int | None = None) -> bool:
        """May these Chinese characters be a mnemonic (checksum aside)?

        Set apart one by one (``的 一 是``, ``的、一、是``) they may. Written together they must
        fill a whole stretch of Chinese text (a label may be glued on: ``助记词是的一是...``),
        without a label stand apart from sentences (not glued to ``，`` or ``。``), and not look
        like prose. Half-and-half (``中国石油、中国南车``) is an enumeration in prose.
        """
        spaced = self._han_bounds_ok(window, start, end, labelled, glued)
        if spaced is None:
            return False
        return spaced or not _han_prose_like("".join(t.text for t, _ in window), [i for _, i in window])

    def _han_bounds_ok(self, window: Sequence[tuple[_Tok, int | None]], start: int, end: int,
                       labelled: bool, glued: int | None = None) -> bool | None:
        """None: cannot be a mnemonic; True: set apart; False: written together, bounds fine.

        ``glued``: how many characters of the window follow the previous one with no gap
        (computed here unless the caller has it from ``_glued_prefix``).
        """
        if glued is None:
            glued = sum(1 for tok, _ in window[1:] if not tok.gap_before)
        if glued == 0:
            return True
        if glued != len(window) - 1:
            return None
        before = self.work[start - 1] if start else "\n"
        after = self.work[end] if end < len(self.work) else "\n"
        if _is_han(after) or (not labelled and after in _PROSE_PUNCT):
            return None
        if _is_han(before) or (not labelled and before in _PROSE_PUNCT):
            near = self.labels[bisect.bisect_left(self.label_starts, start - 64):
                               bisect.bisect_right(self.label_starts, start)]
            if not labelled or not any(0 <= start - le <= 2 and all(map(_is_han, self.work[le:start]))
                                       for _, le in near):
                return None
        return False

    # Japanese (kana words, spaced or not) ------------------------------------------------

    def _kana_regions(self, chain: list[_Tok]) -> list[list[_Tok]]:
        regions, cur = [], []
        for tok in chain:
            if tok.script == "J":
                cur.append(tok)
            elif cur:
                regions.append(cur)
                cur = []
        if cur:
            regions.append(cur)
        min_len = 12 * min(self.lists.japanese_lengths or (3,))
        return [r for r in regions if sum(len(t.text) for t in r) >= min_len]

    def _japanese(self, region: list[_Tok], labelled: bool) -> bool:
        """Segment kana into Japanese list words (they may be written without spaces).

        Words never cross a token boundary. Without a label a mnemonic must start at most 3
        kana into a token and end at most 5 kana before a token's end (a particle such as
        ``は`` or ``です`` glued on), which keeps kana prose out.
        """
        index = self.lists.index.get("japanese")
        if not index:
            return False
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        token_of: list[int] = []
        token_bounds: list[tuple[int, int]] = []
        for ti, tok in enumerate(region):
            if ti:
                chars.append("|")
                starts.append(tok.start)
                ends.append(tok.start)
                token_of.append(-1)
            first = len(chars)
            text = self.work[tok.start:tok.end]
            if _VOICING.isdisjoint(text):  # composed kana (the usual case): one char each
                chars += text
                starts += range(tok.start, tok.end)
                ends += range(tok.start + 1, tok.end + 1)
                token_of += [ti] * len(text)
            else:
                for cs, ce, c in _kana_clusters(self.work, tok.start, tok.end):
                    chars.append(c)
                    starts.append(cs)
                    ends.append(ce)
                    token_of.append(ti)
            token_bounds.append((first, len(chars)))
        s = "".join(chars)
        lengths = self.lists.japanese_lengths
        hit = False
        best: tuple[int, int] | None = None
        nodes = 0
        if labelled:
            start_positions = [p for p in range(len(s)) if s[p] != "|"]
        else:
            start_positions = [p for a, b in token_bounds for p in range(a, min(a + 4, b))]
        words_at: dict[int, list[tuple[int, int]]] = {}
        for p0 in start_positions:
            stack: list[tuple[int, tuple[int, ...]]] = [(p0, ())]
            while stack:
                q, path = stack.pop()
                nodes += 1
                if nodes > _JA_MAX_NODES:
                    self.scan.add("seed phrase", region[0].start, region[-1].end)  # fail closed
                    return True
                d = len(path)
                if d >= 12 and (best is None or q - p0 > best[1] - best[0]):
                    best = (p0, q)
                if (d in bw.MNEMONIC_LENGTHS and (labelled or self._ja_end_ok(q, token_of, token_bounds))
                        and not self.scan.taken.contains(starts[p0], ends[q - 1])):
                    self.scan.checks += 1
                    if bw.checksum_ok(path):
                        self.scan.add("seed phrase", starts[p0], ends[q - 1])
                        hit = True
                if self.scan.checks >= _MAX_CHECKS:
                    self.scan.add("seed phrase", region[0].start, region[-1].end)  # fail closed
                    return True
                if d == 24:
                    continue
                following = words_at.get(q)
                if following is None:  # the list words that start here: the same from every p0
                    r = q + 1 if q < len(s) and s[q] == "|" else q
                    following = words_at[q] = [(r + n, index[s[r:r + n]]) for n in lengths
                                               if r + n <= len(s) and s[r:r + n] in index]
                for nq, i in following:
                    stack.append((nq, path + (i,)))
        if labelled and best and not hit:
            self.scan.add("seed phrase", starts[best[0]], ends[best[1] - 1])
            hit = True
        return hit

    @staticmethod
    def _ja_end_ok(q: int, token_of: list[int], bounds: list[tuple[int, int]]) -> bool:
        ti = token_of[q - 1]
        return bounds[ti][1] - q <= 5

    # labelled detection --------------------------------------------------------------------

    def labelled_jobs(self) -> list[tuple[int, Callable[[], None]]]:
        """Closures to run in text order (after the unlabelled pass), one per candidate run."""
        if not self.labels:
            return []
        jobs: list[tuple[int, Callable[[], None]]] = []
        for chain in self.chains:
            langs = self._languages(chain)
            for lang in langs:
                if lang == "japanese":
                    continue
                segs: Sequence[Sequence[tuple[_Tok, int | None]]] = self._segments(chain, lang)
                if lang in bw.LATIN_LANGUAGES:
                    segs = [*self._loose_segments(chain, lang), *segs]
                for seg in segs:
                    if len(seg) >= 12:
                        jobs.append((seg[0][0].start, self._labelled_seg_job(seg, lang)))
            for region in self._kana_regions(chain):
                jobs.append((region[0].start, self._labelled_kana_job(region)))
        return jobs

    def _labelled_seg_job(self, seg: Sequence[tuple[_Tok, int | None]], lang: str) -> Callable[[], None]:
        def job() -> None:
            for piece in self._uncovered_pieces(seg):
                if len(piece) < 12 or not self._is_labelled(piece[0][0].start, piece[-1][0].end):
                    continue
                if lang not in bw.HAN_LANGUAGES:
                    self._add_run(piece)
                    continue
                for run, spaced in _gap_styles(piece):
                    if spaced:
                        self._add_run(run)
                    else:
                        self._labelled_unspaced_han(run)
        return job

    def _labelled_unspaced_han(self, run: list[tuple[_Tok, int | None]]) -> None:
        """Chinese written together after a label: a window that fills the stretch (the label
        and a character or two may be glued on) and has a valid checksum, or that fails the
        checksum but does not read like prose (a typo)."""
        for k in bw.MNEMONIC_LENGTHS:
            for o in range(len(run) - k + 1):
                window = run[o:o + k]
                ws, we = window[0][0].start, window[-1][0].end
                # ``run`` is written together (from _gap_styles): after its first character,
                # none has a gap before it.
                if self._han_bounds_ok(window, ws, we, labelled=True, glued=k - 1) is None:
                    continue
                indices = [i for _, i in window]
                if (bw.checksum_ok(indices)  # type: ignore[arg-type]
                        or not _han_prose_like("".join(t.text for t, _ in window), indices)):  # type: ignore[arg-type]
                    self.scan.add("seed phrase", ws, we)

    def _uncovered_pieces(self, seg: Sequence[tuple[_Tok, int | None]]) -> list[list[tuple[_Tok, int | None]]]:
        """``seg`` split around secrets already found: the words around a valid mnemonic are
        judged on their own (exactly as a second pass would see them, split by markers)."""
        pieces: list[list[tuple[_Tok, int | None]]] = [[]]
        for item in seg:
            if self.scan.covered(item[0].start, item[0].end):
                if pieces[-1]:
                    pieces.append([])
            else:
                pieces[-1].append(item)
        return [p for p in pieces if p]

    def _add_run(self, run: list[tuple[_Tok, int | None]]) -> None:
        """Redact a labelled run of 12+ list words (checksum failed), minus label words and
        prose lines around it."""
        run = self._drop_label_words(run)
        if len(run) >= 12:
            run = self._trim_lines(run)
            self.scan.add("seed phrase", run[0][0].start, run[-1][0].end)

    def _trim_lines(self, run: list[tuple[_Tok, int | None]]) -> list[tuple[_Tok, int | None]]:
        """Keep the words' own lines: in "maybe I wrote one word wrong: / <12 words> / Can
        you check?" the list words of the first and last lines are prose. A line holding 12+
        words is the mnemonic; otherwise (one word per line, say) edge lines shared with other
        text go, as long as 12 words remain."""
        lines: list[list[tuple[_Tok, int | None]]] = []
        for item in run:
            if not lines or "\n" in item[0].gap_before:
                lines.append([])
            lines[-1].append(item)
        if len(lines) == 1:
            return run
        full = [i for i, line in enumerate(lines) if len(line) >= 12]
        if full:
            return [item for line in lines[full[0]:full[-1] + 1] for item in line]
        while len(lines) > 1 and self._shares_line(lines[0], first=True) and sum(map(len, lines[1:])) >= 12:
            lines.pop(0)
        while len(lines) > 1 and self._shares_line(lines[-1], first=False) and sum(map(len, lines[:-1])) >= 12:
            lines.pop()
        return [item for line in lines for item in line]

    def _shares_line(self, line: list[tuple[_Tok, int | None]], first: bool) -> bool:
        """Does this line hold text (letters, or a secret already found) besides these words?"""
        if first:
            a = self.work.rfind("\n", 0, line[0][0].start) + 1
            b = line[0][0].start
        else:
            a = line[-1][0].end
            b = self.work.find("\n", a)
            b = len(self.work) if b < 0 else b
        outside = self.work[a:b]
        return any(c.isalpha() or c == _MASK for c in outside) or self.scan.covered(a, b)

    def _drop_label_words(self, seg: list[tuple[_Tok, int | None]]) -> list[tuple[_Tok, int | None]]:
        """``seed phrase abandon ...``: "seed" and "phrase" are list words but not secret."""
        near = self.labels[bisect.bisect_left(self.label_starts, seg[0][0].start - 64):
                           bisect.bisect_right(self.label_starts, seg[-1][0].end)]
        i = 0
        while i < len(seg) and any(ls < seg[i][0].end and seg[i][0].start < le for ls, le in near):
            i += 1
        return seg[i:]

    def _labelled_kana_job(self, region: list[_Tok]):
        def job() -> None:
            if self._is_labelled(region[0].start, region[-1].end):
                self._japanese(region, labelled=True)
        return job

    def _loose_segments(self, chain: list[_Tok], lang: str) -> list[list[tuple[_Tok, int | None]]]:
        """Runs with typos, for labelled text only: a word spelled wrong but with the right
        first four letters (BIP39 words are unique by them), or up to two unknown words."""
        prefix4 = self.lists.prefix4.get(lang, {})
        segs: list[list[tuple[_Tok, int | None]]] = []
        cur: list[tuple[_Tok, int | None]] = []
        unknown = 0

        def close() -> None:
            nonlocal cur, unknown
            while cur and cur[-1][1] is None:
                cur.pop()
            if len(cur) >= 12 and sum(1 for _, i in cur if i is not None) >= 10:
                segs.append(cur)
            cur, unknown = [], 0

        for tok in chain:
            if lang in tok.cands:
                cur.append((tok, tok.cands[lang]))
            elif tok.script == "L" and len(tok.text) >= 3 and _strip_accents(tok.text)[:4] in prefix4:
                cur.append((tok, prefix4[_strip_accents(tok.text)[:4]]))
            elif (tok.script == "L" and 3 <= len(tok.text) <= 12 and cur and unknown < 2
                  and cur[-1][1] is not None):
                cur.append((tok, None))
                unknown += 1
            else:
                close()
        close()
        return segs

    def _is_labelled(self, start: int, end: int) -> bool:
        first = bisect.bisect_left(self.label_starts, start - _LABEL_REACH)
        last = bisect.bisect_right(self.label_starts, end + 40)
        for ls, le in self.labels[first:last]:
            if self.scan.covered(ls, le):
                continue  # inside a secret already found: a second pass would not see it
            if ls < end and start < le:
                return True  # the label's words are part of the run ("seed phrase abandon ...")
            if le <= start:
                gap = self.scan.between(le, start)
                if gap.count("\n") <= 3 and len(gap.strip()) <= 150:
                    return True
            elif ls >= end:
                gap = self.scan.between(end, ls)
                if "\n" not in gap.strip(" \t") and len(gap) <= 40:
                    return True
        return False


def _has_kana(chain: list[tuple], needed: int) -> bool:
    """Do the kana tokens of a chain of token tuples hold ``needed`` characters (in NFKC)? A
    kana character is at most two in NFKC ("゛" -> " ゙"): a short chain is answered at once."""
    if 2 * (chain[-1][1] - chain[0][0]) < needed:
        return False
    return sum(len(t[2]) for t in chain if t[3] == "J") >= needed


def _glued_prefix(seg: list[tuple[_Tok, int | None]]) -> list[int]:
    """``out[i]``: how many of tokens 1..i follow their predecessor with no gap."""
    out = [0]
    for tok, _ in seg[1:]:
        out.append(out[-1] + (not tok.gap_before))
    return out


def _gap_styles(run: list[tuple[_Tok, int | None]]) -> list[tuple[list[tuple[_Tok, int | None]], bool]]:
    """Split Chinese characters into stretches written together and stretches set apart
    (``(stretch, spaced)``); a character at a change of style belongs to both."""
    out: list[tuple[list[tuple[_Tok, int | None]], bool]] = []
    for a, b in zip(run, run[1:]):
        spaced = bool(b[0].gap_before)
        if out and out[-1][1] == spaced:
            out[-1][0].append(b)
        else:
            out.append(([a, b], spaced))
    return out


_PROSE_PUNCT = frozenset("，、；！？。…,;!?")


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u4DBF" or "\u4E00" <= c <= "\u9FFF" or "\uF900" <= c <= "\uFAFF"


def _han_prose_like(chars: str, indices: list[int]) -> bool:
    k = len(indices)
    if sum(_LOG[i] for i in indices) / k < _HAN_MEANLOG_FLOOR[k]:
        return True
    common = bw.COMMON_HAN_WORDS
    words = sum(1 for i in range(k - 1) if chars[i:i + 2] in common or chars[i:i + 3] in common)
    return words >= 2


_VOICING = frozenset("\u3099\u309A\u309B\u309C")


def _kana_clusters(work: str, start: int, end: int):
    """(orig_start, orig_end, char) for each kana of ``work[start:end]`` in NFKC form:
    a base with its combining voicing mark (NFD text) becomes one character."""
    i = start
    while i < end:
        j = i + 1
        while j < end and work[j] in _VOICING:
            j += 1
        cluster = work[i:j].replace("\u309B", "\u3099").replace("\u309C", "\u309A")
        for c in unicodedata.normalize("NFKC", cluster):
            yield i, j, c
        i = j
