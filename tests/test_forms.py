"""Every form the issue "every date, time and number a broker would mark" quotes, each in a
short real-looking snippet with the facts a reader marks: years from the document (never the
clock), Chinese and English date/time forms, windows as one event, numbers, labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feeds.facts import extract_facts
from feeds.spans import LABEL_MAX, width
from tests.forms import LATE, TPE, days, facts, windows

# ---- Years come from the document, never from today --------------------------------------

YEAR_CASES = [
    # (text, published, expected days)
    ("ACE will be unavailable on June 6th from 10:00 PM to 11:00 PM ET.", datetime(2015, 6, 1, tzinfo=UTC), {"2015-06-06"}),
    ("Title:ACS OUTAGE -- SATURDAY FEBRUARY 17\nDate:2001-02-14\nTHE OUTAGE WILL BEGIN AT 1200 (NOON) ON SATURDAY.", LATE, {"2001-02-17"}),
    ("發文日期：中華民國115年1月20日\n主旨：春節連續假期（2月14日至22日）通關服務。", LATE, {"2026-01-20", "2026-02-14", "2026-02-22"}),
    ("本署訂於3月10日上午9時舉辦說明會。", datetime(2025, 2, 20, tzinfo=TPE), {"2025-03-10"}),
    ("因應115年春節連續假期，2月14日至22日派員辦理通關。", LATE, {"2026-02-14", "2026-02-22"}),
    ("因應一一二年元旦連續假期，十二月三十日之案件當日處理完畢，一月二日全日派員值勤。", LATE, {"2022-12-30", "2023-01-02"}),
    ("今（2025）年 2月 1日起實施，3月10日截止。", LATE, {"2025-02-01", "2025-03-10"}),
    # GovDelivery dateline: the message's own date beats a late feed date
    ("U.S. Customs and Border Protection sent this bulletin at 12/20/2025 09:00 AM EST\nThe webinar is on January 8 at 2:00 p.m. ET.", LATE, {"2026-01-08"}),
    # an old notice read today: its full dates, not the clock, decide
    ("On June 6, 2015, Air AMS goes offline; ACE becomes the system of record on June 7th.", LATE, {"2015-06-06", "2015-06-07"}),
]


@pytest.mark.parametrize(("text", "published", "expected"), YEAR_CASES, ids=[c[0][:30] for c in YEAR_CASES])
def test_a_date_without_a_year_takes_the_documents_year(text: str, published: datetime, expected: set[str]) -> None:
    assert days(text, published) == expected


def test_this_year_in_brackets_is_the_year() -> None:
    f = facts("今（2025）年 2月 1日起實施。")
    assert [d.date.isoformat() for d in f.dates] == ["2025-02-01"]
    assert f.dates[0].kind == "effective"


# ---- Chinese forms ---------------------------------------------------------------------------

ZH_DATE_CASES = [
    ("春節連續假期（2月14日至22日）", datetime(2026, 1, 20, tzinfo=TPE), [("range_start", "2026-02-14"), ("range_end", "2026-02-22")]),
    ("清明節連續假期(4月4日至7日)", datetime(2024, 3, 21, tzinfo=TPE), [("range_start", "2024-04-04"), ("range_end", "2024-04-07")]),
    ("端午節連續假期(6月8日（星期六）至10日)", datetime(2024, 5, 20, tzinfo=TPE), [("range_start", "2024-06-08"), ("range_end", "2024-06-10")]),
    ("十二月三十日派員值勤", datetime(2022, 12, 22, tzinfo=TPE), [("mentioned", "2022-12-30")]),
    ("一月二日全日派員值勤", datetime(2022, 12, 22, tzinfo=TPE), [("mentioned", "2023-01-02")]),
    ("十二月二十九日（星期五）及三十日派員", datetime(2023, 12, 1, tzinfo=TPE), [("mentioned", "2023-12-29"), ("mentioned", "2023-12-30")]),
    ("廿九日", datetime(2023, 12, 1, tzinfo=TPE), []),  # a day alone with no month named: nothing
    ("日期：113-03-21", LATE, [("issued", "2024-03-21")]),
    ("說明會於115.4.24(五)舉行", LATE, [("mentioned", "2026-04-24")]),
    ("系統於113/12/8停機", LATE, [("mentioned", "2024-12-08")]),
    ("檢附意見回單請於2月5日(星期四)前傳真回覆", datetime(2015, 2, 3, tzinfo=TPE), [("deadline", "2015-02-05")]),
    ("9月22日(星期六)辦理。另外,22日下午及23日需申請", datetime(2007, 9, 17, tzinfo=TPE), [("mentioned", "2007-09-22"), ("mentioned", "2007-09-23")]),
    ("一一二年十二月廿九日(連續假期前一天)的案件", LATE, [("mentioned", "2023-12-29")]),
]


@pytest.mark.parametrize(("text", "published", "expected"), ZH_DATE_CASES, ids=[c[0][:16] for c in ZH_DATE_CASES])
def test_chinese_date_forms(text: str, published: datetime, expected: list[tuple[str, str]]) -> None:
    got = sorted((d.kind, d.date.isoformat()) for d in facts(text, published).dates)
    assert got == sorted(expected)


SHUTDOWN = (
    "一、為配合停電檢驗保養作業,通關營運主機將於113年12月8日(星期日)停機。\n"
    "二、上午9時起暫停網際網路報關。\n"
    "三、下午1時15分起恢復線上查詢。\n"
    "四、中午12時前完成預報貨物資訊。\n"
    "五、11時30分至20時30分下列系統暫停服務:\n(一)跨機關車輛資訊整合服務系統\n"
)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2024-12-08T09:00:00+08:00", None),
        ("2024-12-08T13:15:00+08:00", None),
        ("2024-12-08T12:00:00+08:00", None),
        ("2024-12-08T11:30:00+08:00", "2024-12-08T20:30:00+08:00"),
    ],
)
def test_times_under_items_belong_to_the_day_an_earlier_item_named(start: str, end: str | None) -> None:
    assert (start, end) in windows(SHUTDOWN)


def test_a_time_before_qian_is_a_deadline() -> None:
    ev = {e.start_iso: e.kind for e in facts(SHUTDOWN).events}
    assert ev["2024-12-08T12:00:00+08:00"] == "deadline"


HOLIDAY = (
    "基隆關表示,端午節連續假期前一天(113年6月7日)及連假期間(6月8日至10日)仍派員辦理通關業務。\n\n"
    "一、一般進出口通關案件:(一) 6月7日(假期前一日):除特殊情形外,均將於當日處理完畢。(二) 6月8日至9日:"
    "集中於關本部1樓服務中心辦理。服務時間為6月8日上午8時30分至12時30分。(三)6月10日:服務時間為8時30分至16時30分。\n\n"
    "二、花蓮分關蘇澳派出課20時後視需要派員辦理結關等業務。"
)


def test_holiday_service_hours_are_taipei_events_with_start_and_end() -> None:
    evs = facts(HOLIDAY).events
    assert [(e.start_iso, e.end_iso) for e in evs] == [
        ("2024-06-08T08:30:00+08:00", "2024-06-08T12:30:00+08:00"),
        ("2024-06-10T08:30:00+08:00", "2024-06-10T16:30:00+08:00"),
    ]  # "20時後視需要" is open-ended: no event
    assert all(e.zone == "Asia/Taipei" and e.start.utcoffset() == timedelta(hours=8) for e in evs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every day of a period: the period's first day, one event per window
        ("春節（2月14日至22日）連續假期期間：（一）進出口貨物通關作業：每日上午8時30分至下午4時30分止。",
         [("2026-02-14T08:30:00+08:00", "2026-02-14T16:30:00+08:00")]),
        # four days before one window: four events
        ("郵務股於2月14、16、19及27日上午7時30分至下午3時30分辦理國際郵包通關。",
         [(f"2026-02-{d}T07:30:00+08:00", f"2026-02-{d}T15:30:00+08:00") for d in ("14", "16", "19", "27")]),
        # a weekly schedule is no event
        ("下周一(二月十四日)起,顧客服務中心只於星期一、三及五上午八時四十五分至下午五時三十分開放。", []),
        # the day before the holiday is never the holiday
        ("十二月三十日(連續假期前一天)之案件當日處理完畢。\n\n儀檢作業值勤時間為上午八時至下午四時止。", []),
        # a time with its own relative day is not put under another date
        ("2月27日至3月1日連假。\n\n（二）請於連假前1日下午4時前，以書面通知轄區海關。", []),
        # 「第一時間」 is not one o'clock
        ("該分關於109年8月24日上班時發現,已於第一時間通報。", []),
    ],
)
def test_chinese_service_hours(text: str, expected: list[tuple[str, str]]) -> None:
    assert windows(text, datetime(2026, 1, 27, tzinfo=TPE) if "2月" in text else LATE) == expected


# ---- English forms ---------------------------------------------------------------------------

EN_WINDOW_CASES = [
    ("ACE will be unavailable from 5:00 PM (1700) TO 11:30 PM (2330) EASTERN TIME on Saturday, March 4, 2017.",
     ("2017-03-04T17:00:00-05:00", "2017-03-04T23:30:00-05:00")),
    ("Maintenance on March 25, 2017 from 3 AM – 7:00 AM EST.", ("2017-03-25T03:00:00-05:00", "2017-03-25T07:00:00-05:00")),
    ("ACE will be down from 0600 ET - 1400 Saturday, 3/25/2017.", ("2017-03-25T06:00:00-04:00", "2017-03-25T14:00:00-04:00")),
    ("ACE will be unavailable from Saturday 2300 EDT, April 25, 2026 until Sunday 0500 EDT.",
     ("2026-04-25T23:00:00-04:00", "2026-04-26T05:00:00-04:00")),
    ("Outage on Saturday, June 6, 2015 between 7:00PM and 8:00PM ET.", ("2015-06-06T19:00:00-04:00", "2015-06-06T20:00:00-04:00")),
    ("The webinar is March 20, 2030, 2:00-3:00 p.m. ET.", ("2030-03-20T14:00:00-04:00", "2030-03-20T15:00:00-04:00")),
    ("Join us on March 20, 2030 from 1-2 p.m. ET.", ("2030-03-20T13:00:00-04:00", "2030-03-20T14:00:00-04:00")),
    ("ACE will be down 0000 to 0400 hours EST on Sunday, March 10, 2030.", ("2030-03-10T00:00:00-05:00", "2030-03-10T04:00:00-05:00")),
    ("Unavailable between the hours of 10:00 PM and 2:00 AM ET on March 22, 2030.",
     ("2030-03-22T22:00:00-04:00", "2030-03-23T02:00:00-04:00")),
    ("Deployment: 2100 ET Saturday, 03/15/2025 until 0300 ET Sunday, 03/16/2025.",
     ("2025-03-15T21:00:00-04:00", "2025-03-16T03:00:00-04:00")),
]


@pytest.mark.parametrize(("text", "window"), EN_WINDOW_CASES, ids=[c[0][:30] for c in EN_WINDOW_CASES])
def test_a_window_is_one_event_with_start_and_end_and_one_zone(text: str, window: tuple[str, str]) -> None:
    assert windows(text, datetime(2015, 1, 1, tzinfo=UTC) if "2015" in text else LATE) == [window]


def test_an_end_given_as_a_range_ends_at_the_later_bound_marked_approximate() -> None:
    text = (
        "Date:2001-02-14\nON SATURDAY FEBRUARY 17, THE OUTAGE THAT NORMALLY BEGINS AT 2300 HOURS ON\n"
        "SATURDAY AND ENDS AT 0300 HOURS ON SUNDAY, WILL INSTEAD BEGIN AT 1200 (NOON) ON SATURDAY AND\n"
        "END SOMEWHERE BETWEEN 0000 (MIDNIGHT) AND 0300 HOURS ON SUNDAY. NOTE THAT ALL TIMES ARE\n"
        "REFERENCED AS EASTERN STANDARD TIME.\n"
    )
    (ev,) = facts(text).events  # the habitual 2300–0300 schedule is no event
    assert (ev.start_iso, ev.end_iso) == ("2001-02-17T12:00:00-05:00", "2001-02-18T03:00:00-05:00")
    assert ev.end_approximate and ev.to_json()["end_approximate"] is True


@pytest.mark.parametrize(
    "text",
    [
        "The system is normally unavailable from 2300 to 0300 EDT for backups.",
        "ACE is taken down every Saturday from 11:00 PM to 2:00 AM ET.",
        "The help desk is available from 9:00 AM to 5:00 PM Eastern Time, Monday through Friday.",
    ],
)
def test_a_habitual_schedule_is_no_event(text: str) -> None:
    assert facts(text, datetime(2026, 4, 20, tzinfo=UTC)).events == ()


def test_nine_am_on_the_day_of_the_webinar_is_not_an_event() -> None:
    text = "The webinar is on April 21 at 1:00 p.m. ET. Registration closes at 9 a.m. on the day of the webinar."
    assert windows(text, datetime(2026, 4, 20, tzinfo=UTC)) == [("2026-04-21T13:00:00-04:00", None)]


def test_a_zoneless_restatement_of_a_zoned_time_is_the_same_event() -> None:
    text = (
        "ACS will go offline at 3:00PM ET, Saturday, June 6th and back online no later than 5:00PM ET, Saturday, June 6th.\n"
        "During the June 6, 3:00PM – 5:00PM outage window, CBP will not process FTZ Admissions."
    )
    assert windows(text, datetime(2015, 6, 1, tzinfo=UTC)) == [("2015-06-06T15:00:00-04:00", "2015-06-06T17:00:00-04:00")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("held September 8-11.", {"2020-09-08", "2020-09-11"}),
        ("Webinars are scheduled for January 13, 14, and 15, 2026, at specific EST times.", {"2026-01-13", "2026-01-14", "2026-01-15"}),
        ("held Dec.5-6, in Atlanta.", {"2020-12-05", "2020-12-06"}),
        ("June 6-7, 2015", {"2015-06-06", "2015-06-07"}),
        ("the deposit rate on May 3, 5 percent higher", {"2020-05-03"}),
    ],
)
def test_days_of_one_month_with_the_year_written_once(text: str, expected: set[str]) -> None:
    assert days(text, datetime(2020, 9, 18, tzinfo=UTC)) == expected


# ---- Numbers ---------------------------------------------------------------------------------

NUMBER_CASES = [
    ("Related messages:\nCSMS #\n63988468,\n63992482\n,\n64045612", ["63988468", "63992482", "64045612"]),
    ("Related CSMS: 64384423, 64384496 and 64624801", ["64384423", "64384496", "64624801"]),
    ("Related CSMS No. 01-000156\n\nReferenced By\n\nCSMS #01-000296", ["01-000156", "01-000296"]),
    ("CBP reiterated CSMS #18-000757, stating that", ["18-000757"]),
    ("issued a Cargo Systems Messaging Service (“CSMS”) Message # 64680374which sets forth", ["64680374"]),
    ("See CSMS #65236374 and #65236375 for details.", ["65236374", "65236375"]),
    ("See CSMS Nos. 65236374, 65236375, and 65236376.", ["65236374", "65236375", "65236376"]),
    ("previously announced in CSMS messages #61889977, #61889978", ["61889977", "61889978"]),
    ("Related CSMS:\n• 64384423\n• 64624801", ["64384423", "64624801"]),
    ("CSMS #56412354, 2 HTS numbers and 1234567 dollars", ["56412354"]),
    ("Call 0800-280-280 or 04-26565101#327, fax 02-2542-3704.", []),
    # a 7-digit number is an AD/CVD message, not a CSMS number (8 digits or YY-NNNNNN)
    ("CSMS 0118409 is a CBP bulletin. Ref: Message 4135301, dated 05/15/2014", []),
    # a table of messages flattened to text: each row starts with its number, run into its topic
    ("Quota Related CSMS Messages\nCSMS NumberCSMS Topic\n51234567GUIDANCE: Quota Limits\n52345678\n\nQuota Bulletin 19-148 Revised\n\n"
     "17-000123UPDATE: Quota Opening Effective July 1, 2017", ["51234567", "52345678", "17-000123"]),
    ("Topic lines follow.\nCSMS Number | Topic\n51234567 Quota\nOne\nTwo\nThree\nFour\n52345678 is an order number", ["51234567"]),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES, ids=[c[0][:24] for c in NUMBER_CASES])
def test_related_csms_numbers(text: str, expected: list[str]) -> None:
    f = facts(text)
    assert list(f.related_csms) == expected
    assert not any(n in h for n in ("0800", "2656", "2542") for h in f.hts)


def test_phone_numbers_are_never_csms_or_hts() -> None:
    f = facts("客服專線0800-280-280；臺中關04-26565101#327；關務署 (02)25505500分機 2539。CSMS #65236374")
    assert list(f.related_csms) == ["65236374"] and list(f.hts) == []


# ---- Labels ----------------------------------------------------------------------------------

LONG_EN = (
    "In coordination with the Office of Trade, U.S. Customs and Border Protection will conduct "
    "scheduled maintenance of the Automated Commercial Environment on Saturday, April 25, 2026 "
    "from 2300 EDT until Sunday 0500 EDT, during which ACE Portal, ABI and the Document Imaging "
    "System will be unavailable to filers and carriers."
)
LONG_ZH = (
    "一般進、出口(含保稅)貨物通關案件,於6月8日每日上午八時三十分至下午四時三十分,由快遞機放組快遞一、二課、"
    "松山分關業務課及竹圍分關業務一課、儀檢課辦理,視同正常辦公時間,無須事先申請,並免依海關徵收規費規則規定徵收特別驗貨費。"
)


@pytest.mark.parametrize("text", [LONG_EN, LONG_ZH])
def test_labels_are_whole_phrases_short_enough_for_a_calendar_title(text: str) -> None:
    f = facts(text, datetime(2022, 5, 16, tzinfo=TPE))
    labels = [e.label for e in f.events] + [d.label for d in f.dates]
    assert labels
    words = set(text.replace(",", " ").replace(".", " ").split())
    for lab in labels:
        assert width(lab.rstrip("…")) <= LABEL_MAX
        if lab.isascii():  # never cut inside a word
            assert all(w.strip(",.") in words or w.strip(",.") in text for w in lab.rstrip("…").split())
            assert lab.rstrip("…").split()[0] in words and lab.rstrip("…").split()[-1].strip(",.") in text.split() + [
                w.strip(",.") for w in text.split()
            ]


# ---- 說明會 calls (貿易署, 關務署): dated sessions, registration deadlines ----------------------

BRIEFING_CASES = [
    ("經濟部國際貿易署訂於114年5月20日（星期二）下午2時至4時30分假台北國際會議中心舉辦「出口管制說明會」，報名至5月15日止。",
     [("webinar", "2025-05-20T14:00:00+08:00", "2025-05-20T16:30:00+08:00")], [("deadline", "2025-05-15")]),
    ("一、時間：114年5月20日(星期二)14:00-16:30\n二、地點：國貿大樓\n三、報名截止日期：5月15日(星期四)中午12時",
     [("deadline", "2025-05-15T12:00:00+08:00", None), ("event", "2025-05-20T14:00:00+08:00", "2025-05-20T16:30:00+08:00")],
     [("deadline", "2025-05-15")]),
    ("說明會場次：\n(一)北部場：5月20日(二)上午10時\n(二)中部場：5月22日(四)下午2時",
     [("event", "2025-05-20T10:00:00+08:00", None), ("event", "2025-05-22T14:00:00+08:00", None)], []),
    ("受理申請期間自即日起至114年12月31日(星期三)止。", [], [("deadline", "2025-12-31")]),
]


@pytest.mark.parametrize(("text", "events", "dates"), BRIEFING_CASES, ids=[c[0][:12] for c in BRIEFING_CASES])
def test_briefing_calls(text: str, events: list, dates: list) -> None:
    f = facts(text, datetime(2025, 4, 1, tzinfo=TPE))
    assert [(e.kind, e.start_iso, e.end_iso) for e in f.events] == events
    assert [(d.kind, d.date.isoformat()) for d in f.dates if d.kind != "mentioned"] == dates


# ---- Forms first met in holdout batch 1 (docs/EXPLAIN.md, holdout) ---------------------------

HOLDOUT_DAY_CASES = [
    # (text, published, dated, expected days)
    ("On 30th July 2025, the order issued; effective from 29th August 2025.", LATE, True, {"2025-07-30", "2025-08-29"}),
    ("CBP released preliminary guidelines on 15 August 2025.", LATE, True, {"2025-08-15"}),
    ("Gift items valued up to USD 100 May remain exempt.", LATE, True, set()),
    # a month and year with no day gives its year to a year-less date later in the sentence
    ("Only ad valorem duties apply after February 28, 2026. Imports in September 2025 must be paid by October 9.",
     LATE, True, {"2026-02-28", "2025-10-09"}),
    # news days of the document's month: 「今（6）日」, a day right before what happened on it
    ("財政部關務署基隆關今（6）日出面駁斥非事實。", datetime(2026, 1, 6, tzinfo=TPE), True, {"2026-01-06"}),
    ("美國聯邦最高法院20日裁定，對等關稅無效。", datetime(2026, 2, 22, tzinfo=TPE), True, {"2026-02-20"}),
    ("經濟部部長24日出席行政院記者會。", datetime(2026, 2, 24, tzinfo=TPE), True, {"2026-02-24"}),
    ("美國聯邦最高法院20日裁定，對等關稅無效。", LATE, False, set()),  # read against the clock: no guess
    ("應於收到通知30日內補正；(中央社記者吳佳蓉台北18日電)", datetime(2021, 10, 18, tzinfo=TPE), True, set()),
    # 今年 / 明年 / 去年 before a month and day count from the document's year
    ("財政部今天宣布明年3月1日起全面實施，截至今年11月30日已逾8成。", datetime(2025, 12, 17, tzinfo=TPE), True,
     {"2026-03-01", "2025-11-30"}),
    ("去年2月1日起試辦。", datetime(2025, 6, 1, tzinfo=TPE), True, {"2024-02-01"}),
    # a news page's stamp line is neither a date nor an event
    ("12月起快遞通關併袋不得逾20件\n2021/10/18 20:11\n關務署將逐步縮減併袋通關件數。", datetime(2021, 10, 18, tzinfo=TPE), True, set()),
]


@pytest.mark.parametrize(("text", "published", "dated", "expected"), HOLDOUT_DAY_CASES, ids=[c[0][:20] for c in HOLDOUT_DAY_CASES])
def test_holdout_date_forms(text: str, published: datetime, dated: bool, expected: set[str]) -> None:
    f = extract_facts("", text, published=published, dated=dated)
    assert {d.date.isoformat() for d in f.dates} | {e.start_iso[:10] for e in f.events} == expected


HOLDOUT_EVENT_CASES = [
    # hours after a range of days: each day's hours, the event on the range's first day
    ("CBP will host a daily call from January 8 to January 12, 2018 2:00 PM ET to 3:00 PM ET to answer questions.",
     datetime(2017, 12, 1, tzinfo=UTC), [("2018-01-08T14:00:00-05:00", "2018-01-08T15:00:00-05:00")]),
    ("The outage runs from June 1 through June 3, 2026 at 5:00 PM ET.", datetime(2026, 5, 1, tzinfo=UTC),
     [("2026-06-03T17:00:00-04:00", None)]),
    # a Chinese time with a weekday and no date: that weekday on or after the document's date
    ("對等關稅將於台灣時間周四中午12時01分正式生效。", datetime(2025, 8, 5, tzinfo=TPE), [("2025-08-07T12:01:00+08:00", None)]),
    ("每週四上午9時至12時開放。", datetime(2025, 8, 5, tzinfo=TPE), []),
]


@pytest.mark.parametrize(("text", "published", "expected"), HOLDOUT_EVENT_CASES, ids=[c[0][:20] for c in HOLDOUT_EVENT_CASES])
def test_holdout_event_forms(text: str, published: datetime, expected: list[tuple[str, str | None]]) -> None:
    assert windows(text, published) == expected


# ---- Forms first met in holdout batch 2 -------------------------------------------------------

BATCH2_DAY_CASES = [
    ("Last year, the New Year fell on February 3. This year, the New Year fell on January 23.",
     datetime(2012, 3, 20, tzinfo=UTC), {"2011-02-03", "2012-01-23"}),
    ("財政部五日公告對特定鋁箔展開落日調查；業者應於收到通知後連續三日舉行說明。", datetime(2026, 2, 5, tzinfo=TPE), {"2026-02-05"}),
    ("應對該等於一一四年四月四日至同年七月二日進口之涉案貨物課徵反傾銷稅。", LATE, {"2025-04-04", "2025-07-02"}),
    ("鉅亨網記者張韶雯 台北 2025-09-16 19:57\n經濟部國際貿易署今（16）日宣布更新名單。", datetime(2025, 9, 16, tzinfo=TPE), {"2025-09-16"}),
]


@pytest.mark.parametrize(("text", "published", "expected"), BATCH2_DAY_CASES, ids=[c[0][:20] for c in BATCH2_DAY_CASES])
def test_batch2_date_forms(text: str, published: datetime, expected: set[str]) -> None:
    assert days(text, published) == expected
    assert not any(e.start_iso.endswith("19:57:00+08:00") for e in facts(text, published).events)  # a stamp


EXPLAIN_YEAR_CASES = [
    # explain on a page with no date of its own and no full date: the year it names, never the clock's
    ("The seminar is Nov. 7-8; register by 9 a.m. Oct. 14. The corals were seized in March 2012.", {"2012-11-07", "2012-11-08", "2012-10-14"}),
    # …and a date written with its weekday picks the year within a year of it
    ("A pilot was planned by the end of 2013. No issue on Monday, Feb. 17; next issue Tuesday, Feb. 18, after the Feb. 12 bulletin.",
     {"2014-02-17", "2014-02-18", "2014-02-12"}),
    # a day without its month is never read against the clock
    ("財政部關務署基隆關今（6）日出面說明X光專線。", set()),
]


@pytest.mark.parametrize(("text", "expected"), EXPLAIN_YEAR_CASES, ids=[c[0][:20] for c in EXPLAIN_YEAR_CASES])
def test_explain_reads_years_from_the_text_never_the_clock(text: str, expected: set[str]) -> None:
    from bot.understand.explain import explain_bytes

    got = explain_bytes(text.encode(), now=LATE)
    assert {d["date"] for d in got["dates"]} | {e["start"][:10] for e in got["events"]} == expected


# ---- Forms first met in holdout batch 3 -------------------------------------------------------

BATCH3_DAY_CASES = [
    # a story that speaks of its own day or year is read against its own date, however old its other dates
    ("本措施自2019年3月4日起實施，將於今年3月3日屆滿；主管機關今(10日)公告延長。", datetime(2024, 2, 10, tzinfo=TPE),
     {"2019-03-04", "2024-03-03", "2024-02-10"}),
    ("本辦法於2018年5月1日公告，今天宣布修正，明年1月1日起施行。", datetime(2023, 6, 2, tzinfo=TPE), {"2018-05-01", "2024-01-01"}),
    ("郵包通關作業於本月二十日派員值勤。", datetime(2019, 4, 8, tzinfo=TPE), {"2019-04-20"}),  # the document's month
    ("郵包通關作業於本月20日派員值勤。", LATE, set()),  # read against the clock: no guess
    # years counted back from each subsidy year are no ROC years 1–2 (1912–1913)
    ("實績核計期間為前二年7月1日至前一年6月30日；第三年5月1日起不再補助。", datetime(2024, 3, 1, tzinfo=TPE), set()),
    ("民國九年三月一日公布。", LATE, {"1920-03-01"}),
    ("申請截止日期為今年2月底；請於明年12月底前完成。", datetime(2024, 1, 10, tzinfo=TPE), {"2024-02-29", "2025-12-31"}),  # last days
]


@pytest.mark.parametrize(("text", "published", "expected"), BATCH3_DAY_CASES, ids=[c[0][:20] for c in BATCH3_DAY_CASES])
def test_batch3_date_forms(text: str, published: datetime, expected: set[str]) -> None:
    f = extract_facts("", text, published=published, dated=published is not LATE)
    assert {d.date.isoformat() for d in f.dates} | {e.start_iso[:10] for e in f.events} == expected


def test_explain_takes_a_date_line_at_the_top_as_the_pages_own_date() -> None:
    from bot.understand.explain import explain_bytes

    got = explain_bytes("海關連假通關服務\n記者某某/台中報導\n2019.04.08\n郵包通關作業於本月二十日派員值勤。".encode(), now=LATE)
    assert got["published"].startswith("2019-04-08") and {d["date"] for d in got["dates"]} == {"2019-04-08", "2019-04-20"}


HTS_CASES_BATCH3 = [
    ("Previous Statistical Breakout 8501530040\nNew Statistical Breakout 8501530045", ["8501530040", "8501530045"]),
    ("Report HTS 8471300100 with the chapter 99 number.", ["8471300100"]),
    ("貨品分類號列：8471300000。", ["8471300000"]),
    ("(news ref 1712220011) Order 2025123456 shipped; call 0912345678.", []),  # nothing names them tariff numbers
]


@pytest.mark.parametrize(("text", "expected"), HTS_CASES_BATCH3, ids=[c[0][:20] for c in HTS_CASES_BATCH3])
def test_undotted_statistical_numbers_count_only_where_named(text: str, expected: list[str]) -> None:
    assert list(facts(text).hts) == expected


OTHER_ARTICLES_CASES = [
    ("海關連假通關服務\n" + "連續假期期間派員值勤，九月十九日起辦理。" * 10 + "\n 返回上一頁相關文章\n2012.11.05\n 農會再摘金2013.02.23\n 步道開放2009.07.04",
     datetime(2013, 9, 6, tzinfo=TPE), {"2013-09-19"}),
    ("ACE outage notice.\n" + "ACE will be down on March 3 from 1:00 AM to 3:00 AM ET. " * 5 + "\nRelated Articles\nMarch 9, 2019 - Trade week\nHTS 2009.07.04 story",
     datetime(2019, 3, 1, tzinfo=UTC), {"2019-03-03"}),
]


@pytest.mark.parametrize(("text", "published", "expected"), OTHER_ARTICLES_CASES, ids=["zh", "en"])
def test_a_list_of_other_articles_gives_no_facts(text: str, published: datetime, expected: set[str]) -> None:
    assert days(text, published) == expected and list(facts(text, published).hts) == []
