"""Reminders: schedules in the subscriber's zone, the exactly-once sweep, late and past rules,
done stops, a kill mid-sweep, DST edges for event reminders. Clock injected; no sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import RemindersConfig
from bot.deadlines import reminders
from bot.deadlines.event_reminders import event_plans, plan_announcement_events
from bot.deadlines.reminders import deadline_row, offset_schedule, sweep
from bot.deadlines.tracker import Rules, track_custom, track_entries
from feeds.factmodel import Facts
from state import outbox
from state import reminders as store
from state.alerts import record_alert
from state.db import open_db
from state.subscribers import add_subscriber, update_subscriber
from state.tracking import TrackedEntry, UsEntry

T0 = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
TPE = ZoneInfo("Asia/Taipei")
NY = ZoneInfo("America/New_York")


@pytest.fixture
def db():
    d = open_db(":memory:")
    yield d
    d.close()


def _sub(db, tz: str = "Asia/Taipei", address: str = "a") -> int:
    return add_subscriber(db, name=address, channel="console", address=address, now=T0, timezone=tz).id


def _messages(db, sid: int) -> list[dict]:
    return [m for m in outbox.messages_for(db, sid) if m["kind"] == "reminder"]


def test_offset_schedule_is_at_nine_local_on_each_offset_day() -> None:
    sched = offset_schedule(date(2026, 6, 30), tz="Asia/Taipei")
    assert [label for label, _ in sched] == ["d30", "d14", "d7", "d3", "d1", "d0"]
    assert sched[-1][1] == datetime(2026, 6, 30, 9, 0, tzinfo=TPE)
    assert sched[-1][1].astimezone(UTC) == datetime(2026, 6, 30, 1, 0, tzinfo=UTC)


def test_offset_schedule_keeps_local_time_across_dst_start_and_end() -> None:
    spring = dict(offset_schedule(date(2026, 3, 10), tz="America/New_York", offsets=(7, 0)))
    assert spring["d7"].astimezone(UTC).hour == 14  # 09:00 EST
    assert spring["d0"].astimezone(UTC).hour == 13  # 09:00 EDT
    autumn = dict(offset_schedule(date(2026, 11, 3), tz="America/New_York", offsets=(3, 0)))
    assert autumn["d3"].astimezone(UTC).hour == 13  # 2026-10-31 09:00 EDT
    assert autumn["d0"].astimezone(UTC).hour == 14  # 09:00 EST


def test_sweep_sends_each_reminder_once_on_time(db) -> None:
    sid = _sub(db)
    row = deadline_row(sid, "custom:1", "custom", "AEO 重新認證", date(2026, 6, 30), tz="Asia/Taipei",
                       offsets=(7, 0), now=T0)  # fmt: skip
    with db.atomic():
        store.upsert(db, [row], now=T0)
    first = datetime(2026, 6, 23, 1, 0, tzinfo=UTC)
    assert sweep(db, first - timedelta(seconds=1)).queued == 0
    assert sweep(db, first).queued == 1
    assert sweep(db, first + timedelta(minutes=5)).queued == 0
    msgs = _messages(db, sid)
    assert len(msgs) == 1 and "還有 7 天" in msgs[0]["text"] and "逾時補發" not in msgs[0]["text"]
    assert sweep(db, datetime(2026, 6, 30, 1, 0, tzinfo=UTC)).queued == 1
    assert "今天到期" in _messages(db, sid)[-1]["text"]
    assert sweep(db, datetime(2026, 7, 5, tzinfo=UTC)).queued == 0
    assert len(_messages(db, sid)) == 2


def test_after_downtime_missed_reminders_go_out_once_marked_late(db) -> None:
    sid = _sub(db)
    row = deadline_row(sid, "custom:1", "custom", "協會截止", date(2026, 6, 30), tz="Asia/Taipei", now=T0)
    with db.atomic():
        store.upsert(db, [row], now=T0)
    # Down from before d30 (05-31) until after d7 (06-23): one late message, for d7.
    stats = sweep(db, datetime(2026, 6, 24, 3, 0, tzinfo=UTC))
    assert (stats.queued, stats.late) == (1, 1)
    msgs = _messages(db, sid)
    assert len(msgs) == 1
    assert msgs[0]["text"].startswith("（逾時補發）")
    assert "還有 6 天" in msgs[0]["text"]
    # The next one (d3) is on time again.
    assert sweep(db, datetime(2026, 6, 27, 1, 0, tzinfo=UTC)).late == 0


def test_a_past_deadline_is_never_announced_as_upcoming(db) -> None:
    sid = _sub(db)
    row = deadline_row(sid, "custom:1", "custom", "x", date(2026, 6, 30), tz="Asia/Taipei", now=T0)
    with db.atomic():
        store.upsert(db, [row], now=T0)
    stats = sweep(db, datetime(2026, 7, 2, tzinfo=UTC))  # down over the whole schedule
    assert (stats.queued, stats.expired) == (0, 1)
    assert _messages(db, sid) == []
    assert store.items_of(db, sid)[0]["status"] == "expired"


def test_tracking_a_deadline_in_the_past_plans_nothing(db) -> None:
    sid = _sub(db)
    rules = Rules(RemindersConfig())
    old = UsEntry("ABC-1234567-6", entry_date=date(2025, 1, 2), release_date=date(2025, 1, 2),
                  liquidation_date=date(2025, 11, 1), liquidation_status="liquidated", ieepa=True)  # fmt: skip
    track_entries(db, sid, [TrackedEntry(old)], rules=rules, now=T0)
    # entry summary, PSC and CAPE days are past; only the protest (2026-04-30) … also past.
    assert [r["kind"] for r in store.items_of(db, sid)] == []


def test_done_stops_remaining_reminders(db) -> None:
    sid = _sub(db)
    rules = Rules(RemindersConfig())
    entry = UsEntry("ABC-1234567-6", entry_date=date(2026, 4, 1), release_date=date(2026, 4, 28),
                    ieepa=True)  # fmt: skip
    track_entries(db, sid, [TrackedEntry(entry)], rules=rules, now=T0)
    kinds = {r["kind"] for r in store.items_of(db, sid)}
    assert {"entry_summary_due", "psc_last_day", "cape_last_day", "protest_last_day"} <= kinds
    assert store.mark_done(db, sid, "us:ABC-1234567-6:entry_summary_due", now=T0) == 1
    sweep(db, datetime(2026, 5, 12, 2, 0, tzinfo=UTC))  # summary due 05-12: would have fired
    assert not [m for m in _messages(db, sid) if "7501" in m["text"]]
    assert store.mark_done(db, sid, "us:ABC-1234567-6", now=T0) == 3
    sweep(db, datetime(2028, 1, 1, tzinfo=UTC))
    assert _messages(db, sid) == []
    # Re-tracking the same entry does not resurrect done items.
    track_entries(db, sid, [TrackedEntry(entry)], rules=rules, now=T0)
    assert {r["status"] for r in store.items_of(db, sid)} == {"done"}


def test_reminders_respect_quiet_hours(db) -> None:
    sid = _sub(db)
    update_subscriber(db, sid, quiet_hours="08:00-10:00")
    with db.atomic():
        store.upsert(db, [deadline_row(sid, "custom:1", "custom", "x", date(2026, 6, 30),
                                       tz="Asia/Taipei", offsets=(0,), now=T0)], now=T0)  # fmt: skip
    sweep(db, datetime(2026, 6, 30, 1, 0, tzinfo=UTC))
    [msg] = _messages(db, sid)
    assert msg["next_attempt_at"].startswith("2026-06-30T02:00")  # 10:00 Taipei


def test_custom_reminder_at_given_time(db) -> None:
    sid = _sub(db)
    track_custom(db, sid, title="C-TPAT 重新驗證", due=date(2026, 9, 1), due_time="14:30",
                 rules=Rules(RemindersConfig(offsets_days=(0,))), now=T0)  # fmt: skip
    assert sweep(db, datetime(2026, 9, 1, 6, 29, tzinfo=UTC)).queued == 0
    assert sweep(db, datetime(2026, 9, 1, 6, 30, tzinfo=UTC)).queued == 1


def test_kill_between_sweep_and_outbox_loses_nothing_and_doubles_nothing(db, monkeypatch) -> None:
    sid = _sub(db)
    rows = [deadline_row(sid, f"custom:{i}", "custom", f"item {i}", date(2026, 6, 30),
                         tz="Asia/Taipei", offsets=(7, 0), now=T0) for i in range(5)]  # fmt: skip
    with db.atomic():
        store.upsert(db, rows, now=T0)
    real = outbox.enqueue
    calls = {"n": 0}

    def dying_enqueue(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("killed")  # the process dies mid-sweep
        return real(*a, **kw)

    monkeypatch.setattr(reminders.outbox, "enqueue", dying_enqueue)
    when = datetime(2026, 6, 23, 1, 0, tzinfo=UTC)
    with pytest.raises(SystemExit):
        sweep(db, when)
    assert _messages(db, sid) == []  # rolled back with the reminders' advance
    monkeypatch.setattr(reminders.outbox, "enqueue", real)
    assert sweep(db, when).queued == 5
    assert sweep(db, when).queued == 0
    assert len(_messages(db, sid)) == 5
    assert len({m["message_key"] for m in _messages(db, sid)}) == 5


def test_sweep_in_small_batches_covers_everything(db) -> None:
    sid = _sub(db)
    rows = [deadline_row(sid, f"custom:{i}", "custom", "x", date(2026, 6, 30), tz="Asia/Taipei",
                         offsets=(0,), now=T0) for i in range(25)]  # fmt: skip
    with db.atomic():
        store.upsert(db, rows, now=T0)
    assert sweep(db, datetime(2026, 6, 30, 2, tzinfo=UTC), batch=7).queued == 25


# ---- announcement events ----------------------------------------------------------------
FACTS = Facts.from_json({
    "events": [
        {"kind": "webinar", "start": "2026-04-21T13:00:00-04:00", "label": "CAPE 說明會"},
        {"kind": "webinar", "start": "2026-04-28T13:00:00", "label": "無時區說明會"},
    ],
    "dates": [
        {"kind": "range_start", "date": "2026-09-01", "label": "獎勵申請"},
        {"kind": "range_end", "date": "2026-11-30", "label": "獎勵申請"},
        {"kind": "effective", "date": "2026-07-01", "label": "新規定生效"},
        {"kind": "issued", "date": "2026-04-20", "label": "發布"},
    ],
    "hts": [],
})


def test_webinar_day_before_in_subscriber_zone_and_hour_before() -> None:
    plans = {p.key: p for p in event_plans("csms:68396594", "CAPE live", FACTS, tz="Asia/Taipei")}
    web = dict(plans["event:csms:68396594:0"].schedule)
    # 13:00 EDT on 04-21 is 01:00 on 04-22 in Taipei: "the day before" is 04-21 09:00 Taipei.
    assert web["day_before"] == datetime(2026, 4, 21, 9, 0, tzinfo=TPE)
    assert web["hour_before"] == datetime(2026, 4, 21, 16, 0, tzinfo=UTC)
    assert plans["event:csms:68396594:0"].past_at == datetime(2026, 4, 21, 17, 0, tzinfo=UTC)


def test_event_without_zone_gets_only_day_before_and_says_so() -> None:
    plans = {p.key: p for p in event_plans("k", "t", FACTS, tz="Asia/Taipei")}
    p = plans["event:k:1"]
    assert [label for label, _ in p.schedule] == ["day_before"]
    assert "未註明時區" in p.deadline


def test_application_period_and_effective_date_reminders() -> None:
    plans = {p.key: p for p in event_plans("k", "t", FACTS, tz="Asia/Taipei")}
    period = dict(plans["period:k:0"].schedule)
    assert period["opening"].date() == date(2026, 9, 1)
    assert period["end_minus_7"].date() == date(2026, 11, 23)
    assert period["last_day"].date() == date(2026, 11, 30)
    eff = dict(plans["date:k:2"].schedule)
    assert list(eff) == ["day_before"] and eff["day_before"].date() == date(2026, 6, 30)
    assert "date:k:3" not in plans  # "issued" is not a reminder


@pytest.mark.parametrize(
    ("start", "day_before_utc", "hour_before_utc"),
    [
        # DST starts 2026-03-08 in New York: the day before is still 09:00 local (EST).
        ("2026-03-09T13:00:00-04:00", datetime(2026, 3, 8, 13, 0, tzinfo=UTC), datetime(2026, 3, 9, 16, 0, tzinfo=UTC)),
        # DST ends 2026-11-01: 09:00 EST.
        ("2026-11-02T13:00:00-05:00", datetime(2026, 11, 1, 14, 0, tzinfo=UTC), datetime(2026, 11, 2, 17, 0, tzinfo=UTC)),
        # The start itself is on the DST day, 03:30 EDT (just after the gap).
        ("2026-03-08T03:30:00-04:00", datetime(2026, 3, 7, 14, 0, tzinfo=UTC), datetime(2026, 3, 8, 6, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_event_reminders_across_dst_edges(start: str, day_before_utc: datetime, hour_before_utc: datetime) -> None:
    facts = {"events": [{"kind": "webinar", "start": start, "label": "w"}]}
    [plan] = event_plans("k", "t", Facts.from_json(facts), tz="America/New_York")
    sched = dict(plan.schedule)
    assert sched["day_before"].astimezone(UTC) == day_before_utc
    assert sched["hour_before"].astimezone(UTC) == hour_before_utc


def _announcement(db, key: str = "csms:68396594") -> None:
    db.execute(
        "INSERT INTO announcements (key, source, kind, ext_id, title, url, published, first_seen_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        [key, "s", "csms", "68396594", "CAPE live", "https://x", "2026-04-20T11:18:00+00:00", "2026-04-20"],
    )


def test_event_reminders_go_to_alerted_subscribers_and_only_future_ones(db) -> None:
    a, b = _sub(db, address="a"), _sub(db, tz="America/New_York", address="b")
    _announcement(db)
    record_alert(db, a, "csms:68396594", ["topic"], now=T0)
    now = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
    with db.atomic():
        plan_announcement_events(db, "csms:68396594", "CAPE live", FACTS, now=now)
    keys = {r["item_key"] for r in store.items_of(db, a)}
    assert "event:csms:68396594:0" in keys and "period:csms:68396594:0" in keys
    assert store.items_of(db, b) == []
    # The 04-21 webinar: day-before (04-21 01:00Z) and hour-before (16:00Z), once each.
    assert sweep(db, datetime(2026, 4, 21, 1, 0, tzinfo=UTC)).queued >= 1
    assert sweep(db, datetime(2026, 4, 21, 16, 0, tzinfo=UTC)).queued == 1
    texts = [m["text"] for m in _messages(db, a)]
    assert any("1 小時後開始" in t for t in texts)
    # After the start it is past: nothing more for that event.
    sweep(db, datetime(2026, 4, 21, 18, 0, tzinfo=UTC))
    assert sum("線上說明會（第 1 場）" in t for t in (m["text"] for m in _messages(db, a))) == 2


# ---- property: a reminder never goes out twice; never after its deadline ----------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    due_in=st.integers(min_value=0, max_value=60),
    sweeps=st.lists(st.integers(min_value=0, max_value=90 * 24), min_size=1, max_size=25),
    offsets=st.sets(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
)
def test_a_reminder_never_goes_out_twice(due_in: int, sweeps: list[int], offsets: set[int]) -> None:
    db = open_db(":memory:")
    sid = _sub(db)
    day = (T0 + timedelta(days=due_in)).date()
    row = deadline_row(sid, "custom:1", "custom", "x", day, tz="Asia/Taipei", offsets=sorted(offsets), now=T0)
    with db.atomic():
        store.upsert(db, [row], now=T0)
    for hours in sorted(sweeps):
        sweep(db, T0 + timedelta(hours=hours))
        sweep(db, T0 + timedelta(hours=hours))  # a second run at the same instant
    msgs = _messages(db, sid)
    labels = [m["payload"] for m in msgs]
    assert len(labels) == len(set(labels))
    assert len(msgs) <= len(row.schedule)
    for m in msgs:
        assert m["created_at"] < row.past_at.astimezone(UTC).isoformat()
    db.close()


def test_retracking_moves_changed_deadlines_and_stops_ones_that_no_longer_apply(db) -> None:
    sid = _sub(db)
    rules = Rules(RemindersConfig())
    entry = UsEntry("ABC-1234567-6", entry_date=date(2026, 4, 1), release_date=date(2026, 4, 28), ieepa=True)
    track_entries(db, sid, [TrackedEntry(entry)], rules=rules, now=T0)
    filed = UsEntry("ABC-1234567-6", entry_date=date(2026, 4, 1), release_date=date(2026, 4, 28),
                    summary_filed=True, liquidation_date=date(2026, 6, 1), liquidation_status="liquidated",
                    ieepa=True)  # fmt: skip
    track_entries(db, sid, [TrackedEntry(filed)], rules=rules, now=T0)
    items = {r["kind"]: r for r in store.items_of(db, sid)}
    assert items["entry_summary_due"]["status"] == "retired"
    assert items["cape_last_day"]["deadline"] == "2026-08-20"  # liquidation known now: L + 80
    sweep(db, datetime(2026, 5, 12, 2, 0, tzinfo=UTC))
    assert not [m for m in _messages(db, sid) if "7501" in m["text"]]


def test_subscriber_offsets_and_time_of_day_override_defaults(db) -> None:
    from bot.deadlines.reminders import parse_offsets

    sid = _sub(db)
    store.set_settings(db, sid, offsets_days=parse_offsets("10, 2"), time_of_day="07:30")
    track_custom(db, sid, title="x", due=date(2026, 9, 1), due_time=None, rules=Rules(RemindersConfig()), now=T0)
    [item] = store.items_of(db, sid)
    assert sweep(db, datetime(2026, 8, 21, 23, 29, tzinfo=UTC)).queued == 0  # 07:29 Taipei on 08-22
    assert sweep(db, datetime(2026, 8, 21, 23, 30, tzinfo=UTC)).queued == 1  # d10 at 07:30
    assert sweep(db, datetime(2026, 8, 30, 23, 30, tzinfo=UTC)).queued == 1  # d2
    assert sweep(db, datetime(2026, 9, 1, 3, 0, tzinfo=UTC)).queued == 0  # no d0 configured


@pytest.mark.parametrize("bad", ["25:00", "9", "", "ab:cd"])
def test_bad_time_of_day_is_a_user_error_and_nothing_is_written(db, bad: str) -> None:
    from feeds.errors import UserError

    sid = _sub(db)
    with pytest.raises(UserError) as err:
        track_custom(db, sid, title="x", due=date(2026, 9, 1), due_time=bad, rules=Rules(RemindersConfig()), now=T0)
    assert "HH:MM" in err.value.zh
    assert store.items_of(db, sid) == [] and db.execute("SELECT count(*) FROM custom_reminders").fetchone()[0] == 0


@pytest.mark.parametrize("bad", ["", "x", "-1", "30,500"])
def test_bad_offsets_are_a_user_error(bad: str) -> None:
    from bot.deadlines.reminders import parse_offsets
    from feeds.errors import UserError

    with pytest.raises(UserError):
        parse_offsets(bad)


def test_taiwanese_declaration_is_reminded_on_taiwan_working_days(db) -> None:
    from bot.deadlines.tracker import track_tw

    sid = _sub(db)
    d = track_tw(db, sid, declaration_no="AA 9032006017", kind="re_export", base=date(2026, 4, 4), due=None,
                 label="展覽品", rules=Rules(RemindersConfig()), now=T0)  # fmt: skip
    assert d.date == date(2026, 10, 5)
    [item] = store.items_of(db, sid)
    assert item["item_key"] == "tw:1" and "復運出口" in item["title"] and "第52條" in item["basis"]
    assert sweep(db, datetime(2026, 10, 5, 1, 0, tzinfo=UTC)).queued == 1
    assert "今天到期" in _messages(db, sid)[-1]["text"]


def test_an_english_reader_is_reminded_in_english(db) -> None:
    """A Taiwanese declaration, a U.S. entry and a session, for a reader of English in New York:
    titles, bases and punctuation in English; nothing in Chinese."""
    import re

    from bot.deadlines.tracker import track_tw

    APRIL = datetime(2026, 4, 15, 0, 0, tzinfo=UTC)  # noqa: N806

    sid = add_subscriber(db, name="Acme", channel="console", address="e", now=APRIL, language="en",
                         timezone="America/New_York").id  # fmt: skip
    rules = Rules(RemindersConfig())
    track_tw(db, sid, declaration_no="AA 9032006017", kind="import_declaration", base=date(2026, 4, 14), due=None,
             label=None, rules=rules, now=APRIL)  # fmt: skip
    track_entries(db, sid, [TrackedEntry(UsEntry("ABC-2345678-5", entry_date=date(2025, 6, 2),
                                                 liquidation_date=date(2025, 12, 1), liquidation_status="liquidated",
                                                 ieepa=True))], rules=rules, now=APRIL)  # fmt: skip
    sweep(db, datetime(2026, 4, 22, 14, 0, tzinfo=UTC))  # 7 days before the declaration is due
    sweep(db, datetime(2026, 4, 30, 14, 0, tzinfo=UTC))  # 30 days before the protest last day
    texts = [m["text"] for m in _messages(db, sid)]
    declaration = next(t for t in texts if "AA 9032006017" in t)
    assert "Declaration AA 9032006017: import declaration due" in declaration
    assert "Customs Act art. 16" in declaration and "(7 day(s) left)" in declaration
    protest = next(t for t in texts if "ABC-2345678-5" in t)
    assert "protest last day" in protest and "act by 2026-05-29 (Fri)" in protest
    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    assert not any(cjk.search(t) for t in texts), texts


def test_effective_event_with_time_becomes_a_dated_reminder_once() -> None:
    facts = {
        "events": [{"kind": "effective", "start": "2026-07-01T00:01:00-04:00", "label": "生效"}],
        "dates": [{"kind": "effective", "date": "2026-07-01", "label": "生效"}],
    }
    plans = event_plans("k", "t", Facts.from_json(facts), tz="America/New_York")
    assert [p.kind for p in plans] == ["effective"]
    only_event = event_plans("k", "t", Facts.from_json({"events": facts["events"]}), tz="Asia/Taipei")
    assert [(p.kind, p.deadline) for p in only_event] == [("effective", "2026-07-01")]  # 12:01 Taipei


def test_entry_matched_subscribers_also_get_event_reminders(db) -> None:
    a = _sub(db, address="a")
    _announcement(db)
    outbox.enqueue(db, subscriber_id=a, message_key="entries:csms:68396594", kind="entry_match", text="x", now=T0)
    with db.atomic():
        plan_announcement_events(db, "csms:68396594", "CAPE live", FACTS, now=datetime(2026, 4, 20, tzinfo=UTC))
    assert "event:csms:68396594:0" in {r["item_key"] for r in store.items_of(db, a)}


def test_a_time_typed_with_a_chinese_ime_is_understood() -> None:
    from bot.deadlines.reminders import parse_time_of_day

    assert parse_time_of_day("０８：３０") == parse_time_of_day("08:30")
