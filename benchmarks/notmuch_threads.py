"""Header matching alone (rule 1, no sender policy) against notmuch's thread ground truth.

``../shared/corpus/realworld/threads-notmuch/`` holds mailing-list threads (many senders)
and the grouping notmuch 0.37 computed for them from Message-ID / In-Reply-To /
References. Here every file is parsed with the real ``parse_message`` and, in Date order
(the order a mailbox receives them), put on a case with the real
``matching.by_headers`` against a real database: a known referenced Message-ID joins
its case, otherwise a new case opens; a Message-ID seen before is skipped as ``dedupe``
does. No subject tag, no soft match, no sender policy (mailing-list mail is from many
senders and would all be strangers otherwise).

Prints per corpus: threads in the truth, cases made, threads reproduced exactly, pairwise
same-thread precision/recall, and every difference with its reason.
Usage: ``python benchmarks/notmuch_threads.py [path/to/threads-notmuch]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path

from sqlmodel import Session

from mailbridge.database import make_engine
from mailbridge.errors import UnprocessableError
from mailbridge.matching import by_headers
from mailbridge.models import Case, Message
from mailbridge.settings import parse_settings
from mailbridge.steps.parse import parse_message

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld" / "threads-notmuch"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class Result:
    truth: dict[str, str]  # message id -> notmuch thread
    ours: dict[str, int] = field(default_factory=dict)  # message id -> case id
    opened_by: dict[int, tuple[str, list[str]]] = field(default_factory=dict)  # case -> (first id, its refs)
    unparsed: list[str] = field(default_factory=list)


def group(corpus: Path, truth: dict[str, str], tmp: Path) -> Result:
    """Run header matching over every file of one corpus."""
    settings = parse_settings({"database": {"url": f"sqlite:///{tmp / corpus.name}.db"}}, base=tmp)
    engine = make_engine(settings.database.url)
    parsed_all = []
    result = Result(truth)
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        try:
            parsed_all.append(parse_message(path.read_bytes()))
        except UnprocessableError as exc:
            result.unparsed.append(f"{path.relative_to(corpus)}: {exc}")
    # Arrival order: by Date; at the same second a mail that replies to something comes after
    # one that does not (ghost-root/fake-root and real-root share a Date).
    parsed_all.sort(key=lambda p: (p.sent_at or _EPOCH, bool(p.in_reply_to or p.references)))
    with Session(engine) as session:
        for parsed in parsed_all:
            if parsed.message_id in result.ours:
                continue  # dedupe: the same Message-ID again (a second list delivery)
            match = by_headers(session, parsed, settings)
            if match is None:
                case = Case(customer_email=parsed.from_.email if parsed.from_ else "")
                session.add(case)
                session.flush()
                result.opened_by[case.id or 0] = (parsed.message_id,
                                                  list(dict.fromkeys(parsed.in_reply_to + parsed.references)))
            else:
                case = match.case
            session.add(Message(message_id=parsed.message_id, case_id=case.id))
            session.flush()
            result.ours[parsed.message_id] = case.id or 0
        session.commit()
    engine.dispose()
    return result


def pairs(labels: dict[str, object]) -> set[tuple[str, str]]:
    by: dict[object, list[str]] = {}
    for key, label in labels.items():
        by.setdefault(label, []).append(key)
    return {tuple(sorted(p)) for members in by.values() for p in combinations(members, 2)}  # type: ignore[misc]


def report(name: str, result: Result) -> tuple[int, int]:
    common = {k for k in result.truth if k in result.ours}
    truth = pairs({k: result.truth[k] for k in common})
    ours = pairs({k: result.ours[k] for k in common})
    threads: dict[str, set[str]] = {}
    for k in common:
        threads.setdefault(result.truth[k], set()).add(k)
    cases: dict[int, set[str]] = {}
    for k in common:
        cases.setdefault(result.ours[k], set()).add(k)
    exact = sum(1 for members in threads.values() if members in cases.values())
    precision = len(truth & ours) / max(len(ours), 1)
    recall = len(truth & ours) / max(len(truth), 1)
    scores = f"precision {precision:.3f} recall {recall:.3f}" if truth or ours else "(single-message threads only)"
    print(f"{name:<10} messages {len(common):>4}  threads {len(threads):>3}  cases {len(cases):>3}  "
          f"reproduced {exact:>3}/{len(threads):<3}  pairwise {scores}")
    for thread, members in sorted(threads.items()):
        ours_here = sorted({result.ours[k] for k in members})
        if len(ours_here) > 1:
            print(f"    split  {thread}: {len(members)} messages -> {len(ours_here)} cases; extra cases opened by:")
            for case in ours_here[1:]:
                first, refs = result.opened_by[case]
                unknown = [r for r in refs if r not in result.ours]
                print(f"      <{first}> refs {['<' + r + '>' for r in refs] or 'none'}"
                      f" (not in the corpus: {['<' + r + '>' for r in unknown] or 'none'})")
    for case, members in sorted(cases.items()):
        theirs = {result.truth[k] for k in members}
        if len(theirs) > 1:
            print(f"    merged case {case}: notmuch threads {sorted(theirs)}")
    missing = set(result.truth) - set(result.ours)
    for item in sorted(missing):
        print(f"    not read: <{item}>")
    for item in result.unparsed:
        print(f"    unparseable: {item}")
    return exact, len(threads)


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else DEFAULT
    data = json.loads((root / "thread_ground_truth.json").read_text(encoding="utf-8"))
    total = [0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for name, corpus in data["corpora"].items():
            truth = {m["message_id"]: t["notmuch_thread"] for t in corpus["threads"] for m in t["messages"]}
            exact, count = report(name, group(root / "corpora" / name, truth, Path(tmp)))
            total[0] += exact
            total[1] += count
    print(f"all: {total[0]}/{total[1]} notmuch threads reproduced exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
