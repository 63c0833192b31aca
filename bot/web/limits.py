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
