"""A week rehearsed as staff and acceptance testers do it: feeds that already hold the whole
week's documents, stepped through with ``run.py once --now`` day by day, read from the files
and e-mails a subscriber gets."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.conftest import fresh_db_file, write_config
from tests.smtpserver import SmtpServer, mail_config_toml

CSMS_BODY = """<p>CBP has activated the first phase of CAPE in the ACE Portal. CAPE Phase 1 is limited to
certain unliquidated entries and certain entries within 80 days of liquidation.</p>
<p>PLEASE ONLY REGISTER FOR (1) WEBINAR.</p>
<ul><li>Registration link for webinar on April 21 at 1:00 p.m. ET: Register
<a href="https://teams.example/0421">here</a></li>
<li>Registration link for webinar on April 28 at 1:00 p.m. ET: Register
<a href="https://teams.example/0428">here</a></li></ul>"""
LETTER = """經濟部國際貿易署 函
發文日期：中華民國115年4月23日
發文字號：貿雙二字第1157012471號
主旨：有關美國海關與邊境保護署(CBP)發布第一階段IEEPA退稅系統已上線之訊息事，請查照並惠轉知會員廠商。
說明：
一、依據駐美國代表處經濟組本(115)年4月20日經美字第1150000417號函辦理。
二、檢送CBP訊息CSMS # 68396594如附件，併請卓參。"""

WEEK = [  # (feed, title, body, published)
    ("cbp", "CSMS # 68315804 - GUIDANCE: CAPE Phase 1 Deployment", "<p>CAPE deploys on April 20.</p>",
     "2026-04-14T15:12:00-04:00"),
    ("cbp", "CSMS # 68396594 - AVAILABLE NOW – CAPE for IEEPA Refunds", CSMS_BODY, "2026-04-20T07:18:00-04:00"),
    ("tw", "有關美國海關與邊境保護署(CBP)發布第一階段IEEPA退稅系統已上線之訊息事", LETTER, "2026-04-23T11:20:02+08:00"),
]  # fmt: skip


def rss(items: list[tuple[str, str, str, str]], feed: str) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>']
    for i, (f, title, body, when) in enumerate(items):
        if f != feed:
            continue
        out.append(
            f"<item><title>{escape(title)}</title><link>https://example.org/{feed}/{i}</link>"
            f'<guid isPermaLink="false">{feed}-{i}</guid>'
            f"<pubDate>{format_datetime(datetime.fromisoformat(when))}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return "\n".join([*out, "</channel></rss>"])


@pytest.fixture
def week(tmp_path: Path) -> Path:
    for feed in ("cbp", "tw"):
        (tmp_path / f"{feed}.xml").write_text(rss(WEEK, feed), encoding="utf-8")
    return tmp_path


def _config(tmp: Path, extra: str = "") -> Path:
    return write_config(
        tmp,
        f"""
[service]
database = "{fresh_db_file(tmp / 'w.db')}"
[console]
enabled = false
[file]
directory = "{tmp / 'out'}"
[[sources]]
name = "cbp"
kind = "csms_rss"
url = "{(tmp / 'cbp.xml').as_uri()}"
[[sources]]
name = "trade-tw"
kind = "rss"
language = "zh-TW"
url = "{(tmp / 'tw.xml').as_uri()}"
{extra}""",
    )


def _read(tmp: Path, address: str) -> list[str]:
    folder = tmp / "out" / address
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*"))] if folder.exists() else []


def test_a_feed_holding_the_whole_week_brings_each_item_on_its_own_day(cli, week: Path) -> None:
    c = ["--config", str(_config(week))]
    assert cli(*c, "subscriber", "add", "--name", "永信報關行", "--channel", "file", "--address", "b").returncode == 0
    assert cli(*c, "subscribe", "1", "--all").returncode == 0
    # Monday morning in Taipei: the first poll is a baseline of what had been published by then
    # (last week's CSMS), not of the week's documents still to come.
    assert cli(*c, "once", "--now", "2026-04-20T08:00:00+08:00").returncode == 0
    assert _read(week, "b") == []
    # Monday evening: CBP published CSMS #68396594 at 19:18 Taipei time — news.
    assert cli(*c, "once", "--now", "2026-04-20T20:00:00+08:00").returncode == 0
    (alert,) = _read(week, "b")
    assert "CSMS #68396594" in alert and "4/22（三）01:00 台北時間" in alert
    # Thursday evening: the 貿易署 letter forwards it, and says so.
    assert cli(*c, "once", "--now", "2026-04-23T20:00:00+08:00").returncode == 0
    letter = [t for t in _read(week, "b") if "貿雙二字第1157012471號" in t]
    assert len(letter) == 1 and "本函轉知 CSMS #68396594，已於 4/20（一）通知" in letter[0]


def test_a_daily_digest_goes_out_on_the_rehearsal_clock(cli, week: Path) -> None:
    """A subscriber added today (by the wall clock) still gets the rehearsed days' digests."""
    c = ["--config", str(_config(week))]
    cli(*c, "subscriber", "add", "--name", "大同貿易", "--channel", "file", "--address", "d")
    cli(*c, "subscribe", "1", "--all")
    assert cli(*c, "subscriber", "set", "1", "--digest", "daily", "--digest-time", "08:00").returncode == 0
    cli(*c, "once", "--now", "2026-04-20T07:00:00+08:00")
    cli(*c, "once", "--now", "2026-04-20T20:00:00+08:00")
    assert not any("68396594" in t for t in _read(week, "d"))  # the alert waits for the digest
    cli(*c, "once", "--now", "2026-04-21T08:30:00+08:00")
    digest = _read(week, "d")[-1]
    assert "每日摘要】2026-04-21" in digest and "1 則新公告" in digest and "CAPE" in digest
    assert "（4/20（一）19:18）" in digest  # published, in the reader's zone with the weekday


def test_an_association_preview_goes_out_in_the_cycle_that_forwarded(cli, week: Path) -> None:
    with SmtpServer() as smtp:
        c = ["--config", str(_config(week, mail_config_toml(smtp.port)))]
        cli(*c, "association", "create", "--name", "台灣區車輛工業同業公會", "--prefix", "車工")
        cli(*c, "association", "admin-add", "1", "--email", "sec@tva.example")
        cli(*c, "association", "filter", "1", "--topic", "ieepa_cape")
        cli(*c, "once", "--now", "2026-04-20T08:00:00+08:00")
        assert cli(*c, "once", "--now", "2026-04-20T20:00:00+08:00").returncode == 0
        (preview,) = smtp.box.to("sec@tva.example")
        assert "待核可" in str(preview["Subject"]) and "68396594" in str(preview["Subject"])


def test_entries_are_counted_once_per_story_with_the_route_left_for_the_others(cli, week: Path) -> None:
    c = ["--config", str(_config(week))]
    cli(*c, "subscriber", "add", "--name", "永信報關行", "--channel", "file", "--address", "b")
    cli(*c, "subscribe", "1", "--all")
    csv = week / "entries.csv"
    csv.write_text("Entry Number,Entry Date,Liquidation Date,IEEPA\n"
                   "ABC-1234567-6,2025-09-02,2026-03-15,yes\n"  # liquidated + 80 = 06-03: CAPE
                   "ABC-2345678-5,2025-06-02,2025-12-01,yes\n", encoding="utf-8")  # + 80 before CAPE opened
    assert cli(*c, "import-entries", str(csv), "--subscriber", "1", "--now", "2026-04-20T08:00:00+08:00").returncode == 0
    cli(*c, "once", "--now", "2026-04-20T08:00:00+08:00")
    cli(*c, "once", "--now", "2026-04-20T20:00:00+08:00")
    cli(*c, "once", "--now", "2026-04-23T20:00:00+08:00")  # the 貿易署 letter forwards the CSMS
    mine = [t for t in _read(week, "b") if t.startswith("📦")]
    assert len(mine) == 1, mine  # the letter does not count the same entries again
    assert "目前可申請 CAPE 者：1 筆" in mine[0]
    assert "CAPE 第一階段不受理者：1 筆" in mine[0] and "180 天內提出異議" in mine[0]


def test_the_entries_message_is_titled_in_the_readers_language(cli, week: Path) -> None:
    from bot.config import load_config
    from state import outbox
    from state.db import open_db

    cfg = _config(week)
    c = ["--config", str(cfg)]
    cli(*c, "subscriber", "add", "--name", "永信", "--channel", "file", "--address", "b")
    cli(*c, "subscriber", "add", "--name", "Acme", "--channel", "file", "--address", "e", "--lang", "en",
        "--tz", "America/New_York")
    for sid in ("1", "2"):
        cli(*c, "subscribe", sid, "--all")
        cli(*c, "track", "--subscriber", sid, "ABC-1234567-6", "--entry-date", "2026-01-05", "--ieepa",
            "--now", "2026-04-20T08:00:00+08:00")
    cli(*c, "once", "--now", "2026-04-20T08:00:00+08:00")
    cli(*c, "once", "--now", "2026-04-20T20:00:00+08:00")
    db = open_db(load_config(cfg).service.database)
    subjects = {sid: [m["subject"] for m in outbox.messages_for(db, sid) if m["kind"] == "entry_match"] for sid in (1, 2)}
    assert subjects[1][0].startswith("與您的報關單有關（1 筆）：現已開放：")
    assert "AVAILABLE NOW" not in subjects[1][0]  # not the raw English title
    assert subjects[2][0].startswith("Your entries (1): AVAILABLE NOW")


def test_a_digest_lists_sessions_ahead_by_the_readers_day_never_as_due(cli, week: Path) -> None:
    c = ["--config", str(_config(week))]
    cli(*c, "subscriber", "add", "--name", "大同貿易", "--channel", "file", "--address", "d")
    cli(*c, "subscribe", "1", "--all")
    cli(*c, "subscriber", "set", "1", "--digest", "daily", "--digest-time", "08:00")
    cli(*c, "once", "--now", "2026-04-20T07:00:00+08:00")
    cli(*c, "once", "--now", "2026-04-20T20:00:00+08:00")
    cli(*c, "once", "--now", "2026-04-28T08:30:00+08:00")  # the second webinar is 4/29 01:00 Taipei
    digest = _read(week, "d")[-1]
    assert "每日摘要】2026-04-28" in digest
    coming = digest[digest.index("■ 即將到來的期限與活動"):]
    assert "明天舉行｜4/29（三）01:00 台北時間" in coming
    assert "第 1 場" not in coming  # held on 4/22: not "overdue", not listed
    assert "今天到期" not in digest and "已逾期" not in coming
    assert "Upcoming" not in digest and "Other" not in digest
