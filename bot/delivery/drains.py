"""The long-running drains of ``serve``: one asyncio task per channel.

Each task sends while its channel has due rows (``worker.drain_channel``), then sleeps until
new work wakes it, its next row falls due, or ``idle`` seconds pass. A new channel (LINE, …)
needs nothing here: every channel in the service's mapping gets its own drain.

Shutdown: ``stop()`` lets each drain finish the message it is sending and start no other;
a drain still busy after the grace period (the longest channel send timeout) is cancelled,
leaving that one row ``sending`` for the next start to recover.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlite_utils import Database

from bot.config import DeliveryConfig
from bot.delivery.channels.base import Channel
from bot.delivery.worker import DrainLimits, DrainStats, LeaseLost, drain_channel
from state import outbox

log = logging.getLogger(__name__)

DEFAULT_SEND_TIMEOUT = 30.0
MIN_NAP = 0.01


def send_timeout(channel: Channel) -> float:
    """How long one send may take (a channel may declare ``send_timeout``, in seconds)."""
    value = getattr(channel, "send_timeout", None)
    return float(value) if isinstance(value, int | float) and value > 0 else DEFAULT_SEND_TIMEOUT


async def _first(*events: asyncio.Event, seconds: float) -> None:
    waits = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


class ChannelDrains:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        *,
        clock: Callable[[], datetime],
        config: DeliveryConfig,
        rng: random.Random,
        holder: str | None,
        idle: float,
        on_pass: Callable[[str, DrainStats], None] | None = None,
        on_lease_lost: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.channels = dict(channels)
        self.clock = clock
        self.config = config
        self.rng = rng
        self.holder = holder
        self.idle = idle
        self.on_pass = on_pass
        self.on_lease_lost = on_lease_lost
        self._stopping = asyncio.Event()
        self._wake = {name: asyncio.Event() for name in self.channels}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self) -> None:
        for name, channel in self.channels.items():
            self._tasks[name] = asyncio.create_task(self._run(name, channel), name=f"drain:{name}")

    def wake(self) -> None:
        for event in self._wake.values():
            event.set()

    def _nap(self, name: str) -> float:
        """Seconds until this channel's next row is due, at most ``idle``."""
        at = outbox.next_due_at(self.db, name)
        if at is None:
            return self.idle
        return min(self.idle, max(MIN_NAP, (at - self.clock()).total_seconds()))

    async def _run(self, name: str, channel: Channel) -> None:
        wake = self._wake[name]
        while not self._stopping.is_set():
            wake.clear()
            try:
                stats = await drain_channel(
                    self.db, name, channel, clock=self.clock, config=self.config, rng=self.rng,
                    holder=self.holder, limits=DrainLimits(stop=self._stopping),
                )  # fmt: skip
                if self.on_pass is not None:
                    self.on_pass(name, stats)
                nap = self._nap(name)
            except LeaseLost:
                log.error("drain stopped: lease lost channel=%s", name)
                if self.on_lease_lost is not None:
                    self.on_lease_lost()
                return
            except Exception:  # a database hiccup must not end this channel's deliveries
                log.exception("drain failed channel=%s; retrying in %.0fs", name, self.idle)
                nap = self.idle
            await _first(wake, self._stopping, seconds=nap)

    async def stop(self, grace: float | None = None) -> None:
        """Finish the messages in flight (each drain its one), then return; cancel past ``grace``."""
        self._stopping.set()
        tasks = [t for t in self._tasks.values() if not t.done()]
        if not tasks:
            return
        if grace is None:
            grace = max(send_timeout(c) for c in self.channels.values()) + 5
        done, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            log.warning("drain still sending after %.0fs, cancelled: %s (its row is recovered at the next start)",
                        grace, task.get_name())  # fmt: skip
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    def cancel(self) -> None:
        """Stop now (a second signal): the sends in flight are abandoned, recovered at the next start."""
        self._stopping.set()
        for task in self._tasks.values():
            task.cancel()
