"""The HTTP side bounds slow clients: half a request line is cut off after header_timeout,
other clients are served meanwhile, and connections beyond max_connections get 503."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.config import HttpConfig
from bot.web.app import make_app, start_server
from state.db import open_db
from tests.conftest import NOW
from tests.smtpserver import free_port


async def _health(port: int) -> int:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/health") as resp:
        await resp.read()
        return resp.status


async def test_half_a_request_line_is_closed_within_the_timeout_while_others_are_served(tmp_path):
    db = open_db(tmp_path / "w.db")
    port = free_port()
    loop = asyncio.get_running_loop()
    runner = await start_server(
        make_app(db, clock=lambda: NOW), HttpConfig(listen=f"127.0.0.1:{port}", header_timeout=0.5)
    )
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HT")  # … and then nothing more
        await writer.drain()
        started = loop.time()
        for _ in range(3):  # the slow client holds nothing up
            assert await _health(port) == 200
        answer = await asyncio.wait_for(reader.read(), timeout=5)  # EOF: the server closed it
        waited = loop.time() - started
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
        assert waited < 3
        writer.close()

        # A client trickling header lines is cut off too: the deadline is for the whole head.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)

        async def trickle() -> None:
            writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            for i in range(50):  # one header line every 0.1 s, never the blank line
                writer.write(f"X-Slow-{i}: y\r\n".encode())
                await writer.drain()
                await asyncio.sleep(0.1)

        sending = asyncio.create_task(trickle())
        answer = await asyncio.wait_for(reader.read(), timeout=5)
        assert not sending.done() or sending.exception() is not None  # cut off mid-trickle
        sending.cancel()
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
        writer.close()
    finally:
        await runner.cleanup()


async def test_connections_beyond_the_cap_get_503_and_are_freed_when_others_close(tmp_path):
    db = open_db(tmp_path / "w.db")
    port = free_port()
    runner = await start_server(
        make_app(db, clock=lambda: NOW), HttpConfig(listen=f"127.0.0.1:{port}", max_connections=2, header_timeout=30)
    )
    try:
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
        await asyncio.sleep(0)  # let the server take them
        assert await _health(port) == 503
        for _, writer in held:
            writer.close()
            await writer.wait_closed()
        for _ in range(50):  # the server notices the closes
            if await _health(port) == 200:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("connection slots were not freed")
    finally:
        await runner.cleanup()
