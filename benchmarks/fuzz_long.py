"""The long MIME fuzz run: 10,000+ hypothesis-generated hostile messages through the pipeline.

    /work/venv/bin/python benchmarks/fuzz_long.py --cases 10000

Same strategies and invariants as ``tests/test_fuzz.py`` (stored or quarantined, never an
unhandled exception, every acknowledgement with exactly our headers), run without
shrinking so that every failure is counted rather than the first one minimised. Prints the
case count, outcomes, crashes (target 0), throughput and memory: the peak RSS, and the RSS
growth over the second half of the run (a leak would show there).
"""

from __future__ import annotations

import argparse
import logging
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from test_fuzz import FuzzRun, deep_nesting, raw_messages  # noqa: E402


class CaseTimeout(BaseException):  # not Exception: the pipeline would quarantine it
    """One message took longer than --timeout seconds."""


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--timeout", type=int, default=20, help="seconds one message may take")
    parser.add_argument("--keep-failures", default="/tmp/mailbridge-fuzz-failures", help="raw mails that failed")
    args = parser.parse_args()
    logging.getLogger("mailbridge").setLevel(logging.ERROR)  # a quarantine per case is expected here
    run = FuzzRun(Path(tempfile.mkdtemp(prefix="mbfuzzlong-")))
    crashes: list[str] = []
    half_rss: list[float] = []
    started = time.monotonic()

    hangs: list[str] = []
    keep = Path(args.keep_failures)
    keep.mkdir(parents=True, exist_ok=True)

    def on_alarm(*_: object) -> None:
        raise CaseTimeout()

    signal.signal(signal.SIGALRM, on_alarm)

    @settings(max_examples=args.cases, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(raw_messages())
    def fuzz(raw: bytes) -> None:
        signal.alarm(args.timeout)
        try:
            run.check(raw)
        except CaseTimeout:  # one mail that stalls the pipeline is a failure too (a poll would hang)
            path = keep / f"hang-{len(hangs)}.eml"
            path.write_bytes(raw)
            hangs.append(f"over {args.timeout}s: {path} ({len(raw)} bytes)\n{traceback.format_exc(limit=12)}")
        except Exception:  # noqa: BLE001 - count every failure, keep going
            path = keep / f"crash-{len(crashes)}.eml"
            path.write_bytes(raw)
            crashes.append(f"{path}: {raw[:120]!r}\n{traceback.format_exc(limit=6)}")
        finally:
            signal.alarm(0)
        if run.cases == args.cases // 2:
            half_rss.append(rss_mb())
        if run.cases % 1000 == 0:
            print(f"  {run.cases} cases, {len(crashes)} crashes, rss {rss_mb():.0f} MB", flush=True)

    fuzz()
    for levels in (1000, 5000):  # the nesting monsters, always
        try:
            run.check(deep_nesting(levels))
        except Exception:  # noqa: BLE001
            crashes.append(f"deep_nesting({levels})\n{traceback.format_exc(limit=6)}")
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    print(f"fuzz cases:        {run.cases}")
    print(f"stored:            {run.stored}")
    print(f"quarantined:       {run.quarantined}")
    print(f"skipped (dupes):   {run.skipped}")
    print(f"acks checked:      {run.acks}")
    print(f"crashes:           {len(crashes)}")
    print(f"hangs (> {args.timeout}s):    {len(hangs)}")
    print(f"seconds:           {seconds:.0f} ({run.cases / seconds:.0f} cases/s)")
    print(f"peak RSS:          {peak:.0f} MB")
    if half_rss:
        print(f"RSS growth, 2nd half: {rss_mb() - half_rss[0]:+.0f} MB")
    for failure in (crashes + hangs)[:10]:
        print("---\n" + failure)
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
