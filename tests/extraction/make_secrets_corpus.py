"""Write ``corpus/secrets.jsonl``: labelled snippets for secret detection and redaction.

Every mnemonic, key and address here is generated with bip-utils from a fixed seed, so the
file is reproducible and every "valid" secret really is valid (BIP39 checksum, WIF and
base58check). Run from the repository root and commit the output:

    python tests/extraction/make_secrets_corpus.py

Line format (read by the extraction benchmark too; keep it exact)::

    {"id": "sec-001", "lang": "en", "subject": "...", "body": "...", "date": null,
     "attachments": [], "expected": {"secrets": ["seed phrase"]},
     "decoys": ["<the secret as written: no stored entity may contain it>"]}

``expected.secrets`` is the sorted list of kinds ``redact()`` must report; negative cases
have ``[]`` and no decoys (their TxIDs and addresses are legitimate entities).
"""

from __future__ import annotations

import json
import random
import string
import unicodedata
from pathlib import Path

from bip_utils import (
    Bip32Secp256k1,
    EthAddrEncoder,
    P2PKHAddrEncoder,
    P2WPKHAddrEncoder,
    Secp256k1PrivateKey,
    TrxAddrEncoder,
    WifEncoder,
)
from bip_utils.wif.wif import WifPubKeyModes

from mailbridge.extraction.bip39_words import checksum_ok, mnemonic_words, word_lists

OUT = Path(__file__).parent / "corpus" / "secrets.jsonl"
RNG = random.Random(20250305)

SP = "seed phrase"
PK = "private key"
WIF = "wif key"
API = "api secret"


# --- generators -------------------------------------------------------------------------------


def mnemonic(language: str, words: int = 12) -> list[str]:
    """A valid mnemonic, in NFC as people type it (the shipped lists are partly NFKD)."""
    return [unicodedata.normalize("NFC", w) for w in mnemonic_words(language, RNG.randbytes(words * 4 // 3))]


def bad_checksum(language: str, words: int = 12) -> list[str]:
    """List words that fail the checksum (a customer's typo)."""
    listed = word_lists().words[language]
    index = {w: i for i, w in enumerate(listed)}
    good = mnemonic_words(language, RNG.randbytes(words * 4 // 3))
    while True:
        bad = list(good)
        bad[RNG.randrange(words)] = listed[RNG.randrange(2048)]
        if not checksum_ok([index[w] for w in bad]):
            return [unicodedata.normalize("NFC", w) for w in bad]


def privkey() -> bytes:
    return RNG.randbytes(32)


def wif(compressed: bool = True) -> str:
    mode = WifPubKeyModes.COMPRESSED if compressed else WifPubKeyModes.UNCOMPRESSED
    return WifEncoder.Encode(privkey(), pub_key_mode=mode)


def pubkey():
    return Secp256k1PrivateKey.FromBytes(privkey()).PublicKey()


def btc_address() -> str:
    return P2PKHAddrEncoder.EncodeKey(pubkey(), net_ver=b"\x00")


def bech32_address() -> str:
    return P2WPKHAddrEncoder.EncodeKey(pubkey(), hrp="bc")


def eth_address() -> str:
    return EthAddrEncoder.EncodeKey(pubkey())


def tron_address() -> str:
    return TrxAddrEncoder.EncodeKey(pubkey())


def hex64() -> str:
    return RNG.randbytes(32).hex()


def api_token(n: int = 64) -> str:
    return "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(n))


def numbered(words: list[str], style: str = "{n}. {w}", sep: str = "\n") -> str:
    return sep.join(style.format(n=n, w=w) for n, w in enumerate(words, 1))


# --- the cases --------------------------------------------------------------------------------

CASES: list[dict] = []


def case(lang: str, subject: str, body: str, secrets: list[str], decoys: list[str] = ()) -> None:
    for d in decoys:
        assert d in subject + "\n" + body, d
    CASES.append({
        "id": f"sec-{len(CASES) + 1:03d}",
        "lang": lang,
        "subject": subject,
        "body": body,
        "date": None,
        "attachments": [],
        "expected": {"secrets": sorted(set(secrets))},
        "decoys": list(decoys),
    })


def english_seed_phrases() -> None:
    m = " ".join(mnemonic("english"))
    case("en", "Wallet drained, please help",
         f"Hello,\n\nsomeone emptied my wallet last night. Here are my words so you can check:\n{m}\n\nThanks, Tom", [SP], [m])
    m = " ".join(mnemonic("english", 24))
    case("en", "Recover my funds", f"My 24 words are {m} — please restore my account.", [SP], [m])
    w = mnemonic("english")
    m = numbered(w)
    case("en", "seed", f"Support team,\n\n{m}\n\nThat is what the wallet showed me when I set it up.", [SP], [m])
    w = mnemonic("english", 18)
    m = numbered(w, "{n}) {w}", " ")
    case("en", "Missing deposit", f"I was told to send the recovery phrase: {m}. UID 45678123.", [SP], [m])
    w = mnemonic("english", 15)
    m = numbered(w, "{n}-{w}", "\n")
    case("en", "Help", f"hi\n{m}\nregards", [SP], [m])
    w = mnemonic("english", 21)
    m = ", ".join(w)
    case("en", "Account locked", f"Backup words (from my notebook): {m}", [SP], [m])
    w = mnemonic("english")
    m = " ".join(x.upper() if i % 2 else x.capitalize() for i, x in enumerate(w))
    case("en", "URGENT", f"MY SEED IS {m} PLEASE HELP", [SP], [m])
    w = mnemonic("english", 24)
    m = "\n".join("\t".join(f"{n + 1}. {w[n]}" for n in range(r, r + 4)) for r in range(0, 24, 4))
    case("en", "Ledger backup", f"I copied the card exactly as printed:\n\n{m}\n\nIs my Ledger compromised?", [SP], [m])
    w = mnemonic("english")
    m = "\n".join(f"> {x}" for x in w)
    case("en", "Re: Your ticket #88812",
         f"Sorry, forgot to include them:\n\n{m}\n\nOn Mon, 3 Mar 2025, Support wrote:\n> We never ask for them.", [SP], [m])
    w = mnemonic("english")
    m = json.dumps(w)
    case("en", "export", f'Wallet export: {{"mnemonic": {m}, "path": "m/44\'/60\'/0\'/0/0"}}', [SP], [m])
    bad = " ".join(bad_checksum("english"))
    case("en", "Is this phrase right?",
         f"My seed phrase does not import, maybe I wrote one word wrong:\n{bad}\nCan you check?", [SP], [bad])
    w = mnemonic("english")
    w[5] = w[5][:4] + "xq"  # misspelt, first four letters intact
    m = " ".join(w)
    case("en", "recovery phrase typo", f"recovery phrase: {m}", [SP], [m])
    m = " ".join(mnemonic("english"))
    case("en", "two wallets",
         f"First wallet: {m}\nSecond wallet is a Trezor, I still have that one.", [SP], [m])
    for language in ("spanish", "french", "italian", "czech", "portuguese"):
        m = " ".join(mnemonic(language))
        case("en", "seed in my language", f"My wallet is in {language.title()}, words: {m}", [SP], [m])
    m = " ".join(unicodedata.normalize("NFD", x) for x in mnemonic("spanish"))
    case("en", "NFD Spanish", f"frase: {m}", [SP], [m])
    m = " ".join(mnemonic("english"))
    case("en", m, "see subject", [SP], [m])


def chinese_seed_phrases() -> None:
    for lang, language, label in (("zh-Hans", "chinese_simplified", "助记词"),
                                  ("zh-Hant", "chinese_traditional", "助記詞")):
        m = " ".join(mnemonic(language))
        case(lang, "钱包被盗" if lang == "zh-Hans" else "錢包被盜", f"您好，\n{label}：{m}\n请尽快处理，谢谢。", [SP], [m])
        m = "".join(mnemonic(language))
        case(lang, "资产丢失" if lang == "zh-Hans" else "資產遺失", f"你好\n{m}\n帮我看看", [SP], [m])
        m = "".join(mnemonic(language, 24))
        case(lang, "找回钱包", f"我的{label}是{m}，麻烦帮我找回。", [SP], [m])
        m = "，".join(mnemonic(language))
        case(lang, "求助", f"{m}\n这是我钱包里的东西", [SP], [m])
        m = "、".join(mnemonic(language, 15))
        case(lang, "求助", f"客服你好：{m}", [SP], [m])
        m = numbered(mnemonic(language), "{n}.{w}", " ")
        case(lang, "钱包", f"{m}", [SP], [m])
        m = numbered(mnemonic(language), "{n}、{w}", "\n")
        case(lang, "备份", f"我抄下来的：\n{m}\n以上", [SP], [m])
        m = "\u3000".join(mnemonic(language, 18))
        case(lang, "助记词" if lang == "zh-Hans" else "助記詞", f"{m}", [SP], [m])
        bad = "".join(bad_checksum(language))
        case(lang, "导入失败", f"{label}：{bad}\n导入钱包时提示无效，是不是写错了？", [SP], [bad])
        m = " ".join(mnemonic("english"))
        case(lang, "充值未到账", f"您好，我的{label}是 {m} ，请帮我查一下钱包。", [SP], [m])


def korean_seed_phrases() -> None:
    m = " ".join(mnemonic("korean"))
    case("ko", "지갑 도난", f"안녕하세요.\n복구 구문: {m}\n확인 부탁드립니다.", [SP], [m])
    w = mnemonic("korean", 24)
    m = numbered(w)
    case("ko", "지갑 복구", f"니모닉 입니다\n{m}", [SP], [m])
    w = mnemonic("korean")
    m = " ".join(w)
    case("ko", "문의", f"제 지갑 단어는 {m}입니다. 도와주세요.", [SP], [m])
    m = unicodedata.normalize("NFD", " ".join(mnemonic("korean", 15)))
    case("ko", "입금 문의", f"{m}", [SP], [m])
    m = ", ".join(mnemonic("korean"))
    case("ko", "계정 문의", f"시드 구문 {m} 맞나요?", [SP], [m])
    bad = " ".join(bad_checksum("korean"))
    case("ko", "복구 실패", f"복구 구문을 입력했는데 오류가 납니다: {bad}", [SP], [bad])
    m = " ".join(mnemonic("english"))
    case("ko", "출금 문의", f"안녕하세요. 제 시드는 {m} 입니다. 확인해 주세요.", [SP], [m])


def japanese_seed_phrases() -> None:
    m = "\u3000".join(mnemonic("japanese"))
    case("ja", "ウォレットについて", f"お世話になっております。\nシードフレーズ：{m}\nよろしくお願いします。", [SP], [m])
    m = " ".join(mnemonic("japanese", 24))
    case("ja", "復元", f"{m}", [SP], [m])
    m = "".join(mnemonic("japanese"))
    case("ja", "入金について", f"私のシードフレーズは{m}です。", [SP], [m])
    m = "".join(mnemonic("japanese", 15))
    case("ja", "確認", f"これです\n{m}\nお願いします", [SP], [m])
    m = numbered(mnemonic("japanese"))
    case("ja", "ニーモニック", f"ニーモニック\n{m}", [SP], [m])
    m = unicodedata.normalize("NFD", "\u3000".join(mnemonic("japanese")))
    case("ja", "問い合わせ", f"{m}", [SP], [m])
    bad = "\u3000".join(bad_checksum("japanese"))
    case("ja", "復元できません", f"シードフレーズを入力してもエラーになります：{bad}", [SP], [bad])
    m = " ".join(mnemonic("english"))
    case("ja", "出金", f"シードは {m} です。", [SP], [m])


def keys() -> None:
    k = hex64()
    case("en", "Private key", f"My private key: 0x{k}\nCan you move the funds?", [PK], [k])
    k = hex64()
    case("en", "import", f"Here is my privkey\n{k}\nthanks", [PK], [k])
    k = hex64()
    case("en", "json", f'{{"address": "{eth_address()}", "privateKey": "0x{k}"}}', [PK], [k])
    pem = ("-----BEGIN EC PRIVATE KEY-----\nMHQCAQEEI" + api_token(55) + "\noAcGBSuBBAAKoUQDQgAE"
           + api_token(44) + "\n" + api_token(22) + "==\n-----END EC PRIVATE KEY-----")
    case("en", "key file", f"The key file says:\n{pem}\n", [PK], [pem])
    k = hex64()
    case("zh-Hans", "私钥", f"私钥：{k}\n地址：{eth_address()}", [PK], [k])
    k = hex64()
    case("zh-Hant", "私鑰外洩", f"我的私鑰是 0x{k} ，請幫忙", [PK], [k])
    k = hex64()
    case("zh-Hans", "导出密钥", f"钱包导出的密钥\n{k}", [PK], [k])
    k = hex64()
    case("ko", "개인키", f"개인키: {k}\n확인 부탁드립니다.", [PK], [k])
    k = hex64()
    case("ko", "프라이빗 키", f"프라이빗 키는 0x{k} 입니다", [PK], [k])
    k = hex64()
    case("ja", "秘密鍵", f"秘密鍵：{k}\nよろしくお願いします。", [PK], [k])
    k = hex64()
    case("ja", "キー", f"プライベートキーは {k} です。", [PK], [k])
    x = Bip32Secp256k1.FromSeed(RNG.randbytes(32)).PrivateKey().ToExtended()
    case("en", "xprv", f"exported from Electrum: {x}", [PK], [x])

    for lang, text in (("en", "I found this in my paper wallet: {w} — is it safe?"),
                       ("zh-Hans", "这是纸钱包上的：{w}"),
                       ("ko", "종이 지갑에 적힌 것: {w}"),
                       ("ja", "ペーパーウォレットの{w}です")):
        w = wif(compressed=RNG.random() < 0.5)
        case(lang, "paper wallet", text.format(w=w), [WIF], [w])
    w = wif(False)
    case("en", "WIF", f"WIF (uncompressed):\n{w}", [WIF], [w])

    t = api_token(64)
    case("en", "API problem", f"My API key: {api_token(64)}\nAPI Secret: {t}\nOrders fail with -2015.", [API], [t])
    t = api_token(64)
    case("en", "bot", f"config.py:\n  apiKey = '{api_token(64)}'\n  apiSecret = '{t}'", [API], [t])
    t = api_token(48)
    case("zh-Hans", "API 问题", f"API Key：{api_token(64)}\nAPI密钥：{t}\n下单报错", [API], [t])
    t = api_token(64)
    case("zh-Hant", "API 問題", f"API Key: {api_token(64)}\nSecret Key: {t}", [API], [t])
    t = api_token(64)
    case("ko", "API 오류", f"API 키: {api_token(64)}\n시크릿 키: {t}", [API], [t])
    t = api_token(64)
    case("ja", "APIエラー", f"APIキー：{api_token(64)}\nシークレットキー：{t}", [API], [t])
    t = api_token(40)
    case("en", "env", f"BINANCE_API_KEY={api_token(64)}\nBINANCE_SECRET_KEY={t}\n", [API], [t])

    k, m = hex64(), " ".join(mnemonic("english"))
    case("en", "everything", f"seed: {m}\nprivate key: {k}\n", [PK, SP], [k, m])


def negatives() -> None:
    tx = hex64()
    case("en", "Deposit missing", f"Hi, my USDT-TRC20 deposit has not arrived.\nTxID: {tx}\nUID 12345678", [])
    tx = hex64()
    case("en", "Withdrawal", f"See https://etherscan.io/tx/0x{tx} for the transfer.", [])
    tx = hex64()
    case("en", "safe", f"My private key is safe, I never shared it. TxID: 0x{tx}", [])
    tx = hex64()
    case("en", "hash", f"Transaction hash\n{tx}\nAmount 0.5 BTC", [])
    case("en", "Thank you",
         "Thank you for the quick answer. I was able to access my account again after the "
         "second attempt, and the balance looks correct now. Please close the ticket, and if "
         "there is anything else you need from me, just let me know. Have a great day!", [])
    case("en", "Never shared",
         "I never shared my seed phrase or my 12 words with anyone, yet the wallet was emptied. "
         "Could the phishing site have copied it?", [])
    case("en", "Words",
         "Please advise about this issue: account access was lost after a phone upgrade, "
         "and also the security option for my wallet address seems wrong.", [])
    case("en", "list words",
         "abandon ability able about above absent absorb abstract absurd abuse access", [])  # 11
    twelve = "movie crane mother pencil sister cheap robot frozen planet uncle guitar orange"
    english = {w: i for i, w in enumerate(word_lists().words["english"])}
    assert not checksum_ok([english[w] for w in twelve.split()])  # 12 list words, no label, bad checksum
    case("en", "twelve plain words", twelve, [])
    case("en", "addresses",
         f"From {btc_address()} to {bech32_address()}, then {eth_address()}.", [])
    case("en", "API key only", f"API key: {api_token(64)} (the secret is in my password manager)", [])
    case("en", "sha256", f"SHA256 of the screenshot: {hex64()}", [])
    case("en", "signature", f"--\nBuilt from commit {RNG.randbytes(20).hex()}", [])
    tx = hex64()
    case("zh-Hans", "充值未到账", f"您好，我充值的USDT还没到账，交易哈希：{tx}，UID 12345678，谢谢。", [])
    case("zh-Hans", "助记词被盗",
         "我的助记词被盗了，钱包里的资产全部被转走了，请问平台能不能帮我冻结对方的账户？", [])
    case("zh-Hans", "请尽快处理我的提现申请谢谢", "提现一直在审核中，已经三天了。", [])
    case("zh-Hans", "合作", "中国石油、中国南车、三一重工、徐州重工、威胜集团、科力远、新华联集团都是我们的客户。", [])
    case("zh-Hans", "地址", f"我的TRC20地址是 {tron_address()} ，请核对。", [])
    tx = hex64()
    case("zh-Hant", "入金未到", f"您好，交易雜湊：{tx}，請協助查詢，謝謝。", [])
    case("zh-Hant", "助記詞", "我從來沒有把助記詞告訴任何人，為什麼錢包會被盜？", [])
    tx = hex64()
    case("ko", "입금 지연", f"트랜잭션 해시: {tx}\n확인 부탁드립니다.", [])
    case("ko", "복구 구문", "복구 구문을 잃어버렸는데 계정을 복구할 수 있나요? 회원번호: 12345678", [])
    tx = hex64()
    case("ja", "入金", f"トランザクションID：{tx}\nご確認をお願いいたします。", [])
    case("ja", "シードフレーズ", "シードフレーズは誰にも教えていませんが、資産がなくなりました。", [])
    case("ja", "ひらがな", "きのうの よる から ログイン できません。 どうしたら よいでしょうか。 "
         "おしえて ください。 よろしく おねがい します。", [])


def main() -> None:
    english_seed_phrases()
    chinese_seed_phrases()
    korean_seed_phrases()
    japanese_seed_phrases()
    keys()
    negatives()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for c in CASES:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases -> {OUT}")


if __name__ == "__main__":
    main()
