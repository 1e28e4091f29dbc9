"""The fast paths of the extraction core give exactly what the plain versions give.

Extraction was made faster (issue 3: 3,000 messages/s on one core) by shortcuts that must not
change a single result: a BIP39 checksum computed from the word indices instead of through
bip-utils, character tests instead of regexes, regexes restricted to where they can match,
tokens found with ``split`` instead of ``finditer``. Each is checked here against the plain
version it replaces: over every code point where a character class is replaced, and on
generated text (hypothesis) elsewhere. ``tests/extraction/test_secrets.py`` and the corpus
tests hold the end results.
"""

from __future__ import annotations

import importlib
import random
import re
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from mailbridge.extraction import redaction as R
from mailbridge.extraction.bip39_words import checksum_ok, checksum_ok_bip_utils, mnemonic_words, word_lists
from mailbridge.extraction.normalise import run_start

# The modules themselves (the package exports functions of the same names).
chains, identifiers, language, noise, normalise, quotes = (
    importlib.import_module(f"mailbridge.extraction.{name}")
    for name in ("chains", "identifiers", "language", "noise", "normalise", "quotes"))

CODE_POINTS = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]

# --- BIP39 checksum ------------------------------------------------------------------------------


def _indices(entropy: bytes) -> list[int]:
    position = {w: i for i, w in enumerate(word_lists().words["english"])}
    return [position[w] for w in mnemonic_words("english", entropy)]


@settings(max_examples=300, deadline=None)
@given(entropy=st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_checksum_of_valid_mnemonics_matches_bip_utils(entropy):
    indices = _indices(entropy)
    assert checksum_ok(indices) and checksum_ok_bip_utils(indices)
    assert checksum_ok(tuple(indices))


@settings(max_examples=1000, deadline=None)
@given(indices=st.lists(st.integers(0, 2047), min_size=0, max_size=27))
def test_checksum_of_any_indices_matches_bip_utils(indices):
    assert checksum_ok(indices) == checksum_ok_bip_utils(indices)


@settings(max_examples=300, deadline=None)
@given(entropy=st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
       at=st.integers(0, 23), delta=st.integers(1, 2047))
def test_checksum_of_altered_mnemonics_matches_bip_utils(entropy, at, delta):
    indices = _indices(entropy)
    indices[at % len(indices)] = (indices[at % len(indices)] + delta) % 2048
    assert checksum_ok(indices) == checksum_ok_bip_utils(indices)


def test_checksum_rejects_what_is_no_word_position():
    good = _indices(bytes(16))
    assert checksum_ok(good)
    assert not checksum_ok(good[:-1] + [2048])
    assert not checksum_ok(good[:-1] + [-1])


# --- character classes replaced by character tests, over every code point -----------------------


def test_character_tests_match_the_classes_they_replace():
    gap = R._GAP_RE
    sep = re.compile(r"[\s:：=#.\-_|/()\[\]\"'*>]", re.IGNORECASE)  # _SEP's class
    list_first = re.compile("[,、/&ao和及与與및와과と또或]", re.IGNORECASE)  # first characters of _LIST_SEP
    exclude_last = re.compile("|".join(re.escape(w.lower()[-1]) for w in identifiers._DATA["exclude"]["before"]),
                              re.IGNORECASE)  # the literals the pattern ends its words with
    space = re.compile(r"\s")
    for c in CODE_POINTS:
        assert (c in R._GAP_PUNCT or c.isspace()) == bool(gap.fullmatch(c)), hex(ord(c))
        assert (c in identifiers._SEP_CHARS or c.isspace()) == bool(sep.fullmatch(c)), hex(ord(c))
        assert (c in identifiers._LIST_SEP_FIRST) == bool(list_first.fullmatch(c)), hex(ord(c))
        assert bool(identifiers._EXCLUDE_LAST.fullmatch(c)) == bool(exclude_last.fullmatch(c)), hex(ord(c))
        assert c.isspace() == bool(space.fullmatch(c)), hex(ord(c))
        token = R._TOKEN_RE.match(c)
        if token:
            assert R._script(c) == token.lastgroup, hex(ord(c))


def test_kana_is_at_most_two_characters_in_nfkc():
    kana = re.compile(f"[{R._KANA}]")
    assert max(len(unicodedata.normalize("NFKD", c)) for c in CODE_POINTS if kana.fullmatch(c)) == 2


# --- redaction ---------------------------------------------------------------------------------------

TOKEN_ALPHABET = (
    list("abcdeXYZ éÀ\u0301ｱａＢ12 ,，、;:.。!-\n\t\u3000|>()（）") + list("的一是在不了有和人这中大为上个国我以要他")
    + list("あいうえおかきくけこがぱ\u3099\u309bアイ") + list("가나다라마바사입니다\u1100\u1161\u11a8")
    + ["\uf900", "\ufa0e"]
)
TOKEN_TEXT = st.lists(st.sampled_from(TOKEN_ALPHABET + [" abandon", " ability", " zoo", "助记词", "的一是"]),
                      max_size=120).map("".join)


def _reference_chains(scan: R._SeedScan, a: int, b: int) -> list[list[tuple]]:
    """The chain builder as it was: one _TOKEN_RE match per token, the gap checked by _GAP_RE,
    then only the chains the later steps can use (12 tokens, or 36 kana characters)."""
    lookup = scan.lists.lookup
    keep_latin = bool(scan.labels)
    chains_: list[list[tuple]] = []
    prev_end = -1
    for m in R._TOKEN_RE.finditer(scan.work, a, b):
        raw, script = m.group(), m.lastgroup or "L"
        if raw.isascii():
            text = raw.lower()
        elif script == "H" and not "\uF900" <= raw <= "\uFAFF":
            text = raw
        else:
            text = R.bw.norm(raw)
        found = lookup.get(text)
        start = m.start()
        if (found is None and (script == "H" or (script == "L" and not keep_latin))
                or scan.protected.overlaps(start, m.end())):
            prev_end = -1
            continue
        tok = (start, m.end(), text, script, dict(found or {}), "")
        if prev_end == start and chains_:
            chains_[-1].append(tok)
        elif prev_end >= 0 and start - prev_end <= R._MAX_GAP and R._GAP_RE.fullmatch(scan.work, prev_end, start):
            chains_[-1].append(tok[:5] + (scan.work[prev_end:start],))
        else:
            chains_.append([tok])
        prev_end = m.end()
    return [c for c in chains_ if len(c) >= 12 or sum(len(t[2]) for t in c if t[3] == "J") >= 36]


def _scan(text: str, labelled: bool, protected: tuple[int, int] | None) -> R._SeedScan:
    intervals = R._Intervals()
    if protected:
        intervals.add(*protected)
    scan = R._SeedScan(text, R._Scan(text, []), [], intervals)  # no regions: nothing scanned yet
    scan.labels = [(0, 1)] if labelled else []
    scan.label_starts = [0] if labelled else []
    return scan


@settings(max_examples=400, deadline=None)
@given(text=TOKEN_TEXT, labelled=st.booleans(), cut=st.tuples(st.integers(0, 50), st.integers(0, 50)),
       protected=st.none() | st.tuples(st.integers(0, 200), st.integers(1, 10)))
def test_chains_match_the_token_regex(text, labelled, cut, protected):
    scan = _scan(text, labelled, protected and (protected[0], protected[0] + protected[1]))
    a, b = min(cut[0], len(text)), max(min(cut[0], len(text)), len(text) - cut[1])
    got = [[(t.start, t.end, t.text, t.script, dict(t.cands), t.gap_before) for t in c] for c in scan._chains(a, b)]
    assert got == _reference_chains(scan, a, b)


def test_chains_of_real_mnemonics_match_the_token_regex():
    rng = random.Random(11)
    lists = word_lists().words
    for language_ in lists:
        for sep in (" ", "", "、", "\u3000", ", ", "\n", " 1. "):
            words = [rng.choice(lists[language_]) for _ in range(rng.randrange(10, 26))]
            text = "seed phrase: " + sep.join(unicodedata.normalize(rng.choice(["NFC", "NFD"]), w) for w in words)
            for labelled in (False, True):
                scan = _scan(text, labelled, None)
                got = [[(t.start, t.end, t.text, t.script, dict(t.cands), t.gap_before) for t in c]
                       for c in scan._chains(0, len(text))]
                assert got == _reference_chains(scan, 0, len(text)), (language_, sep)


@settings(max_examples=300, deadline=None)
@given(gap=st.text(alphabet=list(" ,，、;:-\n\t\u3000.。)(（）1２#x"), max_size=30))
def test_gap_test_matches_the_gap_regex(gap):
    if gap:
        assert R._gap_ok(gap) == (len(gap) <= R._MAX_GAP and bool(R._GAP_RE.fullmatch(gap)))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=list("12458 \u3000\n\t个個x的"), max_size=10))
def test_counted_measure_word(text):
    def plain(low: str) -> bool:
        for measure in "个個":
            i = low.find(measure)
            while i >= 0:
                if low[max(0, i - 3):i].strip()[-2:] in ("12", "15", "18", "21", "24"):
                    return True
                i = low.find(measure, i + 1)
        return False

    assert bool(R._COUNTED_MEASURE.search(text)) == plain(text)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=300))
def test_byte_tests_match_the_substring_tests(raw):
    assert bool(raw.translate(None, R._NOT_WORD_LEADS)) == any(lead in raw for lead in R._WORD_LEADS)
    assert bool(R._HIRAGANA_UTF8.search(raw)) == (b"\xe3\x81" in raw or b"\xe3\x82" in raw)


SHORT_PIECES = ["的", "一", "是", "abandon ", "zoo ", "1.", "助记词", "seed phrase:", "5HpjKrb7", "0x", "4c08", "あい",
                "가나", "private key ", " ", "\n", "[REDACTED: seed phrase]"]


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.sampled_from(SHORT_PIECES), max_size=8))
def test_nothing_shorter_than_twelve_characters_is_a_secret(parts):
    text = "".join(parts)[:R._MIN_SECRET - 1]
    saved, R._MIN_SECRET = R._MIN_SECRET, 0  # the full analysis: the shortcut switched off
    try:
        assert R.find_secrets(text) == []
    finally:
        R._MIN_SECRET = saved


def test_short_chinese_mnemonic_is_found_at_the_shortest_length():
    ws = mnemonic_words("chinese_simplified", random.Random(1).randbytes(16))  # as test_secrets.words()
    assert len("".join(ws)) == R._MIN_SECRET
    assert R.find_secrets("".join(ws)), "twelve characters must still be analysed"


# --- normalise, quotes -------------------------------------------------------------------------------

NORMALISE_TEXT = st.text(alphabet=list("ａＡ１！，：？（）\u3000ｶﾞ\u3099\u309bか\u1100\u1161é\u0301\uf900"
                                      "\u00ad\u200b\ufeffabc<wbr>&shy;W \n的"), max_size=60)


@settings(max_examples=500, deadline=None)
@given(text=NORMALISE_TEXT)
def test_nfkc_matches_unicodedata(text):
    assert normalise.nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=500, deadline=None)
@given(text=NORMALISE_TEXT)
def test_normalise_matches_the_plain_steps(text):
    expected = text
    if not expected.isascii():
        expected = unicodedata.normalize("NFKC", expected)
        expected = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", expected)
    expected = normalise._WBR.sub("", expected)
    assert normalise.normalise(text) == expected


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=list(">  \t\na\r"), max_size=30))
def test_quote_marks_stripped_as_by_the_line_regex(text):
    assert quotes._strip_quote_marks(text) == quotes._QUOTE_MARK.sub("", text)


def test_no_identifier_is_shorter_than_rejoin_assumes():
    rng = random.Random(3)
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0"
    for _ in range(20000):
        n = rng.randrange(1, normalise._SHORTEST_ID)
        token = rng.choice(["", "0x", "bc1", "ltc1", "T", "1", "3", "L"]) + "".join(rng.choice(alphabet) for _ in range(n))
        token = token[:normalise._SHORTEST_ID - 1]
        assert not chains.is_identifier(token), token


# --- noise -------------------------------------------------------------------------------------------

NOISE_PIECES = ["commit", "sha256", "sha-1", "md5", "checksum", "digest", "fingerprint", "private key", "privkey",
                "secret  key", "私钥", "私鑰", "개인 키", "비밀키", "秘密鍵", "秘密キー", " ", ":", " is ", "=", "of the log",
                "hash", "id", "0x", "deadbeef" * 4, "0123456789abcdef" * 3, "abc", "z", "\n", "message-id", "x-mailer",
                "> ", "\t", "references", "dkim-signature", "<", ">", "/", "div", "a b"]
PLAIN_HASH_LABEL = re.compile(
    r"(?:commit|sha-?256|sha-?1|md5|checksum|digest|fingerprint|private\s*key|privkey|secret\s*key"
    r"|私钥|私鑰|개인\s*키|비밀\s*키|秘密鍵|秘密キー)"
    r"(?:\s+(?:hash|id|sum|of\s+(?:the\s+)?[\w.\- ]{1,20}?))?(?:\s*(?:is|是|为|為|は|는|은|:|=|#)\s*)*"
    r"\s*((?:0x)?[0-9a-f]{32,})(?![0-9a-z])"
)
PLAIN_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,400})?/?>")


@settings(max_examples=1000, deadline=None)
@given(parts=st.lists(st.sampled_from(NOISE_PIECES), max_size=12))
def test_noise_patterns_match_the_plain_ones(parts):
    low = "".join(parts).lower()
    plain = [(m.span(), m.span(1)) for m in PLAIN_HASH_LABEL.finditer(low)]
    assert [(m.span(), m.span(1)) for m in noise._HASH_LABEL.finditer(low)] == plain
    end = noise._hex_end(low)
    assert ([(m.span(), m.span(1)) for m in noise._HASH_LABEL.finditer(low, 0, end)] if end else []) == plain
    first = noise._HEADER_FIRST.match(low)
    headers = ([first.span()] if first else []) + [(m.start() + 1, m.end()) for m in noise._HEADER_NEXT.finditer(low)]
    assert headers == [m.span() for m in noise._HEADER.finditer(low)]
    text = "".join(parts)
    assert [m.span() for m in noise._TAG.finditer(text)] == [m.span() for m in PLAIN_TAG.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=list("ab1.-_%+=/ @<x的"), max_size=200), at=st.integers(0, 200))
def test_run_start_walks_the_same_run(text, at):
    at = min(at, len(text))
    for allowed in (noise._SCHEME_CHARS, noise._DOMAIN_CHARS, noise._LOCAL_CHARS, noise._FILE_CHARS):
        start = at
        while start > 0 and text[start - 1] in allowed:
            start -= 1
        assert run_start(text, at, allowed) == start


# --- identifiers, chains, language -----------------------------------------------------------------

LABEL_PIECES = [" ", ":", "：", "\n", "\t", "is", " is ", "IS", "was", "是", "번호", "12345678", "1234", "-", ".", "5", ",",
                " and ", "AND", "or", "和", "또는", "x", "a", "o", "/", "&", "、", "\u3000", "(", ")", "号", "bank", "QQ",
                "Line ", "card:", "uid", "的"]
NUMBER = re.compile(r"(?:\d{6,10})(?![0-9A-Za-z])", re.ASCII)


def _plain_numbers_after(text: str, pos: int, number: re.Pattern[str]) -> list[str]:
    values: list[str] = []
    pos = identifiers._SEP.match(text, pos).end()  # type: ignore[union-attr]
    while True:
        m = number.match(text, pos)
        if m is None or identifiers._BAD_TAIL.match(text, m.end()):
            return values
        if values and abs(len(m.group(0)) - len(values[0])) > 1:
            return values
        values.append(m.group(0))
        more = identifiers._LIST_SEP.match(text, m.end())
        if more is None:
            return values
        pos = more.end()


@settings(max_examples=1000, deadline=None)
@given(parts=st.lists(st.sampled_from(LABEL_PIECES), max_size=14), at=st.integers(0, 60))
def test_label_helpers_match_their_regexes(parts, at):
    text = "".join(parts)
    pos = min(at, len(text))
    assert identifiers._sep_end(text, pos) == identifiers._SEP.match(text, pos).end()  # type: ignore[union-attr]
    more = identifiers._LIST_SEP.match(text, pos)
    assert identifiers._list_sep_end(text, pos) == (more.end() if more else -1)
    assert identifiers._numbers_after(text, pos, NUMBER) == _plain_numbers_after(text, pos, NUMBER)
    assert identifiers._excluded(text, pos) == (
        identifiers._EXCLUDE_BEFORE.search(text, max(0, pos - 12), pos) is not None)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=list("abc0123456789XYZ -\n的é"), max_size=300))
def test_long_runs_are_the_token_regex_matches(text):
    assert chains.long_runs(text) == [(m.start(), m.group()) for m in chains.TOKEN_RE.finditer(text)]


HINT_PIECES = list(chains._HINT_WORDS) + ["a", "x", "é", "-", "_", " ", "\u3000", "20", "的", "币", "以太", "波", "场", "链",
                                          "method", "ETH", "Tron"]


@settings(max_examples=1000, deadline=None)
@given(parts=st.lists(st.sampled_from(HINT_PIECES), max_size=20))
def test_hints_match_the_single_pattern(parts):
    text = "".join(parts)
    low = text.lower() if len(text.lower()) == len(text) else text
    expected = []
    for m in chains._HINT_RE.finditer(low):
        if m.end() < len(low) and low[m.end()] in chains._LETTERS:
            continue
        word = m.group(0)
        chain, strength = chains._HINT_KEYS.get(word) or chains._HINT_KEYS[chains._KEY_DROP.sub("", word)]
        expected.append(chains.Hint(m.start(), chain, strength))
    assert chains.find_hints(text) == expected


def _plain_language(text: str) -> str:
    if text.isascii():
        return "en"
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    kana = len(re.findall(r"[\u3041-\u309f\u30a1-\u30fa]", text))
    han = len(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]", text))
    cjk = hangul + kana + han
    if cjk < 4 or cjk < len(language._LATIN_WORD.findall(language._URL.sub(" ", text))):
        return "en"
    if hangul >= kana and hangul * 4 >= han:
        return "ko"
    if kana >= 2 and kana * 10 >= han:
        return "ja"
    simplified, traditional = (re.compile(p.pattern.removesuffix("+")) for p in language._script_patterns())
    return "zh-Hant" if len(traditional.findall(text)) > len(simplified.findall(text)) else "zh-Hans"


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=list("ab Cd https://x.io/a 的国國这這钱錢가나あいアイ12"), max_size=80))
def test_language_counts_match_one_match_per_character(text):
    assert language.detect_language(text) == _plain_language(text)


# --- timestamp pivots and category ties -----------------------------------------------------------

timestamps = importlib.import_module("mailbridge.extraction.timestamps")
category = importlib.import_module("mailbridge.extraction.category")

PIVOT_PIECES = ["jan", "janov", "nov", "mar", "may", "summary", "today", "tonight", "yesterday", "the day before ",
                "last night", "last  night", "this morning", "this evening", "this afternoon", "thistoday", " ", "5",
                "2025", "th", "的", "月", "decoct", "\n", "Mar", "TODAY"]


def _plain_pivots(text: str, has_digit: bool) -> list[int]:
    """Where _candidates used to find English pivots: one substring search per word."""
    lower, found = text.lower(), set()
    for word in timestamps._EN_RELATIVE_WORDS + (timestamps._MONTH_STEMS if has_digit else ()):
        at = lower.find(word)
        while at >= 0:
            found.add(at)
            at = lower.find(word, at + 1)
    return sorted(found)


@settings(max_examples=1000, deadline=None)
@given(parts=st.lists(st.sampled_from(PIVOT_PIECES), max_size=14))
def test_english_pivots_are_every_substring_start(parts):
    text = "".join(parts)
    has_digit = any(c.isdigit() for c in text)
    lower, found = text.lower(), set()
    pivot = timestamps._EN_PIVOT.search(lower)
    while pivot is not None:
        if lower[pivot.start()] in timestamps._RELATIVE_FIRST or has_digit:
            found.add(pivot.start())
        pivot = timestamps._EN_PIVOT.search(lower, pivot.start() + 1)
    assert sorted(found) == _plain_pivots(text, has_digit)
    assert set(_plain_pivots(text, has_digit)) <= set(timestamps._candidates(text))


def _plain_winner(scores: dict[str, int]) -> str:
    if not scores:
        return "other"
    for c in category.ORDER:
        if c in category._OVERRIDING and scores.get(c):
            return c
    rank = {c: i for i, c in enumerate(category.ORDER)}
    return max(scores, key=lambda c: (scores[c], -rank.get(c, len(rank))))


@settings(max_examples=500, deadline=None)
@given(scores=st.dictionaries(st.sampled_from([*category.ORDER, "operator-added"]), st.integers(0, 3), max_size=6))
def test_category_winner_matches_the_plain_rule(scores):
    assert category._winner(scores) == _plain_winner(scores)
