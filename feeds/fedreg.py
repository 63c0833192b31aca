"""Federal Register API (JSON) documents of U.S. Customs and Border Protection.

Fields used: document_number, title, type, abstract, publication_date, effective_on,
comments_close_on, html_url (DOMAIN.md §2).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from feeds.model import FEDERAL_REGISTER, Announcement
from feeds.parsing import ParseError, ParseResult
from feeds.text import html_to_text

_ET = ZoneInfo("America/New_York")


def parse_federal_register(body: bytes, source: str, *, now: datetime) -> ParseResult:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"not JSON: {exc}") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise ParseError("no 'results' list in Federal Register response")
    items, warnings = [], []
    for i, doc in enumerate(results):
        if not isinstance(doc, dict) or not doc.get("document_number") or not doc.get("title"):
            warnings.append(f"result {i}: no document_number or title")
            continue
        number = str(doc["document_number"])
        try:
            day = date.fromisoformat(str(doc.get("publication_date", "")))
            published = datetime.combine(day, time(0, 0), tzinfo=_ET)
        except ValueError:
            warnings.append(f"{number}: bad publication_date {doc.get('publication_date')!r}")
            published = now
        lines = [f"Type: {doc['type']}"] if doc.get("type") else []
        for key, label in (("effective_on", "Effective date"), ("comments_close_on", "Comments due")):
            if doc.get(key):
                lines.append(f"{label}: {doc[key]}")
        abstract = html_to_text(str(doc.get("abstract") or ""))
        body_text = "\n\n".join(part for part in ("\n".join(lines), abstract) if part)
        meta = {k: doc[k] for k in ("type", "effective_on", "comments_close_on") if doc.get(k)}
        items.append(
            Announcement(
                key=f"fr:{number}",
                source=source,
                kind=FEDERAL_REGISTER,
                ext_id=number,
                title=html_to_text(str(doc["title"])),
                url=str(doc.get("html_url") or f"https://www.federalregister.gov/d/{number}"),
                published=published,
                body=body_text,
                language="en",
                meta=meta,
            )
        )
    return ParseResult(items=tuple(items), warnings=tuple(warnings))
