"""Fetch: the only module that talks IMAP.

Per folder a checkpoint (UIDVALIDITY, highest processed UID) lives in the database and
moves only in the transaction that stored the messages. New mail is found by UID, never by
``\\Seen`` (a person may have read it first in their mail client), and fetched with
``BODY.PEEK[]`` so we leave it unread. A UIDVALIDITY change resyncs from UID 1: the dedupe
step recognises what is already stored by Message-ID, and mail older than the first
start's baseline (``start_from``) is still not imported.
"""

from __future__ import annotations

import logging
import socket
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Iterator

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlmodel import Session, select

from mailbridge.errors import TransientError
from mailbridge.models import MailboxState, Message, Quarantined, utcnow
from mailbridge.settings import ImapSettings
from mailbridge.work import FetchedMail

log = logging.getLogger("mailbridge.fetch")

NETWORK_ERRORS = (IMAPClientError, OSError, ssl.SSLError, socket.timeout, EOFError)


@dataclass(frozen=True)
class FolderPlan:
    """Where to start in a folder, and which mail is too old to import."""

    uidvalidity: int
    last_uid: int
    baseline: datetime | None  # mail received before this is never imported (start_from)
    resync_upto: int = 0  # UIDs up to here are old mail seen again after a UIDVALIDITY change

    def wants(self, mail: FetchedMail) -> bool:
        """False for backlog mail met again by a resync (new UIDs are always wanted)."""
        if self.baseline is None or mail.received_at is None or (mail.imap_uid or 0) > self.resync_upto:
            return True
        return mail.received_at >= self.baseline


class Mailbox:
    """One logged-in IMAP connection, with the few operations the pipeline needs."""

    def __init__(self, client: IMAPClient, account: str, readonly: bool) -> None:
        self.client = client
        self.account = account
        self.readonly = readonly
        self._selected: str | None = None
        self._uidvalidity: int | None = None

    def select(self, folder: str) -> tuple[int, int]:
        """Select ``folder``; returns (UIDVALIDITY, UIDNEXT)."""
        info = self._call(self.client.select_folder, folder, readonly=self.readonly)
        uidvalidity = int(info[b"UIDVALIDITY"])
        self._selected, self._uidvalidity = folder, uidvalidity
        uidnext = info.get(b"UIDNEXT")
        if uidnext is None:  # some servers omit it from SELECT; STATUS always has it
            uidnext = self._call(self.client.folder_status, folder, [b"UIDNEXT"])[b"UIDNEXT"]
        return uidvalidity, int(uidnext)

    def first_uid_since(self, day: date) -> int | None:
        uids = self._call(self.client.search, ["SINCE", day])
        return min(uids) if uids else None

    def batches(self, folder: str, after_uid: int, size: int, max_bytes: int) -> Iterator[list[FetchedMail]]:
        """New messages (UID > ``after_uid``) in UID order, ``size`` at a time."""
        if self._selected != folder:
            self.select(folder)
        # "n:*" always matches the highest UID, even when it is below n: filter it out.
        uids = sorted(u for u in self._call(self.client.search, ["UID", f"{after_uid + 1}:*"]) if u > after_uid)
        for start in range(0, len(uids), size):
            yield self._fetch(folder, uids[start:start + size], max_bytes)

    def _fetch(self, folder: str, uids: list[int], max_bytes: int) -> list[FetchedMail]:
        """Fetch ``uids``; a message over ``max_bytes`` is fetched only up to it (one read, never
        the whole thing) and marked ``truncated_from`` its real size, which the store step records."""
        sizes = self._call(self.client.fetch, uids, ["RFC822.SIZE"])
        size_of = {u: int(sizes.get(u, {}).get(b"RFC822.SIZE", 0)) for u in uids}
        small = [u for u in uids if size_of[u] <= max_bytes]
        small_set = set(small)
        big = [u for u in uids if u not in small_set]
        data: dict[int, dict[bytes, Any]] = {}
        if small:
            data.update(self._call(self.client.fetch, small, ["BODY.PEEK[]", "INTERNALDATE"]))
        if big:  # never pull a 50 MB message into memory whole: the first max_bytes only
            data.update(self._call(self.client.fetch, big, [f"BODY.PEEK[]<0.{max_bytes}>", "INTERNALDATE"]))
        uidvalidity = self._uidvalidity
        out: list[FetchedMail] = []
        for uid in uids:
            item = data.get(uid)
            if item is None:  # expunged between SEARCH and FETCH
                continue
            raw = item.get(b"BODY[]") or item.get(b"BODY[]<0>") or b""
            truncated = size_of[uid] if size_of[uid] > max_bytes else None
            if truncated:
                log.warning("%s/%s UID %d is %d bytes: only the first %d fetched (storage.max_message_bytes)",
                            self.account, folder, uid, truncated, max_bytes)
            out.append(FetchedMail(raw=raw if isinstance(raw, bytes) else bytes(raw),
                                   source=f"imap:{self.account}/{folder}/{uid}", folder=folder,
                                   imap_uid=uid, uidvalidity=uidvalidity,
                                   received_at=_utc(item.get(b"INTERNALDATE")), truncated_from=truncated))
        return out

    def after_processing(self, folder: str, uids: list[int], settings: ImapSettings) -> None:
        """Flag or move processed mail (only ever called after the database commit)."""
        if not uids or settings.after_processing == "none":
            return
        try:
            if settings.after_processing == "flag":
                self.client.add_flags(uids, [settings.flag])
            elif settings.after_processing == "move":
                self.move(uids, settings.move_to)
        except NETWORK_ERRORS as exc:
            # The mail is stored and the checkpoint moved: a failed flag only loses a marker.
            log.warning("after-processing %s of %d message(s) in %s failed: %s",
                        settings.after_processing, len(uids), folder, exc)

    def secure_originals(self, folder: str, uids: list[int], settings: ImapSettings) -> set[int]:
        """Apply ``imap.secrets_action`` to originals that carried a secret (after the commit
        stored their redacted copies); returns the UIDs that left the folder."""
        if not uids or settings.secrets_action == "none":
            return set()
        try:
            if settings.secrets_action == "flag":
                self.client.add_flags(uids, [settings.secrets_flag])
                return set()
            if settings.secrets_action == "move":
                self.move(uids, settings.secrets_move_to)
            else:
                self.client.delete_messages(uids)
                self.client.uid_expunge(uids) if self.client.has_capability("UIDPLUS") else self.client.expunge()
        except NETWORK_ERRORS as exc:
            log.error("could not %s %d original(s) holding secrets in %s: %s; they are still on the server",
                      settings.secrets_action, len(uids), folder, exc)
            return set()
        log.info("%s %d original(s) holding secrets from %s", settings.secrets_action, len(uids), folder)
        return set(uids)

    def redo_after_processing(self, folder: str, uids: list[int], settings: ImapSettings) -> None:
        """Flag or move those of ``uids`` that still lack it (after a crash; see
        :func:`catch_up_after_processing`)."""
        if not uids:
            return
        if self._selected != folder:
            self.select(folder)
        uid_set = ",".join(str(u) for u in uids)
        if settings.after_processing == "flag":
            todo = self._call(self.client.search, ["UID", uid_set, "NOT", "KEYWORD", settings.flag])
        else:  # move: the ones still in this folder
            todo = self._call(self.client.search, ["UID", uid_set])
        if todo:
            log.info("after a restart: %s %d processed message(s) in %s the crash left unmarked",
                     settings.after_processing, len(todo), folder)
            self.after_processing(folder, sorted(todo), settings)

    def move(self, uids: list[int], target: str) -> None:
        if not self.client.folder_exists(target):
            self.client.create_folder(target)
        if self.client.has_capability("MOVE"):
            self.client.move(uids, target)
        else:
            self.client.copy(uids, target)
            self.client.delete_messages(uids)
            self.client.uid_expunge(uids) if self.client.has_capability("UIDPLUS") else self.client.expunge()

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except NETWORK_ERRORS as exc:
            raise TransientError(f"IMAP {self.account}: {type(exc).__name__}: {exc}") from exc


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def ssl_context(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def create_client(settings: ImapSettings) -> IMAPClient:
    """The seam tests and later issues (IDLE, several mailboxes) replace."""
    context = ssl_context(settings.ca_file)
    client = IMAPClient(settings.host, port=settings.port, ssl=settings.security == "tls",
                        ssl_context=context, timeout=settings.timeout)
    client.normalise_times = False  # keep INTERNALDATE timezone-aware (imapclient defaults to naive local)
    if settings.security == "starttls":
        client.starttls(context)
    return client


@contextmanager
def connect(settings: ImapSettings) -> Iterator[Mailbox]:
    """A logged-in Mailbox; network and login failures become TransientError."""
    try:
        client = create_client(settings)
        client.login(settings.username, settings.resolved_password())
    except NETWORK_ERRORS as exc:
        raise TransientError(f"IMAP {settings.host}:{settings.port}: {type(exc).__name__}: {exc}") from exc
    try:
        readonly = settings.after_processing == "none" and settings.secrets_action == "none"
        yield Mailbox(client, settings.account, readonly=readonly)
    finally:
        try:
            client.logout()
        except NETWORK_ERRORS:
            pass


# -- checkpoints ---------------------------------------------------------------------

def _state(session: Session, account: str, folder: str) -> MailboxState | None:
    return session.exec(select(MailboxState).where(MailboxState.account == account,
                                                   MailboxState.folder == folder)).first()


def prepare_folder(mailbox: Mailbox, folder: str, session: Session, settings: ImapSettings) -> FolderPlan:
    """Select ``folder`` and decide where to start, creating or resyncing its checkpoint."""
    uidvalidity, uidnext = mailbox.select(folder)
    state = _state(session, mailbox.account, folder)
    if state is None:
        state = MailboxState(account=mailbox.account, folder=folder, uidvalidity=uidvalidity,
                             last_uid=_first_start(mailbox, settings.start_from, uidnext))
        session.add(state)
        log.info("first start on %s/%s: start_from=%s, starting after UID %d",
                 mailbox.account, folder, settings.start_from, state.last_uid)
    elif state.uidvalidity != uidvalidity:
        log.warning("UIDVALIDITY of %s/%s changed %d -> %d: resyncing; stored mail is recognised "
                    "by Message-ID and not processed again", mailbox.account, folder, state.uidvalidity,
                    uidvalidity)
        state.uidvalidity, state.last_uid, state.updated_at = uidvalidity, 0, utcnow()
        state.resync_upto = uidnext - 1
        session.add(state)
    return FolderPlan(uidvalidity=uidvalidity, last_uid=state.last_uid, baseline=baseline(settings.start_from, state),
                      resync_upto=state.resync_upto)


_caught_up: set[tuple[str, str]] = set()  # (account, folder) checked since this process started


def catch_up_after_processing(mailbox: Mailbox, folder: str, session: Session, settings: ImapSettings,
                              plan: FolderPlan) -> None:
    """Once per process and folder: flag or move the last committed batch again.

    The flag/move runs after the commit, so a crash between the two leaves that batch
    processed but unmarked on the server (the checkpoint is past it, so it is never
    fetched again). Only messages the database holds for this folder are touched, never
    backlog mail that ``start_from`` skipped.
    """
    key = (mailbox.account, folder)
    if settings.after_processing == "none" or key in _caught_up or plan.last_uid <= 0:
        return
    _caught_up.add(key)
    low = max(plan.last_uid - settings.batch_size, 0)
    uids: set[int] = set()
    for model in (Message, Quarantined):
        uids.update(u for u in session.exec(select(model.imap_uid).where(  # type: ignore[call-overload]
            model.folder == folder, model.uidvalidity == plan.uidvalidity,
            model.imap_uid > low, model.imap_uid <= plan.last_uid)).all() if u)
    mailbox.redo_after_processing(folder, sorted(uids), settings)


def _first_start(mailbox: Mailbox, start_from: str, uidnext: int) -> int:
    if start_from == "all":
        return 0
    if start_from == "now":
        return uidnext - 1
    first = mailbox.first_uid_since(date.fromisoformat(start_from))
    return uidnext - 1 if first is None else first - 1


def baseline(start_from: str, state: MailboxState) -> datetime | None:
    """Mail received before this moment is never imported, even on a resync."""
    if start_from == "all":
        return None
    if start_from == "now":
        # INTERNALDATE has whole seconds: a mail from the second we started is not backlog
        return state.started_at.replace(microsecond=0)
    return datetime.combine(date.fromisoformat(start_from), time.min, tzinfo=timezone.utc)


def advance_checkpoint(session: Session, account: str, folder: str, uidvalidity: int, uid: int) -> None:
    state = _state(session, account, folder)
    if state is None:
        state = MailboxState(account=account, folder=folder, uidvalidity=uidvalidity)
    if state.uidvalidity == uidvalidity and uid > state.last_uid:
        state.last_uid, state.updated_at = uid, utcnow()
        session.add(state)
