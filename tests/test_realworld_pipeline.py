"""Every real-world corpus message through the whole per-message pipeline into a database.

parse -> extract -> classify -> dedupe -> follow_up -> store -> acknowledge, with SQLite,
as the daemon runs it (process_batch, a savepoint per message). Nothing may escape as an
unhandled exception: a message is stored, skipped as a duplicate, or quarantined because
it is not an email (UnprocessableError) — and for corpus *messages* none is expected.
"""

from __future__ import annotations

import collections

import pytest
from sqlmodel import Session, func, select

from harness import deep_merge
from mailbridge import quarantine
from mailbridge.database import make_engine
from mailbridge.errors import UnprocessableError
from mailbridge.models import Message, Outgoing, Quarantined
from mailbridge.pipeline import Context, PollSummary, process_batch
from mailbridge.settings import parse_settings
from mailbridge.work import FetchedMail
from test_realworld_corpus import corpus_files


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("realworld")
    settings = parse_settings(deep_merge({}, {"database": {"url": f"sqlite:///{tmp}/rw.db"},
                                              "storage": {"attachments_dir": str(tmp / "att")},
                                              "mailbox": {"support_address": "support@exchange.example"}}),
                              base=tmp)
    engine = make_engine(settings.database.url)
    failures: dict[str, str] = {}
    original = quarantine.describe

    def recording_describe(exc: BaseException) -> str:
        reason = original(exc)
        if not isinstance(exc, UnprocessableError):
            failures[current[0]] = reason
        return reason

    current = [""]
    summary = PollSummary()
    messages = corpus_files()["message"]
    quarantine.describe = recording_describe  # type: ignore[assignment]
    try:
        for start in range(0, len(messages), 200):
            with Session(engine) as session:
                ctx = Context(settings, session, summary)
                for label, raw in messages[start:start + 200]:
                    current[0] = label
                    process_batch([FetchedMail(raw=raw, source=f"corpus:{label}")], ctx)
                session.commit()
    finally:
        quarantine.describe = original  # type: ignore[assignment]
    with Session(engine) as session:
        counts = {
            "messages": len(messages),
            "stored": session.exec(select(func.count()).select_from(Message)).one(),
            "quarantined": session.exec(select(func.count()).select_from(Quarantined)).one(),
            "acks_queued": session.exec(select(func.count()).select_from(Outgoing)).one(),
            "automated": session.exec(select(func.count()).select_from(Message).where(Message.is_automated)).one(),
            "with_secrets": len([m for m in session.exec(select(Message.secrets)).all() if m]),
        }
        reasons = collections.Counter(q.reason.split(":")[0] for q in session.exec(select(Quarantined)).all())
    engine.dispose()
    return counts, summary, failures, reasons


def test_no_unhandled_exception_anywhere_in_the_pipeline(result, capsys: pytest.CaptureFixture[str]) -> None:
    counts, summary, failures, reasons = result
    with capsys.disabled():
        print(f"\nreal-world corpus through the pipeline: {counts}; skipped={summary.skipped}; "
              f"quarantine reasons={dict(reasons)}")
    assert failures == {}
    assert counts["quarantined"] == 0
    # every message is accounted for: stored, or skipped (an exact redelivery of a stored one)
    assert counts["stored"] + summary.skipped + counts["quarantined"] == counts["messages"]


def test_robots_in_the_corpus_are_never_acknowledged(result) -> None:
    counts, *_ = result
    # The corpus is mostly bounces (sisimai, flufl) and list mail: a large share is automated,
    # and no automated mail may be acknowledged.
    assert counts["automated"] > 400
    assert counts["acks_queued"] <= counts["stored"] - counts["automated"]
