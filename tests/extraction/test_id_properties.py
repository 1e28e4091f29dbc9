"""Property tests: extraction never raises; generated ids of every chain are found with their
chain; one changed character turns an address's checksum verdict to invalid."""

from __future__ import annotations

from bip_utils import Base58Encoder
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mailbridge.extraction import TxId, WalletAddress, extract
from mailbridge.extraction.chains import classify

from idgen import ADDRESS_KINDS, B58, BECH32, CHAIN_OF, address

# Filler that cannot name a chain, start quoted history or glue itself onto an id: CJK text,
# digits, punctuation and line breaks, always kept off the id by a space.
FILLER = st.text(alphabet="的是了我你在充值提现账户问题谢谢请帮忙查一下，。！？：、 0123456789\n", max_size=80)
SEEDS = st.binary(min_size=32, max_size=32).filter(lambda b: any(b) and b[0] < 0xF0)  # valid secp256k1 keys
SETTINGS = settings(max_examples=int(__import__("os").environ.get("IDPROP_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def embed(before: str, value: str, after: str) -> str:
    return f"{before} {value} {after}"


# --------------------------------------------------------------------------- never raises

ODD_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400) | st.text(
    alphabet="0123456789abcdefABCDEFxX TQ1bc\n>=-:：UIDuid订单号<wbr>@./#ＵＩＤ１２", max_size=400)


@given(subject=ODD_TEXT, text=ODD_TEXT, names=st.lists(ODD_TEXT, max_size=3))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_text_never_raises(subject: str, text: str, names: list[str]) -> None:
    found = extract(subject, text, attachment_names=names)
    assert found.language in ("zh-Hans", "zh-Hant", "ko", "ja", "en")
    for tx in found.entities.tx_ids + found.quoted.tx_ids:
        assert tx.chain


# --------------------------------------------------------------------------- found with their chain

@given(kind=st.sampled_from(ADDRESS_KINDS), seed=SEEDS, before=FILLER, after=FILLER)
@SETTINGS
def test_generated_address_found_with_its_chain(kind: str, seed: bytes, before: str, after: str) -> None:
    value = address(kind, seed)
    found = extract("", embed(before, value, after)).entities.addresses
    assert WalletAddress(value, CHAIN_OF[kind], True) in found


@given(chain=st.sampled_from(["bitcoin", "tron", "litecoin", "ethereum", "bsc", "solana"]),
       raw=st.binary(min_size=32, max_size=32), before=FILLER, after=FILLER)
@SETTINGS
def test_generated_tx_id_found_with_its_chain(chain: str, raw: bytes, before: str, after: str) -> None:
    label = {"bitcoin": "BTC txid", "tron": "USDT-TRC20 txid", "litecoin": "LTC txid", "ethereum": "ERC20 tx",
             "bsc": "BEP20 tx", "solana": "SOL signature"}[chain]
    if chain in ("ethereum", "bsc"):
        value = "0x" + raw.hex()
    elif chain == "solana":
        value = Base58Encoder.Encode(raw + raw[::-1])
        assume(len(value) in (87, 88))
    else:
        value = raw.hex()
    assume(chain == "solana" or any(c.isdigit() for c in value[-64:]) and any(c.isalpha() for c in value[-64:]))
    found = extract("", f"{before} {label} {value} {after}").entities.tx_ids
    assert found == [TxId(value, chain)]


# --------------------------------------------------------------------------- one change flips valid

@given(kind=st.sampled_from(["btc-legacy", "btc-p2sh", "tron", "bech32", "bech32m", "eth"]), seed=SEEDS,
       where=st.integers(min_value=0, max_value=10**6), pick=st.integers(min_value=0, max_value=10**6))
@SETTINGS
def test_one_changed_character_flips_valid(kind: str, seed: bytes, where: int, pick: int) -> None:
    # Solana has no checksum: any 32-byte key is an address, so it has no "invalid" to flip to.
    good = address(kind, seed)
    bad = _one_change(kind, good, where, pick)
    assume(bad is not None and bad != good)
    assert classify(good).valid
    found = extract("", f"地址 {bad} 。").entities.addresses
    assert found == [WalletAddress(bad, CHAIN_OF[kind], False)]


def _one_change(kind: str, good: str, where: int, pick: int) -> str | None:
    """One character changed so the character set stays valid: another base58 or bech32
    character after the prefix, or for EIP-55 a case flip that keeps the address mixed-case."""
    if kind == "eth":
        letters = [i for i, ch in enumerate(good) if i > 1 and ch.isalpha()]
        if not letters:
            return None
        i = letters[where % len(letters)]
        bad = good[:i] + good[i].swapcase() + good[i + 1:]
        body = bad[2:]
        return None if body in (body.lower(), body.upper()) else bad
    start, alphabet = (4, BECH32) if kind.startswith("bech32") else (1, B58)
    i = start + where % (len(good) - start)
    choices = alphabet.replace(good[i], "")
    return good[:i] + choices[pick % len(choices)] + good[i + 1:]
