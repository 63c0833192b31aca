"""An event that is over at the document's own date, or when the alert goes out, is never
announced or reminded as upcoming: explain marks it ``past: true`` (docs/EXPLAIN.md) and the
reminder planner plans nothing for it. Clock injected; no sleeping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.deadlines.event_reminders import event_plans, plan_announcement_events
from bot.understand.explain import explain_bytes
from bot.understand.understanding import understand
from feeds.model import Announcement
from state import reminders as store
from state.alerts import record_alert
from state.db import open_db
from state.subscribers import add_subscriber

CORPUS = Path(__file__).parent / "corpus"
OUTAGE_2015 = CORPUS / "109_csms_2015_air_outage_windows.txt"
TODAY = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_2015_outage_notice_explained_today_says_2015_and_every_time_is_past(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--now", TODAY.isoformat(), str(OUTAGE_2015)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["events"] and {e["start"][:4] for e in out["events"]} == {"2015"}
    assert all(e["past"] is True for e in out["events"])
    assert all(d["past"] is True for d in out["dates"])


def test_the_same_notice_read_before_the_outage_is_upcoming() -> None:
    out = explain_bytes(OUTAGE_2015.read_bytes(), now=datetime(2015, 6, 5, 12, 0, tzinfo=UTC))
    assert out["events"] and not any(e.get("past") for e in out["events"])


def test_an_event_over_at_the_letters_own_date_is_past_whatever_the_clock() -> None:
    letter = (
        "經濟部國際貿易署 函\n發文日期：中華民國115年4月24日\n發文字號：貿雙二字第1157012471號\n"
        "主旨：轉知美國海關CAPE說明會資訊，請查照。\n"
        "說明：一、本署第一場說明會已於4月21日下午1時舉行。二、第二場說明會訂於4月28日下午1時舉行。\n"
    ).encode()
    out = explain_bytes(letter, now=datetime(2026, 4, 1, tzinfo=UTC))  # a clock before the letter
    past = {e["start"]: e.get("past", False) for e in out["events"]}
    assert past == {"2026-04-21T13:00:00+08:00": True, "2026-04-28T13:00:00+08:00": False}


def _ann(path: Path) -> Announcement:
    return Announcement(
        key="csms:15-000333", source="csms", kind="csms_rss", ext_id="15-000333", title="",
        url="https://www.customsmobile.com/notices/docview?doc_id=15-000333",
        published=TODAY, body=path.read_text(encoding="utf-8"),
    )  # fmt: skip


def test_reminder_planning_plans_nothing_for_a_2015_notice_processed_today() -> None:
    u = understand(_ann(OUTAGE_2015), now=TODAY)
    assert u.facts.events and all(e.past for e in u.facts.events)
    plans = event_plans("csms:15-000333", "Air outage", u.facts, tz="Asia/Taipei")
    assert plans and all(p.past_at <= TODAY for p in plans)
    db = open_db(":memory:")
    sid = add_subscriber(db, name="a", channel="console", address="a", now=TODAY, timezone="Asia/Taipei").id
    db.execute(
        "INSERT INTO announcements (key, source, kind, ext_id, title, url, published, first_seen_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        ["csms:15-000333", "s", "csms", "15-000333", "Air outage", "https://x", TODAY.isoformat(), TODAY.date().isoformat()],
    )
    record_alert(db, sid, "csms:15-000333", ["topic"], now=TODAY)
    with db.atomic():
        plan_announcement_events(db, "csms:15-000333", "Air outage", u.facts, now=TODAY)
    assert store.items_of(db, sid) == []
    db.close()
