"""Admin CLI for digests, calendar links and associations (公會).

``run.py subscriber set``, ``run.py calendar-url`` and ``run.py association …``; wired into
``bot/cli/main.py``. Every command is non-interactive and prints JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bot.associations.audit import write_audit_csv
from bot.cli import reach as cli_reach
from bot.cli.subscribers import check_subscription, known_sources
from bot.config import Config
from bot.quiet import parse_quiet
from bot.web.urls import calendar_url
from feeds.errors import UserError
from state import associations as store
from state.subscribers import (
    DIGEST_MODES,
    SUBSCRIPTION_KINDS,
    require_subscriber,
    rotate_tokens,
    subscribe,
    update_subscriber,
)

COMMANDS = ("association", "calendar-url")


def add_parsers(sub: argparse._SubParsersAction, subscriber_actions: argparse._SubParsersAction) -> None:
    st = subscriber_actions.add_parser("set", help="digest, digest time, quiet hours, language, zone")
    st.add_argument("id", type=int)
    st.add_argument("--digest", choices=DIGEST_MODES)
    st.add_argument("--digest-time", help="HH:MM, the subscriber's local time")
    st.add_argument("--quiet", help="e.g. 22:00-08:00, or 'off'")
    st.add_argument("--lang", choices=["zh-TW", "en"])
    st.add_argument("--tz")

    rt = subscriber_actions.add_parser(
        "rotate-tokens", help="new calendar and unsubscribe secrets; every old link stops working"
    )
    rt.add_argument("id", type=int)

    cu = sub.add_parser("calendar-url", help="a subscriber's private calendar (ICS) URL")
    cu.add_argument("id", type=int)

    a = sub.add_parser("association", help="associations (公會): roster, filters, approvals, audit")
    acts = a.add_subparsers(dest="action", required=True)
    c = acts.add_parser("create")
    c.add_argument("--name", required=True)
    c.add_argument("--prefix", required=True, help="發文字號 prefix, e.g. 車工")
    c.add_argument("--letterhead", default="")
    c.add_argument("--mode", choices=store.MODES, default="approval")
    c.add_argument("--json", action="store_true")
    ls = acts.add_parser("list")
    ls.add_argument("--json", action="store_true")
    m = acts.add_parser("mode")
    m.add_argument("id", type=int)
    m.add_argument("mode", choices=store.MODES)
    ad = acts.add_parser("admin-add")
    ad.add_argument("id", type=int)
    ad.add_argument("--telegram")
    ad.add_argument("--email")
    ma = acts.add_parser("member-add")
    ma.add_argument("id", type=int)
    ma.add_argument("--firm", required=True)
    ma.add_argument("--telegram", action="append", default=[])
    ma.add_argument("--email", action="append", default=[])
    ma.add_argument("--line", action="append", default=[], help="the member's LINE user id (U…)")
    im = acts.add_parser("import-members", help="roster CSV (UTF-8 or Big5): firm, telegram, email")
    im.add_argument("id", type=int)
    im.add_argument("file")
    ms = acts.add_parser("members")
    ms.add_argument("id", type=int)
    ms.add_argument("--json", action="store_true")
    fl = acts.add_parser("filter", help="what the association forwards (like subscribe)")
    fl.add_argument("id", type=int)
    g = fl.add_mutually_exclusive_group(required=True)
    g.add_argument("--all", action="store_true")
    for kind in SUBSCRIPTION_KINDS[1:]:
        g.add_argument(f"--{kind}")
    pe = acts.add_parser("pending", help="forwards awaiting approval")
    pe.add_argument("id", type=int)
    pe.add_argument("--json", action="store_true")
    for name in ("approve", "skip", "edit"):
        p = acts.add_parser(name)
        p.add_argument("forward", type=int)
        p.add_argument("--by", required=True, help="the admin acting: telegram:<chat id> or email:<address>")
        if name == "edit":
            src = p.add_mutually_exclusive_group(required=True)
            src.add_argument("--text")
            src.add_argument("--file")
    au = acts.add_parser("audit", help="audit log and delivery results as CSV")
    au.add_argument("id", type=int)
    au.add_argument("--out", help="file to write (default: stdout)")
    cli_reach.add_association_parsers(acts)


def _out(data: object, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str) if as_json else text)


def run_subscriber_set(db: Database, args: argparse.Namespace) -> None:
    require_subscriber(db, args.id)
    fields: dict[str, str | None] = {}
    if args.digest:
        fields["digest"] = args.digest
    if args.digest_time:
        m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", args.digest_time.strip())
        if not m:
            raise UserError(
                f"摘要時間格式應為 HH:MM，收到「{args.digest_time}」", f"digest time looks like 08:00, got {args.digest_time!r}"
            )
        fields["digest_time"] = f"{int(m.group(1)):02d}:{m.group(2)}"
    if args.quiet:
        if args.quiet != "off":
            parse_quiet(args.quiet)  # raises a bilingual error when malformed
        fields["quiet_hours"] = None if args.quiet == "off" else args.quiet.strip()
    if args.lang:
        fields["language"] = args.lang
    if args.tz:
        from bot.config import _check_timezone

        try:
            fields["timezone"] = _check_timezone(args.tz)
        except ValueError:
            raise UserError(f"未知的時區：{args.tz}", f"unknown time zone: {args.tz}") from None
    update_subscriber(db, args.id, **fields)
    print(f"updated subscriber #{args.id}: " + (", ".join(f"{k}={v}" for k, v in fields.items()) or "nothing"))


def run_rotate_tokens(db: Database, config: Config, args: argparse.Namespace) -> None:
    """A leaked calendar link or unsubscribe link is revoked by giving the subscriber new ones."""
    sub = rotate_tokens(db, args.id)
    print(calendar_url(config.http.public_url, sub.token))
    print(f"rotated tokens of subscriber #{sub.id}: the old calendar URL and unsubscribe link no longer work",
          file=sys.stderr)  # fmt: skip


def run(cmd: str, args: argparse.Namespace, db: Database, config: Config, now: datetime) -> None:
    if cmd == "calendar-url":
        sub = require_subscriber(db, args.id)
        print(calendar_url(config.http.public_url, sub.token))
        return
    from bot.associations import forwarding as assoc  # the letter renderer loads only here

    act = args.action
    if act == "create":
        a = store.create_association(
            db, name=args.name, ref_prefix=args.prefix, letterhead=args.letterhead, mode=args.mode, now=now
        )
        _out(asdict(a), args.json, f"created association #{a.id} {a.name} (subscriber #{a.subscriber_id}, {a.mode})")
    elif act == "list":
        rows = [asdict(a) for a in store.list_associations(db)]
        _out(rows, args.json, "\n".join(f"#{r['id']} {r['name']} mode={r['mode']}" for r in rows) or "no associations")
    elif act == "mode":
        store.require_association(db, args.id)
        store.set_mode(db, args.id, args.mode)
        print(f"association #{args.id} mode={args.mode}")
    elif act == "admin-add":
        if not (args.telegram or args.email):
            raise UserError("請指定 --telegram 或 --email", "give --telegram or --email")
        for channel, address in (("telegram", args.telegram), ("email", args.email)):
            if address:
                store.add_admin(db, args.id, channel, address)
                print(f"admin {channel}:{address} added to association #{args.id}")
    elif act == "member-add":
        contacts = [("telegram", t) for t in args.telegram] + [("email", e) for e in args.email]
        contacts += [("line", u) for u in args.line]
        if not contacts:
            raise UserError("請至少指定一個 --telegram、--email 或 --line", "give at least one --telegram, --email or --line")
        store.require_association(db, args.id)
        with db.atomic():
            mid, created = store.add_member(db, args.id, args.firm, contacts, now=now)
        print(f"member #{mid} {'added' if created else 'updated'}")
    elif act == "import-members":
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise UserError(f"無法讀取檔案 {args.file}", f"cannot read {args.file}: {exc.strerror}") from None
        report = assoc.import_roster(db, args.id, data, now)
        print(f"added={report.added} updated={report.updated} duplicates={len(report.duplicates)} errors={len(report.errors)}")
        for line in report.duplicates + report.errors:
            print("  " + line)
    elif act == "members":
        store.require_association(db, args.id)
        rows = store.members(db, args.id)
        _out(rows, args.json, "\n".join(f"#{r['id']} {r['firm']} [{r['contacts']}]" + (" (opted out)" if r["opted_out_at"] else "") for r in rows) or "no members")
    elif act == "filter":
        a = store.require_association(db, args.id)
        kind, value = ("all", "") if args.all else next(
            (k, getattr(args, k)) for k in SUBSCRIPTION_KINDS[1:] if getattr(args, k)
        )
        check_subscription(kind, value, known_sources(db, config))
        subscribe(db, a.subscriber_id, kind, value, now=now)
        print(f"association #{a.id} forwards {kind}:{value}")
    elif act == "pending":
        store.require_association(db, args.id)
        rows = [asdict(f) for f in store.forwards(db, args.id, "awaiting_approval")]
        _out(rows, args.json, "\n".join(f"#{r['id']} {r['ref_no']} {r['subject']}" for r in rows) or "nothing pending")
    elif act == "approve":
        n = assoc.approve(db, config, args.forward, args.by, now)
        print(f"forward #{args.forward} approved: {n} member messages queued")
    elif act == "skip":
        assoc.skip(db, args.forward, args.by, now)
        print(f"forward #{args.forward} skipped")
    elif act == "edit":
        text = args.text if args.text is not None else Path(args.file).read_text(encoding="utf-8")
        assoc.edit(db, args.forward, args.by, text, now, config)
        print(f"forward #{args.forward} edited; a new preview was sent to the admins")
    elif act == "console-url":
        cli_reach.console_url(db, config, args.id, args.by, now)
    elif act == "audit":
        store.require_association(db, args.id)
        rows = store.audit_rows(db, args.id)
        if args.out:
            with open(args.out, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads it
                write_audit_csv(fh, rows)
        else:
            write_audit_csv(sys.stdout, rows)
