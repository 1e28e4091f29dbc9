"""Generate the labelled extraction corpus ``corpus/core.jsonl`` (seeded, deterministic).

    /work/venv/bin/python tests/extraction/make_corpus.py

Each message is written the way our customers write: a template per situation and language,
filled with real, checksum-valid identifiers derived from random keys with bip-utils (or
deliberately corrupted ones, ``valid: false``), then dressed with the noise real mail carries:
signatures with phone numbers and QQ ids, legal footers, HTML leftovers (CSS colours, data URI
images), links to articles and image CDNs, forwarded headers with Message-IDs, quoted history.
Every noise string that looks like an identifier is recorded in ``decoys``.

Slots in templates are ``{name}``; a trailing digit (``{uid2}``) asks for a second, different
value of the same kind. The same slot used twice in one template yields the same value.
"""

from __future__ import annotations

import base64
import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Callable

from bip_utils import (
    Base58Decoder,
    Base58Encoder,
    CoinsConf,
    Ed25519PrivateKey,
    EthAddrEncoder,
    P2PKHAddrEncoder,
    P2SHAddrEncoder,
    P2TRAddrEncoder,
    P2WPKHAddrEncoder,
    Secp256k1PrivateKey,
    SegwitBech32Decoder,
    TrxAddrEncoder,
)

SEED = 20250305
OUT = Path(__file__).parent / "corpus" / "core.jsonl"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# --------------------------------------------------------------------------- identifiers

def _secp(rng: random.Random):
    return Secp256k1PrivateKey.FromBytes(rng.randbytes(32)).PublicKey()


def btc_address(rng: random.Random, kind: str) -> str:
    pub = _secp(rng)
    conf = CoinsConf.BitcoinMainNet
    if kind == "legacy":
        return P2PKHAddrEncoder.EncodeKey(pub, net_ver=conf.ParamByKey("p2pkh_net_ver"))
    if kind == "p2sh":
        return P2SHAddrEncoder.EncodeKey(pub, net_ver=conf.ParamByKey("p2sh_net_ver"))
    if kind == "bech32":
        return P2WPKHAddrEncoder.EncodeKey(pub, hrp="bc", wit_ver=0)
    return P2TRAddrEncoder.EncodeKey(pub, hrp="bc")


def eth_address(rng: random.Random) -> str:
    return EthAddrEncoder.EncodeKey(_secp(rng))


def trx_address(rng: random.Random) -> str:
    return TrxAddrEncoder.EncodeKey(_secp(rng))


def sol_address(rng: random.Random) -> str:
    from bip_utils import SolAddrEncoder

    while True:
        addr = SolAddrEncoder.EncodeKey(Ed25519PrivateKey.FromBytes(rng.randbytes(32)).PublicKey())
        if len(addr) >= 43:  # what customers actually paste; short ones are vanishingly rare
            return addr


def sol_signature(rng: random.Random) -> str:
    while True:
        sig = Base58Encoder.Encode(rng.randbytes(64))
        if len(sig) in (87, 88):
            return sig


def hex64(rng: random.Random) -> str:
    return rng.randbytes(32).hex()


def corrupt_base58(rng: random.Random, addr: str) -> str:
    """One character replaced by another base58 character, checksum then fails."""
    while True:
        i = rng.randrange(4, len(addr) - 2)
        c = rng.choice(B58.replace(addr[i], ""))
        bad = addr[:i] + c + addr[i + 1:]
        try:
            Base58Decoder.CheckDecode(bad)
        except Exception:
            return bad


def corrupt_bech32(rng: random.Random, addr: str) -> str:
    while True:
        i = rng.randrange(5, len(addr) - 1)
        c = rng.choice(BECH32.replace(addr[i], ""))
        bad = addr[:i] + c + addr[i + 1:]
        try:
            SegwitBech32Decoder.Decode("bc", bad)
        except Exception:
            return bad


def corrupt_eip55(rng: random.Random, addr: str) -> str:
    letters = [i for i, ch in enumerate(addr) if i > 1 and ch.isalpha()]
    i = rng.choice(letters)
    return addr[:i] + addr[i].swapcase() + addr[i + 1:]


# --------------------------------------------------------------------------- message builder

@dataclass
class Msg:
    rng: random.Random
    lang: str
    expected: dict[str, Any] = field(default_factory=dict)
    decoys: list[str] = field(default_factory=list)
    cache: dict[str, str] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.expected = {"account_uids": [], "tx_ids": [], "addresses": [], "order_ids": [],
                         "amounts": [], "timestamps": None, "secrets": None}

    def add(self, key: str, value: Any) -> None:
        if value not in self.expected[key]:
            self.expected[key].append(value)

    def fill(self, template: str) -> str:
        return re.sub(r"\{([a-z_0-9]+)\}", lambda m: self.slot(m.group(1)), template)

    def slot(self, name: str) -> str:
        if name not in self.cache:
            kind = name.rstrip("0123456789")
            self.cache[name] = SLOTS[kind](self)
        return self.cache[name]


def _uid(m: Msg) -> str:
    # One exchange, one UID format: every UID in a message has the same length.
    n = m.lengths.setdefault("uid", m.rng.choice([6, 7, 8, 8, 8, 9, 9, 10]))
    v = str(m.rng.randint(1, 9)) + "".join(str(m.rng.randint(0, 9)) for _ in range(n - 1))
    m.add("account_uids", v)
    return v


def _uid_fw(m: Msg) -> str:
    return _uid(m).translate(FULLWIDTH)


def _order(m: Msg) -> str:
    n = m.lengths.setdefault("order", m.rng.choice([10, 12, 16, 18, 19, 19, 20]))
    v = str(m.rng.randint(1, 9)) + "".join(str(m.rng.randint(0, 9)) for _ in range(n - 1))
    m.add("order_ids", v)
    return v


def _tx(chain: str, evm: bool = False) -> Callable[[Msg], str]:
    def make(m: Msg) -> str:
        v = ("0x" if evm else "") + hex64(m.rng)
        m.add("tx_ids", {"value": v, "chain": chain})
        return v
    return make


def _tx_sol(m: Msg) -> str:
    v = sol_signature(m.rng)
    m.add("tx_ids", {"value": v, "chain": "solana"})
    return v


def _split(chain: str, evm: bool, joiner: str) -> Callable[[Msg], str]:
    """A tx id broken by a mail client: a wrapped line, a QP soft break, <wbr>, a ZWSP."""
    def make(m: Msg) -> str:
        v = _tx(chain, evm)(m)
        cut = m.rng.randrange(20, len(v) - 10)
        return v[:cut] + joiner + v[cut:]
    return make


def _split3(chain: str) -> Callable[[Msg], str]:
    """A narrow client wrapping a tx id over three lines."""
    def make(m: Msg) -> str:
        v = _tx(chain)(m)
        a, b = sorted(m.rng.sample(range(12, len(v) - 12), 2))
        if b - a < 8:
            b = a + 8
        return v[:a] + "\n" + v[a:b] + "\n" + v[b:]
    return make


def _addr(chain: str, make: Callable[[random.Random], str], valid: bool = True,
          corrupt: Callable[[random.Random, str], str] | None = None) -> Callable[[Msg], str]:
    def slot(m: Msg) -> str:
        v = make(m.rng)
        if corrupt is not None:
            v = corrupt(m.rng, v)
        m.add("addresses", {"value": v, "chain": chain, "valid": valid})
        return v
    return slot


def _btc_any(rng: random.Random) -> str:
    return btc_address(rng, rng.choice(["legacy", "p2sh", "bech32", "bech32", "taproot"]))


def _eth_lower(rng: random.Random) -> str:
    return eth_address(rng).lower()


def _amount(coin: str, values: list[str], shown_coin: str | None = None,
            sep: tuple[str, ...] = (" ",)) -> Callable[[Msg], str]:
    def make(m: Msg) -> str:
        text = m.rng.choice(values)
        norm = text.replace(",", "")
        if "." in norm:
            norm = norm.rstrip("0").rstrip(".")
        m.add("amounts", {"value": norm, "coin": coin})
        return f"{text}{m.rng.choice(sep)}{shown_coin or coin}"
    return make


def _link(url: str, chain: str, kind: str = "tx") -> Callable[[Msg], str]:
    def make(m: Msg) -> str:
        if kind == "sol":
            v = sol_signature(m.rng)
        elif kind == "evm":
            v = "0x" + hex64(m.rng)
        else:
            v = hex64(m.rng)
        m.add("tx_ids", {"value": v, "chain": chain})
        return url.format(v)
    return make


def _link_addr(url: str, chain: str, make_addr: Callable[[random.Random], str]) -> Callable[[Msg], str]:
    def make(m: Msg) -> str:
        v = make_addr(m.rng)
        m.add("addresses", {"value": v, "chain": chain, "valid": True})
        return url.format(v)
    return make


def _decoy(make: Callable[[random.Random], tuple[str, list[str]]]) -> Callable[[Msg], str]:
    def slot(m: Msg) -> str:
        text, decoys = make(m.rng)
        m.decoys.extend(decoys)
        return text
    return slot


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _phone_cn(rng: random.Random) -> tuple[str, list[str]]:
    d = "1" + rng.choice("3589") + _digits(rng, 9)
    text = rng.choice([f"+86 {d[:3]} {d[3:7]} {d[7:]}", d, f"{d[:3]}-{d[3:7]}-{d[7:]}", f"+86-{d}"])
    return text, [text, d]


def _phone_kr(rng: random.Random) -> tuple[str, list[str]]:
    d = "010" + _digits(rng, 8)
    text = rng.choice([f"010-{d[3:7]}-{d[7:]}", f"+82 10-{d[3:7]}-{d[7:]}", d])
    return text, [text, d]


def _phone_jp(rng: random.Random) -> tuple[str, list[str]]:
    d = rng.choice(["090", "080", "070"]) + _digits(rng, 8)
    text = rng.choice([f"{d[:3]}-{d[3:7]}-{d[7:]}", f"+81 {d[1:3]}-{d[3:7]}-{d[7:]}"])
    return text, [text, d]


def _phone_tw(rng: random.Random) -> tuple[str, list[str]]:
    d = "09" + _digits(rng, 8)
    text = rng.choice([f"{d[:4]}-{d[4:7]}-{d[7:]}", f"+886 {d[1:4]} {d[4:7]} {d[7:]}"])
    return text, [text, d]


def _phone_en(rng: random.Random) -> tuple[str, list[str]]:
    a, b, c = _digits(rng, 3), _digits(rng, 3), _digits(rng, 4)
    text = rng.choice([f"+1 ({a}) {b}-{c}", f"+44 7{a} {b}{c[:3]}", f"(0{a}) {b} {c}", f"+65 9{a[:3]} {c}"])
    return text, [text, re.sub(r"\D", "", text)]


def _qq(rng: random.Random) -> tuple[str, list[str]]:
    d = str(rng.randint(1, 9)) + _digits(rng, rng.choice([7, 8, 9]))
    text = rng.choice([f"QQ：{d}", f"QQ: {d}", f"QQ号 {d}", f"qq {d}", f"Q Q：{d}"])
    return text, [d]


def _postal(rng: random.Random) -> tuple[str, list[str]]:
    d = _digits(rng, 6)  # China: six digits
    return d, [d]


def _postal_jp(rng: random.Random) -> tuple[str, list[str]]:
    d = f"{_digits(rng, 3)}-{_digits(rng, 4)}"
    return d, [d, d.replace("-", "")]


def _postal_kr(rng: random.Random) -> tuple[str, list[str]]:
    d = _digits(rng, 5)
    return d, [d]


def _url_article(rng: random.Random) -> tuple[str, list[str]]:
    n = str(rng.randint(10**9, 10**12))
    h = hex64(rng)
    text = rng.choice([
        f"https://www.zhihu.com/question/{n}",
        f"https://mp.weixin.qq.com/s?__biz=MzA{n}&mid={n[:9]}&idx=1",
        f"https://support.example-exchange.com/hc/en-us/articles/{n}-How-to-deposit",
        f"https://blog.naver.com/cryptofan/{n}",
        f"https://note.com/coinlife/n/n{h[:12]}",
        f"https://www.reddit.com/r/CryptoCurrency/comments/{h[:6]}/deposit_missing/?share_id={h}",
        f"https://twitter.com/i/status/{n}{n[:7]}",
        f"https://t.co/{h[:10]}?amp=1&ref={n}",
    ])
    nums = re.findall(r"[0-9a-fA-F]{16,}|\d{6,}", text)
    return text, [text] + nums


def _url_tracking(rng: random.Random) -> tuple[str, list[str]]:
    n = _digits(rng, 14)
    text = rng.choice([
        f"https://click.mail.example.com/track?uid={n}&mid={n[::-1]}",
        f"https://www.17track.net/en/track?nums=YT{n}",
        f"https://links.exchange-news.io/ls/click?upn={base64.urlsafe_b64encode(rng.randbytes(45)).decode()}",
    ])
    return text, [text, n]


def _img_url(rng: random.Random) -> tuple[str, list[str]]:
    h = hex64(rng)
    text = rng.choice([
        f"https://cdn.example-img.com/uploads/{h}.png",
        f"https://img.alicdn.com/imgextra/i4/{h}.jpg",
        f"https://i.imgur.com/{h[:7]}.png?hash={h}",
        f"https://pbs.twimg.com/media/{h}.jpg?format=jpg&name=large",
    ])
    return text, [h]


def _css(rng: random.Random) -> tuple[str, list[str]]:
    c = rng.choice(["#ff0000", "#1a73e8", "#333333", "#fafafa", "#D9534F"])
    text = rng.choice([
        f'<span style="color:{c};font-size:14px">',
        f"p {{ margin: 0; color: {c}; }} .MsoNormal {{ font-family: 'Microsoft YaHei'; }}",
        f'<div style="background-color: {c}; border: 1px solid #cccccc">',
    ])
    return text, [c, c[1:]]


def _data_uri(rng: random.Random) -> tuple[str, list[str]]:
    blob = base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(180, 420))).decode()
    text = rng.choice([f"![](data:image/png;base64,{blob})", f'<img src="data:image/png;base64,{blob}">'])
    return text, [blob]


def _msgid(rng: random.Random) -> str:
    return rng.choice([
        f"<CA{base64.b64encode(rng.randbytes(36)).decode()}@mail.gmail.com>",
        f"<SEZPR06MB{_digits(rng, 4)}{base64.b32encode(rng.randbytes(10)).decode()}@SEZPR06MB{_digits(rng, 4)}.apcprd06.prod.outlook.com>",
        f"<{hex64(rng)}@mailer.example-exchange.com>",
        f"<tencent_{hex64(rng)[:40].upper()}@qq.com>",
    ])


def _commit_sig(rng: random.Random) -> tuple[str, list[str]]:
    c40, c64 = rng.randbytes(20).hex(), hex64(rng)
    text = rng.choice([
        f"Sent from my trading bot (commit {c40})",
        f"-- \nbuild {c40[:12]} · commit {c64}",
        f"bot version 2.3.1 (git commit: {c64})",
        f"sha256 checksum of the log file: {c64}",
    ])
    return text, [c40, c64]


def _privkey(rng: random.Random) -> tuple[str, list[str]]:
    k = hex64(rng)
    return k, [k, "0x" + k]


def _idcard(rng: random.Random) -> tuple[str, list[str]]:
    d = "11010" + _digits(rng, 1) + "19" + _digits(rng, 10)
    return d, [d]


def _bankcard(rng: random.Random) -> tuple[str, list[str]]:
    d = "6222" + _digits(rng, 15)
    return d, [d]


def _regno(rng: random.Random) -> tuple[str, list[str]]:
    d = _digits(rng, 8)
    return d, [d]


def _corpnum(rng: random.Random) -> tuple[str, list[str]]:
    d = _digits(rng, 13)
    return d, [d]


def _bizno(rng: random.Random) -> tuple[str, list[str]]:
    d = f"{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 5)}"
    return d, [d, d.replace("-", "")]


def _ticket(rng: random.Random) -> tuple[str, list[str]]:
    d = _digits(rng, 8)
    return d, [d]


SLOTS: dict[str, Callable[[Msg], str]] = {
    "uid": _uid, "uidfw": _uid_fw, "order": _order,
    "txtrc": _tx("tron"), "txbtc": _tx("bitcoin"), "txltc": _tx("litecoin"), "txunk": _tx("unknown"),
    "txeth": _tx("ethereum", True), "txbsc": _tx("bsc", True), "txpoly": _tx("polygon", True),
    "txarb": _tx("arbitrum", True), "txsol": _tx_sol,
    "txbtcnl": _split("bitcoin", False, "\n"), "txtrcnl": _split("tron", False, "\n"),
    "txethnl": _split("ethereum", True, "\n"), "txbtcqp": _split("bitcoin", False, "=\n"),
    "txethwbr": _split("ethereum", True, "<wbr>"), "txtrczw": _split("tron", False, "\u200b"),
    "txbscwbr": _split("bsc", True, "<wbr/>"), "txunknl": _split("unknown", False, "\n"),
    "txunk3": _split3("unknown"),
    "linktron": _link("https://tronscan.org/#/transaction/{}", "tron"),
    "linkmempool": _link("https://mempool.space/tx/{}", "bitcoin"),
    "linkblockstream": _link("https://blockstream.info/tx/{}", "bitcoin"),
    "linkbtccom": _link("https://btc.com/{}", "bitcoin"),
    "linkchairltc": _link("https://blockchair.com/litecoin/transaction/{}", "litecoin"),
    "linkchairbtc": _link("https://blockchair.com/bitcoin/transaction/{}", "bitcoin"),
    "linkoklinktrx": _link("https://www.oklink.com/trx/tx/{}", "tron"),
    "linketherscan": _link("https://etherscan.io/tx/{}", "ethereum", "evm"),
    "linkbscscan": _link("https://bscscan.com/tx/{}", "bsc", "evm"),
    "linkpolygon": _link("https://polygonscan.com/tx/{}", "polygon", "evm"),
    "linkarbiscan": _link("https://arbiscan.io/tx/{}", "arbitrum", "evm"),
    "linksolscan": _link("https://solscan.io/tx/{}", "solana", "sol"),
    "linksolexp": _link("https://explorer.solana.com/tx/{}", "solana", "sol"),
    "linktronaddr": _link_addr("https://tronscan.org/#/address/{}", "tron", trx_address),
    "addrtrx": _addr("tron", trx_address), "addrbtc": _addr("bitcoin", _btc_any),
    "addrbtclegacy": _addr("bitcoin", lambda r: btc_address(r, "legacy")),
    "addrbtcp2sh": _addr("bitcoin", lambda r: btc_address(r, "p2sh")),
    "addrbech32": _addr("bitcoin", lambda r: btc_address(r, "bech32")),
    "addrtaproot": _addr("bitcoin", lambda r: btc_address(r, "taproot")),
    "addreth": _addr("ethereum", eth_address), "addrethlower": _addr("ethereum", _eth_lower),
    "addrbsc": _addr("bsc", eth_address), "addrsol": _addr("solana", sol_address),
    "addrbadtrx": _addr("tron", trx_address, False, corrupt_base58),
    "addrbadbtc": _addr("bitcoin", lambda r: btc_address(r, "legacy"), False, corrupt_base58),
    "addrbadbech": _addr("bitcoin", lambda r: btc_address(r, "bech32"), False, corrupt_bech32),
    "addrbadeth": _addr("ethereum", eth_address, False, corrupt_eip55),
    "amtusdttrc": _amount("USDT-TRC20", ["1,000", "500", "2,350.5", "120", "10,000", "88.8"], sep=(" ",)),
    "amtusdterc": _amount("USDT-ERC20", ["3,000", "750", "1,200.00"], sep=(" ",)),
    "amtusdt": _amount("USDT", ["100", "1,500", "20,000", "268.35", "5000"]),
    "amtbtc": _amount("BTC", ["0.5", "0.0123", "1.25", "0.08", "0.002"], sep=(" ", "")),
    "amteth": _amount("ETH", ["2", "0.75", "1.5", "12.03"]),
    "amtbnb": _amount("BNB", ["3", "0.9", "15"]),
    "amtsol": _amount("SOL", ["25", "4.2", "100"]),
    "amtltc": _amount("LTC", ["12", "3.5"]),
    "amtusdc": _amount("USDC", ["2,000", "99.5"]),
    "amtge": _amount("BTC", ["0.5", "0.3", "2"], "个BTC", sep=("",)),
    "amtu": _amount("USDT", ["1000", "5000", "300"], "U", sep=("",)),
    "amttrx": _amount("TRX", ["1,000", "50,000", "3000"]),
    "phonecn": _decoy(_phone_cn), "phonekr": _decoy(_phone_kr), "phonejp": _decoy(_phone_jp),
    "phonetw": _decoy(_phone_tw), "phoneen": _decoy(_phone_en), "qq": _decoy(_qq),
    "postal": _decoy(_postal), "postaljp": _decoy(_postal_jp), "postalkr": _decoy(_postal_kr), "urlarticle": _decoy(_url_article), "urltrack": _decoy(_url_tracking),
    "imgurl": _decoy(_img_url), "css": _decoy(_css), "datauri": _decoy(_data_uri),
    "commit": _decoy(_commit_sig), "privkey": _decoy(_privkey), "idcard": _decoy(_idcard),
    "bankcard": _decoy(_bankcard), "regno": _decoy(_regno), "corpnum": _decoy(_corpnum),
    "bizno": _decoy(_bizno), "ticket": _decoy(_ticket),
}


# --------------------------------------------------------------------------- templates
# (category, subjects, body). Written from the shape of real support mail: short, urgent,
# inconsistent punctuation, identifiers pasted wherever the customer remembered them.

T = tuple[str, list[str], str]

ZH_HANS: list[T] = [
    ("deposit", ["充值未到账", "USDT充值一直没到账！！", "【紧急】充值问题 UID {uid}"],
     "你好，\n我在今天上午10点17分从别的平台提了{amtusdttrc}到你们平台，充值地址是{addrtrx}，"
     "交易哈希：{txtrc}\n区块链上已经显示成功了，但是到现在还没到账。我的UID：{uid}，麻烦尽快处理，谢谢！"),
    ("withdrawal", ["提币三个小时还没到", "提现未到账 订单号{order}"],
     "客服您好，我的提现订单号{order}，提币{amtbtc}到{addrbtc}，已经过去三个小时了钱包里还是没有。\n"
     "TXID {txbtc}\n请帮忙查一下是什么情况。用户ID {uid}"),
    ("security", ["账号被盗！！请马上冻结", "紧急：资产被盗"],
     "紧急！！我的账号被盗了，有人把我的USDT全部提走了，不是我本人操作的！\n提币地址：{addrtrx}\n"
     "交易链接：{linktron}\n用户ID：{uid} 请马上冻结我的账户！我的电话{phonecn}"),
    ("kyc", ["实名认证一直审核中", "KYC认证失败怎么办"],
     "您好，我的实名认证一直显示审核中，已经提交三天了。UID: {uid}\n身份证号：{idcard}（已经上传了正反面）\n请问还要多久？"),
    ("account", ["谷歌验证器丢失", "登录不了账号"],
     "我换了手机，谷歌验证器没有备份，现在登录不上账户了，怎么重置谷歌验证？\n账户UID：{uid}\n注册手机号 {phonecn}"),
    ("api", ["API报错 -1021", "API下单失败"],
     "API下单一直返回错误 -1021 Timestamp for this request is outside of the recvWindow，我的UID {uid}，"
     "服务器在东京，请问怎么解决？\n{commit}"),
    ("trading", ["限价单没成交", "委托单号{order}异常"],
     "我昨天挂的限价单，委托单号{order}，价格明明已经到了但是没有成交，这是为什么？我的用户编号是{uid}。"),
    ("withdrawal", ["提现地址错误？", "提币提示地址无效"],
     "你好，我提币的时候系统一直提示地址无效，我复制的地址是 {addrbadtrx} ，是不是我哪里弄错了？提的是{amtusdttrc}。UID：{uid}"),
    ("deposit", ["BEP20充值没到", "BNB充值未到账"],
     "通过BEP20网络充值的{amtbnb}还没到账，交易哈希 {txbsc} ，已经有几百个确认了。\n我的账户UID：{uid}"),
    ("deposit", ["充值问题", "充值没有到账"],
     "我充值了但是一直没到账，交易ID是\n{txunk}\n麻烦帮我看一下，谢谢。\n\n{sigcn}"),
    ("deposit", ["比特币充值", "BTC充值确认很久"],
     "你好，我从冷钱包转了{amtge}过来，哈希值：\n{txbtcnl}\n已经过了6个确认了，还是没到账。用户ID:{uid}"),
    ("deposit", ["SOL充值没到账", "Solana充值"],
     "SOL充值没到账，交易签名 {txsol} ，充值地址{addrsol}，转了{amtsol}。UID {uid}"),
    ("account", ["账户被冻结", "为什么冻结我的账户"],
     "ＵＩＤ：{uidfw}\n我的账户突然被冻结了，无法交易也无法提现，请问是什么原因？我没有做任何违规操作。"),
    ("security", ["私钥泄露了怎么办", "钱包被盗"],
     "我的钱包好像被盗了，之前在一个网站上输入过私钥：{privkey}\n现在钱包里的币都没了，你们能帮我追回吗？我的UID是{uid}"),
    ("withdrawal", ["ERC20提现没到", "提现卡住了"],
     "您好，我昨天提了{amtusdterc}到我的小狐狸钱包{addreth}，交易哈希{txeth}，Etherscan上显示pending，"
     "请问是不是gas给低了？订单号：{order}"),
    ("deposit", ["充值未到账（附截图）", "充值到账问题"],
     "你好，附件是转账截图，交易链接 {linkmempool} 。我的UID {uid}。\n{imgurl}"),
    ("other", ["合作咨询", "上币咨询"],
     "你好，我们是一个区块链项目方，想咨询一下上币流程和费用，方便的话请联系我。\n项目官网：{urlarticle}\n微信同号：{phonecn}"),
    ("withdrawal", ["咨询一下手续费", "提币手续费怎么算"],
     "你好，想问一下你们平台的提币手续费是怎么算的？我在这篇文章看到的：{urlarticle}\n谢谢\n{qq}"),
    ("withdrawal", ["LTC提现", "莱特币提现没到"],
     "莱特币提现没到账，链上查询 {linkchairltc}\n订单编号：{order}\n谢谢"),
    ("deposit", ["充值地址填错了一位", "充值地址好像写错了"],
     "我转账的时候地址好像少复制了一位还是改了一位，我填的是 {addrbadbtc} ，钱会不会丢？转的是{amtbtc}。UID {uid}"),
    ("trading", ["合约爆仓", "合约强平有问题"],
     "我的合约仓位被强平了，但是当时标记价格没到强平价，订单号 {order} ，请给个解释。\nUID:{uid}"),
    ("withdrawal", ["提现没到账", "波场提币没收到"],
     "我提了{amtu}到我的波场钱包，链上记录：{linkoklinktrx}\n订单号：{order}\n{sigcn}"),
]

ZH_HANT: list[T] = [
    ("deposit", ["入金未到帳", "USDT儲值沒有到帳"],
     "您好，我於今天下午3點從其他交易所轉了{amtusdttrc}到我的帳戶，儲值地址是{addrtrx}，"
     "交易雜湊：{txtrc}\n區塊鏈上已經顯示成功，但是到現在還沒有到帳。我的會員編號：{uid}，麻煩儘快處理，謝謝！"),
    ("withdrawal", ["提領還沒到帳", "提幣未到帳 訂單編號{order}"],
     "客服您好，我的提領訂單編號{order}，提幣{amtbtc}到{addrbtc}，已經過了四個小時還沒收到。\n"
     "TXID：{txbtc}\n請幫忙查詢。用戶ID {uid}"),
    ("security", ["帳號被盜！請立即凍結", "緊急：資產被盜"],
     "緊急！！我的帳號被盜了，有人把我的幣全部提走，不是我本人操作的！\n提幣地址：{addrtrx}\n"
     "交易連結：{linktron}\n會員編號：{uid} 請立刻凍結我的帳戶！聯絡電話 {phonetw}"),
    ("kyc", ["身分驗證一直審核中", "KYC驗證失敗"],
     "您好，我的身分驗證已經送出五天了，還是顯示審核中。會員編號 {uid}\n請問還需要多久？謝謝。"),
    ("account", ["無法登入帳號", "Google驗證器遺失"],
     "我換了新手機，Google驗證器沒有備份，現在無法登入帳戶，請問要怎麼重設兩步驟驗證？\n帳戶UID：{uid}"),
    ("api", ["API下單錯誤", "API金鑰權限問題"],
     "我用API下單一直回傳 Invalid signature，金鑰已經重新產生過了。UID：{uid}\n{commit}"),
    ("trading", ["限價單沒有成交", "訂單異常"],
     "我昨晚掛的限價單，訂單編號{order}，價格已經到了卻沒有成交，請問是什麼原因？用戶編號 {uid}"),
    ("withdrawal", ["提幣地址無效", "地址格式錯誤"],
     "提幣時系統一直說地址格式錯誤，我貼上的地址是 {addrbadtrx} ，請問是哪裡有問題？要提{amtusdttrc}。UID {uid}"),
    ("deposit", ["BSC儲值未到帳", "BNB入金問題"],
     "我用BEP20網路儲值{amtbnb}，交易雜湊 {txbsc} ，已經確認很多次了還沒到帳。\n帳戶UID：{uid}"),
    ("deposit", ["入金問題", "儲值沒有到帳"],
     "我儲值了但一直沒有到帳，交易ID如下：\n{txunk}\n請幫我查一下，謝謝。\n\n{sigtw}"),
    ("deposit", ["比特幣入金", "BTC儲值確認很久"],
     "您好，我從冷錢包轉了{amtbtc}過來，交易雜湊：\n{txbtcnl}\n已經六個確認了還沒有到帳。會員編號:{uid}"),
    ("deposit", ["SOL入金未到帳", "Solana儲值"],
     "SOL儲值沒有到帳，交易簽名 {txsol} ，儲值地址{addrsol}。UID {uid}"),
    ("account", ["帳戶被凍結", "為什麼凍結我的帳戶"],
     "ＵＩＤ：{uidfw}\n我的帳戶突然被凍結，無法交易也無法提領，請問是什麼原因？我沒有任何違規。"),
    ("security", ["收到釣魚郵件", "疑似詐騙"],
     "我收到一封自稱是你們客服的郵件，要我點連結驗證帳戶，看起來像釣魚網站：{urlarticle}\n"
     "我不小心輸入了密碼，現在很擔心帳號安全，請協助。會員編號 {uid}"),
    ("withdrawal", ["ERC20提領卡住", "提領一直處理中"],
     "您好，我昨天提領{amtusdterc}到我的錢包{addreth}，交易雜湊{txethwbr}，Etherscan顯示pending，"
     "請問是不是手續費設太低？訂單編號：{order}"),
    ("deposit", ["入金未到帳（附截圖）", "儲值到帳問題"],
     "附件是轉帳截圖，交易連結 {linkblockstream} 。會員編號 {uid}。\n{datauri}"),
    ("other", ["合作洽談", "上架詢問"],
     "您好，我們是區塊鏈專案團隊，想了解上架流程，方便的話請與我聯繫。\n官網：{urlarticle}\n電話 {phonetw}"),
    ("withdrawal", ["手續費詢問", "提幣手續費"],
     "您好，想請問你們平台的提幣手續費怎麼計算？我在這篇文章看到的：{urlarticle}\n謝謝\nLINE：{qq}"),
    ("trading", ["合約被強制平倉", "強平有問題"],
     "我的合約倉位被強制平倉，但當時標記價格沒有到強平價，訂單編號 {order} ，請給我一個解釋。\nUID:{uid}"),
    ("deposit", ["地址打錯一個字", "儲值地址好像打錯了"],
     "我轉帳時好像把地址改錯了一個字，我填的是 {addrbadbech} ，錢會不會不見？轉了{amtbtc}。UID {uid}"),
    ("withdrawal", ["波場提幣未到", "TRX提領問題"],
     "我從你們平台提了{amtusdt}到波場地址{addrtrx}，交易雜湊{txtrczw}，對方說沒收到。訂單編號 {order}"),
    ("deposit", ["BTC入金查詢", "比特幣儲值"], "區塊鏈瀏覽器連結：{linkbtccom}\n會員編號 {uid}\n謝謝"),
    ("withdrawal", ["BSC提領未到帳", "幣安鏈提領"], "BSC提領未到帳，交易雜湊：{txbscwbr}\n訂單編號 {order}"),
]

KO: list[T] = [
    ("deposit", ["입금이 안 됐어요", "USDT 입금 미반영 문의", "[긴급] 입금 문의 UID {uid}"],
     "안녕하세요.\n다른 거래소에서 {amtusdttrc} 보냈는데 아직 입금이 안 됐습니다.\n입금 주소: {addrtrx}\n"
     "TXID: {txtrc}\n제 UID는 {uid}입니다. 빨리 확인 부탁드립니다."),
    ("withdrawal", ["출금이 안 들어왔습니다", "비트코인 출금 지연"],
     "비트코인 출금 신청한 지 5시간이 지났는데 지갑에 안 들어왔습니다.\n주문번호: {order}\n"
     "출금 주소 {addrbtc}\n트랜잭션 해시 {txbtc}\n회원번호 {uid} 확인 부탁드려요."),
    ("security", ["해킹당했습니다 계정 동결 요청", "긴급 - 계정 도용"],
     "제 계정이 해킹당한 것 같습니다! 제가 하지 않은 출금이 있어요.\n출금된 주소: {addrtrx}\n"
     "{linktron}\nUID: {uid} 지금 바로 계정 동결해 주세요. 연락처 {phonekr}"),
    ("kyc", ["신분증 인증 실패", "KYC 인증 문의"],
     "신분증 인증(KYC)을 세 번이나 했는데 계속 실패합니다. 사진도 선명하게 찍었어요.\n회원번호: {uid}\n어떻게 해야 하나요?"),
    ("account", ["로그인이 안 돼요", "OTP 분실"],
     "휴대폰을 바꿔서 구글 OTP가 없어졌습니다. 로그인을 못 하고 있어요. OTP 초기화 방법 알려주세요.\n제 UID는 {uid} 입니다."),
    ("api", ["API 오류 문의", "API 키 권한"],
     "API로 주문을 넣으면 계속 Signature for this request is not valid 오류가 나옵니다. UID {uid}\n{commit}"),
    ("trading", ["지정가 주문 미체결", "주문 체결 오류"],
     "지정가 주문을 걸어놨는데 가격이 도달했는데도 체결이 안 됐습니다. 주문번호 {order} 확인해 주세요. 회원번호 {uid}"),
    ("withdrawal", ["출금 주소 오류", "주소가 유효하지 않다고 나와요"],
     "출금하려는데 주소가 유효하지 않다고 나옵니다. 제가 입력한 주소는 {addrbadtrx} 입니다. {amtusdttrc} 출금하려고 해요. UID {uid}"),
    ("deposit", ["BEP20 입금 미반영", "BNB 입금 문의"],
     "BEP20 네트워크로 {amtbnb} 입금했는데 반영이 안 됐습니다.\nTxHash: {txbsc}\n제 UID: {uid}"),
    ("deposit", ["입금 문의", "입금 확인 요청"],
     "입금했는데 아직 반영이 안 되어서 문의드립니다. TXID는\n{txunk}\n입니다. 확인 부탁드립니다.\n\n{sigkr}"),
    ("deposit", ["비트코인 입금 지연", "BTC 입금 확인"],
     "개인 지갑에서 {amtbtc}를 보냈는데 아직 입금이 안 됐어요.\n해시:\n{txbtcnl}\n회원번호:{uid}"),
    ("deposit", ["솔라나 입금", "SOL 입금 미반영"],
     "솔라나(SOL) 입금이 안 됐습니다. 트랜잭션 서명 {txsol}\n입금 주소 {addrsol}\n{amtsol} 보냈습니다. UID {uid}"),
    ("account", ["계정 잠김", "계정이 정지되었습니다"],
     "ＵＩＤ：{uidfw}\n갑자기 계정이 정지되어서 거래도 출금도 안 됩니다. 이유를 알려주세요."),
    ("security", ["피싱 사이트에 개인키를 입력했어요", "지갑 도난"],
     "피싱 사이트에 개인키를 입력해 버렸습니다. 개인키: 0x{privkey}\n지갑 자산이 다 빠져나갔어요. 도와주세요. UID {uid}"),
    ("withdrawal", ["ERC20 출금 지연", "출금 처리중"],
     "어제 {amtusdterc}를 메타마스크 {addreth} 로 출금했는데 Etherscan에서 pending 상태입니다.\n"
     "Tx: {txeth}\n주문번호: {order}"),
    ("deposit", ["입금 미반영 (스크린샷 첨부)", "입금 확인 부탁"],
     "스크린샷 첨부합니다. 거래 링크 {linkmempool}\n회원번호 {uid}\n{imgurl}"),
    ("other", ["제휴 문의", "상장 문의"],
     "안녕하세요. 블록체인 프로젝트 팀입니다. 상장 절차에 대해 문의드립니다.\n홈페이지: {urlarticle}\n연락처 {phonekr}"),
    ("withdrawal", ["수수료 문의", "출금 수수료 문의"],
     "출금 수수료가 어떻게 계산되는지 궁금합니다. 이 글 보고 문의드려요: {urlarticle}\n감사합니다."),
    ("trading", ["선물 강제청산 문의", "청산 오류"],
     "선물 포지션이 강제청산 됐는데 마크 가격이 청산가에 도달하지 않았습니다. 주문 번호: {order}\nUID:{uid}"),
    ("withdrawal", ["트론 출금 미수신", "TRX 출금 문의"],
     "{amttrx}를 트론 지갑 {addrtrx}로 출금했는데 상대방이 못 받았다고 합니다.\nTXID {txtrczw}\n주문번호 {order}"),
    ("deposit", ["주소 한 글자 틀림", "입금 주소 오타"],
     "입금할 때 주소를 한 글자 잘못 입력한 것 같습니다. 보낸 주소는 {addrbadbech} 이고 {amtbtc} 보냈어요. UID {uid}"),
    ("withdrawal", ["솔라나 출금 미수신", "SOL 출금 문의"], "솔라나 출금이 안 왔어요.\n{linksolexp}\n주문번호 {order}"),
]

JA: list[T] = [
    ("deposit", ["入金が反映されません", "USDT入金未反映のお問い合わせ"],
     "お世話になっております。\n他の取引所から{amtusdttrc}を送金しましたが、まだ入金が反映されていません。\n"
     "入金アドレス：{addrtrx}\nトランザクションID：{txtrc}\nユーザーID：{uid}\nご確認のほどよろしくお願いいたします。"),
    ("withdrawal", ["出金が届きません", "ビットコイン出金遅延"],
     "ビットコインの出金を申請してから5時間経ちますが、まだウォレットに届いていません。\n注文番号：{order}\n"
     "出金先：{addrbtc}\nTxID：{txbtc}\n会員番号 {uid}"),
    ("security", ["不正ログインされました", "【至急】アカウント乗っ取り"],
     "至急対応をお願いします。アカウントに不正ログインされ、身に覚えのない出金がありました。\n"
     "送金先：{addrtrx}\n{linktron}\nユーザーID：{uid}\nすぐにアカウントを凍結してください。電話：{phonejp}"),
    ("kyc", ["本人確認が完了しません", "KYC審査について"],
     "本人確認書類を提出して1週間経ちますが、まだ審査中のままです。\nユーザーID {uid}\nいつ頃完了しますか。"),
    ("account", ["ログインできません", "二段階認証の解除"],
     "スマホを機種変更したため、Google認証アプリが使えずログインできません。二段階認証のリセット方法を教えてください。\nUID：{uid}"),
    ("api", ["APIエラーについて", "APIキーの権限"],
     "APIで注文を出すと Invalid API-key, IP, or permissions for action のエラーが返ってきます。UID {uid}\n{commit}"),
    ("trading", ["指値注文が約定しない", "注文の不具合"],
     "指値注文を出していましたが、価格に到達したのに約定しませんでした。注文番号{order}をご確認ください。会員番号：{uid}"),
    ("withdrawal", ["出金アドレスが無効", "アドレスエラー"],
     "出金しようとするとアドレスが無効と表示されます。入力したアドレスは {addrbadtrx} です。{amtusdttrc}を出金したいです。UID {uid}"),
    ("deposit", ["BEP20入金について", "BNB入金未反映"],
     "BEP20ネットワークで{amtbnb}を入金しましたが反映されていません。\nトランザクションハッシュ：{txbsc}\nユーザーID：{uid}"),
    ("deposit", ["入金について", "入金確認のお願い"],
     "入金しましたがまだ反映されていません。トランザクションIDは以下の通りです。\n{txunk}\nよろしくお願いします。\n\n{sigjp}"),
    ("deposit", ["BTC入金について", "ビットコイン入金が反映されない"],
     "個人ウォレットから{amtbtc}を送りましたが、まだ入金されていません。\nハッシュ：\n{txbtcnl}\nユーザーID：{uid}"),
    ("deposit", ["SOL入金未反映", "ソラナ入金"],
     "ソラナ(SOL)の入金が反映されません。署名：{txsol}\n入金アドレス：{addrsol}\nUID {uid}"),
    ("account", ["アカウントが凍結されました", "口座凍結の理由"],
     "ＵＩＤ：{uidfw}\n突然アカウントが凍結され、取引も出金もできません。理由を教えてください。"),
    ("security", ["フィッシングサイトに秘密鍵を入力", "ウォレット盗難"],
     "フィッシングサイトに秘密鍵を入力してしまいました。秘密鍵：{privkey}\n資産がすべて抜かれています。助けてください。UID {uid}"),
    ("withdrawal", ["ERC20出金が保留中", "出金処理中のまま"],
     "昨日{amtusdterc}をメタマスク{addreth}に出金しましたが、Etherscanでpendingのままです。\n"
     "TxHash：{txethnl}\n注文番号：{order}"),
    ("deposit", ["入金未反映（スクショ添付）", "入金確認"],
     "スクリーンショットを添付します。トランザクション：{linkblockstream}\n会員番号 {uid}\n{datauri}"),
    ("other", ["提携のご相談", "上場について"],
     "はじめまして。ブロックチェーンプロジェクトの者です。上場の手続きについてお伺いしたいです。\nサイト：{urlarticle}\n電話：{phonejp}"),
    ("withdrawal", ["手数料について", "出金手数料"],
     "出金手数料の計算方法を教えてください。こちらの記事を見ました：{urlarticle}\nよろしくお願いします。"),
    ("trading", ["先物の強制ロスカット", "清算について"],
     "先物ポジションが強制決済されましたが、マーク価格はロスカット価格に達していませんでした。注文ID：{order}\nUID:{uid}"),
    ("withdrawal", ["ポリゴン出金", "Polygon出金未着"],
     "Polygonネットワークで{amtusdc}を出金しましたが届いていません。\n{linkpolygon}\n注文番号 {order}"),
    ("deposit", ["アドレスを1文字間違えた", "入金アドレスの誤り"],
     "送金時にアドレスを1文字間違えたかもしれません。送金先は {addrbadbtc} です。{amtbtc}送りました。UID {uid}"),
    ("deposit", ["TRC20入金が反映されない", "USDT(TRC20)入金"],
     "入金アドレス：{linktronaddr}\nTxID：\n{txtrcnl}\nユーザーID：{uid}"),
]

EN: list[T] = [
    ("deposit", ["Deposit not credited", "USDT deposit missing!!", "URGENT: deposit not received - UID {uid}"],
     "Hi,\n\nI sent {amtusdttrc} from Binance to my deposit address {addrtrx} about 3 hours ago. "
     "The transaction shows as confirmed on-chain (TxID: {txtrc}) but my balance hasn't changed.\n\n"
     "My UID is {uid}. Please check asap.\n\nThanks"),
    ("withdrawal", ["Withdrawal not received", "BTC withdrawal stuck for 6 hours"],
     "Hello support,\n\nMy withdrawal of {amtbtc} to {addrbtc} still hasn't arrived. Order ID: {order}\n"
     "TXID {txbtc}\n\nuser id {uid}"),
    ("security", ["Account hacked - please freeze", "Unauthorized withdrawal on my account!!!"],
     "Someone logged into my account and withdrew everything. I did NOT make this withdrawal!\n"
     "Destination address: {addrtrx}\nTx: {linktron}\nAccount ID: {uid}\n"
     "Please freeze my account immediately. Call me at {phoneen}"),
    ("kyc", ["KYC verification pending", "Identity verification rejected"],
     "Hi, I submitted my identity verification documents 5 days ago and it still says pending. "
     "My account id is {uid}. How long does KYC usually take?"),
    ("account", ["Can't log in", "Lost my 2FA device"],
     "I changed my phone and lost access to Google Authenticator, so I can't log in. How do I reset 2FA?\n"
     "UID: {uid}"),
    ("api", ["API error -2015", "API key permissions"],
     "Getting 'Invalid API-key, IP, or permissions for action' when placing orders through the API. "
     "I whitelisted my server IP. UID {uid}\n\n{commit}"),
    ("trading", ["Limit order not filled", "Order issue"],
     "My limit order (order no. {order}) wasn't filled even though the price traded through my level. "
     "Can you explain? My user id is {uid}."),
    ("withdrawal", ["Withdrawal address rejected", "Invalid address error"],
     "Your app keeps saying the address is invalid when I try to withdraw {amtusdttrc}. "
     "The address I pasted is {addrbadtrx} - what am I doing wrong? UID {uid}"),
    ("deposit", ["BEP20 deposit missing", "BNB deposit not showing"],
     "I deposited {amtbnb} over BEP20 (BNB Smart Chain) and it's not showing up.\nTx hash: {txbsc}\nUID: {uid}"),
    ("deposit", ["Deposit issue", "Missing deposit"],
     "Hi, my deposit hasn't arrived yet. Transaction ID:\n{txunk}\nPlease look into it.\n\n{sigen}"),
    ("deposit", ["Bitcoin deposit pending", "BTC deposit not credited"],
     "I sent {amtbtc} from my Ledger about 2 hours ago, already 6 confirmations. Hash:\n{txbtcqp}\nUID: {uid}"),
    ("deposit", ["SOL deposit missing", "Solana deposit"],
     "My SOL deposit ({amtsol}) never arrived. Signature: {txsol}\nDeposit address: {addrsol}\nUID {uid}"),
    ("account", ["Account frozen", "Why is my account restricted?"],
     "ＵＩＤ：{uidfw}\nMy account was suddenly frozen and I can't trade or withdraw. Please tell me why."),
    ("security", ["Phishing site stole my wallet", "I entered my private key on a fake site"],
     "I think I got phished. I entered my private key on a site that looked like yours: {privkey}\n"
     "All funds are gone from that wallet. My UID is {uid}. Is there anything you can do?"),
    ("withdrawal", ["ERC20 withdrawal pending", "Withdrawal stuck"],
     "Withdrew {amtusdterc} to my MetaMask {addreth} yesterday; Etherscan shows it pending.\n"
     "tx hash {txethwbr}\norder number: {order}"),
    ("deposit", ["Deposit not credited (screenshot)", "Deposit proof"],
     "Screenshot attached. Here is the transaction: {linkmempool}\nuser ID {uid}\n{imgurl}"),
    ("other", ["Partnership inquiry", "Listing request"],
     "Hello, we are a blockchain project and would like to discuss a listing or partnership.\nWebsite: {urlarticle}\nBest, Tom {phoneen}"),
    ("withdrawal", ["Question about fees", "Withdrawal fees?"],
     "Hi, how are withdrawal fees calculated? I read this article: {urlarticle}\nThanks!"),
    ("trading", ["Liquidation dispute", "Futures position liquidated"],
     "My futures position got liquidated although the mark price never hit my liquidation price. "
     "Order ID {order}\nUID:{uid}"),
    ("withdrawal", ["Arbitrum withdrawal not received", "ETH on Arbitrum missing"],
     "I withdrew {amteth} to my wallet on Arbitrum but it never arrived: {linkarbiscan}\nOrder #{order}"),
    ("deposit", ["Typo in deposit address?", "Sent to wrong address"],
     "I think I mistyped one character of the address when sending {amtbtc}. I sent it to {addrbadbech} . "
     "Is my money lost? UID {uid}"),
    ("deposit", ["Litecoin deposit", "LTC deposit missing"],
     "Sent {amtltc} (LTC) 40 minutes ago, still not credited.\ntxid: {txltc}\naccount number {uid}"),
    ("withdrawal", ["Wrong checksum?", "MetaMask says address checksum invalid"],
     "MetaMask says the address checksum is invalid for the address shown in your app: {addrbadeth}\n"
     "I'm trying to withdraw {amteth}. My UID is {uid}"),
    ("withdrawal", ["BSC withdrawal missing", "BEP20 withdrawal not received"],
     "My BEP20 wallet is {addrbsc}. The withdrawal never arrived: {linkbscscan}\nUID {uid}"),
    ("deposit", ["BTC deposit", "Taproot deposit not credited"],
     "Blockchair shows it confirmed: {linkchairbtc} - my deposit address is {addrtaproot}. UID: {uid}"),
]

# One-off messages, each used once: the awkward shapes real mail takes (several chains in one
# mail, ids in Markdown links left by HTML-to-text, narrow wraps, ids only in the subject...).
HARD: dict[str, list[T]] = {
    "zh-Hans": [
        ("deposit", ["[UID:{uid}] 两笔充值都没到"],
         "两笔充值都没到账：\n1. BTC：{txbtc}\n2. USDT-TRC20：{txtrc}\n麻烦一起查一下。"),
        ("deposit", ["充值没到账"],
         "**交易ID：** `{txtrc}`\n\n[查看交易]({linktron})\n\n我的uid：{uidfw}（手机号{phonecn}）"),
        ("withdrawal", ["提币问题"],
         "提币订单号为{order}，快递单号SF{postal}{postal2}不是我的。哈希：\n{txunknl}\n\n工单号 {ticket}"),
        ("account", ["QQ邮箱收不到验证码"],
         "我的注册邮箱是{qq}@qq.com，收不到验证码，没法登录。QQ/微信：{qq2}\n用户ID：{uid}"),
        ("trading", ["订单一直未成交"],
         "订单号：{order}、{order2} 两个限价委托一直没成交，参考号 {ticket}"),
        ("deposit", ["SOL 充值"], "充值记录：{linksolscan}\n地址：{addrsol}\n{css}\n用户编号 {uid}"),
        ("security", ["有人登录了我的账户"],
         "今天凌晨有异地登录，不是我本人操作，提走了{amtu}，到了这个地址 {addrtrx}\n"
         "UID {uid}\n\n以下是客服之前的回复：\n> 您好，您的UID {uid} 已记录\n> 哈希 {qtx}"),
    ],
    "zh-Hant": [
        ("deposit", ["兩筆入金"],
         "有兩筆儲值沒有到帳：\nETH：{txeth}\nBTC：{txbtc}\n會員編號：{uid}"),
        ("withdrawal", ["提領未到帳"],
         "提領訂單編號：{order}\n[交易明細]({linkmempool})\n--\n陳先生 {phonetw}\n公司統一編號 {regno}"),
        ("account", ["帳號被鎖"], "我的帳號被鎖定了，會員編號{uid}，LINE ID：{qq}，謝謝。"),
        ("deposit", ["BSC 入金"], "在bscscan上看已經成功：{txbsc}\n帳戶UID {uid}\n{imgurl}"),
        ("kyc", ["身分驗證"], "身分證號碼 A{regno}{postal} 已經上傳，審核還沒通過，會員編號 {uid}"),
        ("withdrawal", ["USDT提領"],
         "提了{amtusdttrc}，TXID分成兩行貼給你們：\n{txtrcnl}\n訂單編號 {order}"),
        ("security", ["釣魚網站"],
         "我在釣魚網站輸入了私鑰 {privkey} ，錢包被清空，地址 {addreth} 。會員編號 {uid}"),
    ],
    "ko": [
        ("deposit", ["입금 두 건 미반영"], "입금 두 건이 반영이 안 됐어요.\nBTC: {txbtc}\nTRC20: {txtrc}\n회원번호 {uid}"),
        ("withdrawal", ["출금 문의"],
         "주문번호 {order}\n출금 주소 {addrtaproot}\n[트랜잭션 보기]({linkblockstream})\n연락처 {phonekr}"),
        ("account", ["OTP 재설정"], "OTP 재설정 요청합니다. 회원번호는 {uid}이고 우편번호는 {postalkr}입니다."),
        ("deposit", ["이더리움 입금"], "이더리움 입금 Tx: {linketherscan}\n보낸 주소 {addrethlower}\nUID:{uid}"),
        ("kyc", ["KYC 재심사"], "신분증 재업로드했습니다. 제 UID는 {uid}입니다. 사업자등록번호 {bizno} (개인사업자)"),
        ("trading", ["주문 오류"], "주문번호: {order} 와 {order2} 둘 다 체결이 안 됐습니다."),
        ("deposit", ["입금 해시"], "해시가 길어서 세 줄로 나눠 보냅니다\n{txunk3}\nUID {uid}"),
    ],
    "ja": [
        ("deposit", ["入金2件"], "2件の入金が反映されていません。\nBTC：{txbtc}\nTRC20：{txtrc}\nユーザーID：{uid}"),
        ("withdrawal", ["出金について"],
         "注文番号：{order}\n[トランザクション]({linkbscscan})\n電話：{phonejp}\n〒{postaljp}"),
        ("account", ["ログイン不可"], "会員番号{uidfw}です。パスワードを忘れてログインできません。"),
        ("deposit", ["イーサリアム入金"], "Etherscan：{linketherscan}\n送金元：{addreth}\nUID：{uid}"),
        ("kyc", ["本人確認書類"], "マイナンバーカードで本人確認を申請しました。ユーザーID {uid}\n法人番号 {corpnum}"),
        ("trading", ["約定しない"], "注文番号 {order} の指値が約定しません。{urltrack}"),
        ("deposit", ["ソラナ入金"], "Solscan：{linksolscan}\n入金アドレス {addrsol}\nUID {uid}"),
    ],
    "en": [
        ("deposit", ["Two deposits missing"],
         "Neither deposit arrived:\n- BTC: {txbtc}\n- USDT (TRC20): {txtrc}\nUID {uid}"),
        ("withdrawal", ["Withdrawal stuck"],
         "**Order ID:** {order}\n[View on explorer]({linkmempool})\n\nRef: {ticket}"),
        ("account", ["Can't log in"], "Hi, can't log in since yesterday. User-ID: {uid}. Call me on {phoneen}."),
        ("deposit", ["ETH deposit"], "Sent from {addrethlower} - {linketherscan}\nuid #{uid}"),
        ("kyc", ["Passport rejected"], "My passport was rejected twice. account number {uid}\n{datauri}"),
        ("trading", ["Orders not filled"], "Orders {order}, {order2} were never filled."),
        ("api", ["Websocket disconnects"],
         "The websocket API keeps disconnecting every 10 minutes. UID {uid}\n{commit}\nhttps://github.com/example/bot/commit/{ticket}"),
    ],
}

TEMPLATES: dict[str, list[T]] = {"zh-Hans": ZH_HANS, "zh-Hant": ZH_HANT, "ko": KO, "ja": JA, "en": EN}

# Signatures, footers, HTML leftovers and quoted history: the noise around the facts.
SIGNATURES = {
    "zh-Hans": ["\n\n--\n张伟\n手机：{phonecn}\n{qq}", "\n\n发自我的iPhone", "\n\n王先生 {phonecn}\n邮编：{postal}",
                "\n\n李娜\n微信同号 {phonecn}"],
    "zh-Hant": ["\n\n--\n陳小明\n手機：{phonetw}", "\n\n從我的 iPhone 傳送", "\n\n林先生 {phonetw}\n郵遞區號 {postal}"],
    "ko": ["\n\n--\n김민수 드림\n연락처: {phonekr}", "\n\niPhone에서 보냄", "\n\n이지은\n휴대폰 {phonekr}\n우편번호 {postalkr}"],
    "ja": ["\n\n--\n山田太郎\n電話：{phonejp}\n〒{postaljp}", "\n\niPhoneから送信", "\n\n佐藤花子\nTEL {phonejp}"],
    "en": ["\n\n--\nJohn Smith\nMobile: {phoneen}", "\n\nSent from my iPhone", "\n\nBest,\nAlex\n{phoneen}",
           "\n\nRegards,\nMaria Garcia\nZIP {postalkr}"],
}
FOOTERS = {
    "zh-Hans": ["\n\n本邮件及其附件含有保密信息，仅限于发送给上面地址中列出的个人或群组。公司注册号 {regno} 统一社会信用代码 {corpnum}"],
    "zh-Hant": ["\n\n本電子郵件及附件所載資訊均為保密資訊。公司統一編號 {regno}"],
    "ko": ["\n\n본 메일은 발신 전용입니다. (주)코인테크 사업자등록번호: {bizno} 대표이사 홍길동"],
    "ja": ["\n\nこのメールは機密情報を含みます。株式会社サンプル 法人番号 {corpnum}"],
    "en": ["\n\nThis email and any attachments are confidential. Registered in England and Wales, company no. {regno}. "
           "Bank account no. {regno2} (HSBC).",
           "\n\nCONFIDENTIALITY NOTICE: intended only for the addressee. Ticket #{ticket} ref {corpnum}"],
}
SIG_SLOTS = {"sigcn": "\n张伟 {phonecn}", "sigtw": "\n陳先生 {phonetw}", "sigkr": "\n김민수 {phonekr}",
             "sigjp": "\n山田 {phonejp}", "sigen": "\nJohn\n{phoneen}"}

QUOTES = {
    "zh-Hans": [
        "\n\n------------------ 原始邮件 ------------------\n发件人: \"客服中心\"<support@example-exchange.com>;\n"
        "发送时间: 2025年3月4日(星期二) 晚上9:12\n收件人: \"我\"<user@qq.com>;\n主题: 回复：充值问题\n\n"
        "尊敬的用户，请提供您的UID和交易哈希（TXID），以便我们核查。\n> 我的UID是{quid}，哈希 {qtx}",
        "\n\n在 2025年3月4日 21:12，客服中心 <support@example-exchange.com> 写道：\n> 您好，请提供订单号。\n> "
        "订单号：{qorder}\n> Message-ID: {qmsgid}",
    ],
    "zh-Hant": [
        "\n\n寄件者: 客服中心 <support@example-exchange.com>\n寄件日期: 2025年3月4日 下午 09:12\n收件者: 我\n主旨: 回覆：入金問題\n\n"
        "您好，已收到您的會員編號 {quid}，請再提供交易雜湊。\n> TXID: {qtx}",
        "\n\n客服中心 <support@example-exchange.com> 於 2025年3月4日 週二 下午9:12寫道：\n> 請提供您的訂單編號 {qorder}",
    ],
    "ko": [
        "\n\n-----Original Message-----\n보낸 사람: \"고객센터\" <support@example-exchange.com>\n보낸 날짜: 2025-03-04 오후 9:12\n"
        "받는 사람: 나\n제목: RE: 입금 문의\n\n회원님의 UID({quid})와 TXID {qtx} 를 확인했습니다.",
        "\n\n2025년 3월 4일 (화) 오후 9:12, 고객센터 <support@example-exchange.com>님이 작성:\n> 주문번호 {qorder} 확인 부탁드립니다.",
    ],
    "ja": [
        "\n\n差出人: サポートセンター <support@example-exchange.com>\n送信日時: 2025年3月4日 21:12\n宛先: 私\n件名: RE: 入金について\n\n"
        "ユーザーID {quid} のお客様、TxID {qtx} を確認中です。",
        "\n\n2025年3月4日(火) 21:12 サポートセンター <support@example-exchange.com>:\n> 注文番号 {qorder} をご確認ください。",
    ],
    "en": [
        "\n\nOn Tue, Mar 4, 2025 at 9:12 PM Support <support@example-exchange.com> wrote:\n> Please send your UID.\n"
        ">\n> My UID is {quid} and the txid was {qtx}",
        "\n\n________________________________\nFrom: Support <support@example-exchange.com>\nSent: Tuesday, March 4, 2025 9:12 PM\n"
        "To: me\nSubject: RE: Deposit issue\n\nDear customer, regarding order {qorder}, please wait.",
        "\n\n---------- Forwarded message ---------\nFrom: Support <support@example-exchange.com>\nDate: Tue, Mar 4, 2025 at 9:12 PM\n"
        "Subject: Deposit issue\nMessage-ID: {qmsgid}\nTo: me\n\nWe received your request. UID {quid}",
    ],
}


def _quoted_slots(m: Msg) -> None:
    """Values that only appear in quoted history: expected in ``quoted``, never in ``entities``."""
    m.cache["quid"] = str(m.rng.randint(10**7, 10**8 - 1))
    m.cache["qtx"] = hex64(m.rng)
    m.cache["qorder"] = str(m.rng.randint(10**15, 10**16 - 1))
    msgid = _msgid(m.rng)
    m.cache["qmsgid"] = msgid
    m.decoys.extend(re.findall(r"[0-9A-Za-z]{16,}", msgid))


ATTACHMENTS = {
    "zh-Hans": ["IMG_20250305_101754.jpg", "微信图片_20250305101754.png", "Screenshot_2025-03-05-10-17-54-123_com.app.jpg", "转账截图.png"],
    "zh-Hant": ["IMG_20250305_151200.jpg", "截圖 2025-03-05 下午3.12.00.png", "螢幕擷取畫面 2025-03-05 151200.png"],
    "ko": ["스크린샷 2025-03-05 오전 10.17.54.png", "KakaoTalk_20250305_101754123.jpg", "IMG_4821.PNG"],
    "ja": ["スクリーンショット 2025-03-05 10.17.54.png", "IMG_20250305_101754.jpg", "LINE_ALBUM_20250305.jpg"],
    "en": ["Screenshot 2025-03-05 at 10.17.54.png", "IMG_20250305_101754.jpg", "PXL_20250305_101754123.jpg", "receipt.pdf"],
}
TZ = {"zh-Hans": 8, "zh-Hant": 8, "ko": 9, "ja": 9, "en": 0}


def build(rng: random.Random, lang: str, n: int, template: T) -> dict[str, Any]:
    category, subjects, body = template
    m = Msg(rng, lang)
    _quoted_slots(m)
    for name, text in SIG_SLOTS.items():
        m.cache[name] = m.fill(text)
    subject = m.fill(rng.choice(subjects))
    text = m.fill(body)
    if rng.random() < 0.45:
        text += m.fill(rng.choice(SIGNATURES[lang]))
    if rng.random() < 0.25:
        text += m.fill(rng.choice(FOOTERS[lang]))
    if rng.random() < 0.15:
        text = m.fill(rng.choice(["{css}\n", "{datauri}\n"])) + text
    if rng.random() < 0.12:
        text += "\n" + m.fill(rng.choice(["{urltrack}", "{imgurl}", "{urlarticle}"]))
    quoted = rng.random() < 0.35
    if quoted:
        text += m.fill(rng.choice(QUOTES[lang]))
    attachments = rng.sample(ATTACHMENTS[lang], rng.choice([0, 0, 1, 2]))
    if rng.random() < 0.06:
        attachments.append(f"UID_{m.slot('uid')}_passport.jpg")
    offset = timezone(timedelta(hours=TZ[lang] if lang != "en" else rng.choice([0, -5, 1, 8])))
    sent = datetime(2025, 3, 5, 0, 0, tzinfo=offset) + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
    m.expected["language"] = lang
    m.expected["category"] = category
    return {"id": f"core-{lang}-{n:03d}", "lang": lang, "subject": subject, "body": text,
            "date": format_datetime(sent), "attachments": attachments, "expected": m.expected,
            "decoys": _present(m.decoys, subject + "\n" + text + "\n" + "\n".join(attachments))}


def _present(decoys: list[str], text: str) -> list[str]:
    """Only the decoys this message actually carries (slots are filled for every message)."""
    compact = re.sub(r"[ \-()+]", "", text)
    return sorted({d for d in decoys if d and (d in text or d in compact)})


def main() -> int:
    rng = random.Random(SEED)
    lines = []
    for lang, templates in TEMPLATES.items():
        for n in range(45):
            template = templates[n % len(templates)] if n < len(templates) else rng.choice(templates)
            lines.append(build(rng, lang, n, template))
        for n, template in enumerate(HARD[lang], start=100):
            lines.append(build(rng, lang, n, template))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for rec in lines:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} messages to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
