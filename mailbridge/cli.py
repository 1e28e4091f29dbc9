"""Command line: ``mailbridge run|poll|check|cases|show|export|quarantine|replay|parse|demo``.

Exit codes mean something: 0 success; 1 the operation failed (a server or the database
unreachable, a check that failed, a case not found); 2 bad usage or bad configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable

from mailbridge import compiled
from mailbridge.errors import ConfigError, MailbridgeError, TransientError
from mailbridge.settings import Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    from mailbridge.logs import setup_logging

    settings = load_settings(args.config)
    level = "debug" if getattr(args, "verbose", False) else settings.daemon.log_level
    setup_logging(level, settings.daemon.log_format,
                  secrets=[settings.imap.resolved_password(), settings.smtp.resolved_password()])
    return settings


def _engine(settings: Settings):  # noqa: ANN202
    from mailbridge.database import make_engine

    return make_engine(settings.database.url)


def cmd_run(args: argparse.Namespace) -> int:
    from mailbridge.daemon import run_daemon

    settings = _settings(args)
    return run_daemon(settings, _engine(settings))


def cmd_poll(args: argparse.Namespace) -> int:
    from mailbridge.pipeline import poll_once

    settings = _settings(args)
    summary = poll_once(settings, _engine(settings))
    print(summary.line())
    return EXIT_FAILED if summary.errors else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from mailbridge.checks import run_checks

    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"config: FAILED: {exc}")
        return EXIT_USAGE
    print(f"config: ok ({args.config})")
    print(f"extraction: {compiled.describe()}")  # information: the Python sources work too, only slower
    failures = 0
    for name, problem in run_checks(settings):
        print(f"{name}: {'ok' if not problem else 'FAILED: ' + problem}")
        failures += bool(problem)
    return EXIT_FAILED if failures else EXIT_OK


def cmd_cases(args: argparse.Namespace) -> int:
    from mailbridge.database import session_scope
    from mailbridge.report import cases_table, format_table

    settings = _settings(args)
    with session_scope(_engine(settings)) as session:
        print(format_table(cases_table(session, args.status, args.limit)))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from mailbridge.database import session_scope
    from mailbridge.report import find_case, show_case

    settings = _settings(args)
    with session_scope(_engine(settings)) as session:
        case = find_case(session, args.case)
        if case is None:
            print(f"no case {args.case}", file=sys.stderr)
            return EXIT_FAILED
        print(show_case(session, case, settings.mailbox.support_address))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from mailbridge.database import session_scope
    from mailbridge.report import export

    settings = _settings(args)
    with session_scope(_engine(settings)) as session:
        data = export(session, settings.mailbox.support_address)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return EXIT_OK


def cmd_quarantine(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from mailbridge.database import session_scope
    from mailbridge.models import Quarantined
    from mailbridge.report import format_table, iso

    settings = _settings(args)
    with session_scope(_engine(settings)) as session:
        query = select(Quarantined).order_by(Quarantined.id)
        if not args.all:
            query = query.where(Quarantined.status == "held")
        rows = [["ID", "STATUS", "WHEN", "SOURCE", "REASON"]]
        rows += [[str(q.id), q.status, (iso(q.created_at) or "")[:16], q.source, q.reason[:100]]
                 for q in session.exec(query).all()]
    print(format_table(rows) if len(rows) > 1 else "quarantine is empty")
    return EXIT_OK


def cmd_replay(args: argparse.Namespace) -> int:
    from mailbridge.pipeline import replay_quarantined

    settings = _settings(args)
    summary = replay_quarantined(settings, _engine(settings), args.ids or None)
    print(summary.line())
    return EXIT_FAILED if summary.quarantined else EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    from mailbridge.explain import explain_file

    settings = load_settings(args.config) if args.config and Path(args.config).exists() else None
    print(json.dumps(explain_file(Path(args.file), settings), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from mailbridge.demo import run_demo

    return run_demo(Path(args.dir) if args.dir else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mailbridge", description="A support mailbox in, cases out.")
    sub = parser.add_subparsers(dest="command", required=True)
    default_config = os.environ.get("MAILBRIDGE_CONFIG", "config.toml")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str, config: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        if config:
            p.add_argument("-c", "--config", default=default_config, help="TOML file (default: %(default)s)")
            p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
        p.set_defaults(func=func)
        return p

    add("run", cmd_run, "run the daemon: poll every poll_interval until SIGTERM/SIGINT")
    add("poll", cmd_poll, "run one poll cycle (fetch, process, send) and exit")
    add("check", cmd_check, "validate the config and try IMAP login, SMTP and the database")
    p = add("cases", cmd_cases, "list cases, newest first")
    p.add_argument("--status", choices=["open", "waiting", "resolved"])
    p.add_argument("--limit", type=int, default=50)
    p = add("show", cmd_show, "show one case with its messages")
    p.add_argument("case", help="case number, e.g. MB-000123")
    p = add("export", cmd_export, "export cases, messages and the quarantine")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p = add("quarantine", cmd_quarantine, "list quarantined messages and why")
    p.add_argument("--all", action="store_true", help="include replayed ones")
    p = add("replay", cmd_replay, "run quarantined messages through the pipeline again")
    p.add_argument("ids", nargs="*", type=int, help="quarantine ids (default: all held)")
    p = add("parse", cmd_parse, "parse one .eml file and print what mailbridge extracts, as JSON", config=False)
    p.add_argument("file")
    p.add_argument("-c", "--config", default=None, help="TOML file for extraction rules (optional)")
    p = add("demo", cmd_demo, "run the whole flow on local servers with sample mail", config=False)
    p.add_argument("--dir", help="keep the demo's files here (default: a temporary folder)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"mailbridge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TransientError as exc:
        print(f"mailbridge: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except MailbridgeError as exc:
        print(f"mailbridge: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
