"""Pure deadline calculators for U.S. entries and Taiwanese declarations.

Why: a firm asks "what must I do, for which entry, by when?". Each rule is one small function
with its legal basis beside it; nothing here reads a clock, a file or the database except
``load_cape_rules`` (the CAPE rules are data because CBP changes them by CSMS).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from bot.deadlines.calendars import WorkCalendar, add_months
from feeds.errors import UserError
from state.deadline import Deadline
from state.tracking import UsEntry

LIQUIDATION_STATUSES = ("unliquidated", "liquidated", "extended", "suspended", "final")

# Secondary (DOMAIN.md §3): ACE typically liquidates ≈314 days after entry; always an estimate.
TYPICAL_LIQUIDATION_DAYS = 314
# 19 U.S.C. 1514(c)(3): a protest is filed within 180 days after liquidation.
PROTEST_DAYS = 180


@dataclass(frozen=True, slots=True)
class CapeExclusion:
    entry_types: tuple[str, ...]
    reason_zh: str
    reason_en: str
    csms: str
    until: date | None = None  # excluded before this day (accepted from it)
    from_: date | None = None  # excluded from this day
    flag: str | None = None  # applies only to entries carrying this flag


@dataclass(frozen=True, slots=True)
class CapeRules:
    live_from: date
    csms: tuple[str, ...]
    liquidated_within_days: int
    max_entries_per_file: int
    ieepa_collection_ended: date
    exclusions: tuple[CapeExclusion, ...]
    final_status_csms: str


def load_cape_rules(path: str | Path | None = None) -> CapeRules:
    """Read ``bot/data/cape_rules.toml`` (or an operator's newer copy)."""
    if path is None:
        raw = resources.files("bot.data").joinpath("cape_rules.toml").read_bytes()
    else:
        raw = Path(path).read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    p1 = data["phase1"]
    exclusions = tuple(
        CapeExclusion(
            entry_types=tuple(x["entry_types"]),
            reason_zh=x["reason_zh"],
            reason_en=x["reason_en"],
            csms=x.get("csms", ""),
            until=date.fromisoformat(x["until"]) if "until" in x else None,
            from_=date.fromisoformat(x["from"]) if "from" in x else None,
            flag=x.get("flag"),
        )
        for x in data.get("exclusions", [])
    )
    final: dict = next(
        (x for x in data.get("status_exclusions", []) if x["liquidation_status"] == "final"), {}
    )
    return CapeRules(
        live_from=date.fromisoformat(p1["live_from"]),
        csms=tuple(p1["csms"]),
        liquidated_within_days=int(p1["liquidated_within_days"]),
        max_entries_per_file=int(p1["max_entries_per_file"]),
        ieepa_collection_ended=date.fromisoformat(p1["ieepa_collection_ended"]),
        exclusions=exclusions,
        final_status_csms=final.get("csms", ""),
    )


# ---- U.S. rules -------------------------------------------------------------------------
def entry_summary_due(release: date, cal: WorkCalendar) -> date:
    """19 CFR 142.12(b): entry summary with estimated duties within 10 working days after
    release (working day = Mon–Fri minus federal holidays, 5 U.S.C. 6103)."""
    return cal.add_working_days(release, 10)


def estimated_liquidation(entry_date: date) -> date:
    """Secondary: ACE typically liquidates ≈314 days after entry (19 U.S.C. 1504 sets a one-year
    limit). An estimate only; a known liquidation date always wins."""
    return entry_date + timedelta(days=TYPICAL_LIQUIDATION_DAYS)


def psc_last_day(entry_date: date, liquidation: date | None) -> date:
    """Secondary (CBP 2017 PSC notice): a Post Summary Correction is filed within 300 days
    after entry and at least 15 days before scheduled liquidation, whichever is earlier."""
    by_entry = entry_date + timedelta(days=300)
    return by_entry if liquidation is None else min(by_entry, liquidation - timedelta(days=15))


def cape_last_day(liquidated_on: date, rules: CapeRules) -> date:
    """CAPE phase 1 (CSMS #68315804): liquidated entries are accepted up to 80 days after
    liquidation, inside CBP's 90-day voluntary reliquidation power (19 U.S.C. 1501)."""
    return liquidated_on + timedelta(days=rules.liquidated_within_days)


def protest_last_day(liquidated_on: date) -> date:
    """19 U.S.C. 1514(c)(3): a protest is filed within 180 days after liquidation."""
    return liquidated_on + timedelta(days=PROTEST_DAYS)


def cape_exclusion(entry: UsEntry, rules: CapeRules, on: date) -> CapeExclusion | None:
    """The CAPE phase 1 exclusion that applies to ``entry`` on day ``on``, if any."""
    if entry.liquidation_status == "final":
        return CapeExclusion((), "核定確定（finally liquidated）", "finally liquidated entry",
                             rules.final_status_csms)  # fmt: skip
    for rule in rules.exclusions:
        if rule.flag or entry.entry_type not in rule.entry_types:
            continue
        if rule.until is not None and on >= rule.until:
            continue
        if rule.from_ is not None and on < rule.from_:
            continue
        return rule
    return None


def validate_entry_dates(entry: UsEntry) -> None:
    """Dates that cannot all be true raise a ``UserError`` (release after liquidation…)."""
    liq, rel, ent = entry.liquidation_date, entry.release_date, entry.entry_date
    if liq and rel and rel > liq:
        raise UserError(
            f"放行日 {rel} 晚於核定日 {liq}，請確認日期",
            f"release date {rel} is after liquidation date {liq}",
        )
    if liq and ent and ent > liq:
        raise UserError(
            f"進口日 {ent} 晚於核定日 {liq}，請確認日期",
            f"entry date {ent} is after liquidation date {liq}",
        )
    if entry.liquidation_status not in LIQUIDATION_STATUSES:
        raise UserError(
            f"核定狀態須為 {'、'.join(LIQUIDATION_STATUSES)}",
            f"liquidation status must be one of {', '.join(LIQUIDATION_STATUSES)}",
        )
    if entry.liquidation_status in ("liquidated", "final") and liq is None:
        raise UserError("已核定的報關單需要核定日", "a liquidated entry needs its liquidation date")


def us_entry_deadlines(
    entry: UsEntry, cal: WorkCalendar, rules: CapeRules, *, today: date | None = None
) -> list[Deadline]:
    """All deadlines of one U.S. entry, sorted by date. ``today`` decides which CAPE
    exclusions are in force (rules change by date); defaults to the entry's own dates."""
    validate_entry_dates(entry)
    # Deadlines do not depend on the number: memoise on the dates (bulk imports repeat them).
    key = (entry.entry_type, entry.entry_date, entry.release_date, entry.summary_filed,
           entry.liquidation_date, entry.liquidation_status, entry.ieepa)  # fmt: skip
    return list(_deadlines_cached(key, cal, rules, today))


@lru_cache(maxsize=65536)
def _deadlines_cached(
    key: tuple, cal: WorkCalendar, rules: CapeRules, today: date | None
) -> tuple[Deadline, ...]:
    return tuple(_us_entry_deadlines(UsEntry("", *key), cal, rules, today))


def _us_entry_deadlines(
    entry: UsEntry, cal: WorkCalendar, rules: CapeRules, today: date | None
) -> list[Deadline]:
    out: list[Deadline] = []
    if entry.release_date is not None and not entry.summary_filed:
        out.append(Deadline("entry_summary_due", entry_summary_due(entry.release_date, cal),
                            "19 CFR 142.12(b): 10 working days after release"))  # fmt: skip
    start = entry.entry_date or entry.release_date
    liq: date | None = entry.liquidation_date
    liq_is_estimate = False
    if liq is not None:
        out.append(Deadline("estimated_liquidation", liq,
                            "known liquidation date (19 U.S.C. 1504)", estimate=False))  # fmt: skip
    elif start is not None and entry.liquidation_status != "suspended":
        liq, liq_is_estimate = estimated_liquidation(start), True
        note = "核定已延長，實際日期更晚 / liquidation extended: later" if (
            entry.liquidation_status == "extended") else ""
        out.append(Deadline("estimated_liquidation", liq,
                            "estimate: entry + 314 days (typical ACE; 19 U.S.C. 1504 limit 1 year)",
                            estimate=True, note=note))  # fmt: skip
    if start is not None and entry.liquidation_date is None:
        psc = psc_last_day(start, liq)
        out.append(Deadline("psc_last_day", psc,
                            "CBP PSC rule: min(entry + 300 days, liquidation − 15 days)",
                            estimate=liq_is_estimate and psc != start + timedelta(days=300),
                            act_by=cal.on_or_before(psc)))  # fmt: skip
    elif start is not None and entry.liquidation_date is not None:
        psc = psc_last_day(start, entry.liquidation_date)
        out.append(Deadline("psc_last_day", psc,
                            "CBP PSC rule: min(entry + 300 days, liquidation − 15 days)",
                            act_by=cal.on_or_before(psc)))  # fmt: skip
    cape_closed = False
    if entry.ieepa:
        cape = _cape_deadlines(entry, liq, liq_is_estimate, cal, rules, today)
        cape_closed = any(d.kind == "cape_last_day" and d.eligible is False for d in cape)
        out.extend(cape)
    if liq is not None:
        protest = protest_last_day(liq)
        note = ("CAPE 不適用：IEEPA 關稅退款須於此日前提出異議（protest） / "
                "CAPE not available: claim the IEEPA refund by protest") if cape_closed else ""
        out.append(Deadline("protest_last_day", protest,
                            "19 U.S.C. 1514(c)(3): 180 days after liquidation",
                            estimate=liq_is_estimate, act_by=cal.on_or_before(protest), note=note))  # fmt: skip
    return sorted(out, key=lambda d: (d.date, d.kind))


def _cape_deadlines(
    entry: UsEntry,
    liq: date | None,
    liq_is_estimate: bool,
    cal: WorkCalendar,
    rules: CapeRules,
    today: date | None,
) -> list[Deadline]:
    on = today or max(rules.live_from, entry.liquidation_date or rules.live_from)
    excluded = cape_exclusion(entry, rules, on)
    if excluded is not None:
        where = f"CSMS #{excluded.csms}" if excluded.csms else "CBP CAPE guidance"
        return [Deadline("cape_ineligible", on, f"{where}: {excluded.reason_en}",
                         note=excluded.reason_zh, eligible=False)]  # fmt: skip
    csms = " / ".join(f"#{n}" for n in rules.csms)
    warn = ""
    if entry.entry_date is not None and entry.entry_date >= rules.ieepa_collection_ended:
        # Trust the user's "IEEPA duties paid", but say why it is unusual rather than drop it.
        warn = (f"注意：{rules.ieepa_collection_ended} 起進口之貨物原則上未課徵 IEEPA 關稅，請確認 / "
                f"check: IEEPA duties were not collected on goods entered from "
                f"{rules.ieepa_collection_ended}")  # fmt: skip
    if liq is None:
        return [Deadline("cape_eligible_now", max(on, rules.live_from),
                         f"CSMS {csms}: unliquidated IEEPA entries are eligible in phase 1",
                         note=warn or "未核定：現在即可申請 CAPE / unliquidated: file now")]  # fmt: skip
    last = cape_last_day(liq, rules)
    out = []
    if liq_is_estimate:
        out.append(Deadline("cape_eligible_now", max(on, rules.live_from),
                            f"CSMS {csms}: unliquidated IEEPA entries are eligible in phase 1",
                            note="未核定：現在即可申請 CAPE / unliquidated: file now"))  # fmt: skip
    basis = (f"CSMS {csms}: liquidated + {rules.liquidated_within_days} days "
             "(19 U.S.C. 1501 90-day reliquidation)")  # fmt: skip
    if last < rules.live_from:  # the window closed before CAPE opened: never usable
        out.append(Deadline("cape_last_day", last, basis, estimate=liq_is_estimate,
                            act_by=cal.on_or_before(last), eligible=False,
                            note=cape_closed_note(last, protest_last_day(liq), rules, today)))  # fmt: skip
        return out
    out.append(Deadline("cape_last_day", last, basis, estimate=liq_is_estimate,
                        act_by=cal.on_or_before(last), note=warn, eligible=True))  # fmt: skip
    return out


def cape_closed_note(last: date, protest: date, rules: CapeRules, today: date | None) -> str:
    """Why an entry cannot use CAPE, and the route left (DOMAIN.md §4: protest until day 180,
    then litigation)."""
    zh = (f"不適用 CAPE：核定後 {rules.liquidated_within_days} 天（{last}）已於 CAPE 開放"
          f"（{rules.live_from}）前屆滿；可行途徑為核定後 180 天內（{protest} 前）提出異議"
          "（protest，19 U.S.C. 1514）")  # fmt: skip
    en = (f"not eligible for CAPE: liquidation + {rules.liquidated_within_days} days ({last}) "
          f"ended before CAPE opened ({rules.live_from}); the route left is a protest within "
          f"180 days of liquidation (by {protest}, 19 U.S.C. 1514)")  # fmt: skip
    if today is not None and today > protest:
        zh += "；異議期限亦已屆滿，僅餘向美國國際貿易法院（CIT）起訴"
        en += "; the protest period has also ended: only litigation at the CIT is left"
    return f"{zh} / {en}"


def cape_eligible(entry: UsEntry, rules: CapeRules, today: date) -> bool:
    """Phase 1 eligibility on ``today``: an IEEPA entry, not excluded, and unliquidated or
    liquidated no more than 80 days ago."""
    if not entry.ieepa or today < rules.live_from or cape_exclusion(entry, rules, today):
        return False
    if entry.liquidation_date is None:
        return entry.liquidation_status != "final"
    return today <= cape_last_day(entry.liquidation_date, rules)


# ---- Taiwanese rules --------------------------------------------------------------------
# Each: (zh label, basis, months, days) counted from the base date; the base day itself is not
# counted and a last day on a weekend or holiday moves to the next working day (行政程序法第48條).
TW_RULES: dict[str, tuple[str, str, int, int]] = {
    "import_declaration": ("進口報關期限", "關稅法第16條：運輸工具進口日起15日內", 0, 15),
    "duty_payment": ("繳納關稅期限", "關稅法第43條：稅款繳納證送達之翌日起14日內", 0, 14),
    "review": ("申請復查期限", "關稅法第45條：收到稅款繳納證之翌日起30日內", 0, 30),
    "re_export": ("復運出口期限", "關稅法第52條：進口之翌日起6個月內（或核准展延）", 6, 0),
    "drawback": ("外銷品沖退原料稅申請期限", "關稅法第63條：出口之翌日起6個月內", 6, 0),
}
TW_EXPLICIT_KINDS = {
    "document_fix": "減免稅／輸入許可文件補正期限",
    "extension": "展延後期限",
    "other": "其他期限",
}


def tw_period_end(base: date, *, months: int = 0, days: int = 0, cal: WorkCalendar) -> date:
    """行政程序法第48條: the first day is not counted; a period in months ends on the
    corresponding day; when the last day is a Saturday, Sunday, national holiday or other rest
    day, the period ends on the next working day."""
    end = add_months(base, months) + timedelta(days=days)
    return cal.on_or_after(end)


def tw_deadline(kind: str, base: date, cal: WorkCalendar) -> Deadline:
    """The deadline of a Taiwanese declaration event (``kind`` in ``TW_RULES``)."""
    if kind not in TW_RULES:
        raise UserError(
            f"未知的期限種類「{kind}」，可用：{'、'.join([*TW_RULES, *TW_EXPLICIT_KINDS])}",
            f"unknown deadline kind {kind!r}; use one of {', '.join([*TW_RULES, *TW_EXPLICIT_KINDS])}",
        )
    label, basis, months, days = TW_RULES[kind]
    return Deadline(kind, tw_period_end(base, months=months, days=days, cal=cal),
                    f"{basis}；行政程序法第48條", note=label)  # fmt: skip


def tw_explicit_deadline(kind: str, due: date, cal: WorkCalendar) -> Deadline:
    """A deadline date stated in a notice (補正期限, 展延) still moves off a rest day (第48條)."""
    label = TW_EXPLICIT_KINDS.get(kind, TW_EXPLICIT_KINDS["other"])
    return Deadline(kind, cal.on_or_after(due), "機關通知之期限；行政程序法第48條", note=label)
