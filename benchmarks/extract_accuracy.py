"""Extraction accuracy on the labelled corpus: precision and recall per entity type.

    /work/venv/bin/python benchmarks/extract_accuracy.py [--corpus DIR] [--errors N] [--json]

Reads every ``*.jsonl`` in ``tests/extraction/corpus/`` (``core.jsonl``, ``timestamps.jsonl``,
``secrets.jsonl``...). Each line is one message::

    {"id", "lang", "subject", "body", "date" (RFC 2822 or null), "attachments": [...],
     "expected": {"account_uids", "tx_ids": [{value, chain}], "addresses": [{value, chain, valid}],
                  "order_ids", "amounts": [{value, coin}], "timestamps": ["2025-03-05T02:17:00Z"],
                  "secrets": [kind | {"kind", "value"}], "language", "category"},
     "decoys": ["strings that must not appear as any entity value"]}

Only the expected keys that are present and not null are scored, so a file may label just
timestamps or just secrets. A tx id counts only when value and chain both match; an address
when value, chain and checksum verdict match. Secrets: *missed* = an expected kind not
reported; *leaked* = an expected secret value still present in the redacted subject/text or in
any entity. Exit status 1 when a target is missed (precision and recall >= 0.98 per type,
timestamps >= 0.97 of messages exactly right, no decoy reported, no secret missed or leaked).

Secret values for the leak check come from ``{"kind", "value"}`` items in ``secrets``, from
``expected.secret_values``, or else, in a message that expects secrets, from its decoys.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbridge.extraction import Entities, Extraction, extract  # noqa: E402

CORPUS = ROOT / "tests" / "extraction" / "corpus"
ENTITY_TYPES = ("account_uids", "tx_ids", "addresses", "order_ids", "amounts")
TARGET_PR = 0.98
TARGET_TIMESTAMPS = 0.97


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scores:
    """One report: overall, or for one language."""

    messages: int = 0
    entities: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    timestamps_ok: int = 0
    timestamps_n: int = 0
    language_ok: int = 0
    language_n: int = 0
    category_ok: int = 0
    category_n: int = 0
    decoys: int = 0
    secrets_missed: int = 0
    secrets_leaked: int = 0
    secrets_false: int = 0


@dataclass
class Report:
    total: Scores = field(default_factory=Scores)
    by_lang: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    errors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- scoring

def load(corpus: Path = CORPUS) -> list[dict[str, Any]]:
    records = []
    for path in sorted(corpus.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                record = json.loads(line)
                record.setdefault("id", f"{path.name}:{n}")
                records.append(record)
    return records


def run_one(record: dict[str, Any]) -> Extraction:
    sent_at = parsedate_to_datetime(record["date"]) if record.get("date") else None
    return extract(record.get("subject") or "", record.get("body") or "",
                   attachment_names=record.get("attachments") or (), sent_at=sent_at)


def as_set(kind: str, values: Iterable[Any]) -> set[tuple]:
    out = set()
    for v in values:
        if kind == "tx_ids":
            out.add((v["value"], v["chain"]))
        elif kind == "addresses":
            out.add((v["value"], v["chain"], bool(v["valid"])))
        elif kind == "amounts":
            out.add((v["value"], v["coin"]))
        else:
            out.add((str(v),))
    return out


def score(records: list[dict[str, Any]]) -> Report:
    report = Report()
    for record in records:
        result = run_one(record)
        lang = record.get("lang") or record.get("expected", {}).get("language") or "?"
        for scores in (report.total, report.by_lang[lang]):
            _score_one(record, result, scores, report.errors if scores is report.total else None)
    return report


def _score_one(record: dict[str, Any], result: Extraction, s: Scores, errors: list[str] | None) -> None:
    expected = record.get("expected") or {}
    got = result.entities.to_json()
    rid = record["id"]
    s.messages += 1
    for kind in ENTITY_TYPES:
        if expected.get(kind) is None:
            continue
        want, have = as_set(kind, expected[kind]), as_set(kind, got[kind])
        c = s.entities[kind]
        c.tp += len(want & have)
        c.fp += len(have - want)
        c.fn += len(want - have)
        if errors is not None and want != have:
            errors.append(f"{rid} {kind}: missing {sorted(want - have)} extra {sorted(have - want)}")
    _score_timestamps(expected, got, s, errors, rid)
    _score_labels(expected, result, s, errors, rid)
    _score_decoys(record, result, s, errors)
    _score_secrets(expected, record.get("decoys") or [], result, s, errors, rid)


def _score_timestamps(expected: dict, got: dict, s: Scores, errors: list[str] | None, rid: str) -> None:
    if expected.get("timestamps") is None:
        return
    s.timestamps_n += 1
    if set(expected["timestamps"]) == set(got["timestamps"]):
        s.timestamps_ok += 1
    elif errors is not None:
        errors.append(f"{rid} timestamps: want {expected['timestamps']} got {got['timestamps']}")


def _score_labels(expected: dict, result: Extraction, s: Scores, errors: list[str] | None, rid: str) -> None:
    if expected.get("language") is not None:
        s.language_n += 1
        s.language_ok += result.language == expected["language"]
        if errors is not None and result.language != expected["language"]:
            errors.append(f"{rid} language: want {expected['language']} got {result.language}")
    if expected.get("category") is not None:
        s.category_n += 1
        s.category_ok += result.category == expected["category"]
        if errors is not None and result.category != expected["category"]:
            errors.append(f"{rid} category: want {expected['category']} got {result.category}")


def entity_values(entities: Entities) -> list[str]:
    values = list(entities.account_uids) + list(entities.order_ids)
    values += [t.value for t in entities.tx_ids] + [a.value for a in entities.addresses]
    values += [a.value for a in entities.amounts] + [t.text for t in entities.timestamps]
    return values


def _score_decoys(record: dict[str, Any], result: Extraction, s: Scores, errors: list[str] | None) -> None:
    values = entity_values(result.entities) + entity_values(result.quoted)
    for decoy in record.get("decoys") or ():
        hit = next((v for v in values if _decoy_hit(decoy, v)), None)
        if hit is not None:
            s.decoys += 1
            if errors is not None:
                errors.append(f"{record['id']} decoy reported: {decoy!r} as {hit!r}")


def _decoy_hit(decoy: str, value: str) -> bool:
    """A decoy is reported when an entity equals it, contains it, or is a long piece of it as
    written. A phone number's digits collapsed ("0212345678") count only as a whole: a UID
    "12345678" next to the phone "02-1234-5678" is not a piece of it."""
    if value == decoy or (len(decoy) >= 6 and decoy in value) or (len(value) >= 6 and value in decoy):
        return True
    digits = re.sub(r"\D", "", decoy)
    return len(digits) >= 6 and re.fullmatch(r"[\d\s+()\-.]+", decoy) is not None and value == digits


def _score_secrets(expected: dict, decoys: list[str], result: Extraction, s: Scores, errors: list[str] | None,
                   rid: str) -> None:
    if expected.get("secrets") is None:
        return
    items = expected["secrets"]
    kinds = [i["kind"] if isinstance(i, dict) else i for i in items]
    values = [i["value"] for i in items if isinstance(i, dict) and i.get("value")]
    values += expected.get("secret_values") or []
    if kinds and not values:
        # secrets.jsonl lists the pasted secrets among its decoys; in a message that has
        # secrets, a decoy that survives redaction is taken as a leak.
        values = list(decoys)
    missed = [k for k in set(kinds) if k not in result.secrets]
    s.secrets_missed += len(missed)
    if not kinds:
        s.secrets_false += len(result.secrets)
    stored = [result.redacted_subject, result.redacted_text]
    stored += entity_values(result.entities) + entity_values(result.quoted)
    leaked = [v for v in values if any(v in text for text in stored)]
    s.secrets_leaked += len(leaked)
    if errors is not None and (missed or leaked):
        errors.append(f"{rid} secrets: missed {missed} leaked {len(leaked)}")


# --------------------------------------------------------------------------- report

def failures(report: Report) -> list[str]:
    """The targets this report misses (empty = all met)."""
    s = report.total
    out = []
    for kind, c in s.entities.items():
        if c.precision < TARGET_PR or c.recall < TARGET_PR:
            out.append(f"{kind}: precision {c.precision:.3f} recall {c.recall:.3f} (< {TARGET_PR})")
    if s.timestamps_n and s.timestamps_ok / s.timestamps_n < TARGET_TIMESTAMPS:
        out.append(f"timestamps: {s.timestamps_ok / s.timestamps_n:.3f} (< {TARGET_TIMESTAMPS})")
    if s.decoys:
        out.append(f"decoys reported: {s.decoys}")
    if s.secrets_missed or s.secrets_leaked:
        out.append(f"secrets missed {s.secrets_missed}, leaked {s.secrets_leaked}")
    return out


def _ratio(ok: int, n: int) -> str:
    return f"{ok / n:.3f} ({ok}/{n})" if n else "n/a"


def render(report: Report) -> str:
    lines = []
    for name, s in [("ALL", report.total)] + sorted(report.by_lang.items()):
        lines.append(f"== {name}: {s.messages} messages")
        for kind in ENTITY_TYPES:
            if kind in s.entities:
                c = s.entities[kind]
                lines.append(f"  {kind:<13} precision {c.precision:.3f}  recall {c.recall:.3f}"
                             f"  (tp {c.tp}, fp {c.fp}, fn {c.fn})")
        lines.append(f"  timestamps    exact {_ratio(s.timestamps_ok, s.timestamps_n)}")
        lines.append(f"  language      {_ratio(s.language_ok, s.language_n)}")
        lines.append(f"  category      {_ratio(s.category_ok, s.category_n)}")
        lines.append(f"  decoys reported {s.decoys}; secrets missed {s.secrets_missed}, "
                     f"leaked {s.secrets_leaked}, false alarms {s.secrets_false}")
    return "\n".join(lines)


def as_json(report: Report) -> dict[str, Any]:
    def one(s: Scores) -> dict[str, Any]:
        return {"messages": s.messages,
                "entities": {k: {"precision": c.precision, "recall": c.recall, "tp": c.tp, "fp": c.fp, "fn": c.fn}
                             for k, c in s.entities.items()},
                "timestamps": [s.timestamps_ok, s.timestamps_n], "language": [s.language_ok, s.language_n],
                "category": [s.category_ok, s.category_n], "decoys": s.decoys,
                "secrets_missed": s.secrets_missed, "secrets_leaked": s.secrets_leaked}
    return {"total": one(report.total), "by_lang": {k: one(v) for k, v in report.by_lang.items()},
            "failures": failures(report)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--errors", type=int, default=20, help="show up to N mismatches")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = score(load(args.corpus))
    if args.json:
        print(json.dumps(as_json(report), indent=2, ensure_ascii=False))
    else:
        print(render(report))
        for line in report.errors[:args.errors]:
            print("  !", line)
    missed = failures(report)
    for line in missed:
        print("TARGET MISSED:", line, file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
