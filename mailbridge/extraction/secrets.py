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

Cost: a message with nothing suspicious goes through a few C-speed prefilters (about 20 µs
for 2 KB of English); the word-by-word analysis only runs where they fire.

    >>> redact("my words: " + " ".join(["abandon"] * 11 + ["about"]))
    ('my words: [REDACTED: seed phrase]', ['seed phrase'])
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

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
_HAN_SET = None  # set lazily below (a str test on a range is enough)

_TOKEN_RE = re.compile(
    f"(?P<L>[{_LATIN}][{_LATIN}{_MARKS}]*)|(?P<K>[{_HANGUL}]+)|(?P<J>[{_KANA}]+)|(?P<H>[{_HAN}])"
)
# What may stand between two words of one mnemonic: separators and numbering, nothing else.
# A sentence full stop does not qualify (a "." only after a number), so prose sentences do
# not join into one run.
_GAP_RE = re.compile(
    r"(?:[\s,，、;；|/·・•*>\"'“”‘’「」『』\-–—_:：=]"
    r"|[#№]?\d{1,2}(?:[.．)）:：、]|(?=[\s\-–—]))"
    r"|[(（]\d{1,2}[)）])*"
)
_MAX_GAP = 24

# --- fast prefilters ------------------------------------------------------------------------
_ASCII_SPLIT = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (65 <= c <= 90 or 97 <= c <= 122) else 32 for c in range(256)
)
_PRE_TOKEN_RE = re.compile(f"[{_LATIN}]+|[{_HANGUL}]+")
# >= 10 list words with at most single non-list tokens between them: the least a mnemonic
# (or a labelled one with typos) looks like in the token stream.
_FLAGS_RE = re.compile(r"1(?:0?1){9,}")
_HAN_RUN_RE = re.compile(f"[{_HAN}]{{12,}}")
_SEP_HAN_RE = re.compile(
    rf"[{_HAN}](?:[\s\u3000,，、;；|/·・•*>\-–—_:：.．)）(（\d]{{1,8}}[{_HAN}]){{11}}"
)
_KANA_REGION_RE = re.compile(rf"[{_KANA}](?:[\s,，、;；|/·・•*>\-–—_:：.．)）(（\d]{{0,8}}[{_KANA}]){{35}}")
_SEED_ANCHORS = (
    "seed", "mnemonic", "recovery", "phrase", "words", "助记", "助記", "短语", "短語", "种子", "種子",
    "单词", "單詞", "구문", "니모닉", "시드", "단어", "문구", "フレーズ", "ニーモニック", "単語",
)

# --- labels -----------------------------------------------------------------------------------
_SEED_LABEL_RE = re.compile(
    r"seed[\s_-]*(?:phrase|words?)|(?<![a-z])seed(?![a-z])|mnemonic(?:[\s_-]*(?:phrase|words?))?"
    r"|recovery[\s_-]*(?:phrase|words?|seed)|secret[\s_-]*(?:recovery[\s_-]*)?phrase"
    r"|backup[\s_-]*(?:phrase|words?)|wallet[\s_-]*words"
    r"|(?<![\d])(?:12|15|18|21|24|twelve|fifteen|eighteen|twenty[\s-]*(?:one|four))[\s-]*words?(?![a-z])"
    r"|助记词|助記詞|助记码|助記碼|助记字|恢复短语|恢復短語|种子短语|種子短語|种子词|種子詞|备份短语|備份短語"
    r"|(?:12|15|18|21|24)\s*个\s*(?:单词|词|字)|(?:12|15|18|21|24)\s*個\s*(?:單詞|詞|字)"
    r"|비밀\s*복구\s*구문|복구\s*(?:구문|문구)|니모닉|시드\s*(?:구문|문구|단어|키)?|(?:12|15|18|21|24)\s*개?의?\s*단어"
    r"|シードフレーズ|シード|ニーモニック|リカバリー\s*フレーズ|復元\s*フレーズ|バックアップ\s*フレーズ"
    r"|(?:12|15|18|21|24)\s*(?:個の)?単語",
    re.IGNORECASE,
)
# Labels that decide what a long value after them is. Alternation order matters where two
# labels start at the same place ("API Secret Key" is a secret, not a key).
_VALUE_LABEL_RE = re.compile(
    r"(?P<api>api[\s_-]*secret(?:[\s_-]*key)?|secret[\s_-]*key|client[\s_-]*secret|api[\s_-]*密[钥鑰]"
    r"|api\s*金鑰|api\s*(?:시크릿|비밀)(?:\s*키)?|시크릿\s*키|api\s*シークレット(?:\s*キー)?|シークレット\s*キー"
    r"|secret(?=[\"']?\s*[:=]))"
    r"|(?P<pk>private[\s_-]*key|priv[\s_-]*key|privkey|私[钥鑰]|私密金[钥鑰]|(?<!公)密[钥鑰]"
    r"|개인\s*키|프라이빗\s*키|비밀\s*키|秘密鍵|プライベート\s*キー"
    r"|(?:master[\s_-]*|wallet[\s_-]*|bip39[\s_-]*)?seed(?![\s_-]*(?:phrase|words?)))"
    r"|(?P<other>tx[\s_-]*id|tx[\s_-]*hash|transaction[\s_-]*(?:id|hash)|hash|交易哈希|哈希|交易\s*id|交易号|交易編號"
    r"|交易雜湊|雜湊|트랜잭션|거래\s*(?:id|해시)|해시|トランザクション|ハッシュ|取引\s*id|/tx/"
    r"|api[\s_-]*key|apikey|access[\s_-]*key|api\s*키|api\s*キー|api\s*key\s*id"
    r"|public[\s_-]*key|pub[\s_-]*key|公[钥鑰]|공개\s*키|公開鍵|address|地址|주소|アドレス|order)",
    re.IGNORECASE,
)
_KEY_ANCHORS = ("key", "secret", "priv", "seed", "私", "密", "키", "鍵", "キー", "シークレット", "시크릿", "金鑰")
_LABEL_LOOKBACK = 300

# --- long values --------------------------------------------------------------------------
_VALUE_RE = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{32,128}={0,2}(?![A-Za-z0-9+/=_\-])")
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

_MAX_CHECKS = 4000  # checksum evaluations per message (~80 ms); past it, fail closed
_JA_MAX_NODES = 50_000


def find_secrets(text: str) -> list[SecretSpan]:
    """Every secret in ``text``, sorted by position; spans of one kind never overlap.

    >>> find_secrets("WIF: 5HpjKrb7dH5kKQQzmbjB87Mxova7mek5bXUTWfndcX6tBoqUwzm")
    [SecretSpan(kind='wif key', start=5, end=56)]
    """
    if not text:
        return []
    work = MARKER_RE.sub(lambda m: _MASK * len(m.group()), text) if "[REDACTED: " in text else text
    found: list[SecretSpan] = []
    if "PRIVATE KEY" in work:
        found += _pem_blocks(work)
    values = _value_candidates(work)
    # Label-free, position-independent detections first; then everything that depends on a
    # label, in text order, measuring label distance without what was already found (see
    # _Scan.between) so that redacting and scanning again finds nothing new.
    scan = _Scan(work, found)
    for start, end, value in values:
        kind = _self_evident_key(value)
        if kind:
            scan.add(kind, start, end)
    seeds = _SeedScan(work, scan) if _seed_prefilter(work) else None
    if seeds:
        seeds.unlabelled()
    labelled_jobs: list[tuple[int, int, object]] = []
    if seeds:
        labelled_jobs += seeds.labelled_jobs()
    if values and _has_any(work, _KEY_ANCHORS, lower=True):
        labelled_jobs += [(s, 1, (s, e, v)) for s, e, v in values]
    for _, _, job in sorted(labelled_jobs, key=lambda j: (j[0], j[1])):
        if callable(job):
            job()
        else:
            scan.labelled_value(*job)  # type: ignore[misc]
    return _merge(scan.spans)


def redact(text: str) -> tuple[str, list[str]]:
    """``text`` with every secret replaced by ``[REDACTED: kind]``, and the kinds found.

    Overlapping secrets are replaced once (the longest names the marker); running it again
    on its own output changes nothing.
    """
    spans = find_secrets(text)
    if not spans:
        return text, []
    pieces: list[str] = []
    cursor = 0
    for kind, start, end in _union(spans):
        pieces += [text[cursor:start], f"[REDACTED: {kind}]"]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), sorted({s.kind for s in spans})


# --- shared state of one scan -------------------------------------------------------------


class _Scan:
    def __init__(self, work: str, spans: list[SecretSpan]) -> None:
        self.work = work
        self.spans = list(spans)
        self.checks = 0
        self._labels: list[tuple[int, int, str]] | None = None

    def add(self, kind: str, start: int, end: int) -> None:
        self.spans.append(SecretSpan(kind, start, end))

    def covered(self, start: int, end: int) -> bool:
        return any(s.start < end and start < s.end for s in self.spans)

    def between(self, start: int, end: int) -> str:
        """``work[start:end]`` without secrets already found and without old markers.

        Label distances are measured on this, so a label sees the same distance to a value
        before and after the secrets between them became short markers.
        """
        if start >= end:
            return ""
        cut = sorted((max(s.start, start), min(s.end, end)) for s in self.spans
                     if s.start < end and start < s.end)
        pieces, cursor = [], start
        for a, b in cut:
            if a > cursor:
                pieces.append(self.work[cursor:a])
            cursor = max(cursor, b)
        pieces.append(self.work[cursor:end])
        return "".join(pieces).replace(_MASK, "")

    def value_labels(self) -> list[tuple[int, int, str]]:
        if self._labels is None:
            self._labels = [(m.start(), m.end(), m.lastgroup or "other")
                            for m in _VALUE_LABEL_RE.finditer(self.work)]
        return self._labels

    def labelled_value(self, start: int, end: int, value: str) -> None:
        if self.covered(start, end):
            return
        label = None
        for ls, le, kind in self.value_labels():
            if le > start:
                break
            if start - le <= _LABEL_LOOKBACK:
                label = (ls, le, kind)
        if label is None or label[2] == "other":
            return
        gap = self.between(label[1], start)
        if gap.count("\n") > 2 or len(gap) > 100 or gap.strip(" \t\r\n\"':：=#-") and len(gap.strip()) > 80:
            return
        if label[2] == "pk" and _looks_like_key(value):
            self.add("private key", start, end)
        elif label[2] == "api" and _looks_like_secret(value):
            self.add("api secret", start, end)


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


def _has_any(text: str, needles: tuple[str, ...], lower: bool = False) -> bool:
    hay = text.lower() if lower else text
    return any(n in hay for n in needles)


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


def _value_candidates(work: str) -> list[tuple[int, int, str]]:
    # Cheap gate: no whitespace-free stretch of 32+ characters, no long value.
    if max(map(len, work.split()), default=0) < 32:
        return []
    return [(m.start(), m.end(), m.group()) for m in _VALUE_RE.finditer(work)]


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
    has_digit = any(c.isdigit() for c in core)
    return has_digit or (any(c.islower() for c in core) and any(c.isupper() for c in core))


# --- seed phrases: prefilter ------------------------------------------------------------------


def _ascii_words() -> frozenset[bytes]:
    global _ASCII_WORDS
    if _ASCII_WORDS is None:
        _ASCII_WORDS = frozenset(w.encode() for w in bw.word_lists().lookup if w.isascii())
    return _ASCII_WORDS


_ASCII_WORDS: frozenset[bytes] | None = None
_ALL_WORDS: frozenset[str] | None = None
_HAN_WORDS: frozenset[str] | None = None


def _all_words() -> frozenset[str]:
    global _ALL_WORDS, _HAN_WORDS
    if _ALL_WORDS is None:
        lists = bw.word_lists()
        _ALL_WORDS = frozenset(lists.lookup)
        _HAN_WORDS = frozenset(c for lang in bw.HAN_LANGUAGES for c in lists.index[lang])
    return _ALL_WORDS


def _seed_prefilter(work: str) -> bool:
    """Could ``work`` hold a seed phrase at all? Must never say no to one; may say yes to prose."""
    if work.isascii():
        words = work.encode("ascii").translate(_ASCII_SPLIT).split()
        known = _ascii_words()
        return bool(_FLAGS_RE.search("".join(["1" if w in known else "0" for w in words])))
    pre = work if unicodedata.is_normalized("NFKC", work) else unicodedata.normalize("NFKC", work)
    low = pre.lower()
    known = _all_words()
    flags = "".join(["1" if w in known else "0" for w in _PRE_TOKEN_RE.findall(low)])
    if _FLAGS_RE.search(flags):
        return True
    if _KANA_REGION_RE.search(pre) or _SEP_HAN_RE.search(pre):
        return True
    han_runs = _HAN_RUN_RE.findall(pre)
    if not han_runs:
        return False
    for run in han_runs:
        if len(run) in bw.MNEMONIC_LENGTHS and all(c in _HAN_WORDS for c in run):  # type: ignore[operator]
            return True
    return _has_any(low, _SEED_ANCHORS)


# --- seed phrases: analysis -------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str  # norm() of the token
    script: str  # "L" Latin, "K" Hangul, "J" kana, "H" Han
    cands: dict[str, int] = field(default_factory=dict)  # language -> word index
    gap_before: str = ""


class _SeedScan:
    def __init__(self, work: str, scan: _Scan) -> None:
        self.work = work
        self.scan = scan
        self.lists = bw.word_lists()
        self.chains = self._chains()
        self.labels = [(m.start(), m.end()) for m in _SEED_LABEL_RE.finditer(work)]

    # tokens and chains -------------------------------------------------------------------

    def _chains(self) -> list[list[_Tok]]:
        lookup = self.lists.lookup
        chains: list[list[_Tok]] = []
        prev_end = -10**9
        for m in _TOKEN_RE.finditer(self.work):
            text = bw.norm(m.group())
            tok = _Tok(m.start(), m.end(), text, m.lastgroup or "L")
            tok.cands = dict(lookup.get(text, ()))
            gap = self.work[prev_end:m.start()] if prev_end >= 0 else None
            if gap is not None and len(gap) <= _MAX_GAP and _GAP_RE.fullmatch(gap):
                tok.gap_before = gap
                chains[-1].append(tok)
            else:
                chains.append([tok])
            prev_end = m.end()
        return chains

    def _segments(self, chain: list[_Tok], lang: str) -> list[list[tuple[_Tok, int]]]:
        """Maximal runs of ``chain`` whose tokens are all words of ``lang``.

        A Korean word with a particle glued on (``가격입니다``) may end a run.
        """
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
            if len(tok.text) > n and tok.text[:n] in index:
                raw = self.work[tok.start:tok.end]
                end = tok.start + n if unicodedata.is_normalized("NFC", raw) else tok.end
                return _Tok(tok.start, end, tok.text[:n], "K", {}, tok.gap_before), index[tok.text[:n]]
        return None

    def _languages(self, chain: list[_Tok]) -> set[str]:
        langs: set[str] = set()
        for tok in chain:
            langs.update(tok.cands)
        return langs

    # label-free detection ----------------------------------------------------------------

    def unlabelled(self) -> None:
        for chain in self.chains:
            if len(chain) < 4 and not any(t.script == "J" for t in chain):
                continue
            for lang in self._languages(chain):
                if lang == "japanese":
                    continue
                for seg in self._segments(chain, lang):
                    if len(seg) >= 12:
                        self._windows(seg, lang, labelled=False)
            for region in self._kana_regions(chain):
                self._japanese(region, labelled=False)

    def _windows(self, seg: list[tuple[_Tok, int]], lang: str, labelled: bool) -> bool:
        """Add every window of ``seg`` that is a mnemonic; True if any was."""
        n = len(seg)
        hit = False
        han = lang in bw.HAN_LANGUAGES
        for k in reversed(bw.MNEMONIC_LENGTHS):
            for o in range(n - k + 1):
                window = seg[o:o + k]
                start, end = window[0][0].start, window[-1][0].end
                if han and not self._han_window_ok(window, start, end, labelled):
                    continue
                if self.scan.checks >= _MAX_CHECKS:
                    self.scan.add("seed phrase", seg[0][0].start, seg[-1][0].end)  # fail closed
                    return True
                self.scan.checks += 1
                if bw.checksum_ok([i for _, i in window]):
                    self.scan.add("seed phrase", start, end)
                    hit = True
        return hit

    def _han_window_ok(self, window: list[tuple[_Tok, int]], start: int, end: int, labelled: bool) -> bool:
        if all(tok.gap_before for tok, _ in window[1:]):
            return True  # every character set apart: not prose
        if not labelled:
            before = self.work[start - 1] if start else " "
            after = self.work[end] if end < len(self.work) else " "
            if _is_han(before) or _is_han(after):
                return False  # glued to more Chinese text: only with a label
        return not _han_prose_like("".join(t.text for t, _ in window), [i for _, i in window])

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
                if d in bw.MNEMONIC_LENGTHS and (labelled or self._ja_end_ok(q, token_of, token_bounds)):
                    self.scan.checks += 1
                    if bw.checksum_ok(path):
                        self.scan.add("seed phrase", starts[p0], ends[q - 1])
                        hit = True
                if d == 24 or self.scan.checks >= _MAX_CHECKS:
                    continue
                r = q + 1 if q < len(s) and s[q] == "|" else q
                for n in lengths:
                    word = s[r:r + n]
                    if len(word) == n and word in index:
                        stack.append((r + n, path + (index[word],)))
        if labelled and best and not hit:
            self.scan.add("seed phrase", starts[best[0]], ends[best[1] - 1])
            hit = True
        return hit

    @staticmethod
    def _ja_end_ok(q: int, token_of: list[int], bounds: list[tuple[int, int]]) -> bool:
        ti = token_of[q - 1]
        return bounds[ti][1] - q <= 5

    # labelled detection --------------------------------------------------------------------

    def labelled_jobs(self) -> list[tuple[int, int, object]]:
        """Closures to run in text order (after the unlabelled pass), one per candidate run."""
        if not self.labels:
            return []
        jobs: list[tuple[int, int, object]] = []
        for chain in self.chains:
            langs = self._languages(chain)
            for lang in langs:
                if lang == "japanese":
                    continue
                segs = self._segments(chain, lang)
                if lang in bw.LATIN_LANGUAGES:
                    segs = self._loose_segments(chain, lang) + segs
                for seg in segs:
                    if len(seg) >= 12:
                        jobs.append((seg[0][0].start, 0, self._labelled_seg_job(seg, lang)))
            for region in self._kana_regions(chain):
                jobs.append((region[0].start, 0, self._labelled_kana_job(region)))
        return jobs

    def _labelled_seg_job(self, seg: list[tuple[_Tok, int | None]], lang: str):
        def job() -> None:
            start, end = seg[0][0].start, seg[-1][0].end
            if not self._is_labelled(start, end):
                return
            if lang in bw.HAN_LANGUAGES:
                # Unspaced Chinese: any window of 12..24 characters that is not prose.
                for k in bw.MNEMONIC_LENGTHS:
                    for o in range(len(seg) - k + 1):
                        window = seg[o:o + k]
                        ws, we = window[0][0].start, window[-1][0].end
                        if self._han_window_ok(window, ws, we, labelled=True):  # type: ignore[arg-type]
                            self.scan.add("seed phrase", ws, we)
                return
            self.scan.add("seed phrase", start, end)
        return job

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
            elif tok.script == "L" and len(tok.text) >= 3 and bw.strip_accents(tok.text)[:4] in prefix4:
                cur.append((tok, prefix4[bw.strip_accents(tok.text)[:4]]))
            elif (tok.script == "L" and 3 <= len(tok.text) <= 12 and cur and unknown < 2
                  and cur[-1][1] is not None):
                cur.append((tok, None))
                unknown += 1
            else:
                close()
        close()
        return segs

    def _is_labelled(self, start: int, end: int) -> bool:
        for ls, le in self.labels:
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


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u4DBF" or "\u4E00" <= c <= "\u9FFF" or "\uF900" <= c <= "\uFAFF"


def _han_prose_like(chars: str, indices: list[int]) -> bool:
    k = len(indices)
    if sum(_LOG[i] for i in indices) / k < _HAN_MEANLOG_FLOOR[k]:
        return True
    common = bw.COMMON_HAN_WORDS
    words = sum(1 for i in range(k - 1) if chars[i:i + 2] in common or chars[i:i + 3] in common)
    return words >= 2


def _kana_clusters(work: str, start: int, end: int):
    """(orig_start, orig_end, char) for each kana of ``work[start:end]`` in NFKC form:
    a base with its combining voicing mark (NFD text) becomes one character."""
    i = start
    while i < end:
        j = i + 1
        while j < end and work[j] in "\u3099\u309A\u309B\u309C":
            j += 1
        cluster = work[i:j].replace("\u309B", "\u3099").replace("\u309C", "\u309A")
        for c in unicodedata.normalize("NFKC", cluster):
            yield i, j, c
        i = j
