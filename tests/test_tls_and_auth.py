"""IMAP over implicit TLS and STARTTLS, SMTP with STARTTLS, implicit TLS and AUTH — real servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import make_harness
from mailbridge import samples
from mailbridge.devservers import DovecotServer, SmtpSink

pytestmark = pytest.mark.servers


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_imap_over_tls(dovecot: DovecotServer, imap_user: str, smtp_sink: SmtpSink, sqlite_url: str,
                       tmp_path: Path, security: str) -> None:
    port = dovecot.imaps_port if security == "tls" else dovecot.port
    h = make_harness(dovecot, imap_user, smtp_sink, sqlite_url, tmp_path,
                     imap={"security": security, "port": port, "ca_file": str(dovecot.ca_pem_path)})
    h.append(samples.plain("tls@customer.example", "Over TLS"))
    summary = h.poll()
    assert (summary.fetched, summary.new_cases, summary.acks_sent) == (1, 1, 1)


def test_imap_tls_with_untrusted_certificate_fails_cleanly(dovecot: DovecotServer, imap_user: str,
                                                           smtp_sink: SmtpSink, sqlite_url: str, tmp_path: Path) -> None:
    from mailbridge.errors import TransientError

    h = make_harness(dovecot, imap_user, smtp_sink, sqlite_url, tmp_path,
                     imap={"security": "tls", "port": dovecot.imaps_port})
    with pytest.raises(TransientError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        h.poll()


@pytest.mark.parametrize("tls, security", [("starttls", "starttls"), ("implicit", "tls")])
def test_smtp_tls_and_auth(dovecot: DovecotServer, imap_user: str, sqlite_url: str, tmp_path: Path,
                           tls: str, security: str) -> None:
    sink = SmtpSink(tls=tls, auth_users={"mailbridge": "smtp-pw"})  # type: ignore[arg-type]
    sink.start()
    try:
        h = make_harness(dovecot, imap_user, sink, sqlite_url, tmp_path,
                         smtp={"security": security, "ca_file": str(sink.ca_pem_path), "username": "mailbridge",
                               "password": "smtp-pw"})
        h.append(samples.plain("auth@customer.example", "Needs TLS and AUTH"))
        assert h.poll().acks_sent == 1
        assert sink.wait_for(1)[0].rcpt_tos == ["auth@customer.example"]
    finally:
        sink.close()


def test_smtp_wrong_password_keeps_ack_pending(dovecot: DovecotServer, imap_user: str, sqlite_url: str,
                                              tmp_path: Path) -> None:
    sink = SmtpSink(tls="starttls", auth_users={"mailbridge": "smtp-pw"})
    sink.start()
    try:
        h = make_harness(dovecot, imap_user, sink, sqlite_url, tmp_path,
                         smtp={"security": "starttls", "ca_file": str(sink.ca_pem_path), "username": "mailbridge",
                               "password": "wrong"})
        h.append(samples.plain("auth2@customer.example", "Help"))
        summary = h.poll()
        assert summary.acks_sent == 0 and summary.errors
        assert h.outbox()[0].status == "pending"
        assert sink.messages == []
    finally:
        sink.close()
