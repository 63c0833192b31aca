"""An alert in the reader's language and zone: English for ``--lang en`` (original title, facts,
times labelled with the reader's zone), 台北時間 only when it is Taipei time, zh-TW the default."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("主題：小額免稅（321 條款）（內文含「Type 86」）", 'topic De minimis / Section 321 (the text mentions "Type 86")'),
        ("主題：小額免稅（321 條款）（標題含「de minimis」）", 'topic De minimis / Section 321 (the title mentions "de minimis")'),
        ("主題：反傾銷稅／平衡稅（案號 A-/C-：A-475-835）", "topic Antidumping and countervailing duties (AD/CVD case A-475-835)"),
        ("主題：301 條款關稅（稅則號列 9903.88.67（301 稅則 9903.88/91））", "topic Section 301 tariffs (HTS 9903.88.67)"),
    ],
)  # fmt: skip
def test_a_reason_reads_in_english_whatever_brackets_the_topic_name_holds(reason: str, expected: str) -> None:
    assert reason_en(reason) == expected


def test_the_subject_is_in_the_readers_language() -> None:
    a = _ann()
    u = understand(a, now=NOW)
    zh = render_alert(a, u, []).subject
    assert zh.startswith("CSMS #68396594 現已開放：IEEPA 關稅退款") and zh.endswith(f"（{TITLE}）")
    assert render_alert(a, u, [], lang="en").subject == TITLE


CORPUS = Path(__file__).parent / "corpus"


def _tw(name: str, title: str | None = None, published: datetime = NOW) -> Announcement:
    text = next(CORPUS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    return Announcement(key=f"guid:tw:{name}", source="customs-tw", kind="rss", ext_id=name,
                        title=title or first.strip(), url="https://web.customs.gov.tw/x", published=published,
                        body=rest if title is None else text, language="zh-TW")  # fmt: skip


def _outside_original(text: str) -> str:
    """The text without the Chinese original an English title carries beside its gist."""
    return re.sub(r"\(in Chinese: [^\n]*?\)(?=\n|$)", "", text)


def test_an_english_reader_is_told_a_taiwanese_notice_in_english() -> None:
    a = _tw("141")  # 基隆關 端午節連假 service hours
    r = render_alert(a, understand(a, now=NOW), ["訂閱全部訊息"], lang="en", tz="America/New_York", now=NOW)
    head = r.text.splitlines()[0]
    assert head.startswith("[Trade alert] Keelung Customs notice: Dragon Boat Festival holiday customs clearance")
    assert "(in Chinese: 端午節連假期間 基隆關持續提供通關便民服務)" in head
    assert r.subject.startswith("Keelung Customs notice:")
    assert "Customs service hours: 6/7 (Fri) 20:30–6/8 (Sat) 00:30 EDT (6/8 08:30–12:30 Taipei time as published)" in r.text
    assert "holiday 2024-06-08 (Sat) to 2024-06-10 (Mon)" in r.text and "application" not in r.text
    assert not CJK.search(_outside_original(r.text)), CJK.findall(_outside_original(r.text))
    assert "Asia/Taipei" not in r.text and "UTC+0800" not in r.text


def test_holiday_service_hours_are_not_an_application_period() -> None:
    a = _tw("141")
    r = render_alert(a, understand(a, now=NOW), [], lang="zh-TW", tz="Asia/Taipei", now=NOW)
    assert "通關服務時間：6/8（六）08:30–12:30 台北時間" in r.text
    assert "連假期間 2024/6/8（六）" in r.text
    assert "申請" not in r.text and "關港貿單一窗口" not in r.text  # 「單一窗口通關作業方式」 is a 關's weekend procedure
    la = render_alert(a, understand(a, now=NOW), [], lang="zh-TW", tz="America/Los_Angeles", now=NOW)
    assert "（原文 6/8 08:30–12:30 台北時間）" in la.text and "Asia/Taipei" not in la.text


def test_a_registration_period_asks_to_register_not_to_apply() -> None:
    a = _tw("034")  # 臺中關 AEO 說明會, 報名期間 115/4/20–5/5
    r = render_alert(a, understand(a, now=NOW), [], lang="zh-TW", tz="Asia/Taipei", now=NOW)
    assert "報名期間 2026/4/20（一）" in r.text
    assert "建議：需要參加者請於 2026/5/5（二）前報名" in r.text and "（二） " not in r.text
    assert "申請" not in r.text
    en = render_alert(a, understand(a, now=NOW), [], lang="en", tz="America/New_York", now=NOW)
    assert "registration period 2026-04-20 (Mon) to 2026-05-05 (Tue)" in en.text
    assert "register by 2026-05-05 (Tue)" in en.text and en.text.splitlines()[0].startswith("[Trade alert] Taichung Customs")


def test_a_forward_says_what_it_forwards_first_in_the_readers_language() -> None:
    from bot.alerts.render import Forwarded

    letter = Announcement(key="guid:cnfi:1", source="cnfi", kind="rss", ext_id="1", title="工總函",
                          url="https://www.cnfi.org.tw/1", published=NOW, language="zh-TW",
                          body=SEED0[: SEED0.index("車輛公會")])  # fmt: skip
    told = [Forwarded("經濟部國際貿易署 貿雙二第1157012471號函", datetime(2026, 4, 23, 4, 0, tzinfo=UTC)),
            Forwarded("CSMS #68396594", datetime(2026, 4, 20, 12, 0, tzinfo=UTC))]  # fmt: skip
    u = understand(letter, now=NOW)
    zh = render_alert(letter, u, [], lang="zh-TW", tz="Asia/Taipei", now=NOW, forwards=told).text.splitlines()
    assert zh[1] == "本函轉知 經濟部國際貿易署 貿雙二第1157012471號函，已於 4/23（四）通知。"
    assert zh[2] == "本函轉知 CSMS #68396594，已於 4/20（一）通知。"
    en = render_alert(letter, u, [], lang="en", tz="America/New_York", now=NOW, forwards=told).text.splitlines()
    assert en[0].startswith("[Trade alert] Chinese National Federation of Industries (CNFI) letter:")
    assert en[1] == ("This forwards the International Trade Administration (MOEA) letter 貿雙二第1157012471號,"
                     " which you were sent on 4/23 (Thu).")  # fmt: skip
    assert en[2] == "This forwards CSMS #68396594, which you were sent on 4/20 (Mon)."
