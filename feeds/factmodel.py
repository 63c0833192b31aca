"""The facts of one announcement as typed values, from extraction to the templates.

``Facts.to_json()`` / ``Facts.from_json()`` are the one translation to and from the JSON that
is stored (``announcements.facts``) and printed by ``run.py explain``; the keys and shapes are
the schema in docs/EXPLAIN.md. ``from_json`` is lenient: a stored row written by an older
version, or a hand-edited one, gives what it can and skips what it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """A point (or window) in time: webinar, support call, outage, maintenance, effective time.

    ``start`` is aware when the text named a zone, naive when it did not (never guessed)."""

    kind: str
    start: datetime
    label: str
    end: datetime | None = None
    zone: str | None = None  # "EDT", "EST", "UTC", "Asia/Taipei", … or None: the text gave none
    url: str | None = None
    date_inferred: bool = False  # no date stood next to the time
    end_approximate: bool = False  # the text gave the end as a range ("between 0000 and 0300")
    past: bool = False  # over before the document's own date (see docs/EXPLAIN.md)

    @property
    def zoned(self) -> bool:
        return self.start.tzinfo is not None

    @property
    def start_iso(self) -> str:
        return self.start.isoformat(timespec="seconds")

    @property
    def end_iso(self) -> str | None:
        return self.end.isoformat(timespec="seconds") if self.end is not None else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "start": self.start_iso, "label": self.label}
        if self.end is not None:
            out["end"] = self.end_iso
        out["zone"] = self.zone
        if self.date_inferred:
            out["date_inferred"] = True
        if self.end_approximate:
            out["end_approximate"] = True
        if self.past:
            out["past"] = True
        if self.url:
            out["url"] = self.url
        return out

    @classmethod
    def from_json(cls, d: Any) -> Event | None:
        if not isinstance(d, dict):
            return None
        try:
            start = datetime.fromisoformat(str(d.get("start", "")))
        except ValueError:
            return None
        end = None
        if d.get("end"):
            try:
                end = datetime.fromisoformat(str(d["end"]))
            except ValueError:
                end = None
        return cls(
            kind=str(d.get("kind") or "event"), start=start, label=str(d.get("label") or ""), end=end,
            zone=d.get("zone") if isinstance(d.get("zone"), str) else None,
            url=str(d["url"]) if d.get("url") else None, date_inferred=bool(d.get("date_inferred")),
            end_approximate=bool(d.get("end_approximate")), past=bool(d.get("past")),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class DatedFact:
    """A calendar date: ``effective``, ``deadline``, ``range_start``/``range_end``, ``issued``,
    ``mentioned``."""

    kind: str
    date: date
    label: str
    past: bool = False  # before the document's own date or the reader's clock

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "date": self.date.isoformat(), "label": self.label}
        if self.past:
            out["past"] = True
        return out

    @classmethod
    def from_json(cls, d: Any) -> DatedFact | None:
        if not isinstance(d, dict):
            return None
        try:
            day = date.fromisoformat(str(d.get("date", ""))[:10])
        except ValueError:
            return None
        return cls(str(d.get("kind") or "mentioned"), day, str(d.get("label") or ""), bool(d.get("past")))


@dataclass(frozen=True, slots=True)
class Letter:
    """One 函 / 公告: 發文機關, 發文日期, 發文字號, 主旨, 說明 (JSON keys are the Chinese names)."""

    issuer: str | None = None
    issued: date | None = None
    number: str | None = None
    subject: str | None = None
    items: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "發文機關": self.issuer,
            "發文日期": self.issued.isoformat() if self.issued else None,
            "發文字號": self.number,
            "主旨": self.subject,
            "說明": list(self.items),
        }

    @classmethod
    def from_json(cls, d: Any) -> Letter | None:
        if not isinstance(d, dict):
            return None
        issued = None
        if d.get("發文日期"):
            try:
                issued = date.fromisoformat(str(d["發文日期"])[:10])
            except ValueError:
                issued = None
        return cls(
            issuer=_opt_str(d.get("發文機關")), issued=issued, number=_opt_str(d.get("發文字號")),
            subject=_opt_str(d.get("主旨")), items=_strs(d.get("說明")),
        )  # fmt: skip


def _opt_str(v: Any) -> str | None:
    return str(v) if v is not None else None


def _strs(v: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in v) if isinstance(v, list | tuple) else ()


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything extracted from one announcement (docs/EXPLAIN.md names each field)."""

    title: str = ""
    csms_number: str | None = None
    prefix: str | None = None
    published: datetime | None = None
    events: tuple[Event, ...] = ()
    dates: tuple[DatedFact, ...] = ()
    related_csms: tuple[str, ...] = ()
    hts: tuple[str, ...] = ()
    adcvd: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    letters: tuple[Letter, ...] = ()
    topics: tuple[str, ...] = field(default=())

    @property
    def published_iso(self) -> str | None:
        return self.published.isoformat(timespec="seconds") if self.published else None

    def to_json(self) -> dict[str, Any]:
        """The stored / explained JSON object (keys and shapes: docs/EXPLAIN.md)."""
        return {
            "csms_number": self.csms_number,
            "title": self.title,
            "prefix": self.prefix,
            "published": self.published_iso,
            "events": [e.to_json() for e in self.events],
            "dates": [d.to_json() for d in self.dates],
            "related_csms": list(self.related_csms),
            "hts": list(self.hts),
            "adcvd": list(self.adcvd),
            "emails": list(self.emails),
            "links": list(self.links),
            "letters": [x.to_json() for x in self.letters],
            "topics": list(self.topics),
        }

    @classmethod
    def from_json(cls, d: Any) -> Facts:
        """Facts from stored JSON (a dict); anything unreadable is left out, never raised."""
        if not isinstance(d, dict):
            return cls()
        published = None
        if d.get("published"):
            try:
                published = datetime.fromisoformat(str(d["published"]))
            except ValueError:
                published = None
        events = tuple(e for e in (Event.from_json(x) for x in _list(d.get("events"))) if e is not None)
        dates = tuple(x for x in (DatedFact.from_json(y) for y in _list(d.get("dates"))) if x is not None)
        letters = tuple(x for x in (Letter.from_json(y) for y in _list(d.get("letters"))) if x is not None)
        return cls(
            title=str(d.get("title") or ""), csms_number=_opt_str(d.get("csms_number")),
            prefix=_opt_str(d.get("prefix")), published=published, events=events, dates=dates,
            related_csms=_strs(d.get("related_csms")), hts=_strs(d.get("hts")), adcvd=_strs(d.get("adcvd")),
            emails=_strs(d.get("emails")), links=_strs(d.get("links")), letters=letters,
            topics=_strs(d.get("topics")),
        )  # fmt: skip


def _list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list | tuple) else []
