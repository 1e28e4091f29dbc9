"""Amounts, language, category and urgency."""

from __future__ import annotations

import pytest

from mailbridge.extraction import Amount, ExtractionRules, extract
from mailbridge.extraction.amounts import find_amounts
from mailbridge.extraction.language import detect_language


@pytest.mark.parametrize("text, amount", [
    ("0.5 BTC", Amount("0.5", "BTC")), ("1,000 USDT-TRC20", Amount("1000", "USDT-TRC20")),
    ("100 USDT", Amount("100", "USDT")), ("0.5个BTC", Amount("0.5", "BTC")), ("提了1000U到", Amount("1000", "USDT")),
    ("1,200.00 USDT-ERC20", Amount("1200", "USDT-ERC20")), ("2 以太坊", Amount("2", "ETH")),
    ("100 USDT (TRC20)", Amount("100", "USDT-TRC20")), ("5 usdt trc-20", Amount("5", "USDT-TRC20")),
    ("3 TON", Amount("3", "TON")), ("0.0123BTC到", Amount("0.0123", "BTC")),
])
def test_amounts(text: str, amount: Amount) -> None:
    assert find_amounts(text) == [amount]


@pytest.mark.parametrize("text", ["v2.5 BTC", "A100USDT", "3 ton of bricks", "BTC/USDT", "100 dollars"])
def test_not_amounts(text: str) -> None:
    assert find_amounts(text) == []


@pytest.mark.parametrize("text, lang", [
    ("我的账户被冻结了，无法提现，请问是什么原因？", "zh-Hans"),
    ("我的帳戶被凍結了，無法提領，請問是什麼原因？", "zh-Hant"),
    ("계정이 정지되어서 출금이 안 됩니다.", "ko"),
    ("アカウントが凍結され、出金できません。", "ja"),
    ("My account was frozen and I cannot withdraw.", "en"),
    ("API下单一直返回错误 Timestamp for this request is outside of the recvWindow，请问怎么解决？", "zh-Hans"),
    ("Hi, my deposit has not arrived after three hours, please check it.\n\n张伟", "en"),
    ("入金アドレス：https://tronscan.org/#/address/TX\nTxID：abc\nユーザーID：1", "ja"),
])
def test_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("subject, text, category", [
    ("充值未到账", "USDT充值一直没到账", "deposit"), ("", "I withdrew 0.5 BTC and it never arrived", "withdrawal"),
    ("", "Someone hacked my account", "security"), ("", "我的账号被盗了", "security"),
    ("", "피싱 사이트에 개인키를 입력했어요", "security"), ("", "不正ログインされました", "security"),
    ("", "KYC verification pending, passport uploaded", "kyc"), ("", "谷歌验证器丢了，登录不上", "account"),
    ("", "API returns signature for this request is not valid", "api"),
    ("", "指値注文が約定しません", "trading"), ("", "Hello, just saying hi", "other"),
    ("", "ブロックチェーンプロジェクトの上場について", "other"),
])
def test_category(subject: str, text: str, category: str) -> None:
    assert extract(subject, text).category == category


def test_security_is_urgent_and_operator_categories_extend() -> None:
    assert extract("", "my account was hacked").urgent
    assert not extract("", "deposit missing").urgent
    rules = ExtractionRules(category_keywords={"deposit": ("gutschrift",)}, urgent_categories=("deposit",))
    found = extract("", "Gutschrift fehlt", rules=rules)
    assert found.category == "deposit" and found.urgent
