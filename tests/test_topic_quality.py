"""Topics that mean what they say: precision and recall against hand-checked labels, and the
cases a customs reader caught (退稅 = 沖退稅, 上線獎勵 ≠ 配額, a report's workshop ≠ 說明會)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.understand.understanding import understand
from feeds.model import Announcement
from feeds.topics import TOPICS, tag
from tests.quality import TESTS, explained, labels, topic_score

SEED_001 = "corpus/001_seed_customs_incentive.txt"
SEED_002 = "data/seeds/002_d276cb35161659e8.txt"
SEED_004 = "data/seeds/004_3f9cd8268f55ee31.txt"


def test_labels_name_existing_documents_and_topics() -> None:
    for path, topics in labels().items():
        assert (TESTS / path).exists(), path
        assert topics <= set(TOPICS), (path, topics - set(TOPICS))


def test_topic_precision_and_recall_reach_the_goal() -> None:
    score = topic_score()
    detail = "\n".join(f"{d}: extra={sorted(e)} missing={sorted(m)}" for d, e, m in score.wrong)
    assert score.precision >= 0.9, detail
    assert score.recall >= 0.9, detail


@pytest.mark.parametrize("doc", [SEED_001, SEED_004])
def test_drawback_and_de_minimis_texts_are_not_ieepa_refund_items(doc: str) -> None:
    got = explained(doc)
    assert "ieepa_cape" not in got["topics"]
    assert "ACH" not in got["summary_zh"]  # no CAPE advice (「確認 ACE 帳號與 ACH 退款登記」)


def test_go_live_incentive_briefing_is_not_a_quota_item() -> None:
    topics = explained(SEED_001)["topics"]
    assert "quota" not in topics and "tw_incentive" in topics


def test_a_conference_trip_report_is_not_a_session_to_register_for() -> None:
    got = explained(SEED_002)
    assert "webinar" not in got["topics"] and "ctpat_aeo" in got["topics"]
    assert "報名" not in got["summary_zh"]


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        ("公告外銷品沖退原料稅電子化作業上線", "drawback", True),
        ("公告外銷品沖退原料稅電子化作業上線", "ieepa_cape", False),
        ("請廠商至沖退稅系統查詢退稅進度", "ieepa_cape", False),
        ("美國 IEEPA 關稅退款（CAPE）第二階段受理", "ieepa_cape", True),
        ("有關美國 IEEPA 退稅系統已上線之訊息", "ieepa_cape", True),
        ("ACE Deployment: Entry Type 47 drawback changes", "drawback", True),
        ("本關訂於5月12日舉辦AEO說明會，請踴躍報名參加", "webinar", True),
        ("赴美出席研討會出國報告：Portal 2.0 Workshop 紀要", "webinar", False),
        ("上線獎勵申請期程為104年9月1日至11月30日", "quota", False),
        ("Tariff-Rate Quota for Raw Cane Sugar", "quota", True),
        ("Commodity Specialist Division September 2022 Webinars", "webinar", True),
        ("CBP Schedules Training Webinars for the Forced Labor Portal", "webinar", True),
        ("Recap: Highlights of the Trade Week Webinars", "webinar", False),
    ],
)  # fmt: skip
def test_topic_forms(text: str, topic: str, expected: bool) -> None:
    assert (topic in {t.topic for t in tag(text, "")}) is expected


@pytest.mark.parametrize(
    ("title", "body", "topic", "expected"),
    [
        ("", "[Federal Register Volume 85, Number 58 (Wednesday, March 25, 2020)]\n[Notices]\nRequest for Comments",
         "federal_register", True),
        ("", "83_FR_49052 83 FR 48864 - Aluminum Wire and Cable From China; Institution of Investigations",
         "federal_register", True),
        ("", "88 FR 167 pgs. 59933-59935 - Commercial Customs Operations Advisory Committee (COAC)", "federal_register", True),
        ("CSMS # 12345678 - Entry filing update", "Importers should see 85 FR 16987 for the notice.", "federal_register", False),
        ("Request for Comments on Additional Modifications to the 301 Action To Address COVID-19", "", "section_301", True),
        ("Aluminum Wire From China", "CBP action 301 of the plan.", "section_301", False),
        # a catalog site's menu around the message is no mention (holdout 208, 209, 232, 233)
        ("CSMS # 42993541 - Enhancements to Truck Manifest", "Tandom\n\nProducts\n\n  • Tariff Calculator\n  • AD/CVD Intelligence\n"
         "  • HTS Classification\n  • Entry Filing\n\n" + "x" * 300 + "\n\nCatalogs\n\n  • AD/CVD Catalog\n  • HTS Catalog\n"
         "  • Rate Change Feed\n  • API\n\n" + "y" * 300 + "\n\n  1. AD/CVD Catalog\n  2. HTS Catalog\n  3. Guides\n  4. API\n",
         "adcvd", False),
        ("CSMS # 1 - Filing update", "  • AD/CVD entries must carry the case number.\n  • Filers must update software.\n", "adcvd", True),
        # older GPO stamps and the FR preamble's AGENCY: line (holdout 6: 272, 274); a CSMS's "Agency:" word is not
        ("Country of origin marking", "[Federal Register: March 14, 2000 (Volume 65, Number 50)]\n\n[Notices]\n",
         "federal_register", True),
        ("Import Administration", "DEPARTMENT OF THE TREASURY\n  Customs Service\n  AGENCY: Customs Service, Treasury.\n",
         "federal_register", True),
        ("CSMS # 1 - FDA outage", "Partner Government Agency: FDA systems will be down.", "federal_register", False),
        # 補助 as a benefit named in passing is no subsidy item; a programme, an application or money granted is (holdout 280)
        ("", "南市商業總會指，入會後企業會員可獲得公會認證與政府政策補助等許多好處，呼籲業者儘快入會。", "tw_incentive", False),
        ("", "經濟部公告受理中小企業拓銷補助計畫，即日起開放申請。", "tw_incentive", True),
        ("", "經濟部表示，將提供廠商拓銷與通路「補助」1百億元。", "tw_incentive", True),
        # Section 232's own scope named in the opening (holdout 6: 266, 267); a passing mention further down is not
        ("", "Imports of all steel and aluminum articles from Canada shall remain exempt from the additional duty.",
         "section_232", True),
        ("", "Commodity:  Steel mill and aluminum articles, as specified in the Presidential Proclamations.", "section_232", True),
        ("CSMS # 1 - ACE outage", "ACE will be down.\n" + "z" * 400 + "\nFilers of steel and aluminum articles may see delays.",
         "section_232", False),
        # the systems a deployment touches, an index of other messages: no mention (holdout 158, 206)
        ("CSMS # 17-000112 - ACE Cargo Release Deploy", "There will be a deployment of ACE Cargo Release items on "
         "Thursday, which will impact ACE Cargo Release and ACE Entry Summary processing. Filers may see delays.",
         "entry_liquidation", False),
        ("CSMS # 17-000113 - Entry Summary Deploy", "The deployment will change entry summary validations and will "
         "impact ACE Entry Summary processing.", "entry_liquidation", True),
        ("Trade Remedies", "Section 201 Related CSMS Messages\nCSMS NumberCSMS Topic\n40969690Information on Trade "
         "Remedy Questions\n18-000624 Entry Summary Order of Reporting For Multiple HTS in ACE\n", "entry_liquidation", False),
    ],
)  # fmt: skip
def test_topic_forms_in_the_opening(title: str, body: str, topic: str, expected: bool) -> None:
    """The Federal Register's own stamps open its text (holdout 246, 247, 250-252); 「the 301 Action」
    names Section 301 (246)."""
    assert (topic in {t.topic for t in tag(title, body)}) is expected


def test_a_word_in_passing_deep_in_a_long_article_is_not_its_topic() -> None:
    filler = "小額免稅通關規定之發展與電子商務的關係。" * 300
    body = filler[:3000] + "（參考國際緊急經濟權力法 IEEPA 之規定）" + filler[3000:]
    topics = {t.topic for t in tag("美國收緊小額免稅通關規定", body)}
    assert "de_minimis" in topics and "ieepa_cape" not in topics


def test_summary_of_seed_001_gives_no_cape_advice_through_understand() -> None:
    body = (TESTS / SEED_001).read_text(encoding="utf-8")
    u = understand(Announcement(key="t:1", source="customs-tw", kind="rss", ext_id="1", title="",
                                url="https://web.customs.gov.tw/x", body=body, language="zh-TW",
                                published=datetime(2015, 8, 4, tzinfo=UTC)))  # fmt: skip
    assert "ieepa_cape" not in {h.topic for h in u.topics}
    assert "ACH" not in u.summary_zh and "IEEPA" not in u.summary_zh


# ---- titles in one language ----------------------------------------------------------------
def test_at_most_five_percent_of_titles_are_half_translated() -> None:
    from tests.quality import mixed_titles

    mixed, total = mixed_titles()
    assert total >= 40
    assert len(mixed) <= 0.05 * total, "\n".join(mixed)


@pytest.mark.parametrize(
    ("title", "must"),
    [
        ("FDA Experienced Multiple System Outages 06:00 ET - 1400 Saturday", ["美國食品藥物管理局（FDA）", "系統中斷"]),
        ("GUIDANCE: IEEPA Duty Refunds through CAPE begin April 20", ["作業指引", "IEEPA 關稅退款", "CAPE"]),
        ("Trade update: nothing scheduled", []),
    ],
)  # fmt: skip
def test_a_title_the_glossary_cannot_carry_gets_a_chinese_gist_with_the_english_whole(title: str, must: list[str]) -> None:
    from bot.understand.summary import summarize
    from bot.understand.titles import english_outside_brackets, title_line
    from feeds.facts import extract_facts

    facts = extract_facts(title, "", published=datetime(2026, 6, 12, tzinfo=UTC), links=[])
    line = title_line(title, facts)
    assert line.endswith(f"（{title}）")
    zh = line[: -len(title) - 2]
    assert not english_outside_brackets(zh), zh
    for part in must:
        assert part in zh
    summary = summarize(facts, [], title=title, body="x", language="en")
    assert summary.splitlines()[0] == f"標題：{line}"


def test_a_chinese_title_stays_as_written() -> None:
    from bot.understand.titles import title_line
    from feeds.factmodel import Facts

    assert title_line("公告上線獎勵申請期程", Facts(title="公告上線獎勵申請期程")) == "公告上線獎勵申請期程"


@pytest.mark.parametrize(
    ("body", "invited"),
    [
        ("經濟部國際貿易署公告：115年度拓展外銷補助計畫即日起受理申請，請踴躍提出申請。", True),
        ("立委質疑宣傳費僅244萬元。經濟部回應，該費用用於向廠商宣傳如何申請參展補助，另編列100億元補助。", False),
    ],
)  # fmt: skip
def test_incentive_advice_only_where_the_notice_invites_applications(body: str, invited: bool) -> None:
    """A news story that names a subsidy budget is no call to apply (holdout 263)."""
    from bot.understand.english import summary_en

    u = understand(Announcement(key="t:2", source="explain", kind="explain", ext_id="", title="", url="",
                                body=body, language="zh-TW", published=datetime(2025, 9, 17, tzinfo=UTC)))  # fmt: skip
    assert "tw_incentive" in {h.topic for h in u.topics}
    assert ("於期程內提出申請" in u.summary_zh) is invited, u.summary_zh
    en = summary_en(u.facts, [h.topic for h in u.topics], title="", body=body)
    assert ("apply within the period" in en) is invited, en
