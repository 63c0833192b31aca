"""Times and days as a reader sees them: in their own zone, with the weekday, the zone named.

「4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）」 for a Taipei reader of a CBP webinar;
"4/21 (Tue) 1:00 PM EDT" for a New York reader in English. The zone is always named, and a
zh-TW text says 台北時間 only when the time shown is Taipei time. A time the source gave
without a zone is shown as written with 「（未註明時區）」 / "(no time zone given)".
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TAIPEI = "Asia/Taipei"
_WEEKDAY_ZH = "一二三四五六日"
_WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# 繁體中文 names of the zones our readers live in; others are named by abbreviation or IANA id.
_ZONE_ZH = {
    "Asia/Taipei": "台北時間",
    "America/New_York": "美東時間",
    "America/Chicago": "美中時間",
    "America/Denver": "美山時間",
    "America/Los_Angeles": "美西時間",
    "Asia/Shanghai": "北京時間",
    "Asia/Hong_Kong": "香港時間",
    "Asia/Tokyo": "東京時間",
    "Asia/Singapore": "新加坡時間",
    "Asia/Ho_Chi_Minh": "越南時間",
    "Asia/Bangkok": "泰國時間",
    "Europe/London": "倫敦時間",
    "Europe/Berlin": "德國時間",
    "Europe/Amsterdam": "荷蘭時間",
}
_ZONE_EN = {"Asia/Taipei": "Taipei time"}


def weekday_zh(d: date) -> str:
    return _WEEKDAY_ZH[d.weekday()]


def weekday(d: date, lang: str = "zh-TW") -> str:
    """「（三）」 or " (Wed)"."""
    if lang.startswith("en"):
        return f" ({_WEEKDAY_EN[d.weekday()]})"
    return f"（{_WEEKDAY_ZH[d.weekday()]}）"


def day_text(d: date, lang: str = "zh-TW") -> str:
    """「2027-04-18（日）」 / "2027-04-18 (Sun)"."""
    return f"{d.isoformat()}{weekday(d, lang)}"


def md_text(when: date | datetime, tz: str = TAIPEI, lang: str = "zh-TW") -> str:
    """「4/20（一）」 / "4/20 (Mon)": a day (or an instant, in ``tz``) without the year."""
    if isinstance(when, datetime) and when.tzinfo is not None:
        when = when.astimezone(ZoneInfo(tz))
    day = when.date() if isinstance(when, datetime) else when
    return f"{day.month}/{day.day}{weekday(day, lang)}"


def _md(d: date, ref_year: int | None) -> str:
    return f"{d.month}/{d.day}" if ref_year in (None, d.year) else f"{d.year}/{d.month}/{d.day}"


def _abbrev(dt: datetime) -> str:
    """EDT, CEST, JST… or UTC+08:00 when the zone has no letters for it."""
    name = dt.tzname() or ""
    if name and name.isalpha():
        return name
    offset = dt.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def zone_label(tz: str, dt: datetime, lang: str = "zh-TW") -> str:
    """How a zone is named to the reader: 台北時間, 美東時間 EDT, Taipei time, EDT, CEST…"""
    if lang.startswith("en"):
        return _ZONE_EN.get(tz) or _abbrev(dt)
    name = _ZONE_ZH.get(tz)
    if name is None:
        return _abbrev(dt)
    return name if tz == TAIPEI else f"{name} {_abbrev(dt)}"


# Zones a bare offset most likely came from (a stored ISO time keeps the offset, not the zone).
_LIKELY_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")


def _original_name(dt: datetime, zone: str | None, lang: str = "zh-TW") -> str:
    """EDT, EST… as the source wrote it; a zone stored by its IANA id (a Taiwanese notice's
    Asia/Taipei) as the reader names it (台北時間, "Taipei time"), never the raw id; for a bare
    offset, the likely zone's abbreviation (−04:00 in summer is New York's EDT), +08:00 as
    Taipei time, else ``UTC−0400``."""
    name = zone or dt.tzname() or ""
    if "/" in name:
        try:
            return zone_label(name, dt.astimezone(ZoneInfo(name)), lang)
        except (KeyError, ValueError):
            name = ""
    if not name or (name.startswith("UTC") and name != "UTC"):
        for tz in _LIKELY_ZONES:
            local = dt.astimezone(ZoneInfo(tz))
            if local.utcoffset() == dt.utcoffset() and (abbr := local.tzname() or "").isalpha():
                return abbr
        if dt.astimezone(ZoneInfo(TAIPEI)).utcoffset() == dt.utcoffset():
            return zone_label(TAIPEI, dt, lang)
        name = dt.strftime("UTC%z")
    return name


def format_event_time(
    iso: str, *, tz: str = TAIPEI, ref_year: int | None = None, zone: str | None = None,
    lang: str = "zh-TW",
) -> str:  # fmt: skip
    """The start of an event in the reader's zone with the original beside it.

    「4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）」; "4/22 (Wed) 01:00 Taipei time
    (4/21 13:00 EDT as published)"; a zone-less time says so and is never converted."""
    en = lang.startswith("en")
    dt = datetime.fromisoformat(iso)
    if dt.tzinfo is None:
        if en:
            return f"{_md(dt.date(), ref_year)}{weekday(dt.date(), lang)} {dt:%H:%M} (no time zone given)"
        return f"{_md(dt.date(), ref_year)}{weekday(dt.date(), lang)}{dt:%H:%M}（未註明時區）"
    local = dt.astimezone(ZoneInfo(tz))
    sep = " " if en else ""
    shown = f"{_md(local.date(), ref_year)}{weekday(local.date(), lang)}{sep}{local:%H:%M} {zone_label(tz, local, lang)}"
    if dt.utcoffset() == local.utcoffset():
        return shown  # published in the reader's own offset: nothing to add
    name = _original_name(dt, zone, lang)
    if en:
        return f"{shown} ({_md(dt.date(), ref_year)} {dt:%H:%M} {name} as published)"
    where = "美東" if name in ("EDT", "EST") else "原文"
    return f"{shown}（{where} {_md(dt.date(), ref_year)} {dt:%H:%M} {name}）"


def format_event_window(
    start: str, end: str, *, tz: str = TAIPEI, ref_year: int | None = None, zone: str | None = None,
    lang: str = "zh-TW",
) -> str:  # fmt: skip
    """「9/14（日）11:00–15:00 台北時間（美東 9/13 23:00–9/14 03:00 EDT）」 for a window."""
    en = lang.startswith("en")
    s, e = datetime.fromisoformat(start), datetime.fromisoformat(end)
    kw = {"tz": tz, "ref_year": ref_year, "zone": zone, "lang": lang}
    if (s.tzinfo is None) != (e.tzinfo is None):
        joint = " to " if en else " 至 "
        return f"{format_event_time(start, **kw)}{joint}{format_event_time(end, **kw)}"  # type: ignore[arg-type]
    sep = " " if en else ""

    def span(a: datetime, b: datetime) -> str:
        head = f"{_md(a.date(), ref_year)}{weekday(a.date(), lang)}{sep}{a:%H:%M}"
        tail = f"{b:%H:%M}" if a.date() == b.date() else f"{_md(b.date(), ref_year)}{weekday(b.date(), lang)}{sep}{b:%H:%M}"
        return f"{head}–{tail}"

    if s.tzinfo is None:
        return f"{span(s, e)}" + (" (no time zone given)" if en else "（未註明時區）")
    ls, le = s.astimezone(ZoneInfo(tz)), e.astimezone(ZoneInfo(tz))
    shown = f"{span(ls, le)} {zone_label(tz, ls, lang)}"
    if s.utcoffset() == ls.utcoffset():
        return shown
    name = _original_name(s, zone, lang)
    orig_tail = f"{e:%H:%M}" if s.date() == e.date() else f"{_md(e.date(), ref_year)} {e:%H:%M}"
    if en:
        return f"{shown} ({_md(s.date(), ref_year)} {s:%H:%M}–{orig_tail} {name} as published)"
    where = "美東" if name in ("EDT", "EST") else "原文"
    return f"{shown}（{where} {_md(s.date(), ref_year)} {s:%H:%M}–{orig_tail} {name}）"
