"""Threading accuracy on the labelled conversation corpus (``tests/threads/corpus.jsonl``).

Runs every mail through the real pipeline (``pipeline.process_batch``: parse, extract,
classify, dedupe, follow_up, staff, store, acknowledge) on SQLite, one commit per mail in
arrival order, then compares where each mail landed with its label:

- pairwise same-case precision/recall for mails that join by reply headers or the subject
  tag (``header``, ``tag``, ``staff``, ``auto``; target >= 0.99), and for soft matches
  (``soft``; target >= 0.90): over every pair (labelled mail, any other mail), "same case"
  predicted versus labelled;
- duplicate detection precision/recall (``duplicate_of`` set, and naming the right
  original; target >= 0.98);
- hijacks attached to the case they cite (target 0).

Usage: ``python benchmarks/threading_accuracy.py [corpus.jsonl]``; exits 1 when a target
is missed. ``tests/test_threads_corpus.py`` runs :func:`evaluate` too.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from mailbridge.database import make_engine, session_scope
from mailbridge.models import Case, Message, Outgoing
from mailbridge.pipeline import Context, PollSummary, process_batch
from mailbridge.settings import Settings, parse_settings
from mailbridge.work import FetchedMail

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "threads" / "corpus.jsonl"
HEADER_KINDS = ("header", "tag", "staff", "auto")
TARGETS = {"header/tag precision": 0.99, "header/tag recall": 0.99, "soft precision": 0.90,
           "soft recall": 0.90, "duplicate precision": 0.98, "duplicate recall": 0.98}


@dataclass
class Landed:
    case: str | None
    duplicate_of: str | None  # corpus id of the original
    reason: str


def settings_for(db_url: str, tmp: Path) -> Settings:
    return parse_settings({"database": {"url": db_url},
                           "mailbox": {"support_address": "support@exchange.example",
                                       "staff_domains": ["exchange.example"]},
                           "ack": {"max_per_recipient_hour": 1000, "max_per_recipient_day": 1000},
                           "storage": {"attachments_dir": str(tmp / "att")}}, base=tmp)


def run_corpus(rows: list[dict], tmp: Path, db_url: str = "") -> dict[str, Landed]:
    """Process the corpus in order; where each mail landed, by corpus id."""
    settings = settings_for(db_url or f"sqlite:///{tmp}/threads.db", tmp)
    engine = make_engine(settings.database.url)
    by_mid: dict[str, str] = {}  # Message-ID -> corpus id
    landed: dict[str, Landed] = {}
    for row in rows:
        with session_scope(engine) as session:
            raw = fill_placeholders(row["raw"], session, landed, by_mid)
            process_batch([FetchedMail(raw=raw.encode("ascii"), source=f"corpus:{row['id']}")],
                          Context(settings, session, PollSummary()))
        with session_scope(engine) as session:
            message = session.exec(select(Message).order_by(Message.id.desc())).first()  # type: ignore[union-attr]
            assert message is not None
            by_mid[message.message_id] = row["id"]
            case = session.get(Case, message.case_id) if message.case_id else None
            landed[row["id"]] = Landed(case.number if case else None,
                                       by_mid.get(message.duplicate_of or ""), message.thread_reason)
    engine.dispose()
    return landed


def fill_placeholders(raw: str, session, landed: dict[str, Landed], by_mid: dict[str, str]) -> str:  # noqa: ANN001
    """``{{case:ID}}`` -> that mail's case number; ``{{ack:ID}}`` -> the Message-ID of its ack."""
    while "{{" in raw:
        start = raw.index("{{")
        end = raw.index("}}", start)
        kind, _, ref = raw[start + 2:end].partition(":")
        if kind == "case":
            value = landed[ref].case or "MB-999999"
        else:
            source = next(mid for mid, cid in by_mid.items() if cid == ref)
            message = session.exec(select(Message).where(Message.message_id == source)).one()
            ack = session.exec(select(Outgoing).where(Outgoing.reply_to_pk == message.id)).first()
            value = ack.message_id if ack else f"no-ack-for-{ref}@nowhere.example"
        raw = raw[:start] + value + raw[end + 2:]
    return raw


def pairwise(rows: list[dict], landed: dict[str, Landed], kinds: tuple[str, ...]) -> tuple[float, float]:
    tp = fp = fn = 0
    for a in rows:
        if a["kind"] not in kinds:
            continue
        for b in rows:
            if a is b:
                continue
            truth = a["thread"] == b["thread"]
            pred = landed[a["id"]].case is not None and landed[a["id"]].case == landed[b["id"]].case
            tp, fp, fn = tp + (truth and pred), fp + (pred and not truth), fn + (truth and not pred)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def evaluate(rows: list[dict], landed: dict[str, Landed]) -> dict[str, float]:
    scores: dict[str, float] = {}
    scores["header/tag precision"], scores["header/tag recall"] = pairwise(rows, landed, HEADER_KINDS)
    scores["soft precision"], scores["soft recall"] = pairwise(rows, landed, ("soft",))
    flagged = {r["id"] for r in rows if landed[r["id"]].duplicate_of}
    truth = {r["id"] for r in rows if r["duplicate_of"]}
    right = {i for i in flagged & truth if landed[i].duplicate_of == next(r["duplicate_of"] for r in rows if r["id"] == i)}
    scores["duplicate precision"] = len(right) / max(len(flagged), 1)
    scores["duplicate recall"] = len(right) / max(len(truth), 1)
    first_of = {r["thread"]: r["id"] for r in reversed(rows)}
    scores["hijacks attached"] = sum(
        1 for r in rows if r["kind"] == "hijack" and landed[r["id"]].case == landed[first_of[r["thread"][:3]]].case)
    return scores


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else CORPUS
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        landed = run_corpus(rows, Path(tmp))
    scores = evaluate(rows, landed)
    print(f"{path.name}: {len(rows)} messages, {len({r['thread'] for r in rows})} threads, "
          f"languages {sorted({r['lang'] for r in rows})}")
    failed = False
    for name, value in scores.items():
        target = TARGETS.get(name)
        ok = value == 0 if target is None else value >= target
        failed |= not ok
        print(f"  {name:<22} {value:6.3f}   target {'0' if target is None else f'>= {target}'}  {'ok' if ok else 'MISSED'}")
    wrong = [(r["id"], r["kind"], r["thread"], landed[r["id"]]) for r in rows
             if r["kind"] in (*HEADER_KINDS, "soft", "resend") and
             landed[r["id"]].case != landed[next(x["id"] for x in rows if x["thread"] == r["thread"])].case]
    for item in wrong[:20]:
        print("  misplaced:", item)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
