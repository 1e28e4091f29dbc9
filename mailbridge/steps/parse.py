"""Parse step: raw RFC 5322 bytes become a typed, decoded :class:`ParsedMail`.

Every later step (extract, dedupe, follow_up, store, acknowledge) reads the ParsedMail,
never the raw bytes, so this is where real-world mail gets repaired once:

* headers are unfolded and RFC 2047-decoded with our charset aliases (gb2312 -> GB18030,
  ks_c_5601-1987 -> cp949, ``x-unknown`` -> detection); mail-parser returns folded
  subjects and garbage for gb2312 subjects over GBK bytes (shared/notes/parsing.md);
* addresses tolerate group syntax (``To: unlisted-recipients:;``, which makes the stdlib's
  ``policy.default`` raise) and garbage, and come back lower-cased;
* bodies are decoded from bytes with the same aliases, text/plain preferred, HTML-only
  mail converted with :func:`mailbridge.htmltext.html_to_text`;
* a missing Message-ID is derived from a hash of the raw bytes (Zammad's
  ``message_ensure_message_id``), so a redelivery of the same bytes is still recognised.

The MIME tree comes from the stdlib parser with the ``compat32`` policy, which is the
parser mail-parser's ``parse_from_bytes`` runs, without mail-parser's own decoding pass:
that pass is replaced here wholesale, costs two thirds of mail-parser's time, raises
``AttributeError`` on 7 of 1,269 real-world messages with a missing start boundary, and
logs a WARNING for every multipart container ("Email content 'alternative' not
handled"). ``compat32`` is also the policy that does not crash on
``otrs/PostMaster-Test12.box`` (``policy.default`` raises ``UnicodeDecodeError`` there).

Only a message that is not an email at all (empty bytes, an Outlook ``.msg`` file, binary
garbage without a header block) raises :class:`UnprocessableError`; broken MIME, bad
base64 and missing boundaries parse best-effort and are listed in ``defects``.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import hashlib
import re
from datetime import datetime, timezone
from email.message import Message

from mailbridge.charsets import decode_header_value, unfold
from mailbridge.errors import UnprocessableError
from mailbridge.htmltext import html_to_text
from mailbridge.mimeparts import RAW_HEADER_POLICY, BodyParts
from mailbridge.work import Address, InboundMail, ParsedMail

__all__ = ["parse_message", "DERIVED_ID_DOMAIN"]

DERIVED_ID_DOMAIN = "mailbridge.invalid"



_PARSER = email.parser.BytesParser(policy=RAW_HEADER_POLICY)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TNEF_MAGIC = b"\x78\x9f\x3e\x22"
# At least one of these must be present for the bytes to count as an email message.
_MAIL_HEADERS = frozenset(
    "from to cc bcc date subject message-id received return-path mime-version content-type "
    "content-transfer-encoding in-reply-to references sender reply-to delivered-to x-mailer "
    "envelope-to auto-submitted x-original-to dkim-signature resent-from resent-date".split()
)
_ANGLE_ID = re.compile(r"<([^<>]*)>")
_BARE_EMAIL = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_WORD_CHARSET = re.compile(r"=\?([^?*\s]+)[^?]*\?[QqBb]\?")
# Header-block repairs (see _repair_header_block).
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_OBS_FIELD = re.compile(rb"(?m)^([!-9;-~]+)[ \t]+:")
_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:|From ")
_FIELD_NAME = re.compile(rb"([!-9;-~]+)[ \t]*:")
# A line inside the header block that is neither a field nor a continuation.
_STRAY_LINE = re.compile(rb"\n(?![ \t]|[!-9;-~]+[ \t]*:)")
_WHITESPACE = re.compile(r"\s+")


def parse_message(raw: bytes, *, max_attachment_bytes: int = 25_000_000) -> ParsedMail:
    """Parse one raw message; best effort for anything that is recognisably an email.

    Attachments larger than ``max_attachment_bytes`` are listed with ``payload=None`` and
    ``refused_reason="attachment over N bytes"``.

    Raises :class:`UnprocessableError` (with a reason fit for the quarantine listing)
    when ``raw`` is not an email message, or when the parser itself fails.

    >>> mail = parse_message(b"From: A <A@Example.com>\\r\\nSubject: hi\\r\\n\\r\\nbody\\r\\n")
    >>> mail.from_, mail.subject, mail.text, mail.message_id_derived
    (Address(name='A', email='a@example.com'), 'hi', 'body\\n', True)
    """
    _refuse_non_mail(raw)
    try:
        data, repairs = _repair_header_block(raw)
        msg = _PARSER.parsebytes(data)
        _require_header_block(msg, raw)
        mail = _build(raw, msg, max_attachment_bytes)
        mail.defects[:0] = repairs
        return mail
    except UnprocessableError:
        raise
    except RecursionError as exc:
        raise UnprocessableError("MIME structure nested too deeply to parse") from exc
    except Exception as exc:  # noqa: BLE001 - quarantine with the reason, never crash the poll
        raise UnprocessableError(f"parser failed: {type(exc).__name__}: {exc}") from exc


# --- is it an email at all? -------------------------------------------------------------

def _refuse_non_mail(raw: bytes) -> None:
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise UnprocessableError(f"not bytes but {type(raw).__name__}")
    if not raw.strip():
        raise UnprocessableError(f"empty message ({len(raw)} bytes, no content)")
    if raw.startswith(_OLE2_MAGIC):
        raise UnprocessableError("Outlook .msg file (OLE2 compound document), not a MIME message")
    if raw.startswith(_TNEF_MAGIC):
        raise UnprocessableError("bare TNEF (winmail.dat) stream, not a MIME message")


def _repair_header_block(raw: bytes) -> tuple[bytes, list[str]]:
    """Undo damage in front of or inside the header block that would make the stdlib see
    no headers (or stop reading them early). Returns the bytes to parse and what was
    repaired; well-formed mail passes through untouched after two regex scans.

    * a UTF-8 byte-order mark (files saved by Windows tools; mimekit feedback-report.txt)
      and leading blank or whitespace-only lines;
    * one line of text before the first header, e.g. a client's
      ``---- Original email message ----`` banner (zammad/mail068.box);
    * RFC 2822 obsolete ``Name  :`` (space before the colon), which ends the stdlib's
      header block, and as ``From  :`` passes for an mbox separator (mikel-mail
      rfc2822/example13.eml);
    * folded lines that lost their indentation, when real headers (From, Subject...)
      follow them: the stdlib would move those headers into the body (zammad/mail068.box).
    """
    repairs: list[str] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        repairs.append("byte-order mark before the headers removed")
    data = raw.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")  # php-mime-mail-parser m0011
    end = m.start() if (m := _BLANK_LINE.search(data)) else len(data)
    if not _FIELD.match(data):
        junk, _, rest = data[:end].partition(b"\n")
        if _FIELD.match(rest):
            repairs.append(f"text before the headers dropped: {junk.strip()[:60]!r}")
            data, end = data[len(junk) + 1:], end - len(junk) - 1
    head = data[:end]
    if _STRAY_LINE.search(head):
        head = _join_stray_lines(head, repairs)
    if _OBS_FIELD.search(head):
        repairs.append("obsolete header syntax (space before colon) repaired")
        head = _OBS_FIELD.sub(rb"\1:", head)
    return (data if head is data[:end] else head + data[end:]), repairs


def _join_stray_lines(head: bytes, repairs: list[str]) -> bytes:
    lines = head.split(b"\n")
    known = [i for i, line in enumerate(lines)
             if (m := _FIELD_NAME.match(line)) and m.group(1).lower().decode() in _MAIL_HEADERS]
    if not known:
        return head
    last_known = known[-1]
    joined = 0
    for i in range(1, last_known):
        if lines[i] and not lines[i][:1].isspace() and not _FIELD.match(lines[i]):
            lines[i] = b" " + lines[i]
            joined += 1
    if joined:
        repairs.append(f"{joined} header line(s) without indentation joined to the header above")
    return b"\n".join(lines)


def _require_header_block(msg: Message, raw: bytes) -> None:
    if any(name.strip().lower() in _MAIL_HEADERS for name in msg.keys()):
        return
    first = raw.lstrip(b"\r\n").split(b"\n", 1)[0][:60]
    raise UnprocessableError(f"no email header block (first line {first!r})")


# --- the message -------------------------------------------------------------------------

def _build(raw: bytes, msg: Message, limit: int) -> ParsedMail:
    defects: dict[str, None] = {}  # ordered set
    body = BodyParts(limit, defects, msg.get_content_charset() or _header_charset(msg))
    body.walk(msg)
    hint = body.charset_hint or body.fallback_charset

    headers: dict[str, list[str]] = {}
    raw_headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        key = name.strip().lower()
        found: list[str] = []
        headers.setdefault(key, []).append(decode_header_value(value, hint=hint, defects=found))
        raw_headers.setdefault(key, []).append(value if isinstance(value, str) else str(value))
        for note in found:
            defects[f"{key}: {note.removeprefix('header ')}"] = None

    message_id, derived = _message_id(headers.get("message-id"), raw)
    if derived:
        defects["message-id missing; derived from content hash"] = None
    from_ = _addresses(raw_headers.get("from"), hint, defects)
    sent_at = _date(headers.get("date"), defects)
    text = "\n\n".join(t for t in body.plain if t.strip())
    html = "\n".join(body.html)
    if not text and html:
        text = "\n\n".join(filter(None, (html_to_text(h) for h in body.html)))
    return ParsedMail(
        message_id=message_id,
        message_id_derived=derived,
        from_=from_[0] if from_ else None,
        to=_addresses(raw_headers.get("to"), hint, defects),
        cc=_addresses(raw_headers.get("cc"), hint, defects),
        reply_to=_addresses(raw_headers.get("reply-to"), hint, defects),
        subject=(headers.get("subject") or [""])[0],
        sent_at=sent_at,
        in_reply_to=_ids(headers.get("in-reply-to")),
        references=_ids(headers.get("references")),
        text=text,
        html=html,
        attachments=body.attachments,
        headers=headers,
        defects=list(defects),
    )


def _header_charset(msg: Message) -> str | None:
    """First charset named by an encoded word in Subject or From: the best guess for an
    undeclared 8-bit body in the same message (zammad/mail105.box: iso-8859-1)."""
    for name in ("subject", "from"):
        value = msg.get(name)
        if isinstance(value, str) and (m := _WORD_CHARSET.search(value)):
            return m.group(1)
    return None


def _ids(values: list[str] | None) -> list[str]:
    """Message ids in header values, without angle brackets, de-duplicated, in order.

    Folded long ids are re-joined; ids written without brackets are accepted when they
    contain an ``@`` (seen in old mailers: ``In-Reply-To: 1234@host``).
    """
    seen: dict[str, None] = {}
    for value in values or ():
        found = [_WHITESPACE.sub("", m) for m in _ANGLE_ID.findall(value)]
        if not found:
            found = [t.strip("<>,;\"'") for t in value.split() if "@" in t]
        for mid in found:
            if mid:
                seen[mid] = None
    return list(seen)


def _message_id(values: list[str] | None, raw: bytes) -> tuple[str, bool]:
    ids = _ids(values)
    if ids:
        return ids[0], False
    bare = _WHITESPACE.sub("", (values or [""])[0]).strip("<>")
    if bare:
        return bare, False
    # Hash of the exact bytes: the same message redelivered gets the same id; a random id
    # would defeat duplicate detection (Zammad's generate_message_id says as much).
    return f"{hashlib.sha256(raw).hexdigest()[:40]}@{DERIVED_ID_DOMAIN}", True


def _addresses(values: list[str] | None, hint: str | None, defects: dict[str, None]) -> list[Address]:
    """Mailboxes of raw address header values; groups flattened, empty groups and junk dropped."""
    if not values:
        return []
    result: list[Address] = []
    for name, addr in _getaddresses([unfold(v) for v in values], defects):
        addr = decode_header_value(addr, hint=hint)
        if not addr:
            continue
        if "<" in addr or " " in addr:
            # The whole mailbox was one encoded word: =?utf-8?B?(张三 <a@b.c>)?=
            inner = _getaddresses([addr], defects)
            if inner and inner[0][1] and "<" not in inner[0][1]:
                name, addr = inner[0][0] or name, inner[0][1]
            else:
                defects[f"address {addr[:60]!r} unparsable"] = None
                continue
        result.append(Address(name=decode_header_value(name, hint=hint), email=addr.strip("<>").lower()))
    return result


def _getaddresses(values: list[str], defects: dict[str, None]) -> list[tuple[str, str]]:
    try:
        return email.utils.getaddresses(values)
    except Exception as exc:  # noqa: BLE001 - RecursionError on mimekit stack-overflow.txt
        defects[f"address header unparsable ({type(exc).__name__}); bare addresses kept"] = None
        return [("", m) for v in values for m in _BARE_EMAIL.findall(v)]


def _date(values: list[str] | None, defects: dict[str, None]) -> datetime | None:
    if not values or not values[0]:
        return None
    try:
        value = email.utils.parsedate_to_datetime(values[0])
    except (TypeError, ValueError, IndexError, OverflowError):
        value = None
    if value is None:
        defects[f"date invalid: {values[0][:60]!r}"] = None
        return None
    if value.tzinfo is None:  # "-0000": time is UTC, local zone unknown (RFC 5322 3.3)
        value = value.replace(tzinfo=timezone.utc)
    return value


# --- MIME parts --------------------------------------------------------------------------

def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``. Unparseable mail raises UnprocessableError
    (the pipeline quarantines it)."""
    mail.parsed = parse_message(mail.fetched.raw, max_attachment_bytes=ctx.settings.storage.max_attachment_bytes)
    mail.note("parse", f"<{mail.parsed.message_id}>" + (f" defects={len(mail.parsed.defects)}"
                                                        if mail.parsed.defects else ""))
