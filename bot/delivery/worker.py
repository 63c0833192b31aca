"""The outbox worker: one drain per channel, each sending its due rows until none is due.

A drain claims a batch of its own channel's due rows, and for each: marks it ``sending``
(committed), hands it to the channel, records the outcome. It takes the next batch at once
while due rows remain, so a large fan-out is paced only by the channel itself (Telegram's
pacer, the SMTP relay), never by a scheduler tick. Channels drain concurrently: a relay that
hangs holds up only its own drain.

Commits: the outcome of message k and the ``sending`` mark of message k+1 share one commit
(one fsync per message, not two). Nothing is sent between them, so a kill still leaves at most
the one message that was being sent in ``sending`` per channel. A channel may allow more sends
at once (``max_in_flight``, for a server far away); a kill may then leave that many.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.config import DeliveryConfig
from bot.delivery.channels.base import Blocked, Channel, Deferred, Failed, Outcome, Retry, Sent
from feeds.errors import UserError
from feeds.fetch import backoff_delay
from state import outbox
from state.subscribers import set_status

log = logging.getLogger(__name__)


class LeaseLost(UserError):
    """Another instance took the service lease over: this one must stop sending at once."""

    def __init__(self) -> None:
        super().__init__(
            "服務租約已被另一個執行個體接手，本程序停止傳送",
            "the service lease was taken over by another instance; this one stops sending",
        )


# A server-told wait (429 retry_after) this short is waited out by a settling drain (``once``).
SETTLE_RETRY_MAX = 10.0


@dataclass(slots=True)
class DrainStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    deferred: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)
    stopped: bool = False  # asked to stop (shutdown) or out of time before everything due was sent

    def add(self, other: DrainStats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.held += other.held
        self.deferred += other.deferred
        self.outcomes.update(other.outcomes)
        self.stopped = self.stopped or other.stopped


@dataclass(slots=True)
class DrainLimits:
    """When a drain stops besides "nothing due": shutdown, a monotonic deadline, a row count."""

    stop: asyncio.Event | None = None
    deadline: float | None = None  # on ``monotonic``
    max_rows: int | None = None
    monotonic: Callable[[], float] = time.monotonic

    def reached(self, handled: int) -> bool:
        if self.stop is not None and self.stop.is_set():
            return True
        if self.deadline is not None and self.monotonic() >= self.deadline:
            return True
        return self.max_rows is not None and handled >= self.max_rows


@dataclass(slots=True)
class _RunBook:
    """What one drain run did with its rows."""

    handled: int = 0  # rows handed to the channel
    again: set[int] = field(default_factory=set)  # tried in this run and pending again
    put_off: set[int] = field(default_factory=set)  # retried with a backoff: left to a later run
    brief: dict[int, datetime] = field(default_factory=dict)  # put off by pacing until then

    def note(self, msg: outbox.OutboxMessage, outcome: Outcome, at: datetime) -> None:
        self.brief.pop(msg.id, None)
        self.put_off.discard(msg.id)
        if isinstance(outcome, Deferred | Retry):
            self.again.add(msg.id)
        if isinstance(outcome, Deferred):
            self.brief[msg.id] = at + timedelta(seconds=max(outcome.after, 0.001))
        elif isinstance(outcome, Retry):
            if outcome.after is not None and outcome.after <= SETTLE_RETRY_MAX:
                self.brief[msg.id] = at + timedelta(seconds=outcome.after)
            else:
                self.put_off.add(msg.id)


async def drain_channel(
    db: Database,
    name: str,
    channel: Channel,
    *,
    clock: Callable[[], datetime],
    config: DeliveryConfig,
    rng: random.Random,
    holder: str | None = None,
    limits: DrainLimits | None = None,
    settle: bool = False,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> DrainStats:
    """Send every row of channel ``name`` that is due by ``clock()``, batch after batch.

    Without ``settle`` (a sweep): each row at most once per run, and the run ends as soon as
    nothing is due. With ``settle`` (``once``): the run also waits for rows it put off for a
    few seconds (the channel's pacing said "this chat later", a 429 said "retry after 1 s"),
    so nothing due is left behind; a row that failed and backs off is left to a later run,
    so a relay that is down does not keep ``once`` busy until its time limit.
    """
    run = _Run(db, channel, clock, config, rng, holder, limits or DrainLimits())
    limits, stats, book = run.limits, run.stats, run.book
    while True:
        if limits.reached(book.handled):
            stats.stopped = True
            return stats
        now = clock()
        batch = _claim(db, name, now, config.batch, skip=book.put_off if settle else book.again)
        if batch:
            await (_send_window if in_flight(channel) > 1 else _send_batch)(run, batch)
            continue
        if not settle:
            return stats
        for row, at in list(book.brief.items()):  # due but not claimable: sent, cancelled or paused
            if at <= now:
                del book.brief[row]
        if not book.brief:
            return stats
        wait = (min(book.brief.values()) - now).total_seconds()
        if limits.deadline is not None and limits.monotonic() + wait >= limits.deadline:
            stats.stopped = True
            return stats
        await sleep(wait)
        if clock() <= now:  # a fixed clock (a rehearsal at one instant): nothing more falls due
            return stats


@dataclass(slots=True)
class _Run:
    """One drain run of one channel: what its sends need and what they record."""

    db: Database
    channel: Channel
    clock: Callable[[], datetime]
    config: DeliveryConfig
    rng: random.Random
    holder: str | None
    limits: DrainLimits
    stats: DrainStats = field(default_factory=DrainStats)
    book: _RunBook = field(default_factory=_RunBook)

    def record(self, msg: outbox.OutboxMessage, outcome: Outcome, at: datetime) -> None:
        apply_outcome(self.db, msg, outcome, now=at, config=self.config, rng=self.rng, stats=self.stats)

    def begin(self, msg: outbox.OutboxMessage) -> bool:
        """Mark ``msg`` sending (fenced on the lease); False when it was taken or cancelled."""
        if outbox.begin_attempt(self.db, msg.id, holder=self.holder):
            self.book.handled += 1
            return True
        if self.holder is not None and _still_pending(self.db, msg.id):
            raise LeaseLost()  # the fence refused: another instance holds the lease now
        return False

    async def send(self, msg: outbox.OutboxMessage) -> tuple[Outcome, datetime]:
        try:
            outcome: Outcome = await self.channel.send(msg)
        except Exception as exc:  # a channel bug must not stop the drain or lose the message
            log.exception("channel crashed channel=%s outbox_id=%s", msg.channel, msg.id)
            outcome = Retry(f"internal error: {type(exc).__name__}")
        at = self.clock()
        self.book.note(msg, outcome, at)
        return outcome, at


async def _send_batch(run: _Run, batch: list[outbox.OutboxMessage]) -> None:
    """Send a claimed batch in order, recording each outcome in the same commit as the next start."""
    done: tuple[outbox.OutboxMessage, Outcome, datetime] | None = None
    try:
        for msg in batch:
            if run.limits.reached(run.book.handled):
                break
            previous, done = done, None
            with run.db.atomic():  # one commit: the last outcome and the next ``sending`` mark
                if previous is not None:
                    run.record(*previous)
                started = run.begin(msg)
            if started:
                done = (msg, *await run.send(msg))
    finally:
        if done is not None:  # also on cancellation: the message went out, record it
            run.record(*done)


def _claim(db: Database, name: str, now: datetime, size: int, *, skip: set[int]) -> list[outbox.OutboxMessage]:
    """Up to ``size`` due rows of channel ``name``, leaving out ``skip``. Claims a wider window
    only when a full one held nothing but skipped rows (rarely: they sort after fresh rows)."""
    limit = size
    while True:
        claimed = outbox.claim_due(db, now=now, limit=limit, channels=[name])
        batch = [m for m in claimed if m.id not in skip][:size]
        if batch or len(claimed) < limit:
            return batch
        limit *= 2


def in_flight(channel: Channel) -> int:
    """How many sends a channel allows at once (``max_in_flight``; 1 unless it says more)."""
    value = getattr(channel, "max_in_flight", 1)
    return value if isinstance(value, int) and value > 1 else 1


async def _send_window(run: _Run, batch: list[outbox.OutboxMessage]) -> None:
    """Up to ``max_in_flight`` sends at once, for a channel whose server is far away (a send
    costs a round trip). Each row is still marked ``sending`` (committed) just before its send
    and recorded right after; a kill can leave up to ``max_in_flight`` rows ``sending``."""
    window = in_flight(run.channel)
    running: set[asyncio.Task[None]] = set()

    async def one(msg: outbox.OutboxMessage) -> None:
        run.record(msg, *await run.send(msg))

    async def settle(until: int) -> None:
        while len(running) > until:
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            running.difference_update(finished)
            for task in finished:
                task.result()

    try:
        for msg in batch:
            await settle(window - 1)
            if run.limits.reached(run.book.handled):
                break
            if run.begin(msg):
                running.add(asyncio.create_task(one(msg)))
        await settle(0)
    finally:  # on an error or a cancellation the sends still running are abandoned (recovered later)
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)


def _still_pending(db: Database, outbox_id: int) -> bool:
    row = next(db.query("SELECT status FROM outbox WHERE id = ?", [outbox_id]), None)
    return row is not None and row["status"] == "pending"


async def drain(
    db: Database,
    channels: Mapping[str, Channel],
    *,
    now: datetime,
    config: DeliveryConfig,
    rng: random.Random,
    limit: int | None = None,
    holder: str | None = None,
) -> DrainStats:
    """One sweep at time ``now``: every channel drained concurrently until nothing is due.

    ``limit`` caps the rows each channel hands out in this sweep.
    """
    runs = {
        name: drain_channel(db, name, ch, clock=lambda: now, config=config, rng=rng, holder=holder,
                            limits=DrainLimits(max_rows=limit))  # fmt: skip
        for name, ch in channels.items()
    }
    return await gather_drains(runs)


async def deliver_due(
    db: Database,
    channels: Mapping[str, Channel],
    *,
    clock: Callable[[], datetime],
    config: DeliveryConfig,
    rng: random.Random,
    holder: str | None,
    time_limit: float,
) -> DrainStats:
    """``once``: every channel at once, on ``clock``, until nothing is due (waiting out the
    channels' own short pacing) or ``time_limit`` seconds have passed."""
    limits = DrainLimits(deadline=time.monotonic() + time_limit)
    runs = {
        name: drain_channel(db, name, ch, clock=clock, config=config, rng=rng, holder=holder, limits=limits,
                            settle=True)  # fmt: skip
        for name, ch in channels.items()
    }
    return await gather_drains(runs)


async def gather_drains(runs: Mapping[str, Awaitable[DrainStats]]) -> DrainStats:
    """Run drains side by side; the first error cancels the others and is raised as is."""
    tasks = [asyncio.ensure_future(r) for r in runs.values()]
    if not tasks:
        return DrainStats()
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for t in tasks:
            if not t.done():
                t.cancel()
        if any(not t.done() for t in tasks):
            await asyncio.wait(tasks)
    total = DrainStats()
    for t in tasks:
        if not t.cancelled() and t.exception() is not None:
            raise t.exception()  # type: ignore[misc]
    for t in tasks:
        if not t.cancelled():
            total.add(t.result())
    return total


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
        # At least a millisecond: a row put off "by 0 s" must not be due again at the same instant.
        outbox.mark_deferred(db, msg.id, retry_at=now + timedelta(seconds=max(outcome.after, 0.001)))
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
