"""Secrets never reach the terminal or the log, even when something fails in a way nobody
planned: python-telegram-bot's InvalidToken carries the token in its message, and Python's
own traceback printer knows nothing of our redaction."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.logsetup import RedactSecrets
from tests.conftest import fresh_db_file, write_config

TOKEN = "987654:SECRET-token-never-shown"
PASSWORD = "smtp-pass-never-shown"


class _Refusing(BaseHTTPRequestHandler):
    """A Bot API that refuses every token, as api.telegram.org does a revoked one."""

    def _refuse(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_bot_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/bot"
    server.shutdown()
    server.server_close()


def test_a_refused_bot_token_is_named_not_printed(cli, tmp_path: Path, refusing_bot_api: str) -> None:
    cfg = write_config(tmp_path, f"""
[service]
database = "{fresh_db_file(tmp_path / 't.db')}"
[telegram]
enabled = true
token = "{TOKEN}"
base_url = "{refusing_bot_api}"
""")  # fmt: skip
    run = cli("--config", str(cfg), "serve")
    assert run.returncode == 2
    assert "Telegram 不接受" in run.stderr and "Telegram refused the bot token" in run.stderr
    assert TOKEN not in run.stdout + run.stderr and "SECRET-token" not in run.stdout + run.stderr


def test_an_unexpected_failure_is_logged_with_secrets_redacted(cli, tmp_path: Path, monkeypatch) -> None:
    cfg = write_config(tmp_path, f"""
[service]
database = "{fresh_db_file(tmp_path / 'u.db')}"
[email]
enabled = true
username = "alerts"
password = "{PASSWORD}"
""")  # fmt: skip

    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError(f"relay said: AUTH failed for alerts:{PASSWORD}")

    monkeypatch.setattr("bot.cli.main.open_db", broken)
    run = cli("--config", str(cfg), "sources")
    assert run.returncode == 1
    assert "未預期的錯誤（RuntimeError）" in run.stderr and "unexpected failure (RuntimeError)" in run.stderr
    assert "Traceback" in run.stderr and "AUTH failed for alerts:***" in run.stderr  # the detail, redacted
    assert PASSWORD not in run.stdout + run.stderr


def test_a_secret_written_into_a_url_is_redacted_too() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "GET %s failed", (f"https://h/bot{TOKEN.replace(':', '%3A')}/getMe",), None)
    RedactSecrets([TOKEN]).filter(record)
    assert record.getMessage() == "GET https://h/bot***/getMe failed"
