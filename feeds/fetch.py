"""HTTP and file fetching: conditional GET, timeouts, a size cap, and backoff after failures.

Only fetching lives here; what to do with a result (parse, store, record health) is the
caller's. ``file://`` URLs serve local feeds (the bundled samples, tests) with a pseudo-ETag
from size and modification time, so they behave like a server that supports 304.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import aiohttp

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    connect_timeout: float = 10
    read_timeout: float = 30
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = "tradealert/0.1"


@dataclass(frozen=True, slots=True)
class FetchResult:
    not_modified: bool
    body: bytes
    etag: str | None
    last_modified: str | None
    url: str  # the final URL after redirects


class FetchError(Exception):
    """A fetch that produced nothing usable. ``reason`` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: half fixed, half random, never above ``cap``."""
    span = min(cap, base * 2 ** max(0, failures - 1))
    return span / 2 + rng.uniform(0, span / 2)


def _fetch_file(url: str, etag: str | None, limits: FetchLimits) -> FetchResult:
    path = unquote(urlparse(url).path)
    try:
        st = os.stat(path)
        if st.st_size > limits.max_bytes:
            raise FetchError("too_large", f"{st.st_size} bytes > limit {limits.max_bytes}")
        tag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        if etag == tag:
            return FetchResult(True, b"", tag, None, url)
        with open(path, "rb") as fh:
            return FetchResult(False, fh.read(limits.max_bytes + 1), tag, None, url)
    except FileNotFoundError:
        raise FetchError("not_found", f"no such file {path}") from None
    except OSError as exc:
        raise FetchError("file", exc.strerror or str(exc)) from None


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
) -> FetchResult:
    """GET ``url`` conditionally. Raises ``FetchError``; never returns a partial body."""
    if url.startswith("file:"):
        return await asyncio.to_thread(_fetch_file, url, etag, limits)
    headers = {"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = aiohttp.ClientTimeout(
        total=limits.connect_timeout + 2 * limits.read_timeout,
        sock_connect=limits.connect_timeout,
        sock_read=limits.read_timeout,
    )
    try:
        async with session.get(
            url, headers=headers, timeout=timeout, max_redirects=limits.max_redirects
        ) as resp:
            if resp.status == 304:
                return FetchResult(
                    True, b"", etag, last_modified, str(resp.url)
                )
            if resp.status >= 400:
                raise FetchError("http_status", f"HTTP {resp.status} {resp.reason or ''}".strip())
            declared = resp.content_length
            if declared is not None and declared > limits.max_bytes:
                raise FetchError("too_large", f"Content-Length {declared} > limit {limits.max_bytes}")
            chunks, size = [], 0
            async for chunk in resp.content.iter_chunked(65536):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchError("too_large", f"body over limit {limits.max_bytes} bytes")
                chunks.append(chunk)
            return FetchResult(
                False,
                b"".join(chunks),
                resp.headers.get("ETag"),
                resp.headers.get("Last-Modified"),
                str(resp.url),
            )
    except FetchError:
        raise
    except aiohttp.TooManyRedirects:
        raise FetchError("redirects", f"more than {limits.max_redirects} redirects") from None
    except TimeoutError:
        raise FetchError("timeout", "no complete answer within the time limit") from None
    except aiohttp.ClientResponseError as exc:
        raise FetchError("http", f"HTTP {exc.status} {exc.message}") from None
    except aiohttp.ClientError as exc:
        raise FetchError("connection", type(exc).__name__ + (f": {exc}" if str(exc) else "")) from None
    except ValueError as exc:  # e.g. an invalid URL
        raise FetchError("invalid", str(exc)) from None
