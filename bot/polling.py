"""Polling: fetch the sources that are due, store what is new, record each source's outcome.

A failure of one source (network, HTTP, parse, anything) is recorded with its back-off and never
stops the others. A new source's first poll is a baseline; on the rehearsal clock (``--now``)
items published after that moment are left for a later poll.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import aiohttp
from sqlite_utils import Database

from bot.config import Config
from feeds.fetch import FetchError, FetchLimits, backoff_delay, fetch
from feeds.parsing import ParseError
from feeds.registry import parser_for
from state import announcements, sources
from state.announcements import Announcement

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PollStats:
    polled: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    new_items: int = 0
    baselined: list[str] = field(default_factory=list)  # first polls: stored, not alerted


async def poll_sources(
    db: Database,
    config: Config,
    session: aiohttp.ClientSession,
    *,
    now: datetime,
    rng: random.Random,
    force: bool = False,
    rehearsal: bool = False,
) -> PollStats:
    """Fetch every enabled source that is due (or all with ``force``), store new items."""
    stats = PollStats()
    limits = FetchLimits(
        connect_timeout=config.fetch.connect_timeout,
        read_timeout=config.fetch.read_timeout,
        max_bytes=config.fetch.max_bytes,
        max_redirects=config.fetch.max_redirects,
        user_agent=config.fetch.user_agent,
    )
    due = []
    for src in config.sources:
        state = sources.get_source(db, src.name)
        if src.enabled and state and (force or sources.is_due(state, now)):
            due.append((src, state))
    results = await asyncio.gather(
        *(
            fetch(session, s.url, etag=st.etag, last_modified=st.last_modified, limits=limits)
            for s, st in due
        ),
        return_exceptions=True,
    )
    for (src, state), result in zip(due, results, strict=True):
        stats.polled.append(src.name)
        try:
            if isinstance(result, BaseException):
                raise result
            if result.not_modified:
                with db.atomic():
                    sources.record_success(
                        db, src.name, now=now, next_poll_at=_next_poll(config, rng, now, src.interval),
                        not_modified=True, etag=result.etag or state.etag,
                        last_modified=result.last_modified or state.last_modified, new_items=0,
                    )  # fmt: skip
                stats.not_modified.append(src.name)
                continue
            parse = parser_for(src.kind, now=now, language=src.language)
            parsed = await asyncio.to_thread(parse, result.body, src.name)
            items, later = _published_by(parsed.items, now) if rehearsal else (parsed.items, 0)
            if later:  # read the feed again next time: its unchanged bytes hold what is still ahead
                result = replace(result, etag=None, last_modified=None)
            alertable_after = now - timedelta(seconds=config.service.alert_max_age)
            # A new source's first poll is a baseline: its feed's history is not news.
            baseline = state.baselined_at is None
            with db.atomic():
                new = announcements.store_new(
                    db, items, now=now, alertable_after=alertable_after, baseline=baseline
                )
                if baseline:
                    sources.mark_baselined(db, src.name, now)
                    stats.baselined.append(src.name)
                sources.record_success(
                    db, src.name, now=now, next_poll_at=_next_poll(config, rng, now, src.interval),
                    not_modified=False, etag=result.etag, last_modified=result.last_modified, new_items=new,
                )  # fmt: skip
            stats.new_items += new
            for w in parsed.warnings[:5]:
                log.warning("source=%s parse warning: %s", src.name, w)
            log.info("polled source=%s items=%d new=%d%s%s", src.name, len(parsed.items), new,
                     " baseline (first poll: stored, not alerted)" if baseline else "",
                     f" later={later} (published after the rehearsal clock)" if later else "")  # fmt: skip
        except Exception as exc:  # every failure is recorded; none stops the sweep
            error = _describe(exc)
            if not isinstance(exc, FetchError | ParseError):
                log.exception("source=%s unexpected failure", src.name)
            failures = state.consecutive_failures + 1
            delay = backoff_delay(
                failures, config.fetch.backoff_base, config.fetch.backoff_max, rng
            )
            sources.record_failure(
                db,
                src.name,
                now=now,
                next_poll_at=now + timedelta(seconds=max(delay, 1)),
                error=error,
            )
            stats.failed[src.name] = error
            log.warning("source=%s failed=%d error=%s", src.name, failures, error)
    return stats


def _next_poll(config: Config, rng: random.Random, now: datetime, interval: float) -> datetime:
    """The source's interval ± ``fetch.jitter`` (so same-interval sources drift apart)."""
    jitter = config.fetch.jitter
    return now + timedelta(seconds=interval * (1 + rng.uniform(-jitter, jitter)))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FetchError):
        return str(exc)
    if isinstance(exc, ParseError):
        return f"parse: {exc}"
    return f"{type(exc).__name__}: {exc}"[:300]


def _published_by(
    items: tuple[Announcement, ...], now: datetime
) -> tuple[tuple[Announcement, ...], int]:
    """The items published by ``now`` and how many are still ahead of it (rehearsal clock)."""
    kept = tuple(a for a in items if a.published <= now)
    return kept, len(items) - len(kept)
