"""The rehearsal clock: ``run.py once/serve/explain --now`` run with the clock set to a moment,
so staff see what would go out that day and a test can step through a week."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.clock import parse_now, running_clock
from feeds.errors import UserError
from tests.conftest import fresh_db_file, watched_sources, write_config

SAMPLES = Path(__file__).resolve().parent.parent / "feeds" / "samples"


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(
        tmp_path,
        f"""
[service]
database = "{fresh_db_file(tmp_path / 'r.db')}"
alert_max_age = "3d"
[console]
enabled = false
[file]
directory = "{tmp_path / 'out'}"
[[sources]]
name = "csms"
kind = "csms_rss"
url = "{(SAMPLES / 'csms_rss.xml').as_uri()}"
""",
    )


def _files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "out" / "broker-1"
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*"))] if folder.exists() else []


def _watched(cfg: Path) -> None:
    from bot.config import load_config
    from state.db import open_db

    config = load_config(cfg)
    db = open_db(config.service.database)
    watched_sources(db, config, datetime(2026, 4, 19, tzinfo=UTC))
    db.conn.close()


def test_once_with_now_steps_through_the_week_of_the_cape_webinars(cli, cfg: Path, tmp_path: Path) -> None:
    c = ["--config", str(cfg)]
    assert cli(*c, "subscriber", "add", "--name", "永信報關行", "--channel", "file", "--address", "broker-1").returncode == 0
    assert cli(*c, "subscribe", "1", "--all").returncode == 0
    _watched(cfg)  # the feed was watched before: its items are news, not a new source's history
    # Monday evening in Taipei, the day CAPE went live: the CSMS is fresh news.
    first = cli(*c, "once", "--force", "--now", "2026-04-20T20:00:00+08:00")
    assert first.returncode == 0, first.stderr
    alerts = _files(tmp_path)
    assert any("CSMS #68396594" in t for t in alerts)
    # Tuesday 09:00 Taipei: the day before the first webinar (Wed 01:00 Taipei) → its reminder.
    cli(*c, "once", "--now", "2026-04-21T09:00:00+08:00")
    new = _files(tmp_path)[len(alerts):]
    assert len(new) == 1 and "4/22（三）01:00 台北時間" in new[0]
    assert "2026-04-21T13:00" not in new[0]  # never a raw ISO timestamp
    # Running the same moment again sends nothing twice.
    cli(*c, "once", "--now", "2026-04-21T09:00:00+08:00")
    assert len(_files(tmp_path)) == len(alerts) + 1


def test_once_with_now_long_after_treats_old_news_as_old(cli, cfg: Path, tmp_path: Path) -> None:
    c = ["--config", str(cfg)]
    cli(*c, "subscriber", "add", "--name", "A", "--channel", "file", "--address", "broker-1")
    cli(*c, "subscribe", "1", "--all")
    # A month later (alert_max_age 3 days): stored, but not alerted as news.
    assert cli(*c, "once", "--force", "--now", "2026-05-25T09:00:00+08:00").returncode == 0
    assert _files(tmp_path) == []


def test_explain_with_now_dates_an_undated_text_at_that_moment(cli, tmp_path: Path) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("ACE maintenance this weekend.\n\nACE will be unavailable for maintenance.", encoding="utf-8")
    out = cli("explain", str(doc), "--now", "2026-04-24T09:00:00+08:00")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["published"].startswith("2026-04-24T01:00:00")


@pytest.mark.parametrize("bad", ["2026-04-24T09:00:00", "tomorrow", "2026-13-01T00:00:00+08:00"])
def test_now_without_offset_or_garbage_is_a_bilingual_error(cli, cfg: Path, bad: str) -> None:
    out = cli("--config", str(cfg), "once", "--now", bad)
    assert out.returncode == 2
    assert "錯誤：" in out.stderr and "error:" in out.stderr and "--now" in out.stderr


def test_parse_now_keeps_the_instant() -> None:
    assert parse_now("2026-04-24T09:00:00+08:00") == datetime(2026, 4, 24, 1, 0, tzinfo=UTC)
    assert parse_now("2026-04-24T01:00:00Z") == datetime(2026, 4, 24, 1, 0, tzinfo=UTC)
    with pytest.raises(UserError):
        parse_now("2026-04-24")


def test_serve_clock_starts_at_now_and_runs_on() -> None:
    ticks = iter([100.0, 100.0, 160.5])
    clock = running_clock(datetime(2026, 4, 24, 1, 0, tzinfo=UTC), monotonic=lambda: next(ticks))
    assert clock() == datetime(2026, 4, 24, 1, 0, tzinfo=UTC)
    assert clock() == datetime(2026, 4, 24, 1, 0, tzinfo=UTC) + timedelta(seconds=60.5)


def test_serve_now_runs_the_service_on_the_rehearsal_clock(cli, cfg: Path, monkeypatch) -> None:
    from bot import service as service_mod

    seen: list[datetime] = []

    async def run_forever(self, stop) -> None:  # the real loop waits for SIGTERM; read the clock once
        seen.append(self.clock())

    monkeypatch.setattr(service_mod.Service, "run_forever", run_forever)
    assert cli("--config", str(cfg), "serve", "--now", "2026-04-24T09:00:00+08:00").returncode == 0
    assert seen and abs(seen[0] - datetime(2026, 4, 24, 1, 0, tzinfo=UTC)) < timedelta(seconds=5)
