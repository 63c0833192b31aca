"""``run.py serve`` and ``run.py once``: the service, run until stopped or for one cycle.

Imported only when one of them runs, so that admin commands start without loading the service.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time

from bot.clock import Clock, utc_now
from bot.config import Config
from bot.delivery.channels import build_channels
from bot.delivery.worker import LeaseLost
from bot.service import Service
from state import outbox
from state.db import open_db

log = logging.getLogger("tradealert")
EXIT_ALL_SOURCES_FAILED = 3  # `once`: every source polled failed (cron notices a non-zero exit)


def _service(config: Config, clock: Clock, rehearsal: bool) -> Service:
    db = open_db(config.service.database)
    # The lease coordinates real processes: it runs on the wall clock even under --now.
    return Service(config, db, build_channels(config, db=db), clock=clock, rehearsal=rehearsal, lease_clock=utc_now)


async def serve(config: Config, clock: Clock = utc_now, *, rehearsal: bool = False) -> int:
    service = _service(config, clock, rehearsal)
    db = service.db
    service.start("serve")  # one service per database: refuses (exit 2) while another holds it
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:  # the first lets messages in flight finish; a second abandons them
        if stop.is_set():
            log.warning("second signal: stopping now")
            service.force_stop()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        if config.telegram.enabled:  # the bot's commands run on the scheduler's event loop
            from bot.telegram.app import telegram_running

            async with telegram_running(config.telegram, db, clock=clock, reminders=config.reminders,
                                        app_config=config):  # fmt: skip
                await service.run_forever(stop)
        else:
            await service.run_forever(stop)
    finally:
        await service.close()
    if service.lease_lost:
        raise LeaseLost()
    return 0


async def once(
    config: Config, force: bool, time_limit: float | None, clock: Clock = utc_now, *, rehearsal: bool = False
) -> int:
    service = _service(config, clock, rehearsal)
    db = service.db
    limit = time_limit or config.delivery.once_time_limit
    started = time.monotonic()
    try:
        service.start("once")
        result = await service.cycle(force=force, time_limit=limit)
        left = outbox.due_count(db, now=clock())
    finally:
        await service.close()
    poll, drain = result["poll"], result["drain"]
    print(
        f"polled={len(poll.polled)} new={poll.new_items} not_modified={len(poll.not_modified)}"  # type: ignore[attr-defined]
        f" failed={len(poll.failed)} queued={result['match']} sent={drain.sent}"  # type: ignore[attr-defined]
        f" retried={drain.retried} left={left} seconds={time.monotonic() - started:.1f} time_limit={limit:g}s"  # type: ignore[attr-defined]
    )
    if left and drain.stopped:  # type: ignore[attr-defined]
        print(f"注意：已達時間上限 {limit:g} 秒，尚有 {left} 則待送；請再執行一次 once。\n"
              f"note: time limit of {limit:g}s reached with {left} messages still due; run `once` again.",
              file=sys.stderr)  # fmt: skip
    if poll.polled and len(poll.failed) == len(poll.polled):  # type: ignore[attr-defined]
        # Cron mails a non-zero exit: every source failing is news for the operator.
        detail = "; ".join(f"{name}: {error}" for name, error in poll.failed.items())  # type: ignore[attr-defined]
        n = len(poll.failed)  # type: ignore[attr-defined]
        print(f"錯誤：全部 {n} 個來源都抓取失敗：{detail}\nerror: every source failed ({n} of {n}): {detail}",
              file=sys.stderr)  # fmt: skip
        return EXIT_ALL_SOURCES_FAILED
    return 0
