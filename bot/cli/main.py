"""The command line: service, one-shot cycle, demo, and the non-interactive admin commands.

Exit codes: 0 success, 2 a user error (message in 繁體中文 and English on stderr), 75 the
database stayed locked by another process (nothing changed; try again), 3 `once` polled
sources and every one failed, 1 a bug.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import deadlines as cli_deadlines
from bot.cli import mail as cli_mail
from bot.cli import reach as cli_reach
from bot.cli import subscribers as cli_subscribers
from bot.cli.clock import NOW_HELP, fixed_clock, parse_now, running_clock
from bot.clock import utc_now
from bot.config import Config, load_config, parse_duration
from bot.logsetup import setup_logging
from feeds.errors import UserError
from feeds.hts import parse_hts_prefix
from state import outbox, sources
from state.db import is_busy, open_db
from state.subscribers import (
    SUBSCRIPTION_KINDS,
    add_subscriber,
    list_subscribers,
    remove_subscriber,
    require_subscriber,
    subscribe,
    subscriptions_of,
    unsubscribe,
)

log = logging.getLogger("tradealert")
EXIT_BUSY = 75  # sysexits EX_TEMPFAIL: the database stayed locked; the command may be retried


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run.py", description="tradealert 關務快訊")
    p.add_argument("--config", help="TOML config file (default: ./config.toml if present, else built-in defaults)")
    p.add_argument("--db", help="override service.database")
    sub = p.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the service until SIGINT/SIGTERM (the default)")
    serve.add_argument("--now", help=NOW_HELP)
    once = sub.add_parser("once", help="run one full cycle (poll, match, deliver) and exit")
    once.add_argument("--force", action="store_true", help="poll every source even if not due")
    once.add_argument("--now", help=NOW_HELP)
    once.add_argument(
        "--time-limit", type=_seconds, metavar="DURATION",
        help="deliver what is due for at most this long (default: delivery.once_time_limit, 10m)",
    )  # fmt: skip
    demo = sub.add_parser("demo", help="run on the bundled samples and show what demo subscribers get")
    demo.add_argument("--out", default="var/demo", help="folder for the demo database and files")
    demo.add_argument("--now", help=NOW_HELP + "; default 2026-04-25T09:00:00+08:00, the samples' week")
    sub.add_parser("check-config", help="validate the configuration and exit")
    ex = sub.add_parser("explain", help="print the understanding of one raw announcement as JSON")
    ex.add_argument("file", help="text, HTML or RSS/Atom file; '-' reads stdin")
    ex.add_argument("--now", help=NOW_HELP)
    src = sub.add_parser("sources", help="list sources with their health")
    src.add_argument("--json", action="store_true")
    ob = sub.add_parser("outbox", help="outbox backlog by status")
    ob.add_argument("--json", action="store_true")

    sp = sub.add_parser("subscriber", help="add, list, show or remove subscribers")
    sps = sp.add_subparsers(dest="action", required=True)
    add = sps.add_parser("add")
    add.add_argument("--name", required=True)
    add.add_argument("--channel", required=True, choices=["console", "file", "telegram", "email", "line"])
    add.add_argument("--address", required=True, help="chat id, e-mail address, LINE user id (U…), or any label for console/file")
    add.add_argument("--lang", default="zh-TW", choices=["zh-TW", "en"])
    add.add_argument("--tz", default="Asia/Taipei")
    add.add_argument("--json", action="store_true")
    lst = sps.add_parser("list")
    lst.add_argument("--json", action="store_true")
    show = sps.add_parser("show")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    rm = sps.add_parser("remove")
    rm.add_argument("id", type=int)
    cli_mail.add_parsers(sub, sps)
    cli_reach.add_parsers(sps)
    cli_subscribers.add_parsers(sub, sps)  # bulk import, topic ids

    for name in ("subscribe", "unsubscribe"):
        s = sub.add_parser(name, help=f"{name} a subscriber to a topic, keyword, source, HTS prefix or all")
        s.add_argument("id", type=int)
        g = s.add_mutually_exclusive_group(required=True)
        g.add_argument("--all", action="store_true")
        for kind in SUBSCRIPTION_KINDS[1:]:
            g.add_argument(f"--{kind}")
    cli_deadlines.add_parsers(sub)  # deadlines capability (issue 5)
    return p


def _seconds(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _config(args: argparse.Namespace) -> Config:
    path = args.config or ("config.toml" if Path("config.toml").exists() else None)
    config = load_config(path)
    if args.db:
        config = config.model_copy(update={"service": config.service.model_copy(update={"database": args.db})})
    return config


def _print(data: object, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str) if as_json else text)


def _subscription_arg(args: argparse.Namespace) -> tuple[str, str]:
    if args.all:
        return "all", ""
    for kind in SUBSCRIPTION_KINDS[1:]:
        if getattr(args, kind):
            value = getattr(args, kind)
            return kind, parse_hts_prefix(value) if kind == "hts" and args.command == "subscribe" else value
    raise UserError("請指定訂閱內容", "say what to subscribe to")


def run_command(args: argparse.Namespace) -> int:
    cmd = args.command or "serve"
    if cmd == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(Path(args.out), parse_now(args.now) if args.now else None))
    now = parse_now(args.now) if getattr(args, "now", None) else None
    if cmd == "explain":
        from bot.understand.explain import run_explain

        return run_explain(args.file, now=now)
    config = _config(args)
    setup_logging(config.service.log_level, config.secrets())
    if cmd == "topics":
        cli_subscribers.run_topics(args.json)
        return 0
    if cmd == "check-config":
        print(f"ok: {len(config.sources)} sources, database {config.service.database}")
        return 0
    if cmd == "serve":
        from bot.cli.service import serve  # the service loads only when it runs

        return asyncio.run(serve(config, running_clock(now) if now else utc_now, rehearsal=now is not None))
    if cmd == "once":
        from bot.cli.service import once

        clock = fixed_clock(now) if now else utc_now
        return asyncio.run(once(config, args.force, args.time_limit, clock, rehearsal=now is not None))
    if cmd in cli_deadlines.COMMANDS:
        return cli_deadlines.run(args, config, now or utc_now())
    db = open_db(config.service.database)
    now = now or utc_now()
    if cmd == "sources":
        sources.sync_sources(db, [(c.name, c.kind, c.url) for c in config.sources])
        rows = [_asdict(s) for s in sources.all_sources(db)]
        text = "\n".join(
            f"{r['name']:<24} {r['last_status'] or 'never':<12} failures={r['consecutive_failures']}"
            f" last_success={r['last_success_at'] or '-'} error={r['last_error'] or '-'}"
            for r in rows
        )
        line_row = cli_reach.line_quota_row(db, config, now)
        if line_row is not None:
            rows.append(line_row)
            text += "\n" + cli_reach.quota_text(line_row)
        _print(rows, args.json, text)
    elif cmd == "outbox":
        counts = outbox.backlog(db)
        _print(counts, args.json, " ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "empty")
    elif cmd == "subscriber":
        if args.action == "add":
            s = add_subscriber(
                db, name=args.name, channel=args.channel, address=args.address, now=now,
                language=args.lang, timezone=args.tz,
            )  # fmt: skip
            _print(_asdict(s), args.json, f"added subscriber #{s.id} {s.name} ({s.channel}:{s.address})")
        elif args.action == "list":
            subs = list_subscribers(db)
            rows = [{**_asdict(s), "subscriptions": [f"{x.kind}:{x.value}" for x in subscriptions_of(db, s.id)]} for s in subs]
            text = "\n".join(
                f"#{r['id']:<5} {r['channel']:<9} {r['address']:<24} {r['status']:<7} {r['name']}  "
                f"[{', '.join(r['subscriptions'])}]"
                for r in rows
            )
            _print(rows, args.json, text or "no subscribers")
        elif args.action == "show":
            s = require_subscriber(db, args.id)
            row = {**_asdict(s), "subscriptions": [f"{x.kind}:{x.value}" for x in subscriptions_of(db, s.id)]}
            _print(row, args.json, "\n".join(f"{k}: {v}" for k, v in row.items()))
        elif args.action == "remove":
            remove_subscriber(db, args.id)
            print(f"removed subscriber #{args.id}")
        elif args.action == "set":
            cli_mail.run_subscriber_set(db, args)
        elif args.action == "link-code":
            cli_reach.link_code(db, args.id, now)
        elif args.action == "rotate-tokens":
            cli_mail.run_rotate_tokens(db, config, args)
        elif args.action == "import":
            cli_subscribers.run_import(db, config, args.file, as_json=args.json, now=now)
    elif cmd in cli_mail.COMMANDS:
        cli_mail.run(cmd, args, db, config, now)
    elif cmd in ("subscribe", "unsubscribe"):
        kind, value = _subscription_arg(args)
        if cmd == "subscribe":
            require_subscriber(db, args.id)
            cli_subscribers.check_subscription(kind, value, cli_subscribers.known_sources(db, config))
            changed = subscribe(db, args.id, kind, value, now=now)
            print(f"subscribed #{args.id} to {kind}:{value}" + ("" if changed else " (already)"))
        else:
            changed = unsubscribe(db, args.id, kind, value)
            if not changed:
                raise UserError(f"訂閱者 #{args.id} 沒有此訂閱", f"subscriber #{args.id} has no {kind}:{value}")
            print(f"unsubscribed #{args.id} from {kind}:{value}")
    return 0


def _asdict(obj: object) -> dict:
    from dataclasses import asdict

    return asdict(obj)  # type: ignore[call-overload]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run_command(args)
    except UserError as exc:
        print(f"錯誤：{exc.zh}\nerror: {exc.en}", file=sys.stderr)
        return 2
    except sqlite3.OperationalError as exc:
        if not is_busy(exc):
            return unexpected(exc)
        # Another process held the write lock longer than busy_timeout; nothing of this
        # command's failed transaction was written. EX_TEMPFAIL: try again.
        print("錯誤：資料庫忙碌中（另一個程序正在寫入），本次未變更任何資料，請稍後再試\n"
              "error: the database is busy (another process is writing); nothing was changed, "
              "try again", file=sys.stderr)  # fmt: skip
        return EXIT_BUSY
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `run.py deadlines … | head`: the reader left. Quiet, as Unix tools are: point stdout
        # at devnull so the interpreter's final flush does not raise again (Python docs, SIGPIPE).
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        return unexpected(exc)


def unexpected(exc: Exception) -> int:
    """A failure that is not the user's: its traceback goes through logging, whose handler
    redacts every configured secret; the terminal gets one line. Why not Python's own
    traceback: it knows no secrets, and python-telegram-bot's ``InvalidToken`` carries the bot
    token in its message."""
    from telegram.error import InvalidToken

    if isinstance(exc, InvalidToken):
        print("錯誤：Telegram 不接受這個 bot token，請檢查 [telegram] token 或 TRADEALERT_TELEGRAM_TOKEN\n"
              "error: Telegram refused the bot token; check [telegram] token or TRADEALERT_TELEGRAM_TOKEN",
              file=sys.stderr)  # fmt: skip
        return 2
    log.critical("unexpected failure: %s", type(exc).__name__, exc_info=exc)
    print(f"錯誤：未預期的錯誤（{type(exc).__name__}），詳情見上方紀錄\n"
          f"error: unexpected failure ({type(exc).__name__}); the log above has the details", file=sys.stderr)  # fmt: skip
    return 1
