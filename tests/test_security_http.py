"""The HTTP side as an attacker tries it: bodies trickled after the head, bodies larger than a
route takes, pages framed by another site, a console login link looked at or opened twice at
once, and ids in console URLs that are not plain numbers. (docs/SECURITY.md)"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from pydantic import SecretStr

from bot.config import Config, HttpConfig, LineConfig
from bot.web.app import make_app, start_server
from state.associations import add_member, create_association
from state.db import open_db
from state.subscribers import add_subscriber
from tests import test_console
from tests.conftest import NOW
from tests.smtpserver import free_port
from tests.test_console import ADMIN_A, hidden, url_for

env = test_console.env  # the console on a seeded database (two associations), with a browser-like client


@pytest.fixture
async def served(tmp_path):
    """The HTTP side with a short body deadline; yields (db, port)."""
    db = open_db(tmp_path / "s.db")
    port = free_port()
    http = HttpConfig(listen=f"127.0.0.1:{port}", public_url=f"http://127.0.0.1:{port}", header_timeout=0.5,
                      body_timeout=0.5)  # fmt: skip
    config = Config(http=http, line=LineConfig(channel_secret=SecretStr("line-secret")))  # serves /line/webhook
    runner = await start_server(make_app(db, clock=lambda: NOW, config=config), http)
    yield db, port
    await runner.cleanup()


async def _status(port: int, path: str = "/health") -> int:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as resp:
        await resp.read()
        return resp.status


async def test_a_body_trickled_after_the_head_gets_408_within_body_timeout_while_others_are_served(served):
    _, port = served
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # The LINE webhook must read the whole body (its signature covers it) before anything else.
    writer.write(b"POST /line/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\nX-Line-Signature: x\r\n\r\n")

    async def trickle() -> None:  # one byte every 0.1 s: the head came in time, the body never will
        for _ in range(100):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.1)

    sending = asyncio.create_task(trickle())
    started = loop.time()
    for _ in range(3):
        assert await _status(port) == 200  # the slow client holds nothing up
    try:
        answer = await asyncio.wait_for(reader.readline(), timeout=5)  # before: no answer, ever
        assert answer.startswith(b"HTTP/1.1 408") and loop.time() - started < 3
    finally:
        sending.cancel()
        writer.close()


async def _declare(port: int, head: str) -> bytes:
    """Send only a request head (no body) and return the status line the server answers with."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode())
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.readline(), timeout=3)
    finally:
        writer.close()


async def test_a_body_larger_than_its_route_takes_is_refused_before_it_is_read(served):
    _, port = served
    # Without a console session or a LINE secret nothing would read these bodies, yet before:
    # the server waited for (and buffered) up to 4 MB of each.
    for path, size in (("/line/webhook", 2 * 1024 * 1024), ("/console/forwards/1/approve", 100_000),
                       ("/console/members/upload", 5 * 1024 * 1024), ("/health", 100_000)):  # fmt: skip
        line = await _declare(port, f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n")
        assert line.startswith(b"HTTP/1.1 413"), (path, line)
    chunked = await _declare(port, "POST /unsubscribe/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert chunked.startswith(b"HTTP/1.1 411")
    assert await _status(port) == 200


async def test_every_answer_forbids_framing_and_sniffing(served):
    db, port = served
    sub = add_subscriber(db, name="n", channel="file", address="a", now=NOW)
    a = create_association(db, name="公會", ref_prefix="公", now=NOW)
    with db.atomic():
        add_member(db, a.id, "廠商", [("email", "m@x.tw")], now=NOW)
    member_token = next(db.query("SELECT token FROM members"))["token"]
    async with aiohttp.ClientSession() as http:
        for path in (f"/unsubscribe/{sub.action_token}", f"/optout/{member_token}", "/unsubscribe/nope",
                     "/no/such/page", "/health", f"/calendar/{sub.token}.ics"):  # fmt: skip
            async with http.get(f"http://127.0.0.1:{port}{path}") as resp:
                assert resp.headers.get("X-Frame-Options") == "DENY", path
                assert resp.headers.get("X-Content-Type-Options") == "nosniff", path
                assert resp.headers.get("Referrer-Policy") == "no-referrer", path
                assert resp.headers.get("Cache-Control") == ("private, max-age=900" if ".ics" in path else "no-store"), path
                if resp.content_type == "text/html":
                    assert "frame-ancestors 'none'" in resp.headers.get("Content-Security-Policy", ""), path


async def test_looking_at_a_login_link_does_not_use_it_up(env):
    db, config, data, client, _, _ = env
    url = url_for(db, config, data["a"][0].id, ADMIN_A)
    async with aiohttp.ClientSession() as http, http.head(url, allow_redirects=False) as resp:
        assert resp.status == 204 and "Set-Cookie" not in resp.headers  # a link checker, a preview
    c = client()
    resp = await c.login(url)
    assert resp.status == 303  # the person still gets in
    status, page, _ = await c.get("/console/")
    assert status == 200 and "待核可" in page


async def test_two_parallel_opens_of_one_login_link_give_one_session(env):
    db, config, data, client, _, _ = env
    url = url_for(db, config, data["a"][0].id, ADMIN_A)
    c1, c2 = client(), client()
    r1, r2 = await asyncio.gather(c1.login(url), c2.login(url))
    assert sorted([r1.status, r2.status]) == [303, 403]
    assert [(await c.get("/console/"))[0] for c in (c1, c2)].count(200) == 1


async def test_ids_that_are_not_plain_numbers_are_not_found_never_a_server_error(env):
    db, config, data, client, _, _ = env
    c = client()
    await c.login(url_for(db, config, data["a"][0].id, ADMIN_A))
    status, page, _ = await c.get("/console/members")
    csrf = hidden(page, "csrf")
    for bad in ("%C2%B2", "99999999999999999999999", "%D9%A3", "-1", "1e3"):  # ², a 23-digit id, Arabic-Indic 3
        assert (await c.get(f"/console/forwards/{bad}/edit"))[0] == 404, bad
        assert (await c.post(f"/console/forwards/{bad}/approve", {"csrf": csrf, "version": "x"}))[0] == 404, bad
        assert (await c.post(f"/console/members/{bad}/optout", {"csrf": csrf}))[0] == 404, bad
    status, page, _ = await c.get("/console/?done=approved&n=%C2%B2")
    assert status == 200 and "已核可：0 則" in page
    # the real ids still work
    fwd = data["a"][1]
    assert (await c.get(f"/console/forwards/{fwd.id}/edit"))[0] == 200
