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


@dataclass(frozen=True, slots=True)
class Deferred:
    """Not attempted: the channel's own pacing says try again in ``after`` seconds.

    Unlike ``Retry`` this does not count as an attempt and is not recorded in ``deliveries``
    (e.g. a Telegram chat that received a message less than a second ago).
    """

    reason: str
    after: float


Outcome = Sent | Retry | Failed | Blocked | Deferred


class Channel(Protocol):
    name: str

    async def send(self, msg: OutboxMessage) -> Outcome: ...

    async def close(self) -> None: ...
