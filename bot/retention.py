"""The prune sweep: delivered messages, their attempts, old alerts, unused renderings and
spent reminder items go after ``[retention] days`` (association audit rows after
``audit_days``), batch by batch, yielding to the event loop in between — so a first run over
a year of history does not stall sending, and a run with nothing old costs a few index probes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.config import RetentionConfig
from state import retention as store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PruneStats:
    outbox: int = 0  # with their deliveries, Telegram parts and acks (cascade)
    alerts: int = 0
    renderings: int = 0
    reminders: int = 0

    def __bool__(self) -> bool:  # "produced work" for the scheduler: pruning feeds no sweep
        return False


async def prune(db: Database, now: datetime, config: RetentionConfig, *, batch: int = 5000) -> PruneStats:
    before = now - timedelta(days=config.days)
    audit_before = now - timedelta(days=max(config.audit_days, config.days)) if config.audit_days else None
    stats = PruneStats()
    while (n := store.prune_outbox(db, before=before, audit_before=audit_before, batch=batch)) > 0:
        stats.outbox += n
        await asyncio.sleep(0)
    while (n := store.prune_alerts(db, before=before)) >= 0:
        stats.alerts += n
        await asyncio.sleep(0)
    while (n := store.prune_renderings(db, before=before, batch=batch)) > 0:
        stats.renderings += n
        await asyncio.sleep(0)
    while (n := store.prune_reminders(db, before=before, batch=batch)) > 0:
        stats.reminders += n
        await asyncio.sleep(0)
    if stats.outbox or stats.alerts or stats.renderings or stats.reminders:
        log.info("pruned outbox=%d alerts=%d renderings=%d reminders=%d before=%s",
                 stats.outbox, stats.alerts, stats.renderings, stats.reminders, before.date())  # fmt: skip
    return stats
