"""Real, checksum-valid identifiers for tests, derived from seeded random keys with bip-utils."""

from __future__ import annotations

import random

from bip_utils import (
    Base58Encoder,
    CoinsConf,
    Ed25519PrivateKey,
    EthAddrEncoder,
    P2PKHAddrEncoder,
    P2SHAddrEncoder,
    P2TRAddrEncoder,
    P2WPKHAddrEncoder,
    Secp256k1PrivateKey,
    SolAddrEncoder,
    TrxAddrEncoder,
)

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _secp(seed: bytes):
    return Secp256k1PrivateKey.FromBytes(seed).PublicKey()


def address(kind: str, seed: bytes) -> str:
    """An address of ``kind`` (btc-legacy, btc-p2sh, bech32, bech32m, eth, tron, sol) from 32 seed bytes."""
    conf = CoinsConf.BitcoinMainNet
    if kind == "btc-legacy":
        return P2PKHAddrEncoder.EncodeKey(_secp(seed), net_ver=conf.ParamByKey("p2pkh_net_ver"))
    if kind == "btc-p2sh":
        return P2SHAddrEncoder.EncodeKey(_secp(seed), net_ver=conf.ParamByKey("p2sh_net_ver"))
    if kind == "bech32":
        return P2WPKHAddrEncoder.EncodeKey(_secp(seed), hrp="bc", wit_ver=0)
    if kind == "bech32m":
        return P2TRAddrEncoder.EncodeKey(_secp(seed), hrp="bc")
    if kind == "eth":
        return EthAddrEncoder.EncodeKey(_secp(seed))
    if kind == "tron":
        return TrxAddrEncoder.EncodeKey(_secp(seed))
    if kind == "sol":
        return SolAddrEncoder.EncodeKey(Ed25519PrivateKey.FromBytes(seed).PublicKey())
    raise ValueError(kind)


CHAIN_OF = {"btc-legacy": "bitcoin", "btc-p2sh": "bitcoin", "bech32": "bitcoin", "bech32m": "bitcoin",
            "eth": "ethereum", "tron": "tron", "sol": "solana"}
ADDRESS_KINDS = tuple(CHAIN_OF)


def seeded(n: int) -> bytes:
    return random.Random(n).randbytes(32)


def sol_signature(seed: int) -> str:
    rng = random.Random(seed)
    while True:
        sig = Base58Encoder.Encode(rng.randbytes(64))
        if len(sig) in (87, 88):
            return sig


def hex64(seed: int) -> str:
    return random.Random(seed).randbytes(32).hex()
