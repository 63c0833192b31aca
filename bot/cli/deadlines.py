"""Admin CLI for the deadlines capability: deadlines, track, untrack, import-entries,
export-cape, done, deadlines-of. Kept in one block so ``bot/cli/main.py`` changes stay tiny."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from sqlite_utils import Database

from bot.cli.clock import NOW_HELP
from bot.config import Config
from bot.deadlines.calculators import (
    LIQUIDATION_STATUSES,
    TW_EXPLICIT_KINDS,
    TW_RULES,
    us_entry_deadlines,
)
from bot.deadlines.calendars import parse_date
from bot.deadlines.csv_entries import cape_batches, errors_message, parse_csv, write_cape_files
from bot.deadlines.entries import parse_entry_number
from bot.deadlines.reminders import REMINDED_US_KINDS, parse_offsets, parse_time_of_day
from bot.deadlines.tracker import Rules, track_custom, track_entries, track_tw
from feeds.errors import UserError
from state import reminders as reminder_store
from state import tracking
from state.db import open_db
from state.subscribers import require_subscriber
from state.tracking import TrackedEntry, UsEntry

COMMANDS = (
    "deadlines", "track", "untrack", "import-entries", "export-cape", "done", "deadlines-of",
    "remind-settings",
)  # fmt: skip


def _date(text: str) -> date:
    return parse_date(text)


def _entry_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--entry-date", help="entry date (2026-03-02 or 115/03/02)")
    p.add_argument("--release", help="release date")
    p.add_argument("--liquidated", help="liquidation date (known)")
    p.add_argument("--status", choices=LIQUIDATION_STATUSES, help="liquidation status")
    p.add_argument("--type", dest="entry_type", help="entry type, e.g. 01")
    p.add_argument("--ieepa", action="store_true", help="IEEPA duties were paid on this entry")
    p.add_argument("--summary-filed", action="store_true", help="entry summary already filed")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("deadlines", help="print the computed deadlines of one entry as JSON (nothing stored)")
    d.add_argument("entry")
    _entry_args(d)
    d.add_argument("--today", help="date CAPE rules are applied on (default: today)")

    t = sub.add_parser("track", help="track a U.S. entry, a Taiwanese declaration (--tw) or a custom date (--custom)")
    t.add_argument("--subscriber", type=int, required=True)
    t.add_argument("entry", nargs="?", help="U.S. entry number")
    _entry_args(t)
    t.add_argument("--hts", action="append", default=[], help="HTS number (repeatable)")
    t.add_argument("--port")
    t.add_argument("--label", help="IOR / broker / note")
    t.add_argument("--tw", help="Taiwanese 報單號碼, e.g. 'AA 9032006017'")
    t.add_argument("--kind", choices=[*TW_RULES, *TW_EXPLICIT_KINDS], help="Taiwanese deadline kind")
    t.add_argument("--base", help="date the Taiwanese period counts from (import, export, service)")
    t.add_argument("--custom", help="title of a custom reminder")
    t.add_argument("--due", help="explicit due date (Taiwanese notice or custom reminder)")
    t.add_argument("--time", help="custom reminder time HH:MM")

    u = sub.add_parser("untrack", help="stop tracking a U.S. entry")
    u.add_argument("--subscriber", type=int, required=True)
    u.add_argument("entry")

    i = sub.add_parser("import-entries", help="import U.S. entries from CSV (CAPE template or richer)")
    i.add_argument("file")
    i.add_argument("--subscriber", type=int, required=True)
    i.add_argument("--skip-bad", action="store_true", help="import the good rows, report the bad")

    e = sub.add_parser("export-cape", help="write CAPE upload CSVs (≤ 9,999 entries each)")
    e.add_argument("--subscriber", type=int, required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--today", help="eligibility date (default: today)")

    dn = sub.add_parser("done", help="mark a deadline 已處理 (stops its remaining reminders)")
    dn.add_argument("--subscriber", type=int, required=True)
    dn.add_argument("item", help="entry number, or an item key such as tw:3 / custom:2")
    dn.add_argument("--kind", choices=REMINDED_US_KINDS, help="only this deadline of the entry")

    rs = sub.add_parser("remind-settings", help="a subscriber's reminder offsets and time of day")
    rs.add_argument("--subscriber", type=int, required=True)
    rs.add_argument("--offsets", help="days before each deadline, e.g. 30,14,7,3,1,0")
    rs.add_argument("--time", help="local time of day, e.g. 09:00")
    rs.add_argument("--reset", action="store_true", help="back to the [reminders] defaults")

    lo = sub.add_parser("deadlines-of", help="list a subscriber's tracked deadlines")
    lo.add_argument("--subscriber", type=int, required=True)
    lo.add_argument("--json", action="store_true")
    for p in (d, t, i, e, dn, lo):  # the rehearsal clock (bot/cli/clock.py)
        p.add_argument("--now", help=NOW_HELP)


def _entry_from_args(args: argparse.Namespace, number: str) -> UsEntry:
    liq = _date(args.liquidated) if args.liquidated else None
    return UsEntry(
        entry_number=parse_entry_number(number),
        entry_type=args.entry_type.zfill(2) if args.entry_type else None,
        entry_date=_date(args.entry_date) if args.entry_date else None,
        release_date=_date(args.release) if args.release else None,
        summary_filed=args.summary_filed,
        liquidation_date=liq,
        liquidation_status=args.status or ("liquidated" if liq else "unliquidated"),
        ieepa=args.ieepa,
    )


def run(args: argparse.Namespace, config: Config, now: datetime) -> int:
    rules = Rules(config.reminders)
    if args.command == "deadlines":
        entry = _entry_from_args(args, args.entry)
        today = _date(args.today) if args.today else now.date()
        ds = us_entry_deadlines(entry, rules.us, rules.cape, today=today)
        print(json.dumps([d.as_json() for d in ds], ensure_ascii=False, indent=2))
        return 0
    db = open_db(config.service.database)
    require_subscriber(db, args.subscriber)
    if args.command == "track":
        return _track(db, args, rules, now)
    if args.command == "untrack":
        number = parse_entry_number(args.entry)
        tracking.remove_entry(db, args.subscriber, number)
        print(f"untracked {number}")
    elif args.command == "import-entries":
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise UserError(f"無法讀取檔案 {args.file}", f"cannot read {args.file}: {exc.strerror}") from None
        parsed = parse_csv(data)
        if parsed.errors and not args.skip_bad:
            raise errors_message(parsed.errors)
        n = track_entries(db, args.subscriber, parsed.entries, rules=rules, now=now)
        print(f"imported {n} entries ({parsed.format}, {parsed.encoding}); bad rows {len(parsed.errors)}")
        for e in parsed.errors[:20]:
            print(str(e))
    elif args.command == "export-cape":
        today = _date(args.today) if args.today else now.date()
        done = reminder_store.done_keys(db, args.subscriber)  # CAPE already filed (已處理)
        pending = [t for t in tracking.entries_of(db, args.subscriber)
                   if f"us:{t.entry.entry_number}:cape_last_day" not in done]  # fmt: skip
        batches = cape_batches(pending, rules.cape, today)
        paths = write_cape_files(batches, Path(args.out))
        total = sum(len(b) for b in batches)
        print(f"{total} CAPE-eligible entries in {len(paths)} file(s)")
        for p in paths:
            print(p)
    elif args.command == "done":
        key = args.item
        if not key.startswith(("tw:", "custom:", "event:", "period:", "date:", "us:")):
            key = f"us:{parse_entry_number(key)}"
        if args.kind:
            key = f"{key}:{args.kind}"
        entry_number = key[3:].split(":")[0] if key.startswith("us:") else ""
        if args.kind and entry_number and tracking.get_entry(db, args.subscriber, entry_number):
            with db.atomic():  # an entry without dates has no row yet: record done anyway
                reminder_store.insert_done_marker(db, args.subscriber, key, args.kind, now=now)
        n = reminder_store.mark_done(db, args.subscriber, key, now=now)
        print(f"已處理 / done: {key} ({n} deadline(s) stopped)")
    elif args.command == "remind-settings":
        current = reminder_store.get_settings(db, args.subscriber)
        if args.reset or args.offsets or args.time:
            offsets = None if args.reset else (parse_offsets(args.offsets) if args.offsets else current.offsets_days)
            at = None if args.reset else (args.time if args.time else current.time_of_day)
            if at is not None:
                parse_time_of_day(at)
            reminder_store.set_settings(db, args.subscriber, offsets_days=offsets, time_of_day=at)
            current = reminder_store.get_settings(db, args.subscriber)
        offsets = current.offsets_days or tuple(config.reminders.offsets_days)
        at = current.time_of_day or config.reminders.time_of_day
        print(f"offsets={','.join(map(str, offsets))} time={at} (applies to items tracked from now on)")
    elif args.command == "deadlines-of":
        sub = require_subscriber(db, args.subscriber)
        rows = reminder_store.items_of(db, args.subscriber)
        for r in rows:  # a CAPE day is planned only for an entry that can use CAPE
            if r["kind"] == "cape_last_day":
                r["eligible"] = True
        rows = sorted([*rows, *_cape_refusals(db, args.subscriber, rules, now.date(), {r["item_key"] for r in rows})],
                      key=_listed_order)  # fmt: skip
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            from bot.alerts.deadline_view import when_text  # the renderer loads only for a listing
            from bot.alerts.render import environment, in_lang

            macros = environment().get_template("_deadline.j2").module
            for r in rows:
                d = reminder_store.as_deadline(r)
                if d is not None and r.get("eligible") is False:
                    d = replace(d, eligible=False)
                when = when_text(d, sub.language, sub.timezone) if d else r["deadline"]
                title = str(macros.title(d, sub.language)).strip() if d else r["title"]  # type: ignore[attr-defined]
                if d is not None and d.eligible is not None:
                    shown = str(macros.eligibility(d, sub.language)).strip()  # type: ignore[attr-defined]
                    title += f" ({shown})" if sub.language.startswith("en") else f"（{shown}）"
                print(f"{when}  {r['status']:<12} {r['item_key']:<40} {title}")
                if r.get("note"):
                    print(f"    {in_lang(r['note'], sub.language)}")
            if not rows:
                print("no tracked deadlines" if sub.language.startswith("en") else "沒有追蹤中的期限")
    return 0


def _listed_order(row: dict) -> tuple[str, str]:
    """Soonest first by the day the item is about (an application period by its last day)."""
    d = reminder_store.as_deadline(row)
    return ((d.at.isoformat() if d.at else d.date.isoformat()) if d else str(row["deadline"]), row["item_key"])


def _cape_refusals(db: Database, subscriber_id: int, rules: Rules, today: date, have: set[str]) -> list[dict]:
    """The CAPE day of each tracked IEEPA entry that cannot use CAPE (its window closed before
    CAPE opened, or an exclusion), as ``deadlines`` shows it: ``"eligible": false`` with the
    route left. Such a day is never reminded, so it is not among the planned items."""
    out = []
    for t in tracking.entries_of(db, subscriber_id):
        if not t.entry.ieepa:
            continue
        key = f"us:{t.entry.entry_number}:cape_last_day"
        for d in us_entry_deadlines(t.entry, rules.us, rules.cape, today=today):
            if d.kind == "cape_last_day" and d.eligible is False and key not in have:
                out.append({
                    "item_key": key, "kind": d.kind, "title": f"{t.entry.entry_number} CAPE（IEEPA 關稅退款）申請最後一天",
                    "deadline": d.date.isoformat(), "basis": d.basis, "estimate": int(d.estimate),
                    "status": "not_eligible", "due_at": None, "act_by": None, "note": d.note, "link": "",
                    "eligible": False,
                })  # fmt: skip
    return out


def _track(db: Database, args: argparse.Namespace, rules: Rules, now: datetime) -> int:
    if args.tw:
        if not args.kind:
            raise UserError("請以 --kind 指定期限種類", "say which deadline with --kind")
        d = track_tw(
            db, args.subscriber, declaration_no=args.tw, kind=args.kind,
            base=_date(args.base) if args.base else None, due=_date(args.due) if args.due else None,
            label=args.label, rules=rules, now=now,
        )  # fmt: skip
        print(json.dumps(d.as_json(), ensure_ascii=False))
    elif args.custom:
        if not args.due:
            raise UserError("自訂提醒需要 --due 日期", "a custom reminder needs --due")
        cid = track_custom(db, args.subscriber, title=args.custom, due=_date(args.due),
                           due_time=args.time, rules=rules, now=now)  # fmt: skip
        print(f"custom reminder custom:{cid}")
    else:
        if not args.entry:
            raise UserError("請提供報關單號、--tw 或 --custom", "give an entry number, --tw or --custom")
        entry = _entry_from_args(args, args.entry)
        track_entries(db, args.subscriber, [TrackedEntry(entry, tuple(args.hts), args.port, args.label)],
                      rules=rules, now=now)  # fmt: skip
        print(f"tracking {entry.entry_number}")
    return 0
