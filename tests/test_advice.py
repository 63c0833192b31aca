"""What the summary advises: the CAPE phase 1 scope, sessions named in Chinese and never an
invitation to one already held, registration notes, what applying takes — as of ``now``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.understand.reading import application_requirements, cape_scope, registration_notes
from bot.understand.sessions import labelled_events, session_label
from bot.understand.summary import summarize
from feeds.factmodel import Event, Facts

CORPUS = Path(__file__).parent / "corpus"
SEED0 = (CORPUS / "000_seed_cnfi_csms68396594.txt").read_text(encoding="utf-8")
SEED1 = (CORPUS / "001_seed_customs_incentive.txt").read_text(encoding="utf-8")
W1 = datetime.fromisoformat("2026-04-21T13:00:00-04:00")
W2 = datetime.fromisoformat("2026-04-28T13:00:00-04:00")
CAPE_LIVE = Facts(
    title="AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds",
    csms_number="68396594", prefix="AVAILABLE NOW", published=datetime.fromisoformat("2026-04-20T07:18:00-04:00"),
    events=(Event("webinar", W1, "Registration link for webinar on April 21 at 1:00 p.m. ET", zone="EDT",
                  url="https://teams.example/cape-0421"),
            Event("webinar", W2, "Registration link for webinar on April 28 at 1:00 p.m. ET", zone="EDT",
                  url="https://teams.example/cape-0428")),
)  # fmt: skip
BODY = SEED0[SEED0.index("Cargo Systems Messaging") :]


def _summary(now: datetime, tz: str = "Asia/Taipei") -> str:
    return summarize(CAPE_LIVE, ["ieepa_cape", "ace", "webinar"], title=CAPE_LIVE.title, body=BODY,
                     language="en", tz=tz, now=now)  # fmt: skip


def test_cape_phase_1_scope_is_in_the_chinese_summary() -> None:
    text = _summary(datetime(2026, 4, 20, 12, 0, tzinfo=UTC))
    assert "CAPE 第一階段受理：未核定（unliquidated）之申報，及核定後 80 天內之申報" in text
    assert "180 天內提出異議（protest，19 U.S.C. 1514）" in text


def test_the_letter_forwarding_it_carries_the_scope_too() -> None:
    text = summarize(Facts(title="有關…IEEPA退稅系統已上線", csms_number="68396594"), ["ieepa_cape", "tw_trade"],
                     title="有關…IEEPA退稅系統已上線", body=SEED0, language="zh-TW")  # fmt: skip
    assert "CAPE 第一階段受理" in text


def test_before_the_sessions_both_are_offered_with_their_links_and_notes() -> None:
    text = _summary(datetime(2026, 4, 20, 12, 0, tzinfo=UTC))
    assert "CAPE 線上說明會：4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）（報名 https://teams.example/cape-0421）" in text
    assert "報名須知：只需報名一場；各場內容相同" in text
    assert "2026-04-21T13:00" not in text


def test_after_the_first_session_it_is_marked_held_and_not_offered() -> None:
    text = _summary(datetime(2026, 4, 24, 1, 0, tzinfo=UTC))  # 04-24 09:00 Taipei: the 工總 letter
    assert "4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）（已舉行）" in text
    assert "cape-0421" not in text
    assert "（報名 https://teams.example/cape-0428）" in text


def test_after_every_session_nobody_is_invited_to_register() -> None:
    text = _summary(datetime(2026, 5, 1, tzinfo=UTC))
    assert "報名" not in text and "說明會已舉行" in text


def test_a_reader_in_new_york_sees_new_york_time_and_no_taipei_time() -> None:
    text = _summary(datetime(2026, 4, 20, 12, 0, tzinfo=UTC), tz="America/New_York")
    assert "4/21（二）13:00 美東時間 EDT" in text
    assert "台北時間" not in text


def test_sessions_have_chinese_labels_numbered_within_their_kind() -> None:
    assert [label for _, label in labelled_events(CAPE_LIVE)] == ["CAPE 線上說明會（第 1 場）", "CAPE 線上說明會（第 2 場）"]
    assert session_label(CAPE_LIVE.events[1], CAPE_LIVE, index=1, count=2, lang="en") == "CAPE webinar (session 2 of 2)"
    tw = Facts(title="本關訂於5月12日舉辦「AEO優質企業認證說明會」，請踴躍報名參加。",
               events=(Event("webinar", datetime(2026, 5, 12, 10, 0), "上午10時"),))  # fmt: skip
    assert session_label(tw.events[0], tw) == "AEO優質企業認證說明會"


@pytest.mark.parametrize(
    ("text", "scope"),
    [("CAPE Phase 1 is limited to certain unliquidated entries and certain entries within 80 days of liquidation.", True),
     ("Phase 1 accepts unliquidated entries and entries liquidated no more than 80 days before filing.", True),
     ("CAPE第一階段僅限於處理部分未核定(unliquidated)申報以及部份近80天內核定申報之款項。", True),
     ("Importers must be enrolled for ACH refunds.", False)],
)  # fmt: skip
def test_cape_scope_forms(text: str, scope: bool) -> None:
    assert (cape_scope(text) is not None) is scope


def test_registration_note_forms() -> None:
    notes = [n.zh for n in registration_notes("PLEASE ONLY REGISTER FOR (1) WEBINAR. THE SAME CONTENT WILL BE SHARED AT BOTH.")]
    assert notes == ["只需報名一場", "各場內容相同"]
    assert [n.zh for n in registration_notes("報名期間至5月5日止，額滿為止。")] == ["名額有限，先到先進"]


def test_what_applying_for_the_go_live_incentive_takes() -> None:
    req = application_requirements(SEED1)
    assert len(req.conditions) == 3 and req.conditions[1] == "經單一窗口完成連線測試"
    assert any("即用系統上線獎勵金申請書" in d and "即用系統修改測試報告" in d for d in req.documents)
    assert any("合約影本" in d for d in req.documents)
    assert req.contacts and "0800-299889" in req.contacts[0]
    assert all("傳真" not in c and "2558-9601" not in c for c in req.contacts)
