"""Peak memory for one 50 MB message, fetched from real Dovecot and run through the pipeline.

    /work/venv/bin/python benchmarks/big_message.py [--mb 50]

A customer mail with a 50 MiB total size (a short text, a small PNG and a large video as
base64) is appended to a private Dovecot. Each scenario then runs one poll in a fresh
process and reports its peak RSS above the RSS it had just before the poll (imports, engine
and settings already loaded), and that as a multiple of the message size:

- default limits: ``max_message_bytes = 50,000,000`` truncates the 52,428,800-byte mail,
  ``max_attachment_bytes = 25,000,000`` refuses the video;
- ``max_message_bytes = 10,000,000``: only 10 MB are ever fetched (the IMAP partial fetch);
- ``max_message_bytes = 60,000,000``: the whole mail is fetched, the video still refused.

It also checks the outcome: one case, one ack, the reason recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def big_mail(total: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Big Sender <big@customer.example>", "support@exchange.example", "Video"
    msg["Message-ID"] = f"<big.{total}.{time.time_ns()}@customer.example>"
    msg.set_content("My withdrawal is stuck, I recorded my screen, see the video.")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, maintype="image", subtype="png", filename="small.png")
    head = len(msg.as_bytes().replace(b"\n", b"\r\n"))
    video = os.urandom((total - head - 400) // 78 * 57)  # 57 bytes -> a base64 line of 76 + CRLF
    msg.add_attachment(video, maintype="video", subtype="mp4", filename="recording.mp4")
    raw = msg.as_bytes().replace(b"\n", b"\r\n")
    return raw + b" " * max(total - len(raw), 0)  # pad to the exact size (epilogue)


def child(config: str) -> None:
    """One poll in this process; prints JSON with the memory figures."""
    from mailbridge.database import make_engine
    from mailbridge.pipeline import poll_once
    from mailbridge.settings import load_settings

    settings = load_settings(config)
    engine = make_engine(settings.database.url)
    before = rss_mb()
    started = time.monotonic()
    summary = poll_once(settings, engine)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    from sqlmodel import Session, select

    from mailbridge.models import Attachment, Message
    with Session(engine) as s:
        message = s.exec(select(Message)).one()
        attachments = {a.filename: a.refused_reason or "saved" for a in s.exec(select(Attachment)).all()}
    print(json.dumps({"before_mb": before, "peak_mb": peak, "seconds": seconds, "new_cases": summary.new_cases,
                      "acks_sent": summary.acks_sent, "quarantined": summary.quarantined,
                      "stored_raw": len(message.raw), "raw_size": message.raw_size,
                      "defects": [d for d in message.defects if d.startswith("truncated")],
                      "attachments": attachments}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=50.0, help="message size in MiB")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    from mailbridge.devservers import DovecotServer, SmtpSink, append_messages

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from kill_cycles import write_config

    size = int(args.mb * 1024 * 1024)
    raw = big_mail(size)
    print(f"message: {len(raw):,} bytes")
    scenarios = [("default limits (50,000,000 / 25,000,000)", {}),
                 ("max_message_bytes = 10,000,000", {"max_message_bytes": 10_000_000}),
                 ("max_message_bytes = 60,000,000", {"max_message_bytes": 60_000_000})]
    failed = False
    with DovecotServer(tls=False) as dovecot, SmtpSink() as sink:
        for name, storage in scenarios:
            directory = Path(tempfile.mkdtemp(prefix="mbbig-"))
            user = dovecot.new_user("big")
            append_messages(dovecot.host, dovecot.port, user, dovecot.password, "INBOX", [raw])
            config = write_config(directory, dovecot, user, sink, f"sqlite:///{directory}/mb.db")
            text = config.read_text().replace('log_level = "debug"', 'log_level = "warning"')
            text += "[storage]\n" if "[storage]" not in text else ""
            text = text.replace("[storage]\n", "[storage]\n" + "".join(f"{k} = {v}\n" for k, v in storage.items()))
            config.write_text(text)
            out = subprocess.run([sys.executable, __file__, "--child", str(config)], capture_output=True, text=True,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
            if out.returncode:
                print(out.stderr[-3000:])
                failed = True
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            extra = r["peak_mb"] - r["before_mb"]
            ok = r["new_cases"] == 1 and r["acks_sent"] == 1 and r["quarantined"] == 0
            failed |= not ok
            print(f"{name}:\n  peak RSS {r['peak_mb']:.0f} MB = {r['before_mb']:.0f} MB before the poll "
                  f"+ {extra:.0f} MB ({extra / (len(raw) / 1e6):.1f}x the message); {r['seconds']:.1f}s\n"
                  f"  stored {r['stored_raw']:,} of {r['raw_size']:,} bytes; {r['defects'] or 'not truncated'}\n"
                  f"  attachments: {r['attachments']}\n  case opened and acknowledged: {ok}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
