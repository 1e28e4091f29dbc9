"""Things that look like identifiers and are not: none of them may be reported."""

from __future__ import annotations

import base64
import random

import pytest

from mailbridge.extraction import Entities, extract

from idgen import address, hex64, seeded

H = hex64(100)
H40 = random.Random(101).randbytes(20).hex()


def values(entities: Entities) -> list[str]:
    out = entities.account_uids + entities.order_ids + [t.value for t in entities.tx_ids]
    return out + [a.value for a in entities.addresses] + [a.value for a in entities.amounts]


def everything(text: str, attachments: tuple[str, ...] = ()) -> list[str]:
    found = extract("", text, attachment_names=attachments)
    return values(found.entities) + values(found.quoted) + [t.text for t in found.entities.timestamps]


@pytest.mark.parametrize("text", [
    # phone numbers, postal codes
    "电话 +86 138 0013 8000，邮编 200120", "연락처 010-1234-5678", "TEL 090-1234-5678 〒150-0002",
    "Call +1 (415) 555-0132, ZIP 94105",
    # long numbers in ordinary links
    "https://www.zhihu.com/question/123456789012", "https://support.example.com/hc/articles/360012345678",
    "zhihu.com/question/123456789012", "https://www.17track.net/en/track?nums=YT2503051234567&uid=12345678",
    f"https://www.reddit.com/r/x/comments/abc/?share_id={H}",
    # QQ numbers
    "QQ: 12345678", "QQ号：2345678901",
    # CSS colours, HTML leftovers
    '<span style="color:#ff0000">hi</span>', "p { color: #1a73e8; } .MsoNormal { margin: 0 }",
    # images: data URIs and content hashes in image URLs
    "![](data:image/png;base64," + base64.b64encode(random.Random(1).randbytes(300)).decode() + ")",
    f"https://cdn.example-img.com/uploads/{H}.png", f"https://i.imgur.com/abc.png?hash={H}",
    # Message-ID fragments in forwarded headers
    f"---------- Forwarded message ---------\nFrom: a@b.c\nDate: Tue\nMessage-ID: <{H}@mailer.example.com>",
    "References: <CAJ+0tnxTUzSpshbpVqZ4bHECJ9hoXLtLXFZcGVqN2@mail.gmail.com>",
    # commit hashes and checksums in signatures
    f"-- \nSent from my bot (commit {H40})", f"bot 2.3.1 (git commit: {H})", f"sha256 checksum of the log file: {H}",
    # file names
    "see IMG_20250305_101754.jpg", f"attached {H}.png",
    # legal footers
    "Registered in England and Wales, company no. 12345678. Bank account no. 87654321 (HSBC).",
    "统一社会信用代码 91310115MA1H7XYZ3K 公司注册号 12345678", "사업자등록번호: 123-45-67890", "法人番号 1234567890123",
    # e-mail addresses made of numbers
    "my email is 12345678@qq.com", "UID: 12345678@qq.com",
])
def test_decoy_is_not_reported(text: str) -> None:
    assert everything(text) == []


def test_private_key_is_never_a_tx_id() -> None:
    for text in (f"my private key is {H}", f"私钥：0x{H}", f"개인키: {H}", f"秘密鍵：{H}"):
        found = extract("", text)
        assert found.entities.tx_ids == [] and H not in found.redacted_text


def test_file_name_dates_are_not_timestamps() -> None:
    found = extract("", "see attachment", attachment_names=["IMG_20250305_101754.jpg", "Screenshot 2025-03-05 at 10.17.54.png"])
    assert found.entities.timestamps == []
    found = extract("", "截图：Screenshot 2025-03-05 at 10.17.54.png 和 IMG_20250305_101754.jpg")
    assert found.entities.timestamps == []


def test_bare_hex_file_name_is_a_content_hash() -> None:
    assert extract("", "see attachment", attachment_names=[f"{H}.jpg"]).entities.tx_ids == []


def test_real_ids_survive_next_to_decoys() -> None:
    tron = address("tron", seeded(42))
    found = extract("", f"UID 12345678 QQ: 23456789 电话 13800138000\n地址 {tron}\n"
                        f"https://cdn.example.com/{H}.png\nTRC20 hash {hex64(7)}").entities
    assert found.account_uids == ["12345678"]
    assert [a.value for a in found.addresses] == [tron]
    assert [(t.value, t.chain) for t in found.tx_ids] == [(hex64(7), "tron")]
