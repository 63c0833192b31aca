"""Reminders worth reading: a webinar reminder in the subscriber's time with weekday, the
session's Chinese label, the registration link and the notice's notes — never a raw ISO time,
never 今天到期; an application period's reminder carries what one needs to apply."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.deadlines.event_reminders import plan_announcement_events
from bot.deadlines.reminders import sweep
from bot.understand.understanding import clean_body, understand
from feeds.model import Announcement
from state import announcements, outbox
from state.alerts import record_alert
from state.subscribers import add_subscriber

SAMPLES = Path(__file__).resolve().parent.parent / "feeds" / "samples"
CORPUS = Path(__file__).resolve().parent / "corpus"
T0 = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _cape_live() -> Announcement:
    import feedparser

    entry = next(e for e in feedparser.parse((SAMPLES / "csms_rss.xml").read_bytes()).entries if "68396594" in e.title)
    return Announcement(key="csms:68396594", source="cbp", kind="csms_rss", ext_id="68396594", title=entry.title,
                        url=entry.link, published=T0 - timedelta(hours=1), body=entry.description)  # fmt: skip


def _plan(db, ann: Announcement, *, lang: str = "zh-TW", tz: str = "Asia/Taipei", now: datetime = T0) -> int:
    sid = add_subscriber(db, name="A", channel="console", address=f"a-{lang}-{tz}", now=now, language=lang,
                         timezone=tz).id  # fmt: skip
    u = understand(ann, now=now)
    with db.atomic():
        announcements.store_new(db, [ann], now=now, alertable_after=now - timedelta(days=400))
        record_alert(db, sid, ann.key, ["x"], now=now)
        plan_announcement_events(db, ann.key, ann.title, u.facts, now=now, body=clean_body(ann.body), url=ann.url)
    return sid


def _reminders(db, sid: int) -> list[str]:
    return [m["text"] for m in outbox.messages_for(db, sid) if m["kind"] == "reminder"]


def test_webinar_reminder_reads_like_the_issue_asks(db) -> None:
    sid = _plan(db, _cape_live())
    sweep(db, datetime(2026, 4, 28, 1, 0, tzinfo=UTC))  # 04-28 09:00 Taipei: the day before the 2nd session
    [text] = [t for t in _reminders(db, sid) if "第 2 場" in t]
    assert "CAPE 線上說明會（第 2 場）" in text
    assert "4/29（三）01:00 台北時間（美東 4/28 13:00 EDT）" in text
    assert "https://teams.microsoft.com/l/meetup-join/cape-webinar-0428" in text
    assert "只需報名一場" in text
    assert not ISO.search(text) and "今天到期" not in text


def test_webinar_reminder_in_english_for_a_new_york_reader(db) -> None:
    sid = _plan(db, _cape_live(), lang="en", tz="America/New_York")
    sweep(db, datetime(2026, 4, 20, 13, 0, tzinfo=UTC))  # 09:00 New York, 04-20: day before session 1
    [text] = _reminders(db, sid)
    assert "CAPE webinar (session 1 of 2)" in text and "4/21 (Tue) 13:00 EDT" in text
    assert "register for only one session" in text
    assert "台北時間" not in text and not ISO.search(text)


def test_application_period_reminder_carries_what_applying_takes(db) -> None:
    body = (CORPUS / "001_seed_customs_incentive.txt").read_text(encoding="utf-8")
    ann = Announcement(key="guid:customs:1", source="customs-tw", kind="rss", ext_id="1", title="",
                       url="https://web.customs.gov.tw/x", published=datetime(2015, 8, 4, tzinfo=UTC), body=body,
                       language="zh-TW")  # fmt: skip
    sid = _plan(db, ann, now=datetime(2015, 8, 20, tzinfo=UTC))
    sweep(db, datetime(2015, 9, 1, 1, 0, tzinfo=UTC))  # opening day, 09:00 Taipei
    [text] = _reminders(db, sid)
    assert "申請期間 — 公告通關簽審第二階段即用系統上線獎勵申請相關事宜。" in text
    assert "2015-09-01（二） 至 2015-11-30（一）（今天開始受理）" in text
    assert "申請條件：" in text and "經單一窗口完成連線測試" in text
    assert "應備文件：" in text and "即用系統上線獎勵金申請書" in text
    assert "0800-299889" in text
    assert "今天到期" not in text
