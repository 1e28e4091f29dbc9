"""Settings: one TOML file, read with tomllib, validated into typed objects at start-up.

Every key and its default lives here and in ``config.example.toml`` (a test keeps the two
in step). Errors name the file, the ``table.key`` and the problem, e.g.
``config.toml: imap.port: expected an integer, got "abc"``. Unknown keys are errors:
a typo must not silently fall back to a default.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from mailbridge.errors import ConfigError
from mailbridge.extraction.types import ExtractionRules

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Table(BaseModel):
    model_config = _STRICT


class _Credentials(_Table):
    """Password from the file (``password``), an environment variable or a file."""

    password: SecretStr = SecretStr("")
    password_env: str = ""
    password_file: str = ""

    def resolved_password(self) -> str:
        return self.password.get_secret_value()


class ImapSettings(_Credentials):
    host: str = "localhost"
    port: int = Field(993, ge=1, le=65535)
    security: Literal["tls", "starttls", "plain"] = "tls"
    username: str = ""
    ca_file: str = ""  # extra CA bundle for servers with a private certificate
    timeout: float = Field(30.0, gt=0)
    folders: list[str] = Field(default_factory=lambda: ["INBOX"], min_length=1)
    batch_size: int = Field(100, ge=1, le=5000)
    start_from: str = "now"  # "now" | "all" | "YYYY-MM-DD"
    after_processing: Literal["none", "flag", "move"] = "none"
    flag: str = "$MailbridgeDone"
    move_to: str = ""
    # The original of a mail that carried a seed phrase or key still holds it on the server:
    # flag it, move it to a folder few people can open, or delete it (after the commit).
    secrets_action: Literal["none", "flag", "move", "delete"] = "none"
    secrets_flag: str = "$MailbridgeSecret"
    secrets_move_to: str = "Restricted"

    @field_validator("start_from")
    @classmethod
    def _start_from(cls, value: str) -> str:
        if value in ("now", "all"):
            return value
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f'expected "now", "all" or a date YYYY-MM-DD, got {json.dumps(value)}') from None
        return value

    @property
    def account(self) -> str:
        """The key under which this mailbox's checkpoints are stored."""
        return f"{self.username}@{self.host}:{self.port}"


class SmtpSettings(_Credentials):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    security: Literal["tls", "starttls", "plain"] = "starttls"
    username: str = ""
    ca_file: str = ""
    timeout: float = Field(30.0, gt=0)
    retry_base_seconds: float = Field(60.0, ge=0)
    retry_max_seconds: float = Field(3600.0, ge=0)
    max_attempts: int = Field(20, ge=1)


class DatabaseSettings(_Table):
    url: str = "sqlite:///mailbridge.db"


class MailboxSettings(_Table):
    """Who we are: the support address(es) customers write to, and who staff are."""

    support_address: str = "support@example.com"
    support_name: str = "Support"
    aliases: list[str] = Field(default_factory=list)  # other addresses that deliver here
    staff_addresses: list[str] = Field(default_factory=list)
    staff_domains: list[str] = Field(default_factory=list)
    # Key for the keyed hash in our outgoing Message-IDs (a forged reference is recognised).
    # Empty: one is generated on first start and kept in the database.
    signing_key: SecretStr = SecretStr("")
    signing_key_env: str = ""
    signing_key_file: str = ""
    # authserv-ids of *our* receiving servers whose Authentication-Results are trusted;
    # empty: only the topmost Authentication-Results header (the one our server added) counts.
    authserv_ids: list[str] = Field(default_factory=list)

    @field_validator("support_address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", value):
            raise ValueError(f"expected an e-mail address, got {json.dumps(value)}")
        return value.lower()


class CasesSettings(_Table):
    number_prefix: str = Field("MB-", pattern=r"^[A-Za-z][A-Za-z0-9]{0,9}-?$")
    number_width: int = Field(6, ge=1, le=12)

    def number(self, n: int) -> str:
        return f"{self.number_prefix}{n:0{self.number_width}d}"


class ThreadingSettings(_Table):
    """Follow-up matching and resend detection (issue 4)."""

    soft_match_days: float = Field(30.0, ge=0)  # same sender + same TxID/order/UID on an open case this recent
    reopen_days: float = Field(14.0, ge=0)  # a resolved case reopens within this; later: a new linked case
    resend_window_days: float = Field(7.0, ge=0)  # same sender + same normalised content within this = resend


class AckSettings(_Table):
    enabled: bool = True
    max_per_recipient_hour: int = Field(3, ge=0)  # bounds a ping-pong with another auto-responder
    max_per_recipient_day: int = Field(10, ge=0)
    max_per_case: int = Field(1, ge=0)
    subject: str = "[Case {case}] {subject}"
    templates_dir: str = ""  # empty: the templates shipped with mailbridge
    noreply_patterns: list[str] = Field(
        default_factory=lambda: ["noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster"])

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        if "{case}" not in value:
            raise ValueError("must contain {case} so replies can be matched to their case")
        try:
            value.format(case="MB-1", subject="s")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"only {{case}} and {{subject}} may be used ({exc})") from None
        return value


class StorageSettings(_Table):
    attachments_dir: str = "attachments"
    max_attachment_bytes: int = Field(25_000_000, ge=0)
    max_message_bytes: int = Field(50_000_000, ge=1)


class DaemonSettings(_Table):
    poll_interval: float = Field(60.0, gt=0)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = "text"
    heartbeat_file: str = ""
    # After a failed poll the next one waits poll_interval * 2^(failures-1), capped here.
    max_backoff_seconds: float = Field(300.0, gt=0)
    # This many failed polls in a row: an error-level log and healthy=false in the heartbeat.
    unhealthy_after: int = Field(5, ge=1)


class ExtractSettings(_Table):
    account_uid_pattern: str = r"\d{6,10}"
    account_uid_labels: list[str] = Field(default_factory=list)
    order_id_pattern: str = r"\d{10,20}"
    order_id_labels: list[str] = Field(default_factory=list)
    category_keywords: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("account_uid_pattern", "order_id_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    def rules(self) -> ExtractionRules:
        return ExtractionRules(
            account_uid_pattern=self.account_uid_pattern,
            account_uid_labels=tuple(self.account_uid_labels),
            order_id_pattern=self.order_id_pattern,
            order_id_labels=tuple(self.order_id_labels),
            category_keywords={k: tuple(v) for k, v in self.category_keywords.items()},
        )


class Settings(_Table):
    imap: ImapSettings = Field(default_factory=ImapSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    mailbox: MailboxSettings = Field(default_factory=MailboxSettings)
    cases: CasesSettings = Field(default_factory=CasesSettings)
    threading: ThreadingSettings = Field(default_factory=ThreadingSettings)
    ack: AckSettings = Field(default_factory=AckSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    source: str = Field("", exclude=True)  # the file these settings came from, for messages

    def is_staff(self, address: str) -> bool:
        address = address.lower()
        if address in (a.lower() for a in self.mailbox.staff_addresses):
            return True
        domain = address.rpartition("@")[2]
        return bool(domain) and domain in (d.lower().lstrip("@") for d in self.mailbox.staff_domains)

    def own_addresses(self) -> set[str]:
        return {self.mailbox.support_address, *(a.lower() for a in self.mailbox.aliases)}


# -- loading -------------------------------------------------------------------------

_EXPECTED = {
    "int_type": "expected an integer", "int_parsing": "expected an integer",
    "float_type": "expected a number", "string_type": "expected a string",
    "bool_type": "expected true or false", "list_type": "expected a list",
    "dict_type": "expected a table", "model_type": "expected a table",
    "extra_forbidden": "unknown key (check the spelling; see config.example.toml)",
    "missing": "required key is missing",
}


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind in _EXPECTED and kind not in ("extra_forbidden", "missing"):
        return f"{_EXPECTED[kind]}, got {_toml_repr(given)}"
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "literal_error":
        return f"expected one of {error['ctx']['expected']}, got {_toml_repr(given)}"
    message = str(error.get("msg", kind))
    return message.removeprefix("Value error, ") + ("" if kind == "value_error" else f", got {_toml_repr(given)}")


def _toml_repr(value: Any) -> str:
    if isinstance(value, SecretStr):
        return "a secret"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _format_errors(path: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_url=False):
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"{path}: {key}: {_describe(error)}")
    return "\n".join(lines)


def _resolve_password(path: str, table: str, data: dict[str, Any], base: Path, key: str = "password") -> None:
    """Fill ``password`` (or another secret ``key``) from ``<key>_env`` or ``<key>_file``
    (so the TOML holds no secret)."""
    env, file_key = f"{key}_env", f"{key}_file"
    sources = [k for k in (key, env, file_key) if data.get(k)]
    if len(sources) > 1:
        raise ConfigError(f"{path}: {table}.{sources[1]}: give only one of {key}, {env}, {file_key}")
    if data.get(env):
        name = data[env]
        if not isinstance(name, str) or name not in os.environ:
            raise ConfigError(f"{path}: {table}.{env}: environment variable {name} is not set")
        data[key] = os.environ[name]
    elif data.get(file_key):
        file = base / str(data[file_key])
        try:
            data[key] = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{path}: {table}.{file_key}: cannot read {file}: {exc.strerror}") from None
    if key in data:
        if not isinstance(data[key], str):
            raise ConfigError(f"{path}: {table}.{key}: expected a string")
        data[key] = SecretStr(data[key])


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    """Relative paths in the file are relative to the file, not to the working directory."""
    def rel(value: str) -> str:
        return str(base / value) if value and not Path(value).is_absolute() else value

    storage = settings.storage.model_copy(update={"attachments_dir": rel(settings.storage.attachments_dir)})
    daemon = settings.daemon.model_copy(update={"heartbeat_file": rel(settings.daemon.heartbeat_file)})
    ack = settings.ack.model_copy(update={"templates_dir": rel(settings.ack.templates_dir)})
    url = settings.database.url
    match = re.fullmatch(r"sqlite:///(?!/)(.+)", url)
    if match and match.group(1) != ":memory:":
        url = f"sqlite:///{base / match.group(1)}"
    database = settings.database.model_copy(update={"url": url})
    return settings.model_copy(update={"storage": storage, "daemon": daemon, "ack": ack, "database": database})


def parse_settings(data: dict[str, Any], *, path: str = "<settings>", base: Path | None = None) -> Settings:
    """Validate an already-loaded TOML document (tests build settings this way)."""
    base = base or Path.cwd()
    data = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for table in ("imap", "smtp"):
        if isinstance(data.get(table), dict):
            _resolve_password(path, table, data[table], base)
    if isinstance(data.get("mailbox"), dict):
        _resolve_password(path, "mailbox", data["mailbox"], base, key="signing_key")
    try:
        settings = Settings.model_validate({**data, "source": path})
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from None
    return _resolve_paths(settings, base)


def load_settings(path: str | Path) -> Settings:
    """Read and validate the TOML file at ``path``; raise ConfigError naming file and key."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_settings(data, path=str(path), base=path.resolve().parent)
