"""A strict fake LINE Messaging API server (aiohttp, 127.0.0.1, random port) for tests.

It checks what LINE checks: the bearer token (401), the JSON shape of push and reply
requests (``to`` a user id, 1–5 text messages of at most 5,000 characters each: 400), the
``X-Line-Retry-Key`` (a UUID; a key already accepted answers 409 with
``X-Line-Accepted-Request-Id`` and delivers nothing); it answers 429 on demand (rate) or when
the month's quota is used up, and 400/403 for users marked blocked. Every accepted push is
recorded per user; ``GET /v2/bot/message/quota`` and ``/quota/consumption`` report the quota.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

USER_ID = re.compile(r"^U[0-9a-f]{32}$")
MAX_MESSAGES = 5
MAX_TEXT = 5000


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def user_id(n: int) -> str:
    """A well-formed LINE user id for test user ``n``."""
    return "U" + f"{n:032x}"


@dataclass
class Push:
    to: str
    texts: list[str]
    retry_key: str | None
    request_id: str


@dataclass
class FakeLine:
    token: str = "line-test-token-0123456789abcdef"
    quota: int | None = 1000  # None: unlimited ("type": "none")
    used: int = 0
    blocked: dict[str, int] = field(default_factory=dict)  # user id → 400 or 403
    rate_limited: int = 0  # answer this many of the next pushes with 429 (rate)
    crash_after_accept: int = 0  # accept this many pushes but answer 500 (the reply is lost)
    script: list[int] = field(default_factory=list)  # per valid push, in order: 0 = normal, 429 = rate limited
    base: str = ""
    pushes: list[Push] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (status, message)
    replies: list[dict[str, Any]] = field(default_factory=list)
    retry_keys: dict[str, str] = field(default_factory=dict)  # key → accepted request id
    requests: int = 0
    _runner: web.AppRunner | None = None

    def received(self, to: str) -> list[str]:
        """Every text bubble user ``to`` got, in order."""
        return [t for p in self.pushes if p.to == to for t in p.texts]

    def pushes_to(self, to: str) -> list[Push]:
        return [p for p in self.pushes if p.to == to]

    # ---- server ---------------------------------------------------------------------
    async def start(self) -> FakeLine:
        app = web.Application()
        app.router.add_post("/v2/bot/message/push", self._push)
        app.router.add_post("/v2/bot/message/reply", self._reply)
        app.router.add_get("/v2/bot/message/quota", self._quota)
        app.router.add_get("/v2/bot/message/quota/consumption", self._consumption)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _error(self, status: int, message: str, details: list[dict] | None = None) -> web.Response:
        self.rejected.append((status, message))
        body: dict[str, Any] = {"message": message}
        if details:
            body["details"] = details
        return web.json_response(body, status=status)

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _json(self, request: web.Request) -> Any:
        if not request.content_type.startswith("application/json"):
            raise ValueError("Content-Type must be application/json")
        return json.loads(await request.text())

    def _messages_error(self, messages: Any) -> str | None:
        if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
            return f"Size must be between 1 and {MAX_MESSAGES}"
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("type") != "text":
                return f"messages[{i}].type must be text"
            text = m.get("text")
            if not isinstance(text, str) or not text:
                return f"messages[{i}].text must not be empty"
            if utf16_len(text) > MAX_TEXT:
                return f"messages[{i}].text: Length must be between 0 and {MAX_TEXT}"
        return None

    async def _push(self, request: web.Request) -> web.Response:
        self.requests += 1
        if not self._authorized(request):
            return self._error(401, "Authentication failed. Confirm that the access token in the authorization header is valid.")
        key = request.headers.get("X-Line-Retry-Key")
        if key is not None:
            try:
                uuid.UUID(key)
            except ValueError:
                return self._error(400, "The value for the 'X-Line-Retry-Key' header is invalid")
            if key in self.retry_keys:
                return web.json_response(
                    {"message": "The retry key is already accepted", "sentMessages": []},
                    status=409, headers={"X-Line-Accepted-Request-Id": self.retry_keys[key]},
                )  # fmt: skip
        try:
            body = await self._json(request)
        except ValueError as exc:
            return self._error(400, f"The request body has 1 error(s): {exc}")
        if not isinstance(body, dict) or set(body) - {"to", "messages", "notificationDisabled", "customAggregationUnits"}:
            return self._error(400, "The request body has unknown properties")
        to = body.get("to")
        if not isinstance(to, str) or not USER_ID.match(to):
            return self._error(400, "The property, 'to', in the request body is invalid (line 1, column 7).",
                               [{"message": "invalid", "property": "to"}])  # fmt: skip
        problem = self._messages_error(body.get("messages"))
        if problem:
            return self._error(400, "The request body has 1 error(s)", [{"message": problem, "property": "messages"}])
        scripted = self.script.pop(0) if self.script else 0
        if self.rate_limited > 0 or scripted == 429:
            self.rate_limited = max(self.rate_limited - 1, 0) if scripted != 429 else self.rate_limited
            return self._error(429, "Too Many Requests")
        if self.quota is not None and self.used >= self.quota:
            return self._error(429, "You have reached your monthly limit.")
        if to in self.blocked:
            return self._error(self.blocked[to], "Failed to send messages")
        request_id = str(uuid.uuid4())
        self.used += 1
        if key is not None:
            self.retry_keys[key] = request_id
        self.pushes.append(Push(to, [m["text"] for m in body["messages"]], key, request_id))
        if self.crash_after_accept > 0:
            self.crash_after_accept -= 1
            return web.Response(status=500, text="Internal Server Error")
        return web.json_response({"sentMessages": [{"id": str(uuid.uuid4().int)[:18]}]},
                                 headers={"X-Line-Request-Id": request_id})  # fmt: skip

    async def _reply(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Authentication failed.")
        try:
            body = await self._json(request)
        except ValueError as exc:
            return self._error(400, str(exc))
        problem = self._messages_error(body.get("messages")) if isinstance(body, dict) else "not an object"
        if problem or not isinstance(body.get("replyToken"), str):
            return self._error(400, problem or "Invalid reply token")
        self.replies.append(body)
        return web.json_response({"sentMessages": [{"id": str(uuid.uuid4().int)[:18]} for _ in body["messages"]]})

    async def _quota(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Authentication failed.")
        if self.quota is None:
            return web.json_response({"type": "none"})
        return web.json_response({"type": "limited", "value": self.quota})

    async def _consumption(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Authentication failed.")
        return web.json_response({"totalUsage": self.used})

    def reply_texts(self) -> list[str]:
        return [m["text"] for r in self.replies for m in r["messages"]]


def by_user(fake: FakeLine) -> dict[str, int]:
    """How many accepted pushes each user got."""
    counts: dict[str, int] = defaultdict(int)
    for p in fake.pushes:
        counts[p.to] += 1
    return dict(counts)
