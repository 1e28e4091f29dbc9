"""Parse step, charset decoding, HTML-to-text and attachment file names.

Fixtures in tests/data/ are one message per behaviour, named for it. Each test says which
real-world failure it guards against (shared/notes/parsing.md).
"""

from __future__ import annotations

import base64
import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbridge.attachments import MAX_FILENAME_BYTES, safe_filename, save_attachment
from mailbridge.charsets import decode_bytes, decode_header_value
from mailbridge.errors import UnprocessableError
from mailbridge.htmltext import html_to_text
from mailbridge.steps import parse as parse_module
from mailbridge.steps.parse import parse_message
from mailbridge.work import Address, ParsedMail

DATA = Path(__file__).resolve().parents[1] / "data"
TXID = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse(name: str, **kwargs) -> ParsedMail:
    return parse_message(load(name), **kwargs)


# --- charsets in bodies and headers ------------------------------------------------------

def test_gb2312_label_over_gbk_bytes_keeps_gbk_only_characters():
    # Foxmail/old Outlook label GBK text gb2312; decoded as gb2312 "黄堃，" became "黄�遥�".
    mail = parse("gb2312_label_gbk_bytes.eml")
    assert mail.subject == "提币未到账 - 黄堃 王喆 李赟"
    assert "我是黄堃，和王喆、李赟一起注册的账户。" in mail.text
    assert TXID in mail.text
    assert mail.from_ == Address(name="黄堃", email="huangkun@example.cn")
    assert "\ufffd" not in mail.text + mail.subject
    assert mail.defects == []  # an alias is not a defect


def test_ks_c_5601_and_euc_kr_labels_read_as_cp949():
    # 똠 is not in EUC-KR proper; Outlook's ks_c_5601-1987 is really cp949.
    mail = parse("ks_c_5601_body.eml")
    assert mail.subject == "출금 문의 (똠방각하)"  # labelled euc-kr
    assert "출금 신청한 USDT가 아직 도착하지 않았습니다. 똠방각하 계정입니다." in mail.text
    assert mail.from_ is not None and mail.from_.name == "김민수"
    assert TXID in mail.text


def test_unknown_charset_label_falls_back_to_detection_with_a_defect():
    # x-unknown makes the stdlib's get_content() raise LookupError.
    mail = parse("x_unknown_charset.eml")
    assert mail.text.startswith("您好，我的提币一直没有到账")
    assert mail.subject == "提币没有到账，请帮忙查询交易状态"
    assert "text/plain part 1: charset x-unknown detected as gb18030" in mail.defects


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        ("uft-8", "提币 héllo", "utf-8"),
        ("UTF8", "提币", "utf-8"),
        ("iso-gb2312", "黄堃", "gbk"),
        ("x-gbk", "王喆", "gbk"),
        ("cp936", "李赟", "gbk"),
        ("ks_c_5601-1987", "똠방각하", "cp949"),
        ("euc-kr", "똠", "cp949"),
        ("shift_jis", "①出金", "cp932"),
        ("iso-8859-8-i", "שלום", "iso-8859-8"),
        ("x-mac-cyrillic", "Привет", "mac-cyrillic"),
        ("unicode-1-1-utf-7", "日本語", "utf-7"),
        ('"GB2312"', "黄堃", "gbk"),
        ("big5", "提幣", "cp950"),
    ],
)
def test_charset_aliases(label, text, codec):
    assert decode_bytes(text.encode(codec), label) == (text, "")


@pytest.mark.parametrize("label", [None, "", "x-unknown", "us-ascii", "no-such-charset", "utf-16"])
def test_decode_bytes_never_raises(label):
    for data in (b"\xff\xfe\x00garbage\x80\x81", bytes(range(256)), b"\x1b$B", b"plain"):
        text, _defect = decode_bytes(data, label)
        assert isinstance(text, str)


def test_decode_bytes_fast_path_for_ascii():
    assert decode_bytes(b"hello", "gb2312") == ("hello", "")
    assert decode_bytes(b"", "x-unknown") == ("", "")


def test_encoded_words_split_mid_character_and_adjacent_whitespace():
    raw = "提币到账".encode("utf-8")
    first, second = base64.b64encode(raw[:4]).decode(), base64.b64encode(raw[4:]).decode()
    value = f"Re: =?utf-8?B?{first}?=\r\n =?UTF-8?B?{second}?= (case)"
    assert decode_header_value(value) == "Re: 提币到账 (case)"


def test_header_value_decoding_repairs_and_sanitises():
    assert decode_header_value("=?gb2312?Q?=BB=C6=88=D2?=") == "黄堃"  # Q-encoded GBK under gb2312
    assert decode_header_value("=?utf-8?B?5byg5LiJ?= <a@b.c>") == "张三 <a@b.c>"
    assert decode_header_value("=?utf-8?b?5byg5LiJ?=") == "张三"  # missing padding is fine
    assert decode_header_value("=?utf-8*en?Q?caf=C3=A9?=") == "café"  # RFC 2231 language
    assert decode_header_value("=?bogus-charset?Q?abc?=") == "abc"
    # An encoded CR LF must not survive into a header we might echo back.
    assert decode_header_value("=?utf-8?Q?a=0D=0ABcc:_x?=") == "a  Bcc: x"
    # Raw 8-bit header bytes (kept by the stdlib as surrogates) with a body-charset hint.
    raw = "黄堃请查".encode("gbk").decode("ascii", "surrogateescape")
    assert decode_header_value(raw, hint="gb2312") == "黄堃请查"
    assert decode_header_value("Caf\udcc3\udca9") == "Café"  # raw UTF-8


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_header_decoding_never_raises(value):
    out = decode_header_value(value)
    assert "\r" not in out and "\n" not in out


# --- headers ----------------------------------------------------------------------------

def test_folded_subject_is_unfolded():
    # mail-parser kept "...TXID\r\n 0x..." in 14-15 % of subjects.
    mail = parse("folded_subject.eml")
    assert mail.subject == (
        f"Re: [Case #C-1042] Withdrawal still pending, my TXID is {TXID} please check"
    )
    assert mail.in_reply_to == ["ack-1042@mailbridge.example"]
    assert mail.references == ["orig-1@example.com", "ack-1042@mailbridge.example"]
    for values in mail.headers.values():
        for value in values:
            assert "\r" not in value and "\n" not in value


def test_headers_dict_keeps_every_header_in_order_lower_cased():
    mail = parse("gb2312_label_gbk_bytes.eml")
    assert list(mail.headers)[:4] == ["from", "to", "subject", "date"]
    assert mail.header("X-Mailer") == "Foxmail 7.2"
    assert mail.headers["subject"] == [mail.subject]


def test_missing_message_id_is_derived_from_the_bytes():
    raw = load("no_message_id.eml")
    first, again = parse_message(raw), parse_message(raw)
    other = parse_message(raw.replace(b"Hello,", b"Hello again,"))
    assert first.message_id_derived and first.message_id.endswith("@mailbridge.invalid")
    assert "<" not in first.message_id
    assert first.message_id == again.message_id
    assert first.message_id != other.message_id
    assert not parse("folded_subject.eml").message_id_derived


def test_group_syntax_and_empty_groups():
    # "To: unlisted-recipients:;" makes the stdlib's address access raise AttributeError.
    mail = parse("group_to_header.eml")
    assert mail.to == []
    assert mail.reply_to == []
    assert mail.cc == [
        Address(name="Alice", email="alice@example.com"),
        Address(name="", email="bob@example.com"),
        Address(name="", email="carol@example.com"),
    ]
    assert mail.from_ == Address(name="Support Robot", email="robot@example.com")


def test_date_keeps_its_offset_and_bad_dates_are_none():
    mail = parse("gb2312_label_gbk_bytes.eml")
    assert mail.sent_at is not None and mail.sent_at.utcoffset() == timedelta(hours=8)
    assert mail.sent_at.hour == 10
    broken = parse("broken_mime.eml")
    assert broken.sent_at is None
    assert "date invalid: 'Not a date at all'" in broken.defects


# --- bodies and attachments -------------------------------------------------------------

def test_html_only_mail_becomes_text_with_links_and_joined_txid():
    mail = parse("html_only_with_png.eml")
    assert f"TxID: {TXID}" in mail.text  # the <wbr> did not split it
    assert f"https://etherscan.io/tx/{TXID}" in mail.text  # explorer link kept
    assert "color:red" not in mail.text and "var a" not in mail.text
    assert "<p>" in mail.html
    [png] = mail.attachments
    assert (png.filename, png.content_type, png.content_id) == ("logo.png", "image/png", "logo@x")
    assert png.payload is not None and png.payload.startswith(b"\x89PNG")
    assert png.size == len(png.payload)


def test_rfc2231_and_encoded_word_attachment_names():
    mail = parse("rfc2231_filename.eml")
    assert [a.filename for a in mail.attachments] == ["交易截图.png", "黄堃的对账单.pdf"]
    assert mail.text == "Two screenshots attached."


def test_attachment_over_the_limit_is_refused_with_a_reason():
    mail = parse("rfc2231_filename.eml", max_attachment_bytes=1000)
    png, pdf = mail.attachments
    assert png.payload is not None and png.refused_reason == ""
    assert pdf.payload is None
    assert pdf.size == 3009
    assert pdf.refused_reason == "attachment over 1000 bytes"


def test_broken_mime_parses_best_effort():
    mail = parse("broken_mime.eml")
    assert mail.text == "Still readable, TxID follows\n"  # "base64 " and bad padding repaired
    assert [(a.filename, a.payload) for a in mail.attachments] == [("data.bin", b"\x00\x01\x02\x03\x04")]
    assert "mime: CloseBoundaryNotFoundDefect" in mail.defects


def test_message_rfc822_is_an_attachment_not_body_text():
    inner = b"From: x@example.com\r\nSubject: our ack C-1042\r\n\r\nquoted original\r\n"
    raw = (
        b"From: mailer-daemon@example.com\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--r\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"--r--\r\n"
    )
    mail = parse_message(raw)
    assert mail.text == "Delivery failed."
    [eml] = mail.attachments
    assert (eml.filename, eml.content_type) == ("message.eml", "message/rfc822")
    assert eml.payload is not None and b"quoted original" in eml.payload


def test_unlabelled_8bit_body_is_decoded_not_fatal():
    # A peer helpdesk read such files as UTF-8 text and stayed stuck on the first one.
    body = "您好，我的提币一直没有到账，请帮忙查询一下交易状态，谢谢。".encode("gbk") * 3
    raw = b"From: a@example.cn\r\nSubject: =?gb2312?B?" + base64.b64encode("查询".encode("gbk")) + b"?=\r\n\r\n" + body
    mail = parse_message(raw)
    assert mail.text.startswith("您好，我的提币一直没有到账")


def test_unlabelled_html_uses_its_meta_charset():
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
    raw = b"From: a@example.cn\r\nContent-Type: text/html\r\n\r\n" + (html + "<p>黄堃提币</p>").encode("gbk")
    assert parse_message(raw).text == "黄堃提币"


def test_damaged_header_blocks_are_repaired():
    # A byte-order mark, a client's banner line, "Name  :" obsolete syntax, and folded
    # lines that lost their indentation (zammad/mail068.box) all hid the headers.
    raw = (
        b"\xef\xbb\xbf---- Original email message ----\r\n"
        b"Received: from mx.example.cz\r\nby mx2.example.cz with ESMTP\r\n"
        b"Subject  : Contact from Server\r\nFrom: Jan <jan@example.cz>\r\n\r\nbody\r\n"
    )
    mail = parse_message(raw)
    assert (mail.subject, mail.from_, mail.text) == (
        "Contact from Server", Address(name="Jan", email="jan@example.cz"), "body\n"
    )
    assert mail.header("received") == "from mx.example.cz by mx2.example.cz with ESMTP"
    assert mail.defects[:2] == [
        "byte-order mark before the headers removed",
        "text before the headers dropped: b'---- Original email message ----'",
    ]


# --- what is not an email ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (b"\r\n \r\n", "empty message"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "Outlook .msg"),
        (b"\x78\x9f\x3e\x22\x00\x00", "TNEF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "no email header block"),
        (b"Hi team,\n\nOn Mon, Bob wrote:\n> thanks\n", "no email header block"),
        (b"One: Here's what I've got.\n\nTwo: that's it.\n", "no email header block"),
    ],
)
def test_non_messages_raise_unprocessable(raw, reason):
    with pytest.raises(UnprocessableError, match=reason):
        parse_message(raw)


def test_unexpected_parser_failures_become_unprocessable(monkeypatch):
    def explode(_data):
        raise ValueError("boom")

    monkeypatch.setattr(parse_module._PARSER, "parsebytes", explode)
    with pytest.raises(UnprocessableError, match="parser failed: ValueError: boom"):
        parse_message(load("folded_subject.eml"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_parse_message_only_ever_raises_unprocessable(tail):
    raw = b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" + tail
    try:
        parse_message(raw)
    except UnprocessableError:
        pass


# --- HTML to text -----------------------------------------------------------------------

def test_html_to_text_keeps_plain_text_plain():
    html = (
        "<div>-----Original Message-----</div><div>1. first</div><div>- dash</div>"
        "<p><em>0xab</em> a_b_c *star*</p><p>soft&shy;hyphen zero&#8203;width</p>"
    )
    text = html_to_text(html)
    assert "-----Original Message-----" in text  # not "\\-----" (Markdown escaping off)
    assert "1. first" in text and "- dash" in text
    assert "_0xab_" not in text and "0xab a_b_c *star*" in text
    assert "softhyphen zerowidth" in text


def test_html_to_text_does_not_wrap_long_tokens():
    long_line = "word " * 40 + TXID
    assert TXID in html_to_text(f"<p>{long_line}</p>")


@pytest.mark.parametrize("html", ["", "<", "<a href='x", "<![CDATA[", "<table><tr><td>" * 50, "\x00<p>x"])
def test_html_to_text_never_raises(html):
    assert isinstance(html_to_text(html), str)


# --- attachment file names --------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/x", "x"),
        ("C:\\x\\y.png", "y.png"),
        ("C:y.png", "C_y.png"),
        ("inv\x00oice.pdf", "invoice.pdf"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),  # shows its real extension
        ("a\u2066b\u2069.txt", "ab.txt"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("lpt1.tar.gz", "_lpt1.tar.gz"),
        ("..", "attachment"),
        ("", "attachment"),
        ("   ", "attachment"),
        (".bashrc", "bashrc"),
        ("report. . .", "report"),
        ("交易截图 2026.png", "交易截图 2026.png"),
        ("a<b>c:d|e?f*.txt", "a_b_c_d_e_f_.txt"),
        ("bad\udcff.txt", "bad.txt"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_fallback_and_length_cap():
    assert safe_filename("../", fallback="scan.png") == "scan.png"
    long_name = "提" * 1000 + ".png"
    capped = safe_filename(long_name)
    assert capped.endswith(".png")
    assert len(capped.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert set(capped[:-4]) == {"提"}  # no character cut in half
    assert len(safe_filename("a" * 1000).encode()) <= MAX_FILENAME_BYTES


def test_save_attachment_stays_under_root_and_never_overwrites(tmp_path):
    root = tmp_path / "att"
    first = save_attachment(root, "C-1042", "../../etc/passwd", b"one")
    second = save_attachment(root, "C-1042", "passwd", b"two")
    third = save_attachment(root, "../../../escape", "/abs/passwd", b"three")
    assert first == Path("C-1042/passwd")
    assert second == Path("C-1042/passwd-1")
    assert third == Path("escape/passwd")
    assert (root / first).read_bytes() == b"one" and (root / second).read_bytes() == b"two"
    for rel in (first, second, third):
        assert not rel.is_absolute()
        assert (root / rel).resolve().is_relative_to(root.resolve())
    assert not (tmp_path / "escape").exists()
    nested = save_attachment(root, "2026/11\\..\\C-7", "CON.txt", b"x")
    assert nested == Path("2026/11/C-7/_CON.txt")


def test_save_attachment_keeps_extension_when_numbering(tmp_path):
    names = [save_attachment(tmp_path, "c", "scan.png", b"x").name for _ in range(3)]
    assert names == ["scan.png", "scan-1.png", "scan-2.png"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_save_attachment_refuses_a_symlink_out_of_root(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "C-1").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="outside"):
        save_attachment(root, "C-1", "x.txt", b"x")
    assert list(outside.iterdir()) == []
