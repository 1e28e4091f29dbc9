"""Duplicates on real servers (issue 4): exact redelivery, resends with a new Message-ID
(each kind of difference a second send brings), and near misses that are *not* resends."""

from __future__ import annotations

import hashlib
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

import pytest

from harness import Harness
from mailbridge import samples as mails
from mailbridge.devservers import create_folder
from mailbridge.fingerprint import fingerprint, normalise_body, normalise_subject

pytestmark = pytest.mark.servers

TX = hashlib.sha256(b"resend").hexdigest()
ZH = f"您好，我的账户UID: 12345678，昨天提币 500 USDT-TRC20 一直没有到账。\nTxID: {TX}\n请尽快处理，谢谢。"
EN = f"Hello,\nmy withdrawal of 0.5 BTC is stuck since yesterday. My account id is 23456789.\nTxID: {TX}\nThanks"


def build(sender: str, subject: str, body: str, *, charset: str = "utf-8", cte: int | None = BASE64,
          html: bool = False, signature: str = "") -> bytes:
    """One mail, encoded the way a particular client would."""
    cs = Charset(charset)
    cs.body_encoding = cte
    text = body + (f"\n\n-- \n{signature}" if signature else "")
    plain = MIMEText(text, "plain", cs)
    msg = plain
    if html:
        msg = MIMEMultipart("alternative")
        msg.attach(plain)
        markup = "".join(f"<p>{line}</p>" for line in body.split("\n"))
        msg.attach(MIMEText(f"<html><body>{markup}</body></html>", "html", "utf-8"))
    msg["From"], msg["To"] = sender, "support@exchange.example"
    msg["Subject"] = Header(subject, charset) if not subject.isascii() else subject
    msg["Message-ID"] = make_msgid(domain="customer.example")
    msg["Date"] = "Wed, 05 Mar 2025 10:30:00 +0000"
    return msg.as_bytes()


def rewrap(text: str, width: int) -> str:
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if len(line) + len(word) > width:
            lines.append(line.rstrip())
            line = ""
        line += word + " "
    return "\n".join([*lines, line.rstrip()])


def test_exact_redelivery_through_another_folder_is_stored_once(harness: Harness) -> None:
    raw = mails.plain("pat@customer.example", "Help", "Help me", message_id="<twice@customer.example>")
    harness.reconfigure(imap={"folders": ["INBOX", "Archive"]})
    create_folder(harness.dovecot.host, harness.dovecot.port, harness.user, harness.dovecot.password, "Archive")
    harness.append(raw)
    harness.append(raw, folder="Archive")
    summary = harness.poll()
    assert (summary.fetched, summary.new_cases, summary.duplicates, summary.acks_sent) == (2, 1, 1, 1)
    assert len(harness.messages()) == 1


RESENDS = {
    "zh-prefix-gbk-qp": (ZH, "提币未到账", "再次发送：提币未到账", "gbk", QP, "再次发送\n\n" + ZH),
    "zh-chongfa": (ZH, "提币未到账", "重发: 提币未到账", "utf-8", BASE64, ZH + "\n\n发自我的iPhone"),
    "zh-submit-again": (ZH, "提币未到账", "再次提交 提币未到账", "gb18030", BASE64, ZH),
    "ko": ("회원번호: 87654321 입니다.\n3월 5일에 입금했는데 아직 반영되지 않았습니다.", "입금 미반영",
           "재전송: 입금 미반영", "euc-kr", BASE64, "다시 보냅니다.\n회원번호: 87654321 입니다.\n3월 5일에 입금했는데 "
           "아직 반영되지 않았습니다.\n\niPhone에서 보냄"),
    "ja": ("ユーザーID: 34567890 の出金が届いていません。確認をお願いします。", "出金が届かない", "再送：出金が届かない",
           "iso-2022-jp", None, "ユーザーID: 34567890 の出金が届いていません。\n確認をお願いします。"),
    "en-resending-rewrapped": (EN, "Withdrawal stuck", "Resending: Withdrawal stuck", "utf-8", QP,
                               "Resending my mail from yesterday:\n\n" + rewrap(EN.replace("\n", " "), 30)),
    "en-follow-up-latin1": (EN, "Withdrawal stuck", "Follow up: Withdrawal stuck", "iso-8859-1", QP, EN),
    "en-second-request-quoted": (EN, "Withdrawal stuck", "Second request - Withdrawal stuck", "utf-8", BASE64,
                                 "Second request.\n\n" + EN + "\n\nOn Tue, Mar 4, 2025 at 9:12 PM Me <a@b.c> wrote:\n"
                                 "> " + EN.replace("\n", "\n> ")),
    "en-resent-forwarded": (EN, "Withdrawal stuck", "Fwd: Resent: Withdrawal stuck", "utf-8", BASE64,
                            "Resent, see below.\n\n---------- Forwarded message ---------\nFrom: Quinn "
                            "<quinn@customer.example>\nDate: Tue, Mar 4, 2025\nSubject: Withdrawal stuck\n"
                            "To: support@exchange.example\n\n" + EN),
}


@pytest.mark.parametrize("body, subject, resubject, charset, cte, rebody", RESENDS.values(), ids=RESENDS.keys())
def test_resend_with_new_message_id_is_a_duplicate(harness: Harness, body: str, subject: str, resubject: str,
                                                   charset: str, cte: int | None, rebody: str) -> None:
    sender = "Quinn <quinn@customer.example>"
    # The first send from a desktop client (HTML alternative, signature); the resend from
    # another one: other charset and encoding, no HTML part, its own additions.
    harness.append(build(sender, subject, body, html=True, signature="Quinn\n+86 138 0000 0000"))
    harness.poll()
    harness.append(build(sender, resubject, rebody, charset=charset, cte=cte))
    harness.append(build(sender, resubject, rebody, charset=charset, cte=cte))  # and once more
    summary = harness.poll()
    assert (summary.new_cases, summary.duplicates, summary.acks_queued) == (0, 2, 0)
    first, second, third = harness.messages()
    assert second.duplicate_of == first.message_id and third.duplicate_of == first.message_id
    assert second.case_id == first.case_id and second.thread_reason == "resend"
    case = harness.export()["cases"][0]
    assert case["resend_count"] == 2
    assert [m["duplicate_of"] for m in case["messages"] if m["direction"] == "inbound"] == \
        [None, first.message_id, first.message_id]
    assert len(harness.sink.messages) == 1


NO_TX = EN.replace(f"TxID: {TX}\n", "")
# (first body, second sender, second body, where the second lands). A near miss is never a
# duplicate; where it lands is the follow-up rules' call: the same UID with nothing more
# specific is the same problem (soft match), another TxID or UID is a new one.
NEAR_MISSES = {
    "other-txid": (EN, "quinn@customer.example", EN.replace(TX, hashlib.sha256(b"other").hexdigest()), "new case"),
    "other-uid": (NO_TX, "quinn@customer.example", NO_TX.replace("23456789", "23456780"), "new case"),
    "other-amount": (NO_TX, "quinn@customer.example", NO_TX.replace("0.5 BTC", "0.6 BTC"),
                     "soft: shared account_uid"),
    "other-customer": (EN, "rita@customer.example", EN, "new case"),
}


@pytest.mark.parametrize("first, sender, body, lands", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_near_miss_is_not_a_duplicate(harness: Harness, first: str, sender: str, body: str, lands: str) -> None:
    harness.append(build("quinn@customer.example", "Withdrawal stuck", first))
    harness.poll()
    harness.append(build(sender, "Resending: Withdrawal stuck", body))
    summary = harness.poll()
    assert summary.duplicates == 0
    second = harness.messages()[-1]
    assert second.duplicate_of is None and second.thread_reason == lands
    assert harness.cases()[0].resend_count == 0
    assert summary.acks_queued == (1 if lands == "new case" else 0)


def test_resend_detection_off_with_a_zero_window(harness: Harness) -> None:
    harness.reconfigure(threading={"resend_window_days": 0.0})
    harness.append(build("quinn@customer.example", "Withdrawal stuck", EN))
    harness.poll()
    harness.append(build("quinn@customer.example", "Resending: Withdrawal stuck", EN))
    summary = harness.poll()
    assert summary.duplicates == 0 and harness.messages()[-1].duplicate_of is None
    assert harness.messages()[-1].thread_reason == "soft: shared tx_id"  # still the same problem


def test_normalisation_units() -> None:
    assert normalise_subject("Re: 回复：RE[2]: Fwd： 再次发送：提币未到账") == normalise_subject("提币未到账")
    assert normalise_subject("답장: 재전송: 입금") == normalise_subject("입금")
    assert normalise_body("a b\nc") == normalise_body("a  b c") == "abc"
    assert normalise_body("提币\n没到账") == normalise_body("提币没到账")
    assert fingerprint("a@x", "", "") == ""
    # a short body alone says too little: the subject joins the fingerprint
    assert fingerprint("a@x", "Deposit", "Any news?") != fingerprint("a@x", "Withdrawal", "Any news?")
