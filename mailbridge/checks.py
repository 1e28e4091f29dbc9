"""``mailbridge check``: try every outside dependency once and say what is wrong, in one line each."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import aiosmtplib
from sqlalchemy import text

from mailbridge.errors import MailbridgeError
from mailbridge.settings import Settings


def check_imap(settings: Settings) -> str:
    from mailbridge.steps.fetch import connect

    try:
        with connect(settings.imap) as mailbox:
            for folder in settings.imap.folders:
                mailbox.select(folder)
    except MailbridgeError as exc:
        return str(exc)
    return ""


def check_smtp(settings: Settings) -> str:
    from mailbridge.steps.send import _client

    async def attempt() -> None:
        smtp = _client(settings.smtp)
        await smtp.connect()
        if settings.smtp.username:
            await smtp.login(settings.smtp.username, settings.smtp.resolved_password())
        await smtp.quit()

    try:
        asyncio.run(attempt())
    except (aiosmtplib.SMTPException, OSError) as exc:
        return f"SMTP {settings.smtp.host}:{settings.smtp.port}: {type(exc).__name__}: {exc}"
    return ""


def check_database(settings: Settings) -> str:
    from mailbridge.database import make_engine

    try:
        engine = make_engine(settings.database.url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except MailbridgeError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - any driver error is a one-line answer here
        return f"database {settings.database.url.split('@')[-1]}: {type(exc).__name__}: {exc}"
    return ""


def check_attachments_dir(settings: Settings) -> str:
    folder = Path(settings.storage.attachments_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"storage.attachments_dir {folder}: {exc.strerror}"
    return ""


def run_checks(settings: Settings) -> list[tuple[str, str]]:
    """(name, problem) for each check; problem is '' when it passed."""
    checks = [("imap", check_imap), ("smtp", check_smtp), ("database", check_database),
              ("attachments", check_attachments_dir)]
    return [(name, " ".join(check(settings).split())) for name, check in checks]
