"""Crypto identifiers in text: wallet addresses (with a checksum verdict) and transaction ids
(with their chain).

Three steps, kept apart so each can be tested alone:

* :func:`classify` says what one token is (EVM tx, bare 64-hex tx, Solana signature, or an
  address of some chain) using bip-utils' codecs: base58check, bech32/bech32m, EIP-55 keccak.
  A failed checksum still yields an address with ``valid=False``: a typo staff must see.
* :func:`find_hints` lists the words, explorer links and addresses that say which chain a
  mail is about ("USDT-TRC20", "波场", "BEP20", a ``T…`` address...).
* :func:`resolve_chain` picks the chain of a bare 64-hex tx id or an EVM value from the hints
  nearest to it, preferring network words over coin tickers and what precedes over what follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from bip_utils import Base58Decoder, EthAddrDecoder, SegwitBech32Decoder

from mailbridge.extraction.wordtrie import trie_pattern

EVM_CHAINS = frozenset({"ethereum", "bsc", "polygon", "arbitrum", "optimism", "base", "avalanche", "fantom"})

_HEX = re.compile(r"[0-9a-fA-F]+")
_B58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_UPPER = re.compile(r"[A-Z]")
_HAS_LOWER = re.compile(r"[a-z]")
_HEX_LETTER = re.compile(r"[a-fA-F]")
_KEY_DROP = re.compile(r"[\s_\-]+")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Long runs of ASCII letters and digits: every identifier we know is one of these. No
# lookarounds needed: the leftmost match always starts a run and, being greedy, ends it (and a
# pattern that starts with a character class is scanned much faster). Callers skip runs > 100.
TOKEN_RE = re.compile(r"[0-9A-Za-z]{25,}")
# The same runs found on bytes: ASCII letters and digits -> "a", every other byte -> " ", then
# ``bytes.find`` for 25 "a"s (C speed; the regex retries inside every shorter word).
_ALNUM_BYTES = bytes(0x61 if chr(c).isascii() and chr(c).isalnum() else 0x20 for c in range(256))
_LONG_RUN = b"a" * 25


def long_runs(text: str) -> list[tuple[int, str]]:
    """``(m.start(), m.group())`` for every match of ``TOKEN_RE`` in ``text``."""
    raw = text.encode("utf-8", "surrogatepass")
    runs = raw.translate(_ALNUM_BYTES)
    i = runs.find(_LONG_RUN)
    if i < 0:
        return []
    out: list[tuple[int, str]] = []
    cursor = 0
    while i >= 0:  # i starts a run: the search starts at a space or at 0
        end = runs.find(b" ", i)
        end = len(runs) if end < 0 else end
        token = raw[i:end].decode("ascii")
        if len(raw) == len(text):
            start = i
        else:  # multi-byte text: the same run is the first occurrence of the token after the last
            start = text.find(token, cursor)
        out.append((start, token))
        cursor = start + len(token)
        i = runs.find(_LONG_RUN, end)
    return out


def candidates(text: str) -> list[tuple[int, Candidate]]:
    """Every identifier in ``text`` with its position."""
    found = []
    for start, token in long_runs(text):
        if len(token) <= 100:  # longer runs are blobs (base64, minified data), never one id
            c = classify(token)
            if c is not None:
                found.append((start, c))
    return found


@dataclass(frozen=True, slots=True)
class Candidate:
    """What a token is. ``chain`` is ``"evm"`` for 0x values whose EVM chain depends on
    context, ``""`` for a bare 64-hex tx id whose chain depends on context."""

    kind: str  # "tx" | "address"
    value: str
    chain: str
    valid: bool = True


# --------------------------------------------------------------------------- codecs

def _b58decode(token: str) -> bytes | None:
    try:
        return Base58Decoder.Decode(token)
    except Exception:  # the codec raises several types on garbage; all mean "not base58"
        return None


def _b58check(token: str) -> bytes | None:
    try:
        return Base58Decoder.CheckDecode(token)
    except Exception:
        return None


def _segwit_ok(hrp: str, token: str) -> bool:
    try:
        SegwitBech32Decoder.Decode(hrp, token)
    except Exception:
        return False
    return True


def eip55_valid(address: str) -> bool:
    """EIP-55 verdict: all-lower or all-upper hex carries no checksum, so it is valid."""
    body = address[2:]
    if body == body.lower() or body == body.upper():
        return True
    try:
        EthAddrDecoder.DecodeAddr(address)
    except Exception:
        return False
    return True


def _looks_random(token: str) -> bool:
    """Real base58 addresses mix digits, capitals and small letters; words and ids do not."""
    return bool(_HAS_DIGIT.search(token) and _HAS_UPPER.search(token) and _HAS_LOWER.search(token))


def _mixed(token: str) -> bool:
    """Two of digits, capitals and small letters: what is left of an address after a typo."""
    return (bool(_HAS_DIGIT.search(token)) + bool(_HAS_UPPER.search(token)) + bool(_HAS_LOWER.search(token))) >= 2


# --------------------------------------------------------------------------- classification

@lru_cache(maxsize=8192)
def classify(token: str) -> Candidate | None:
    """What ``token`` (a run of ASCII letters and digits) is, or None.

    >>> classify("TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC")
    Candidate(kind='address', value='TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC', chain='tron', valid=True)
    """
    if token[:2] in ("0x", "0X"):
        return _classify_0x(token)
    if len(token) == 64 and _HEX.fullmatch(token):
        if _HAS_DIGIT.search(token) and _HEX_LETTER.search(token):
            return Candidate("tx", token.lower(), "")
        return None
    low = token.lower()
    if low.startswith("bc1") or low.startswith("ltc1"):
        return _classify_bech32(token, low)
    if _B58.fullmatch(token):
        return _classify_base58(token)
    return None


def _classify_0x(token: str) -> Candidate | None:
    body = token[2:]
    if not _HEX.fullmatch(body):
        return None
    if len(body) == 64:
        return Candidate("tx", "0x" + body.lower(), "evm")
    if len(body) == 40:
        address = "0x" + body
        return Candidate("address", address, "evm", eip55_valid(address))
    return None


def _classify_bech32(token: str, low: str) -> Candidate | None:
    hrp, chain = ("bc", "bitcoin") if low.startswith("bc1") else ("ltc", "litecoin")
    size = len(token) - len(hrp)
    if size not in (40, 60):  # P2WPKH (42 chars with "bc"), P2WSH and P2TR (62)
        return None
    mixed = token != low and token != token.upper()
    valid = not mixed and _segwit_ok(hrp, low)
    return Candidate("address", token, chain, valid)


def _classify_base58(token: str) -> Candidate | None:
    n = len(token)
    if n in (87, 88):
        raw = _b58decode(token)
        return Candidate("tx", token, "solana") if raw is not None and len(raw) == 64 else None
    if token[0] == "T" and n == 34:
        return _base58check_address(token, "tron", (0x41,))
    if token[0] in "13" and 26 <= n <= 35:
        found = _base58check_address(token, "bitcoin", (0x00, 0x05))
        if found is not None:
            return found
    if token[0] in "LM" and n == 34:
        raw = _b58check(token)
        if raw is not None and len(raw) == 21 and raw[0] in (0x30, 0x32):
            return Candidate("address", token, "litecoin")
    if 32 <= n <= 44 and _looks_random(token):
        raw = _b58decode(token)
        if raw is not None and len(raw) == 32:
            return Candidate("address", token, "solana")
    return None


def _base58check_address(token: str, chain: str, versions: tuple[int, ...]) -> Candidate | None:
    raw = _b58check(token)
    if raw is not None and len(raw) == 21 and raw[0] in versions:
        return Candidate("address", token, chain)
    # A checksum failure is reported (likely typo) only when the token has the exact shape of
    # such an address (prefix, 33-34 characters, mixed characters); a typo may change the
    # decoded version byte or length, so those are not checked here.
    if len(token) in (33, 34) and _mixed(token):
        return Candidate("address", token, chain, False)
    return None


def is_identifier(token: str) -> bool:
    """True when ``token`` is a complete, checksum-valid identifier (used to rejoin ids that a
    mail client broke across lines: a join is kept only when it forms one)."""
    found = classify(token)
    return found is not None and found.valid


# --------------------------------------------------------------------------- chain hints

@dataclass(frozen=True, slots=True)
class Hint:
    pos: int
    chain: str
    strength: int  # 2: network word, explorer or address; 1: coin ticker


# word -> (chain, strength). Network words beat coin tickers: "ETH on Arbitrum" is arbitrum.
# A space in a word also matches "-", "_" or nothing ("trc 20" = TRC20, TRC-20, trc_20).
_HINT_WORDS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(["trc 20", "tron", "tronlink", "tronscan", "波场", "波場", "트론", "トロン"], ("tron", 2)),
    "trx": ("tron", 1),
    **dict.fromkeys(["omni", "bitcoin", "比特币", "比特幣", "비트코인", "ビットコイン", "mempool"], ("bitcoin", 2)),
    "btc": ("bitcoin", 1),
    **dict.fromkeys(["litecoin", "莱特币", "萊特幣", "라이트코인", "ライトコイン"], ("litecoin", 2)),
    "ltc": ("litecoin", 1),
    **dict.fromkeys(["erc 20", "ethereum", "以太坊", "이더리움", "イーサリアム", "etherscan"], ("ethereum", 2)),
    "eth": ("ethereum", 1),
    **dict.fromkeys(["bep 20", "bsc", "bnb chain", "bnb smart chain", "binance smart chain", "币安链", "幣安鏈",
                     "bscscan"], ("bsc", 2)),
    "bnb": ("bsc", 1),
    **dict.fromkeys(["polygon", "polygonscan", "폴리곤", "ポリゴン"], ("polygon", 2)),
    "matic": ("polygon", 1),
    **dict.fromkeys(["arbitrum", "arbiscan", "아비트럼"], ("arbitrum", 2)),
    "optimism": ("optimism", 2),
    **dict.fromkeys(["dogecoin", "狗狗币"], ("dogecoin", 2)),
    "doge": ("dogecoin", 1),
}
_HINT_KEYS = {_KEY_DROP.sub("", w): v for w, v in _HINT_WORDS.items()}
_HINT_RE = re.compile(trie_pattern(_HINT_WORDS, not_after="a-zA-Z"))
# The same words as two patterns, ASCII and CJK: each position is tried against fewer first
# characters (one pattern costs about 1.6 times as much). Their matches never overlap (ASCII
# hints are letters, digits, spaces, "_" and "-"; CJK ones CJK letters), so together they find
# exactly what _HINT_RE finds.
_HINT_RE_ASCII = re.compile(trie_pattern((w for w in _HINT_WORDS if w.isascii()), not_after="a-zA-Z"))
_HINT_RE_CJK = re.compile(trie_pattern(w for w in _HINT_WORDS if not w.isascii()))


def find_hints(text: str, low: str | None = None) -> list[Hint]:
    """Chain words in ``text`` with their positions (whole words only: not "eth" in "method").
    ``low``: ``text.lower()`` when the caller has it."""
    low = text.lower() if low is None else low
    if len(low) != len(text):  # a rare character whose lower case is longer: keep positions right
        low = text
    matches = list(_HINT_RE_ASCII.finditer(low))
    if not low.isascii():
        matches = sorted(matches + list(_HINT_RE_CJK.finditer(low)), key=lambda m: m.start())
    hints = []
    for m in matches:
        start, end = m.start(), m.end()
        if end < len(low) and low[end] in _LETTERS:
            continue  # "eth" in "ethernet"; the start was checked by the pattern
        word = m.group(0)
        chain, strength = _HINT_KEYS.get(word) or _HINT_KEYS[_KEY_DROP.sub("", word)]
        hints.append(Hint(start, chain, strength))
    return hints


def address_hints(found: Iterable[tuple[int, Candidate]]) -> list[Hint]:
    """An address in the same mail says which chain the mail is about (a ``T…`` address → tron)."""
    return [Hint(pos, c.chain, 2) for pos, c in found
            if c.kind == "address" and c.chain not in ("evm", "solana")]


def resolve_chain(text: str, pos: int, hints: list[Hint], evm: bool) -> str | None:
    """The chain the hints around ``pos`` in ``text`` point to, or None when none applies.

    A 0x value (``evm``) listens only to EVM hints; a bare 64-hex id listens to all (a
    customer who drops the 0x of an ETH tx still wrote "ETH"). A hint on the value's own line
    wins ("1. BTC: <id>\n2. USDT-TRC20: <id>"); otherwise network words, explorers and
    addresses beat coin tickers. Among equals the nearest wins, and a hint written after the
    value counts as twice as far: customers name the network first ("USDT-TRC20 txid: ...").
    """
    best: tuple[int, int, int] | None = None
    chain = None
    for h in hints:
        if evm and h.chain not in EVM_CHAINS:
            continue
        lo, hi = (h.pos, pos) if h.pos <= pos else (pos, h.pos)
        distance = pos - h.pos if h.pos <= pos else 2 * (h.pos - pos) + 40
        same_line = "\n" not in text[lo:hi]
        key = (0, 0, distance) if same_line else (1, -h.strength, distance)
        if best is None or key < best:
            best, chain = key, h.chain
    return chain
