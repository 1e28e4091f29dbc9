"""Hostile input end to end: oversized mail, header and template injection, evil file names.

Everything goes through real Dovecot, the real pipeline and the real SMTP sink, and the
assertions read what the sink received or what landed on disk — the places a customer
(or an attacker) would see the damage.
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest

from harness import Harness
from mailbridge import samples
from mailbridge.models import Attachment
from sqlmodel import select

pytestmark = pytest.mark.servers

ACK_HEADERS = {"from", "to", "subject", "date", "message-id", "in-reply-to", "references", "auto-submitted",
               "x-auto-response-suppress", "x-mailbridge-case", "content-type", "mime-version"}


def _ack(h: Harness) -> tuple[bytes, email.message.EmailMessage]:
    [received] = h.sink.wait_for(1)
    return received.data, received.message


def _encoded(text: str) -> str:
    return f"=?utf-8?B?{base64.b64encode(text.encode()).decode()}?="


# --------------------------------------------------------------------------------------------
# size limits
# --------------------------------------------------------------------------------------------

def _big_mail(total_bytes: int, sender: str = "big@customer.example") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@exchange.example", "Screenshots of my problem"
    msg["Message-ID"] = f"<big.{total_bytes}@customer.example>"
    msg.set_content("My deposit is missing, see the attached recordings.")
    msg.add_attachment(b"\x89PNG small", maintype="image", subtype="png", filename="first.png")
    msg.add_attachment(os.urandom(total_bytes * 3 // 4), maintype="video", subtype="mp4", filename="recording.mp4")
    return msg.as_bytes()


def test_oversized_message_is_truncated_with_the_reason_recorded(harness: Harness) -> None:
    harness.reconfigure(storage={"max_message_bytes": 1_000_000, "max_attachment_bytes": 5_000_000})
    raw = _big_mail(6_000_000).replace(b"\n", b"\r\n")  # as the IMAP server stores it
    harness.append(raw)
    summary = harness.poll()
    assert (summary.new_cases, summary.quarantined, summary.acks_sent) == (1, 0, 1)  # the customer still hears back
    [message] = harness.messages()
    assert message.raw_size == len(raw) and len(message.raw) == 1_000_000
    assert any(d.startswith(f"truncated: {len(raw)} bytes on the server, first 1000000 kept") for d in message.defects)
    with harness.session() as s:
        rows = {a.filename: a for a in s.exec(select(Attachment)).all()}
    assert rows["first.png"].stored_path and not rows["first.png"].refused_reason
    assert rows["recording.mp4"].stored_path == ""
    assert rows["recording.mp4"].refused_reason == "incomplete: the message was truncated at 1000000 bytes"


def test_attachment_over_the_limit_is_refused_with_the_reason(harness: Harness) -> None:
    harness.reconfigure(storage={"max_attachment_bytes": 100_000})
    harness.append(_big_mail(400_000))
    harness.poll()
    with harness.session() as s:
        rows = {a.filename: a for a in s.exec(select(Attachment)).all()}
    assert rows["recording.mp4"].refused_reason == "attachment over 100000 bytes"
    assert rows["recording.mp4"].stored_path == "" and rows["recording.mp4"].size > 100_000
    saved = [p.name for p in Path(harness.settings.storage.attachments_dir).rglob("*") if p.is_file()]
    assert saved == ["first.png"]


# --------------------------------------------------------------------------------------------
# header injection
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("subject, sender", [
    (_encoded("Help\r\nBcc: victim@evil.example\r\nX-Injected: 1"), "Eve <eve@customer.example>"),
    ("Help", f"{_encoded('Eve' + chr(13) + chr(10) + 'Bcc: victim@evil.example')} <eve@customer.example>"),
    (_encoded("Help\nTo: victim@evil.example") + " " + _encoded("\r\n\r\n<html>body injection"),
     "eve@customer.example"),
    ("Help =?utf-8?Q?=0D=0ABcc=3A_victim=40evil.example?=",
     "=?utf-8?Q?Eve=0ACc=3A_x=40evil.example?= <eve@customer.example>"),
    (_encoded("Help\u2028Bcc: victim@evil.example\u2029X-Next: 1\x0bX-Tab: 2"), "eve@customer.example"),
    # U+0085 (NEL) is a line break to str.splitlines(): the stdlib refused the Subject and the
    # mail was quarantined instead of acknowledged, until acknowledge._CONTROL covered C1.
    (_encoded("Help\u0085Bcc: victim@evil.example"), "eve@customer.example"),
], ids=["subject-b", "name-b", "subject-lf-and-blank-line", "q-encoded", "unicode-line-separators", "nel"])
def test_crlf_in_subject_or_name_never_adds_a_header(harness: Harness, subject: str, sender: str) -> None:
    raw = (f"From: {sender}\r\nTo: support@exchange.example\r\nSubject: {subject}\r\n"
           "Message-ID: <inj@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n").encode()
    harness.append(raw)
    harness.poll()
    data, ack = _ack(harness)
    received = harness.sink.messages[0]
    assert received.rcpt_tos == ["eve@customer.example"]
    names = [k.lower() for k in ack.keys()]
    assert set(names) <= ACK_HEADERS and len(names) == len(set(names)), names
    assert [a.addr_spec for a in ack["To"].addresses] == ["eve@customer.example"] and not ack.defects
    assert "\n" not in str(ack["Subject"]) and "\r" not in str(ack["Subject"])
    header_block = data.split(b"\r\n\r\n", 1)[0]
    for line in header_block.split(b"\r\n"):
        assert line[:1] in (b" ", b"\t") or line.split(b":", 1)[0].lower().decode() in ACK_HEADERS, line
    for part in ack.walk():  # the parts have only MIME headers
        assert {k.lower() for k in part.keys()} <= ACK_HEADERS | {"content-transfer-encoding"}


# --------------------------------------------------------------------------------------------
# template injection
# --------------------------------------------------------------------------------------------

def test_template_syntax_and_html_in_customer_text_is_rendered_literally(harness: Harness) -> None:
    subject = "{{ 7*7 }} {% for x in range(3) %}LOOP{% endfor %} <script>alert('x')</script> {{ ''.__class__ }}"
    name = "<b>Eve</b> {{ config }}"
    msg = EmailMessage()
    msg["From"] = Address(display_name=name, addr_spec="eve@customer.example")  # a quoted display name
    msg["To"], msg["Subject"], msg["Message-ID"] = "support@exchange.example", subject, "<tpl@customer.example>"
    msg.set_content("{{ 7*7 }} {% raw %}")
    harness.append(msg.as_bytes())
    harness.poll()
    _, ack = _ack(harness)
    text = ack.get_body(("plain",)).get_content()
    html = ack.get_body(("html",)).get_content()
    assert "{{ 7*7 }}" in text and "49" not in text and "LOOPLOOP" not in text
    assert "{% for x in range(3) %}" in text and "<script>alert('x')</script>" in text
    assert "<b>Eve</b> {{ config }}" in text
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>Eve</b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "{{ 7*7 }}" in html
    assert "{{ 7*7 }}" in str(ack["Subject"]) and "<class" not in text + html


# --------------------------------------------------------------------------------------------
# attachment names
# --------------------------------------------------------------------------------------------

HOSTILE_NAMES = ["../../../../etc/passwd", "/etc/shadow", "C:\\Windows\\System32\\evil.dll", "..\\..\\boot.ini",
                 "CON", "nul.txt", "COM1.log", "LPT9", "a" * 1000 + ".pdf", "invoice\u202egnp.exe",
                 "zero\u200bwidth.png", "..", ".", "", "   ", ".hidden", "trailing. . .", "<>:\"|?*.txt",
                 "日本語の領収書.pdf", "x/../../y.png"]


def test_hostile_attachment_names_are_saved_inside_the_attachments_folder(harness: Harness) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "mallory@customer.example", "support@exchange.example", "files"
    msg["Message-ID"] = "<files@customer.example>"
    msg.set_content("see attached")
    for i, name in enumerate(HOSTILE_NAMES):
        msg.add_attachment(f"payload {i}".encode(), maintype="application", subtype="octet-stream", filename=name)
    raw = msg.as_bytes()
    # A NUL byte in a name can't be built with EmailMessage: write it in by hand.
    raw = raw.replace(b'filename="nul.txt"', b'filename="nul\x00.txt"')
    harness.append(raw)
    assert harness.poll().quarantined == 0
    root = Path(harness.settings.storage.attachments_dir).resolve()
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == len(HOSTILE_NAMES)  # every attachment kept, none overwrote another
    for path in files:
        assert path.resolve().is_relative_to(root)
        name = path.name
        assert "\x00" not in name and "\u202e" not in name and "\u200b" not in name
        assert len(name.encode()) <= 255 and not name.startswith(".")
        assert name.split(".")[0].upper() not in {"CON", "NUL", "COM1", "LPT9", "PRN", "AUX"}
    contents = sorted(p.read_bytes() for p in files)
    assert contents == sorted(f"payload {i}".encode() for i in range(len(HOSTILE_NAMES)))
    with harness.session() as s:
        rows = s.exec(select(Attachment)).all()
    assert all(not Path(r.stored_path).is_absolute() and ".." not in Path(r.stored_path).parts for r in rows)
    assert not list(root.parent.glob("passwd")) and not Path("/etc/shadow").read_bytes().startswith(b"payload")


# --------------------------------------------------------------------------------------------
# mail loops (RFC 3834), end to end
# --------------------------------------------------------------------------------------------

def test_our_own_ack_coming_back_is_stored_and_not_answered(harness: Harness) -> None:
    harness.append(samples.plain("loop@customer.example", "Help", message_id="<loop0@customer.example>"))
    harness.poll()
    data, _ = _ack(harness)
    harness.append(data)  # e.g. the customer's server forwards everything back to us
    summary = harness.poll()
    assert (summary.new_cases, summary.acks_queued, summary.quarantined) == (0, 0, 0)
    assert len(harness.sink.messages) == 1


def test_a_robot_changing_its_address_every_time_cannot_start_a_loop(harness: Harness) -> None:
    """An auto-responder without any robot header answers each of our mails from a new
    address (as ticket systems with per-ticket reply addresses do)."""
    harness.append(samples.plain("first@customer.example", "Withdrawal stuck", message_id="<l0@customer.example>"))
    harness.poll()
    for round_ in range(1, 11):
        last = harness.sink.messages[-1].message
        harness.append(samples.plain(f"ticket-{round_}@helpdesk.example", f"Re: {last['Subject']}",
                                     f"Thank you, we received your request #{round_}.",
                                     message_id=f"<bot{round_}@helpdesk.example>", in_reply_to=last["Message-ID"]))
        harness.poll()
    robot_acks = [r for r in harness.sink.messages if r.rcpt_tos[0].endswith("@helpdesk.example")]
    assert len(robot_acks) <= 1, [r.rcpt_tos for r in robot_acks]  # the loop stops at once
