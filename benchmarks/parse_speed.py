"""Parse throughput on one core: mail-parser alone vs mailbridge's ``parse_message``.

    /work/venv/bin/python benchmarks/parse_speed.py [--repeat 5] [--corpus DIR] [--min-rate 800]

Two sets of mail, each parsed ``--repeat`` times after a warm-up pass:

* ``realworld``: every message of shared/corpus/realworld (mbox files split; expected-result
  files, Outlook .msg/TNEF blobs and body-only fragments left out, i.e. whatever
  ``parse_message`` refuses). Many are bounces, malformed or multi-part: the hard end.
* ``typical``: the support mails of ``mailbridge.samples`` (GBK under a gb2312 label,
  EUC-KR, English HTML with a PNG, plain English) plus ~6 KB threaded replies with trace
  headers, DKIM and text + HTML alternatives (zh/ko/en), cycled to 2,000 messages.

For each set it prints messages/s for ``mailparser.parse_from_bytes`` + ``text_plain``
(what parsing.md measured at ~1,130/s) and for ``parse_message`` (headers, addresses,
bodies, HTML-to-text, attachments, defects), then the peak of Python allocations during
one extra pass under tracemalloc (slower, so timed apart) and the process's maximum
resident set. mail-parser's log output (a WARNING per multipart container) is disabled
while timing. Exit status 1 when ``--min-rate`` is given and ``parse_message`` misses it.
"""

from __future__ import annotations

import argparse
import base64
import logging
import mailbox
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mailparser  # noqa: E402

from mailbridge import samples  # noqa: E402
from mailbridge.errors import UnprocessableError  # noqa: E402
from mailbridge.steps.parse import parse_message  # noqa: E402

CORPUS = ROOT.parent / "shared/corpus/realworld"
NOT_MAIL_SUFFIXES = {".yml", ".yaml", ".json", ".list", ".md", ".html", ".htm", ".py", ".csv", ".rtf"}
NOT_MAIL_NAMES = {"COPYING", "README", "LICENSE"}


def realworld(corpus: Path) -> tuple[list[bytes], int]:
    """Messages of the corpus parse_message accepts, and how many candidates it refused."""
    candidates: list[bytes] = []
    for path in sorted(corpus.rglob("*")):
        if (not path.is_file() or path.suffix.lower() in NOT_MAIL_SUFFIXES or path.name in NOT_MAIL_NAMES
                or path.name.endswith(("-summary.txt", "_reply_text")) or ".notmuch" in path.parts):
            continue
        if path.name.endswith((".mbox", ".mbox.txt")):
            box = mailbox.mbox(path, create=False)
            candidates.extend(box.get_bytes(key) for key in box.keys())
        else:
            candidates.append(path.read_bytes())
    accepted = []
    for raw in candidates:
        try:
            parse_message(raw)
        except UnprocessableError:
            continue
        accepted.append(raw)
    return accepted, len(candidates) - len(accepted)


_TRACE = (
    "Received: from mx{n}.customer.example (mx{n}.customer.example [203.0.113.{n}])\r\n"
    "\tby mx.exchange.example (Postfix) with ESMTPS id 4Z{n}Kq3x\r\n"
    "\tfor <support@exchange.example>; Wed, 5 Mar 2025 10:30:0{n} +0800 (CST)\r\n"
)
_DKIM = (
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=customer.example; s=s1;\r\n"
    " h=from:to:subject:date:message-id:mime-version; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
    " b=" + "A1b2C3d4" * 40 + "\r\n"
)


def _thread(lang: str) -> str:
    lines = {
        "zh": ["您好，我的账户UID: 12345678，提币USDT-TRC20一直没有到账，黄堃。",
               "TxID: 3b1e3c5f7a9d2e4b6c8a0f1e3d5c7b9a2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c"],
        "ko": ["안녕하세요, 출금 신청한 USDT가 아직 도착하지 않았습니다. 김민수 계정입니다.",
               "TxID: 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"],
        "en": ["Hello, my withdrawal of 0.5 ETH has been pending for two days now.",
               "TxID: 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"],
    }[lang]
    quoted = "\n".join("> " + line for line in (lines * 8))
    return "\n".join(lines) + "\n\nOn Tue, 4 Mar 2025 support@exchange.example wrote:\n" + quoted + "\n"


def _support_mail(lang: str, charset: str, n: int) -> bytes:
    """~6 KB: four Received hops, DKIM, multipart/alternative text + HTML, a quoted thread."""
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    text = _thread(lang)
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"
    msg = MIMEMultipart("alternative")
    msg.attach(MIMEText(text, "plain", charset))
    msg.attach(MIMEText(html, "html", charset))
    subject = {"zh": samples.gb2312_label_over_gbk("提币未到账 黄堃"),
               "ko": "=?ks_c_5601-1987?B?" + base64.b64encode("출금 문의".encode("cp949")).decode() + "?=",
               "en": "Re: [Case #C-1042] Withdrawal pending"}[lang]
    head = "".join(_TRACE.format(n=i) for i in range(1, 5)) + _DKIM + (
        f"From: Customer {n} <customer{n}@customer.example>\r\nTo: support@exchange.example\r\n"
        f"Subject: {subject}\r\nDate: Wed, 5 Mar 2025 10:30:00 +0800\r\n"
        f"Message-ID: <{lang}-{n}@customer.example>\r\n"
        "In-Reply-To: <ack-1042@exchange.example>\r\nReferences: <orig-1042@customer.example>\r\n"
        " <ack-1042@exchange.example>\r\n"
    )
    return head.encode() + msg.as_bytes().replace(b"\n", b"\r\n")


def typical(count: int = 2000) -> list[bytes]:
    """Support mail as it arrives: the ``mailbridge.samples`` kinds (GBK under a gb2312 label,
    EUC-KR, HTML with a PNG, plain English) and ~6 KB threaded multipart/alternative replies."""
    kinds = [
        samples.chinese_gbk(),
        samples.korean_euckr(),
        samples.english_html_with_png(),
        samples.plain("Bob <bob@customer.example>", "Withdrawal pending", "Hello, my withdrawal is pending.\n"),
        _support_mail("zh", "gbk", 1),
        _support_mail("ko", "euc-kr", 2),
        _support_mail("en", "utf-8", 3),
        _support_mail("en", "utf-8", 4),
    ]
    return list(islice(cycle(kinds), count))


def mailparser_alone(raw: bytes) -> None:
    mail = mailparser.parse_from_bytes(raw)
    mail.text_plain  # noqa: B018 - the access parsing.md timed


def ours(raw: bytes) -> None:
    parse_message(raw)


def timed(fn: Callable[[bytes], None], messages: list[bytes], repeat: int) -> tuple[float, int]:
    """(messages per second, exceptions raised) over ``repeat`` passes after one warm-up."""
    failures = 0
    for raw in messages:  # warm-up: imports, regex compilation, codec lookups
        try:
            fn(raw)
        except Exception:  # noqa: BLE001 - counted below
            pass
    start = time.perf_counter()
    for _ in range(repeat):
        for raw in messages:
            try:
                fn(raw)
            except Exception:  # noqa: BLE001 - mail-parser raises on some corpus messages
                failures += 1
    return repeat * len(messages) / (time.perf_counter() - start), failures // repeat


def peak_python_mb(fn: Callable[[bytes], None], messages: list[bytes]) -> float:
    tracemalloc.start()
    for raw in messages:
        try:
            fn(raw)
        except Exception:  # noqa: BLE001
            pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--min-rate", type=float, default=0.0, help="fail below this many msg/s (typical set)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    sets: dict[str, list[bytes]] = {}
    if args.corpus.is_dir():
        sets["realworld"], refused = realworld(args.corpus)
        size = sorted(len(m) for m in sets["realworld"])
        print(f"realworld: {len(size)} messages (refused as not mail: {refused}), "
              f"median {size[len(size) // 2]} B, mean {sum(size) // len(size)} B")
    else:
        print(f"realworld: corpus not found at {args.corpus}, skipped")
    sets["typical"] = typical()
    size = sorted(len(m) for m in sets["typical"])
    print(f"typical: {len(size)} messages, median {size[len(size) // 2]} B, mean {sum(size) // len(size)} B")

    ok = True
    for name, messages in sets.items():
        for label, fn in (("mail-parser parse_from_bytes + text_plain", mailparser_alone),
                          ("mailbridge parse_message", ours)):
            rate, failures = timed(fn, messages, args.repeat)
            peak = peak_python_mb(fn, messages)
            note = f", {failures} raised" if failures else ""
            print(f"  {name:9} {label:44} {rate:8,.0f} msg/s  peak Python allocations {peak:6.1f} MB{note}")
            if fn is ours and name == "typical" and rate < args.min_rate:
                ok = False
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max resident set of this process: {rss:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
