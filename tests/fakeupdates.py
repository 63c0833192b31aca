"""The fake Bot API's test controls: chats, and the updates a test pushes as a user would
(texts and commands, channel posts, documents, button presses, group migrations), plus waiting
for what the bot sent back."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeChat:
    id: int
    type: str = "private"
    title: str | None = None
    blocked: bool = False
    migrate_to: int | None = None
    admins: set[int] = field(default_factory=set)
    owner: int | None = None


class UpdateFeed:
    """Mixed into ``FakeBotAPI``: everything a test does as a Telegram user."""

    bot_user: dict[str, Any]
    chats: dict[int, FakeChat]
    messages: dict[int, list[dict[str, Any]]]
    callback_answers: list[dict[str, Any]]
    files: dict[str, bytes]
    _updates: list[dict[str, Any]]
    _update_ids: itertools.count[int]
    _message_ids: dict[int, itertools.count[int]]
    _new_update: asyncio.Event
    _sent_event: asyncio.Event

    def chat(self, chat_id: int, **kw: Any) -> FakeChat:
        if chat_id not in self.chats:
            kind = "private" if chat_id > 0 else "supergroup"
            self.chats[chat_id] = FakeChat(chat_id, type=kw.pop("type", kind))
        c = self.chats[chat_id]
        for k, v in kw.items():
            setattr(c, k, v)
        return c

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        c = self.chat(chat_id)
        data: dict[str, Any] = {"id": c.id, "type": c.type}
        if c.type == "private":
            data["first_name"] = f"user{c.id}"
        else:
            data["title"] = c.title or f"group {c.id}"
        return data

    @staticmethod
    def _user_json(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"user{user_id}", "language_code": "zh-hant"}

    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._new_update.set()
        return update

    def push_text(
        self, chat_id: int, text: str, *, user_id: int | None = None, channel_post: bool = False
    ) -> dict[str, Any]:
        """A user types ``text`` in ``chat_id`` (a command gets its bot_command entity)."""
        user_id = user_id if user_id is not None else abs(chat_id)
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "text": text,
        }
        if channel_post:
            msg["sender_chat"] = self._chat_json(chat_id)  # a channel post is the channel speaking
        else:
            msg["from"] = self._user_json(user_id)
        if text.startswith("/"):
            length = len(text.split()[0].encode("utf-16-le")) // 2
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push({"channel_post" if channel_post else "message": msg})

    def push_migration(self, chat_id: int, new_chat_id: int) -> dict[str, Any]:
        """The group ``chat_id`` was upgraded to the supergroup ``new_chat_id``."""
        self.chat(chat_id, migrate_to=new_chat_id)
        msg = {"message_id": next(self._message_ids[chat_id]), "date": int(time.time()),
               "chat": self._chat_json(chat_id), "from": self._user_json(1),
               "migrate_to_chat_id": new_chat_id}  # fmt: skip
        return self._push({"message": msg})

    def push_document(
        self, chat_id: int, content: bytes, *, file_name: str, user_id: int | None = None,
        mime_type: str = "text/csv", file_size: int | None = None, caption: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = content
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "from": self._user_json(user_id if user_id is not None else abs(chat_id)),
            "document": {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                         "mime_type": mime_type, "file_size": file_size or len(content)},
        }  # fmt: skip
        if caption:
            msg["caption"] = caption
            if caption.startswith("/"):
                length = len(caption.split()[0].encode("utf-16-le")) // 2
                msg["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push({"message": msg})

    def push_callback(
        self, chat_id: int, data: str, *, message_id: int | None = None, user_id: int | None = None
    ) -> dict[str, Any]:
        """A user presses an inline button with ``data`` under one of the bot's messages."""
        sent = self.messages.get(chat_id) or []
        target = next((m for m in reversed(sent) if m["message_id"] == message_id), None) if message_id else (sent[-1] if sent else None)
        message = {
            "message_id": target["message_id"] if target else (message_id or 1),
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "text": (target or {}).get("text", ""),
        }
        if self.chat(chat_id).type == "channel":
            message["sender_chat"] = self._chat_json(chat_id)
        else:
            message["from"] = self.bot_user
        if target and target.get("reply_markup"):
            message["reply_markup"] = target["reply_markup"]
        query = {
            "id": f"cq{next(self._update_ids)}",
            "from": self._user_json(user_id if user_id is not None else abs(chat_id)),
            "chat_instance": f"ci{chat_id}",
            "message": message,
            "data": data,
        }
        return self._push({"callback_query": query})

    async def wait_for_messages(self, chat_id: int, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        """Block until ``chat_id`` has received at least ``count`` bot messages."""
        deadline = time.monotonic() + within
        while len(self.messages.get(chat_id, [])) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                got = [m.get("text") for m in self.messages.get(chat_id, [])]
                raise AssertionError(f"chat {chat_id}: expected {count} messages, got {got}")
            self._sent_event.clear()
            try:
                await asyncio.wait_for(self._sent_event.wait(), remaining)
            except TimeoutError:
                pass
        return self.messages[chat_id]

    async def wait_for_callback_answers(self, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while len(self.callback_answers) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} callback answers, got {self.callback_answers}")
            await asyncio.sleep(0.01)
        return self.callback_answers
