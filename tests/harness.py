"""A mailbridge wired to the suite's real Dovecot, SMTP sink and database."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mailbridge.database import make_engine
from mailbridge.devservers import DovecotServer, SmtpSink, append_messages
from mailbridge.models import Case, Message, Outgoing
from mailbridge.pipeline import PollSummary, poll_once
from mailbridge.report import export
from mailbridge.settings import Settings, parse_settings

SUPPORT = "support@exchange.example"


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def settings_data(dovecot: DovecotServer, user: str, sink: SmtpSink, db_url: str, tmp: Path,
                  **over: Any) -> dict[str, Any]:
    data = {
        "imap": {"host": dovecot.host, "port": dovecot.port, "security": "plain", "username": user,
                 "password": dovecot.password, "start_from": "all", "timeout": 10.0},
        "smtp": {"host": sink.host, "port": sink.port, "security": "plain", "retry_base_seconds": 0.0,
                 "timeout": 10.0},
        "database": {"url": db_url},
        "mailbox": {"support_address": SUPPORT, "support_name": "Exchange Support",
                    "staff_domains": ["exchange.example"]},
        "storage": {"attachments_dir": str(tmp / "attachments")},
        "daemon": {"poll_interval": 0.5},
    }
    return deep_merge(data, over)


def write_toml(path: Path, data: dict[str, dict[str, Any]]) -> Path:
    """``data`` (tables of scalars and lists) as a TOML file, for the CLI and the daemon."""
    lines: list[str] = []
    for table, values in data.items():
        lines.append(f"[{table}]")
        lines += [f"{key} = {'true' if value is True else 'false' if value is False else json.dumps(value, ensure_ascii=False)}"
                  for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Harness:
    dovecot: DovecotServer
    user: str
    sink: SmtpSink
    settings: Settings
    engine: Engine
    tmp: Path

    def append(self, *raws: bytes, folder: str = "INBOX") -> None:
        append_messages(self.dovecot.host, self.dovecot.port, self.user, self.dovecot.password, folder, list(raws))

    def poll(self) -> PollSummary:
        return poll_once(self.settings, self.engine)

    def reconfigure(self, **over: Any) -> None:
        data = settings_data(self.dovecot, self.user, self.sink, str(self.engine.url), self.tmp, **over)
        self.settings = parse_settings(data, base=self.tmp)

    def session(self) -> Session:
        return Session(self.engine)

    def cases(self) -> list[Case]:
        with self.session() as s:
            return list(s.exec(select(Case).order_by(Case.id)).all())

    def messages(self) -> list[Message]:
        with self.session() as s:
            return list(s.exec(select(Message).order_by(Message.id)).all())

    def outbox(self) -> list[Outgoing]:
        with self.session() as s:
            return list(s.exec(select(Outgoing).order_by(Outgoing.id)).all())

    def export(self) -> dict[str, Any]:
        with self.session() as s:
            return export(s, SUPPORT)


def make_harness(dovecot: DovecotServer, user: str, sink: SmtpSink, db_url: str, tmp: Path, **over: Any) -> Harness:
    settings = parse_settings(settings_data(dovecot, user, sink, db_url, tmp, **over), base=tmp)
    return Harness(dovecot, user, sink, settings, make_engine(settings.database.url), tmp)
