"""Send: drain the outbox over SMTP (aiosmtplib), after the commit that wrote it.

Each mail is marked sent in its own commit right after the server's 250, which keeps the
window in which a crash can send it twice as small as it can be; a re-send reuses the same
Message-ID so mail clients collapse it. 4xx and connection failures are retried later with
exponential backoff; 5xx is recorded with the server's text and not retried. One mail that
can never be sent does not block the ones behind it. asyncio stays inside this module.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from datetime import timedelta
from threading import Event
from typing import TYPE_CHECKING

import aiosmtplib
from sqlalchemy.engine import Engine
from sqlmodel import Session, or_, select

from mailbridge.database import session_scope
from mailbridge.models import Outgoing, utcnow
from mailbridge.settings import Settings, SmtpSettings

if TYPE_CHECKING:  # pragma: no cover
    from mailbridge.pipeline import PollSummary

log = logging.getLogger("mailbridge.send")


def backoff(attempts: int, settings: SmtpSettings) -> timedelta:
    """Delay before attempt ``attempts + 1``: base * 2^(attempts-1), capped."""
    seconds = settings.retry_base_seconds * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, settings.retry_max_seconds))


def due(session: Session, limit: int = 500) -> list[Outgoing]:
    now = utcnow()
    query = (select(Outgoing).where(Outgoing.status == "pending")
             .where(or_(Outgoing.next_attempt_at.is_(None), Outgoing.next_attempt_at <= now))  # type: ignore[union-attr]
             .order_by(Outgoing.id).limit(limit))
    return list(session.exec(query).all())


def _client(settings: SmtpSettings) -> aiosmtplib.SMTP:
    context = ssl.create_default_context()
    if settings.ca_file:
        context.load_verify_locations(cafile=settings.ca_file)
    return aiosmtplib.SMTP(hostname=settings.host, port=settings.port, timeout=settings.timeout,
                           use_tls=settings.security == "tls", start_tls=settings.security == "starttls",
                           tls_context=context)


async def _drain(settings: Settings, engine: Engine, summary: PollSummary, stop: Event | None) -> None:
    with session_scope(engine) as session:
        queue = due(session)
    if not queue:
        return
    smtp = _client(settings.smtp)
    try:
        await smtp.connect()
        if settings.smtp.username:
            await smtp.login(settings.smtp.username, settings.smtp.resolved_password())
    except (aiosmtplib.SMTPException, OSError) as exc:
        _connection_failed(settings.smtp, queue, exc, summary)
        return
    try:
        for item in queue:
            if stop is not None and stop.is_set():
                break
            if not await _send_one(smtp, item, settings, engine, summary):
                break  # the connection is gone: the rest waits for the next cycle
    finally:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            pass


async def _send_one(smtp: aiosmtplib.SMTP, item: Outgoing, settings: Settings, engine: Engine,
                    summary: PollSummary) -> bool:
    """Send one mail and record the outcome; False when the connection broke."""
    try:
        await smtp.sendmail(item.mail_from, [item.rcpt_to], item.raw)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        _record(engine, item.id, settings.smtp, code=codes[0] if codes else 550, text=str(exc), summary=summary)
        return True
    except aiosmtplib.SMTPResponseException as exc:
        _record(engine, item.id, settings.smtp, code=exc.code, text=exc.message, summary=summary)
        return exc.code not in (421,)  # 421: the server is closing the connection
    except (aiosmtplib.SMTPException, OSError) as exc:
        _record(engine, item.id, settings.smtp, code=0, text=f"{type(exc).__name__}: {exc}", summary=summary)
        return False
    _record(engine, item.id, settings.smtp, code=250, text="", summary=summary)
    return True


def _record(engine: Engine, outgoing_id: int | None, settings: SmtpSettings, *, code: int, text: str,
            summary: PollSummary) -> None:
    """Commit one outcome at once (250 -> sent, 5xx -> failed, else retry with backoff)."""
    with session_scope(engine) as session:
        item = session.get(Outgoing, outgoing_id)
        if item is None:
            return
        item.attempts += 1
        if code == 250:
            item.status, item.sent_at, item.last_error = "sent", utcnow(), ""
            summary.acks_sent += 1
            log.info("sent %s <%s> to case %s", item.kind, item.message_id, item.case_id)
        elif 500 <= code < 600 or item.attempts >= settings.max_attempts:
            item.status, item.last_error = "failed", f"{code} {text}".strip()[:2000]
            summary.ack_failures += 1
            log.error("giving up on %s <%s> to %s: %s", item.kind, item.message_id, item.rcpt_to, item.last_error)
        else:
            item.last_error = f"{code or 'connection'} {text}".strip()[:2000]
            item.next_attempt_at = utcnow() + backoff(item.attempts, settings)
        session.add(item)


def _connection_failed(settings: SmtpSettings, queue: list[Outgoing], exc: BaseException,
                       summary: PollSummary) -> None:
    """SMTP is down: every due mail waits, in order, for the next cycle; nothing is lost.

    An outage does not count against a mail's attempts: only the server's answers do.
    """
    log.warning("SMTP %s:%d unavailable (%s); %d mail(s) wait in the outbox", settings.host, settings.port,
                exc, len(queue))
    summary.errors.append(f"smtp: {type(exc).__name__}: {exc}")


def drain(settings: Settings, engine: Engine, summary: PollSummary, stop: Event | None = None) -> None:
    """Send every due mail in the outbox (the sync entry point the pipeline calls)."""
    asyncio.run(_drain(settings, engine, summary, stop))
