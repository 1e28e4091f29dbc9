"""The labelled corpus meets the targets (benchmarks/extract_accuracy.py), so CI fails when
accuracy regresses: precision and recall >= 0.98 per entity type, timestamps >= 0.97, no decoy
reported, no secret missed or leaked."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "corpus"


def _benchmark():
    spec = importlib.util.spec_from_file_location("extract_accuracy", ROOT / "benchmarks" / "extract_accuracy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_core_corpus_is_large_and_balanced() -> None:
    records = [json.loads(line) for line in (CORPUS / "core.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 200
    for lang in ("zh-Hans", "zh-Hant", "ko", "ja", "en"):
        assert sum(r["lang"] == lang for r in records) >= 30
    assert sum(bool(r["decoys"]) for r in records) >= len(records) // 2


def test_corpus_meets_targets() -> None:
    bench = _benchmark()
    report = bench.score(bench.load(CORPUS))
    problems = bench.failures(report)
    if problems:
        pytest.fail("\n".join(problems + report.errors[:30]))
    total = report.total
    assert total.language_ok / total.language_n >= 0.98
    assert total.category_ok / total.category_n >= 0.95
