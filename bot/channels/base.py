"""What a channel is, and the outcomes of one send attempt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from state.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class Sent:
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Retry:
    """A temporary failure; ``after`` seconds when the other side said how long to wait."""

    error: str
    after: float | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """This message can never be delivered (e.g. rejected as malformed)."""

    error: str


@dataclass(frozen=True, slots=True)
class Blocked:
    """The recipient cannot receive anything (blocked the bot, mailbox gone): pause them."""

    error: str


Outcome = Sent | Retry | Failed | Blocked


class Channel(Protocol):
    name: str

    async def send(self, msg: OutboxMessage) -> Outcome: ...

    async def close(self) -> None: ...
