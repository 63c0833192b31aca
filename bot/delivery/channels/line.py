"""The LINE channel: one outbox row → push requests to one LINE user (Messaging API).

Outcomes (see ``bot.delivery.channels.base``):

* accepted (2xx), or 409 for a retry key LINE already accepted → ``Sent``;
* 429 (rate limit, or the month's quota used up) → ``Deferred``: the row waits and is never
  dropped (a Deferred is not an attempt), and the whole channel holds back meanwhile;
* 403, or a 400 about the recipient (blocked the account, unknown user) → ``Blocked``;
* a 400 about the message content → ``Failed`` (we built something LINE refuses);
* 401 (token), 5xx, time-outs, connection errors → ``Retry``.

A long text is split at paragraph boundaries into messages of ≤ 5,000 characters, at most 5
per request. Each request carries an ``X-Line-Retry-Key`` derived from the outbox row and the
request's index, so a retry after a crash (or a lost answer) is recognised by LINE (409)
instead of delivered twice. When a row needs several requests, those LINE accepted are also
recorded in ``line_requests``, so a retry of the rest (even after the key's 24 hours, e.g. a
quota wait) never repeats them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    PushMessageRequest,
    TextMessage,
)
from sqlite_utils import Database

from bot.config import LineConfig
from bot.delivery.channels.base import Blocked, Deferred, Failed, Outcome, Retry, Sent
from bot.delivery.channels.line_api import (
    MAX_PER_REQUEST,
    refresh_quota,
    sdk_configuration,
    split_text,
)
from state import line as linestate
from state.outbox import OutboxMessage

log = logging.getLogger(__name__)

RETRY_KEY_NAMESPACE = uuid.UUID("5b0f3c52-8a7e-4f7e-9d0e-7c1a3e2b6f10")
RATE_LIMIT_WAIT = 60.0  # seconds, when a 429 names no Retry-After
QUOTA_WAIT = 3600.0  # the month's quota is used up: look again in an hour
QUOTA_REFRESH = 600.0  # ask LINE for the quota at most this often while sending
USAGE_FLUSH = 100  # store our own usage count after this many pushes


def retry_key(msg: OutboxMessage, index: int) -> str:
    """The same UUID for the same outbox row and request, on every attempt and after a restart."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"{msg.id}:{msg.subscriber_id}:{msg.message_key}:{index}"))


def line_text(msg: OutboxMessage) -> str:
    """The plain text a LINE user reads: the message, its link, and a member's opt-out link."""
    text = msg.text.strip()
    url = msg.payload.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")) and url not in text:
        text += f"\n\n原文連結：{url}"
    optout = msg.payload.get("unsubscribe_url")
    if msg.kind == "forward" and isinstance(optout, str) and optout:
        text += f"\n\n不想再收到本會轉知：{optout}"
    return text


def requests_of(msg: OutboxMessage) -> list[list[str]]:
    """The push requests for one row: text messages in groups of at most five."""
    texts = split_text(line_text(msg))
    return [texts[i : i + MAX_PER_REQUEST] for i in range(0, len(texts), MAX_PER_REQUEST)]


def _about_message_content(body: object) -> bool:
    """A 400 whose details point at ``messages`` is our request's fault, not the user's."""
    try:
        data = json.loads(body) if isinstance(body, str | bytes) else {}
    except ValueError:
        return False
    details = data.get("details") if isinstance(data, dict) else None
    return any(
        isinstance(d, dict) and str(d.get("property", "")).startswith("messages") for d in details or []
    )


def _message(body: object) -> str:
    try:
        data = json.loads(body) if isinstance(body, str | bytes) else {}
        return str(data.get("message", ""))[:200] if isinstance(data, dict) else ""
    except ValueError:
        return ""


class LineChannel:
    name = "line"

    def __init__(
        self,
        config: LineConfig,
        *,
        db: Database | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._db = db
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._client: AsyncApiClient | None = None
        self._api: AsyncMessagingApi | None = None
        self._next_slot = 0.0  # pacing: earliest monotonic time of the next request
        self._hold_until = 0.0  # after a 429 the whole channel waits
        self._quota_checked = -QUOTA_REFRESH * 2
        self._unrecorded_usage = 0  # pushes since the stored usage was last updated

    def _messaging(self) -> AsyncMessagingApi:
        if self._api is None:  # created on the running loop (aiohttp)
            self._client = AsyncApiClient(sdk_configuration(self.config))
            self._api = AsyncMessagingApi(self._client)
        return self._api

    async def _pace(self) -> None:
        now = self._clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / self.config.requests_per_second
        if slot > now:
            await self._sleep(slot - now)

    def _flush_usage(self) -> None:
        """Our own count between look-ups (LINE's lags); written in batches, not per push."""
        if self._db is not None and self._unrecorded_usage:
            linestate.add_usage(self._db, self._unrecorded_usage)
        self._unrecorded_usage = 0

    async def _maybe_refresh_quota(self) -> None:
        if self._db is None or self._clock() - self._quota_checked < QUOTA_REFRESH:
            return
        self._quota_checked = self._clock()
        self._unrecorded_usage = 0  # LINE's figure includes them
        await refresh_quota(self._db, self.config, self._wall())

    def _hold(self, seconds: float) -> None:
        self._hold_until = max(self._hold_until, self._clock() + seconds)

    async def send(self, msg: OutboxMessage) -> Outcome:
        wait = self._hold_until - self._clock()
        if wait > 0:
            return Deferred(f"line held back {wait:.0f}s after a 429", after=wait)
        await self._maybe_refresh_quota()
        requests = requests_of(msg)
        if not requests:
            return Failed("nothing to send: empty text")
        done = linestate.accepted_requests(self._db, msg.id) if self._db is not None else {}
        api = self._messaging()
        notes: list[str] = []
        for index, texts in enumerate(requests):
            if index in done:
                continue
            await self._pace()
            body = PushMessageRequest(to=msg.address, messages=[TextMessage(text=t) for t in texts])
            try:
                resp = await api.push_message_with_http_info(
                    body, x_line_retry_key=retry_key(msg, index), _request_timeout=self.config.timeout
                )
                request_id = (resp.headers or {}).get("X-Line-Request-Id")
            except ApiException as exc:
                status = exc.status or 0
                if status == 409:  # this key was accepted before: delivered, not again
                    request_id = (exc.headers or {}).get("X-Line-Accepted-Request-Id")
                    notes.append(f"request {index} already accepted")
                elif status == 429:
                    return self._too_many(msg, exc, index)
                elif status == 403:
                    return Blocked(f"403 {_message(exc.body)} to={msg.address}")
                elif status == 400 and _about_message_content(exc.body):
                    return Failed(f"400 {_message(exc.body)} request={index}")
                elif status == 400:
                    return Blocked(f"400 {_message(exc.body)} to={msg.address}")
                elif status == 401:
                    log.error("LINE refused the channel access token (401): check [line] channel_access_token")
                    return Retry("401 channel access token refused")
                else:
                    return Retry(f"LINE answered {status} request={index}")
            except (aiohttp.ClientError, TimeoutError) as exc:
                return Retry(f"LINE unreachable: {type(exc).__name__} request={index}")
            done[index] = request_id
            self._unrecorded_usage += 1
            if self._db is not None and len(requests) > 1:  # one request: the retry key alone suffices
                linestate.record_request(self._db, msg.id, index, request_id, self._wall())
        if self._unrecorded_usage >= USAGE_FLUSH:
            self._flush_usage()
        ids = ",".join(str(done[i]) for i in sorted(done))
        return Sent(" ".join([f"to={msg.address} requests={len(requests)} request_ids={ids}", *notes]))

    def _too_many(self, msg: OutboxMessage, exc: ApiException, index: int) -> Outcome:
        reason = _message(exc.body)
        monthly = "monthly limit" in reason.lower()
        header = (exc.headers or {}).get("Retry-After")
        try:
            after = float(header) if header else (QUOTA_WAIT if monthly else RATE_LIMIT_WAIT)
        except ValueError:
            after = QUOTA_WAIT if monthly else RATE_LIMIT_WAIT
        self._hold(after)
        if monthly:
            log.warning("LINE monthly message quota used up; LINE messages wait (rechecked in %.0fs)", after)
        return Deferred(f"429 {reason or 'too many requests'} request={index}", after=after)

    async def close(self) -> None:
        self._flush_usage()
        if self._client is not None:
            try:
                await self._client.close()
            except Exception:  # closing must not raise at shutdown
                log.debug("line client close failed", exc_info=True)
            self._client = self._api = None
