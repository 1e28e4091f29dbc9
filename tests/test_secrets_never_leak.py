"""Secrets never leak: seed phrases, private keys and configured passwords.

The real daemon (debug logging) processes customer mail carrying a valid BIP39 mnemonic and a
labelled private key — in the body, the subject, an HTML-only mail and a text+HTML mail —
with IMAP and SMTP passwords that are real (the servers check them). Then every byte the run
produced is searched: the SQLite file with its WAL, the daemon's log, `mailbridge check`
output, the JSON export, every mail the SMTP sink received (raw and decoded), the heartbeat
and the attachments folder. None may contain a secret, in any window of four words.
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
import secrets
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from bip_utils import Bip39MnemonicGenerator

from mailbridge.devservers import DovecotServer, SmtpSink, append_messages

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from kill_cycles import settle, write_config  # noqa: E402

pytestmark = pytest.mark.servers
ROOT = Path(__file__).resolve().parents[1]

# Valid BIP39 mnemonics (checksum and all) from fixed entropy, so a failure reproduces.
MNEMONIC = str(Bip39MnemonicGenerator().FromEntropy(bytes.fromhex("8d3f1b2c4e5a69788796a5b4c3d2e1f0")))
MNEMONIC_24 = str(Bip39MnemonicGenerator().FromEntropy(bytes.fromhex("1f2e3d4c5b6a79880716253443526170"
                                                                     "a9b8c7d6e5f403122130f0e0d0c0b0a0")))
PRIVATE_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
IMAP_PASSWORD = "imap-" + secrets.token_urlsafe(18)
SMTP_PASSWORD = "smtp-" + secrets.token_urlsafe(18)


def needles() -> dict[str, bytes]:
    """Everything that must not appear: each secret whole, and each 4-word window of the phrases."""
    found = {"imap password": IMAP_PASSWORD.encode(), "smtp password": SMTP_PASSWORD.encode(),
             "private key": PRIVATE_KEY.encode(), "private key (upper)": PRIVATE_KEY.upper().encode(),
             "private key head": PRIVATE_KEY[:24].encode(), "private key tail": PRIVATE_KEY[-24:].encode()}
    for name, phrase in (("seed", MNEMONIC), ("seed24", MNEMONIC_24)):
        words = phrase.split()
        for i in range(len(words) - 3):
            found[f"{name} words {i}-{i + 3}"] = " ".join(words[i:i + 4]).encode()
    return found


def _mails() -> list[bytes]:
    plain = EmailMessage()
    plain["From"], plain["To"] = "Victim One <victim1@customer.example>", "support@exchange.example"
    plain["Subject"], plain["Message-ID"] = "Wallet emptied", "<leak1@customer.example>"
    plain.set_content(f"Please check my wallet. My seed phrase is {MNEMONIC}\n"
                      f"and my private key: 0x{PRIVATE_KEY}\nThanks")

    subject = EmailMessage()
    subject["From"], subject["To"] = "victim2@customer.example", "support@exchange.example"
    subject["Subject"], subject["Message-ID"] = f"seed phrase: {MNEMONIC}", "<leak2@customer.example>"
    subject.set_content("see subject")

    html = EmailMessage()
    html["From"], html["To"] = "victim3@customer.example", "support@exchange.example"
    html["Subject"], html["Message-ID"] = "HTML only", "<leak3@customer.example>"
    html.set_content(f"<p>My recovery phrase:</p><p>{MNEMONIC_24}</p><p>Thanks for checking.</p>"
                     f"<p>private key: {PRIVATE_KEY}</p>", subtype="html")

    both = EmailMessage()
    both["From"], both["To"] = "victim4@customer.example", "support@exchange.example"
    both["Subject"], both["Message-ID"] = "Text and HTML", "<leak4@customer.example>"
    both.set_content(f"my mnemonic is {MNEMONIC}")
    both.add_alternative(f"<div>my mnemonic is <b>{MNEMONIC}</b></div>", subtype="html")
    html_only_in_alternative = EmailMessage()  # the text part says nothing; the HTML has it all
    html_only_in_alternative["From"], html_only_in_alternative["To"] = "victim5@customer.example", "support@exchange.example"
    html_only_in_alternative["Subject"], html_only_in_alternative["Message-ID"] = "Please read", "<leak5@customer.example>"
    html_only_in_alternative.set_content("Please see the HTML version of this mail.")
    html_only_in_alternative.add_alternative(f"<p>my seed phrase:<br>{MNEMONIC_24}</p>", subtype="html")

    attached = EmailMessage()  # a text file with the wallet backup
    attached["From"], attached["To"] = "victim6@customer.example", "support@exchange.example"
    attached["Subject"], attached["Message-ID"] = "My wallet backup", "<leak6@customer.example>"
    attached.set_content("Attached is my wallet backup, please check.")
    attached.add_attachment(f"wallet backup\nmnemonic: {MNEMONIC}\nprivate key: {PRIVATE_KEY}\n".encode(),
                            maintype="text", subtype="plain", filename="wallet.txt")
    return [m.as_bytes() for m in (plain, subject, html, both, html_only_in_alternative, attached)]


def _decoded_views(data: bytes) -> list[bytes]:
    """The bytes plus every MIME part decoded (base64/QP hide plain text from a byte search)."""
    views = [data]
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        for part in msg.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                views.append(payload)
        views.append(str(msg.get("Subject", "")).encode())
    except Exception:  # noqa: BLE001 - not a mail: the raw bytes were searched
        pass
    return views


def _leaks(blobs: dict[str, bytes]) -> list[str]:
    out = []
    for where, blob in blobs.items():
        low = blob.lower()
        for what, needle in needles().items():
            if needle.lower() in low:
                out.append(f"{what} in {where}")
    return out


def test_no_secret_reaches_logs_database_export_outgoing_mail_or_disk(tmp_path: Path) -> None:
    env = {**os.environ, "MB_IMAP_PW": IMAP_PASSWORD, "MB_SMTP_PW": SMTP_PASSWORD, "PYTHONPATH": str(ROOT)}
    with DovecotServer(tls=False, password=IMAP_PASSWORD) as dovecot, \
            SmtpSink(auth_users={"mailbridge": SMTP_PASSWORD}) as sink:
        user = dovecot.new_user()
        db_url = f"sqlite:///{tmp_path}/mb.db"
        config = write_config(tmp_path, dovecot, user, sink, db_url)
        text = config.read_text()
        text = text.replace(f'password = "{IMAP_PASSWORD}"', 'password_env = "MB_IMAP_PW"')
        text = text.replace('[smtp]\n', '[smtp]\nusername = "mailbridge"\npassword_env = "MB_SMTP_PW"\n')
        config.write_text(text, encoding="utf-8")
        assert IMAP_PASSWORD not in config.read_text()
        append_messages(dovecot.host, dovecot.port, user, IMAP_PASSWORD, "INBOX", _mails())

        os.environ.update(MB_IMAP_PW=IMAP_PASSWORD, MB_SMTP_PW=SMTP_PASSWORD)
        try:
            settle(config, tmp_path / "daemon.log", db_url)
        finally:
            os.environ.pop("MB_IMAP_PW", None)
            os.environ.pop("MB_SMTP_PW", None)
        assert len(sink.wait_for(6)) == 6
        run = lambda *args: subprocess.run([sys.executable, "-m", "mailbridge", *args, "-c", str(config)],  # noqa: E731
                                           capture_output=True, env=env, timeout=60)
        check = run("check")
        export = run("export", "-o", str(tmp_path / "export.json"))
        assert export.returncode == 0, export.stderr
        blobs: dict[str, bytes] = {"check output": check.stdout + check.stderr,
                                   "export stderr": export.stdout + export.stderr}
        for i, received in enumerate(sink.messages):
            for j, view in enumerate(_decoded_views(received.data)):
                blobs[f"sink mail {i} view {j}"] = view
        import sqlite3
        with sqlite3.connect(f"{tmp_path}/mb.db") as conn:  # decoded raw copies stored in the database
            for (raw,) in conn.execute("select raw from message"):
                for j, view in enumerate(_decoded_views(bytes(raw))):
                    blobs[f"stored raw view {j}"] = view
        for path in tmp_path.rglob("*"):
            if path.is_file():  # mb.db, mb.db-wal, mb.db-shm, logs, export.json, heartbeat, attachments/*
                blobs[str(path.relative_to(tmp_path))] = path.read_bytes()

    assert {"mb.db", "daemon.log", "export.json"} <= set(blobs)
    assert b"[REDACTED: seed phrase]" in blobs["export.json"]  # the secrets were there, and were caught
    wallet = [v for k, v in blobs.items() if k.endswith("wallet.txt")]
    assert len(wallet) == 1 and b"[REDACTED: seed phrase]" in wallet[0] and b"[REDACTED: private key]" in wallet[0]
    assert b"private key" in blobs["export.json"]
    leaks = _leaks(blobs)
    assert leaks == [], "\n".join(leaks)
    acks = [r for r in blobs if r.startswith("sink mail")]
    assert acks and b"SECURITY WARNING" in b"".join(blobs[k] for k in acks)  # the customer is warned
    assert base64.b64encode(MNEMONIC.encode())[:20] not in b"".join(blobs.values())


# A seed phrase whose last words run straight into "private key:" (both are BIP39 words)
# used to swallow the label, and the key after it was then neither labelled nor redacted:
# about one random 24-word phrase in five, laid out like this (found by this file).
SWALLOWING_SEED = ("extend panther spell fog hill undo caution carpet point eager skin birth asset alien fiscal "
                   "someone rotate orphan never draw able world museum glad")


def test_a_key_labelled_right_after_a_seed_phrase_is_redacted_too() -> None:
    from mailbridge.extraction import extract

    result = extract("help", f"My recovery phrase:\n\n{SWALLOWING_SEED}\n\nprivate key: {PRIVATE_KEY}")
    assert PRIVATE_KEY not in result.redacted_text and "panther" not in result.redacted_text
    assert PRIVATE_KEY not in str(result.entities.to_json())


@pytest.mark.parametrize("seed", range(40))
def test_random_mnemonics_next_to_a_labelled_key_are_both_redacted(seed: int) -> None:
    import random

    from mailbridge.extraction import extract

    rng = random.Random(seed)
    phrase = str(Bip39MnemonicGenerator().FromEntropy(rng.randbytes(rng.choice([16, 20, 24, 28, 32]))))
    key = rng.randbytes(32).hex()
    result = extract("help", f"My recovery phrase:\n\n{phrase}\n\nprivate key: {key}")
    assert key not in result.redacted_text and phrase.split()[0] + " " + phrase.split()[1] not in result.redacted_text


def test_a_quarantined_mail_never_keeps_its_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mail whose processing fails after extraction is held redacted; one that fails
    before it has secrets visible in its bytes redacted by the quarantine itself."""
    from sqlmodel import Session, select

    from mailbridge import pipeline, quarantine, samples
    from mailbridge.database import make_engine
    from mailbridge.models import Quarantined
    from mailbridge.settings import parse_settings
    from mailbridge.work import FetchedMail

    words = str(Bip39MnemonicGenerator().FromWordsNumber(12))
    base64_mail = samples.plain("a@customer.example", "Wallet", f"My seed phrase: {words}")  # utf-8 → base64 body
    eightbit_mail = (f"From: b@customer.example\r\nSubject: help\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     f"Content-Transfer-Encoding: 8bit\r\n\r\n助记词：{words}\r\n").encode()

    def broken(mail, ctx):  # noqa: ANN001 - a bug after extraction
        raise RuntimeError("bug after extract")

    steps = pipeline.STEPS
    monkeypatch.setattr(pipeline, "STEPS", (*steps[:2], ("broken", broken), *steps[2:]))
    settings = parse_settings({"database": {"url": f"sqlite:///{tmp_path}/q.db"},
                               "storage": {"attachments_dir": str(tmp_path / "att")}}, base=tmp_path)
    engine = make_engine(settings.database.url)
    with Session(engine) as session:
        pipeline.process_batch([FetchedMail(raw=base64_mail, source="t/1")],
                               pipeline.Context(settings, session, pipeline.PollSummary()))
        session.commit()
        held = session.exec(select(Quarantined)).one()
    assert held.reason.startswith("RuntimeError: bug after extract")
    assert words.encode() not in held.raw and b"[REDACTED: seed phrase]" in held.raw
    assert base64.b64encode(words.encode())[:40] not in held.raw

    kept = quarantine.without_secrets(eightbit_mail)
    assert words.encode() not in kept and "[REDACTED: seed phrase]".encode() in kept
    assert kept.startswith(b"From: b@customer.example\r\n")
    assert quarantine.without_secrets(b"From: x\r\n\r\nno secret here \xff\xfe") == b"From: x\r\n\r\nno secret here \xff\xfe"
