"""The demo: the real service on the bundled sample feeds, with three demo subscribers.

No token, no network: sources are ``file://`` samples, delivery is the console and a folder
of files. Runs two cycles — the second shows conditional fetch (nothing new, nothing resent).

A new source's first poll is a baseline (its feed's history is stored, not alerted). The
demo plays a service that has been watching these feeds already, so the samples' items are
the news that just arrived: its sources are seeded as baselined before the first cycle.

It runs on the rehearsal clock (``--now``), by default Saturday 2026-04-25 09:00 Taipei time,
the week of the samples, when every sample item has been published: CBP's first CAPE webinar
is over, the second and the weekend's ACE maintenance still ahead, and the 貿易署 letter of
seed 000 has reached firms. Any other moment can be given; an item a sample feed publishes
after that moment does not exist yet and is left out, as ``once --now`` does.
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli.clock import running_clock
from bot.config import Config, FileChannelConfig, ServiceConfig
from bot.delivery.channels import build_channels
from bot.logsetup import setup_logging
from bot.service import Service
from feeds.dates import TAIPEI
from state import outbox, sources
from state.db import open_db
from state.subscribers import add_subscriber, list_subscribers, subscribe

# The week of the samples (see the module docstring); ``run.py demo --now`` picks another moment.
DEMO_NOW = datetime(2026, 4, 25, 1, 0, tzinfo=UTC)

DEMO_SUBSCRIBERS = (
    # name, channel, address, subscriptions
    ("台灣精密機械（進口商，追蹤 IEEPA／CAPE 退稅）", "console", "firm-machinery", [("topic", "ieepa_cape")]),
    ("永信報關行（ACE 系統與說明會）", "file", "broker-yongxin", [("topic", "ace"), ("keyword", "webinar")]),
    ("台灣區車輛工業同業公會（全部訊息）", "file", "association-tva", [("all", "")]),
)


def demo_config(out: Path) -> Config:
    return Config(
        service=ServiceConfig(database=str(out / "tradealert.db"), alert_max_age=3650 * 86400, log_level="WARNING"),
        file=FileChannelConfig(directory=str(out / "outbox")),
    )


async def run_demo(out: Path, now: datetime | None = None) -> int:
    if out.exists():
        shutil.rmtree(out)
    config = demo_config(out)
    setup_logging(config.service.log_level, config.secrets())
    db = open_db(config.service.database)
    now = now or DEMO_NOW
    for name, channel, address, subs in DEMO_SUBSCRIBERS:
        sub = add_subscriber(db, name=name, channel=channel, address=address, now=now)
        for kind, value in subs:
            subscribe(db, sub.id, kind, value, now=now)
    service = Service(config, db, build_channels(config, stream=sys.stdout), clock=running_clock(now), rehearsal=True)
    with db.atomic():  # watched before: the samples are news, not a new feed's history
        for src in config.sources:
            sources.mark_baselined(db, src.name, now)
    print("tradealert 關務快訊 — demo on the bundled sample feeds (no network, no token)")
    print(f"rehearsal clock 演練時間: {now.astimezone(TAIPEI):%Y-%m-%d %H:%M} 台北時間 (run.py demo --now …)\n")
    try:
        first = await service.cycle(now, force=True)
        second = await service.cycle(now + timedelta(minutes=2), force=True)
    finally:
        await service.close()
    poll1, poll2 = first["poll"], second["poll"]
    print("═" * 60)
    print(
        f"第一輪 first cycle: sources={len(poll1.polled)} new announcements={poll1.new_items} "  # type: ignore[attr-defined]
        f"alerts queued={first['match']} delivered={first['drain'].sent}"  # type: ignore[attr-defined]
    )
    print(
        f"第二輪 second cycle: not modified={len(poll2.not_modified)} new={poll2.new_items} "  # type: ignore[attr-defined]
        f"queued={second['match']} delivered={second['drain'].sent}"  # type: ignore[attr-defined]
    )
    print("\n各訂閱者收到 what each demo subscriber received:")
    for sub in list_subscribers(db):
        rows = outbox.messages_for(db, sub.id)
        print(f"  #{sub.id} {sub.name} [{sub.channel}]: {len(rows)} 則 messages")
        for r in rows:
            print(f"      - {r['subject'][:90]}")
    print(f"\nFiles: {Path(config.file.directory).resolve()}")
    print(f"Database: {Path(config.service.database).resolve()}")
    rows = outbox.messages_for(db, 1)
    cape = next((r for r in rows if r["message_key"] == "alert:csms:68396594"), None)
    shown = cape or next(iter(rows), None)
    if shown:
        import json

        print(f"\n純文字 plain text of subscriber #1's alert {shown['message_key']}:\n")
        print(shown["text"])
        print(f"\nTelegram HTML of the same alert ({len(json.loads(shown['html']))} part(s)):\n")
        print("\n\n— next part —\n\n".join(json.loads(shown["html"])))
    return 0
