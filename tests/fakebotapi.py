"""A fake Telegram Bot API server (aiohttp, 127.0.0.1, random port) for tests and benchmarks.

It speaks enough of the Bot API for python-telegram-bot's real ``Bot``/``Application`` and
enforces Telegram's limits: 429 with ``retry_after`` past 1 message/s to a private chat,
20/min to a group or 30/s overall; 400 "can't parse entities" for malformed HTML and
"message is too long" past 4096 visible UTF-16 units; 403 for chats marked blocked; a
``migrate_to_chat_id`` answer for chats marked migrated; getChatMember / getChatAdministrators
answer from each chat's ``owner`` and ``admins`` (400 for a chat it never saw). Every accepted
message is recorded per chat. Tests push user messages and button presses into ``getUpdates``;
in a channel, a post carries ``sender_chat`` and no ``from``, a button press comes from a reader.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakehtml import HtmlError, parse_telegram_html
from tests.fakeupdates import FakeChat, UpdateFeed

__all__ = ["FakeBotAPI", "FakeChat", "HtmlError", "parse_telegram_html"]


class _Limited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after


class FakeBotAPI(UpdateFeed):
    """Start with ``await fake.start()``; point PTB at ``fake.base_url`` / ``fake.base_file_url``."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token-abcdefghijklmnop",
        global_per_second: int = 30,
        private_interval: float = 1.0,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
        record_text: bool = True,
    ) -> None:
        self.token = token
        self.global_per_second = global_per_second
        self.private_interval = private_interval
        self.group_per_minute = group_per_minute
        self.clock = clock
        self.record_text = record_text
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "關務快訊",
                         "username": "tradealert_test_bot"}  # fmt: skip
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[int, int] = defaultdict(int)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rejections: list[tuple[str, int, str]] = []  # (method, chat_id, description)
        self.accepted_at: list[float] = []  # monotonic time of every accepted message
        # Called with the running total after a message is accepted, before the answer is sent
        # (the benchmark kills the sender there: the worst moment for at-least-once delivery).
        self.on_accept: Callable[[int], None] | None = None
        self.commands: list[dict[str, Any]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.fail_next: deque[int] = deque()  # HTTP status codes to answer the next sends with
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._new_update = asyncio.Event()
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = defaultdict(deque)
        self._sent_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0

    # ---- lifecycle --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self, port: int = 0) -> FakeBotAPI:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- HTTP -------------------------------------------------------------------------
    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for k, v in form.items():
                    params[k] = v if isinstance(v, str) else v.file.read()  # type: ignore[union-attr]
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, {k: v for k, v in params.items() if not isinstance(v, bytes)}))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        return await handler(params)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        content = self.files.get(request.match_info["path"].removeprefix("documents/"))
        if content is None:
            return self._error(404, "Not Found")
        return web.Response(body=content)

    # ---- methods ----------------------------------------------------------------------
    async def _m_getMe(self, p: dict[str, Any]) -> web.Response:
        return self._ok(self.bot_user)

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> web.Response:
        return self._ok(True)

    async def _m_setWebhook(self, p: dict[str, Any]) -> web.Response:
        return self._ok(True)

    async def _m_setMyCommands(self, p: dict[str, Any]) -> web.Response:
        commands = p.get("commands")
        self.commands.append({"commands": json.loads(commands) if isinstance(commands, str) else commands,
                              "language_code": p.get("language_code"), "scope": p.get("scope")})  # fmt: skip
        return self._ok(True)

    async def _m_getUpdates(self, p: dict[str, Any]) -> web.Response:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                break
        return self._ok(self._updates[:limit])

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> web.Response:
        if len(str(p.get("text") or "")) > 200:
            return self._error(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(p)
        return self._ok(True)

    def _known_chat(self, p: dict[str, Any]) -> FakeChat | None:
        try:
            return self.chats.get(int(p["chat_id"]))
        except (KeyError, ValueError):
            return None

    async def _m_getChatMember(self, p: dict[str, Any]) -> web.Response:
        chat = self._known_chat(p)
        if chat is None:
            return self._error(400, "Bad Request: chat not found")
        try:
            user_id = int(p["user_id"])
        except (KeyError, ValueError):
            return self._error(400, "Bad Request: invalid user_id specified")
        if chat.type == "private" and user_id != chat.id:
            return self._error(400, "Bad Request: user not found")
        status = ("creator" if user_id == chat.owner else "administrator" if user_id in chat.admins
                  else "member")  # fmt: skip
        member: dict[str, Any] = {"status": status, "user": self._user_json(user_id)}
        if status == "administrator":
            member.update({k: True for k in (
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories")})  # fmt: skip
            member["can_be_edited"] = False
        elif status == "creator":
            member["is_anonymous"] = False
        return self._ok(member)

    async def _m_getChatAdministrators(self, p: dict[str, Any]) -> web.Response:
        chat = self._known_chat(p)
        if chat is None:
            return self._error(400, "Bad Request: chat not found")
        if chat.type == "private":
            return self._error(400, "Bad Request: there are no administrators in the private chat")
        out: list[dict[str, Any]] = []
        if chat.owner is not None:
            out.append({"status": "creator", "user": self._user_json(chat.owner), "is_anonymous": False})
        for uid in sorted(chat.admins - {chat.owner}):
            out.append({"status": "administrator", "user": self._user_json(uid), "can_be_edited": False,
                        **{k: True for k in ("is_anonymous", "can_manage_chat", "can_delete_messages",
                                             "can_manage_video_chats", "can_restrict_members",
                                             "can_promote_members", "can_change_info", "can_invite_users",
                                             "can_post_stories", "can_edit_stories", "can_delete_stories")}})
        return self._ok(out)

    async def _m_getFile(self, p: dict[str, Any]) -> web.Response:
        file_id = str(p.get("file_id"))
        content = self.files.get(file_id)
        if content is None:
            return self._error(400, "Bad Request: invalid file_id")
        if len(content) > 20 * 1024 * 1024:
            return self._error(400, "Bad Request: file is too big")
        return self._ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
                         "file_path": f"documents/{file_id}"})  # fmt: skip

    def _check_chat(self, chat_id: int) -> web.Response | None:
        chat = self.chat(chat_id)
        if chat.blocked:
            desc = "Forbidden: bot was blocked by the user" if chat.type == "private" else "Forbidden: bot was kicked from the supergroup chat"
            self.rejections.append(("send", chat_id, desc))
            return self._error(403, desc)
        if chat.migrate_to is not None:
            desc = "Bad Request: group chat was upgraded to a supergroup chat"
            self.rejections.append(("send", chat_id, desc))
            return self._error(400, desc, {"migrate_to_chat_id": chat.migrate_to})
        return None

    def _rate_check(self, chat_id: int) -> None:
        now = self.clock()
        g = self._global
        while g and g[0] <= now - 1.0:
            g.popleft()
        if len(g) >= self.global_per_second:
            raise _Limited(max(1, math.ceil(g[0] + 1.0 - now)))
        q = self._per_chat[chat_id]
        if chat_id < 0:
            while q and q[0] <= now - 60.0:
                q.popleft()
            if len(q) >= self.group_per_minute:
                raise _Limited(max(1, math.ceil(q[0] + 60.0 - now)))
        else:
            while len(q) > 1:
                q.popleft()
            if q and now - q[-1] < self.private_interval:
                raise _Limited(max(1, math.ceil(q[-1] + self.private_interval - now)))

    def _accept(self, chat_id: int) -> None:
        now = self.clock()
        self._global.append(now)
        self._per_chat[chat_id].append(now)
        self.accepted_at.append(now)
        if self.on_accept is not None:
            self.on_accept(len(self.accepted_at))

    def _record(self, chat_id: int, record: dict[str, Any]) -> dict[str, Any]:
        message_id = next(self._message_ids[chat_id])
        record = {"message_id": message_id, **record}
        self.counts[chat_id] += 1
        if self.record_text:
            self.messages[chat_id].append(record)
        self._sent_event.set()
        sender = ({"sender_chat": self._chat_json(chat_id)} if self.chat(chat_id).type == "channel"
                  else {"from": self.bot_user})  # fmt: skip
        return {"message_id": message_id, "date": int(time.time()), "chat": self._chat_json(chat_id),
                **sender, **({"text": record["text"]} if "text" in record else {})}  # fmt: skip

    async def _m_sendMessage(self, p: dict[str, Any]) -> web.Response:
        try:
            chat_id = int(p["chat_id"])
        except (KeyError, ValueError):
            return self._error(400, "Bad Request: chat not found")
        if self.fail_next:
            return self._error(self.fail_next.popleft(), "Internal Server Error")
        if (refused := self._check_chat(chat_id)) is not None:
            return refused
        text = str(p.get("text", ""))
        try:
            self._rate_check(chat_id)
        except _Limited as lim:
            desc = f"Too Many Requests: retry after {lim.retry_after}"
            self.rejections.append(("sendMessage", chat_id, desc))
            return self._error(429, desc, {"retry_after": lim.retry_after})
        visible = text
        if p.get("parse_mode") == "HTML":
            try:
                visible = parse_telegram_html(text)
            except HtmlError as exc:
                desc = f"Bad Request: can't parse entities: {exc}"
                self.rejections.append(("sendMessage", chat_id, desc))
                return self._error(400, desc)
        if not visible.strip():
            return self._error(400, "Bad Request: message text is empty")
        if len(visible.encode("utf-16-le")) // 2 > 4096:  # Telegram counts UTF-16 units
            desc = "Bad Request: message is too long"
            self.rejections.append(("sendMessage", chat_id, desc))
            return self._error(400, desc)
        markup = p.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else markup
        if any(len(str(b.get("callback_data", "")).encode()) > 64
               for row in (markup or {}).get("inline_keyboard", []) for b in row):  # fmt: skip
            return self._error(400, "Bad Request: BUTTON_DATA_INVALID")
        self._accept(chat_id)
        reply_to = p.get("reply_parameters")
        record = {"text": text, "visible": visible, "parse_mode": p.get("parse_mode"), "reply_markup": markup,
                  "reply_parameters": json.loads(reply_to) if isinstance(reply_to, str) else reply_to}  # fmt: skip
        return self._ok(self._record(chat_id, record))

    async def _m_sendDocument(self, p: dict[str, Any]) -> web.Response:
        chat_id = int(p["chat_id"])
        if (refused := self._check_chat(chat_id)) is not None:
            return refused
        doc = p.get("document")
        content = doc if isinstance(doc, bytes) else str(doc or "").encode()
        self._accept(chat_id)
        result = self._record(chat_id, {"document": content, "caption": p.get("caption")})
        result["document"] = {"file_id": f"sent{result['message_id']}", "file_unique_id": "x"}
        return self._ok(result)

    async def _m_editMessageText(self, p: dict[str, Any]) -> web.Response:
        chat_id = int(p["chat_id"])
        message_id = int(p["message_id"])
        for m in self.messages.get(chat_id, []):
            if m["message_id"] == message_id:
                text = str(p.get("text", ""))
                if p.get("parse_mode") == "HTML":
                    try:
                        parse_telegram_html(text)
                    except HtmlError as exc:
                        return self._error(400, f"Bad Request: can't parse entities: {exc}")
                m["text"] = text
                markup = p.get("reply_markup")
                m["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
                m["edited"] = True
                return self._ok({"message_id": message_id, "date": int(time.time()),
                                 "chat": self._chat_json(chat_id), "text": text})  # fmt: skip
        return self._error(400, "Bad Request: message to edit not found")

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> web.Response:
        chat_id = int(p["chat_id"])
        message_id = int(p["message_id"])
        for m in self.messages.get(chat_id, []):
            if m["message_id"] == message_id:
                markup = p.get("reply_markup")
                m["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
                m["edited"] = True
                return self._ok({"message_id": message_id, "date": int(time.time()),
                                 "chat": self._chat_json(chat_id), "text": m.get("text", "")})  # fmt: skip
        return self._error(400, "Bad Request: message to edit not found")
