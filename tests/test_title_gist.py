"""The 繁體中文 gist of an English title says what and when: no filler words standing as the
subject (新、變更、實施、US), and the day the title itself names (「Deploys July 25」) rather
than an earlier support call — but not a day it names as when something was issued."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.understand.titles import title_zh
from feeds.facts import extract_facts

PUBLISHED = datetime(2024, 7, 10, tzinfo=UTC)
CALL = "A support call will be held on July 18, 2024 at 2:00 p.m. ET."


@pytest.mark.parametrize(
    ("title", "body", "must", "must_not"),
    [
        ("Entry Type 86 Estimated Date of Arrival Requirement Deploys July 25, 2024", CALL, ["86 型通關", "系統上線", "7/25"], ["7/18", "7/19"]),
        ("ACE Processing of De Minimis Shipments Per Executive Orders issued February 1, 2024", CALL, ["小額免稅", "7/19"], ["2/1"]),
        ("On April 8, 2024, CBP issued guidance on Section 301 exclusions", CALL, ["301 條款", "7/19"], ["4/8"]),
        ("Upcoming Changes to CBP's Entry Type 86 Requirements", "", ["86 型通關變更"], ["新", "、"]),
        ("US Customs & Border Protection Issues New Guidance On End Of De Minimis Exemption", "", ["小額免稅作業說明"], ["US", "新"]),
        ("Automated Enforcement of Late Filing of Entry Type 86 Transactions", "", ["86 型通關"], ["執法", "申報"]),
        ("Trade Remedies", "", ["貿易救濟"], []),
        # holdout 6 and left-overs: one subject read whole, a review, a docket number is no subject
        ("Commerce to Establish Process to Include Additional Derivative Steel Products in 232 Tariffs", "",
         ["鋼鐵衍生產品"], ["衍生、", "、鋼鐵"]),
        ("CBP CSMS Messages and Web Postings", "", ["CSMS 訊息", "網站公告"], ["報關、核定與異議"]),
        ("Information on Upcoming Review of Inactive CSMS Subscribers", "", ["CSMS 訂閱戶審查"], ["反傾銷稅"]),
        ("Trade News Snapshot - Volume 6, Issue 2", "", ["貿易新聞摘要"], []),
        ("Reroute Request for Periodic Monthly Statements", "", ["按月彙總繳稅（PMS）"], ["ACE 訊息"]),
        ("Reconsideration of Interpretation of Exportation for Purpose of Foreign Trade Zones Act; Extension of Time for "
         "Comments", "", ["對外貿易區法", "意見徵詢", "延長"], ["貿易意見"]),
        ("Country of origin marking: Producers' goods and consumers' goods; distinction,", "", ["原產地標示"], []),
        ("Section 232 is a mechanism under the Trade Expansion Act of 1962 that allows the government to act", "",
         ["232 條款", "貿易擴張法"], ["貿易 ", "、貿易、"]),
        ("CBP published in the Federal Register an interim final rule [USCBP-2020-0036; CBP Dec. 20-11], which amends", "",
         ["聯邦公報", "最終規則"], ["USCBP"]),
        ("CBP Hosts First Virtual Trade Week", "", ["貿易週"], []),
        # words in capitals inside a mixed title are words, not acronyms; a kind is not a subject (holdout 265, 222)
        ("SECOND REMINDER: ACE Deployment of ACE Changes for ABI Filers - GET READY NOW!", "",
         ["ACE", "ABI 申報人", "系統上線"], ["SECOND", "READY", "Ready"]),
        ("CBSA Message (TCC19-012) – EDI/Portal Scheduled Maintenance Outages, 19-20 January", "",
         ["系統維護"], ["TCC19", "、系統維護"]),
        # a title set in capitals is read as words, not as a row of acronyms (holdout 4/5: 248, 254)
        ("NOTIFICATION OF TEMPORARY TRAVEL RESTRICTIONS APPLICABLE TO LAND PORTS OF ENTRY AND FERRIES SERVICE BETWEEN "
         "THE UNITED STATES AND CANADA", "", ["旅行限制", "陸路入境口岸"], ["NOTIFICATION", "TRAVEL", "OF"]),
        ("INTERMITTENT/INCOMPLETE ABI PROCESSING", "", ["ABI"], ["INTERMITTENT", "INCOMPLETE"]),
        ("CSMS AND CAPE UPDATE FOR BROKERS", "", ["CAPE", "報關行"], ["BROKERS", "Cape"]),
        ("Commercial Customs Operations Advisory Committee", "", ["商業海關運作諮詢委員會（COAC）"], ["說明會／線上研討"]),
        ("Request for Information on Customs and Border Protection Programs Pursuant to 19 CFR Part I", "",
         ["資訊徵詢"], []),
    ],
)  # fmt: skip
def test_gist_says_what_and_when(title: str, body: str, must: list[str], must_not: list[str]) -> None:
    facts = extract_facts(title, body, published=PUBLISHED, links=[])
    zh = title_zh(title, facts)
    for part in must:
        assert part in zh, zh
    for part in must_not:
        assert part not in zh, zh


@pytest.mark.parametrize(
    ("title", "body", "must", "must_not"),
    [
        ("UPDATE: Section 301 Filing Requirements Related to Changes in the Harmonized Tariff Schedule", "", ["美國調和關稅表"], ["時程"]),
        ("Cash deposit instructions for carbon steel flanges from Italy (A-475-835)",
         "Liquidate entries for the period 02/08/2017 through 07/31/2018.", ["案號 A-475-835"], ["A-475- ", "2/8"]),
    ],
)  # fmt: skip
def test_gist_reads_names_whole(title: str, body: str, must: list[str], must_not: list[str]) -> None:
    facts = extract_facts(title, body, published=PUBLISHED, links=[])
    zh = title_zh(title, facts)
    for part in must:
        assert part in zh, zh
    for part in must_not:
        assert part not in zh, zh


def test_a_bulletin_titled_only_by_its_number_shows_its_title_line() -> None:
    """「CSMS Message: 17-000112」 ⏎ 「Title:ACE PRODUCTION …」: the alert shows the title, not the
    number (holdout 158), in both languages."""
    from bot.understand.explain import explain_bytes

    body = ("CSMS Message: 17-000112\n\nTitle:ACE PRODUCTION Deploy, Thur Mar. 2, 2017 @0500ET\n"
            "Please be advised that there will be an ACE PRODUCTION deployment on March 2, 2017.")  # fmt: skip
    got = explain_bytes(body.encode(), now=datetime(2017, 3, 1, tzinfo=UTC))
    first = got["summary_zh"].splitlines()[0]
    assert "ACE PRODUCTION Deploy" in first and "系統上線" in first, first
