"""Content fingerprints for resend detection.

Customers who get no answer send the same mail again, with a new Message-ID, often from
another client: "再次发送：", "재전송", "Resending:", a phone that drops the HTML part and
adds "Sent from my iPhone", a webmail that re-wraps lines and picks another charset. The
fingerprint is a hash of the sender plus the text with all of that taken out, so those
resends collide while a second report (same template, another TxID, UID or amount) does
not: digits and letters are kept exactly, only spacing, punctuation, quoting, signatures
and resend words go. Charset and transfer-encoding differences are already gone after
parsing (the text is ``str``).

>>> a = normalise_body("Resending:\\n\\nMy withdrawal\\nof 0.5 BTC is stuck.\\n\\n-- \\nAlice")
>>> a == normalise_body("My withdrawal of 0.5 BTC is stuck.\\nSent from my iPhone")
True
>>> a == normalise_body("My withdrawal of 0.6 BTC is stuck.")
False
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from mailbridge.extraction.quotes import split_quoted

# Reply and forward prefixes in the languages our customers write (issue 4), ASCII or
# full-width colon (NFKC makes both ":"), repeated or numbered ("Re[2]:", "RE(3):").
REPLY_PREFIX = (r"(?:re|aw|wg|sv|vs|antw|antwort|fwd?|tr|rv|r|回复|答复|回覆|答覆|转发|轉寄|轉發|"
                r"답장|회신|전달|返信|転送)")
RESEND_WORDS = ("再次发送", "再次發送", "重发", "重發", "重新发送", "再次提交", "재전송", "재발송", "다시 보냅니다",
                "다시 보냄", "resending", "resent", "resend", "re-sending", "follow up", "follow-up", "followup",
                "second request", "2nd request", "third request", "3rd request", "final request", "reminder",
                "再送", "再送信", "催促", "催办", "재요청")
_PREFIX = re.compile(rf"^\s*(?:\[(?:{'|'.join(map(re.escape, RESEND_WORDS))})\]\s*|"
                     rf"(?:{REPLY_PREFIX}|{'|'.join(map(re.escape, RESEND_WORDS))})\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)",
                     re.IGNORECASE)
_RESEND_LINE = re.compile("|".join(map(re.escape, RESEND_WORDS)), re.IGNORECASE)
# Lines a phone or webmail adds at the bottom; they differ between two sends of one mail.
_DEVICE_LINE = re.compile(
    r"^\s*(?:sent from my \w[\w ]*|get outlook for \w+|sent from (?:mail|outlook|yahoo mail) for \w+|"
    r"发自我的\w+|从我的\w+发送|來自我的\w+|寄件者\s*iphone|\w+에서 보냄|\w+から送信)\s*$",
    re.IGNORECASE | re.MULTILINE)
_SIGNATURE = re.compile(r"^(?:-- ?|—{2,}|_{5,})$", re.MULTILINE)  # RFC 3676 "-- " and Outlook rules
_FORWARD_HEADER = re.compile(r"^\s*(?:from|to|cc|date|sent|subject|发件人|收件人|发送时间|日期|主题|寄件者|收件者|"
                             r"主旨|보낸\s?사람|받는\s?사람|보낸\s?날짜|제목|差出人|宛先|送信日時|件名)\s*:.*$",
                             re.IGNORECASE | re.MULTILINE)
_BANNER = re.compile(r"^\s*-{2,}[^\n]{0,60}-{2,}\s*$", re.MULTILINE)  # "---- Forwarded message ----"
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")  # html2text's [text](url): keep both, drop the syntax
_KEEP = re.compile(r"[^\W_]+")
_SHORT = 30  # a body shorter than this (normalised) says too little alone: the subject joins the hash


def normalise_subject(subject: str, case_tag: re.Pattern[str] | None = None) -> str:
    """Subject without reply/forward/resend prefixes, case tags, spacing or punctuation."""
    text = unicodedata.normalize("NFKC", subject)
    if case_tag is not None:
        text = case_tag.sub(" ", text)
    text = re.sub(r"\[\s*(?:case|ticket|工单|案件|케이스)?\s*\]", " ", text, flags=re.IGNORECASE)
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return "".join(_KEEP.findall(text.casefold()))


def normalise_body(text: str) -> str:
    """The words the customer wrote this time, as one run of letters and digits."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n")
    new, history = split_quoted(text)
    new = _drop_resend_lines(_cut_signature(new))
    if len(_squash(new)) < 8 and history:
        # "Resending, see below" + the earlier mail forwarded or quoted: the earlier mail is the content.
        new = _cut_signature(_FORWARD_HEADER.sub("", _BANNER.sub("", history)))
        new = split_quoted(new)[0] if split_quoted(new)[0].strip() else new
        new = _drop_resend_lines(new)
    return _squash(new)


def _cut_signature(text: str) -> str:
    m = _SIGNATURE.search(text)
    text = text[:m.start()] if m else text
    return _DEVICE_LINE.sub("", text)


def _drop_resend_lines(text: str) -> str:
    """Drop a short "Resending:" / "再次发送" line among the first few lines."""
    lines = text.split("\n")
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > 3:
            break
        if len(line.strip()) <= 80 and _RESEND_LINE.search(line):
            lines[i] = ""
    return "\n".join(lines)


def _squash(text: str) -> str:
    return "".join(_KEEP.findall(_MD_LINK.sub(r"\1 \2", text).casefold()))


def fingerprint(sender: str, subject: str, text: str, case_tag: re.Pattern[str] | None = None) -> str:
    """Hash of sender + normalised content; '' when there is no content to compare."""
    body = normalise_body(text)
    head = normalise_subject(subject, case_tag) if len(body) < _SHORT else ""
    if not body and not head:
        return ""
    digest = hashlib.sha256("\x00".join((sender.lower(), head, body)).encode("utf-8"))
    return digest.hexdigest()[:40]
