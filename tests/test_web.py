"""The HTTP side: calendar (ICS) feeds, health, member opt-out; tokens are unguessable."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import aiohttp
import icalendar

from bot.alerts import digest
from bot.web.app import make_app, start_server
from feeds.factmodel import Facts
from feeds.model import Announcement
from state import announcements, sources
from state.alerts import record_alert
from state.associations import add_member, create_association
from state.db import open_db
from state.subscribers import add_subscriber
from tests.conftest import NOW
from tests.smtpserver import free_port

FACTS = {
    "events": [
        {"kind": "webinar", "start": "2026-04-21T13:00:00-04:00", "label": "CAPE webinar"},
        {"kind": "webinar", "start": "2026-04-28T13:00:00-04:00", "end": "2026-04-28T14:30:00-04:00",
         "label": "CAPE webinar"},
        {"kind": "maintenance", "start": "2026-04-25T23:00:00", "label": "ACE maintenance"},
    ],
    "dates": [
        {"kind": "range_start", "date": "2015-09-01", "label": "上線獎勵之申請期程為104年9月1日起至104年11月30日止"},
        {"kind": "range_end", "date": "2015-11-30", "label": "上線獎勵之申請期程為104年9月1日起至104年11月30日止"},
    ],
}


def _seed(db, facts=FACTS):
    sub = add_subscriber(db, name="報關行", channel="file", address="b", now=NOW)
    ann = Announcement(
        key="csms:68396594", source="s", kind="csms_rss", ext_id="68396594", title="CAPE available",
        url="https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632", published=NOW,
    )  # fmt: skip
    with db.atomic():
        announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
        announcements.mark_matched(db, ann.key, now=NOW, topics=["ieepa_cape"], facts=Facts.from_json(facts), summary_zh="摘要")
        record_alert(db, sub.id, ann.key, ["all"], now=NOW)
    return sub


async def _get(url: str, method: str = "GET"):
    async with aiohttp.ClientSession() as http, http.request(method, url) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.read()


async def test_calendar_feed_is_valid_ics_with_real_zones_and_stable_uids(tmp_path, monkeypatch):
    db = open_db(tmp_path / "w.db")
    sub = _seed(db)
    monkeypatch.setattr(
        digest, "DEADLINE_PROVIDERS",
        [lambda db, sid, today: [digest.Deadline("cape_last_day", date(2026, 8, 20), "L+80",
                                                  title="CAPE 申報截止 ABC-1234567-6")]],
    )  # fmt: skip
    import bot.web.app as web

    monkeypatch.setattr(web, "DEADLINE_PROVIDERS", digest.DEADLINE_PROVIDERS)
    port = free_port()
    runner = await start_server(make_app(db, clock=lambda: NOW), f"127.0.0.1:{port}")
    try:
        url = f"http://127.0.0.1:{port}/calendar/{sub.token}.ics"
        status, ctype, body = await _get(url)
        assert status == 200 and ctype.startswith("text/calendar")
        cal = icalendar.Calendar.from_ical(body)
        events = list(cal.walk("VEVENT"))
        assert len(events) == 5
        webinars = sorted(e.decoded("dtstart") for e in events if "線上說明會" in str(e["summary"]))
        # Sessions are named as the alert names them, never by the raw line they were found in.
        assert {str(e["summary"]).split(" — ")[0] for e in events if "線上說明會" in str(e["summary"])} == {
            "CAPE 線上說明會（第 1 場）", "CAPE 線上說明會（第 2 場）"}
        assert [w.isoformat() for w in webinars] == ["2026-04-21T13:00:00-04:00", "2026-04-28T13:00:00-04:00"]
        assert str(webinars[0].tzinfo) in ("America/New_York", "UTC-04:00") or webinars[0].utcoffset() == timedelta(hours=-4)
        second = next(e for e in events if "線上說明會" in str(e["summary"]) and e.decoded("dtstart").day == 28)
        assert second.decoded("dtend") - second.decoded("dtstart") == timedelta(minutes=90)
        assert "TZID=America/New_York" in body.decode()
        floating = next(e for e in events if "系統維護" in str(e["summary"]))
        assert "未註明時區" in str(floating["summary"])  # no zone in the text: never guessed
        period = next(e for e in events if "申請期間" in str(e["summary"]))
        assert period.decoded("dtstart") == date(2015, 9, 1) and period.decoded("dtend") == date(2015, 12, 1)
        assert any(e.decoded("dtstart") == date(2026, 8, 20) for e in events)
        uids = {str(e["uid"]): int(e["sequence"]) for e in events}
        assert set(uids.values()) == {0}

        # Unchanged: same UIDs, same SEQUENCE. Changed: SEQUENCE bumps for that entry only.
        _, _, again = await _get(url)
        assert {str(e["uid"]): int(e["sequence"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")} == uids
        changed = json.loads(json.dumps(FACTS))
        changed["events"][0]["start"] = "2026-04-21T14:00:00-04:00"
        db.execute("UPDATE announcements SET facts = ? WHERE key = 'csms:68396594'", [json.dumps(changed)])
        _, _, third = await _get(url)
        seqs = {str(e["uid"]): int(e["sequence"]) for e in icalendar.Calendar.from_ical(third).walk("VEVENT")}
        assert set(seqs) == set(uids) and sorted(seqs.values()) == [0, 0, 0, 0, 1]

        # A forged or truncated token learns nothing.
        for bad in (sub.token[:-1] + ("A" if sub.token[-1] != "A" else "B"), "x", "../../etc/passwd"):
            status, _, body = await _get(f"http://127.0.0.1:{port}/calendar/{bad}.ics")
            assert status == 404 and b"BEGIN:VCALENDAR" not in body
    finally:
        await runner.cleanup()


async def test_health_reports_sources_backlog_and_sweeps(tmp_path):
    db = open_db(tmp_path / "h.db")
    sources.sync_sources(db, [("csms", "csms_rss", "https://x.test/feed")])
    sources.record_failure(db, "csms", now=NOW, next_poll_at=NOW + timedelta(minutes=1), error="timeout: slow")
    port = free_port()
    app = make_app(db, clock=lambda: NOW, last_sweeps=lambda: {"poll": NOW})
    runner = await start_server(app, f"127.0.0.1:{port}")
    try:
        status, ctype, body = await _get(f"http://127.0.0.1:{port}/health")
    finally:
        await runner.cleanup()
    data = json.loads(body)
    assert status == 200 and ctype.startswith("application/json")
    assert data["sources"][0]["last_error"] == "timeout: slow"
    assert data["sources"][0]["consecutive_failures"] == 1
    assert data["last_sweeps"]["poll"] == NOW.isoformat()
    assert data["outbox"] == {}


async def test_member_opt_out_page_and_forged_token(tmp_path):
    db = open_db(tmp_path / "o.db")
    a = create_association(db, name="公會", ref_prefix="公", now=NOW)
    with db.atomic():
        add_member(db, a.id, "<script>alert(1)</script>廠商", [("email", "m@x.tw")], now=NOW)
    token = next(db.query("SELECT token FROM members"))["token"]
    port = free_port()
    runner = await start_server(make_app(db, clock=lambda: NOW), f"127.0.0.1:{port}")
    try:
        status, _, page = await _get(f"http://127.0.0.1:{port}/optout/{token}")
        assert status == 200 and b"<script>alert" not in page and b"&lt;script&gt;" in page
        assert (await _get(f"http://127.0.0.1:{port}/optout/{token}x", "POST"))[0] == 404
        assert (await _get(f"http://127.0.0.1:{port}/optout/{token}", "POST"))[0] == 200
    finally:
        await runner.cleanup()
    assert next(db.query("SELECT opted_out_at FROM members"))["opted_out_at"] is not None


def test_calendar_of_an_english_reader_names_sessions_once_in_english(tmp_path) -> None:
    """The reader's own session reminders are not doubled as all-day entries on another day."""
    from bot.deadlines.event_reminders import plan_announcement_events
    from bot.web.app import calendar_entries
    from state.subscribers import update_subscriber

    db = open_db(tmp_path / "e.db")
    sub = _seed(db)
    update_subscriber(db, sub.id, language="en", timezone="America/New_York")
    with db.atomic():
        plan_announcement_events(db, "csms:68396594", "CAPE available", Facts.from_json(FACTS), now=NOW)
    from state.subscribers import get_subscriber

    entries = calendar_entries(db, get_subscriber(db, sub.id), NOW.date())
    sessions = [e for e in entries if "webinar" in e["summary"]]
    assert [e["summary"].split(" — ")[0] for e in sessions] == ["CAPE webinar (session 1 of 2)",
                                                               "CAPE webinar (session 2 of 2)"]
    assert all(isinstance(e["start"], datetime) for e in sessions)  # at their time, not all-day
    period = next(e for e in entries if e["summary"].startswith("Application period — "))
    assert period["start"] == date(2015, 9, 1)
