"""New text and quoted history are kept apart."""

from __future__ import annotations

import pytest

from mailbridge.extraction import extract
from mailbridge.extraction.quotes import split_quoted

HISTORY_HEADERS = [
    "-----Original Message-----\nFrom: a\nSent: b",
    "----- Original Message -----",
    "-----Original-----",
    "------------------ 原始邮件 ------------------\n发件人: \"客服\"<s@x.com>;",
    "-----原始邮件-----",
    "---------- Forwarded message ---------",
    "On Tue, Mar 4, 2025 at 9:12 PM Support <support@example.com> wrote:",
    "On Tue, Mar 4, 2025 at 9:12 PM Support Team of the Exchange\n<support@example.com> wrote:",
    "On Mar 4, 2025, at 21:12, Support <s@x.com> wrote:",
    "在 2025年3月4日 21:12，客服中心 <support@example.com> 写道：",
    "客服中心 <support@example.com> 於 2025年3月4日 週二 下午9:12寫道：",
    "2025년 3월 4일 (화) 오후 9:12, 고객센터 <support@example.com>님이 작성:",
    "2025年3月4日(火) 21:12 サポートセンター <support@example.com>:",
    "From: Support <support@example.com>\nSent: Tuesday, March 4, 2025 9:12 PM\nTo: me",
    "发件人: 客服 <s@x.com>\n发送时间: 2025年3月4日 21:12\n收件人: 我",
    "寄件者: 客服 <s@x.com>\n寄件日期: 2025年3月4日 下午 09:12",
    "보낸 사람: \"고객센터\" <s@x.com>\n보낸 날짜: 2025-03-04 오후 9:12",
    "差出人: サポート <s@x.com>\n送信日時: 2025年3月4日 21:12",
]


@pytest.mark.parametrize("header", HISTORY_HEADERS)
def test_history_starts_at_reply_header(header: str) -> None:
    found = extract("", f"UID 12345678\n\n{header}\n\nUID 87654321 order 1234567890123")
    assert found.entities.account_uids == ["12345678"]
    assert found.entities.order_ids == []
    assert found.quoted.account_uids == ["87654321"]
    assert found.quoted.order_ids == ["1234567890123"]


def test_angle_quoted_lines_are_history() -> None:
    new, history = split_quoted("my UID 12345678\n> your UID 87654321?\n> yes\nthanks")
    assert "87654321" in history and "87654321" not in new and "thanks" in new
    assert not history.startswith(">")


def test_from_and_to_lines_written_by_the_customer_are_not_history() -> None:
    new, history = split_quoted("From: my wallet TXYZ\nTo: your deposit address\nUID 12345678")
    assert history == "" and "UID 12345678" in new


def test_no_history() -> None:
    assert split_quoted("just text") == ("just text", "")
