"""``mailbridge demo``: the real daemon code on embedded defaults, for a first look.

Starts a local IMAP server (Dovecot when installed, else the pure-Python pymap from the
``demo`` extra) and a local SMTP sink, seeds three customer mails (Chinese in GBK, Korean in
EUC-KR, English HTML with a screenshot), polls, lets one customer reply to the
acknowledgement, polls again, and prints the cases and one acknowledgement as the customer
would see it.
"""

from __future__ import annotations

import shutil
import tempfile
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from threading import Event

from mailbridge import samples
from mailbridge.daemon import Health, poll_job
from mailbridge.database import make_engine, session_scope
from mailbridge.devservers import SmtpSink, append_messages, start_imap_server
from mailbridge.logs import setup_logging
from mailbridge.report import cases_table, format_table
from mailbridge.settings import load_settings

CONFIG = """\
# Written by `mailbridge demo`: a working configuration against the demo's local servers.
[imap]
host = "{host}"
port = {imap_port}
security = "plain"
username = "{user}"
password = "{password}"
start_from = "all"

[smtp]
host = "{host}"
port = {smtp_port}
security = "plain"

[database]
url = "sqlite:///mailbridge.db"

[mailbox]
support_address = "support@exchange.example"
support_name = "Exchange Support"
staff_domains = ["exchange.example"]
"""


def run_demo(directory: Path | None = None) -> int:
    keep = directory is not None
    folder = directory or Path(tempfile.mkdtemp(prefix="mailbridge-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    setup_logging("warning")
    imap = start_imap_server()
    sink = SmtpSink()
    sink.start()
    try:
        user = imap.new_user("demo")
        config = folder / "config.toml"
        config.write_text(CONFIG.format(host=imap.host, imap_port=imap.port, user=user, password=imap.password,
                                        smtp_port=sink.port), encoding="utf-8")
        settings = load_settings(config)
        engine = make_engine(settings.database.url)
        print(f"IMAP server: {type(imap).__name__} on {imap.host}:{imap.port}; SMTP sink on port {sink.port}")
        print(f"config: {config}\n")

        def poll(what: str) -> None:
            summary = poll_job(settings, engine, Event(), Health())
            print(f"{what}: {summary.line() if summary else 'FAILED (see the log above)'}")

        append_messages(imap.host, imap.port, user, imap.password, "INBOX",
                        [samples.chinese_gbk(), samples.korean_euckr(), samples.english_html_with_png()])
        poll("poll 1 (three customers write in)")
        acks = sink.wait_for(3, timeout=10)
        english_ack = next(r.message for r in acks if r.rcpt_tos == ["alice@customer.example"])
        reply = samples.plain("Alice Smith <alice@customer.example>", f"Re: {english_ack['Subject']}",
                              "Any news? It has been a day.", in_reply_to=english_ack["Message-ID"])
        append_messages(imap.host, imap.port, user, imap.password, "INBOX", [reply])
        poll("poll 2 (Alice replies to her acknowledgement)")

        with session_scope(engine) as session:
            print("\n" + format_table(cases_table(session)))
        print("\nThe acknowledgement Alice received:\n" + "-" * 60)
        print(_as_customer_sees_it(next(r.data for r in acks if r.rcpt_tos == ["alice@customer.example"])))
        print("-" * 60)
        if keep:
            print(f"\nTry: mailbridge show MB-000003 -c {config}   |   mailbridge export -c {config}")
        engine.dispose()
        return 0
    finally:
        sink.stop()
        imap.stop()
        if not keep:
            print(f"(demo files were in {folder}; removed — pass --dir DIR to keep them)")
            shutil.rmtree(folder, ignore_errors=True)


def _as_customer_sees_it(data: bytes) -> str:
    message = message_from_bytes(data, policy=default_policy)
    head = "\n".join(f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Message-ID", "In-Reply-To",
                                                             "Auto-Submitted"))
    return head + "\n\n" + message.get_body(("plain",)).get_content().rstrip()
