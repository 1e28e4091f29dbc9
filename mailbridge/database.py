"""One engine per process, and the transaction helpers every step shares.

SQLite (the embedded default) runs in WAL mode with a busy timeout so a reader (the
``cases`` command) never makes the daemon lose a message to "database is locked".
Any other SQLAlchemy URL works the same; nothing here is SQLite-only SQL.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine

from mailbridge import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from mailbridge.errors import TransientError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable in WAL mode except for the last commits on power loss, never corrupt;
    # FULL would cost one fsync per commit, which is what made a peer helpdesk slow (parsing.md).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


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
        session.rollback()
        raise TransientError(f"database error: {type(exc).__name__}: {getattr(exc, 'orig', exc)}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
