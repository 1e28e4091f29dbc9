"""Classify, Message-ID signing and sender checks on plain data (no servers)."""

from __future__ import annotations

import pytest

from mailbridge import msgids
from mailbridge import samples as mails
from mailbridge.settings import parse_settings
from mailbridge.steps.classify import robot_reason, spoofing_flags
from mailbridge.steps.parse import parse_message

SETTINGS = parse_settings({"mailbox": {"support_address": "support@exchange.example",
                                       "staff_domains": ["exchange.example"]}})


def reason(subject: str = "Help", sender: str = "a@customer.example", **headers: str) -> str:
    extra = {k.replace("_", "-"): v for k, v in headers.items() if k not in ("in_reply_to",)}
    raw = mails.plain(sender, subject, "body", in_reply_to=headers.get("in_reply_to"), extra=extra)
    return robot_reason(parse_message(raw), SETTINGS)


@pytest.mark.parametrize("headers, expected", [
    ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted"),
    ({"Auto_Submitted": "auto-generated"}, "Auto-Submitted"),
    ({"X_Autoreply": "yes"}, "auto-reply header"),
    ({"X_Autorespond": "on"}, "auto-reply header"),
    ({"Precedence": "bulk"}, "Precedence"),
    ({"Precedence": "junk"}, "Precedence"),
    ({"X_Precedence": "auto_reply"}, "Precedence"),
    ({"List_Unsubscribe": "<mailto:u@list.example>"}, "mailing list"),
    ({"X_MS_Exchange_Generated_Message_Source": "Mailbox Rules Agent"}, "out-of-office header"),
    ({"X_Auto_Response_Suppress": "All", "in_reply_to": "<ack@exchange.example>"}, "out-of-office header"),
    ({"X_Loop": "helpdesk"}, "X-Loop"),
])
def test_robot_headers(headers: dict, expected: str) -> None:
    assert reason(**headers) == expected


def test_x_auto_response_suppress_alone_is_a_person() -> None:
    """Exchange puts it on ordinary mail too; dropping such mail loses customers (Jitbit)."""
    assert reason(X_Auto_Response_Suppress="All") == ""
    assert reason(Auto_Submitted="no") == ""


@pytest.mark.parametrize("subject", ["自动回复: 提币", "自動回覆：提幣", "자동 응답: 출금", "Out of Office: back Monday",
                                     "Automatic reply: Withdrawal", "Abwesenheitsnotiz: Auszahlung", "自動応答: 出金",
                                     "Undeliverable: [Case MB-000001] x", "系统退信: 提币"])
def test_robot_subjects(subject: str) -> None:
    assert reason(subject) in ("auto-reply subject", "bounce subject")


def test_people_stay_people() -> None:
    assert reason("Re: Out of funds after withdrawal") == ""
    assert reason("Question about automatic replies in the API") == ""


def test_spoofing_flags() -> None:
    def flags(sender: str) -> list[str]:
        return spoofing_flags(parse_message(mails.plain(sender, "x")), SETTINGS)

    assert flags('"support@exchange.example" <x@evil.example>')[0].startswith("display name shows")
    assert flags("Support <x@exchange-example.com>")[0].startswith("look-alike domain")
    assert flags("Li <li@exchange.example>") == [] and flags("Bob <bob@customer.example>") == []


def test_signed_message_ids() -> None:
    key = b"k" * 32
    mid = msgids.make("MB-000042", key, "exchange.example")
    assert msgids.verify(mid, key, "exchange.example") == "MB-000042"
    assert msgids.verify(mid, b"other", "exchange.example") is None
    tampered = mid.replace("MB-000042", "MB-000041")
    assert msgids.looks_ours(tampered, "exchange.example") and msgids.verify(tampered, key, "exchange.example") is None
    assert msgids.verify(mid.replace("exchange.example", "evil.example"), key, "exchange.example") is None
    assert msgids.find_in(f"Message-ID: <{mid}>\nSubject: x", "exchange.example") == [mid]


def test_signing_key_is_generated_once_and_kept(tmp_path) -> None:  # noqa: ANN001
    from sqlmodel import Session

    from mailbridge.database import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/k.db")
    with Session(engine) as s:
        first = msgids.signing_key(SETTINGS, s)
        s.commit()
    with Session(engine) as s:
        assert msgids.signing_key(SETTINGS, s) == first and len(first) == 64
    configured = parse_settings({"mailbox": {"signing_key": "from-config"}})
    with Session(engine) as s:
        assert msgids.signing_key(configured, s) == b"from-config"


def test_signing_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MB_TEST_SIGNING_KEY", "env-key")
    settings = parse_settings({"mailbox": {"signing_key_env": "MB_TEST_SIGNING_KEY"}})
    assert settings.mailbox.signing_key.get_secret_value() == "env-key"
    assert "env-key" not in repr(settings)
