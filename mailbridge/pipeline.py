"""The whole flow in one place: fetch -> (parse, extract, classify, dedupe, follow_up, staff,
store, acknowledge) per message -> commit with the checkpoint -> send.

``STEPS`` is read top to bottom; adding or reordering a step is a one-line diff. Each step
is ``run(mail, ctx)``; raising ``SkipRest`` ends a message's steps early (not a failure);
any other exception rolls back that message's savepoint and quarantines it, and the poll
goes on. ``TransientError`` (database down) aborts the batch: nothing is committed, the
checkpoint stays where it was and the next poll fetches the same messages again.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Callable, Iterable, Iterator

from sqlalchemy.engine import Engine
from sqlmodel import Session

from mailbridge import attachments, faults, quarantine
from mailbridge.database import is_transient, session_scope, transient_reason
from mailbridge.errors import SkipRest, TransientError
from mailbridge.extraction.types import ExtractionRules
from mailbridge.settings import Settings
from mailbridge.steps import (acknowledge, classify, dedupe, extract, fetch, follow_up, parse, send,
                              staff, store)
from mailbridge.work import FetchedMail, InboundMail

log = logging.getLogger("mailbridge.pipeline")

Step = Callable[[InboundMail, "Context"], None]

STEPS: tuple[tuple[str, Step], ...] = (
    ("parse", parse.run),
    ("extract", extract.run),
    ("classify", classify.run),
    ("dedupe", dedupe.run),
    ("follow_up", follow_up.run),
    ("staff", staff.run),
    ("store", store.run),
    ("acknowledge", acknowledge.run),
)


@dataclass
class PollSummary:
    """What one poll did; logged as one line and returned to the CLI."""

    fetched: int = 0
    new_cases: int = 0
    follow_ups: int = 0
    duplicates: int = 0
    acks_queued: int = 0
    acks_sent: int = 0
    ack_failures: int = 0
    skipped: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"poll fetched={self.fetched} new_cases={self.new_cases} follow_ups={self.follow_ups} "
                f"duplicates={self.duplicates} acks_queued={self.acks_queued} acks_sent={self.acks_sent} "
                f"ack_failures={self.ack_failures} skipped={self.skipped} "
                f"quarantined={self.quarantined} seconds={self.seconds:.2f}")


@dataclass
class Context:
    """What steps share for one batch: settings, the batch's session, the poll's counters."""

    settings: Settings
    session: Session
    summary: PollSummary
    rules: ExtractionRules = field(init=False)
    secret_uids: list[int] = field(default_factory=list)  # stored mails whose originals held a secret
    written_files: list[Path] = field(default_factory=list)  # attachment files of this transaction

    def __post_init__(self) -> None:
        self.rules = self.settings.extract.rules()


def process_one(mail: InboundMail, ctx: Context) -> None:
    """Run every step on one message, recording each decision on ``mail.trail``."""
    for name, step in STEPS:
        log.debug("step %s: %s", name, mail.fetched.source)
        try:
            step(mail, ctx)
        except SkipRest as stop:
            mail.note(name, f"stop: {stop.reason}")
            ctx.summary.skipped += 1
            break
    store.finish(mail)


def process_batch(batch: Iterable[FetchedMail], ctx: Context, stop: Event | None = None) -> list[FetchedMail]:
    """Process messages, each in its own savepoint; returns the ones handled (stored,
    skipped or quarantined). Stops early, between messages, when ``stop`` is set."""
    done: list[FetchedMail] = []
    for fetched in batch:
        if stop is not None and stop.is_set():
            break
        ctx.summary.fetched += 1
        counted = dict(vars(ctx.summary))  # a rolled-back message must not count as a new case or ack
        savepoint = ctx.session.begin_nested()
        mail = InboundMail(fetched)
        written_before = len(ctx.written_files)
        try:
            process_one(mail, ctx)
            savepoint.commit()
        except TransientError:
            savepoint.rollback()
            raise
        except Exception as exc:  # noqa: BLE001 - one bad message must never stall the mailbox
            if is_transient(exc):  # database locked/full/gone: not this message's fault; retry the batch
                raise TransientError(f"database: {transient_reason(exc)}") from exc
            savepoint.rollback()
            _discard_files_since(ctx, written_before)
            vars(ctx.summary).update({k: v for k, v in counted.items() if isinstance(v, int)})
            reason = quarantine.describe(exc)
            if quarantine.hold(ctx.session, fetched, reason, stored_raw=_redacted_stand_in(mail)):
                ctx.summary.quarantined += 1
            log.warning("quarantined %s: %s", fetched.source, reason)
        else:
            if mail.message is not None and mail.message.secrets and fetched.imap_uid:
                ctx.secret_uids.append(fetched.imap_uid)
        done.append(fetched)
    return done


def _discard_files_since(ctx: Context, start: int) -> None:
    """The attachment files of a message whose savepoint was rolled back."""
    rolled_back = ctx.written_files[start:]
    del ctx.written_files[start:]
    attachments.discard(rolled_back)


@contextmanager
def _files_follow_rollback(ctx: Context) -> Iterator[None]:
    """Inside a transaction's block: if the block fails, the transaction is rolled back, and
    so are the files written in it. A failing commit (after the block) leaves them: the
    database may have committed anyway."""
    try:
        yield
    except BaseException:
        attachments.discard(ctx.written_files)
        raise


def _redacted_stand_in(mail: InboundMail) -> bytes | None:
    """What to keep of a failed mail that extraction found secrets in (never its original)."""
    if mail.parsed is None or mail.extraction is None or not mail.extraction.secrets:
        return None
    try:
        return store.redacted_raw(mail.parsed, mail.extraction)
    except Exception:  # noqa: BLE001 - the original must not be kept either way
        return f"Subject: [raw not kept: it carried a {', '.join(mail.extraction.secrets)}]\r\n\r\n".encode()


def poll_once(settings: Settings, engine: Engine, stop: Event | None = None,
              connect: Callable[..., fetch.Mailbox] | None = None) -> PollSummary:
    """One cycle: fetch every configured folder in batches, process, commit, then send.

    Raises TransientError when IMAP or the database is unreachable (after sending what
    the outbox already holds is attempted by the caller's next cycle).
    """
    started = time.monotonic()
    summary = PollSummary()
    with (connect or fetch.connect)(settings.imap) as mailbox:
        for folder in settings.imap.folders:
            _poll_folder(mailbox, folder, settings, engine, summary, stop)
            if stop is not None and stop.is_set():
                break
    send.drain(settings, engine, summary, stop)
    summary.seconds = time.monotonic() - started
    return summary


def _poll_folder(mailbox: fetch.Mailbox, folder: str, settings: Settings, engine: Engine,
                 summary: PollSummary, stop: Event | None) -> None:
    with session_scope(engine) as session:
        plan = fetch.prepare_folder(mailbox, folder, session, settings.imap)
        fetch.catch_up_after_processing(mailbox, folder, session, settings.imap, plan)
    for batch in mailbox.batches(folder, plan.last_uid, settings.imap.batch_size,
                                 settings.storage.max_message_bytes):
        wanted = [m for m in batch if plan.wants(m)]
        with session_scope(engine) as session:
            ctx = Context(settings, session, summary)
            with _files_follow_rollback(ctx):
                done = process_batch(wanted, ctx, stop)
                complete = len(done) == len(wanted)
                upto = batch[-1].imap_uid if complete else (done[-1].imap_uid if done else None)
                if upto:
                    fetch.advance_checkpoint(session, mailbox.account, folder, plan.uidvalidity, upto)
                faults.point("before_batch_commit")
        faults.point("after_commit_before_flag")
        # After the commit only: a crash before it re-fetches the batch, never loses it.
        if upto:
            secured = mailbox.secure_originals(folder, ctx.secret_uids, settings.imap)
            mailbox.after_processing(folder, [m.imap_uid for m in wanted if m.imap_uid and m.imap_uid <= upto
                                              and m.imap_uid not in secured], settings.imap)
        if not complete:
            return


def replay_quarantined(settings: Settings, engine: Engine, ids: list[int] | None = None) -> PollSummary:
    """Run held messages through the pipeline again (after a fix); then send their acks."""
    summary = PollSummary()
    with session_scope(engine) as session:
        ctx = Context(settings, session, summary)
        with _files_follow_rollback(ctx):
            for row, fetched in quarantine.held(session, ids):
                before = summary.quarantined
                savepoint = session.begin_nested()
                written_before = len(ctx.written_files)
                try:
                    process_one(InboundMail(fetched), ctx)
                    savepoint.commit()
                    quarantine.mark_replayed(row)
                except TransientError:
                    savepoint.rollback()
                    raise
                except Exception as exc:  # noqa: BLE001
                    savepoint.rollback()
                    _discard_files_since(ctx, written_before)
                    row.reason = quarantine.describe(exc)
                    summary.quarantined = before + 1
    send.drain(settings, engine, summary, None)
    return summary
