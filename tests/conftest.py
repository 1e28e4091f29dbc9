"""Shared fixtures for the mailbridge test suite.

Sections are headed; append new fixtures in their own section rather than mixing them in.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from mailbridge.devservers import (
    DovecotServer,
    PostgresServer,
    SmtpSink,
    dovecot_available,
    postgres_available,
)

# --------------------------------------------------------------------------------------------
# Real servers (mailbridge.devservers)
#
# A missing server skips the tests that need it, so a laptop without Dovecot still runs the
# rest. CI sets MAILBRIDGE_REQUIRE_SERVERS=1 so that a missing install step fails loudly
# instead of turning the run green by skipping.
# --------------------------------------------------------------------------------------------

REQUIRE_SERVERS_ENV = "MAILBRIDGE_REQUIRE_SERVERS"


def _servers_required() -> bool:
    return os.environ.get(REQUIRE_SERVERS_ENV, "") == "1"


def _missing(what: str, how_to_install: str) -> NoReturn:
    message = f"{what} is not available ({how_to_install})"
    if _servers_required():
        pytest.fail(f"{message}; {REQUIRE_SERVERS_ENV}=1 makes this a failure", pytrace=False)
    pytest.skip(message)


def _require_module(module: str, how_to_install: str) -> None:
    if importlib.util.find_spec(module) is None:
        _missing(f"Python package {module!r}", how_to_install)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One Dovecot for the session; tests isolate themselves with ``imap_user``.

    Tests must not pause or restart it (others share it): start a private ``DovecotServer``
    for outage tests.
    """
    if not dovecot_available():
        _missing("Dovecot", "apt-get install dovecot-imapd")
    _require_module("trustme", 'pip install -e ".[test]"')
    with DovecotServer() as server:
        yield server


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> str:
    """A user name never seen before: its mailbox is empty. The password is dovecot.password."""
    return dovecot.new_user()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A fresh recording SMTP server (plain, no AUTH) for each test."""
    _require_module("aiosmtpd", 'pip install -e ".[test]"')
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the session; use ``postgres_url`` in tests."""
    if not postgres_available():
        _missing("PostgreSQL", "apt-get install postgresql-15")
    _require_module("psycopg", 'pip install -e ".[test]"')
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A SQLAlchemy URL to a fresh empty database, dropped after the test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLAlchemy URL to a SQLite file private to the test."""
    return f"sqlite:///{tmp_path}/mb.db"


# ---------------------------------------------------------------------------
# mailbridge wired to the real servers
# ---------------------------------------------------------------------------

@pytest.fixture
def harness(dovecot: DovecotServer, imap_user: str, smtp_sink: SmtpSink, sqlite_url: str, tmp_path: Path):
    """A mailbridge on a fresh Dovecot user, a fresh SMTP sink and a fresh SQLite file."""
    from harness import make_harness

    h = make_harness(dovecot, imap_user, smtp_sink, sqlite_url, tmp_path)
    yield h
    h.engine.dispose()
