"""Amounts with their coin: ``0.5 BTC``, ``1,000 USDT-TRC20``, ``0.5个BTC``, ``1000U``, ``2 以太坊``.

The value is normalised to a plain decimal string ("1,000.00" → "1000"); the coin is the
upper-case symbol with the network kept when the customer attached it ("USDT-TRC20").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from mailbridge.extraction.types import Amount
from mailbridge.extraction.wordtrie import trie_pattern

# Tickers that are also ordinary words (TON, LINK, DOT, NEAR, OP, ONE...) count only in capitals.
_TICKERS_ANY_CASE = ("USDT|USDC|BTC|ETH|TRX|BNB|SOL|LTC|XRP|DOGE|ADA|MATIC|AVAX|SHIB|DAI|BUSD|FDUSD|"
                     "BCH|ETC|FIL|XLM|EOS|ATOM|APT|PEPE|WLD|TUSD")
_TICKERS_UPPER = "TON|LINK|DOT|NEAR|OP|ARB|SUI|UNI|POL"
_NAMES = {
    "比特币": "BTC", "比特幣": "BTC", "비트코인": "BTC", "ビットコイン": "BTC",
    "以太坊": "ETH", "이더리움": "ETH", "イーサリアム": "ETH", "以太币": "ETH", "以太幣": "ETH",
    "泰达币": "USDT", "泰達幣": "USDT", "테더": "USDT", "テザー": "USDT",
    "波场币": "TRX", "波場幣": "TRX", "莱特币": "LTC", "萊特幣": "LTC", "狗狗币": "DOGE",
}
_NETWORKS = "TRC 20|ERC 20|BEP 20|BEP 2|SPL|OMNI|Polygon|Arbitrum|Solana|TRON|BSC"  # " ": "-", "_" or none
# Starts with a bare digit class so the engine skips quickly to digits; the lookbehind right
# after the first digit then refuses to start inside a longer token ("v2.5 BTC", "A100USDT",
# the middle of "1234"). The number is atomic: no backtracking into a long run of digits.
_NUMBER = r"(?P<num>[0-9](?<![0-9A-Za-z.,][0-9])(?>[0-9]{0,2}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]+)?)"



def _cased(words: str, *forms: str) -> str:
    """A trie of the words in the given letter cases: faster than a case-insensitive group."""
    return trie_pattern([getattr(w, f)() for w in words.split("|") for f in forms])


_COINS = _cased(_TICKERS_ANY_CASE, "upper", "lower", "capitalize") + "|" + _cased(_TICKERS_UPPER, "upper")
_AMOUNT = re.compile(
    rf"{_NUMBER}[ \t]?(?:个|個|개|枚|颗|顆)?[ \t]?"
    rf"(?:(?P<coin>{_COINS})"
    rf"(?:[-_ ]?\(?(?P<net>{_cased(_NETWORKS, 'upper', 'lower', 'capitalize')})\)?)?(?![A-Za-z])"
    rf"|(?P<name>{'|'.join(_NAMES)})"
    rf"|(?<=\d)(?P<u>[Uu])(?![A-Za-z0-9]))"
)


def find_amounts(text: str) -> list[Amount]:
    """Amounts with a coin in ``text``, in order, without repeats."""
    found: list[Amount] = []
    for m in _AMOUNT.finditer(text):
        value = _decimal(m.group("num"))
        if value is None:
            continue
        amount = Amount(value, _coin(m))
        if amount not in found:
            found.append(amount)
    return found


def _coin(m: re.Match[str]) -> str:
    if m.group("name"):
        return _NAMES[m.group("name")]
    if m.group("u"):
        return "USDT"  # "1000U": how Chinese customers write USDT
    coin = m.group("coin").upper()
    net = m.group("net")
    if net:
        coin += "-" + re.sub(r"[-_ ]", "", net).upper()
    return coin


def _decimal(text: str) -> str | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    plain = format(value.normalize(), "f")
    return plain if "." not in plain else plain.rstrip("0").rstrip(".")
