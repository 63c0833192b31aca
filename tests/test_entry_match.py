"""Announcements matched to tracked entries, and the service's match + remind sweeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import service as service_mod
from bot.config import Config, RemindersConfig
from bot.deadlines.entry_match import match_entries, match_text
from bot.deadlines.tracker import Rules, track_entries
from bot.service import Service
from bot.understand.understanding import TopicHit, Understanding
from feeds.factmodel import Facts
from feeds.model import Announcement
from state import announcements, outbox
from state import reminders as store
from state.db import open_db
from state.subscribers import add_subscriber, subscribe
from state.tracking import TrackedEntry, UsEntry

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
RULES = Rules(RemindersConfig())


def ann(key: str = "csms:68396594", title: str = "CAPE Phase 1 is live", body: str = "") -> Announcement:
    return Announcement(key=key, source="cbp-csms-rss", kind="csms", ext_id=key.split(":")[1],
                        title=title, url="https://content.govdelivery.com/x", published=NOW, body=body)  # fmt: skip


@pytest.fixture
def db():
    d = open_db(":memory:")
    yield d
    d.close()


def _setup(db) -> tuple[int, int, int]:
    a = add_subscriber(db, name="A", channel="console", address="a", now=NOW).id
    b = add_subscriber(db, name="B", channel="console", address="b", now=NOW, language="en").id
    c = add_subscriber(db, name="C", channel="console", address="c", now=NOW).id
    track_entries(db, a, [
        TrackedEntry(UsEntry("ABC-1234567-6", entry_date=date(2026, 1, 5), ieepa=True), ("9903.01.25",)),
        TrackedEntry(UsEntry("999-9999999-0", entry_date=date(2025, 6, 2), liquidation_date=date(2026, 4, 10),
                             liquidation_status="liquidated", ieepa=True)),
    ], rules=RULES, now=NOW)  # fmt: skip
    track_entries(db, b, [TrackedEntry(UsEntry("ABC-1234567-6", entry_date=date(2026, 1, 5)),
                                       ("8471.30.0100",))], rules=RULES, now=NOW)  # fmt: skip
    return a, b, c


def test_cape_announcement_counts_ieepa_entries_and_gives_nearest_dates(db) -> None:
    a, b, c = _setup(db)
    hits = match_entries(db, ann(), ["ieepa_cape"], Facts(), rules=RULES, today=NOW.date())
    assert set(hits) == {a}
    m = hits[a]
    assert len(m.entries) == 2 and m.cape_eligible == 2
    assert m.nearest_cape is not None and m.nearest_cape.date == date(2026, 6, 29)  # 2026-04-10 + 80
    assert m.nearest_protest is not None and m.nearest_protest.date == date(2026, 10, 7)  # + 180
    text = match_text(ann(), m, lang="zh-TW")
    assert "2 筆" in text and "2026-06-29" in text and "原因" in text


def test_hts_prefix_matches_tracked_entries_and_says_why(db) -> None:
    a, b, c = _setup(db)
    hits = match_entries(db, ann("fr:2026-1", "Tariff changes", ""), [], Facts(hts=("8471.30",)),
                         rules=RULES, today=NOW.date())  # fmt: skip
    assert set(hits) == {b}
    assert "8471.30" in hits[b].reason_en and "HTS" in hits[b].reason_en
    text = match_text(ann("fr:2026-1", "Tariff changes"), hits[b], lang="en")
    assert text.startswith("📦 Your entries") and "Why:" in text
    # A longer announced number still matches a shorter tracked prefix.
    hits = match_entries(db, ann("fr:2", "x"), [], Facts(hts=("9903.01.25.10",)), rules=RULES, today=NOW.date())
    assert set(hits) == {a}


async def test_service_match_queues_entry_message_and_plans_event_reminders(db, monkeypatch) -> None:
    a, b, c = _setup(db)
    subscribe(db, a, "all", "", now=NOW)
    with db.atomic():
        announcements.store_new(db, [ann()], now=NOW, alertable_after=datetime(2026, 1, 1, tzinfo=UTC))
    facts = Facts.from_json({"events": [{"kind": "webinar", "start": "2026-04-21T13:00:00-04:00", "label": "CAPE 說明會"}],
                             "dates": [], "hts": [], "csms_number": "68396594"})  # fmt: skip
    monkeypatch.setattr(service_mod, "understand",
                        lambda a_, now=None: Understanding((TopicHit("ieepa_cape", "t"),), facts, "摘要"))  # fmt: skip
    svc = Service(Config(), db, {})
    assert [s.name for s in svc.sweeps] == ["poll", "match", "remind", "digest", "drain", "prune"]
    await svc.match(NOW)
    kinds = sorted(m["kind"] for m in outbox.messages_for(db, a))
    assert kinds == ["alert", "entry_match"]
    assert "event:csms:68396594:0" in {r["item_key"] for r in store.items_of(db, a)}
    stats = await svc.remind(datetime(2026, 4, 21, 16, 0, tzinfo=UTC))
    assert stats.queued >= 1
    await svc.match(NOW)  # a second match run changes nothing
    assert len([m for m in outbox.messages_for(db, a) if m["kind"] == "entry_match"]) == 1
    await svc.close()


async def test_service_cycle_delivers_a_due_reminder_once(db, monkeypatch) -> None:
    import io

    from bot.delivery.channels.console import ConsoleChannel

    a, _, _ = _setup(db)
    config = Config.model_validate({"sources": []})
    stream = io.StringIO()
    svc = Service(config, db, {"console": ConsoleChannel(stream)})
    # 999-9999999-0 liquidated 2026-04-10: CAPE last day 2026-06-29, d7 = 06-22 09:00 Taipei.
    when = datetime(2026, 6, 22, 1, 0, tzinfo=UTC)
    first = await svc.cycle(when)
    assert first["remind"].queued >= 1
    again = await svc.cycle(when)
    assert again["remind"].queued == 0
    printed = stream.getvalue()
    assert printed.count("999-9999999-0 CAPE") == 1 and "還有 7 天" in printed
    assert {m["status"] for m in outbox.messages_for(db, a) if m["kind"] == "reminder"} == {"sent"}
    await svc.close()


def test_drawback_refund_notice_does_not_touch_ieepa_entries(db) -> None:
    a, b, c = _setup(db)
    drawback = ann("guid:tw:1", "外銷品沖退原料稅退稅作業說明", "請廠商至沖退稅系統查詢退稅進度。")
    assert match_entries(db, drawback, ["tw_customs", "drawback"], Facts(), rules=RULES, today=NOW.date()) == {}
    article = ann("guid:x:2", "美國收緊小額免稅通關規定", "援引國際緊急經濟權力法（IEEPA）之行政命令……")
    assert match_entries(db, article, ["de_minimis"], Facts(), rules=RULES, today=NOW.date()) == {}
