"""Links in mail: which are block-explorer links (they give an id *and* its chain), which are
everything else (articles, trackers, image CDNs: their long numbers and hashes are noise).
"""

from __future__ import annotations

import re

# Host (or parent domain) -> chain. "" = a multi-chain explorer whose path names the chain.
_HOST_CHAIN: dict[str, str] = {
    "etherscan.io": "ethereum", "optimistic.etherscan.io": "optimism", "bscscan.com": "bsc",
    "polygonscan.com": "polygon", "arbiscan.io": "arbitrum", "basescan.org": "base",
    "snowtrace.io": "avalanche", "snowscan.xyz": "avalanche", "ftmscan.com": "fantom",
    "tronscan.org": "tron", "tronscan.io": "tron",
    "mempool.space": "bitcoin", "blockstream.info": "bitcoin", "btc.com": "bitcoin",
    "litecoinspace.org": "litecoin", "dogechain.info": "dogecoin",
    "solscan.io": "solana", "explorer.solana.com": "solana", "solana.fm": "solana",
    "solanabeach.io": "solana",
    "blockchair.com": "", "oklink.com": "", "blockchain.com": "", "tokenview.io": "",
    "tokenview.com": "", "blockcypher.com": "", "3xpl.com": "",
}
# Path segments naming a chain on multi-chain explorers (blockchair.com/litecoin/..., oklink.com/trx/...).
_PATH_CHAIN: dict[str, str] = {
    "btc": "bitcoin", "bitcoin": "bitcoin", "eth": "ethereum", "ethereum": "ethereum",
    "trx": "tron", "tron": "tron", "ltc": "litecoin", "litecoin": "litecoin", "bsc": "bsc",
    "bnb": "bsc", "binance-smart-chain": "bsc", "polygon": "polygon", "matic": "polygon",
    "arbitrum": "arbitrum", "arbitrum-one": "arbitrum", "optimism": "optimism", "base": "base",
    "sol": "solana", "solana": "solana", "doge": "dogecoin", "dogecoin": "dogecoin",
    "bch": "bitcoin-cash", "bitcoin-cash": "bitcoin-cash", "avax": "avalanche",
    "avalanche": "avalanche", "avaxc": "avalanche",
}
_TX_PATH = re.compile(r"/(?:tx|txs|transaction|transactions)/", re.IGNORECASE)
_HOST_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([^/?#:]+)", re.IGNORECASE)

# Known-explorer hosts are matched even without a scheme ("tronscan.org/#/transaction/…"),
# as customers paste them; generic schemeless links need a path to count as links.
_URL_CHARS = r"[!#-&(-;=?-~]"  # printable ASCII except space, ", ', <, >
URL_PATTERN = (
    rf"(?:https?://|www\.){_URL_CHARS}+"
    rf"|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:com|org|io|net|info|space|cn|jp|kr|co|me|app|xyz|cc|tw|hk|fm|ly|gl)"
    rf"(?::\d+)?/{_URL_CHARS}*"
)
_TRAILING = ".,;:!?)]}*"


def trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence, not the link ("see https://x.io/tx/abc).")."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def explorer_chain(url: str) -> str | None:
    """The chain a block-explorer link is about; ``""`` for an explorer whose chain the link
    does not say (the ids in it take their chain from context); None for any other link.

    >>> explorer_chain("https://tronscan.org/#/transaction/abc")
    'tron'
    >>> explorer_chain("https://www.zhihu.com/question/123") is None
    True
    """
    m = _HOST_RE.match(url)
    if not m:
        return None
    host = m.group(1).lower()
    chain = _host_chain(host)
    if chain is None:
        return "" if _TX_PATH.search(url) else None
    if chain:
        return chain
    path = url[m.end():].lower()
    for segment in re.split(r"[/#?&=]+", path):
        if segment in _PATH_CHAIN:
            return _PATH_CHAIN[segment]
    return ""


def _host_chain(host: str) -> str | None:
    """Look the host up, then each parent domain (``www.oklink.com`` → ``oklink.com``)."""
    parts = host.split(".")
    for i in range(len(parts) - 1):
        chain = _HOST_CHAIN.get(".".join(parts[i:]))
        if chain is not None:
            return chain
    return None
