"""The language of a message: zh-Hans, zh-Hant, ko, ja or en (the acknowledgement is sent in it).

Scripts decide it: Hangul → Korean, kana → Japanese, Han without kana → Chinese. Traditional
and simplified Chinese are told apart by the characters that exist in only one of the two
national character sets: GB 2312 holds simplified forms, Big5 traditional ones, so a
character encodable in just one of them votes for that script. The standard library ships
both codecs, so no word list is needed.
"""

from __future__ import annotations

import re
from functools import cache

# Characters are counted as the total length of their runs (fewer objects than one per character).
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30fa]+")  # without "ー" and "・", which Chinese text borrows
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_URL = re.compile(r"https?://\S+")
_LATIN_WORD = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2,15}(?![0-9A-Za-z])")


def detect_language(text: str) -> str:
    """``zh-Hans`` | ``zh-Hant`` | ``ko`` | ``ja`` | ``en`` for ``text`` (the new text, noise masked).

    >>> detect_language("我的账户被冻结了")
    'zh-Hans'
    """
    if text.isascii():
        return "en"
    hangul = _count(_HANGUL, text)
    kana = _count(_KANA, text)
    han = _count(_HAN, text)
    cjk = hangul + kana + han
    # One CJK character against one English word: a customer who writes a sentence in their
    # language (among English terms like "TxID", "API", "pending") wants the reply in it, while a
    # Chinese name in an English mail's signature does not make it Chinese. Links are no one's words.
    # A word has two ASCII letters at least, so there are no more words than half the ASCII
    # characters: with at least that many CJK characters they need not be counted.
    if cjk < 4 or (cjk < len(text.encode("ascii", "ignore")) // 2
                   and cjk < len(_LATIN_WORD.findall(_URL.sub(" ", text)))):
        return "en"
    if hangul >= kana and hangul * 4 >= han:
        return "ko"
    if kana >= 2 and kana * 10 >= han:
        return "ja"
    simplified, traditional = _script_patterns()
    return "zh-Hant" if _count(traditional, text) > _count(simplified, text) else "zh-Hans"


def _count(characters: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the run pattern ``characters`` covers."""
    return sum(map(len, characters.findall(text)))


@cache
def _script_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Character classes of simplified-only and traditional-only Han characters (built once)."""
    simplified, traditional = [], []
    for cp in range(0x4E00, 0xA000):
        ch = chr(cp)
        in_gb, in_big5 = _encodable(ch, "gb2312"), _encodable(ch, "big5")
        if in_gb and not in_big5:
            simplified.append(ch)
        elif in_big5 and not in_gb:
            traditional.append(ch)
    return re.compile(f"[{''.join(simplified)}]+"), re.compile(f"[{''.join(traditional)}]+")


def _encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True
