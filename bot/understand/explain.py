"""``run.py explain FILE|-``: one raw announcement in, the understanding as JSON out.

Operators use it to see why an item was understood the way it was. Input may be plain text,
an HTML page or an RSS/Atom document (its first item). Schema: docs/EXPLAIN.md.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser
from typing import Any

from bot.understand.summary import COULD_NOT_UNDERSTAND
from bot.understand.understanding import Understanding, looks_binary, understand
from feeds.dates import NEW_YORK, TAIPEI, parse_dateline, parse_en_dates, parse_roc_dates
from feeds.facts_zh import issued_date
from feeds.model import Announcement
from feeds.text import html_to_text, looks_like_html

MAX_INPUT = 2_000_000  # bytes read; the understanding itself reads the first 120,000 characters

SCHEMA_KEYS = (
    "csms_number", "title", "prefix", "published", "topics", "topic_hits", "events", "dates",
    "related_csms", "hts", "adcvd", "emails", "links", "letters", "summary_zh",
)  # fmt: skip


class _Links(HTMLParser):
    """Collects ``href`` values and the page ``<title>`` (stdlib parser: never raises)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.lower().startswith(("http://", "https://")):
                self.links.append(href)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "big5", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _is_feed(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return bool(re.search(r"<rss[\s>]|<feed[\s>]|<rdf:rdf", head))


def announcement_from_text(text: str, *, now: datetime) -> tuple[Announcement, int]:
    """(announcement, number of feed entries read) from a raw document of any supported kind."""
    title, body, url, links, published, entries = "", text, "", [], None, 0
    if _is_feed(text):
        from feeds.parsing import ParseError, parse_feed_entries

        try:
            rows, _ = parse_feed_entries(text.encode("utf-8"), now=now)
        except ParseError:
            rows = []
        entries = len(rows)
        if rows:
            first = rows[0]
            title, body, url, published = first.title, first.body, first.link, first.published
    elif looks_like_html(text):
        p = _Links()
        try:
            p.feed(text)
            p.close()
        except Exception:  # last line of defence; HTMLParser is lenient
            pass
        links, title = p.links, " ".join(p.title.split())
        body = html_to_text(text[:MAX_INPUT])
    if not title and not re.search(r"主旨\s*[:：]", body):
        title = _heading_if_not_first_line(body)
    lang = _language(body)
    own = published or parse_dateline(body) or _issued(body) or _date_line(body)  # the document's own date
    when = own or _first_dated(body, roc=lang == "zh-TW") or _year_named(body) or now
    # a day written without its month (「今（6）日」「20日裁定」) is read only against the document's
    # own date, never against a date it merely names or the clock
    undated = own is None
    ann = Announcement(
        key="explain:input", source="explain", kind="explain", ext_id="", title=title, url=url,
        published=when, body=body, language=lang, meta={"links": links, **({"undated": True} if undated else {})},
    )  # fmt: skip
    return ann, entries


def _heading_if_not_first_line(body: str) -> str:
    """A heading past the page chrome or out of a lead paragraph ("" when the first line is it)."""
    from bot.understand.headline import headline

    first = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    found = headline(body)
    return found if found != first else ""


def _language(body: str) -> str:
    """zh-TW for a Chinese text, however short: more than 50 Chinese characters, or twice as many
    as English words (links aside — a pasted file path is not English prose)."""
    head = re.sub(r"\S+://\S+", " ", body[:5000])
    cjk = len(re.findall(r"[\u4e00-\u9fff]", head))
    words = len(re.findall(r"[A-Za-z]{2,}", head))
    return "zh-TW" if cjk > 50 or (cjk >= 8 and cjk >= 2 * words) else "en"


def _issued(body: str) -> datetime | None:
    """A Chinese letter's 發文日期, a notice's 公告日期 / 日期 (00:00 Taipei) stands in for a
    publication time."""
    day = issued_date(body)
    return datetime.combine(day, time(0), TAIPEI) if day else None


# a news page's date on a line of its own near the top (「2013.09.06」, 「2021/10/18 20:11」)
_DATE_LINE = re.compile(r"^[ \t]*((?:19|20)\d\d)[./-](\d{1,2})[./-](\d{1,2})(?:[ \t]+\d{1,2}:\d\d)?[ \t]*$", re.M)


def _date_line(body: str) -> datetime | None:
    """The page's own date when its first lines carry one alone on a line (a byline's date)."""
    m = _DATE_LINE.search(body[:300])
    try:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=TAIPEI) if m else None
    except ValueError:
        return None


def _first_dated(body: str, *, roc: bool) -> datetime | None:
    """No date of its own: the first full date the text names (year included) is the nearest
    thing to the document's date — never the clock. ROC dates only in a Chinese text: in an
    English one 「11/06/08」 is November 6, 2008, not 民國 11 (1922)."""
    en = [d for d in parse_en_dates(body[:20000], date(2000, 1, 1)) if d.year_given]
    zh = parse_roc_dates(body[:20000]) if roc else []
    found = [(d.start, d.value, NEW_YORK) for d in en] + [(d.start, d.value, TAIPEI) for d in zh]
    for m in _COMPACT_DATE.finditer(body[:300]):  # a headline's 20220516 (never a CSMS number)
        try:
            found.append((m.start(), date(int(m.group(1)), int(m.group(2)), int(m.group(3))), TAIPEI))
        except ValueError:
            continue
    first = min(found, default=None)
    return datetime.combine(first[1], time(0), first[2]) if first else None


_YEAR = re.compile(r"(?<![\d.,$#/:-])((?:19|20)\d\d)(?![\d%])")


def _year_named(body: str) -> datetime | None:
    """No full date at all: the year the text names (「March 2012」, "by the end of 2013").
    Year-less dates are then read in the latest year named (against its July 1), unless dates
    written with their weekday ("Monday, Feb. 17") all fall on that weekday in one year within a
    year of it: that year, whose date is then the reference."""
    years = sorted({int(y) for y in _YEAR.findall(body[:20000]) if 1980 <= int(y) <= 2100})
    if not years:
        return None
    latest = years[-1]
    weekdays = [d for d in parse_en_dates(body[:20000], date(latest, 7, 1)) if not d.year_given and d.weekday is not None]
    fits = [
        y for y in range(latest - 1, latest + 3)
        if weekdays and all(_weekday_in(y, d.value.month, d.value.day) == d.weekday for d in weekdays)
    ]  # fmt: skip
    if len(fits) == 1:
        d = weekdays[0].value
        return datetime.combine(date(fits[0], d.month, d.day), time(0), NEW_YORK)
    return datetime.combine(date(latest, 7, 1), time(0), NEW_YORK)


def _weekday_in(year: int, month: int, day: int) -> int | None:
    try:
        return date(year, month, day).weekday()
    except ValueError:
        return None


_COMPACT_DATE = re.compile(r"(?<![\d#])(?<!CSMS )((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def explain_bytes(raw: bytes, *, now: datetime | None = None) -> dict[str, Any]:
    """The explain JSON object for one raw document. Never raises on bad input."""
    now = now or datetime.now(UTC)
    text = decode(raw[:MAX_INPUT])
    if not text.strip() or looks_binary(text):
        return _empty(COULD_NOT_UNDERSTAND)
    try:
        ann, entries = announcement_from_text(text, now=now)
        u = understand(ann, now=now)
    except Exception as exc:  # the explain command reports, it does not crash
        return {**_empty(COULD_NOT_UNDERSTAND), "error": type(exc).__name__}
    out = to_json(u)
    if entries > 1:
        out["feed_entries"] = entries
    return out


def to_json(u: Understanding) -> dict[str, Any]:
    from feeds.topics import TOPICS

    f = u.facts.to_json()
    out: dict[str, Any] = {k: f.get(k) for k in SCHEMA_KEYS}
    out["topics"] = [h.topic for h in u.topics]
    out["topic_hits"] = [
        {"topic": h.topic, "zh": TOPICS[h.topic].zh if h.topic in TOPICS else h.topic, "rule": h.rule}
        for h in u.topics
    ]
    for key in ("events", "dates", "related_csms", "hts", "adcvd", "emails", "links", "letters"):
        out[key] = out[key] or []
    out["summary_zh"] = u.summary_zh
    return out


def _empty(summary: str) -> dict[str, Any]:
    out: dict[str, Any] = {k: None for k in SCHEMA_KEYS}
    for key in ("topics", "topic_hits", "events", "dates", "related_csms", "hts", "adcvd", "emails",
                "links", "letters"):  # fmt: skip
        out[key] = []
    out["summary_zh"] = summary
    return out


def run_explain(path: str, *, now: datetime | None = None) -> int:
    """CLI entry: read FILE (or stdin for ``-``), print JSON. Exit 2 when the file is missing.
    ``now`` (``--now``) is the moment the item is understood at, for rehearsals; events over by
    then (or by the document's own date) are marked ``past: true``."""
    import json
    import sys

    from feeds.errors import UserError

    if path == "-":
        raw = sys.stdin.buffer.read(MAX_INPUT)
    else:
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_INPUT)
        except OSError as exc:
            raise UserError(f"無法讀取檔案 {path}", f"cannot read {path}: {exc.strerror}") from exc
    print(json.dumps(explain_bytes(raw, now=now), ensure_ascii=False, indent=2))
    return 0
