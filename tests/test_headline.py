"""A document without a title gets its heading, not the page chrome above it nor a whole lead
paragraph: what a broker reads first in the alert (bot/understand/headline.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.understand.explain import explain_bytes
from bot.understand.headline import headline

LEAD_ZH = ("財政部今日公告自明年起調整進口貨物之查驗作業，報關業者應配合更新系統設定，"
           "未依規定辦理者將依法處分，相關細節請參閱附件說明。其餘事項另行公告。")  # fmt: skip


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Skip to main content\n\nAn official website of the United States government\n\n  1. Home\n  2. Trade\n\n"
         "ACE Outage Notice\n\nACE will be down.", "ACE Outage Notice"),
        ("Official websites use .gov\nA .gov website belongs to an official government organization.\n"
         "Secure .gov websites use HTTPS\nTrade Week Opens\nText.", "Trade Week Opens"),
        ("The source for trade compliance news\n\nNew Filing Rule for Type 86\n\nBody.", "New Filing Rule for Type 86"),
        ("top of page\n\nUS Quota Update\n\nBody", "US Quota Update"),
        ("我是廣告 請繼續往下閱讀\n\n海關公布新制\n\n內文", "海關公布新制"),
        ("本網站使用相關技術提供更好的閱讀體驗,同時尊重使用者隱私\n下載\n快遞通關新制上路\n內文", "快遞通關新制上路"),
        ("快訊\n\n中央社／ 台北17日電\n\n海關公布新制\n", "海關公布新制"),
        ("[某新聞網]記者王小明／台北報導\n\n海關公布新制\n", "海關公布新制"),
        ("某某網記者王小明 台北 2025-09-16 19:57\n\n海關公布新制\n", "海關公布新制"),
        ("(圖/海關加強查驗。/資料照)\n\n海關公布新制\n", "海關公布新制"),
        ("▲業者說明新制影響。（圖／某公會提供）\n海關公布新制\n", "海關公布新制"),
        ("財政部關務署今年課徵反傾銷稅5.5億元。王小明攝\n\n海關公布新制\n", "海關公布新制"),
        ("Description\nA- A+\n計畫簡介\n內文", "計畫簡介"),
        ("2022年2月11日(星期五)\n海關公布新制\n", "海關公布新制"),
        (LEAD_ZH + "\n\n第二段", "財政部今日公告自明年起調整進口貨物之查驗作業，報關業者應配合更新系統設定，未依規定辦理者將依法處分，相關細節請參閱附件說明"),
        ("〔記者王小明／台北報導〕" + LEAD_ZH, "財政部今日公告自明年起調整進口貨物之查驗作業，報關業者應配合更新系統設定，未依規定辦理者將依法處分，相關細節請參閱附件說明"),
        ("U.S. Customs and Border Protection has announced that its port of Champlain will hold a Trade Day on "
         "March 28, 2012. This event will let members of the trade meet port staff and ask questions about it.",
         "U.S. Customs and Border Protection has announced that its port of Champlain will hold a Trade Day on March 28, 2012."),
        ("Tariff Classification September 2022 WebinarsThe Office of Trade is excited to present a series of "
         "webinars on classification for members of the trade community and other interested parties here.",
         "Tariff Classification September 2022 Webinars"),
        ("ACE Deployment Notice\n\nBody", "ACE Deployment Notice"),
        # holdout 4/5: stamps before the heading, publishers' lines, GPO stamps, weather, bylines
        (" date 2026-02-09 快訊\n\n海關公布新制\n", "海關公布新制"),
        (" date 2025-09-17 晴時多雲\n\n海關公布新制\n", "海關公布新制"),
        (" date 2026-02-12 （中央社記者王小明台北12日電）" + LEAD_ZH,
         "財政部今日公告自明年起調整進口貨物之查驗作業，報關業者應配合更新系統設定，未依規定辦理者將依法處分，相關細節請參閱附件說明"),
        ("【記者 王小明／高雄 報導】" + LEAD_ZH,
         "財政部今日公告自明年起調整進口貨物之查驗作業，報關業者應配合更新系統設定，未依規定辦理者將依法處分，相關細節請參閱附件說明"),
        ("Title: | ABI PROCESSING DELAYS |\n---|---|\nDate: | 2007-03-27 |", "ABI PROCESSING DELAYS"),
        ("2022-08664. Request for Information on CBP Programs\n-\nStart Preamble", "Request for Information on CBP Programs"),
        ("83_FR_49052 83 FR 48864 - Aluminum Wire From China; Institution of Investigations\nBody.",
         "Aluminum Wire From China; Institution of Investigations"),
        ("88 FR 167 pgs. 59933-59935 - Commercial Customs Operations Advisory Committee (COAC)\nBody.",
         "Commercial Customs Operations Advisory Committee (COAC)"),
        ("經濟部更新出口實體管理名單，納管279個實體。圖／本報資料照片\n\n內文", "經濟部更新出口實體管理名單，納管279個實體"),
        ("As previously announced, the Section 232 steel and aluminum 25% ad valorem tariffs went into effect 12:01 a.m., "
         "March 12, 2025, against all steel and aluminum articles and all derivative articles from every country of origin",
         "As previously announced, the Section 232 steel and aluminum 25% ad valorem tariffs went into effect 12:01 a.m., "
         "March 12, 2025, against all steel and aluminum articles and all derivative articles…"),
        ("CSMS Message: 17-000112\n\nTitle:ACE PRODUCTION Deploy, Mar. 2, 2017\nPlease be advised.", "ACE PRODUCTION Deploy, Mar. 2, 2017"),
        ("Trade Daily is a service of Some Communications News.\n\nCBP Posts New Guidance\n\nBody.", "CBP Posts New Guidance"),
        ("某某日報／ 記者王小明／台北即時報導\n\n海關公布新制\n", "海關公布新制"),
        ("中華郵政。圖/某某新聞(資料畫面)\n海關公布新制\n", "海關公布新制"),
        ("[Federal Register Volume 85, Number 58 (Wednesday, March 25, 2020)]\n[Notices]\n[Pages 1-2]\n"
         "From the Federal Register Online via the Government Publishing Office [www.gpo.gov]\n[FR Doc No: 2020-1]\n\n"
         "=====\n-----\n\nOFFICE OF THE UNITED STATES TRADE REPRESENTATIVE\n\n[Docket Number USTR-2020-0014]\n\n\n"
         "Request for Comments on Additional Modifications to the 301 \nAction To Address COVID-19\n\nAGENCY: USTR.",
         "Request for Comments on Additional Modifications to the 301 Action To Address COVID-19"),
        ("U.S. Customs and Border Protection - Cbp\n\nPage created by Someone\n \nCONTINUE READING\n"
         "U.S. Customs and Border Protection\n   \u25c6\n\n   19 CFR CHAPTER I\n\nNOTICE OF NEW\nPORT HOURS\n\nAGENCY: CBP.",
         "NOTICE OF NEW PORT HOURS"),
        # holdout 6 (and batch 3-5 left-overs 242, 260): a 專訊 byline, an FR number with a two-digit year,
        # labels, a lead-in with a colon, a table's header row and bilingual cells, ASCII commas, a why-clause
        (" date 2026-01-16 【某某網專訊】" + LEAD_ZH,
         "財政部今日公告自明年起調整進口貨物之查驗作業，報關業者應配合更新系統設定，未依規定辦理者將依法處分，相關細節請參閱附件說明"),
        ("02-20757. Administrative Rulings\n\nAGENCY: Customs Service.", "Administrative Rulings"),
        ("BACKGROUND\nACE Outage Notice\nBody.", "ACE Outage Notice"),
        ("Information derived from the Cargo Systems Messaging Service:\n\nACE Outage Notice\n", "ACE Outage Notice"),
        ("編號 規定中文 規定英文 實施日期\n刪除 Delete\n海關公布新制\n", "海關公布新制"),
        ("某某關分局長王小明,昨天接受訪問,他說的「AEO優質企業」到底是什麼?其餘內容。", "某某關分局長王小明，昨天接受訪問，他說的「AEO優質企業」到底是什麼？"),
        ("鑑於疫情升溫,為降低傳染風險與落實電子化政策,海關船舶抵達申報e化服務,業於111年5月26日上線,請業者多加利用。",
         "海關船舶抵達申報e化服務，業於111年5月26日上線，請業者多加利用"),
        ("為強化我國出口管制機制，防範高科技貨品流入涉武擴散實體，經濟部今日宣布更新實體管理名單，新增279個實體，並移除7個實體。",
         "經濟部今日宣布更新實體管理名單，新增279個實體，並移除7個實體"),
        ("輸入下列貨品,不論其歸何號列,應依照下列規定辦理: The importation of any of the following products shall be made "
         "in accordance with the requirements listed below regardless of their codes and other words here:",
         "輸入下列貨品，不論其歸何號列，應依照下列規定辦理"),
        # an agency's name alone, update stamps, a what's-new line, FR preamble fields; a heading wrapped mid-phrase
        ("Import Administration\nSeptember 2001:   New FTZ Mailing Address\nlast update: September 2002\n"
         "   DEPARTMENT OF THE TREASURY\n      Customs Service\n   AGENCY: Customs Service, Treasury.\n   19 CFR Part 146\n"
         "   Reconsideration of Interpretation of Exportation for Purpose \n    of Foreign Trade Zones Act \n   53 FR 16730 \n",
         "Reconsideration of Interpretation of Exportation for Purpose of Foreign Trade Zones Act"),
        ("為期2年的早收計畫,明日執行完第3階段降稅時程,預計明日起關稅可望降至零,屆時所有清單全面免稅。",
         "為期2年的早收計畫，明日執行完第3階段降稅時程，預計明日起關稅可望降至零，屆時所有清單全面免稅"),
    ],
)  # fmt: skip
def test_the_heading_is_past_the_chrome_and_out_of_the_lead(body: str, expected: str) -> None:
    assert headline(body) == expected


def test_an_explained_page_is_titled_by_its_heading_not_its_chrome() -> None:
    body = "Skip to main content\n\nAn official website of the United States government\n\nACE Outage Notice\n\nACE will be down."
    got = explain_bytes(body.encode(), now=datetime(2026, 6, 1, tzinfo=UTC))
    assert got["title"] == "ACE Outage Notice"
    assert "Skip to" not in got["summary_zh"]


def test_a_letter_keeps_its_subject_line_as_title() -> None:
    body = "某某公會 函\n\n主旨：轉知關務署公告新制，請查照。\n\n說明：一、依據關務署函辦理。"
    got = explain_bytes(body.encode(), now=datetime(2026, 6, 1, tzinfo=UTC))
    assert got["title"].startswith("轉知關務署公告新制")


@pytest.mark.parametrize(
    ("body", "zh"),
    [
        ("依據某某協會110年9月11日函辦理。\n\n(網址:file:///C:/Users/x/Downloads/1100101455.pdf", True),
        ("海關公告：春節連假通關時間調整，請業者留意。", True),
        ("CBP announces ACE maintenance this weekend; filers should plan around it.", False),
        ("CBP will hold a webinar on CAPE (入境貨物資料綜合管理與處理) for importers and brokers next week.", False),
    ],
)  # fmt: skip
def test_a_short_chinese_notice_is_read_as_chinese(body: str, zh: bool) -> None:
    got = explain_bytes(body.encode(), now=datetime(2026, 6, 1, tzinfo=UTC))
    assert ("美方發布訊息" not in got["summary_zh"]) is zh, got["summary_zh"]


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("公告承攬業者申報艙單之申報時限事項。依據:海關管理承攬業辦法第3條公告事項:一、承攬業應於起飛前申報。",
         "公告承攬業者申報艙單之申報時限事項。"),
        ("公告承攬業者申報艙單之申報時限事項 依據：海關管理承攬業辦法第3條", "公告承攬業者申報艙單之申報時限事項"),
        ("轉知關務署公告新制，請查照。", "轉知關務署公告新制，請查照。"),
    ],
)  # fmt: skip
def test_a_letters_subject_is_its_first_sentence_not_the_letter_run_on(subject: str, shown: str) -> None:
    body = f"某某關 公告\n\n發文日期：中華民國105年8月19日\n\n主旨:{subject}\n"
    got = explain_bytes(body.encode(), now=datetime(2026, 6, 1, tzinfo=UTC))
    assert f"標題：{shown}\n" in got["summary_zh"], got["summary_zh"]


def test_the_alerts_heading_is_the_subjects_first_sentence_too() -> None:
    from bot.alerts.render import render_alert
    from bot.understand.explain import announcement_from_text
    from bot.understand.understanding import understand

    body = ("某某關 公告\n\n發文日期：中華民國105年8月19日\n\n"
            "主旨:公告承攬業者申報艙單之申報時限事項。依據:海關管理承攬業辦法第3條公告事項:一、承攬業應於起飛前申報。\n")  # fmt: skip
    now = datetime(2026, 6, 1, tzinfo=UTC)
    ann, _ = announcement_from_text(body, now=now)
    text = render_alert(ann, understand(ann, now=now), [], lang="zh-TW", tz="Asia/Taipei", now=now).text
    assert text.splitlines()[0].endswith("公告承攬業者申報艙單之申報時限事項。"), text
    assert "依據:海關" not in text.splitlines()[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a page's English date line above the heading (holdout 290)
        ("Tuesday, February 27, 2024\n\nCommercial Customs Operations Advisory Committee\n\nOn February 16, CBP published.",
         "Commercial Customs Operations Advisory Committee"),
        # a document number alone and a document page's one-word section labels (holdout 291)
        ("FR 2025-02621\n\nOverview\n\nTitle\n\nTrade Facilitation Meeting\n\nAgencies\n", "Trade Facilitation Meeting"),
        # an agency's name alone, however long, with its sub-agency after a semicolon (holdout 294, 296)
        ("National Oceanic and Atmospheric Administration\nOcean Advisory Committee Public Meeting\n",
         "Ocean Advisory Committee Public Meeting"),
        ("Department of the Army; Corps of Engineers\n\nBoard on Coastal Engineering Research\n",
         "Board on Coastal Engineering Research"),
        # two bylines stacked on a lead (holdout 315)
        ("【某某台2013年01月22日訊】(中央社記者王小明台北22日電)經濟部國際貿易局表示,將推動原產地證明廠商自行舉證制度。\n其餘內文。",
         "經濟部國際貿易局表示，將推動原產地證明廠商自行舉證制度"),
    ],
)
def test_date_lines_numbers_labels_agencies_and_stacked_bylines_are_not_headings(body: str, expected: str) -> None:
    assert headline(body) == expected


def test_a_bulletin_services_name_above_its_heading_stays_when_it_is_the_heading() -> None:
    # "Cargo Systems Messaging Service" is the publisher's name, not an agency's name alone: the longer rule for
    # agencies' names ends in "Administration" only, so a CSMS bulletin's topics stay as they were labelled
    assert headline("Cargo Systems Messaging Service\nCSMS # 1 - GUIDANCE: Filing\nBody.") == "Cargo Systems Messaging Service"
