"""Addresses (checksum verdicts) and transaction ids (chains) per chain."""

from __future__ import annotations

import pytest

from mailbridge.extraction import TxId, WalletAddress, extract
from mailbridge.extraction.chains import classify, eip55_valid

from idgen import address, hex64, seeded, sol_signature

GENESIS_COINBASE = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"


def addresses(text: str) -> list[WalletAddress]:
    return extract("", text).entities.addresses


def tx_ids(text: str, subject: str = "") -> list[TxId]:
    return extract(subject, text).entities.tx_ids


# --------------------------------------------------------------------------- addresses

@pytest.mark.parametrize("kind, chain", [
    ("btc-legacy", "bitcoin"), ("btc-p2sh", "bitcoin"), ("bech32", "bitcoin"), ("bech32m", "bitcoin"),
    ("eth", "ethereum"), ("tron", "tron"), ("sol", "solana"),
])
def test_valid_address_of_each_chain(kind: str, chain: str) -> None:
    value = address(kind, seeded(1))
    assert addresses(f"my address is {value}, thanks") == [WalletAddress(value, chain, True)]


def test_well_known_addresses() -> None:
    assert classify("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").valid  # the genesis block's
    assert classify("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").chain == "tron"  # USDT on TRON
    assert classify("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v").chain == "solana"  # USDC mint


def test_base58check_typo_is_reported_invalid() -> None:
    good = address("tron", seeded(2))
    i = 10
    bad = good[:i] + ("A" if good[i] != "A" else "B") + good[i + 1:]
    assert addresses(f"提币地址 {bad}") == [WalletAddress(bad, "tron", False)]


def test_bech32_typo_is_reported_invalid() -> None:
    good = address("bech32", seeded(3))
    bad = good[:20] + ("q" if good[20] != "q" else "p") + good[21:]
    assert addresses(bad) == [WalletAddress(bad, "bitcoin", False)]


def test_bech32m_checksum_is_not_bech32() -> None:
    taproot = address("bech32m", seeded(4))
    assert classify(taproot).valid
    assert not classify(taproot[:-1] + ("q" if taproot[-1] != "q" else "p")).valid


def test_eip55_mixed_case_checked_single_case_accepted() -> None:
    good = address("eth", seeded(5))
    assert eip55_valid(good)
    assert eip55_valid(good.lower()) and eip55_valid("0x" + good[2:].upper())
    i = next(i for i, ch in enumerate(good) if i > 1 and ch.isalpha())
    flipped = good[:i] + good[i].swapcase() + good[i + 1:]
    assert addresses(flipped) == [WalletAddress(flipped, "ethereum", False)]


def test_evm_address_chain_follows_network_words() -> None:
    value = address("eth", seeded(6))
    assert addresses(f"my BEP20 wallet is {value}")[0].chain == "bsc"
    assert addresses(f"https://bscscan.com/address/{value}")[0].chain == "bsc"


# --------------------------------------------------------------------------- transaction ids

def test_evm_tx_defaults_to_ethereum_and_follows_context() -> None:
    tx = "0x" + hex64(1)
    assert tx_ids(f"tx {tx}") == [TxId(tx, "ethereum")]
    assert tx_ids(f"BEP20 deposit, hash {tx}") == [TxId(tx, "bsc")]
    assert tx_ids(f"polygonscan shows {tx}") == [TxId(tx, "polygon")]
    assert tx_ids(f"ETH on Arbitrum: {tx}") == [TxId(tx, "arbitrum")]


@pytest.mark.parametrize("context, chain", [
    ("USDT-TRC20 充值，哈希", "tron"), ("波场转账", "tron"), ("TRX txid", "tron"),
    ("BTC deposit txid", "bitcoin"), ("比特币充值", "bitcoin"), ("비트코인 입금 TXID", "bitcoin"),
    ("LTC deposit", "litecoin"), ("deposit, txid", "unknown"),
])
def test_bare_hex_tx_chain_from_words(context: str, chain: str) -> None:
    tx = hex64(2)
    assert tx_ids(f"{context} {tx}") == [TxId(tx, chain)]


def test_bare_hex_chain_from_an_address_in_the_same_mail() -> None:
    tx = hex64(3)
    assert tx_ids(f"sent to {address('tron', seeded(7))}\ntxid {tx}")[0].chain == "tron"
    assert tx_ids(f"sent to {address('bech32', seeded(8))}\ntxid {tx}")[0].chain == "bitcoin"


def test_bare_hex_chain_from_the_subject() -> None:
    tx = hex64(4)
    assert tx_ids(f"txid: {tx}", subject="BTC充值确认很久") == [TxId(tx, "bitcoin")]


def test_each_line_keeps_its_own_chain() -> None:
    a, b = hex64(5), hex64(6)
    found = tx_ids(f"1. BTC: {a}\n2. USDT-TRC20: {b}")
    assert found == [TxId(a, "bitcoin"), TxId(b, "tron")]


@pytest.mark.parametrize("url, chain", [
    ("https://tronscan.org/#/transaction/{h}", "tron"), ("https://mempool.space/tx/{h}", "bitcoin"),
    ("https://blockstream.info/tx/{h}", "bitcoin"), ("https://btc.com/{h}", "bitcoin"),
    ("https://blockchair.com/litecoin/transaction/{h}", "litecoin"),
    ("https://blockchair.com/bitcoin/transaction/{h}", "bitcoin"),
    ("https://www.oklink.com/trx/tx/{h}", "tron"), ("https://www.oklink.com/zh-hans/btc/tx/{h}", "bitcoin"),
    ("https://etherscan.io/tx/0x{h}", "ethereum"), ("https://bscscan.com/tx/0x{h}", "bsc"),
    ("https://polygonscan.com/tx/0x{h}", "polygon"), ("https://arbiscan.io/tx/0x{h}", "arbitrum"),
    ("tronscan.org/#/transaction/{h}", "tron"),
])
def test_explorer_links_give_the_chain(url: str, chain: str) -> None:
    h = hex64(7)
    found = tx_ids(f"see {url.format(h=h)} (BTC mentioned elsewhere)")
    assert [t.chain for t in found] == [chain]
    assert found[0].value.endswith(h)


def test_solana_signature_and_links() -> None:
    sig = sol_signature(1)
    assert tx_ids(f"signature {sig}") == [TxId(sig, "solana")]
    assert tx_ids(f"https://solscan.io/tx/{sig}") == [TxId(sig, "solana")]
    assert tx_ids(f"https://explorer.solana.com/tx/{sig}?cluster=mainnet") == [TxId(sig, "solana")]


def test_well_known_bitcoin_tx() -> None:
    assert tx_ids(f"BTC txid {GENESIS_COINBASE}") == [TxId(GENESIS_COINBASE, "bitcoin")]


@pytest.mark.parametrize("joiner", ["\n", "=\n", "\r\n", " \n", "<wbr>", "<wbr/>", "\u200b", "\u00ad"])
def test_split_tx_ids_are_rejoined(joiner: str) -> None:
    tx = hex64(8)
    for cut in (21, 40, 44):
        assert tx_ids(f"BTC hash:\n{tx[:cut]}{joiner}{tx[cut:]}\nthanks") == [TxId(tx, "bitcoin")]


def test_split_tx_in_quoted_history_is_rejoined_there() -> None:
    tx = hex64(12)
    found = extract("", f"see below\n\n> BTC txid\n> {tx[:30]}\n> {tx[30:]}\n")
    assert found.quoted.tx_ids == [TxId(tx, "bitcoin")] and found.entities.tx_ids == []


def test_evm_tx_wrapped_after_42_characters_is_rejoined() -> None:
    # The first line alone looks like an all-lower ETH address; the join is the tx id.
    tx = "0x" + hex64(9)
    found = extract("", f"TxHash: {tx[:42]}\n{tx[42:]}\n").entities
    assert found.tx_ids == [TxId(tx, "ethereum")] and found.addresses == []


def test_tx_split_over_three_lines() -> None:
    tx = hex64(10)
    assert tx_ids(f"txid\n{tx[:20]}\n{tx[20:45]}\n{tx[45:]}")[0].value == tx


def test_two_ids_on_consecutive_lines_stay_apart() -> None:
    a, b = address("sol", seeded(9)), address("sol", seeded(10))
    found = extract("", f"{a}\n{b}").entities
    assert [x.value for x in found.addresses] == [a, b] and found.tx_ids == []


def test_hex_is_lower_cased_and_deduplicated() -> None:
    tx = hex64(11)
    assert tx_ids(f"{tx.upper()} and again https://mempool.space/tx/{tx}") == [TxId(tx, "bitcoin")]


def test_address_without_digits_is_still_checked() -> None:
    # A TRON address whose only digit was mistyped as a letter: still shown, as invalid.
    assert addresses("地址 TXZcRwAJNwtvLwBpLpbaorCcSydyXatALX 。") == [
        WalletAddress("TXZcRwAJNwtvLwBpLpbaorCcSydyXatALX", "tron", False)]
