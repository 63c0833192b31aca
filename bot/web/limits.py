"""Bounds on slow or numerous HTTP clients, around aiohttp's own request handler.

Why: aiohttp's server has no limit on connections and no deadline for a request's headers,
so a client that sends half a request line and stays (slowloris) holds a connection forever,
and enough of them hold every file descriptor. Each accepted connection here passes a gate:
beyond ``max_connections`` it gets ``503`` and is closed; a connection whose first request
head is not complete within ``header_timeout`` gets ``408`` and is closed. Later requests on
a kept-alive connection are bounded by aiohttp's keep-alive timeout, set to the same value.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\n"
         b"Content-Length: 0\r\n\r\n")  # fmt: skip
_TOO_SLOW = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


class ConnectionGate:
    """Counts live connections and hands admitted ones to aiohttp's request handler."""

    def __init__(self, server: web.Server, *, max_connections: int, header_timeout: float) -> None:
        self.server = server
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.live = 0

    def __call__(self) -> _Guarded:
        return _Guarded(self)


class _Guarded(asyncio.Protocol):
    """One connection: admitted (then everything goes to aiohttp's handler) or refused."""

    def __init__(self, gate: ConnectionGate) -> None:
        self.gate = gate
        self.inner: RequestHandler | None = None
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.head_seen = False
        self.tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        gate = self.gate
        if gate.live >= gate.max_connections:
            log.warning("http connection refused: %d connections open (max_connections)", gate.live)
            self.transport.write(_BUSY)  # type: ignore[union-attr]
            transport.close()
            return
        gate.live += 1
        self.inner = gate.server()
        self.timer = asyncio.get_running_loop().call_later(gate.header_timeout, self._too_slow)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.inner is None:
            return
        if not self.head_seen:
            seen = self.tail + data
            if b"\r\n\r\n" in seen or b"\n\n" in seen:
                self.head_seen = True
                self._cancel_timer()
            else:
                self.tail = seen[-3:]
        self.inner.data_received(data)

    def eof_received(self) -> None:
        if self.inner is not None:
            self.inner.eof_received()

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.inner is None:
            return
        self._cancel_timer()
        self.gate.live -= 1
        inner, self.inner = self.inner, None
        inner.connection_lost(exc)

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _too_slow(self) -> None:
        self.timer = None
        if self.head_seen or self.transport is None or self.transport.is_closing():
            return
        log.info("http connection closed: no complete request head within %.1fs", self.gate.header_timeout)
        self.transport.write(_TOO_SLOW)
        self.transport.close()


class GuardedSite(web.BaseSite):
    """Like ``web.TCPSite``, with every connection passing a :class:`ConnectionGate`."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, gate: ConnectionGate) -> None:
        super().__init__(runner)
        self._host, self._port, self._gate = host, port, gate

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._gate, self._host, self._port, backlog=self._backlog, reuse_address=True
        )


# ---- request bodies and response headers (every route, one place) ------------------------
DEFAULT_MAX_BODY = 64 * 1024  # a form post: far above the console's longest (a 3,000-character 說明)
BODY_LIMIT = web.AppKey("body_limit", dict[str, int])  # route path → its own cap (uploads, the LINE webhook)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a token in a URL never travels on in a Referer
    "Cache-Control": "no-store",  # pages behind a token (a firm's name, a confirm form) stay out of caches
}
# Our HTML pages have no scripts, no external resources and post only to themselves.
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'")  # fmt: skip


def _closing(status: int, reason: str) -> web.Response:
    resp = web.Response(status=status, text=reason)
    resp.force_close()  # the rest of that body is not read
    return resp


def body_guard(body_timeout: float) -> Callable[..., Awaitable[web.StreamResponse]]:
    """A middleware bounding every request body, before any handler reads it.

    Why: the header deadline ends with the head; a client could then trickle a body for ever
    (each holds a connection, ``max_connections`` of them hold the service) or declare 4 MB to
    a route that never needs it (the LINE webhook must read the body to check its signature).
    So: a body needs a ``Content-Length`` (411 otherwise), no larger than its route allows
    (413 before reading a byte; 64 KiB unless the route is in ``app[BODY_LIMIT]``), and it
    must have arrived within ``body_timeout`` of the handler starting (408 and closed).
    """

    @web.middleware
    async def guard(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        if not request.body_exists:
            return await handler(request)
        resource = request.match_info.route.resource
        path = resource.canonical if resource is not None else ""
        limit = request.app.get(BODY_LIMIT, {}).get(path, DEFAULT_MAX_BODY)
        if request.content_length is None:
            return _closing(411, "Content-Length required")
        if request.content_length > limit:
            log.info("http body refused: %d bytes declared, limit %d path=%s", request.content_length, limit, path)
            return _closing(413, f"body too large (limit {limit} bytes)")
        deadline = asyncio.timeout(body_timeout)
        handling = True

        def arrived() -> None:  # the whole body is in: no deadline for the work that follows
            if handling and not deadline.expired():
                deadline.reschedule(None)

        try:
            async with deadline:
                request.content.on_eof(arrived)
                try:
                    return await handler(request)
                finally:
                    handling = False
        except TimeoutError:
            if not deadline.expired():
                raise  # the handler's own
            log.info("http body not complete within %.0fs path=%s: closed", body_timeout, path)
            return _closing(408, "request body too slow")
        except ConnectionResetError:  # the client left mid-body: nothing to answer, nothing to log loudly
            log.info("http client left before its body was complete path=%s", path)
            return _closing(400, "connection lost")

    return guard


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: every answer, errors included, carries the same protections
    (a route that sets its own, e.g. the calendar's ``Cache-Control``, keeps it)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
