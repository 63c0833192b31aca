"""Facts, topics and the summary through ``understand`` — the seeds, and input that must not break it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.understand.summary import COULD_NOT_UNDERSTAND, format_event_time
from bot.understand.understanding import understand
from feeds.facts import extract_facts, find_hts, find_related_csms
from feeds.model import Announcement
from feeds.topics import TOPICS, tag

CORPUS = Path(__file__).parent / "corpus"
SEED0 = (CORPUS / "000_seed_cnfi_csms68396594.txt").read_text(encoding="utf-8")
SEED1 = (CORPUS / "001_seed_customs_incentive.txt").read_text(encoding="utf-8")
PUB = datetime(2026, 4, 20, 11, 18, tzinfo=UTC)


def ann(body: str, *, title: str = "", kind: str = "rss", language: str = "en", ext_id: str = "") -> Announcement:
    return Announcement(
        key=f"test:{hash(body)}", source="test", kind=kind, ext_id=ext_id, title=title,
        url="https://example.org/x", published=PUB, body=body, language=language,
    )  # fmt: skip


def csms_68396594() -> Announcement:
    body = SEED0[SEED0.index("Cargo Systems Messaging") :]
    title = "AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds"
    return ann(body, title=title, kind="csms_rss", ext_id="68396594")


def test_seed_000_csms_webinars_in_taipei_time() -> None:
    u = understand(csms_68396594())
    starts = [(e["kind"], e["start"], e["zone"]) for e in u.facts.to_json()["events"]]
    assert starts == [
        ("webinar", "2026-04-21T13:00:00-04:00", "EDT"),
        ("webinar", "2026-04-28T13:00:00-04:00", "EDT"),
    ]
    assert "4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）" in u.summary_zh
    assert "4/29（三）01:00 台北時間（美東 4/28 13:00 EDT）" in u.summary_zh
    assert u.facts.to_json()["related_csms"] == ["68315804", "68340863"]
    assert u.facts.to_json()["emails"] == ["IEEPARefunds@cbp.dhs.gov", "traderelations@cbp.dhs.gov", "ace.support@cbp.dhs.gov"]
    assert u.facts.to_json()["published"] == "2026-04-20T07:18:00-04:00"
    assert {"ieepa_cape", "ace", "webinar"} <= {h.topic for h in u.topics}


def test_seed_000_letters_of_trade_administration_and_cnfi() -> None:
    u = understand(ann(SEED0, language="zh-TW"))
    letters = [(x["發文機關"], x["發文日期"], x["發文字號"]) for x in u.facts.to_json()["letters"]]
    assert letters == [
        ("中華民國全國工業總會", "2026-04-24", "榮貿字第1150001436號"),
        ("經濟部國際貿易署", "2026-04-23", "貿雙二字第1157012471號"),
    ]
    assert u.facts.to_json()["letters"][1]["主旨"].startswith("有關美國海關與邊境保護署(CBP)發布第一階段IEEPA退稅系統")
    assert "115/04/23（貿雙二字第1157012471號）" in u.summary_zh


def test_seed_001_application_period_and_notice_date() -> None:
    u = understand(ann(SEED1, language="zh-TW"))
    kinds = {(d["kind"], d["date"]) for d in u.facts.to_json()["dates"]}
    assert {("range_start", "2015-09-01"), ("range_end", "2015-11-30"), ("issued", "2015-08-03")} <= kinds
    assert u.summary_zh.startswith("標題：公告通關簽審第二階段即用系統上線獎勵申請相關事宜")
    assert "申請期間 2015/9/1（二）至 2015/11/30（一）" in u.summary_zh


def test_summary_has_three_to_five_bullets() -> None:
    for a in (csms_68396594(), ann(SEED0, language="zh-TW"), ann(SEED1, language="zh-TW")):
        bullets = [ln for ln in understand(a).summary_zh.splitlines() if ln.startswith("• ")]
        assert 3 <= len(bullets) <= 5


def test_facts_are_json_with_the_explain_keys() -> None:
    facts = understand(csms_68396594()).facts.to_json()
    json.dumps(facts)
    for key in ("csms_number", "title", "published", "events", "dates", "related_csms", "hts", "emails", "links"):
        assert key in facts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("report 9903.01.25 and 9903.01.43", ["9903.01.25", "9903.01.43"]),
        ("HTSUS 8471.30.0100 under heading 9903.88.03", ["8471.30.0100", "9903.88.03"]),
        ("subheading 7326.90 applies", ["7326.90"]),
        ("on 2026.04.20 and version 1.2.3", []),
    ],
)
def test_hts_numbers(text: str, expected: list[str]) -> None:
    assert find_hts(text) == expected


def test_related_csms_forms() -> None:
    text = "See CSMS # 1, CSMS #64680374, CSMS 64649265, CSMS message 65236374, CSMS# 12-000291. Related CSMS No. 65829726, 65936570"
    assert find_related_csms(text, "65236374") == ["64680374", "64649265", "12-000291", "65829726", "65936570"]


def test_topic_hits_record_the_rule() -> None:
    hits = {t.topic: t.rule for t in tag("CSMS # 1 - Section 232 steel", "Type 86 de minimis", facts={"adcvd": ["A-570-001"]})}
    assert hits["section_232"] == "標題含「Section 232」"
    assert hits["de_minimis"].startswith("內文含")
    assert hits["adcvd"] == "案號 A-/C-：A-570-001"


def test_taxonomy_has_the_required_topics_with_chinese_names() -> None:
    required = {"ieepa_cape", "section_232", "section_301", "reciprocal_122", "adcvd", "de_minimis", "ace",
                "quota", "pga_fda", "ctpat_aeo", "entry_liquidation", "tw_customs", "tw_trade",
                "tw_incentive", "webinar"}  # fmt: skip
    assert required <= set(TOPICS)
    assert all(TOPICS[t].zh and TOPICS[t].rules for t in required)


def test_format_event_time_cases() -> None:
    assert format_event_time("2026-04-21T13:00:00-04:00", zone="EDT") == "4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）"
    assert format_event_time("2026-12-01T13:00:00-05:00", zone="EST") == "12/2（三）02:00 台北時間（美東 12/1 13:00 EST）"
    assert format_event_time("2026-05-05T14:00:00") == "5/5（二）14:00（未註明時區）"
    assert format_event_time("2026-05-05T14:00:00+08:00") == "5/5（二）14:00 台北時間"


def test_zone_less_time_is_kept_naive() -> None:
    facts = extract_facts("", "Support call on May 5 at 2:00 p.m.", published=PUB).to_json()
    (ev,) = facts["events"]
    assert ev["start"] == "2026-05-05T14:00:00" and ev["zone"] is None


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n\n  ",
        "\x00\x01\x02\x03" * 500,
        "<html><body><script>alert('x')</script><div><b><i>unclosed <a href='javascript:x'>",
        "<tg-spoiler>x</tg-spoiler><pre><code class='language-<b>'>",
        "A" * 1_000_000,
        ("CSMS # 68396594 - x April 21 at 1:00 p.m. ET 9903.01.25 " * 20_000),
        bytes(range(256)).decode("latin-1") * 100,
    ],
    ids=["empty", "blank", "binary", "soup", "telegram-hostile", "1MB", "1MB-dense", "all-bytes"],
)
def test_bad_input_never_raises(body: str) -> None:
    u = understand(ann(body))
    assert u.summary_zh
    json.dumps(u.facts.to_json())


def test_empty_input_says_could_not_understand() -> None:
    assert understand(ann("")).summary_zh == COULD_NOT_UNDERSTAND
    binary = understand(ann("\x00\x01\x02" * 100))
    assert binary.summary_zh == COULD_NOT_UNDERSTAND
    assert set(binary.facts.to_json()) == set(understand(csms_68396594()).facts.to_json())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600), st.text(max_size=80), st.sampled_from(["en", "zh-TW"]))
def test_understand_never_raises_on_any_text(body: str, title: str, language: str) -> None:
    u = understand(ann(body, title=title, language=language))
    assert isinstance(u.summary_zh, str) and u.summary_zh
    json.dumps(u.facts.to_json())


def test_facts_keys_are_exactly_the_documented_schema() -> None:
    facts = understand(csms_68396594()).facts.to_json()
    assert set(facts) == {
        "csms_number", "title", "prefix", "published", "topics", "events", "dates", "related_csms",
        "hts", "adcvd", "emails", "links", "letters",
    }  # fmt: skip
    for e in facts["events"]:
        assert {"kind", "start", "label", "zone"} <= set(e)
    for d in facts["dates"]:
        assert set(d) == {"kind", "date", "label"}


def test_taxonomy_page_lists_every_topic() -> None:
    page = (Path(__file__).parent.parent / "docs" / "TOPICS.md").read_text(encoding="utf-8")
    assert all(f"`{tid}`" in page for tid in TOPICS)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("CBP will deploy phase 1 of CAPE in the ACE Portal on April 20, 2026 at 8:00 AM EDT.", "deployment"),
        ("The deployment will occur at 7 am eastern standard time on January 12, 2026. No outage is expected.",
         "deployment"),
        ("ACE will be unavailable during the deployment on Saturday, April 25, 2026 at 2300 EDT.", "outage"),
        ("ACE will be down for scheduled maintenance on April 25, 2026 at 11:00 PM EDT.", "maintenance"),
    ],
)
def test_a_deployment_is_not_downtime_unless_the_line_says_so(line: str, kind: str) -> None:
    u = understand(ann(line, title="CSMS # 68000001 - ACE Deployment", kind="csms_rss", ext_id="68000001"),
                   now=PUB)  # fmt: skip
    assert [e.kind for e in u.facts.events] == [kind]
    stopped = "停機" in u.summary_zh
    assert stopped == (kind in ("outage", "maintenance")), u.summary_zh
