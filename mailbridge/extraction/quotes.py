"""Split a message into what the customer wrote now and the history it quotes.

Entities in quoted history help threading but are not the new message's own facts, so they
are kept apart. History starts at the first reply header any common client writes (Gmail,
Outlook, Apple Mail, QQ Mail, 163, Naver, Daum, Japanese and Chinese Outlook) or a
forwarded-message banner; before that, lines starting with ``>`` are quoted too.
Runs on NFKC-normalised text, so full-width colons are already ASCII.
"""

from __future__ import annotations

import re

# "From:" alone is not enough ("From: my wallet / To: yours" is a customer describing a
# transfer); a reply header block always has a date line right after it.
_HEADER_START = r"(?:from|发件人|寄件者|寄件人|보낸\s?사람|보낸이|差出人|送信者)[ \t]*:"
_HEADER_NEXT = r"(?:sent|date|发送时间|发送日期|日期|时间|寄件日期|傳送時間|傳送日期|보낸\s?날짜|날짜|送信日時|日時)[ \t]*:"
_MARKERS = re.compile(
    # -----Original Message----- / ----- 原始邮件 ----- / ---------- Forwarded message ---------
    r"^[ \t]*-{2,}[ \t]*(?:original(?:[ \t]+message)?|原始邮件|原始郵件|原始信件|forwarded[ \t]+message|"
    r"转发邮件|轉寄郵件|원본[ \t]?메시지|전달된[ \t]?메시지|元のメッセージ|転送されたメッセージ|転送メッセージ)"
    r"[ \t]*-{2,}"
    # Gmail / Apple Mail: "On Tue, Mar 4, 2025 at 9:12 PM Support <s@x.com> wrote:" (may wrap once)
    r"|^[ \t]*On[ \t][^\n]{4,200}(?:\n[^\n]{0,120})?wrote:[ \t]*$"
    # 163 / QQ / Gmail zh: "在 2025年3月4日 21:12，客服 <s@x.com> 写道：", zh-Hant "…寫道："
    r"|^[^\n]{0,200}(?:写道|寫道)[ \t]*:[ \t]*$"
    # Gmail ko: "2025년 3월 4일 (화) 오후 9:12, 고객센터 <s@x.com>님이 작성:"
    r"|^[^\n]{0,200}작성[ \t]*:[ \t]*$"
    # Gmail ja / generic: "2025年3月4日(火) 21:12 Support <s@x.com>:"
    r"|^[^\n]{0,150}<[^<>\s]+@[^<>\s]+>[ \t]*:[ \t]*$"
    # Outlook-style header block: "From: … / Sent: …", "发件人: … / 发送时间: …", "보낸 사람: … / 보낸 날짜: …"
    rf"|^[ \t]*{_HEADER_START}[^\n]*\n(?:[^\n]*\n){{0,3}}?[ \t]*{_HEADER_NEXT}",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTE_LINE = re.compile(r"^[ \t]*>", re.MULTILINE)
_QUOTE_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)
# The same marks, found from the newline before them (a literal the regex engine finds fast;
# a line-start anchor is tried at every position): the first line is done on its own.
_FIRST_QUOTE_MARK = re.compile(r"[ \t]*(?:>[ \t]?)+")
_NEXT_QUOTE_MARK = re.compile(r"\n[ \t]*(?:>[ \t]?)+")


def split_quoted(text: str) -> tuple[str, str]:
    """(new text, quoted history). Quote marks are stripped from the history."""
    m = _MARKERS.search(text)
    new, history = (text[:m.start()], text[m.start():]) if m else (text, "")
    if _QUOTE_LINE.search(new):
        new, quoted_lines = _drop_quote_lines(new)
        history = quoted_lines + ("\n" + history if history else "")
    if history:
        history = _strip_quote_marks(history)
    return new, history


def _strip_quote_marks(text: str) -> str:
    """``_QUOTE_MARK.sub("", text)``: quote marks off the start of every line."""
    first = _FIRST_QUOTE_MARK.match(text)
    if first:
        text = text[first.end():]
    return _NEXT_QUOTE_MARK.sub("\n", text)


def _drop_quote_lines(text: str) -> tuple[str, str]:
    kept: list[str] = []
    quoted: list[str] = []
    for line in text.split("\n"):
        (quoted if line.lstrip(" \t").startswith(">") else kept).append(line)
    return "\n".join(kept), "\n".join(quoted)
