"""Deadline calculators: DOMAIN.md worked examples, CAPE rules as data, Taiwanese periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.deadlines.calculators import (
    cape_eligible,
    cape_last_day,
    entry_summary_due,
    estimated_liquidation,
    load_cape_rules,
    protest_last_day,
    psc_last_day,
    tw_deadline,
    tw_explicit_deadline,
    us_entry_deadlines,
)
from bot.deadlines.calendars import tw_calendar, us_calendar
from feeds.errors import UserError
from state.tracking import UsEntry

US = us_calendar()
TW = tw_calendar()
RULES = load_cape_rules()
N = "ABC-1234567-6"


@pytest.mark.parametrize(
    ("release", "due"),
    [(date(2026, 11, 20), date(2026, 12, 7)), (date(2026, 12, 18), date(2027, 1, 5)),
     (date(2026, 3, 3), date(2026, 3, 17)), (date(2026, 6, 12), date(2026, 6, 29))],
)  # fmt: skip
def test_entry_summary_due_is_ten_us_working_days_after_release(release: date, due: date) -> None:
    assert entry_summary_due(release, US) == due


def test_liquidation_estimate_and_known_date() -> None:
    assert estimated_liquidation(date(2026, 3, 2)) == date(2027, 1, 10)
    ds = {d.kind: d for d in us_entry_deadlines(UsEntry(N, entry_date=date(2026, 3, 2)), US, RULES)}
    assert ds["estimated_liquidation"].estimate is True
    known = UsEntry(N, entry_date=date(2026, 3, 2), liquidation_date=date(2026, 6, 1),
                    liquidation_status="liquidated")  # fmt: skip
    ds = {d.kind: d for d in us_entry_deadlines(known, US, RULES)}
    assert ds["estimated_liquidation"].date == date(2026, 6, 1)
    assert ds["estimated_liquidation"].estimate is False


def test_psc_is_the_earlier_of_entry_plus_300_and_liquidation_minus_15() -> None:
    assert psc_last_day(date(2026, 3, 2), None) == date(2026, 12, 27)
    assert psc_last_day(date(2026, 3, 2), date(2026, 6, 1)) == date(2026, 5, 17)
    assert psc_last_day(date(2026, 3, 2), date(2027, 6, 1)) == date(2026, 12, 27)


def test_cape_and_protest_from_liquidation() -> None:
    assert cape_last_day(date(2026, 6, 1), RULES) == date(2026, 8, 20)
    assert protest_last_day(date(2026, 6, 1)) == date(2026, 11, 28)


def test_issue_example_command_kinds_and_dates() -> None:
    entry = UsEntry(N, entry_date=date(2026, 3, 2), release_date=date(2026, 3, 3),
                    liquidation_date=date(2026, 6, 1), liquidation_status="liquidated", ieepa=True)  # fmt: skip
    ds = {d.kind: d for d in us_entry_deadlines(entry, US, RULES)}
    assert {k: v.date for k, v in ds.items()} == {
        "entry_summary_due": date(2026, 3, 17),
        "psc_last_day": date(2026, 5, 17),
        "estimated_liquidation": date(2026, 6, 1),
        "cape_last_day": date(2026, 8, 20),
        "protest_last_day": date(2026, 11, 28),
    }
    assert ds["protest_last_day"].act_by == date(2026, 11, 27)  # Saturday → act by Friday
    assert all(d.basis for d in ds.values())


def test_unliquidated_ieepa_entry_is_eligible_now_with_estimated_cape_last_day() -> None:
    entry = UsEntry(N, entry_date=date(2026, 1, 5), ieepa=True)
    ds = {d.kind: d for d in us_entry_deadlines(entry, US, RULES, today=date(2026, 5, 1))}
    assert "cape_eligible_now" in ds
    assert ds["cape_last_day"].estimate is True
    assert cape_eligible(entry, RULES, date(2026, 5, 1))


def test_cape_eligibility_ends_80_days_after_liquidation() -> None:
    entry = UsEntry(N, entry_date=date(2026, 1, 5), liquidation_date=date(2026, 6, 1),
                    liquidation_status="liquidated", ieepa=True)  # fmt: skip
    assert cape_eligible(entry, RULES, date(2026, 8, 20))
    assert not cape_eligible(entry, RULES, date(2026, 8, 21))


@pytest.mark.parametrize(
    ("entry_type", "today", "eligible"),
    [("01", date(2026, 5, 1), True), ("09", date(2026, 5, 1), False), ("47", date(2026, 5, 1), False),
     ("08", date(2026, 5, 1), False), ("21", date(2026, 7, 6), True), ("21", date(2026, 7, 7), False)],
)  # fmt: skip
def test_excluded_entry_types_come_from_the_rules_table(entry_type: str, today: date, eligible: bool) -> None:
    entry = UsEntry(N, entry_type=entry_type, entry_date=date(2026, 1, 5), ieepa=True)
    assert cape_eligible(entry, RULES, today) is eligible
    if not eligible:
        ds = us_entry_deadlines(entry, US, RULES, today=today)
        bad = [d for d in ds if d.kind == "cape_ineligible"]
        assert bad and ("CSMS" in bad[0].basis or "CBP" in bad[0].basis)


def test_every_cape_rule_names_the_csms_or_is_marked_to_confirm() -> None:
    import tomllib
    from importlib import resources

    data = tomllib.loads(resources.files("bot.data").joinpath("cape_rules.toml").read_text("utf-8"))
    for rule in data["exclusions"]:
        assert rule["csms"] or rule.get("confirm") is True


def test_final_liquidation_is_not_cape_eligible() -> None:
    entry = UsEntry(N, entry_date=date(2026, 1, 5), liquidation_date=date(2026, 6, 1),
                    liquidation_status="final", ieepa=True)  # fmt: skip
    assert not cape_eligible(entry, RULES, date(2026, 6, 10))


@pytest.mark.parametrize(
    ("entry", "zh"),
    [(UsEntry(N, release_date=date(2026, 7, 1), liquidation_date=date(2026, 6, 1),
              liquidation_status="liquidated"), "放行日"),
     (UsEntry(N, entry_date=date(2026, 7, 1), liquidation_date=date(2026, 6, 1),
              liquidation_status="liquidated"), "進口日"),
     (UsEntry(N, liquidation_status="liquidated"), "核定日"),
     (UsEntry(N, liquidation_status="gone"), "核定狀態")],
)  # fmt: skip
def test_impossible_combinations_raise_user_error(entry: UsEntry, zh: str) -> None:
    with pytest.raises(UserError) as err:
        us_entry_deadlines(entry, US, RULES)
    assert zh in err.value.zh and err.value.en


# ---- Taiwan ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "base", "due"),
    [("import_declaration", date(2026, 9, 10), date(2026, 9, 29)),  # 9/25 中秋, 週末, 9/28 教師節
     ("duty_payment", date(2026, 4, 1), date(2026, 4, 15)),
     ("review", date(2026, 9, 10), date(2026, 10, 12)),  # 10/10 Sat → Mon 10/12
     ("re_export", date(2026, 4, 4), date(2026, 10, 5)),  # 10/4 Sunday → Monday
     ("drawback", date(2026, 8, 10), date(2027, 2, 11))],  # 春節 補假 2/9–2/10
)  # fmt: skip
def test_taiwanese_deadlines_follow_article_48(kind: str, base: date, due: date) -> None:
    d = tw_deadline(kind, base, TW)
    assert d.date == due
    assert "第48條" in d.basis


def test_import_declaration_period_rolls_past_holidays() -> None:
    d = tw_deadline("import_declaration", date(2026, 9, 10), TW)
    assert d.date == date(2026, 9, 29)


def test_explicit_taiwanese_deadline_moves_off_rest_day() -> None:
    assert tw_explicit_deadline("document_fix", date(2026, 2, 14), TW).date == date(2026, 2, 23)


def test_unknown_taiwanese_kind_is_a_user_error() -> None:
    with pytest.raises(UserError):
        tw_deadline("nope", date(2026, 1, 1), TW)


# ---- properties -------------------------------------------------------------------------
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31))


@given(days)
def test_entry_summary_due_is_never_a_weekend_or_holiday(release: date) -> None:
    due = entry_summary_due(release, US)
    assert due.weekday() < 5 and due not in US.holidays
    assert due - release >= timedelta(days=12)  # 10 working days + a weekend


@given(days, st.sampled_from(["import_declaration", "duty_payment", "review", "re_export", "drawback"]))
def test_taiwanese_due_date_is_never_a_weekend_or_holiday(base: date, kind: str) -> None:
    due = tw_deadline(kind, base, TW).date
    assert (due.weekday() < 5 or TW.is_makeup_workday(due)) and due not in TW.holidays  # 補班 Saturdays work


@given(days, st.one_of(st.none(), st.integers(min_value=0, max_value=500)), st.booleans())
def test_reminded_dates_never_fall_on_us_weekends_or_holidays(entry: date, liq_after: int | None,
                                                              ieepa: bool) -> None:  # fmt: skip
    liq = entry + timedelta(days=liq_after) if liq_after is not None else None
    e = UsEntry(N, entry_date=entry, release_date=entry, liquidation_date=liq,
                liquidation_status="liquidated" if liq else "unliquidated", ieepa=ieepa)  # fmt: skip
    for d in us_entry_deadlines(e, US, RULES):
        if d.kind in ("entry_summary_due", "psc_last_day", "cape_last_day", "protest_last_day"):
            day = d.act_by or d.date
            assert US.is_working_day(day), d


def test_ieepa_entry_after_collection_ended_is_kept_but_flagged() -> None:
    entry = UsEntry(N, entry_date=date(2026, 3, 2), liquidation_date=date(2026, 6, 1),
                    liquidation_status="liquidated", ieepa=True)  # fmt: skip
    [cape] = [d for d in us_entry_deadlines(entry, US, RULES) if d.kind == "cape_last_day"]
    assert "2026-02-24" in cape.note and "請確認" in cape.note
    early = UsEntry(N, entry_date=date(2026, 2, 23), ieepa=True)
    assert all(not d.note.startswith("注意") for d in us_entry_deadlines(early, US, RULES))
