"""One engine per process, and the transaction helpers every step shares.

SQLite (the embedded default) runs in WAL mode with a busy timeout so a reader (the
``cases`` command) never makes the daemon lose a message to "database is locked".
Any other SQLAlchemy URL works the same; nothing here is SQLite-only SQL.

A database that is locked past the timeout, full, or gone is *transient* (:func:`is_transient`):
the batch is rolled back whole, the IMAP checkpoint stays put and the next poll fetches the
same mail again. It is never a reason to quarantine a message.
"""

from __future__ import annotations

import errno
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine

from mailbridge import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from mailbridge.errors import TransientError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 module opens transactions itself, and only before INSERT/UPDATE/DELETE:
    # a SAVEPOINT issued first then *is* the transaction, and releasing it COMMITS. Every
    # message's savepoint was a commit of its own and a crash left a batch half stored.
    # Turn that off; _sqlite_begin below starts every transaction explicitly.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable in WAL mode except for the last commits on power loss, never corrupt;
    # FULL would cost one fsync per commit, which is what made a peer helpdesk slow (parsing.md).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, waiting up to the busy timeout for another
    # writer. A DEFERRED transaction that read first and then wants to write fails at once
    # with "database is locked" when someone else committed in between (WAL snapshot rule).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _no_nul_in_text(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                    executemany: bool) -> tuple[str, Any]:
    """PostgreSQL refuses NUL in text ("text fields cannot contain NUL"), and customers'
    mail has them: without this a mail SQLite stores was quarantined on PostgreSQL. NUL in
    a string parameter becomes U+FFFD (what undecodable bytes become anyway); bytes columns
    (the raw mail) are untouched."""
    def clean(value: Any) -> Any:
        return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value

    def row(params: Any) -> Any:
        if isinstance(params, dict):
            return {k: clean(v) for k, v in params.items()}
        if isinstance(params, (list, tuple)):
            return type(params)(clean(v) for v in params)
        return params

    if executemany and not isinstance(parameters, dict):  # "insertmanyvalues" passes one dict
        return statement, [row(p) for p in parameters]
    return statement, row(parameters)


def is_transient(exc: BaseException) -> bool:
    """True for failures of the database or the disk rather than of one message.

    "database is locked" after the busy timeout, "database or disk is full", a lost
    PostgreSQL connection or a server shutting down are all ``OperationalError`` or
    ``InterfaceError``; a full disk while writing an attachment is ``OSError(ENOSPC)``.
    """
    if isinstance(exc, (TransientError, OperationalError, InterfaceError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def transient_reason(exc: BaseException) -> str:
    """The first cause in ``exc``'s chain, for the log: when SQLite reports a full disk it
    rolls the whole transaction back, and what surfaces is "no such savepoint"."""
    chain = []
    while exc is not None and len(chain) < 10:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    root = next((e for e in reversed(chain) if isinstance(e, (SQLAlchemyError, OSError))), chain[0])
    return f"{type(root).__name__}: {getattr(root, 'orig', None) or root}".splitlines()[0]


def make_engine(url: str, *, create: bool = True) -> Engine:
    """The process's single engine for ``url``; creates missing tables when ``create``.

    Schema migrations are a later issue; until then ``create_all`` only adds what is missing.
    """
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "before_cursor_execute", _no_nul_in_text, retval=True)
    if create:
        try:
            SQLModel.metadata.create_all(engine)
        except OperationalError as exc:
            raise TransientError(f"database {engine.url.render_as_string(hide_password=True)}: {exc.orig}") from exc
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception.

    Database failures surface as TransientError (nothing was committed; retry later).
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        _rollback_quietly(session)
        raise TransientError(f"database error: {type(exc).__name__}: {getattr(exc, 'orig', exc)}") from exc
    except BaseException:
        _rollback_quietly(session)
        raise
    finally:
        session.close()


def _rollback_quietly(session: Session) -> None:
    """Roll back; a connection that is already gone (server down) must not mask the cause."""
    try:
        session.rollback()
    except SQLAlchemyError:
        pass
