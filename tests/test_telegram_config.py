"""[telegram] settings of their own: the webhook secret (validated, redacted, random when
unset — never derived from the bot token) and the /import limits."""

from __future__ import annotations

import hashlib
import io
import logging
import re

import pytest

from bot.config import load_config
from bot.logsetup import setup_logging
from bot.telegram.app import telegram_running
from feeds.errors import ConfigError
from state.db import open_db
from tests.fakebotapi import FakeBotAPI
from tests.smtpserver import free_port

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _config(tmp_path, fake: FakeBotAPI, extra: str = "", env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(
        f"""[telegram]
enabled = true
base_url = "{fake.base_url}"
base_file_url = "{fake.base_file_url}"
mode = "webhook"
webhook_url = "https://bot.example.test/telegram"
webhook_port = {free_port()}
{extra}
""",
        encoding="utf-8",
    )
    return load_config(path, env={"TRADEALERT_TELEGRAM_TOKEN": fake.token, **(env or {})})


@pytest.mark.parametrize("bad", ["has space", "x" * 257, "秘密", "a/b", "semi;colon", ""])
def test_a_webhook_secret_telegram_would_refuse_is_a_config_error(tmp_path, bad):
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, FakeBotAPI(), f'webhook_secret = "{bad}"')
    assert "telegram.webhook_secret" in str(err.value) and "A-Z a-z 0-9 _ -" in str(err.value)
    if bad:
        assert bad not in str(err.value)  # not even a wrong secret is echoed


def test_import_limits_have_defaults_and_can_be_set(tmp_path):
    cfg = _config(tmp_path, FakeBotAPI())
    assert (cfg.telegram.import_max_bytes, cfg.telegram.imports_per_hour) == (1_048_576, 5)
    cfg = _config(tmp_path, FakeBotAPI(), "import_max_bytes = 200000\nimports_per_hour = 2")
    assert (cfg.telegram.import_max_bytes, cfg.telegram.imports_per_hour) == (200_000, 2)
    with pytest.raises(ConfigError, match="telegram.imports_per_hour"):
        _config(tmp_path, FakeBotAPI(), "imports_per_hour = 0")


async def test_the_webhook_secret_from_the_environment_is_registered_and_never_logged(tmp_path):
    fake = await FakeBotAPI().start()
    secret = "Env_Secret-For-The-Webhook_42"
    cfg = _config(tmp_path, fake, env={"TRADEALERT_TELEGRAM_WEBHOOK_SECRET": secret})
    assert secret not in repr(cfg) and secret in cfg.secrets()
    stream = io.StringIO()
    handler = setup_logging("DEBUG", cfg.secrets(), stream)
    try:
        async with telegram_running(cfg.telegram, open_db(tmp_path / "w.db")):
            pass
    finally:
        logging.getLogger().removeHandler(handler)
        await fake.stop()
    [registered] = [p for m, p in fake.calls if m == "setWebhook"]
    assert registered["secret_token"] == secret
    assert "setWebhook" in stream.getvalue() and secret not in stream.getvalue()


async def test_without_a_configured_secret_each_start_gets_a_random_one(tmp_path, caplog):
    fake = await FakeBotAPI().start()
    cfg = _config(tmp_path, fake)
    try:
        with caplog.at_level(logging.INFO, logger="bot.telegram.app"):
            for _ in range(2):
                async with telegram_running(cfg.telegram, open_db(tmp_path / "w.db")):
                    pass
    finally:
        await fake.stop()
    first, second = [p["secret_token"] for m, p in fake.calls if m == "setWebhook"]
    derived = hashlib.sha256(b"tradealert" + fake.token.encode()).hexdigest()
    assert first != second and derived[:64] not in (first, second)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32,256}", s) for s in (first, second))
    assert "webhook_secret not set" in caplog.text and first not in caplog.text
