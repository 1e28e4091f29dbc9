"""Send: drain the outbox over SMTP (aiosmtplib), after the commit that wrote it.

Each mail is marked sent in its own commit right after the server's 250: one UPDATE on a
pooled connection, nothing read or rendered in between, so the window in which a crash
(``kill -9``) can send a mail twice is a fraction of a millisecond (measured by
``benchmarks/kill_cycles.py``). A re-send reuses the stored raw mail, hence the same
Message-ID, so mail clients collapse it. When the database refuses that UPDATE it is
retried for a few seconds before giving up (giving up means the mail goes out again). 4xx and connection failures are retried later with
exponential backoff; 5xx is recorded with the server's text and not retried. One mail that
can never be sent does not block the ones behind it. asyncio stays inside this module.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from datetime import timedelta
from threading import Event
from typing import TYPE_CHECKING

import aiosmtplib
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, or_, select

from mailbridge import faults
from mailbridge.database import session_scope
from mailbridge.errors import TransientError
from mailbridge.models import Outgoing, utcnow
from mailbridge.settings import Settings, SmtpSettings

if TYPE_CHECKING:  # pragma: no cover
    from mailbridge.pipeline import PollSummary

log = logging.getLogger("mailbridge.send")

# Marking a delivered mail as sent is retried this many times (0.1 s, 0.2 s, 0.4 s ... apart)
# before the mail is left pending, to be sent again: a short database hiccup must not
# turn into a duplicate acknowledgement.
MARK_SENT_TRIES = 6
# Failures after which the connection is unusable: stop and leave the rest for later.
_CONNECTION_LOST = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError,
                    aiosmtplib.SMTPTimeoutError, OSError)


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
    log.debug("draining %d mail(s) from the outbox", len(queue))
    smtp = _client(settings.smtp)
    try:
        await smtp.connect()
        if settings.smtp.username:
            await smtp.login(settings.smtp.username, settings.smtp.resolved_password())
    except (aiosmtplib.SMTPException, OSError) as exc:
        _connection_failed(settings.smtp, queue, exc, summary)
        return
    if _smtp_state["down"]:
        log.info("SMTP %s:%d reachable again; sending %d mail(s)", settings.smtp.host, settings.smtp.port, len(queue))
        _smtp_state["down"] = ""
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
    faults.point("before_send")
    try:
        await smtp.sendmail(item.mail_from, [item.rcpt_to], item.raw)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        _record(engine, item.id, settings.smtp, code=codes[0] if codes else 550, text=str(exc), summary=summary)
        return True
    except aiosmtplib.SMTPResponseException as exc:
        _record(engine, item.id, settings.smtp, code=exc.code, text=exc.message, summary=summary)
        return exc.code not in (421,)  # 421: the server is closing the connection
    except _CONNECTION_LOST as exc:
        _record(engine, item.id, settings.smtp, code=0, text=f"{type(exc).__name__}: {exc}", summary=summary)
        return False
    except aiosmtplib.SMTPException as exc:  # e.g. SMTPUTF8 needed but not offered: this mail only
        _record(engine, item.id, settings.smtp, code=0, text=f"{type(exc).__name__}: {exc}", summary=summary)
        return smtp.is_connected
    # The duplicate window: the server has the mail, our database does not know yet.
    faults.point("after_250_before_commit")
    await _mark_sent(engine, item, summary)
    return True


async def _mark_sent(engine: Engine, item: Outgoing, summary: PollSummary) -> None:
    """Commit "sent" with a single UPDATE, at once; retried briefly if the database refuses."""
    started = time.perf_counter()
    statement = (update(Outgoing).where(Outgoing.id == item.id)  # type: ignore[arg-type]
                 .values(status="sent", sent_at=utcnow(), last_error="", attempts=Outgoing.attempts + 1))
    for attempt in range(MARK_SENT_TRIES):
        try:
            with engine.begin() as connection:
                connection.execute(statement)
            break
        except SQLAlchemyError as exc:
            if attempt == MARK_SENT_TRIES - 1:
                raise TransientError(f"database error marking <{item.message_id}> sent (it will be sent "
                                     f"again): {type(exc).__name__}: {getattr(exc, 'orig', exc)}") from exc
            await asyncio.sleep(0.1 * 2 ** attempt)
    summary.acks_sent += 1
    log.debug("marked <%s> sent %.3f ms after the 250", item.message_id, (time.perf_counter() - started) * 1000)
    log.info("sent %s <%s> to case %s", item.kind, item.message_id, item.case_id)


def _record(engine: Engine, outgoing_id: int | None, settings: SmtpSettings, *, code: int, text: str,
            summary: PollSummary) -> None:
    """Commit one failed attempt at once (5xx -> failed, else retry with backoff)."""
    with session_scope(engine) as session:
        item = session.get(Outgoing, outgoing_id)
        if item is None:
            return
        item.attempts += 1
        if 500 <= code < 600 or item.attempts >= settings.max_attempts:
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
    problem = f"{type(exc).__name__}: {exc}"
    # Once per change of state, not once per poll: an outage of hours is one warning.
    level = logging.WARNING if _smtp_state["down"] != problem else logging.DEBUG
    log.log(level, "SMTP %s:%d unavailable (%s); %d mail(s) wait in the outbox", settings.host, settings.port,
            problem, len(queue))
    _smtp_state["down"] = problem
    summary.errors.append(f"smtp: {problem}")


# The SMTP server's state as this process last saw it ("" = reachable), for logging changes only.
_smtp_state = {"down": ""}


def drain(settings: Settings, engine: Engine, summary: PollSummary, stop: Event | None = None) -> None:
    """Send every due mail in the outbox (the sync entry point the pipeline calls)."""
    asyncio.run(_drain(settings, engine, summary, stop))
