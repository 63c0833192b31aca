"""Console channel: prints each message to a stream (the demo, and operators trying things)."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.delivery.channels.base import Outcome, Sent
from state.outbox import OutboxMessage


class ConsoleChannel:
    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def send(self, msg: OutboxMessage) -> Outcome:
        out = self.stream or sys.stdout
        rule = "─" * 60
        out.write(f"{rule}\n→ {msg.address}（訂閱者 #{msg.subscriber_id}，{msg.kind}）\n{msg.text}\n")
        out.flush()
        return Sent()

    async def close(self) -> None:
        return None
