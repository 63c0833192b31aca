"""Benchmark: a simulated year — 10,000 subscribers, 30 announcements a day — through the
real match, digest, remind and prune sweeps, with retention at its default (90 days).

Each simulated day: the digest sweep at 08:00 Taipei, 30 announcements stored and matched
(real understanding, index matching, fan-out, deadline hooks), every due message marked
delivered (one ``deliveries`` row each, as the worker writes — set-wise here, since the
channels are not what is measured), the reminder sweep, the prune sweep. Every
``--every`` days it prints the sweep times and the database size, so one can see whether
they stay flat once retention starts deleting (day 91 on).

    .venv/bin/python bench/bench_year.py                         # 365 days, ~30–60 min
    .venv/bin/python bench/bench_year.py --days 120 --subscribers 2000   # quicker look
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import add_subscribers, dumps, fresh_db_path, load_average  # noqa: E402

from bot.config import Config, RetentionConfig  # noqa: E402
from bot.service import Service  # noqa: E402
from feeds.model import Announcement  # noqa: E402
from state import announcements  # noqa: E402
from state.db import iso, open_db  # noqa: E402
from state.reminders import recipients_of_announcement  # noqa: E402

START = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)  # 08:00 in Taipei
# (title, body, language): one topic each (CAPE, 232, de minimis, 301, AD/CVD, quota, ACE,
# Taiwanese customs); the CAPE one names a webinar once a day (event reminders).
TEMPLATES = [
    ("CSMS # {n} - GUIDANCE: CAPE Phase 1 for IEEPA refunds",
     "Importers may file CAPE declarations for IEEPA duty refunds on unliquidated entries.", "en"),
    ("CSMS # {n} - Section 232 duties on steel and aluminum derivatives",
     "New Section 232 steel derivative products under HTS 7326.90 are subject to additional duties.", "en"),
    ("CSMS # {n} - De minimis shipments: changes to Section 321 entry",
     "The de minimis exemption for low-value shipments changes; Section 321 entries must include HTS.", "en"),
    ("CSMS # {n} - Section 301 exclusions extended", "USTR extended certain Section 301 exclusions.", "en"),
    ("CSMS # {n} - AD/CVD case updates",
     "Antidumping and countervailing duty case A-583-837 liquidation instructions were issued.", "en"),
    ("CSMS # {n} - Tariff-rate quota opening", "The tariff-rate quota period for sugar opens.", "en"),
    ("CSMS # {n} - ACE scheduled maintenance", "ACE will be unavailable for scheduled maintenance.", "en"),
    ("關務署公告 第{n}號：進口貨物報關規定修正", "財政部關務署公告修正進口貨物報關相關規定，自即日起生效。", "zh-TW"),
]  # fmt: skip
WEBINAR = " A webinar will be held on {day} at 1:00 PM ET."


def day_announcements(day: int, per_day: int, at: datetime) -> list[Announcement]:
    out = []
    for i in range(per_day):
        n = day * per_day + i
        title, body, lang = TEMPLATES[i % len(TEMPLATES)]
        if i == 0:  # one webinar a day, a week ahead
            body += WEBINAR.format(day=(at + timedelta(days=7)).strftime("%B %-d, %Y"))
        out.append(Announcement(key=f"csms:{70_000_000 + n}", source="cbp-csms-rss", kind="csms_rss",
                                ext_id=str(70_000_000 + n), title=title.format(n=70_000_000 + n),
                                url=f"https://content.govdelivery.com/b/{n:x}", language=lang,
                                published=at + timedelta(minutes=i), body=body))  # fmt: skip
    return out


def deliver_due(db, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """What the worker leaves behind for each delivered row: status sent, one attempt row."""
    at = iso(now)
    with db.atomic():
        db.execute(
            "INSERT INTO deliveries (outbox_id, attempt, at, outcome, detail) SELECT id, 1, ?, 'sent', 'message_id=4242'"
            " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?",
            [at, at],
        )
        cur = db.execute(
            "UPDATE outbox SET status = 'sent', attempts = 1, sent_at = ? WHERE status = 'pending' AND next_attempt_at <= ?",
            [at, at],
        )
    return cur.rowcount


def counts(db) -> dict:  # type: ignore[no-untyped-def]
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("outbox", "alerts", "deliveries", "reminders")}  # fmt: skip


async def main_async(args: argparse.Namespace) -> int:
    path = fresh_db_path(args.db)
    db = open_db(path)
    # The sweeps' own work, not the disk's: no fsync per commit (synchronous=OFF) here.
    db.execute("PRAGMA synchronous=OFF")
    add_subscribers(db.conn, args.subscribers)
    db.execute("UPDATE subscribers SET digest = 'daily' WHERE id % 500 = 0")  # some take a daily digest
    config = Config(sources=(), retention=RetentionConfig(days=args.retention_days))
    svc = Service(config, db, {}, clock=lambda: START, rng=random.Random(1))
    print(f"subscribers={args.subscribers:,} per_day={args.per_day} days={args.days} retention={args.retention_days}d"
          f" load={load_average()}")  # fmt: skip
    header = ("day", "db_MB", "used_MB", "outbox", "alerts", "deliveries", "reminders", "match_ms/ann",
              "lookup_ms", "digest_ms", "remind_ms", "prune_ms", "idle_match_ms", "alerts/day")  # fmt: skip
    print(" | ".join(header))
    window: dict[str, list[float]] = {}
    started = time.perf_counter()
    for day in range(args.days):
        morning = START + timedelta(days=day)
        t = {}
        t0 = time.perf_counter()
        await svc.digest(morning)
        t["digest"] = time.perf_counter() - t0
        noon = morning + timedelta(hours=4)
        anns = day_announcements(day, args.per_day, noon)
        with db.atomic():
            announcements.store_new(db, anns, now=noon, alertable_after=noon - timedelta(days=14))
        t0 = time.perf_counter()
        await svc.match(noon)
        t["match"] = (time.perf_counter() - t0) / len(anns)
        t0 = time.perf_counter()
        recipients_of_announcement(db, anns[-1].key)
        t["lookup"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        await svc.match(noon)  # nothing new
        t["idle_match"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        await svc.remind(noon + timedelta(hours=8))
        t["remind"] = time.perf_counter() - t0
        delivered = deliver_due(db, noon + timedelta(hours=8))
        t0 = time.perf_counter()
        await svc.prune(noon + timedelta(hours=9))
        t["prune"] = time.perf_counter() - t0
        for k, v in t.items():
            window.setdefault(k, []).append(v * 1000)
        window.setdefault("delivered", []).append(delivered)
        if (day + 1) % args.every == 0 or day + 1 == args.days:
            pages, free, size = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size"))
            c = counts(db)
            row = [day + 1, round(pages * size / 1e6), round((pages - free) * size / 1e6), c["outbox"], c["alerts"],
                   c["deliveries"], c["reminders"]] + [round(sum(window[k]) / len(window[k]), 1) for k in
                  ("match", "lookup", "digest", "remind", "prune", "idle_match")] + [round(sum(window["delivered"]) / len(window["delivered"]))]  # fmt: skip
            print(" | ".join(str(x) for x in row), flush=True)
            window.clear()
    live = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("outbox", "alerts", "deliveries",
                                                                               "reminders", "renderings", "announcements")}  # fmt: skip
    print("rows at the end:", dumps(live))
    print(f"elapsed {time.perf_counter() - started:.0f} s, load={load_average()}")
    await svc.close()
    db.close()
    return 0


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--per-day", type=int, default=30)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--retention-days", type=int, default=90)
    p.add_argument("--every", type=int, default=15, help="print a row every this many days")
    p.add_argument("--db", default="var/bench/year.db")
    return asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
