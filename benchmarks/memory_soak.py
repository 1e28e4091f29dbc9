"""Memory over a long run: the real-world corpus through the pipeline, pass after pass.

    /work/venv/bin/python benchmarks/memory_soak.py [--passes 5]

Each pass sends every real-world corpus message (~1,270, bounces and broken MIME
included) through the whole per-message pipeline into one SQLite file, with a fresh
Message-ID per pass so nothing is skipped as a redelivery. Prints the resident set after
each pass: a leak in mailbridge shows as growth. (The hypothesis-driven fuzz run grows
because hypothesis keeps its own record of every example; this run has no hypothesis.)
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlmodel import Session  # noqa: E402

from mailbridge.database import make_engine  # noqa: E402
from mailbridge.pipeline import Context, PollSummary, process_batch  # noqa: E402
from mailbridge.settings import parse_settings  # noqa: E402
from mailbridge.work import FetchedMail  # noqa: E402
from test_realworld_corpus import corpus_files  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    messages = [raw for _, raw in corpus_files()["message"]]
    tmp = Path(tempfile.mkdtemp(prefix="mb-soak-"))
    settings = parse_settings({"database": {"url": f"sqlite:///{tmp}/soak.db"},
                               "storage": {"attachments_dir": str(tmp / "attachments")}}, base=tmp)
    engine = make_engine(settings.database.url)
    for n in range(args.passes):
        summary = PollSummary()
        for start in range(0, len(messages), 100):
            batch = [FetchedMail(raw=b"Message-ID: <soak.%d.%d@example>\r\n" % (n, start + k) + raw,
                                 source=f"soak/{n}/{start + k}")
                     for k, raw in enumerate(messages[start:start + 100])]
            with Session(engine) as session:
                process_batch(batch, Context(settings, session, summary))
                session.commit()
        print(f"pass {n + 1}: {len(messages) * (n + 1):,} messages, quarantined {summary.quarantined}, "
              f"rss {rss_mb():.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
