"""Shared fixtures: a local feed server on 127.0.0.1, configs and databases in tmp_path.

No test reaches the internet: every URL a test polls is this server or a ``file://`` path.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from sqlite_utils import Database

from bot.config import SAMPLES_DIR, Config, load_config
from state.db import open_db

# A fixed "now" shortly after the CSMS #68396594 sample (2026-04-20 07:18 EDT), so that the
# bundled samples count as fresh news and are alerted.
NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)

SAMPLE_ROUTES = {
    "/csms.xml": ("csms_rss.xml", "application/rss+xml"),
    "/widget.js": ("csms_widget.js", "application/javascript"),
    "/fr.json": ("federal_register.json", "application/json"),
    "/tw.xml": ("customs_tw.xml", "application/rss+xml"),
}


@dataclass
class FeedServer:
    """What the server saw, and knobs a test turns."""

    base: str = ""
    hits: Counter = field(default_factory=Counter)
    conditional: Counter = field(default_factory=Counter)  # requests with If-None-Match
    not_modified: Counter = field(default_factory=Counter)  # 304s answered
    user_agents: list[str] = field(default_factory=list)
    overrides: dict[str, bytes] = field(default_factory=dict)  # path → body replacing a sample
    slow_seconds: float = 1.2  # past the tests' 0.5 s read timeout; the server waits this out at teardown

    def url(self, path: str) -> str:
        return self.base + path


def _app(state: FeedServer) -> web.Application:
    async def sample(request: web.Request) -> web.StreamResponse:
        path = request.path
        state.hits[path] += 1
        state.user_agents.append(request.headers.get("User-Agent", ""))
        filename, ctype = SAMPLE_ROUTES[path]
        body = state.overrides.get(path) or (SAMPLES_DIR / filename).read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match"):
            state.conditional[path] += 1
            if request.headers["If-None-Match"] == etag:
                state.not_modified[path] += 1
                return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type=ctype, headers={"ETag": etag})

    async def malformed(request: web.Request) -> web.Response:
        state.hits[request.path] += 1
        # Truncated mid-item: well-formed up to a point, then cut off.
        full = (SAMPLES_DIR / "csms_rss.xml").read_bytes()
        return web.Response(body=full[: len(full) // 2], content_type="application/rss+xml")

    async def error500(request: web.Request) -> web.Response:
        state.hits[request.path] += 1
        return web.Response(status=500, text="Internal Server Error")

    async def slow(request: web.Request) -> web.StreamResponse:
        state.hits[request.path] += 1
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
        await asyncio.sleep(state.slow_seconds)
        return resp

    async def huge(request: web.Request) -> web.StreamResponse:
        state.hits[request.path] += 1
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)  # chunked: no Content-Length to refuse early
        chunk = b"<!-- " + b"x" * (1 << 20) + b" -->"
        try:
            for _ in range(20):
                await resp.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return resp

    async def loop(request: web.Request) -> web.Response:
        state.hits[request.path] += 1
        raise web.HTTPFound(request.path)

    app = web.Application()
    for path in SAMPLE_ROUTES:
        app.router.add_get(path, sample)
    app.router.add_get("/malformed.xml", malformed)
    app.router.add_get("/500.xml", error500)
    app.router.add_get("/slow.xml", slow)
    app.router.add_get("/huge.xml", huge)
    app.router.add_get("/loop.xml", loop)
    return app


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    state = FeedServer()
    runner = web.AppRunner(_app(state))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.base = f"http://127.0.0.1:{port}"
    yield state
    await runner.cleanup()


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def server_config(
    tmp_path: Path,
    server: FeedServer,
    routes: dict[str, tuple[str, str]] | None = None,
    extra: str = "",
) -> Config:
    """A config polling the local server: name → (kind, path)."""
    routes = routes or {
        "cbp-csms-rss": ("csms_rss", "/csms.xml"),
        "cbp-csms-widget": ("csms_widget", "/widget.js"),
        "federal-register-cbp": ("federal_register", "/fr.json"),
        "customs-tw": ("rss", "/tw.xml"),
    }
    lines = [
        "[service]",
        f'database = "{tmp_path / "t.db"}"',
        'alert_max_age = "3650d"',
        "[fetch]",
        "connect_timeout = 2",
        'read_timeout = "0.5s"',
        "max_bytes = 5_000_000",
        "[file]",
        f'directory = "{tmp_path / "outbox"}"',
        "[console]",
        "enabled = false",
    ]
    for name, (kind, path) in routes.items():
        lang = "zh-TW" if path == "/tw.xml" else "en"
        lines += [
            "[[sources]]",
            f'name = "{name}"',
            f'kind = "{kind}"',
            f'url = "{server.url(path)}"',
            f'language = "{lang}"',
        ]
    fresh_db_file(tmp_path / "t.db")
    return load_config(write_config(tmp_path, "\n".join(lines) + "\n" + extra))


_MIGRATED: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One database migrated per session; tests copy it (a fresh file costs ~0.2 s of fsyncs)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    open_db(path).close()  # the last close checkpoints the WAL into the file
    _MIGRATED.append(path)


def fresh_db_file(path: Path) -> Path:
    """A migrated, empty database at ``path`` (left alone if it already exists)."""
    if not path.exists() and _MIGRATED:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_MIGRATED[0], path)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """The shared database fixture: a migrated SQLite file in tmp_path, opened as the service does."""
    return open_db(fresh_db_file(tmp_path / "t.db"))


@pytest.fixture
def db_factory(tmp_path: Path) -> Callable[[], object]:
    def make():
        return open_db(fresh_db_file(tmp_path / "t.db"))

    return make


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``run.py ARGS`` in-process through ``bot.cli.main.main(argv)``, as sqlite-utils tests
    its own CLI: the same code path a user runs, without a process start per call."""
    import logging

    from bot.cli.main import main

    def run(*args: str) -> CliResult:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse errors
            code = exc.code if isinstance(exc.code, int) else 2
        finally:
            for h in list(root.handlers):
                root.removeHandler(h)
            for h in handlers:
                root.addHandler(h)
            root.setLevel(level)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


# ---- source baselines (a new source's first poll stores its history without alerting) -----
EMPTY_FEEDS = {  # valid documents with no items, one per sample route
    "/csms.xml": b'<?xml version="1.0"?><rss version="2.0"><channel><title>CSMS</title></channel></rss>',
    "/widget.js": b"GDWidgets[0].update([]);",
    "/fr.json": b'{"count": 0, "results": []}',
    "/tw.xml": b'<?xml version="1.0"?><rss version="2.0"><channel><title>TW</title></channel></rss>',
}


def empty_feeds(server: FeedServer) -> None:
    """Serve every sample route empty: a first poll then is a baseline of nothing, and the
    samples' items arrive as news once ``server.overrides.clear()`` brings them back."""
    server.overrides.update(EMPTY_FEEDS)


def watched_sources(db, config: Config, now: datetime = NOW) -> None:
    """Seed the configured sources as already watched (baselined), as if the service had
    polled them before the samples' items appeared; their items then arrive as news."""
    from state import sources

    sources.sync_sources(db, [(c.name, c.kind, c.url) for c in config.sources])
    with db.atomic():
        for c in config.sources:
            sources.mark_baselined(db, c.name, now)


@pytest.fixture
def cli_on_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]):
    """``run.py --db tmp_path/t.db ARGS`` in-process, from tmp_path with no config file:
    returns (exit status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    db = str(fresh_db_file(tmp_path / "t.db"))

    def run(*argv: str) -> tuple[int, str, str]:
        r = cli("--db", db, *argv)
        return r.returncode, r.stdout, r.stderr

    return run
