"""Kill -9 the real daemon again and again; then prove nothing was lost or acknowledged twice.

    /work/venv/bin/python benchmarks/kill_cycles.py --cycles 50 --messages 400 [--seed 1]

The real ``python -m mailbridge run`` runs against a private Dovecot and an aiosmtpd sink
(``mailbridge.devservers``) on a SQLite file. Each cycle appends a chunk of mixed mail —
customers opening cases, customers replying to the acknowledgements they got, exact
redeliveries, robots (auto-replies, lists, noreply) and garbage that must be quarantined —
starts the daemon and SIGKILLs it: at a random moment in half the cycles, and in the other
half as soon as its debug log shows it sending (so the outbox window is really hit). After
the last cycle a daemon runs undisturbed until everything is done and stops with SIGTERM.

Then it checks, from the database and from what the sink received:
- every message appended is stored exactly once (or, for garbage, quarantined exactly once);
- every customer's first mail opened one case and got exactly one acknowledgement row, sent;
- the sink received every acknowledgement; follow-ups, redeliveries and robots got none;
- no customer mail was acknowledged under two different Message-IDs;
- an acknowledgement received twice (same Message-ID) is counted: that is the window
  between the SMTP server's 250 and our commit, and it may only happen in a cycle that
  was killed while sending.

``tests/test_crash_safety.py`` runs a short version of this in the normal suite.
"""

from __future__ import annotations

import argparse
import email
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import create_engine, text  # noqa: E402

from mailbridge import samples  # noqa: E402
from harness import settings_data, write_toml  # noqa: E402
from mailbridge.devservers import DovecotServer, SmtpSink, append_messages  # noqa: E402



@dataclass
class Appended:
    """What the mailbox was given, by kind, to check the outcome against."""

    new_case: dict[str, str] = field(default_factory=dict)  # Message-ID -> customer address
    follow_up: dict[str, str] = field(default_factory=dict)  # Message-ID -> the ack it answers
    robot: set[str] = field(default_factory=set)
    redelivered: int = 0
    garbage: set[bytes] = field(default_factory=set)
    total: int = 0


@dataclass
class Figures:
    cycles: int = 0
    kills: int = 0
    kills_by_phase: Counter = field(default_factory=Counter)
    messages_appended: int = 0
    unique_messages: int = 0
    stored: int = 0
    quarantined: int = 0
    lost: int = 0
    acks_due: int = 0
    acks_delivered: int = 0
    duplicate_acks: int = 0  # acks received more than once (same Message-ID): the 250 -> commit window
    acks_with_two_ids: int = 0  # customer mails acknowledged under two different Message-IDs (must be 0)
    unwanted_acks: int = 0  # acks to follow-ups, redeliveries or robots (must be 0)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def report(self) -> str:
        phases = ", ".join(f"{k}={v}" for k, v in sorted(self.kills_by_phase.items()))
        return "\n".join([
            f"kill cycles:           {self.cycles} ({self.kills} SIGKILLs; by phase: {phases})",
            f"messages appended:     {self.messages_appended} ({self.unique_messages} distinct)",
            f"stored / quarantined:  {self.stored} / {self.quarantined}",
            f"lost:                  {self.lost}",
            f"acks due / delivered:  {self.acks_due} / {self.acks_delivered}",
            f"duplicate acks:        {self.duplicate_acks} (same Message-ID; kills while sending: "
            f"{self.kills_by_phase.get('sending', 0)})",
            f"acks under two ids:    {self.acks_with_two_ids}",
            f"unwanted acks:         {self.unwanted_acks}",
            f"seconds:               {self.seconds:.1f}",
            f"problems:              {len(self.problems)}",
            *(f"  - {p}" for p in self.problems[:20]),
        ])


class Mix:
    """Seeded mixed mail: mostly new customers, plus replies, redeliveries, robots, garbage."""

    def __init__(self, rng: random.Random, appended: Appended) -> None:
        self.rng = rng
        self.appended = appended
        self.sent_raws: list[bytes] = []
        self.n = 0

    def chunk(self, count: int, acks: list[email.message.Message]) -> list[bytes]:
        out = []
        for _ in range(count):
            roll = self.rng.random()
            if roll < 0.12 and acks:
                out.append(self._reply(self.rng.choice(acks)))
            elif roll < 0.22 and self.sent_raws:
                out.append(self.rng.choice(self.sent_raws))
                self.appended.redelivered += 1
            elif roll < 0.32:
                out.append(self._robot())
            elif roll < 0.36:
                out.append(self._garbage())
            else:
                out.append(self._customer())
        self.appended.total += len(out)
        return out

    def _next(self) -> int:
        self.n += 1
        return self.n

    def _customer(self) -> bytes:
        n = self._next()
        sender = f"customer{n}@customer.example"
        mid = f"<kc.{n}.{self.rng.getrandbits(40):x}@customer.example>"
        kind = self.rng.random()
        if kind < 0.1:
            raw = samples.chinese_gbk(sender=sender, message_id=mid)
        elif kind < 0.2:
            raw = samples.korean_euckr(sender=sender, message_id=mid)
        elif kind < 0.3:
            raw = samples.english_html_with_png(sender=sender, message_id=mid)
        else:
            raw = samples.plain(sender, f"Withdrawal {n} not received",
                                f"Hello, my withdrawal number {n} ({self.rng.getrandbits(64):x}) has not "
                                "arrived yet. Please check.", message_id=mid)
        self.appended.new_case[mid.strip("<>")] = sender
        self.sent_raws.append(raw)
        return raw

    def _reply(self, ack: email.message.Message) -> bytes:
        n = self._next()
        customer = email.utils.parseaddr(ack["To"])[1]
        mid = f"<kr.{n}.{self.rng.getrandbits(40):x}@customer.example>"
        raw = samples.plain(customer, f"Re: {ack['Subject']}", f"Any news? (reply {n})", message_id=mid,
                            in_reply_to=ack["Message-ID"])
        self.appended.follow_up[mid.strip("<>")] = ack["Message-ID"].strip("<>")
        self.sent_raws.append(raw)
        return raw

    def _robot(self) -> bytes:
        n = self._next()
        mid = f"<kb.{n}.{self.rng.getrandbits(40):x}@robot.example>"
        extra = self.rng.choice([{"Auto-Submitted": "auto-replied"}, {"List-Id": "<news.list.example>"},
                                 {"Precedence": "bulk"}])
        raw = samples.plain(f"robot{n}@robot.example", f"Automatic notice {n}", "I am away.",
                            message_id=mid, extra=extra)
        self.appended.robot.add(mid.strip("<>"))
        self.sent_raws.append(raw)
        return raw

    def _garbage(self) -> bytes:
        # No NUL, CR or LF: the IMAP server would rewrite those, and we compare bytes.
        noise = bytes(self.rng.randrange(0x80, 0x100) for _ in range(24))
        raw = b"\x01\x02 not a mail " + noise + b"\xff\xfe"
        self.appended.garbage.add(raw)
        return raw


def write_config(directory: Path, dovecot: DovecotServer, user: str, sink: SmtpSink, db_url: str,
                 batch_size: int = 8) -> Path:
    """The suite's settings (tests/harness.py), with small batches and a fast, chatty daemon."""
    data = settings_data(dovecot, user, sink, db_url, directory, imap={"batch_size": batch_size},
                         daemon={"poll_interval": 0.1, "log_level": "debug",
                                 "heartbeat_file": str(directory / "heartbeat.json")})
    return write_toml(directory / "config.toml", data)


def start_daemon(config: Path, log_path: Path, fault: str = "") -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "MAILBRIDGE_FAULT"}
    env["PYTHONPATH"] = str(ROOT)
    if fault:
        env["MAILBRIDGE_FAULT"] = fault
    with open(log_path, "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "mailbridge", "run", "-c", str(config)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)


def _wait_for_line(log_path: Path, needle: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in log_path.read_text(errors="replace"):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    return False


def phase_of(log_path: Path) -> str:
    """Where the daemon was when it died, from the last line it logged."""
    lines = [line for line in log_path.read_text(errors="replace").splitlines() if " mailbridge." in line]
    if not lines:
        return "starting"
    last = lines[-1]
    if " mailbridge.send:" in last:
        return "sending"
    if "poll fetched=" in last or "mailbridge started" in last:
        return "between polls"
    return "polling"


def kill_cycle(config: Path, log_path: Path, rng: random.Random, when: str) -> str:
    """Start the daemon, SIGKILL it (``when`` = "random" | "sending"); returns the phase hit."""
    proc = start_daemon(config, log_path)
    try:
        if not _wait_for_line(log_path, "mailbridge started", proc, 30):
            raise RuntimeError(f"daemon did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        if when == "sending":
            _wait_for_line(log_path, "mailbridge.send", proc, 10)
            time.sleep(rng.uniform(0, 0.004))
        else:
            time.sleep(rng.uniform(0, 0.8))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return phase_of(log_path)


def settle(config: Path, log_path: Path, db_url: str, timeout: float = 120) -> None:
    """Run an undisturbed daemon until the mailbox is fully processed and the outbox empty."""
    proc = start_daemon(config, log_path)
    heartbeat = config.parent / "heartbeat.json"
    engine = create_engine(db_url)
    try:
        deadline = time.monotonic() + timeout
        start_polls = None
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                beat = json.loads(heartbeat.read_text())
            except (OSError, ValueError):
                continue
            if beat.get("pid") != proc.pid:
                continue
            if start_polls is None:
                start_polls = beat["polls"]
            with engine.connect() as conn:
                pending = conn.execute(text("select count(*) from outgoing where status = 'pending'")).scalar()
            # two clean polls after we started watching, both with nothing left to fetch
            if pending == 0 and beat["polls"] >= start_polls + 2 and "fetched=0" in beat.get("last_poll", ""):
                break
        else:
            raise TimeoutError(f"daemon did not settle:\n{log_path.read_text(errors='replace')[-3000:]}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        engine.dispose()


def check(db_url: str, sink: SmtpSink, appended: Appended, figures: Figures) -> Figures:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        stored = Counter(r[0] for r in conn.execute(text("select message_id from message")))
        thread = {r[0]: (r[1], r[2]) for r in conn.execute(text("select message_id, case_id, thread_reason from message"))}
        outbox = list(conn.execute(text(
            "select o.message_id, o.status, m.message_id from outgoing o join message m on m.id = o.reply_to_pk")))
        quarantined = [bytes(r[0]) for r in conn.execute(text("select raw from quarantined"))]
        cases = conn.execute(text("select count(*) from \"case\"")).scalar()
    engine.dispose()
    p = figures.problems
    expected = set(appended.new_case) | set(appended.follow_up) | appended.robot
    figures.messages_appended = appended.total
    figures.unique_messages = len(expected) + len(appended.garbage)
    figures.stored = sum(stored.values())
    figures.quarantined = len(quarantined)
    missing = expected - set(stored)
    figures.lost = len(missing) + len(appended.garbage - set(quarantined))
    if missing:
        p.append(f"{len(missing)} message(s) never stored, e.g. {sorted(missing)[:3]}")
    if extra := set(stored) - expected:
        p.append(f"{len(extra)} unexpected stored message(s), e.g. {sorted(extra)[:3]}")
    if twice := [m for m, c in stored.items() if c > 1]:
        p.append(f"stored more than once: {twice[:3]}")
    if len(quarantined) != len(set(quarantined)) or set(quarantined) != appended.garbage:
        p.append(f"quarantine holds {len(quarantined)} rows for {len(appended.garbage)} garbage messages")
    if cases != len(appended.new_case):
        p.append(f"{cases} cases for {len(appended.new_case)} customers' first mails")

    ack_of = {}  # customer Message-ID -> outbox row
    for ack_id, status, reply_to in outbox:
        if reply_to in ack_of:
            p.append(f"two outbox acks for <{reply_to}>")
        ack_of[reply_to] = (ack_id, status)
    figures.acks_due = len(appended.new_case)
    if missing_acks := set(appended.new_case) - set(ack_of):
        p.append(f"{len(missing_acks)} customer mail(s) without an ack row, e.g. {sorted(missing_acks)[:3]}")
    figures.unwanted_acks = len(set(ack_of) - set(appended.new_case))
    if not_sent := [m for m, (_, s) in ack_of.items() if s != "sent"]:
        p.append(f"{len(not_sent)} ack(s) not sent: {not_sent[:3]}")

    received = [r.message for r in sink.messages]
    counts = Counter(m["Message-ID"].strip("<>") for m in received)
    ids_per_customer_mail: dict[str, set[str]] = {}
    for m in received:
        ids_per_customer_mail.setdefault(m["In-Reply-To"].strip("<>"), set()).add(m["Message-ID"].strip("<>"))
    figures.acks_delivered = sum(1 for ack_id, _ in ack_of.values() if counts.get(ack_id))
    if undelivered := [m for m, (ack_id, _) in ack_of.items() if not counts.get(ack_id)]:
        p.append(f"{len(undelivered)} ack(s) never reached the SMTP server, e.g. {undelivered[:3]}")
    figures.duplicate_acks = sum(c - 1 for c in counts.values() if c > 1)
    figures.acks_with_two_ids = sum(1 for ids in ids_per_customer_mail.values() if len(ids) > 1)
    figures.unwanted_acks += sum(1 for reply_to in ids_per_customer_mail if reply_to not in appended.new_case)
    if figures.acks_with_two_ids:
        p.append(f"{figures.acks_with_two_ids} customer mail(s) acknowledged under two Message-IDs")
    if figures.unwanted_acks:
        p.append(f"{figures.unwanted_acks} ack(s) to follow-ups, redeliveries or robots")
    if figures.duplicate_acks > figures.kills_by_phase.get("sending", 0):
        p.append(f"{figures.duplicate_acks} duplicate acks but only {figures.kills_by_phase.get('sending', 0)} "
                 "kills while sending")
    for mid, ack in appended.follow_up.items():
        if mid in thread and thread[mid][1] not in ("in-reply-to", "references"):
            p.append(f"reply <{mid}> to <{ack}> threaded as {thread[mid][1]!r}")
            break
    return figures


def run_kill_cycles(cycles: int, messages: int, seed: int = 1, workdir: Path | None = None,
                    db_url: str | None = None) -> Figures:
    """The whole experiment on private servers; returns the figures (``problems`` empty = pass)."""
    rng = random.Random(seed)
    appended = Appended()
    mix = Mix(rng, appended)
    figures = Figures(cycles=cycles)
    started = time.monotonic()
    directory = Path(workdir or tempfile.mkdtemp(prefix="mbkill-"))
    with DovecotServer(tls=False) as dovecot, SmtpSink() as sink:
        user = dovecot.new_user("kill")
        db_url = db_url or f"sqlite:///{directory}/mb.db"
        config = write_config(directory, dovecot, user, sink, db_url)
        per_cycle = max(1, messages // cycles)
        for cycle in range(cycles):
            acks = [r.message for r in sink.messages]
            chunk = mix.chunk(per_cycle if cycle < cycles - 1 else messages - per_cycle * (cycles - 1), acks)
            append_messages(dovecot.host, dovecot.port, user, dovecot.password, "INBOX", chunk)
            when = "sending" if cycle % 2 else "random"
            phase = kill_cycle(config, directory / f"cycle{cycle:03d}.log", rng, when)
            figures.kills += 1
            figures.kills_by_phase[phase] += 1
        settle(config, directory / "settle.log", db_url)
        check(db_url, sink, appended, figures)
    figures.seconds = time.monotonic() - started
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="keep logs, database and config in this folder")
    args = parser.parse_args()
    workdir = Path(args.keep) if args.keep else None
    if workdir:
        workdir.mkdir(parents=True, exist_ok=True)
    figures = run_kill_cycles(args.cycles, args.messages, args.seed, workdir)
    print(figures.report())
    return 1 if figures.problems else 0


if __name__ == "__main__":
    sys.exit(main())
