"""Realistic support mail as raw bytes, in the charsets customers' clients really use.

Used by `mailbridge demo` and by the tests.
"""

from __future__ import annotations

import base64
import itertools
from email.header import Header
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

# A 1x1 PNG: a "screenshot" small enough for tests.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

_counter = itertools.count(1)


def _headers(msg, sender: str, to: str, subject: str, charset: str | None, message_id: str | None,
             in_reply_to: str | None = None, extra: dict[str, str] | None = None) -> None:
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = Header(subject, charset) if charset else subject
    msg["Date"] = format_datetime(datetime(2025, 3, 5, 10, 30, next(_counter) % 60, tzinfo=timezone.utc))
    if message_id is not False:  # type: ignore[comparison-overlap]
        msg["Message-ID"] = message_id or make_msgid(domain="customer.example")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (extra or {}).items():
        msg[name] = value


def _base64_text(payload: bytes, charset_label: str) -> MIMEText:
    """A base64 text/plain part whose label is written as the customer's client writes it,
    whatever Python calls the codec (gb2312 over GBK bytes, ks_c_5601-1987)."""
    msg = MIMEText("", "plain")
    msg.set_payload(base64.encodebytes(payload).decode("ascii"))
    msg.replace_header("Content-Type", f'text/plain; charset="{charset_label}"')
    msg.replace_header("Content-Transfer-Encoding", "base64")
    return msg


def gb2312_label_over_gbk(text: str) -> str:
    """An encoded word that says gb2312 but carries GBK bytes, as Foxmail writes them."""
    return f"=?gb2312?B?{base64.b64encode(text.encode('gbk')).decode('ascii')}?="


def chinese_gbk(sender: str = "黄堃 <huang@customer.example>", to: str = "support@exchange.example",
                message_id: str | None = None) -> bytes:
    """Foxmail style: labelled gb2312, but the name 堃 only exists in GBK (parsing.md)."""
    body = ("您好，我的账户UID: 12345678，昨天提币USDT-TRC20一直没有到账。\n"
            "TxID: 3b1e3c5f7a9d2e4b6c8a0f1e3d5c7b9a2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c\n"
            "时间：2025年3月5日 10时17分。黄堃\n")
    msg = _base64_text(body.encode("gbk"), "gb2312")
    name = gb2312_label_over_gbk("黄堃")
    _headers(msg, f"{name} <huang@customer.example>" if sender.startswith("黄堃") else sender, to,
             gb2312_label_over_gbk("提币未到账 UID 12345678 黄堃"), None, message_id)
    return msg.as_bytes()


def korean_euckr(sender: str = "김민수 <minsu@customer.example>", to: str = "support@exchange.example",
                 message_id: str | None = None) -> bytes:
    body = ("안녕하세요. 회원번호: 87654321 입니다.\n"
            "2025년 3월 5일 오전 10:17에 입금했는데 아직 반영되지 않았습니다.\n"
            "주문번호: 2025030512345678\n")
    msg = _base64_text(body.encode("euc-kr"), "ks_c_5601-1987")
    _headers(msg, str(Header("김민수", "euc-kr").encode()) + " <minsu@customer.example>"
             if sender.startswith("김민수") else sender, to, "입금 미반영 문의", "euc-kr", message_id)
    return msg.as_bytes()


def english_html_with_png(sender: str = "Alice Smith <alice@customer.example>",
                          to: str = "support@exchange.example", message_id: str | None = None) -> bytes:
    """HTML only (no text part) with a screenshot attached: Outlook on the web style."""
    html = ("<html><body><p>Hello,</p><p>My withdrawal of <b>0.5 BTC</b> is stuck. "
            "My account id is 23456789.</p><p>See <a href='https://mempool.space/tx/"
            "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'>the transaction</a>.</p>"
            "<p>Thanks,<br>Alice</p></body></html>")
    msg = MIMEMultipart("mixed")
    msg.attach(MIMEText(html, "html", "utf-8"))
    image = MIMEImage(PNG, "png")
    image.add_header("Content-Disposition", "attachment", filename="screenshot.png")
    msg.attach(image)
    _headers(msg, sender, to, "Withdrawal stuck", None, message_id)
    return msg.as_bytes()


def plain(sender: str, subject: str, body: str = "Hello, I need help.", *, to: str = "support@exchange.example",
          message_id: str | None = None, in_reply_to: str | None = None,
          extra: dict[str, str] | None = None) -> bytes:
    msg = MIMEText(body, "plain", "utf-8")
    _headers(msg, sender, to, subject, "utf-8" if not subject.isascii() else None, message_id, in_reply_to, extra)
    return msg.as_bytes()


def dsn_bounce(original_message_id: str, rcpt: str = "nobody@customer.example") -> bytes:
    """A Postfix-style delivery status notification for one of our acknowledgements."""
    return (
        "From: MAILER-DAEMON@mx.customer.example (Mail Delivery System)\r\n"
        "To: support@exchange.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(datetime(2025, 3, 5, 11, 0, next(_counter) % 60, tzinfo=timezone.utc))}\r\n"
        f"Message-ID: <bounce.{next(_counter)}@mx.customer.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\r\n'
        "\r\n--BOUNDARY\r\nContent-Type: text/plain\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered to {rcpt}.\r\n"
        "\r\n--BOUNDARY\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.customer.example\r\n\r\nFinal-Recipient: rfc822; {rcpt}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "\r\n--BOUNDARY\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{original_message_id}>\r\nSubject: [Case MB-000001] x\r\n"
        "\r\n--BOUNDARY--\r\n"
    ).encode("ascii")
