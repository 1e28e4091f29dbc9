"""Extraction throughput on one core: messages per second over the labelled corpus, repeated.

    /work/venv/bin/python benchmarks/extract_speed.py [--messages 20000] [--min-rate 3000]

Runs ``extract`` (secrets redaction and timestamps included, as the pipeline calls it) in
this one process, after a warm-up pass that compiles the patterns. Two workloads:

* ``corpus``: the labelled messages as they are (short: most are a few hundred bytes);
* ``typical``: the size of typical support mail (1-3 KB): each corpus message followed by the
  quoted history of earlier ones ("On … wrote:" and "> " lines), as a reply in a thread is.

Rates are messages per CPU-second of this process (``time.process_time``), so other work on
the machine does not skew them. Prints messages/s for each, the mean message size, and peak memory: the process's maximum
resident set, and the peak of Python allocations during one extra pass under tracemalloc
(slower, so timed apart). Exit status 1 when ``--min-rate`` is given and the typical
workload does not reach it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from email.utils import parsedate_to_datetime
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbridge.extraction import extract  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from extract_accuracy import CORPUS, load  # noqa: E402


def prepared(corpus: Path) -> list[tuple[str, str, list[str], object]]:
    messages = []
    for r in load(corpus):
        sent_at = parsedate_to_datetime(r["date"]) if r.get("date") else None
        messages.append((r.get("subject") or "", r.get("body") or "", r.get("attachments") or [], sent_at))
    return messages


def typical(corpus: list[tuple[str, str, list[str], object]]) -> list[tuple[str, str, list[str], object]]:
    """Each message grown to 1-3 KB with the quoted bodies of the messages before it."""
    out = []
    for i, (subject, body, attachments, sent_at) in enumerate(corpus):
        text, j = body, i
        while len(text.encode()) < 1500:
            j = (j - 1) % len(corpus)
            quoted = "\n".join("> " + line for line in corpus[j][1].splitlines())
            text += f"\n\nOn Tue, Mar 4, 2025 at 9:12 PM Support <support@example.com> wrote:\n{quoted}"
        out.append((subject, text[:3000], attachments, sent_at))
    return out


def measure(messages: list[tuple[str, str, list[str], object]], count: int) -> tuple[float, float]:
    """(messages per second, mean size in bytes) over ``count`` messages cycled from ``messages``."""
    work = list(islice(cycle(messages), count))
    start = time.process_time()  # CPU time of this process: fair on a machine that is busy
    run(work)
    rate = len(work) / (time.process_time() - start)
    size = sum(len(s.encode()) + len(b.encode()) for s, b, _, _ in messages) / len(messages)
    return rate, size


def run(messages: list[tuple[str, str, list[str], object]]) -> None:
    for subject, body, attachments, sent_at in messages:
        extract(subject, body, attachment_names=attachments, sent_at=sent_at)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--min-rate", type=float, default=0.0)
    args = parser.parse_args(argv)

    corpus = prepared(args.corpus)
    threads = typical(corpus)
    run(corpus)  # warm-up: compiles patterns and builds the script tables once
    rate, size = measure(corpus, args.messages)
    print(f"corpus:  {rate:8,.0f} msgs/s on one core ({len(corpus)} distinct messages, mean {size / 1024:.1f} KiB)")
    rate, size = measure(threads, args.messages)
    print(f"typical: {rate:8,.0f} msgs/s on one core (mean {size / 1024:.1f} KiB, with quoted history)")

    tracemalloc.start()
    run(threads)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"peak RSS {rss / 1024:.1f} MiB; peak Python allocations during one pass {peak / 1024:.0f} KiB")
    if args.min_rate and rate < args.min_rate:
        print(f"below target {args.min_rate:,.0f} msgs/s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
