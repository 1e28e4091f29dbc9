"""Configuration: typed, validated, and every error names the file and the table.key."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mailbridge.errors import ConfigError
from mailbridge.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    return str(info.value)


@pytest.mark.parametrize("text, expected", [
    ('[imap]\nport = "abc"\n', 'imap.port: expected an integer, got "abc"'),
    ("[imap]\nprot = 993\n", "imap.prot: unknown key"),
    ("[imapp]\nport = 993\n", "imapp: unknown key"),
    ('[imap]\nsecurity = "ssl"\n', "imap.security: expected one of 'tls', 'starttls' or 'plain', got \"ssl\""),
    ('[imap]\nstart_from = "yesterday"\n', 'imap.start_from: expected "now", "all" or a date YYYY-MM-DD, got "yesterday"'),
    ("[imap]\nport = 70000\n", "imap.port: Input should be less than or equal to 65535, got 70000"),
    ('[ack]\nsubject = "Thanks for writing"\n', "ack.subject: must contain {case}"),
    ('[mailbox]\nsupport_address = "not an address"\n', 'mailbox.support_address: expected an e-mail address'),
    ('[extract]\naccount_uid_pattern = "(\\\\d+"\n', "extract.account_uid_pattern: not a valid regular expression"),
    ("[daemon]\npoll_interval = 0\n", "daemon.poll_interval: Input should be greater than 0"),
    ("[imap]\nfolders = []\n", "imap.folders: List should have at least 1 item"),
    ('[smtp]\npassword_env = "MAILBRIDGE_TEST_UNSET_VARIABLE"\n',
     "smtp.password_env: environment variable MAILBRIDGE_TEST_UNSET_VARIABLE is not set"),
    ('[smtp]\npassword_file = "missing.txt"\n', "smtp.password_file: cannot read"),
    ('[imap]\npassword = "a"\npassword_env = "B"\n', "imap.password_env: give only one of"),
    ("[imap\nport = 1\n", "not valid TOML"),
])
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    message = error_of(tmp_path, text)
    assert message.startswith(str(tmp_path / "config.toml") + ": ")
    assert expected in message


def test_every_error_is_reported_not_just_the_first(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[imap]\nport = "x"\nhots = "a"\n[smtp]\nport = "y"\n')
    assert message.count("\n") == 2
    assert "imap.port" in message and "imap.hots" in message and "smtp.port" in message


def test_password_from_environment_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MB_TEST_IMAP_PW", "s3cret-imap")
    (tmp_path / "smtp.pw").write_text("s3cret-smtp\n", encoding="utf-8")
    settings = load_settings(write(tmp_path, '[imap]\npassword_env = "MB_TEST_IMAP_PW"\n'
                                             '[smtp]\npassword_file = "smtp.pw"\n'))
    assert settings.imap.resolved_password() == "s3cret-imap"
    assert settings.smtp.resolved_password() == "s3cret-smtp"
    assert "s3cret" not in repr(settings)  # never printed by accident


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[database]\nurl = "sqlite:///data/mb.db"\n'))
    assert settings.database.url == f"sqlite:///{tmp_path}/data/mb.db"
    assert settings.storage.attachments_dir == str(tmp_path / "attachments")


def test_example_config_documents_every_key_with_its_default() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    defaults = Settings().model_dump(mode="json", exclude={"source"})
    for table, values in defaults.items():
        assert table in example, f"config.example.toml lacks [{table}]"
        assert set(example[table]) == set(values), f"[{table}] keys differ from Settings"
        for key, value in values.items():
            shown = example[table][key]
            if key == "password":
                value = ""
            assert shown == value, f"{table}.{key}: example shows {shown!r}, default is {value!r}"


def test_example_config_loads(tmp_path: Path) -> None:
    assert load_settings(ROOT / "config.example.toml").imap.port == 993


def test_check_command_reports_bad_key_and_exits_2(tmp_path: Path) -> None:
    config = write(tmp_path, "[imap]\nprot = 993\n")
    result = subprocess.run([sys.executable, "-m", "mailbridge", "check", "-c", str(config)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 2
    assert "imap.prot: unknown key" in result.stdout


def test_check_command_one_line_per_failed_connection(tmp_path: Path) -> None:
    from mailbridge.devservers import free_port

    closed = free_port()
    config = write(tmp_path, f'[imap]\nhost = "127.0.0.1"\nport = {closed}\nsecurity = "plain"\ntimeout = 2.0\n'
                             f'[smtp]\nhost = "127.0.0.1"\nport = {closed}\nsecurity = "plain"\ntimeout = 2.0\n'
                             f'[database]\nurl = "postgresql+psycopg://nobody@127.0.0.1:{closed}/x"\n')
    result = subprocess.run([sys.executable, "-m", "mailbridge", "check", "-c", str(config)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 1
    lines = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    assert lines["config"].startswith("ok")
    for name in ("imap", "smtp", "database"):
        assert lines[name].startswith("FAILED: "), result.stdout
        assert "\n" not in lines[name]
    assert lines["attachments"] == "ok"
