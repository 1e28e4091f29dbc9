"""Attachment files follow their rows: a rolled-back message or batch leaves no file behind,
so a retry or a replay writes each attachment exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from harness import Harness
from mailbridge import pipeline, samples
from mailbridge.database import make_engine
from mailbridge.errors import TransientError
from mailbridge.models import Attachment, Quarantined
from mailbridge.settings import parse_settings
from mailbridge.steps import fetch
from mailbridge.work import FetchedMail


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_message_failing_after_the_store_step_leaves_no_file_and_its_replay_writes_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(mail, ctx):  # noqa: ANN001 - a bug in a step after store
        raise RuntimeError("bug after store")

    steps = pipeline.STEPS
    after_store = [name for name, _ in steps].index("store") + 1
    monkeypatch.setattr(pipeline, "STEPS", (*steps[:after_store], ("broken", broken), *steps[after_store:]))
    root = tmp_path / "att"
    settings = parse_settings({"database": {"url": f"sqlite:///{tmp_path}/a.db"},
                               "storage": {"attachments_dir": str(root)}}, base=tmp_path)
    engine = make_engine(settings.database.url)
    with Session(engine) as session:
        ctx = pipeline.Context(settings, session, pipeline.PollSummary())
        pipeline.process_batch([FetchedMail(raw=samples.english_html_with_png(), source="t/1")], ctx)
        session.commit()
        assert session.exec(select(Quarantined)).one().reason.startswith("RuntimeError: bug after store")
    assert _files(root) == [] and ctx.written_files == []

    monkeypatch.setattr(pipeline, "STEPS", steps)  # the bug is fixed
    assert pipeline.replay_quarantined(settings, engine).quarantined == 0
    with Session(engine) as session:
        stored = session.exec(select(Attachment)).one()
    assert _files(root) == [stored.stored_path] and stored.stored_path.endswith("/screenshot.png")


def test_a_batch_rolled_back_before_its_commit_takes_its_files_and_the_retry_writes_them_once(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    harness.append(samples.english_html_with_png(message_id="<one@customer.example>"),
                   samples.english_html_with_png("Bob Lee <bob@customer.example>", message_id="<two@customer.example>"))
    root = Path(harness.settings.storage.attachments_dir)

    def database_gone(*args, **kwargs):  # noqa: ANN002, ANN003 - after both messages were stored
        raise TransientError("database: gone")

    real = fetch.advance_checkpoint
    monkeypatch.setattr(fetch, "advance_checkpoint", database_gone)
    with pytest.raises(TransientError):
        harness.poll()
    assert _files(root) == []

    monkeypatch.setattr(fetch, "advance_checkpoint", real)
    assert harness.poll().new_cases == 2
    with harness.session() as session:
        stored = sorted(a.stored_path for a in session.exec(select(Attachment)).all())
    assert _files(root) == stored and len(stored) == 2
    assert all(path.endswith("/screenshot.png") for path in stored)  # never "screenshot-1.png"
