"""Properties of the date, time and number readers on arbitrary text — mixed CJK, ASCII and
full-width, with real forms dropped into noise: they never crash, never return an impossible
date or a window that ends before it starts, never put a date in a year far from the document
unless the text writes that year, and keep labels short."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.dates import parse_en_dates, parse_en_times, parse_roc_dates
from feeds.days_zh import zh_date_groups, zh_times
from feeds.facts import extract_facts
from feeds.spans import LABEL_MAX, width
from tests.corpus_score import _years_named

FORMS = [
    "June 6th", "SATURDAY FEBRUARY 17", "April 21, 2026", "04/20/2026", "3/25/17", "Dec.5-6", "September 8-11",
    "January 13, 14, and 15, 2026", "1:00 p.m. ET", "0600 ET - 1400 Saturday", "2300 EDT", "1200 (NOON)",
    "5:00 PM (1700) TO 11:30 PM (2330) EASTERN TIME", "3 AM – 7:00 AM EST", "from", "until", "between", "and",
    "normally", "every Saturday", "on the day of the webinar", "CSMS #", "CSMS # 64680374", "12-000291",
    "Related messages:", "0800-280-280", "04-26565101#327", "9903.01.25", "8471.30.0100",
    "2月14日至22日", "4月4日至7日", "6月8日（星期六）至10日", "十二月三十日", "一月二日", "三十日", "廿九日",
    "113-03-21", "115.4.24(五)", "113/12/8", "2月5日(星期四)前", "上午9時", "下午1時15分", "中午12時",
    "11時30分至20時30分", "晚間11時後", "每日", "星期一、三及五", "連續假期前一天", "115年春節", "一一二年元旦",
    "今（2025）年", "中華民國一百十五年三月二日", "１１５年７月１日", "發文日期：", "第一時間", "（", "）", "、", "，",
    "。", "\n", "\n\n", " ", "一、", "（二）", "2月", "日", "月", "時", "分",
]  # fmt: skip
NOISE = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .,:;-–/()#\n\t") + list("關務署月日時分年至及前後每的") + list("０１２３４５（）：")),
    max_size=12,
)
TEXTS = st.lists(st.one_of(st.sampled_from(FORMS), NOISE), max_size=30).map("".join)
PUBLISHED = st.datetimes(
    min_value=datetime(1995, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))])
)


def _plausible(day: date, text: str, reference: date) -> bool:
    """Within a year of a year the text writes, or of the document's date: a year-less date is
    read against one of them, never against the clock."""
    near = {y + d for y in _years_named(text) | {reference.year} for d in (-1, 0, 1)}
    return day.year in near


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, published=PUBLISHED)
def test_extract_facts_never_crashes_and_every_fact_is_possible(text: str, published: datetime) -> None:
    f = extract_facts("", text, published=published)
    reference = (f.published or published).date()
    for e in f.events:
        assert e.start.year >= 1900
        if e.end is not None:
            assert e.end > e.start
            assert (e.end.tzinfo is None) == (e.start.tzinfo is None)
        assert _plausible(e.start.date(), text, reference), (e.start_iso, text)
        assert width(e.label.rstrip("…")) <= LABEL_MAX
    for d in f.dates:
        assert _plausible(d.date, text, reference), (d.date, text)
        assert width(d.label.rstrip("…")) <= LABEL_MAX
    for n in f.related_csms:
        assert n.replace("-", "").isdigit()
        assert n not in ("0800-280-280", "04-26565101")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), reference=st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)))
def test_the_readers_never_crash_on_any_text(text: str, reference: date) -> None:
    for d in parse_en_dates(text, reference):
        assert 0 <= d.start < d.end <= len(text)
    for t in parse_en_times(text):
        assert 0 <= t.start < t.end <= len(text)
    for f in parse_roc_dates(text):
        assert 1900 <= f.value.year <= 2211
    for g in zh_date_groups(text, reference):
        assert all(a <= b for a, b in g.items)
    for z in zh_times(text):
        assert z.pos < z.end_pos


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, reference=st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31)))
def test_year_less_chinese_dates_stay_near_the_document(text: str, reference: date) -> None:
    for g in zh_date_groups(text, reference):
        for first, last in g.items:
            assert last >= first
            for day in (first, last):
                assert _plausible(day, text, reference), (day, text)
