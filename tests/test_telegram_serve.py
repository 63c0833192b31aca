"""`run.py serve` with Telegram enabled: answers a command, stops on SIGTERM, never logs the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_serve_runs_the_bot_and_keeps_the_token_out_of_debug_logs(tmp_path):
    fake = await FakeBotAPI(private_interval=0).start()
    config = tmp_path / "config.toml"
    config.write_text(
        f"""sources = []
[service]
database = "{tmp_path / 't.db'}"
log_level = "DEBUG"
[console]
enabled = false
[file]
enabled = false
[telegram]
enabled = true
base_url = "{fake.base_url}"
base_file_url = "{fake.base_file_url}"
""",
        encoding="utf-8",
    )
    env = dict(os.environ, TRADEALERT_TELEGRAM_TOKEN=fake.token)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", "--config", str(config), "serve",
        cwd=str(ROOT), env=env, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        fake.push_text(901, "/start")
        [reply] = await fake.wait_for_messages(901, 1, within=20)
        assert "歡迎使用關務快訊" in reply["visible"]
        assert fake.commands, "setMyCommands was not called"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await proc.communicate()
        await fake.stop()
    log = err.decode()
    assert proc.returncode == 0, log[-2000:]
    assert "telegram bot started" in log and "getUpdates" in log
    assert fake.token not in log and fake.token.split(":")[1] not in log
