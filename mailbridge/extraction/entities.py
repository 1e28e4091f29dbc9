"""Every entity of one stretch of text (new text, quoted history or attachment names).

The text arrives normalised and with its noise masked (see ``normalise`` and ``noise``); this
module runs the finders and settles each id's chain from its explorer link or its context.
"""

from __future__ import annotations

import re
from typing import Sequence

from mailbridge.extraction.amounts import find_amounts
from mailbridge.extraction.chains import (
    EVM_CHAINS,
    Candidate,
    Hint,
    address_hints,
    candidates,
    find_hints,
    resolve_chain,
)
from mailbridge.extraction.identifiers import LabelRules, find_labelled
from mailbridge.extraction.noise import Masked
from mailbridge.extraction.normalise import normalise
from mailbridge.extraction.types import Entities, TxId, WalletAddress

_DIGIT = re.compile(r"[0-9]")


def find_entities(doc: Masked, labels: LabelRules, amounts: bool = True) -> Entities:
    """UIDs, orders, tx ids, addresses and (unless told not to) amounts in ``doc``; timestamps
    are added by the caller."""
    entities = Entities()
    text = doc.text
    low = None  # text.lower(), computed once for the label and the chain-word finders
    digits = _DIGIT.search(text) is not None  # UIDs, orders and amounts need one; ids may not
    if digits:
        low = text.lower()
        entities.account_uids, entities.order_ids = find_labelled(text, labels, low)
    entities.tx_ids, entities.addresses = _find_ids(doc, low)
    if digits and amounts:
        entities.amounts = find_amounts(text)
    return entities


def find_in_names(names: Sequence[str], labels: LabelRules) -> Entities:
    """Entities in attachment file names ("UID_12345678_passport.jpg", "0x…​.png").

    Only labelled numbers and self-describing ids count: a bare 64-hex or base58 file name is
    far more often a content hash (WeChat, CDN downloads) than a transaction id.
    """
    entities = Entities()
    text = normalise("\n".join(names))
    entities.account_uids, entities.order_ids = find_labelled(text, labels)
    for _, found in candidates(text):
        if found.chain in ("", "solana"):
            continue
        chain = "ethereum" if found.chain == "evm" else found.chain
        if found.kind == "tx":
            entities.tx_ids.append(TxId(found.value, chain))
        else:
            entities.addresses.append(WalletAddress(found.value, chain, found.valid))
    return entities


def merge(into: Entities, more: Entities) -> None:
    """Add ``more``'s entities to ``into`` without repeats."""
    for name in ("account_uids", "order_ids", "tx_ids", "addresses", "amounts", "timestamps"):
        target = getattr(into, name)
        seen = {_identity(v) for v in target}
        for value in getattr(more, name):
            if _identity(value) not in seen:
                target.append(value)
                seen.add(_identity(value))


def _identity(value: object) -> object:
    """Tx ids and addresses are the same entity whatever chain two passes gave them."""
    return value.value if isinstance(value, (TxId, WalletAddress)) else value


# --------------------------------------------------------------------------- tx ids, addresses

def _find_ids(doc: Masked, low: str | None = None) -> tuple[list[TxId], list[WalletAddress]]:
    found = candidates(doc.text)
    if not found:
        return [], []
    hints = _hints(doc, found, low) if any(c.chain in ("", "evm") for _, c in found) else []
    txs: dict[str, TxId] = {}
    addresses: dict[str, WalletAddress] = {}
    for pos, cand in found:
        link = doc.link_chain(pos)
        chain = _chain(doc.text, cand, pos, link, hints)
        if cand.kind == "tx":
            # The same id twice (text and link): the link's chain is the reliable one.
            if cand.value not in txs or link:
                txs[cand.value] = TxId(cand.value, chain)
        elif cand.value not in addresses:
            addresses[cand.value] = WalletAddress(cand.value, chain, cand.valid)
    return list(txs.values()), list(addresses.values())


def _hints(doc: Masked, found: list[tuple[int, Candidate]], low: str | None = None) -> list[Hint]:
    hints = find_hints(doc.text, low) + address_hints(found)
    hints += [Hint(start, chain, 2) for start, _, chain in doc.explorer_spans if chain]
    return hints


def _chain(text: str, cand: Candidate, pos: int, link: str | None, hints: list[Hint]) -> str:
    if cand.chain == "evm":
        if link in EVM_CHAINS:
            return link  # type: ignore[return-value]
        return resolve_chain(text, pos, hints, evm=True) or "ethereum"
    if cand.chain == "":
        if link:
            return link
        return resolve_chain(text, pos, hints, evm=False) or "unknown"
    return cand.chain
