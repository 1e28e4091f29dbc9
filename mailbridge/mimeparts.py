"""The parts of a MIME tree: body text, HTML and attachments, walked once.

Split from the parse step so each stays readable: this module knows MIME structure
(multipart, message/*, transfer encodings, part names); ``steps/parse.py`` knows headers,
addresses and what a ParsedMail holds.
"""

from __future__ import annotations

import binascii
import email.generator
import email.policy
import io
import mimetypes
import re
from email.message import Message

from mailbridge.charsets import decode_bytes, decode_header_value
from mailbridge.work import AttachmentPart


class _RawHeaderPolicy(email.policy.Compat32):
    """compat32, except that header values come back as stored.

    compat32 hands out a header with 8-bit octets as an ``email.header.Header`` whose
    ``str()`` replaces them with U+FFFD, so ``filename="ci\xc3\xa9le.txt"`` (raw UTF-8, or
    GBK in zammad/mail015.box) was lost before we could decode it. Stored values keep those
    octets as surrogates, which :func:`decode_header_value` turns back into bytes.
    """

    def header_fetch_parse(self, name, value):  # noqa: D102 - see class docstring
        return value

    def fold_binary(self, name, value):  # noqa: D102
        # Re-serialising a forwarded message/rfc822 part: write each header as it arrived
        # (original folding, 8-bit octets intact) instead of re-folding it through
        # email.header.Header, which cost 0.6 ms per bounce in the corpus.
        return f"{name}: {value}".encode("utf-8", "surrogateescape") + self.linesep.encode("ascii")


RAW_HEADER_POLICY = _RawHeaderPolicy()

_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_UNNAMED = {
    "message/rfc822": "message.eml",
    "message/global": "message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "rfc822-headers.txt",
}


class BodyParts:
    """Walks the MIME tree once, collecting body texts, HTML, attachments and defects."""

    def __init__(self, limit: int, defects: dict[str, None], fallback_charset: str | None) -> None:
        self.limit = limit
        self.defects = defects
        # For undeclared 8-bit text: the charset on the root Content-Type (zammad/mail015.box
        # declares GB2312 only on multipart/mixed) or in the Subject's encoded words.
        self.fallback_charset = fallback_charset
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[AttachmentPart] = []
        self.charset_hint: str | None = None
        self.index = 0

    def walk(self, msg: Message) -> None:
        # Iterative, depth first, in order; message/* parts are leaves (attachments), so a
        # bounce's quoted original never becomes the customer's text.
        stack = [msg]
        while stack:
            part = stack.pop()
            self.index += 1
            for defect in part.defects:
                self.defects[f"mime: {type(defect).__name__}"] = None
            ctype = _content_type(part)
            if part.is_multipart() and not ctype.startswith("message/"):
                stack.extend(reversed(part.get_payload()))
                continue
            try:
                self.leaf(part, ctype)
            except Exception as exc:  # noqa: BLE001 - one bad part must not lose the message
                self.defects[f"part {self.index} ({ctype}) skipped: {type(exc).__name__}: {exc}"] = None

    def leaf(self, part: Message, ctype: str) -> None:
        if ctype.startswith("multipart/"):
            # No parts found (missing/mismatched boundary): the stdlib keeps the whole body
            # as one string. Keep it readable as text rather than lose it.
            self.defects[f"{ctype} without parts; body kept as text"] = None
            ctype = "text/plain"
        disposition = (part.get_content_disposition() or "").strip().lower()
        charset = part.get_content_charset()
        filename = _filename(part, charset or self.charset_hint or self.fallback_charset)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and (
            not filename or disposition == "inline"
        ):
            data = _payload_bytes(part, self.defects)
            if not charset and ctype == "text/html" and (m := _META_CHARSET.search(data, 0, 4096)):
                charset = m.group(1).decode("ascii").lower()  # <meta charset> of unlabelled HTML
            text, defect = decode_bytes(
                data, charset, hint=None if charset else self.charset_hint or self.fallback_charset
            )
            if defect:
                self.defects[f"{ctype} part {self.index}: {defect}"] = None
            if charset and self.charset_hint is None:
                self.charset_hint = charset
            if ctype == "text/plain":
                self.plain.append(text.replace("\r\n", "\n").replace("\r", "\n"))
            else:
                self.html.append(text)
            if not filename:
                return  # a named inline text part is both body and attachment
        self.attachment(part, ctype, filename)

    def attachment(self, part: Message, ctype: str, filename: str) -> None:
        if ctype.startswith("message/") and part.is_multipart():
            payload = _flatten(part.get_payload())
        else:
            payload = _payload_bytes(part, self.defects)
        if not filename:
            filename = _UNNAMED.get(ctype) or f"part-{self.index}{mimetypes.guess_extension(ctype) or '.bin'}"
        content_id = decode_header_value(part.get("content-id")).strip().strip("<>").strip()
        refused = ""
        if len(payload) > self.limit:
            refused = f"attachment over {self.limit} bytes"
        self.attachments.append(AttachmentPart(
            filename=filename,
            content_type=ctype,
            size=len(payload),
            payload=None if refused else payload,
            content_id=content_id,
            refused_reason=refused,
        ))


def _content_type(part: Message) -> str:
    ctype = part.get_content_type()
    # "multipart/mixed\n\tboundary=..." (no semicolon) comes back whole from the stdlib.
    return ctype.split(None, 1)[0] if any(c.isspace() for c in ctype) else ctype


def _filename(part: Message, hint: str | None) -> str:
    """Decoded attachment name: RFC 2231 (``filename*=gb2312''%BB%C6``), RFC 2047 words
    (``name="=?gb2312?B?...?="``, not standard but what Outlook sends), or raw 8-bit."""
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        value = part.get_param(param, None, header)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1 text)
            charset, _language, text = value
            try:
                data = str(text).encode("latin-1", "surrogateescape")
            except UnicodeEncodeError:
                data = str(text).encode("utf-8", "surrogateescape")
            name = decode_bytes(data, charset or hint)[0]
            name = decode_header_value(name) if "=?" in name else name
        else:
            name = decode_header_value(str(value), hint=hint)
        if name.strip():
            return name.strip()
    return ""


def _payload_bytes(part: Message, defects: dict[str, None]) -> bytes:
    """The part's body as bytes with the transfer encoding removed.

    The stdlib decodes base64 (repairing bad padding), quoted-printable and uuencode, and
    returns the wire bytes otherwise. It only recognises the encoding name verbatim, so
    ``base64 `` (trailing space) or ``"base64"`` came back undecoded: those are done here.
    """
    payload = part.get_payload()
    if isinstance(payload, list):
        return _flatten(payload)
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return b""
    verbatim = str(part.get("content-transfer-encoding", "")).lower()
    cte = verbatim.split(";", 1)[0].strip().strip("\"'").strip()
    if cte == verbatim or cte not in ("base64", "quoted-printable"):
        return data
    defects[f"mime: transfer encoding {verbatim[:30]!r} read as {cte}"] = None
    if cte == "quoted-printable":
        return binascii.a2b_qp(data)
    clean = _BASE64_JUNK.sub(b"", data)
    clean = clean[:-1] if len(clean) % 4 == 1 else clean
    return binascii.a2b_base64(clean + b"=" * (-len(clean) % 4))


def _flatten(messages: list) -> bytes:
    """Bytes of message/* sub-parts (a forwarded mail, DSN status blocks)."""
    out = io.BytesIO()
    for sub in messages:
        try:
            gen = email.generator.BytesGenerator(out, mangle_from_=False, policy=RAW_HEADER_POLICY)
            gen.flatten(sub)
        except Exception:  # noqa: BLE001 - fall back to the lossy text form
            out.write(str(sub).encode("utf-8", "surrogateescape"))
    return out.getvalue()
