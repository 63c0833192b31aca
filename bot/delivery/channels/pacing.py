"""Send pacing for Telegram: one global rate plus a minimum gap per chat.

Telegram allows about 30 messages/s per bot, about 1/s to one private chat and 20/min to one
group. ``AIORateLimiter`` does not pace private chats and a ``RetryAfter`` there pauses every
chat, so the outbox channel keeps its own books: a chat told to wait (429) waits alone.
All times are on a monotonic clock passed in by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def is_group(chat_id: str) -> bool:
    """Groups, supergroups and channels have negative ids (or are addressed as @name)."""
    return chat_id.startswith("-") or chat_id.startswith("@")


@dataclass(slots=True)
class Pacer:
    """Global slot reservation plus per-chat earliest-next-send times.

    ``margin`` (> 1) keeps us a little under the published limits so that clock jitter
    between us and the server never tips a window over.
    """

    per_second: float = 30.0
    private_interval: float = 1.0
    group_per_minute: int = 20
    margin: float = 1.03
    _next_global: float = 0.0
    _chat_next: dict[str, float] = field(default_factory=dict)

    @property
    def global_interval(self) -> float:
        return self.margin / self.per_second

    def chat_interval(self, chat_id: str) -> float:
        if is_group(chat_id):
            return self.margin * 60.0 / self.group_per_minute
        return self.margin * self.private_interval

    def chat_wait(self, chat_id: str, now: float) -> float:
        """Seconds until ``chat_id`` may receive another message (0 when it may now)."""
        return max(0.0, self._chat_next.get(chat_id, 0.0) - now)

    def reserve_global(self, now: float) -> float:
        """Take the next global slot; returns how long to sleep before using it."""
        slot = max(now, self._next_global)
        self._next_global = slot + self.global_interval
        return slot - now

    def reserve_chat(self, chat_id: str, now: float) -> float:
        """A send to ``chat_id`` starts now: another send to it, concurrent or not, waits its gap.
        Returns what to restore with ``release_chat`` if the request is refused and resent at once."""
        previous = self._chat_next.get(chat_id, 0.0)
        self._chat_next[chat_id] = max(previous, now + self.chat_interval(chat_id))
        return previous

    def release_chat(self, chat_id: str, previous: float) -> None:
        self._chat_next[chat_id] = previous

    def note_sent(self, chat_id: str, now: float) -> None:
        self._chat_next[chat_id] = now + self.chat_interval(chat_id)
        if len(self._chat_next) > 50_000:
            self.forget_idle(now)

    def hold(self, chat_id: str, until: float) -> None:
        """The server said this chat must wait (429 retry_after): only this chat waits."""
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)

    def forget_idle(self, now: float) -> None:
        """Drop chats whose gap has passed; bounds memory on a large fan-out."""
        for chat in [c for c, t in self._chat_next.items() if t <= now]:
            del self._chat_next[chat]
