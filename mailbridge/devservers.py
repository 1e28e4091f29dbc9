"""Real local servers for the test suite and for ``mailbridge demo``.

Mocks hide exactly the behaviour mailbridge depends on: UIDVALIDITY changing when a folder is
re-created, ``BODY.PEEK[]`` leaving ``\\Seen`` alone, STARTTLS, a 451 during DATA, a server that
goes away and comes back. So tests talk to real servers on 127.0.0.1, started and thrown away here:

- ``DovecotServer``: the real IMAP server (Debian ``dovecot-imapd``), one per test session, a
  fresh empty mailbox for every user name (``new_user()``).
- ``PymapServer``: a pure-Python IMAP server, the fallback for ``mailbridge demo`` without Dovecot.
- ``SmtpSink``: an aiosmtpd server that records what it receives and can be scripted to refuse.
- ``PostgresServer``: a throwaway cluster, one fresh database per test.

The recipes (config keys, running as ``nobody`` when root, short temp paths) were measured and are
written up in ``/work/shared/notes/servers.md``. This module uses only the standard library at
import time; aiosmtpd, pymap, trustme and psycopg are optional extras imported where needed.
"""

from __future__ import annotations

import atexit
import collections
import dataclasses
import email
import email.message
import email.policy
import grp
import imaplib
import importlib.util
import itertools
import os
import pwd
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

if TYPE_CHECKING:
    from imapclient import IMAPClient

LOCALHOST = "127.0.0.1"
DEFAULT_PASSWORD = "testpw"
DOVECOT_BINARY = "dovecot"
POSTGRES_BINDIR_GLOB = "/usr/lib/postgresql/*/bin"

TlsMode = Literal["none", "starttls", "implicit"]


# --------------------------------------------------------------------------------------------
# Shared plumbing: ports, temp dirs, the unprivileged account, certificates, child processes
# --------------------------------------------------------------------------------------------


# Not the global `random`: a plugin that seeds it identically in every xdist worker would
# make the workers race for the same ports.
_port_rng = random.SystemRandom()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing is listening on right now.

    Ports are drawn from *below* the kernel's ephemeral range on purpose: while a server is
    paused for an outage test its port is unbound, and a port from the ephemeral range could be
    taken as the source port of some client connection, so the server could not come back.
    """
    low = _ephemeral_port_low()
    for _ in range(50):
        candidate = _port_rng.randrange(10_000, low)
        if _can_bind(candidate):
            return candidate
    with socket.socket() as sock:  # crowded machine: let the kernel choose
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


def _ephemeral_port_low() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32_768
    return max(low, 10_001)


def _can_bind(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((LOCALHOST, port))
        except OSError:
            return False
    return True


def _short_tempdir(prefix: str) -> Path:
    """A fresh directory directly under /tmp.

    Not pytest's ``tmp_path``: under root that sits in a 0700 directory the unprivileged server
    cannot enter, and unix-socket paths inside it get near the 107-byte limit.
    """
    parent = "/tmp" if os.path.isdir("/tmp") else None
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


@dataclasses.dataclass(frozen=True)
class _Account:
    """Who the servers run as: Dovecot and PostgreSQL both refuse to run as root."""

    user: str
    group: str
    uid: int
    gid: int
    switch: bool  # True when we are root and must drop to this account

    def popen_kwargs(self) -> dict[str, Any]:
        if not self.switch:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown_tree(self, root: Path) -> None:
        if not self.switch:
            return
        os.chown(root, self.uid, self.gid)
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                os.chown(os.path.join(dirpath, name), self.uid, self.gid, follow_symlinks=False)


def _service_account() -> _Account:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return _Account(me.pw_name, grp.getgrgid(os.getegid()).gr_name, me.pw_uid,
                        os.getegid(), switch=False)
    nobody = pwd.getpwnam("nobody")
    try:
        group = grp.getgrnam("nogroup")
    except KeyError:  # Red Hat family: nobody's own group
        group = grp.getgrgid(nobody.pw_gid)
    return _Account(nobody.pw_name, group.gr_name, nobody.pw_uid, group.gr_gid, switch=True)


@dataclasses.dataclass(frozen=True)
class _TlsFiles:
    ca: Path
    cert: Path  # server certificate followed by its chain
    key: Path


def _issue_certs(directory: Path) -> _TlsFiles:
    """A private CA plus a server certificate for 127.0.0.1/localhost (trustme)."""
    import trustme

    ca = trustme.CA()
    server_cert = ca.issue_cert(LOCALHOST, "localhost")
    files = _TlsFiles(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    ca.cert_pem.write_to_path(str(files.ca))
    with open(files.cert, "wb") as out:
        for blob in server_cert.cert_chain_pems:
            out.write(blob.bytes())
    server_cert.private_key_pem.write_to_path(str(files.key))
    return files


def client_ssl_context(ca_pem_path: str | os.PathLike[str]) -> ssl.SSLContext:
    """An ``ssl.SSLContext`` that verifies our servers' certificates against their test CA."""
    return ssl.create_default_context(cafile=os.fspath(ca_pem_path))


# Servers started and not yet stopped, by id(): stopped at interpreter exit (a test run that
# errors out of its fixtures, Ctrl-C in `mailbridge demo`), so no server or temp dir outlives
# the process that started it. Dovecot and the postmaster run in their own sessions and would.
_pending_cleanups: dict[int, Callable[[], None]] = {}


def _track(owner: object, cleanup: Callable[[], None]) -> None:
    _pending_cleanups[id(owner)] = cleanup


def _untrack(owner: object) -> None:
    _pending_cleanups.pop(id(owner), None)


@atexit.register
def _run_pending_cleanups() -> None:
    for cleanup in list(_pending_cleanups.values()):
        try:
            cleanup()
        except Exception:  # noqa: BLE001 - best effort at exit; keep stopping the others
            pass


def _spawn(argv: list[str], log_path: Path, account: _Account | None, cwd: Path
           ) -> subprocess.Popen[bytes]:
    """Start a server in its own process group so that stopping it can reach every child."""
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
            start_new_session=True, **(account.popen_kwargs() if account else {}),
        )
    return proc


def _terminate_group(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after *grace* seconds.

    The SIGKILL goes to the whole group even when the leader exited cleanly: Dovecot's imap and
    auth children can outlive the master by a moment and would keep the port or the temp dir.
    """
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_until(ready: Callable[[], bool], *, timeout: float, what: str,
                proc: subprocess.Popen[bytes] | None = None, log_path: Path | None = None) -> None:
    """Poll *ready* every 10 ms; fail fast, with the server's log, if the process died."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_log_tail(log_path)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout}s:\n{_log_tail(log_path)}")
        time.sleep(0.01)


def _log_tail(log_path: Path | None, lines: int = 30) -> str:
    if log_path is None or not log_path.exists():
        return "(no log)"
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def _imap_login_works(host: str, port: int, user: str, password: str) -> bool:
    try:
        with imaplib.IMAP4(host, port, timeout=2) as conn:
            conn.login(user, password)
            conn.logout()
    except (OSError, imaplib.IMAP4.error):
        return False
    return True


# --------------------------------------------------------------------------------------------
# IMAP: Dovecot (the real thing) and pymap (pure-Python fallback)
# --------------------------------------------------------------------------------------------


def dovecot_available() -> bool:
    """True when a ``dovecot`` binary exists (it lives in /usr/sbin, often not on PATH)."""
    return _dovecot_binary() is not None


def _dovecot_binary() -> str | None:
    return shutil.which(DOVECOT_BINARY, path=os.pathsep.join(
        [os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"]))


def pymap_available() -> bool:
    """True when the optional ``pymap`` package is importable."""
    return importlib.util.find_spec("pymap") is not None


def _trustme_available() -> bool:
    return importlib.util.find_spec("trustme") is not None


class _ServerLifecycle:
    """``with Server() as s:`` starts it and always stops it, even when start() fails."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()  # a half-started server must not outlive the failed `with`
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class DovecotServer(_ServerLifecycle):
    """A private Dovecot on 127.0.0.1: any user name logs in with ``password``.

    Each user name gets its own empty Maildir, so a test isolates itself by calling
    ``new_user()`` instead of cleaning up. Lifecycle::

        server.start()    # temp dir, ports, certificates; returns once LOGIN works
        server.pause()    # kill the server, keep ports and mail: "the IMAP server is down"
        server.resume()   # back on the same ports with the same mail
        server.restart()  # pause() + resume()
        server.stop()     # kill everything and delete the temp dir

    With ``tls=True`` (needs trustme) ``port`` also offers STARTTLS and ``imaps_port`` speaks
    implicit TLS; clients verify against ``ca_pem_path``.
    """

    host: str = LOCALHOST

    def __init__(self, *, password: str = DEFAULT_PASSWORD, tls: bool = True) -> None:
        self.password = password
        self.tls = tls
        self.port = 0
        self.imaps_port = 0
        self.ca_pem_path: str | None = None
        self.directory: Path | None = None
        self._account = _service_account()
        self._proc: subprocess.Popen[bytes] | None = None
        self._user_numbers = itertools.count(1)

    @property
    def log_path(self) -> Path:
        assert self.directory is not None, "DovecotServer was never started"
        return self.directory / "dovecot.log"

    def new_user(self, prefix: str = "u") -> str:
        """A user name never used before on this server, hence an empty mailbox."""
        return f"{prefix}{next(self._user_numbers)}"

    def start(self) -> None:
        """Start the server (preparing a fresh temp dir the first time); idempotent."""
        if self._proc is not None:
            return
        if self.directory is None:
            self._prepare()
        try:
            self._launch()
        except BaseException:
            self.pause()  # never leave a half-started master behind
            raise

    def stop(self) -> None:
        """Kill the whole process group and delete the temp dir with all mail in it."""
        self.pause()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
            self.ca_pem_path = None
        _untrack(self)

    def pause(self) -> None:
        """Take the server down (connections are cut); ports and mail are kept for resume()."""
        if self._proc is not None:
            # A clean SIGTERM shutdown takes ~1.1 s (servers.md); a throwaway server can die at
            # once: mail_fsync=never only skips fsync, written mail is already in the files.
            _terminate_group(self._proc, grace=0.0)
            self._proc = None

    def resume(self) -> None:
        """Bring a paused server back on the same ports with the same mail."""
        self.start()

    def restart(self) -> None:
        """Simulate a server restart: every connection drops, mail and UIDs survive."""
        self.pause()
        self.resume()

    def _prepare(self) -> None:
        if self.tls and not _trustme_available():
            raise RuntimeError("DovecotServer(tls=True) needs trustme: pip install trustme")
        directory = _short_tempdir("mbdc-")
        self.directory = directory
        _track(self, self.stop)
        (directory / "home").mkdir()
        self.port = free_port()
        self.imaps_port = free_port() if self.tls else 0
        if self.tls:
            self.ca_pem_path = str(_issue_certs(directory).ca)
        (directory / "dovecot.conf").write_text(self._config())
        self._account.chown_tree(directory)

    def _launch(self) -> None:
        binary = _dovecot_binary()
        if binary is None:
            raise RuntimeError("dovecot not found: apt-get install dovecot-imapd")
        assert self.directory is not None
        _remove_stale_dotlocks(self.directory)
        self._proc = _spawn([binary, "-F", "-c", str(self.directory / "dovecot.conf")],
                            self.directory / "stdout.log", self._account, self.directory)
        _wait_until(lambda: _imap_login_works(self.host, self.port, "probe", self.password),
                    timeout=15, what="dovecot", proc=self._proc, log_path=self.log_path)

    def _config(self) -> str:
        assert self.directory is not None
        d = self.directory
        ssl_lines = (f"ssl = yes\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem"
                     if self.tls else "ssl = no")
        return _DOVECOT_CONFIG.format(
            instance=f"mailbridge-{uuid.uuid4().hex[:12]}", dir=d, ssl=ssl_lines,
            user=self._account.user, group=self._account.group, password=self.password,
            host=self.host, port=self.port, imaps_port=self.imaps_port,
        )


def _remove_stale_dotlocks(directory: Path) -> None:
    """Delete ``*.lock`` files a killed Dovecot left behind.

    pause() kills without waiting; if that lands while the master updates state/instances (just
    after start-up) the leftover instances.lock made the next start hang 12 s and fail. Nothing
    is running at this point, so every dotlock here is stale.
    """
    for lock in directory.rglob("*.lock"):
        lock.unlink(missing_ok=True)


# Why the less obvious keys are here:
# - instance_name/base_dir/state_dir: several servers (xdist workers) must not share sockets.
# - first_valid_uid = 1: the unprivileged account may have a low uid; 500 would refuse it.
# - mail_max_userip_connections: tests open many connections as one user from one IP (default 10).
# - separator = /: the default '.' breaks CREATE "A/B".
# - chroot = (anvil, imap-login): chroot needs root, and the server runs unprivileged.
# - anvil-auth-penalty mode = 0: switches off Dovecot's per-IP auth penalty. With it, one failed
#   LOGIN from 127.0.0.1 delays every later LOGIN, good ones too, by 4 s and up (measured: 4.5 s),
#   so one wrong-password test would slow the whole suite. A failed LOGIN still takes 0.5 s:
#   Dovecot flushes auth failures on a 500 ms timer even with auth_failure_delay = 0.
_DOVECOT_CONFIG = """\
instance_name = {instance}
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = {host}
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = 1
mail_fsync = never
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = home={dir}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps_port}
    ssl = yes
  }}
}}
"""


class PymapServer(_ServerLifecycle):
    """pymap's in-memory server: the IMAP fallback for ``mailbridge demo`` without Dovecot.

    Same surface as ``DovecotServer`` where it can be, but it knows one user only (so
    ``new_user()`` always returns it), speaks no TLS, and forgets everything when stopped.
    Quirks worth knowing: custom keywords are silently dropped.
    """

    host: str = LOCALHOST
    imaps_port: int = 0
    ca_pem_path: str | None = None

    def __init__(self, *, user: str = "demo", password: str = DEFAULT_PASSWORD) -> None:
        self.user = user
        self.password = password
        self.port = 0
        self.directory: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def new_user(self, prefix: str = "u") -> str:
        """pymap's dict backend has a single user: every caller shares its mailbox."""
        return self.user

    def start(self) -> None:
        """Start pymap (about 0.4 s) and return once LOGIN works; idempotent."""
        if self._proc is not None:
            return
        if not pymap_available():
            raise RuntimeError("pymap is not installed: pip install pymap")
        self.directory = _short_tempdir("mbpm-")
        _track(self, self.stop)
        self.port = self.port or free_port()
        log_path = self.directory / "pymap.log"
        argv = [sys.executable, "-c", "import sys; from pymap.main import main; sys.exit(main())",
                "--host", self.host, "--port", str(self.port), "--no-tls",
                "dict", "--demo-user", self.user, "--demo-password", self.password]
        self._proc = _spawn(argv, log_path, None, self.directory)
        try:
            _wait_until(lambda: _imap_login_works(self.host, self.port, self.user,
                                                  self.password),
                        timeout=30, what="pymap", proc=self._proc, log_path=log_path)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop pymap (all mail is lost: it lives in memory) and delete its temp dir."""
        if self._proc is not None:
            _terminate_group(self._proc, grace=2.0)
            self._proc = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        _untrack(self)


def start_imap_server(prefer: str = "dovecot") -> DovecotServer | PymapServer:
    """Start the best IMAP server this machine has: Dovecot if installed, else pymap.

    ``prefer="pymap"`` skips Dovecot. The caller owns the result and must ``stop()`` it.
    """
    if prefer not in ("dovecot", "pymap"):
        raise ValueError(f"prefer must be 'dovecot' or 'pymap', not {prefer!r}")
    if prefer == "dovecot" and dovecot_available():
        server: DovecotServer | PymapServer = DovecotServer(tls=_trustme_available())
    elif pymap_available():
        server = PymapServer()
    else:
        raise RuntimeError("no IMAP server: install dovecot-imapd, or pip install pymap")
    server.start()
    return server


# --------------------------------------------------------------------------------------------
# IMAP seeding helpers (plain connections; tests use them to put mail where mailbridge looks)
# --------------------------------------------------------------------------------------------


@contextmanager
def imap_connection(host: str, port: int, user: str, password: str) -> Iterator[IMAPClient]:
    """A logged-in imapclient connection over plain IMAP, logged out afterwards."""
    from imapclient import IMAPClient

    client = IMAPClient(host, port=port, ssl=False, timeout=10)
    # Without it some servers stall 45 ms per APPEND on Nagle's algorithm (servers.md).
    client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        client.login(user, password)
        yield client
    finally:
        try:
            client.logout()
        except (OSError, IMAPClient.Error):
            pass


def append_messages(host: str, port: int, user: str, password: str, folder: str,
                    raws: list[bytes], flags: Iterable[str | bytes] = ()) -> list[int]:
    """Append *raws* to *folder* (created if missing) in one MULTIAPPEND when offered.

    Returns the new UIDs in order, read from the APPENDUID response (RFC 4315); an empty list
    when the server does not send one. Example: ``append_messages(..., "INBOX", [a, b])``
    on a fresh mailbox returns ``[1, 2]``.
    """
    flags = tuple(flags)
    if not raws:
        return []
    with imap_connection(host, port, user, password) as client:
        _ensure_folder(client, folder)
        if client.has_capability("MULTIAPPEND"):
            responses = [client.multiappend(folder, [{"msg": raw, "flags": flags}
                                                     for raw in raws])]
        else:
            responses = [client.append(folder, raw, flags) for raw in raws]
    return [uid for response in responses for uid in _appended_uids(response)]


def create_folder(host: str, port: int, user: str, password: str, folder: str) -> None:
    """Create *folder* (and, on Dovecot, any missing parents) unless it exists."""
    with imap_connection(host, port, user, password) as client:
        _ensure_folder(client, folder)


def delete_folder(host: str, port: int, user: str, password: str, folder: str) -> None:
    """Delete *folder* if it exists; re-creating it later gives it a new UIDVALIDITY."""
    with imap_connection(host, port, user, password) as client:
        if client.folder_exists(folder):
            client.delete_folder(folder)


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if not client.folder_exists(folder):
        client.create_folder(folder)


def _appended_uids(response: Any) -> list[int]:
    match = re.search(r"APPENDUID \d+ ([\d:,]+)", _response_text(response))
    if match is None:
        return []
    uids: list[int] = []
    for part in match.group(1).split(","):
        first, _, last = part.partition(":")
        uids.extend(range(int(first), int(last or first) + 1))
    return uids


def _response_text(response: Any) -> str:
    """imapclient's append() returns bytes, but multiappend() returns ('OK', [bytes, ...])."""
    if isinstance(response, (tuple, list)):
        return " ".join(_response_text(part) for part in response)
    if isinstance(response, bytes):
        return response.decode("ascii", "replace")
    return str(response)


# --------------------------------------------------------------------------------------------
# SMTP: a recording, scriptable aiosmtpd sink
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP sink accepted it: the envelope and the exact bytes."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        """The data parsed with the modern policy, so headers come back decoded."""
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps what it receives in ``messages``.

    Script failures by queueing replies: each DATA takes the next one from ``replies``
    (``sink.fail_next("451 4.3.0 try later")``); a reply that is not 2xx refuses the message
    and it is not recorded. ``stop()`` then ``start()`` comes back on the same port with the
    same certificate, for "SMTP server down" tests.

    ``tls``: "none", "starttls" (offered; ``require_starttls=True`` to insist) or "implicit".
    ``auth_users``: when given, AUTH PLAIN/LOGIN is required and checked against it.
    """

    host: str = LOCALHOST

    def __init__(self, *, tls: TlsMode = "none", auth_users: Mapping[str, str] | None = None,
                 auth_require_tls: bool = False, require_starttls: bool = False) -> None:
        if tls not in ("none", "starttls", "implicit"):
            raise ValueError(f"tls must be 'none', 'starttls' or 'implicit', not {tls!r}")
        self.tls = tls
        self.auth_users = dict(auth_users or {})
        self.auth_require_tls = auth_require_tls
        self.require_starttls = require_starttls
        self.port = 0
        self.messages: list[ReceivedMail] = []
        self.replies: collections.deque[str] = collections.deque()
        self.ca_pem_path: str | None = None
        self._tls_files: _TlsFiles | None = None
        self._cert_dir: Path | None = None
        self._controller: Any = None
        self._changed = threading.Condition()

    def start(self) -> None:
        """Listen (on the same port as before after a stop); idempotent."""
        if self._controller is not None:
            return
        from aiosmtpd.controller import Controller

        self.port = self.port or free_port()
        # aiosmtpd cannot restart a stopped Controller (its loop is closed): build a new one.
        controller = Controller(_SinkHandler(self), hostname=self.host, port=self.port,
                                server_hostname="localhost", **self._smtp_options())
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening; the port, certificate and recorded messages are kept."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    pause = stop
    resume = start

    def close(self) -> None:
        """Stop and delete the certificate files."""
        self.stop()
        if self._cert_dir is not None:
            shutil.rmtree(self._cert_dir, ignore_errors=True)
            self._cert_dir = None
        _untrack(self)

    def fail_next(self, reply: str, times: int = 1) -> None:
        """Answer the next *times* DATA commands with *reply*, e.g. "550 5.1.1 no such user"."""
        with self._changed:
            self.replies.extend([reply] * times)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """Block until at least *count* messages arrived; return a snapshot of them all."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(f"SmtpSink received {len(self.messages)} of {count} "
                                   f"messages within {timeout}s")
            return list(self.messages)

    def clear(self) -> None:
        """Forget received messages and scripted replies."""
        with self._changed:
            self.messages.clear()
            self.replies.clear()

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.close()  # a half-started server must not outlive the failed `with`
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _record(self, mail: ReceivedMail) -> str:
        """Called from the server thread for each DATA; returns the SMTP reply."""
        with self._changed:
            reply = self.replies.popleft() if self.replies else "250 OK"
            if reply.startswith("2"):
                self.messages.append(mail)
                self._changed.notify_all()
        return reply

    def _smtp_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"enable_SMTPUTF8": True}
        if self.tls != "none":
            context = self._server_ssl_context()
            if self.tls == "implicit":
                options["ssl_context"] = context
            else:
                options["tls_context"] = context
                options["require_starttls"] = self.require_starttls
        if self.auth_users:
            if not self.auth_require_tls:
                # Plaintext AUTH is deliberate in a test sink; aiosmtpd would warn per connection.
                warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS",
                                        UserWarning)
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.auth_require_tls)
        return options

    def _server_ssl_context(self) -> ssl.SSLContext:
        if self._tls_files is None:
            self._cert_dir = _short_tempdir("mbsm-")
            _track(self, self.close)
            self._tls_files = _issue_certs(self._cert_dir)
            self.ca_pem_path = str(self._tls_files.ca)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self._tls_files.cert, self._tls_files.key)
        return context

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        return AuthResult(success=self.auth_users.get(user) == password, handled=False)


class _SinkHandler:
    """aiosmtpd handler: hands each DATA to the sink, which decides the reply."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = ReceivedMail(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
                            data=bytes(envelope.original_content))
        return self._sink._record(mail)


# --------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster, one database per test
# --------------------------------------------------------------------------------------------


def postgres_available() -> bool:
    """True when ``initdb`` and ``postgres`` can be found."""
    return _postgres_bindir() is not None


def _postgres_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    candidates: list[Path] = []
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    # Debian keeps one bin dir per major version; prefer the newest.
    candidates += sorted(Path("/").glob(POSTGRES_BINDIR_GLOB.lstrip("/")),
                         key=lambda p: _major_version(p.parent.name), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "postgres").exists():
            return bindir
    return None


def _major_version(name: str) -> int:
    return int(name) if name.isdigit() else 0


class PostgresServer(_ServerLifecycle):
    """A throwaway PostgreSQL cluster on 127.0.0.1, trust auth, durability switched off.

    ``create_database()`` gives each test its own empty database (~30 ms) and returns a
    SQLAlchemy URL such as ``postgresql+psycopg://postgres@127.0.0.1:21345/mb_3``.
    ``pause()``/``resume()`` take the cluster down and back on the same port with its data,
    for "database unreachable" tests; ``stop()`` deletes everything.

    The postmaster runs as our own child rather than through ``pg_ctl start``: pg_ctl leaves it
    to be reaped by PID 1, which here does so lazily, so every stop left a ``[postgres]
    <defunct>`` behind. ``initdb`` still runs as in servers.md.
    """

    host: str = LOCALHOST
    user: str = "postgres"

    def __init__(self) -> None:
        self.port = 0
        self.directory: Path | None = None
        self._account = _service_account()
        self._bindir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._db_numbers = itertools.count(1)

    @property
    def data_dir(self) -> Path:
        assert self.directory is not None, "PostgresServer was never started"
        return self.directory / "data"

    def start(self) -> None:
        """initdb (first time only) and start; returns once it accepts connections; idempotent."""
        if self._proc is not None:
            return
        if self.directory is None:
            self._init_cluster()
        assert self._bindir is not None and self.directory is not None
        log_path = self.directory / "pg.log"
        self._proc = _spawn([str(self._bindir / "postgres"), "-D", str(self.data_dir),
                             *self._server_args()], log_path, self._account, self.directory)
        try:
            _wait_until(self._ready, timeout=30, what="postgres", proc=self._proc,
                        log_path=log_path)
        except BaseException:
            self._shutdown(signal.SIGQUIT)
            raise

    def stop(self) -> None:
        """Stop the cluster and delete it with all its databases."""
        self._shutdown(signal.SIGQUIT)  # "immediate": no checkpoint, nothing here is kept
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        _untrack(self)

    def pause(self) -> None:
        """Take the cluster down (clients are cut off); port and data are kept for resume()."""
        # SIGINT is a "fast" shutdown. Not "immediate": with synchronous_commit=off that can
        # lose the last ~200 ms of commits, and an outage test would flake on its own setup.
        self._shutdown(signal.SIGINT)

    def resume(self) -> None:
        """Start a paused cluster again: same port, same databases."""
        self.start()

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of *database* on this cluster."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a generated name unless given) and return its URL."""
        name = name or f"mb_{next(self._db_numbers)}_{uuid.uuid4().hex[:6]}"
        self._admin_execute("CREATE DATABASE {}", name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop *name*, disconnecting anyone still using it (a leaked engine must not hang)."""
        self._admin_execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def _init_cluster(self) -> None:
        self._bindir = _postgres_bindir()
        if self._bindir is None:
            raise RuntimeError("PostgreSQL not found: apt-get install postgresql-15")
        self.directory = _short_tempdir("mbpg-")
        _track(self, self.stop)
        self._account.chown_tree(self.directory)
        self.port = free_port()
        result = subprocess.run(
            [str(self._bindir / "initdb"), "-D", str(self.data_dir), "-U", self.user,
             "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            cwd=self.directory, capture_output=True, text=True, stdin=subprocess.DEVNULL,
            **self._account.popen_kwargs(),
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stdout}"
                               f"{result.stderr}")

    def _server_args(self) -> list[str]:
        return ["-p", str(self.port), "-k", str(self.directory),
                "-c", f"listen_addresses={self.host}", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]

    def _ready(self) -> bool:
        """The postmaster writes "ready" as line 8 of postmaster.pid (what pg_ctl -w reads).

        Line 1 must be our child's pid: a file left by a killed postmaster also says "ready".
        """
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return (len(lines) >= 8 and self._proc is not None
                and lines[0].strip() == str(self._proc.pid) and lines[7].strip() == "ready")

    def _shutdown(self, signum: signal.Signals) -> None:
        """Signal the postmaster (it stops its own backends) and reap it."""
        if self._proc is None:
            return
        self._proc.send_signal(signum)
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _terminate_group(self._proc, grace=0.0)
        self._proc = None

    def _admin_execute(self, statement: str, database: str) -> None:
        import psycopg
        from psycopg import sql

        query = sql.SQL(statement).format(sql.Identifier(database))
        with psycopg.connect(host=self.host, port=self.port, user=self.user,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(query)
