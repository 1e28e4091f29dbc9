"""Every email message in the shared real-world corpus goes through ``parse_message``.

The corpus (shared/corpus/realworld, see its MANIFEST.md) is ~1,270 messages from 19
projects' test suites: malformed MIME, bounces, odd charsets, Japanese/Korean/Chinese
mail. Only :class:`UnprocessableError` may come out of the parser, and for files that are
email messages none is expected; files that are not messages (Outlook ``.msg``, raw TNEF,
the reply parsers' body-only fragments) must be refused with that error.

The selection below re-implements the corpus classifier's rules (corpus_check.py) in a few
lines; it is not imported, so the corpus can move without breaking the suite's imports.
"""

from __future__ import annotations

import collections
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mailbridge.errors import UnprocessableError
from mailbridge.steps.parse import parse_message
from mailbridge.work import ParsedMail

CORPUS = Path(__file__).resolve().parents[1].parent / "shared/corpus/realworld"

if not CORPUS.is_dir():
    if os.environ.get("MAILBRIDGE_REQUIRE_SERVERS") == "1":
        raise RuntimeError(f"real-world corpus missing at {CORPUS} (MAILBRIDGE_REQUIRE_SERVERS=1)")
    pytest.skip(f"real-world corpus not found at {CORPUS}", allow_module_level=True)

# Expected-result and licence files, not messages (MANIFEST: .yml/.json/.list/... twins).
AUX_SUFFIXES = {".yml", ".yaml", ".json", ".list", ".md", ".html", ".htm", ".rtf", ".csv", ".py"}
AUX_NAMES = {"COPYING", "README", "LICENSE", "README.md", "MANIFEST.md"}
AUX_NAME_ENDINGS = ("-summary.txt", "_reply_text")
BINARY_MAGIC = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x78\x9f\x3e\x22")  # Outlook .msg, TNEF
BOM = b"\xef\xbb\xbf"
HEADER_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")
# The header block must name at least one of these: a reply-parser fragment opening with
# "One: Here's what I've got." looks like a header line but is body text.
MAIL_HEADERS = {b"from", b"to", b"cc", b"date", b"subject", b"message-id", b"received",
                b"return-path", b"mime-version", b"content-type", b"in-reply-to",
                b"references", b"sender", b"reply-to", b"delivered-to", b"x-mailer"}
# Body-only fixtures of the quote/signature strippers (MANIFEST: "Body-only fragments").
REPLY_PARSER_SOURCES = {"crisp-email-reply-parser", "github-email_reply_parser",
                        "willdurand-EmailReplyParser", "talon"}

# label -> reason, for corpus messages we accept as unprocessable. None today.
EXPECTED_UNPROCESSABLE: dict[str, str] = {}


def starts_with_header_block(data: bytes) -> bool:
    """First line is a header field (or an mbox ``From `` line) and the block of field and
    continuation lines that follows names a real mail header."""
    names = set()
    for number, line in enumerate(data.removeprefix(BOM).lstrip(b" \t\r\n").split(b"\n")):
        line = line.rstrip(b"\r")
        if not line:
            break
        if number == 0 and line.startswith(b"From "):
            continue
        if line[:1] in (b" ", b"\t") and number:
            continue
        if not (m := HEADER_FIELD.match(line)):
            break
        names.add(m.group(1).lower())
    return bool(names & MAIL_HEADERS)


def split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox file, the From_ line removed.

    A ``From `` line opens a message at the start of the file, or after a blank line when
    the next line is a real header: unmunged bodies ("From Russia with love" followed by
    "Year: 1963", mimekit/mbox/unmunged.mbox.txt) must not split a message.
    """
    data = data.removeprefix(BOM)
    starts = [0]
    for m in re.finditer(rb"\n\r?\n(From [^\n]*\n)([^\n]*)", data):
        if (field := HEADER_FIELD.match(m.group(2))) and field.group(1).lower() in MAIL_HEADERS:
            starts.append(m.start(1))
    chunks = [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]
    return [chunk.split(b"\n", 1)[1] for chunk in chunks if b"\n" in chunk]


def classify(path: Path, data: bytes) -> str:
    """message | mbox | binary | fragment | aux (expected results, licences, empty)."""
    if data.startswith(BINARY_MAGIC):
        return "binary"
    name = path.name
    if (path.suffix.lower() in AUX_SUFFIXES or name in AUX_NAMES or name.endswith(AUX_NAME_ENDINGS)
            or ".notmuch" in path.parts or any("expected-output" in p for p in path.parts)
            or not data.strip()):
        return "aux"
    if name.endswith((".mbox", ".mbox.txt")) and data.removeprefix(BOM).startswith(b"From "):
        return "mbox"
    return "message" if starts_with_header_block(data) else "fragment"


def corpus_files() -> dict[str, list[tuple[str, bytes]]]:
    """(label, raw bytes) by kind; mbox files are split into messages."""
    found: dict[str, list[tuple[str, bytes]]] = collections.defaultdict(list)
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file():
            continue
        label = str(path.relative_to(CORPUS))
        data = path.read_bytes()
        kind = classify(path, data)
        if kind == "mbox":
            found["message"].extend((f"{label}#{i}", raw) for i, raw in enumerate(split_mbox(data)))
        else:
            found[kind].append((label, data))
    return found


@dataclass
class Outcome:
    parsed: dict[str, ParsedMail] = field(default_factory=dict)
    unprocessable: dict[str, str] = field(default_factory=dict)
    crashed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        defects = collections.Counter(
            d.split(":", 1)[0] if d.startswith("mime:") else d.split(" ", 1)[0]
            for mail in self.parsed.values() for d in mail.defects
        )
        lines = [
            f"real-world corpus: {len(self.parsed)} parsed, {len(self.unprocessable)} unprocessable, "
            f"{len(self.crashed)} crashed; with defects: "
            f"{sum(1 for m in self.parsed.values() if m.defects)}; "
            f"derived Message-IDs: {sum(m.message_id_derived for m in self.parsed.values())}; "
            f"attachments: {sum(len(m.attachments) for m in self.parsed.values())}",
            "  defect kinds: " + ", ".join(f"{k}={v}" for k, v in defects.most_common(8)),
        ]
        lines += [f"  unprocessable {label}: {reason}" for label, reason in self.unprocessable.items()]
        lines += [f"  CRASHED {label}: {reason}" for label, reason in self.crashed.items()]
        return "\n".join(lines)


def run(items: list[tuple[str, bytes]]) -> Outcome:
    out = Outcome()
    for label, raw in items:
        try:
            out.parsed[label] = parse_message(raw)
        except UnprocessableError as exc:
            out.unprocessable[label] = str(exc)
        except BaseException as exc:  # noqa: BLE001 - exactly what this test hunts for
            out.crashed[label] = f"{type(exc).__name__}: {exc}"
    return out


@pytest.fixture(scope="module")
def corpus():
    return corpus_files()


@pytest.fixture(scope="module")
def outcome(corpus):
    return run(corpus["message"])


def test_corpus_is_there(corpus):
    assert len(corpus["message"]) > 1200  # MANIFEST: 1,269 messages incl. 7 from mbox files
    assert sum("#" in label for label, _ in corpus["message"]) >= 7  # mbox files were split


def test_every_message_parses_without_unexpected_exceptions(outcome, capsys):
    with capsys.disabled():
        print("\n" + outcome.summary())
    assert outcome.crashed == {}
    assert outcome.unprocessable == EXPECTED_UNPROCESSABLE


def test_parsed_mail_invariants(outcome):
    problems = []
    for label, mail in outcome.parsed.items():
        if not mail.message_id or "<" in mail.message_id or " " in mail.message_id:
            problems.append(f"{label}: message_id {mail.message_id!r}")
        if any(c in mail.subject for c in "\r\n\x00"):
            problems.append(f"{label}: subject {mail.subject!r}")
        if any("\r" in v or "\n" in v for values in mail.headers.values() for v in values):
            problems.append(f"{label}: folded header value")
        for addr in [mail.from_, *mail.to, *mail.cc, *mail.reply_to]:
            if addr is not None and (addr.email != addr.email.lower() or not addr.email):
                problems.append(f"{label}: address {addr!r}")
        if mail.sent_at is not None and mail.sent_at.tzinfo is None:
            problems.append(f"{label}: naive sent_at")
        for att in mail.attachments:
            if (att.payload is None) != bool(att.refused_reason):
                problems.append(f"{label}: attachment {att.filename!r} payload/refusal mismatch")
            if att.payload is not None and att.size != len(att.payload):
                problems.append(f"{label}: attachment {att.filename!r} size mismatch")
    assert problems == []


def test_known_stdlib_crashers_parse(outcome):
    # parsing.md: policy.default raises on these; compat32 + our decoding must not.
    test12 = outcome.parsed["otrs/PostMaster-Test12.box"]
    assert "Обяснительная.jpg" in [a.filename for a in test12.attachments]
    unlisted = [label for label, m in outcome.parsed.items()
                if "unlisted-recipients" in m.header("to")]
    assert len(unlisted) == 3 and all(outcome.parsed[label].to == [] for label in unlisted)


def test_outlook_msg_and_tnef_files_are_refused(corpus):
    result = run(corpus["binary"])
    assert result.crashed == {} and result.parsed == {}
    assert len(result.unprocessable) == 10  # 1 Outlook .msg + 9 raw TNEF streams
    assert "Outlook .msg" in result.unprocessable["spamscope-mail-parser/mail_outlook_1"]


def test_body_only_fragments_are_refused_and_damaged_messages_salvaged(corpus):
    fragments = dict(corpus["fragment"])
    bodies = {label: raw for label, raw in fragments.items() if label.split("/")[0] in REPLY_PARSER_SOURCES}
    refused = run(list(bodies.items()))
    assert refused.crashed == {}
    assert sorted(refused.parsed) == []
    assert len(refused.unprocessable) > 100
    # The other one opens with a "---- Original email message ----" banner but is a message;
    # the parser repairs its header block.
    damaged = run([(label, raw) for label, raw in fragments.items() if label not in bodies])
    assert sorted(damaged.parsed) == ["zammad/mail068.box"]  # banner line, unindented folds
    mail068 = damaged.parsed["zammad/mail068.box"]
    assert mail068.from_ is not None and mail068.from_.email == "xxxxx@xxxxx.cz"
    assert mail068.subject == "Contact from Server"
