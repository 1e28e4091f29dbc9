"""End-to-end throughput: the whole per-message pipeline into a database, vs mail-parser alone.

    /work/venv/bin/python benchmarks/pipeline_speed.py [--count 2000] [--batch 100] [--db sqlite|URL]

Takes the "typical" support mails of ``benchmarks/parse_speed.py`` (zh/ko/en, GBK/EUC-KR,
HTML alternatives, threaded replies), gives each a unique Message-ID so nothing is skipped
as a redelivery, and runs them through parse -> extract -> classify -> dedupe -> follow_up
-> staff -> store -> acknowledge in batches of ``--batch`` (one commit per batch, a
savepoint per message: what the daemon does), on a fresh SQLite file by default. IMAP and
SMTP are left out: fetching is never the bottleneck (parsing.md: 5,600+ msgs/s from
Dovecot) and sending happens after the commit. Prints messages/s (wall clock) for
mail-parser alone and for the pipeline, their ratio (target: the pipeline at least half of
mail-parser), statements per message, and peak resident memory.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlalchemy import event  # noqa: E402
from sqlmodel import Session  # noqa: E402

from mailbridge.database import make_engine  # noqa: E402
from mailbridge.pipeline import Context, PollSummary, process_batch  # noqa: E402
from mailbridge.settings import parse_settings  # noqa: E402
from mailbridge.work import FetchedMail  # noqa: E402
from parse_speed import mailparser_alone, typical  # noqa: E402


def unique(messages: list[bytes]) -> list[bytes]:
    """Each message with its own Message-ID (and sender), as distinct customers' mails are."""
    out = []
    for i, raw in enumerate(messages):
        head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
        lines = [ln for ln in head.splitlines() if not ln.lower().startswith((b"message-id:", b"in-reply-to:",
                                                                            b"references:", b"from:"))]
        lines.append(f"Message-ID: <bench.{i}@customer.example>".encode())
        lines.append(f"From: Customer {i} <customer{i}@customer.example>".encode())
        out.append(b"\r\n".join(lines) + b"\r\n\r\n" + body)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    messages = unique(typical(args.count))

    start = time.perf_counter()
    for raw in messages:
        mailparser_alone(raw)
    baseline = len(messages) / (time.perf_counter() - start)

    tmp = Path(tempfile.mkdtemp(prefix="mb-bench-"))
    url = f"sqlite:///{tmp}/bench.db" if args.db == "sqlite" else args.db
    settings = parse_settings({"database": {"url": url}, "storage": {"attachments_dir": str(tmp / "att")},
                               "mailbox": {"support_address": "support@exchange.example"}}, base=tmp)
    engine = make_engine(url)
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    summary = PollSummary()
    start = time.perf_counter()
    for i in range(0, len(messages), args.batch):
        with Session(engine) as session:
            process_batch([FetchedMail(raw=r, source=f"bench/{i + k}") for k, r in
                           enumerate(messages[i:i + args.batch])], Context(settings, session, summary))
            session.commit()
    rate = len(messages) / (time.perf_counter() - start)
    print(f"messages: {len(messages)} (typical support mail), database: {engine.dialect.name}, batch {args.batch}")
    print(f"mail-parser alone:      {baseline:8,.0f} msgs/s")
    print(f"mailbridge pipeline:    {rate:8,.0f} msgs/s  ({rate / baseline:.2f} x mail-parser; target >= 0.50)")
    print(f"stored: new_cases={summary.new_cases} follow_ups={summary.follow_ups} duplicates={summary.duplicates} "
          f"acks_queued={summary.acks_queued} quarantined={summary.quarantined}")
    print(f"SQL statements per message: {statements[0] / len(messages):.1f}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
