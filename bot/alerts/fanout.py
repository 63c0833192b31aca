"""Fan-out: one announcement's alerts into the outbox, in chunks, each rendering stored once.

Why chunks: one transaction holding 30,000 recipients' rows makes the first recipient wait
for the last. Each chunk is its own transaction (its alerts and outbox rows commit together),
the first chunks are small so the first recipients are queued at once, and the event loop
gets a turn between chunks so the drain can start sending.

Why it never doubles and never loses: alerts are unique per (subscriber, announcement) and
outbox rows per (subscriber, message key); a chunk that committed is skipped when the
fan-out runs again, one that did not is redone whole. The announcement is marked matched
only after every chunk (the caller does that, in the same transaction as the deadline
hooks), so a crash mid-fan-out is resumed by the next match sweep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.alerts.digest import immediate
from bot.alerts.render import Forwarded, RenderedAlert, render_alert
from bot.quiet import next_allowed
from bot.understand.understanding import Understanding
from feeds.model import Announcement
from state import outbox, renderings
from state.alerts import alerted_among, has_alerts, reason_set, record_alerts
from state.db import iso
from state.fanout import Recipient, recipients

# Recipients per transaction: the first chunk small (first rows in the outbox at once), then
# larger (fewer commits; each is a durable fsync with synchronous=FULL).
CHUNKS = (200, 1_000, 5_000)


@dataclass(frozen=True, slots=True)
class FanoutStats:
    matched: int = 0  # subscribers the index matched (active or not)
    alerts: int = 0  # alert rows recorded now (immediate + digest)
    queued: int = 0  # outbox rows queued now
    renderings: int = 0  # distinct renderings used
    chunks: int = 0


def rendering_look(r: Recipient, reasons: tuple[str, ...], forwards: tuple[Forwarded, ...]) -> tuple:
    """Everything that makes one recipient's alert differ from another's: language, zone,
    reasons, what it forwards that they had (story). Whoever adds a per-recipient input to
    the alert templates adds it here too."""
    return (r.language, r.timezone, reasons, forwards)


Render = Callable[..., RenderedAlert]


async def fan_out(
    db: Database,
    ann: Announcement,
    u: Understanding,
    hits: Mapping[int, Sequence[str]],
    *,
    urgent: set[int],
    now: datetime,
    forwards: Mapping[int, tuple[Forwarded, ...]] | None = None,
    render: Render = render_alert,
    chunks: Sequence[int] | None = None,
    pause: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> FanoutStats:
    """Record an alert for every active matched subscriber and queue the immediate ones."""
    chunks = chunks or CHUNKS
    ids = sorted(hits)
    resuming = bool(ids) and has_alerts(db, ann.key)
    topics = [h.topic for h in u.topics]
    payload = {"url": ann.url, "announcement": ann.key, "topics": topics}
    key = f"alert:{ann.key}"
    rendered: dict[tuple, int] = {}  # look → rendering id
    reason_ids: dict[tuple[str, ...], int] = {}
    not_before: dict[tuple[str, str | None], str] = {}
    alerts = queued = n = 0
    start = 0
    while start < len(ids):
        chunk = ids[start : start + chunks[min(n, len(chunks) - 1)]]
        start += len(chunk)
        n += 1
        people = recipients(db, chunk)
        with db.atomic():
            done = alerted_among(db, ann.key, chunk) if resuming else set()
            alert_rows: list[tuple[int, int, str]] = []
            rows: list[outbox.Rendered] = []
            for r in people:
                if r.id in done:
                    continue  # committed by an earlier, interrupted run
                reasons = tuple(hits[r.id])
                reasons_id = reason_ids.get(reasons)
                if reasons_id is None:
                    reasons_id = reason_ids[reasons] = reason_set(db, ann.key, reasons)
                now_or_digest = immediate(r.digest, r.channel, r.id in urgent)
                alert_rows.append((r.id, reasons_id, "immediate" if now_or_digest else "digest"))
                if not now_or_digest:
                    continue
                fw = forwards.get(r.id, ()) if forwards else ()
                look = rendering_look(r, reasons, fw)
                rid = rendered.get(look)
                if rid is None:
                    body = render(ann, u, reasons, lang=r.language, tz=r.timezone, now=now, forwards=fw)
                    rid = rendered[look] = renderings.store(
                        db, subject=body.subject or ann.title, text=body.text, html=body.html, payload=payload, now=now
                    )
                quiet = (r.timezone, r.quiet_hours)
                when = not_before.get(quiet)
                if when is None:
                    when = not_before[quiet] = iso(next_allowed(now, r.timezone, r.quiet_hours))
                rows.append(outbox.Rendered(r.id, rid, when))
            alerts += record_alerts(db, ann.key, alert_rows, now=now)
            queued += outbox.enqueue_rendered(db, rows, message_key=key, kind="alert", now=now)
        await pause(0)  # let the drain send what is queued while the rest is written
    return FanoutStats(len(ids), alerts, queued, len(set(rendered.values())), n)
