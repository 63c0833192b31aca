"""CBP CSMS messages: subject lines, bulletin URLs, the GovDelivery RSS and widget JSONP.

Sources (DOMAIN.md §2, secondary): the account RSS carries ≈25 latest bulletins of *all*
CBP topics, so only titles that parse as a CSMS subject are kept; the widget JSONP carries
≈100 subjects with dates. Both are keyed by CSMS number so one message is stored once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from feeds.model import CSMS_RSS, CSMS_WIDGET, Announcement
from feeds.parsing import ParseError, ParseResult, parse_feed_entries

BULLETIN_BASE = "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/"

_PREFIX = r"(?:UPDATED\s+GUIDANCE|GUIDANCE|UPDATE|UPDATED|RESOLVED|REMINDER|REVISED|CORRECTION)"
_DASH = r"[-\u2010-\u2015:]"
_SUBJECT = re.compile(
    rf"^\s*(?:(?P<prefix>{_PREFIX})\s*{_DASH}?\s*)?"
    rf"CSMS\s*(?:#|No\.?|Number)?\s*(?P<number>\d{{2}}-\d{{6}}|\d{{5,10}})\s*"
    rf"(?:{_DASH}+\s*)?(?P<title>.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)

_TITLE_PREFIX = re.compile(rf"^({_PREFIX})\s*{_DASH}", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CsmsSubject:
    number: str
    title: str
    prefix: str | None


def parse_csms_subject(subject: str) -> CsmsSubject | None:
    """``CSMS # 68396594 - Title`` and its variants (DOMAIN.md §2) → parts; else None."""
    m = _SUBJECT.match(subject or "")
    if not m:
        return None
    title = m.group("title").strip()
    # The class may also open the title: "CSMS # 68315804 - GUIDANCE: CAPE Phase 1 …".
    prefix = m.group("prefix") or ((t := _TITLE_PREFIX.match(title)) and t.group(1))
    return CsmsSubject(
        number=m.group("number"),
        title=title or subject.strip(),
        prefix=" ".join(prefix.upper().split()) if prefix else None,
    )


def csms_bulletin_url(number: str) -> str | None:
    """Modern numeric CSMS numbers map to the bulletin page by lowercase hex; legacy don't."""
    if not number.isdigit():
        return None
    return f"{BULLETIN_BASE}{int(number):x}"


def _announcement(
    source: str, kind: str, subj: CsmsSubject, link: str, published: datetime, body: str
) -> Announcement:
    return Announcement(
        key=f"csms:{subj.number}",
        source=source,
        kind=kind,
        ext_id=subj.number,
        title=subj.title,
        url=csms_bulletin_url(subj.number) or link,
        published=published,
        body=body,
        language="en",
        meta={"prefix": subj.prefix, "original_link": link} if subj.prefix else {"original_link": link},
    )


def parse_csms_rss(body: bytes, source: str, *, now: datetime) -> ParseResult:
    """GovDelivery account RSS → CSMS announcements (non-CSMS bulletins are skipped)."""
    entries, warnings = parse_feed_entries(body, now=now)
    items = []
    skipped = 0
    for e in entries:
        subj = parse_csms_subject(e.title)
        if subj is None:
            skipped += 1
            continue
        items.append(_announcement(source, CSMS_RSS, subj, e.link, e.published, e.body))
    return ParseResult(items=tuple(items), warnings=warnings, skipped=skipped)


_JSONP = re.compile(rb"^[^(]*\((?P<json>.*)\)\s*;?\s*$", re.DOTALL)
_ZONES = {"EDT": -4, "EST": -5, "CDT": -5, "CST": -6, "MDT": -6, "MST": -7, "PDT": -7, "PST": -8,
          "UTC": 0, "GMT": 0}  # fmt: skip


def parse_widget_date(text: str) -> datetime:
    """``07/21/2026 05:26 PM EDT`` → aware datetime in the stated zone."""
    parts = text.strip().rsplit(" ", 1)
    if len(parts) != 2 or parts[1].upper() not in _ZONES:
        raise ValueError(f"unrecognised widget date {text!r}")
    naive = datetime.strptime(parts[0].strip(), "%m/%d/%Y %I:%M %p")
    return naive.replace(tzinfo=timezone(timedelta(hours=_ZONES[parts[1].upper()]), parts[1]))


def parse_csms_widget(body: bytes, source: str, *, now: datetime) -> ParseResult:
    """Widget JSONP ``GDWidgets[0].update([{subject, pub_date, href}, …])`` → announcements."""
    m = _JSONP.match(body.strip())
    payload = m.group("json") if m else body
    try:
        data = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"widget body is not JSONP/JSON: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("bulletins") or data.get("items") or []
    if not isinstance(data, list):
        raise ParseError("widget JSON is not a list of bulletins")
    items, warnings, skipped = [], [], 0
    for i, row in enumerate(data):
        if not isinstance(row, dict) or not isinstance(row.get("subject"), str):
            warnings.append(f"item {i}: no subject")
            continue
        subj = parse_csms_subject(row["subject"])
        if subj is None:
            skipped += 1
            continue
        try:
            published = parse_widget_date(str(row.get("pub_date", "")))
        except ValueError as exc:
            warnings.append(f"item {i}: {exc}")
            published = now
        link = str(row.get("href") or "")
        items.append(_announcement(source, CSMS_WIDGET, subj, link, published, ""))
    if data and not items and not skipped:
        raise ParseError("widget data holds no bulletin with a subject")
    return ParseResult(items=tuple(items), warnings=tuple(warnings), skipped=skipped)
