"""Digests in the subscriber's zone and language, written as of the digest slot: event times
converted and labelled, a session already held never offered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.digest import digest_sweep
from feeds.factmodel import Event, Facts
from feeds.model import Announcement
from state import announcements, outbox
from state.alerts import record_alert
from state.subscribers import add_subscriber, update_subscriber

T0 = datetime(2026, 4, 20, 11, 30, tzinfo=UTC)
FACTS = Facts(
    title="AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds",
    csms_number="68396594", prefix="AVAILABLE NOW",
    events=(Event("webinar", datetime.fromisoformat("2026-04-21T13:00:00-04:00"), "webinar April 21", zone="EDT",
                  url="https://teams.example/0421"),
            Event("webinar", datetime.fromisoformat("2026-04-28T13:00:00-04:00"), "webinar April 28", zone="EDT",
                  url="https://teams.example/0428")),
)  # fmt: skip


def _setup(db, *, lang: str, tz: str) -> int:
    sid = add_subscriber(db, name="A", channel="console", address="a", now=T0 - timedelta(days=3),
                         language=lang, timezone=tz).id  # fmt: skip
    update_subscriber(db, sid, digest="daily", digest_time="08:00")
    ann = Announcement(key="csms:68396594", source="s", kind="csms_rss", ext_id="68396594", title=FACTS.title,
                       url="https://example.org/413a632", published=T0, body="")  # fmt: skip
    with db.atomic():
        announcements.store_new(db, [ann], now=T0, alertable_after=T0 - timedelta(days=1))
        announcements.mark_matched(db, ann.key, now=T0, topics=["ieepa_cape", "webinar"], facts=FACTS, summary_zh="摘要")
        record_alert(db, sid, ann.key, ["訂閱全部訊息"], now=T0, delivery="digest")
    return sid


def test_a_new_york_digest_after_the_first_webinar(db) -> None:
    sid = _setup(db, lang="zh-TW", tz="America/New_York")
    # 2026-04-22 08:00 in New York: the April 21 session is over.
    assert digest_sweep(db, datetime(2026, 4, 22, 12, 0, tzinfo=UTC)) == 1
    [msg] = [m for m in outbox.messages_for(db, sid) if m["kind"] == "digest"]
    text = msg["text"]
    assert "時間以美東時間 EDT表示" in text
    assert "CAPE 線上說明會（第 1 場）：4/21（二）13:00 美東時間 EDT（已舉行）" in text
    assert "teams.example/0421" not in text
    assert "CAPE 線上說明會（第 2 場）：4/28（二）13:00 美東時間 EDT（報名 https://teams.example/0428）" in text
    assert "台北時間" not in text
    assert "現已開放：IEEPA 關稅退款" in text  # the title in Chinese, not the English original


def test_an_english_digest_in_taipei(db) -> None:
    sid = _setup(db, lang="en", tz="Asia/Taipei")
    assert digest_sweep(db, datetime(2026, 4, 21, 0, 0, tzinfo=UTC)) == 1  # 08:00 Taipei, 04-21
    [msg] = [m for m in outbox.messages_for(db, sid) if m["kind"] == "digest"]
    assert msg["subject"].startswith("Daily digest 2026-04-21")
    assert "CAPE webinar (session 1 of 2): 4/22 (Wed) 01:00 Taipei time" in msg["text"]
    assert "register: https://teams.example/0421" in msg["text"]
    assert FACTS.title in msg["text"]
