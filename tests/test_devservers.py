"""The local servers behave like the real ones mailbridge meets in production.

If these fail, every pipeline test built on the fixtures is suspect, so each test checks
one protocol behaviour mailbridge relies on.
"""

from __future__ import annotations

import asyncio
import email.message
import email.policy
import email.utils
import ssl
from typing import Any

import aiosmtplib
import pytest
from imapclient import IMAPClient

from mailbridge.devservers import (
    DovecotServer,
    PostgresServer,
    PymapServer,
    SmtpSink,
    append_messages,
    client_ssl_context,
    create_folder,
    delete_folder,
    imap_connection,
    start_imap_server,
)

pytestmark = pytest.mark.servers


def make_mail(subject: str, body: str = "Hello support,\nmy order is stuck.\n") -> bytes:
    msg = email.message.EmailMessage()
    msg["From"] = "Customer <customer@example.com>"
    msg["To"] = "support@example.org"
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=False)
    msg["Message-ID"] = email.utils.make_msgid(domain="example.com")
    msg.set_content(body)
    return msg.as_bytes(policy=email.policy.SMTP)  # CRLF, as mail arrives over the wire


def send(sink: SmtpSink, subject: str = "Ack", **kwargs: Any) -> None:
    msg = email.message_from_bytes(make_mail(subject), policy=email.policy.default)
    asyncio.run(aiosmtplib.send(msg, hostname=sink.host, port=sink.port, timeout=5, **kwargs))


# --- Dovecot ---------------------------------------------------------------------------------


def test_dovecot_plain_login_gives_an_empty_mailbox(dovecot: DovecotServer, imap_user: str):
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=5) as client:
        client.login(imap_user, dovecot.password)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.has_capability("UIDPLUS")


def test_dovecot_wrong_password_is_refused(dovecot: DovecotServer, imap_user: str):
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=5) as client:
        with pytest.raises(IMAPClient.Error):
            client.login(imap_user, "not-the-password")


def test_dovecot_imaps_verifies_against_the_test_ca(dovecot: DovecotServer, imap_user: str):
    context = client_ssl_context(dovecot.ca_pem_path)
    with IMAPClient(dovecot.host, port=dovecot.imaps_port, ssl=True, ssl_context=context,
                    timeout=5) as client:
        client.login(imap_user, dovecot.password)
        assert isinstance(client.socket(), ssl.SSLSocket)

    # Without the test CA the certificate must not be trusted: verification is really on.
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, port=dovecot.imaps_port, ssl=True,
                   ssl_context=ssl.create_default_context(), timeout=5)


def test_dovecot_starttls_upgrades_the_plain_port(dovecot: DovecotServer, imap_user: str):
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=5) as client:
        assert client.has_capability("STARTTLS")
        client.starttls(client_ssl_context(dovecot.ca_pem_path))
        client.login(imap_user, dovecot.password)
        assert isinstance(client.socket(), ssl.SSLSocket)


def test_appended_mail_is_found_and_peek_leaves_it_unseen(dovecot: DovecotServer,
                                                          imap_user: str):
    raws = [make_mail(f"Order {n} stuck") for n in range(3)]
    uids = append_messages(dovecot.host, dovecot.port, imap_user, dovecot.password,
                           "Support/Inbound", raws)
    assert uids == [1, 2, 3]

    with imap_connection(dovecot.host, dovecot.port, imap_user, dovecot.password) as client:
        client.select_folder("Support/Inbound")
        assert client.search(["ALL"]) == uids  # imapclient searches by UID
        fetched = client.fetch(uids, ["BODY.PEEK[]"])
        assert [fetched[uid][b"BODY[]"] for uid in uids] == raws
        flags = client.get_flags(uids)
        assert all(b"\\Seen" not in flags[uid] for uid in uids)


def test_append_sets_requested_flags(dovecot: DovecotServer, imap_user: str):
    uids = append_messages(dovecot.host, dovecot.port, imap_user, dovecot.password, "INBOX",
                           [make_mail("Already read")], flags=[r"\Seen"])
    with imap_connection(dovecot.host, dovecot.port, imap_user, dovecot.password) as client:
        client.select_folder("INBOX", readonly=True)
        assert b"\\Seen" in client.get_flags(uids)[uids[0]]


def test_recreated_folder_gets_a_new_uidvalidity(dovecot: DovecotServer, imap_user: str):
    args = (dovecot.host, dovecot.port, imap_user, dovecot.password)
    create_folder(*args, "Cases")
    with imap_connection(*args) as client:
        before = client.folder_status("Cases", ["UIDVALIDITY"])[b"UIDVALIDITY"]

    delete_folder(*args, "Cases")
    create_folder(*args, "Cases")
    with imap_connection(*args) as client:
        after = client.folder_status("Cases", ["UIDVALIDITY"])[b"UIDVALIDITY"]
    assert after != before


def test_paused_dovecot_refuses_then_comes_back_with_the_same_mail():
    # A private server: pausing the session one would break every other test.
    with DovecotServer(tls=False) as server:
        user = server.new_user()
        args = (server.host, server.port, user, server.password)
        uids = append_messages(*args, "INBOX", [make_mail("Before the outage")])
        with imap_connection(*args) as client:
            validity = client.folder_status("INBOX", ["UIDVALIDITY"])[b"UIDVALIDITY"]
        port = server.port

        server.pause()
        with pytest.raises(ConnectionRefusedError):
            IMAPClient(server.host, port=server.port, ssl=False, timeout=2)

        server.resume()
        assert server.port == port
        with imap_connection(*args) as client:
            assert client.folder_status("INBOX", ["UIDVALIDITY"])[b"UIDVALIDITY"] == validity
            client.select_folder("INBOX")
            assert client.search(["ALL"]) == uids

        server.restart()
        with imap_connection(*args) as client:
            assert client.select_folder("INBOX")[b"EXISTS"] == 1
        directory = server.directory
    assert directory is not None and not directory.exists()


# --- SmtpSink --------------------------------------------------------------------------------


def test_sink_records_envelope_and_bytes(smtp_sink: SmtpSink):
    send(smtp_sink, "Your case 1234", sender="bot@example.org",
         recipients=["customer@example.com", "cc@example.com"])

    [mail] = smtp_sink.wait_for(1)
    assert mail.mail_from == "bot@example.org"
    assert mail.rcpt_tos == ["customer@example.com", "cc@example.com"]
    assert mail.message["Subject"] == "Your case 1234"
    assert b"my order is stuck" in mail.data


def test_sink_scripted_failures_are_not_recorded(smtp_sink: SmtpSink):
    smtp_sink.fail_next("451 4.3.0 try later")
    smtp_sink.fail_next("550 5.1.1 no such user")

    with pytest.raises(aiosmtplib.SMTPDataError) as transient:
        send(smtp_sink)
    with pytest.raises(aiosmtplib.SMTPDataError) as permanent:
        send(smtp_sink)
    send(smtp_sink, "Third time lucky")

    assert (transient.value.code, permanent.value.code) == (451, 550)
    assert [m.message["Subject"] for m in smtp_sink.wait_for(1)] == ["Third time lucky"]


def test_sink_fail_next_repeats_and_clear_forgets(smtp_sink: SmtpSink):
    smtp_sink.fail_next("452 4.3.1 insufficient storage", times=2)
    for _ in range(2):
        with pytest.raises(aiosmtplib.SMTPDataError, match="insufficient storage"):
            send(smtp_sink)
    send(smtp_sink, "Accepted")
    assert len(smtp_sink.wait_for(1)) == 1

    smtp_sink.fail_next("554 5.7.1 rejected")
    smtp_sink.clear()
    assert smtp_sink.messages == [] and not smtp_sink.replies
    send(smtp_sink, "After clear")
    assert [m.message["Subject"] for m in smtp_sink.wait_for(1)] == ["After clear"]


def test_sink_wait_for_times_out(smtp_sink: SmtpSink):
    with pytest.raises(TimeoutError, match="0 of 1"):
        smtp_sink.wait_for(1, timeout=0.05)


def test_sink_stop_then_start_reuses_the_port(smtp_sink: SmtpSink):
    send(smtp_sink, "Before")
    port = smtp_sink.port

    smtp_sink.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        send(smtp_sink, "During")

    smtp_sink.start()
    send(smtp_sink, "After")
    assert smtp_sink.port == port
    assert [m.message["Subject"] for m in smtp_sink.wait_for(2)] == ["Before", "After"]


def test_sink_required_starttls():
    with SmtpSink(tls="starttls", require_starttls=True) as sink:
        with pytest.raises(aiosmtplib.SMTPException):
            send(sink, start_tls=False)
        send(sink, "Over STARTTLS", start_tls=True,
             tls_context=client_ssl_context(sink.ca_pem_path))
        assert [m.message["Subject"] for m in sink.wait_for(1)] == ["Over STARTTLS"]


def test_sink_implicit_tls():
    with SmtpSink(tls="implicit") as sink:
        send(sink, "Over TLS", use_tls=True, tls_context=client_ssl_context(sink.ca_pem_path))
        assert [m.message["Subject"] for m in sink.wait_for(1)] == ["Over TLS"]


def test_sink_auth_required_and_checked():
    with SmtpSink(auth_users={"mailbridge": "s3cret"}) as sink:
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as anonymous:
            send(sink)
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            send(sink, username="mailbridge", password="wrong")
        send(sink, "Authenticated", username="mailbridge", password="s3cret")

        assert anonymous.value.code == 530
        assert [m.message["Subject"] for m in sink.wait_for(1)] == ["Authenticated"]


# --- PostgreSQL ------------------------------------------------------------------------------


def test_postgres_database_is_usable_through_sqlalchemy(postgres_url: str):
    import sqlalchemy as sa

    assert postgres_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE cases (id serial PRIMARY KEY, subject text)"))
            conn.execute(sa.text("INSERT INTO cases (subject) VALUES ('stuck order')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT subject FROM cases")).scalar_one() == \
                "stuck order"
    finally:
        engine.dispose()


def test_postgres_databases_are_separate_and_droppable(postgres_server: PostgresServer):
    import sqlalchemy as sa

    url = postgres_server.create_database("mb_named")
    engine = sa.create_engine(postgres_server.url("postgres"))
    try:
        postgres_server.drop_database("mb_named")
        with engine.connect() as conn:
            names = conn.execute(sa.text("SELECT datname FROM pg_database")).scalars().all()
    finally:
        engine.dispose()
    assert url.endswith("/mb_named")
    assert "mb_named" not in names


# --- pymap (the demo fallback) ---------------------------------------------------------------


def test_pymap_fallback_logs_in_and_stores_mail():
    pytest.importorskip("pymap")
    server = start_imap_server(prefer="pymap")
    try:
        assert isinstance(server, PymapServer)
        user = server.new_user()
        args = (server.host, server.port, user, server.password)
        append_messages(*args, "INBOX", [make_mail("One"), make_mail("Two")])
        with imap_connection(*args) as client:
            client.select_folder("INBOX")
            fetched = client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
        subjects = sorted(v[b"BODY[HEADER.FIELDS (SUBJECT)]"].strip() for v in fetched.values())
        assert subjects == [b"Subject: One", b"Subject: Two"]
    finally:
        server.stop()


def test_postgres_pause_and_resume_keep_committed_data(postgres_server: PostgresServer,
                                                       postgres_url: str):
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url, pool_pre_ping=True)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (v int)"))
            conn.execute(sa.text("INSERT INTO t VALUES (42)"))
        postgres_server.pause()
        try:
            with pytest.raises(sa.exc.OperationalError):
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
        finally:
            postgres_server.resume()  # the cluster is shared with later tests
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT v FROM t")).scalar_one() == 42
    finally:
        engine.dispose()
