"""The service: sweeps over stored state, woken by APScheduler, each idempotent.

``cycle()`` runs every sweep once in order (poll → match → … → drain): the one-shot mode,
the demo and the tests use it with an injected clock. ``run_forever()`` registers the same
sweeps with an ``AsyncIOScheduler`` and runs until asked to stop; delivery there is not a
periodic job but one long-running drain per channel (``bot/delivery/drains.py``) that keeps
sending while rows are due. Both first take the service lease (``bot/delivery/lease.py``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlite_utils import Database

from bot import retention
from bot.alerts import story
from bot.alerts.digest import digest_sweep
from bot.alerts.fanout import fan_out
from bot.alerts.match_index import SubscriptionIndex
from bot.associations.forwarding import AssociationChannel
from bot.clock import Clock, utc_now
from bot.config import Config
from bot.deadlines import reminders
from bot.deadlines.entry_match import queue_entry_matches
from bot.deadlines.event_reminders import plan_announcement_events
from bot.deadlines.tracker import Rules
from bot.delivery import worker as delivery
from bot.delivery.channel_posts import sync_channel_posts
from bot.delivery.channels.base import Channel
from bot.delivery.drains import ChannelDrains
from bot.delivery.lease import ServiceLease
from bot.polling import PollStats, poll_sources
from bot.understand.llm import enabled as llm_enabled
from bot.understand.llm import llm_summary
from bot.understand.understanding import Understanding, clean_body, understand
from feeds.factmodel import Facts
from state import announcements, outbox, sources
from state.fanout import subscription_rows, subscriptions_version
from state.subscribers import Subscription

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Sweep:
    name: str
    tick: float  # seconds between wake-ups in the long-running service
    run: Callable[[datetime], Awaitable[object]]


class Service:
    def __init__(
        self,
        config: Config,
        db: Database,
        channels: Mapping[str, Channel],
        *,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        rehearsal: bool = False,
        lease_clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.db = db
        self.channels = dict(channels)
        # Internal channel: an alert to an association becomes its forward (bot/associations/forwarding.py).
        self.channels.setdefault("association", AssociationChannel(db, config, clock))
        self.clock = clock
        # On the rehearsal clock (``--now``) the feeds may hold items published after that
        # moment: they do not exist yet, so a poll leaves them for a later moment.
        self.rehearsal = rehearsal
        self.rng = rng or random.Random()
        self._session: aiohttp.ClientSession | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self.last_sweep: dict[str, datetime] = {}
        self._scheduler: AsyncIOScheduler | None = None
        self._index: tuple[int, SubscriptionIndex] | None = None  # (subscriptions version, index)
        self.deadline_rules = Rules(config.reminders)
        s = config.service
        self.sweeps: list[Sweep] = [
            Sweep("poll", s.poll_tick, self.poll),
            Sweep("match", s.match_tick, self.match),
            Sweep("remind", s.remind_tick, self.remind),
            Sweep("digest", s.remind_tick, self.digest),
            Sweep("drain", s.drain_tick, self.drain),
            Sweep("prune", config.retention.interval, self.prune),
        ]
        sources.sync_sources(db, [(c.name, c.kind, c.url) for c in config.sources])
        self.lease = ServiceLease(db, clock=lease_clock or clock, ttl=s.lease_ttl, database=s.database)
        self.lease_lost = False
        self._drains: ChannelDrains | None = None

    def start(self, command: str = "once") -> None:
        """Take the service lease (or raise ``LeaseHeld``), sync the configured Telegram channel
        posts, then recover what a killed holder left in flight. Only the lease holder ever
        resets ``sending`` rows."""
        self.lease.acquire(command)
        if self.config.telegram.enabled:
            sync_channel_posts(self.db, self.config.telegram.channel_posts, now=self.clock())
        recovered = outbox.recover_inflight(self.db)
        if recovered:
            log.warning("requeued in-flight messages from an interrupted run count=%d", recovered)

    # ---- poll -------------------------------------------------------------------------
    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def poll(self, now: datetime, *, force: bool = False) -> PollStats:
        """Fetch every enabled source that is due (or all with ``force``), store new items."""
        return await poll_sources(
            self.db, self.config, await self._http(), now=now, rng=self.rng, force=force, rehearsal=self.rehearsal
        )

    # ---- match ------------------------------------------------------------------------
    def _understand(self, ann: announcements.Announcement, now: datetime) -> Understanding:
        try:
            return understand(ann, now=now)
        except Exception:  # understanding must never stop the sweep
            log.exception("understand failed key=%s", ann.key)
            return Understanding((), Facts(), "無法解析 / could not understand")

    async def match(self, now: datetime) -> int:
        """Understand new announcements and queue one alert per matching subscriber.

        Nothing new costs one indexed query and one read of the subscriptions version (the
        index is rebuilt then, not when an announcement is waiting, if a subscription changed).
        Matching goes through the subscription index; fan-out is chunked
        (bot/alerts/fanout.py); an announcement is marked matched, with its deadline hooks,
        once all its rows are in."""
        queued = 0
        todo = announcements.unmatched(self.db)
        if not todo:  # idle: keep the index current, so an announcement finds it built
            self.match_index()
            return 0
        for pending in todo:
            ann = pending.announcement
            u = self._understand(ann, now)
            index = self.match_index() if pending.alertable else None
            hits = index.match(ann, u) if index is not None else {}
            if hits and llm_enabled(self.config.summary):  # optional; falls back by itself
                u = replace(u, summary_zh=(await llm_summary(ann, u, self.config.summary)).text)
            topic_ids = [h.topic for h in u.topics]
            urgent = index.urgent_for(topic_ids) if index is not None else set()
            # One story (bot/alerts/story.py): what this item forwards that each reader had.
            forwards = story.forwards_for(self.db, ann.key, u.facts, hits) if hits else {}
            muting = index.mutes.get(story.MUTE_FORWARDS, set()) if index is not None else set()
            known = {
                sid for sid in muting & forwards.keys()
                if story.skip_as_known(forwards[sid], [Subscription(sid, "mute", story.MUTE_FORWARDS)])
            }  # fmt: skip
            hits = {sid: reasons for sid, reasons in hits.items() if sid not in known}
            queued += (await fan_out(self.db, ann, u, hits, urgent=urgent, forwards=forwards, now=now)).queued
            with self.db.atomic():
                if pending.alertable:
                    queued += self._deadline_hooks(ann, u, now)
                announcements.mark_matched(
                    self.db, ann.key, now=now, topics=topic_ids, facts=u.facts, summary_zh=u.summary_zh
                )
                story.record(self.db, ann.key, u.facts)
        if queued:
            log.info("matched alerts_queued=%d", queued)
        return queued

    def match_index(self) -> SubscriptionIndex:
        """The subscription index, rebuilt when ``subscriptions`` changed since it was built."""
        version = subscriptions_version(self.db)
        if self._index is None or self._index[0] != version:
            self._index = (version, SubscriptionIndex.build(subscription_rows(self.db)))
        return self._index[1]

    # ---- digest -----------------------------------------------------------------------
    async def digest(self, now: datetime) -> int:
        return digest_sweep(self.db, now)

    def _deadline_hooks(self, ann: announcements.Announcement, u: Understanding, now: datetime) -> int:
        """Deadlines capability: entries touched by this announcement, and reminders for the
        events it announces. Never stops the match sweep."""
        try:
            with self.db.atomic():
                topics = [h.topic for h in u.topics]
                queued = queue_entry_matches(self.db, ann, topics, u.facts, rules=self.deadline_rules, now=now)
                plan_announcement_events(
                    self.db, ann.key, ann.title, u.facts, now=now, at=self.config.reminders.time_of_day,
                    body=clean_body(ann.body), url=ann.url,
                )
            return queued
        except Exception:
            log.exception("deadline hooks failed key=%s", ann.key)
            return 0

    # ---- remind -----------------------------------------------------------------------
    async def remind(self, now: datetime) -> reminders.SweepStats:
        return reminders.sweep(self.db, now)

    # ---- drain ------------------------------------------------------------------------
    def _holder(self) -> str | None:
        return self.lease.holder if self.lease.held else None

    async def drain(self, now: datetime) -> delivery.DrainStats:
        """Every channel at once, each until nothing is due at ``now``."""
        return await delivery.drain(
            self.db, self.channels, now=now, config=self.config.delivery, rng=self.rng, holder=self._holder()
        )

    async def deliver_due(self, time_limit: float) -> delivery.DrainStats:
        """``once``: everything due on every channel, for at most ``time_limit`` seconds."""
        return await delivery.deliver_due(self.db, self.channels, clock=self.clock, config=self.config.delivery,
                                          rng=self.rng, holder=self._holder(), time_limit=time_limit)  # fmt: skip

    # ---- prune ------------------------------------------------------------------------
    async def prune(self, now: datetime) -> retention.PruneStats:
        return await retention.prune(self.db, now, self.config.retention)

    # ---- running ----------------------------------------------------------------------
    async def run_sweep(self, sweep: Sweep, now: datetime | None = None) -> object:
        lock = self._locks.setdefault(sweep.name, asyncio.Lock())
        async with lock:
            when = now or self.clock()
            result = await sweep.run(when)
            self.last_sweep[sweep.name] = when
        # New work for the next sweep: wake it now rather than at its next tick.
        follower = _FOLLOWERS.get(sweep.name)
        if follower and _produced(result):
            self._kick(follower)
        return result

    def _kick(self, name: str) -> None:
        if name == "drain" and self._drains is not None:
            self._drains.wake()
            return
        if self._scheduler is not None and self._scheduler.running:
            job = self._scheduler.get_job(name)
            if job is not None:
                job.modify(next_run_time=datetime.now(UTC))

    async def cycle(
        self, now: datetime | None = None, *, force: bool = False, time_limit: float | None = None
    ) -> dict[str, object]:
        """Every sweep once, in order. ``force`` polls sources even when not yet due.

        ``time_limit`` (``run.py once``): deliver everything due, on the service clock, for at
        most that many seconds, instead of one drain sweep at ``now``.
        """
        if not self.lease.held:
            self.start("once")
        now = now or self.clock()
        out: dict[str, object] = {}
        drain = next(s for s in self.sweeps if s.name == "drain")
        if time_limit is not None:
            drain = Sweep("drain", drain.tick, lambda _n: self.deliver_due(time_limit))
        for sweep in self.sweeps:
            if sweep.name == "poll":
                out["poll"] = await self.run_sweep(Sweep("poll", sweep.tick, lambda n: self.poll(n, force=force)), now)
            else:
                out[sweep.name] = await self.run_sweep(drain if sweep.name == "drain" else sweep, now)
        # What a drain delivered to an association becomes its preview or its members' forwards,
        # queued as it went: deliver those in this cycle too, not at the next one.
        for _ in range(2):
            first = out.get("drain")
            if not isinstance(first, delivery.DrainStats) or not first.sent:
                break
            again = await self.run_sweep(drain, now)
            if isinstance(again, delivery.DrainStats):
                first.sent += again.sent
                first.retried += again.retried
                first.failed += again.failed
                if not again.sent:
                    break
        return out

    def _drain_pass(self, name: str, stats: delivery.DrainStats) -> None:
        when = self.clock()
        self.last_sweep["drain"] = self.last_sweep[f"drain:{name}"] = when

    def _lease_lost(self, stop: asyncio.Event) -> None:
        self.lease_lost = True
        stop.set()

    def force_stop(self) -> None:
        """A second SIGINT/SIGTERM: abandon the sends in flight (recovered at the next start)."""
        if self._drains is not None:
            self._drains.cancel()

    async def run_forever(self, stop: asyncio.Event) -> None:
        if not self.lease.held:
            self.start("serve")
        scheduler = self._scheduler = AsyncIOScheduler(timezone="UTC")
        drains = self._drains = ChannelDrains(
            self.db, self.channels, clock=self.clock, config=self.config.delivery, rng=self.rng,
            holder=self._holder(), idle=self.config.service.drain_tick, on_pass=self._drain_pass,
            on_lease_lost=lambda: self._lease_lost(stop),
        )  # fmt: skip
        for sweep in self.sweeps:
            if sweep.name == "drain":  # not a periodic job: one drain per channel, below
                continue
            scheduler.add_job(
                self.run_sweep,
                "interval",
                args=[sweep],
                seconds=sweep.tick,
                id=sweep.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=int(self.config.service.misfire_grace),
                next_run_time=datetime.now(UTC),
            )
        scheduler.start()
        drains.start()
        heartbeat = asyncio.create_task(self.lease.keep(on_lost=lambda: self._lease_lost(stop)))
        http = None
        if self.config.http.listen:
            from bot.web.app import make_app, start_server

            app = make_app(self.db, clock=self.clock, last_sweeps=lambda: dict(self.last_sweep), config=self.config)
            http = await start_server(app, self.config.http)
        log.info("service started sweeps=%s", ",".join(s.name for s in self.sweeps))
        try:
            await stop.wait()
        finally:
            # No new sweeps; in-flight ones finish. Pause first: AsyncIOExecutor.shutdown cancels
            # the jobs still running. Each channel drain finishes the message it is sending.
            scheduler.pause()
            await asyncio.sleep(0)  # jobs already submitted reach their lock
            log.info("stopping: letting each channel finish the message in flight")
            await drains.stop()
            self._drains = None
            if http is not None:
                await http.cleanup()
            for lock in list(self._locks.values()):
                async with lock:
                    pass
            scheduler.shutdown(wait=False)
            heartbeat.cancel()
            self.lease.release()
            log.info("service stopped")

    async def close(self) -> None:
        self.lease.release()
        if self._session is not None:
            await self._session.close()
        for channel in self.channels.values():
            await channel.close()


# Which sweep consumes what a sweep produces (woken at once when there is something).
_FOLLOWERS = {"poll": "match", "match": "drain", "remind": "drain", "digest": "drain"}


def _produced(result: object) -> bool:
    if isinstance(result, PollStats):
        return result.new_items > 0
    if hasattr(result, "queued"):  # reminders.SweepStats
        return bool(result.queued)
    return bool(result)

