"""An alert in the reader's language and zone: English for ``--lang en`` (original title, facts,
times labelled with the reader's zone), 台北時間 only when it is Taipei time, zh-TW the default."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot.alerts.render import reason_en, render_alert
from bot.understand.understanding import understand
from feeds.model import Announcement

SEED0 = (Path(__file__).parent / "corpus" / "000_seed_cnfi_csms68396594.txt").read_text(encoding="utf-8")
BODY = SEED0[SEED0.index("Cargo Systems Messaging") :]
TITLE = "AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds"
NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
REASONS = ["主題：IEEPA 關稅／CAPE 退款（標題含「IEEPA」）", "關鍵字：「refund」"]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _ann() -> Announcement:
    return Announcement(key="csms:68396594", source="cbp", kind="csms_rss", ext_id="68396594", title=TITLE,
                        url="https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632",
                        published=datetime(2026, 4, 20, 11, 18, tzinfo=UTC), body=BODY, language="en")  # fmt: skip


def test_english_reader_in_new_york_gets_english_in_new_york_time() -> None:
    a = _ann()
    r = render_alert(a, understand(a, now=NOW), REASONS, lang="en", tz="America/New_York", now=NOW)
    assert TITLE in r.text
    assert "Published: 2026-04-20 07:18 EDT" in r.text
    assert "4/21 (Tue) 13:00 EDT" in r.text and "4/28 (Tue) 13:00 EDT" in r.text
    assert "CAPE phase 1 takes unliquidated entries and entries within 80 days of liquidation" in r.text
    assert "register for only one session" in r.text
    assert 'topic IEEPA duty refunds and CAPE (the title mentions "IEEPA")' in r.text
    assert not CJK.search(r.text), CJK.findall(r.text)
    assert not CJK.search("".join(r.html))


def test_english_reader_in_taipei_sees_taipei_time_named_in_english() -> None:
    a = _ann()
    r = render_alert(a, understand(a, now=NOW), [], lang="en", tz="Asia/Taipei", now=NOW)
    assert "4/22 (Wed) 01:00 Taipei time (4/21 13:00 EDT as published)" in r.text
    assert "台北時間" not in r.text


def test_chinese_reader_elsewhere_gets_their_own_zone_not_taipei_time() -> None:
    a = _ann()
    r = render_alert(a, understand(a, now=NOW), REASONS, lang="zh-TW", tz="America/Los_Angeles", now=NOW)
    assert "4/21（二）10:00 美西時間 PDT（美東 4/21 13:00 EDT）" in r.text
    assert "發布：2026-04-20 04:18 美西時間 PDT" in r.text
    assert "台北時間" not in r.text


def test_zh_tw_in_taipei_stays_the_default() -> None:
    a = _ann()
    r = render_alert(a, understand(a, now=NOW), REASONS)
    assert r.text.startswith("【關務快訊】CSMS #68396594（現已開放）")
    assert "4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）" in r.text
    assert "發布：2026-04-20 19:18 台北時間" in r.text


def test_match_reasons_read_in_english() -> None:
    assert reason_en("訂閱全部訊息") == "you follow everything"
    assert reason_en("關鍵字：「CAPE」") == "keyword CAPE"
    assert reason_en("主題：反傾銷稅／平衡稅（內文多次提及「antidumping」）") == (
        'topic Antidumping and countervailing duties (the text keeps mentioning "antidumping")')


def test_the_subject_is_in_the_readers_language() -> None:
    a = _ann()
    u = understand(a, now=NOW)
    zh = render_alert(a, u, []).subject
    assert zh.startswith("CSMS #68396594 現已開放：IEEPA 關稅退款") and zh.endswith(f"（{TITLE}）")
    assert render_alert(a, u, [], lang="en").subject == TITLE
