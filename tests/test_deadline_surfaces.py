"""One deadline, shown the same on every surface: CLI, deadlines-of, digest, ICS, /deadlines,
reminders — the legal last day and the act-by day, and whether CAPE is open to the entry."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.alerts.deadline_view import render_deadline_list
from bot.alerts.digest import deadline_rows, render_digest
from bot.config import RemindersConfig
from bot.deadlines.reminders import sweep
from bot.deadlines.tracker import Rules, track_entries
from bot.web.app import calendar_entries
from state import reminders as store
from state.subscribers import add_subscriber, get_subscriber
from state.tracking import TrackedEntry, UsEntry
from tests.conftest import fresh_db_file, write_config

# Liquidated 2026-10-20 → protest last day Sun 2027-04-18, act by Fri 2027-04-16.
ENTRY = UsEntry("ABC-1234567-6", entry_date=date(2026, 1, 5), liquidation_date=date(2026, 10, 20),
                liquidation_status="liquidated", ieepa=True, summary_filed=True)  # fmt: skip
LEGAL_ZH = "法定最後一天 2027-04-18（日），請於 2027-04-16（五）前完成"
LEGAL_EN = "legal last day 2027-04-18 (Sun), act by 2027-04-16 (Fri)"
NOW = datetime(2027, 4, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path, f'[service]\ndatabase = "{fresh_db_file(tmp_path / "d.db")}"\n')


def test_cli_deadlines_gives_legal_day_act_by_and_cape_eligibility(cli) -> None:
    out = cli("deadlines", "ABC-1234567-6", "--entry-date", "2026-01-05", "--liquidated", "2026-10-20",
              "--ieepa", "--now", "2027-04-01T09:00:00+08:00")  # fmt: skip
    assert out.returncode == 0, out.stderr
    kinds = {d["kind"]: d for d in json.loads(out.stdout)}
    assert kinds["protest_last_day"]["date"] == "2027-04-18" and kinds["protest_last_day"]["act_by"] == "2027-04-16"
    # 2026-10-20 + 80 = 2027-01-08: inside CAPE's time, so the entry could use CAPE.
    assert kinds["cape_last_day"]["eligible"] is True


def test_an_entry_whose_cape_window_closed_before_cape_opened_is_not_eligible(cli) -> None:
    # Liquidated 2026-01-10: + 80 days = 2026-03-31, before CAPE opened on 2026-04-20.
    out = cli("deadlines", "ABC-1234567-6", "--entry-date", "2025-06-02", "--liquidated", "2026-01-10",
              "--ieepa", "--today", "2026-05-01")  # fmt: skip
    kinds = {d["kind"]: d for d in json.loads(out.stdout)}
    cape = kinds["cape_last_day"]
    assert cape["eligible"] is False and cape["date"] == "2026-03-31"
    assert "protest" in cape["note"] and "180" in cape["note"] and "1514" in cape["note"]
    assert "異議" in cape["note"]
    assert "異議" in kinds["protest_last_day"]["note"]  # the route left, said on the protest item too


def test_cape_closed_entry_gets_no_cape_reminder_even_when_rehearsed_before_cape_opened(db) -> None:
    sid = add_subscriber(db, name="A", channel="console", address="a", now=NOW).id
    early = datetime(2026, 3, 1, tzinfo=UTC)  # before CAPE opened: 2026-03-31 still ahead
    old = UsEntry("ABC-1234567-6", entry_date=date(2025, 6, 2), liquidation_date=date(2026, 1, 10),
                  liquidation_status="liquidated", ieepa=True)  # fmt: skip
    track_entries(db, sid, [TrackedEntry(old)], rules=Rules(RemindersConfig()), now=early)
    kinds = {r["kind"] for r in store.items_of(db, sid)}
    assert "cape_last_day" not in kinds and "protest_last_day" in kinds


def test_every_surface_shows_the_same_two_days(db) -> None:
    sid = add_subscriber(db, name="A", channel="console", address="a", now=NOW).id
    track_entries(db, sid, [TrackedEntry(ENTRY)], rules=Rules(RemindersConfig()), now=NOW)
    sub = get_subscriber(db, sid)
    assert sub is not None
    today = date(2027, 4, 1)
    # deadlines-of (stored rows): legal date in `deadline`, act-by day beside it
    [row] = [r for r in store.items_of(db, sid) if r["kind"] == "protest_last_day"]
    assert (row["deadline"], row["act_by"]) == ("2027-04-18", "2027-04-16")
    # digest
    ds = deadline_rows(db, sub, today)
    body = render_digest(sub, datetime(2027, 4, 1, 0, 0, tzinfo=UTC), [], ds)
    assert LEGAL_ZH in body["text"] and LEGAL_ZH in body["telegram_html"] and LEGAL_ZH in body["email_html"]
    # the calendar feed: on the act-by day, both days in the title
    [ics] = [e for e in calendar_entries(db, sub, today) if "protest" in e["summary"]]
    assert ics["start"] == date(2027, 4, 16) and LEGAL_ZH in ics["summary"]
    # /deadlines (the shared list renderer Telegram calls), in both languages
    assert LEGAL_ZH in render_deadline_list(ds, today, html=True)
    assert LEGAL_EN in render_deadline_list(ds, today, lang="en", html=True)
    # the reminder that goes out 14 days before the act-by day
    sweep(db, datetime(2027, 4, 2, 1, 0, tzinfo=UTC))
    texts = [r["text"] for r in db.query("SELECT text FROM outbox WHERE kind = 'reminder'")]
    assert texts and all(LEGAL_ZH in t for t in texts if "異議" in t)


def test_deadlines_of_text_shows_both_days(cli, cfg) -> None:
    c = ["--config", str(cfg)]
    cli(*c, "subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")
    assert cli(*c, "track", "--subscriber", "1", "ABC-1234567-6", "--entry-date", "2026-01-05",
               "--liquidated", "2026-10-20", "--ieepa", "--summary-filed",
               "--now", "2027-04-01T09:00:00+08:00").returncode == 0  # fmt: skip
    out = cli(*c, "deadlines-of", "--subscriber", "1").stdout
    assert LEGAL_ZH in out
    rows = json.loads(cli(*c, "deadlines-of", "--subscriber", "1", "--json").stdout)
    protest = next(r for r in rows if r["kind"] == "protest_last_day")
    assert (protest["deadline"], protest["act_by"]) == ("2027-04-18", "2027-04-16")


def test_deadlines_of_says_a_cape_day_is_usable(cli, cfg) -> None:
    c = ["--config", str(cfg)]
    cli(*c, "subscriber", "add", "--name", "A", "--channel", "console", "--address", "a")
    cli(*c, "track", "--subscriber", "1", "ABC-1234567-6", "--entry-date", "2026-01-05", "--liquidated", "2026-04-10",
        "--ieepa", "--summary-filed", "--now", "2026-05-01T09:00:00+08:00")  # fmt: skip
    rows = json.loads(cli(*c, "deadlines-of", "--subscriber", "1", "--json").stdout)
    cape = next(r for r in rows if r["kind"] == "cape_last_day")
    assert cape["eligible"] is True and cape["deadline"] == "2026-06-29"


def test_the_alert_telling_a_firm_its_entries_are_touched_shows_both_days(db) -> None:
    from bot.deadlines.entry_match import match_entries, match_text
    from feeds.factmodel import Facts
    from feeds.model import Announcement

    sid = add_subscriber(db, name="A", channel="console", address="a", now=NOW).id
    track_entries(db, sid, [TrackedEntry(ENTRY)], rules=Rules(RemindersConfig()), now=NOW)
    ann = Announcement(key="csms:1", source="s", kind="csms_rss", ext_id="1", title="CAPE Phase 2 update",
                       url="https://example.org/1", published=NOW, body="")  # fmt: skip
    [m] = match_entries(db, ann, ["ieepa_cape"], Facts(), rules=Rules(RemindersConfig()), today=date(2027, 4, 1)).values()
    zh = match_text(ann, m, lang="zh-TW")
    assert f"最近的異議（protest）最後一天：{LEGAL_ZH}（ABC-1234567-6）" in zh
    assert "IEEPA 關稅退款（CAPE）" in zh and "退稅" not in zh
    assert LEGAL_EN in match_text(ann, m, lang="en")
