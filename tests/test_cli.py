"""The operator commands: cases, show, export, quarantine, replay, parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import Harness, settings_data, write_toml
from mailbridge import pipeline, samples
from mailbridge.cli import main

pytestmark = pytest.mark.servers


@pytest.fixture
def config(harness: Harness, tmp_path: Path) -> str:
    return str(write_toml(tmp_path / "config.toml", settings_data(harness.dovecot, harness.user, harness.sink,
                                                                  str(harness.engine.url), tmp_path)))


def test_cases_show_export(harness: Harness, config: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    harness.append(samples.chinese_gbk(), samples.english_html_with_png())
    assert main(["poll", "-c", config]) == 0
    capsys.readouterr()

    assert main(["cases", "-c", config]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["CASE", "STATUS", "CUSTOMER"]
    assert table[1].startswith("MB-000002") and "alice@customer.example" in table[1]
    assert "黄堃" in table[2]

    assert main(["show", "MB-000001", "-c", config]) == 0
    shown = capsys.readouterr().out
    assert "huang@customer.example" in shown and "reason: new case" in shown and "ack: sent" in shown

    assert main(["show", "MB-999999", "-c", config]) == 1

    out = tmp_path / "export.json"
    assert main(["export", "-c", config, "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["number"] for c in data["cases"]] == ["MB-000001", "MB-000002"]
    assert data["cases"][0]["messages"][0]["ack"]["status"] == "sent"


def test_quarantine_then_replay_after_the_fix(harness: Harness, config: str, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(mail, ctx):  # noqa: ANN001 - a bug in a step, fixed by the next release
        raise RuntimeError("simulated bug in a step")

    steps = pipeline.STEPS
    monkeypatch.setattr(pipeline, "STEPS", (*steps[:1], ("broken", broken), *steps[1:]))
    harness.append(samples.plain("zoe@customer.example", "Help"))
    assert main(["poll", "-c", config]) == 0
    capsys.readouterr()
    assert main(["quarantine", "-c", config]) == 0
    listing = capsys.readouterr().out
    assert "RuntimeError: simulated bug in a step" in listing and "imap:" in listing

    monkeypatch.setattr(pipeline, "STEPS", steps)  # the fix is deployed
    assert main(["replay", "-c", config]) == 0
    replayed = capsys.readouterr().out
    assert "new_cases=1" in replayed and "acks_sent=1" in replayed
    assert [c.customer_email for c in harness.cases()] == ["zoe@customer.example"]
    assert harness.sink.wait_for(1)[0].rcpt_tos == ["zoe@customer.example"]
    assert main(["quarantine", "-c", config]) == 0
    assert "quarantine is empty" in capsys.readouterr().out
    assert harness.poll().fetched == 0  # the checkpoint had moved: nothing fetched again


def test_parse_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eml = tmp_path / "m.eml"
    eml.write_bytes(samples.korean_euckr())
    assert main(["parse", str(eml)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["from"] == "김민수 <minsu@customer.example>"
    assert data["subject"] == "입금 미반영 문의"
    assert "회원번호" in data["text"]
