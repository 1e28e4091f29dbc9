"""Account UIDs and order numbers: only labelled numbers count, in every language."""

from __future__ import annotations

import pytest

from mailbridge.extraction import ExtractionRules, extract


def uids(text: str, rules: ExtractionRules | None = None) -> list[str]:
    return extract("", text, **({"rules": rules} if rules else {})).entities.account_uids


def orders(text: str, rules: ExtractionRules | None = None) -> list[str]:
    return extract("", text, **({"rules": rules} if rules else {})).entities.order_ids


@pytest.mark.parametrize("text", [
    "UID: 12345678", "user id 12345678", "my account id is 12345678", "Account ID: 12345678.",
    "uid #12345678", "User-ID: 12345678", "account number 12345678", "member id 12345678",
    "用户ID 12345678", "用户编号：12345678", "账户UID：12345678", "我的UID是12345678，谢谢",
    "會員編號 12345678", "用戶ID：12345678", "帳戶UID 12345678",
    "회원번호: 12345678", "제 UID는 12345678입니다", "UID가 12345678이고", "회원 번호 12345678",
    "ユーザーID：12345678", "ユーザーIDは12345678です", "会員番号 12345678",
    "ＵＩＤ：１２３４５６７８", "ユーザーＩＤ：１２３４５６７８",
    "(UID: 12345678)", "[UID:12345678] 充值问题",
])
def test_uid_labels_in_every_language(text: str) -> None:
    assert uids(text) == ["12345678"]


def test_uid_reported_in_ascii_digits() -> None:
    assert uids("ＵＩＤ：９８７６５４３") == ["9876543"]


def test_uid_in_subject_and_attachment_name() -> None:
    found = extract("[UID 12345678] 충전 문의", "내용 없음", attachment_names=["UID_23456789_passport.jpg"])
    assert found.entities.account_uids == ["12345678", "23456789"]


def test_several_uids_listed() -> None:
    assert uids("UID 1234567 and 2345678") == ["1234567", "2345678"]
    assert uids("UID：12345678、23456789") == ["12345678", "23456789"]


def test_listed_number_of_another_length_is_not_a_second_uid() -> None:
    assert uids("UID 12345678 and 100000 USDT") == ["12345678"]


@pytest.mark.parametrize("text", [
    "12345678", "my number is 12345678", "QQ: 12345678", "QQ号 12345678", "QQ账号 12345678",
    "微信 12345678", "LINE ID 12345678", "bank account 12345678", "银行账户 12345678",
    "UID 12345678901", "UID: 010-1234-5678", "회원번호 010-1234-5678", "UID 1234.5678",
    "fluid 12345678", "guide 12345678", "uid=12345678@qq.com",
])
def test_not_a_uid(text: str) -> None:
    assert uids(text) == []


@pytest.mark.parametrize("text", [
    "order 1234567890123", "Order ID: 1234567890123", "order no. 1234567890123", "order #1234567890123",
    "订单号1234567890123", "委托单号：1234567890123", "订单编号 1234567890123", "訂單編號：1234567890123",
    "주문번호 1234567890123", "주문 번호: 1234567890123", "注文番号：1234567890123", "注文番号は1234567890123",
])
def test_order_labels_in_every_language(text: str) -> None:
    assert orders(text) == ["1234567890123"]


def test_order_label_is_not_read_as_a_uid() -> None:
    found = extract("", "order id 1234567890, UID 7654321").entities
    assert found.order_ids == ["1234567890"] and found.account_uids == ["7654321"]


def test_short_number_after_order_label_is_not_an_order() -> None:
    assert orders("order 123456") == []
    assert orders("in order to withdraw 1234567890123") == []


def test_operator_rules_add_labels_and_replace_patterns() -> None:
    rules = ExtractionRules(account_uid_pattern=r"[A-Z]{2}\d{6}", account_uid_labels=("kundennummer",),
                            order_id_pattern=r"\d{8}", order_id_labels=("auftrag",))
    assert uids("Kundennummer: AB123456", rules) == ["AB123456"]
    assert uids("UID AB123456", rules) == ["AB123456"]
    assert uids("UID 12345678", rules) == []
    assert orders("Auftrag 12345678", rules) == ["12345678"]
