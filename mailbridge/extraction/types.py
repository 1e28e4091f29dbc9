"""Typed results of extraction: what staff act on, pulled out of free text.

The extraction core is pure (text in, these values out); the pipeline's ``extract`` step
calls it and stores the result. Field names here are the export contract
(``entities.account_uids``, ``tx_ids[{value, chain}]``, ``addresses[{value, chain, valid}]``,
``order_ids``, ``timestamps``), so renaming one is a breaking change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class TxId:
    """A transaction id with its chain (``ethereum``, ``bsc``, ``bitcoin``, ``tron``, ``solana``,
    ``litecoin``, ... or ``unknown`` when the mail does not say)."""

    value: str
    chain: str


@dataclass(frozen=True, slots=True)
class WalletAddress:
    """A wallet address; ``valid`` is the checksum verdict (False = likely typo, show it)."""

    value: str
    chain: str
    valid: bool


@dataclass(frozen=True, slots=True)
class Amount:
    value: str  # normalised decimal string: "1000", "0.5"
    coin: str  # upper-case symbol, network suffix kept: "USDT-TRC20", "BTC"


@dataclass(frozen=True, slots=True)
class Timestamp:
    """A moment the customer reports, normalised to UTC."""

    value: datetime  # timezone-aware UTC
    text: str  # the words it came from, for staff to check
    precision: str = "minute"  # "day" | "hour" | "minute" | "second"


@dataclass(slots=True)
class Entities:
    account_uids: list[str] = field(default_factory=list)
    tx_ids: list[TxId] = field(default_factory=list)
    addresses: list[WalletAddress] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    timestamps: list[Timestamp] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.account_uids or self.tx_ids or self.addresses or self.order_ids
                    or self.timestamps or self.amounts)

    def to_json(self) -> dict[str, Any]:
        """The export shape (see README, "Export format")."""
        return {
            "account_uids": list(self.account_uids),
            "tx_ids": [{"value": t.value, "chain": t.chain} for t in self.tx_ids],
            "addresses": [{"value": a.value, "chain": a.chain, "valid": a.valid} for a in self.addresses],
            "order_ids": list(self.order_ids),
            "timestamps": [t.value.isoformat().replace("+00:00", "Z") for t in self.timestamps],
            "amounts": [{"value": a.value, "coin": a.coin} for a in self.amounts],
        }


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one message.

    ``entities`` are the new text's own facts; ``quoted`` the ones found in quoted history
    (they help threading but are not this message's facts). ``secrets`` lists the kinds
    found (``seed phrase``, ``private key``, ``wif key``, ``api secret``); the
    ``redacted_*`` fields are the texts with each secret replaced by ``[REDACTED: kind]``
    and are the only versions that may be stored, logged or sent.
    """

    entities: Entities = field(default_factory=Entities)
    quoted: Entities = field(default_factory=Entities)
    secrets: list[str] = field(default_factory=list)
    language: str = "en"  # zh-Hans | zh-Hant | ko | ja | en
    category: str = "other"
    urgent: bool = False
    redacted_subject: str = ""
    redacted_text: str = ""


@dataclass(frozen=True, slots=True)
class ExtractionRules:
    """Operator-tunable parts of extraction (the ``[extract]`` table of the config).

    Labels given here are added to the built-in ones; patterns replace the defaults.
    ``category_keywords`` maps category -> list of extra keywords (any language).
    """

    account_uid_pattern: str = r"\d{6,10}"
    account_uid_labels: tuple[str, ...] = ()
    order_id_pattern: str = r"\d{10,20}"
    order_id_labels: tuple[str, ...] = ()
    category_keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    urgent_categories: tuple[str, ...] = ("security",)


DEFAULT_RULES = ExtractionRules()
