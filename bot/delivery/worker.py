"""The outbox worker: claims due rows, sends them through their channel, records the result."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.config import DeliveryConfig
from bot.delivery.channels.base import Blocked, Channel, Deferred, Failed, Outcome, Retry, Sent
from feeds.fetch import backoff_delay
from state import outbox
from state.subscribers import set_status

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DrainStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    deferred: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)


async def drain(
    db: Database,
    channels: Mapping[str, Channel],
    *,
    now: datetime,
    config: DeliveryConfig,
    rng: random.Random,
    limit: int | None = None,
) -> DrainStats:
    """Send what is due now. Each row's result is committed before the next is sent."""
    stats = DrainStats()
    batch = outbox.claim_due(db, now=now, limit=limit or config.batch, channels=list(channels))
    for msg in batch:
        if not outbox.begin_attempt(db, msg.id):
            continue
        try:
            outcome: Outcome = await channels[msg.channel].send(msg)
        except Exception as exc:  # a channel bug must not stop the sweep or lose the message
            log.exception("channel crashed channel=%s outbox_id=%s", msg.channel, msg.id)
            outcome = Retry(f"internal error: {type(exc).__name__}")
        apply_outcome(db, msg, outcome, now=now, config=config, rng=rng, stats=stats)
    return stats


def apply_outcome(
    db: Database,
    msg: outbox.OutboxMessage,
    outcome: Outcome,
    *,
    now: datetime,
    config: DeliveryConfig,
    rng: random.Random,
    stats: DrainStats | None = None,
) -> None:
    stats = stats if stats is not None else DrainStats()
    if isinstance(outcome, Sent):
        outbox.mark_sent(db, msg.id, now=now, detail=outcome.detail)
        stats.sent += 1
        log.info("sent channel=%s outbox_id=%s key=%s", msg.channel, msg.id, msg.message_key)
    elif isinstance(outcome, Deferred):
        outbox.mark_deferred(db, msg.id, retry_at=now + timedelta(seconds=max(outcome.after, 0.0)))
        stats.deferred += 1
        log.debug("deferred channel=%s outbox_id=%s in=%.1fs", msg.channel, msg.id, outcome.after)
    elif isinstance(outcome, Retry) and msg.attempts < config.max_attempts:
        delay = (
            outcome.after
            if outcome.after is not None
            else backoff_delay(msg.attempts, config.retry_base, config.retry_max, rng)
        )
        outbox.mark_retry(db, msg.id, now=now, retry_at=now + timedelta(seconds=delay), error=outcome.error)
        stats.retried += 1
        log.warning("retry channel=%s outbox_id=%s in=%.0fs error=%s", msg.channel, msg.id, delay, outcome.error)
    elif isinstance(outcome, Blocked):
        with db.atomic():
            outbox.mark_held(db, msg.id, now=now, error=outcome.error)
            set_status(db, msg.subscriber_id, "paused", outcome.error)
        stats.held += 1
        log.warning("recipient paused subscriber=%s error=%s", msg.subscriber_id, outcome.error)
    else:
        error = outcome.error if isinstance(outcome, Failed | Retry) else str(outcome)
        outbox.mark_failed(db, msg.id, now=now, error=error)
        stats.failed += 1
        log.error("failed channel=%s outbox_id=%s error=%s", msg.channel, msg.id, error)
    stats.outcomes[msg.id] = type(outcome).__name__
