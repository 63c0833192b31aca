"""Configuration: every error names its key; secrets come from env and never reach a log."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config, load_config, parse_duration
from bot.logsetup import setup_logging
from feeds.errors import ConfigError
from tests.conftest import write_config

ROOT = Path(__file__).resolve().parent.parent


def _error(tmp_path: Path, body: str, env: dict | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, body), env=env or {})
    return info.value.en


def test_example_config_is_valid_and_equals_defaults(tmp_path):
    example = load_config(ROOT / "config.example.toml", env={})
    assert example.service == Config().service
    assert example.fetch == Config().fetch
    assert [s.kind for s in example.sources] == ["csms_rss", "csms_widget", "federal_register", "rss", "rss"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[service]\nbogus = 1\n", "service.bogus: unknown key"),
        ("[servce]\n", "servce: unknown key"),
        ('[service]\npoll_tick = "soon"\n', "service.poll_tick"),
        ("[service]\npoll_tick = -5\n", "service.poll_tick"),
        ('[service]\ntimezone = "Mars/Olympus"\n', "service.timezone"),
        ("[fetch]\nmax_bytes = \"big\"\n", "fetch.max_bytes"),
        ('[[sources]]\nname = "x"\nkind = "rss"\nurl = "ftp://example.org/feed"\n', "sources[0].url"),
        ('[[sources]]\nname = "x"\nkind = "rss"\nurl = "https://"\n', "sources[0].url"),
        ('[[sources]]\nname = "x"\nkind = "atom"\nurl = "https://a.b/c"\n', "sources[0].kind"),
        ('[[sources]]\nname = "x"\nkind = "rss"\nurl = "https://a.b/c"\ninterval = "0s"\n', "sources[0].interval"),
        ('[[sources]]\nname = "x"\nkind = "rss"\nurl = "https://a.b/c"\ninterval = "every day"\n', "sources[0].interval"),
        ("[telegram]\nenabled = true\n", "telegram.token"),
        ("[telegram\n", "invalid TOML"),
    ],
)
def test_every_error_names_the_key(tmp_path, body, needle):
    assert needle in _error(tmp_path, body)


def test_token_from_environment_satisfies_telegram(tmp_path):
    cfg = load_config(
        write_config(tmp_path, "[telegram]\nenabled = true\n"),
        env={"TRADEALERT_TELEGRAM_TOKEN": "123456:SECRET-token-value"},
    )
    assert cfg.telegram.token is not None
    assert cfg.telegram.token.get_secret_value() == "123456:SECRET-token-value"
    assert "SECRET" not in repr(cfg) and "SECRET" not in str(cfg.model_dump())


def test_durations():
    assert parse_duration("15m") == 900
    assert parse_duration("1h") == 3600
    assert parse_duration(90) == 90
    with pytest.raises(ValueError):
        parse_duration(True)


def test_secrets_never_reach_a_log_line(tmp_path):
    token, password = "987654:TOP-SECRET-TOKEN", "hunter2-smtp-pass"
    cfg = load_config(
        write_config(tmp_path, "[telegram]\nenabled = true\n[email]\nenabled = true\n"),
        env={"TRADEALERT_TELEGRAM_TOKEN": token, "TRADEALERT_SMTP_PASSWORD": password},
    )
    out = io.StringIO()
    setup_logging("INFO", cfg.secrets(), stream=out)
    log = logging.getLogger("t")
    log.info("calling https://api.telegram.org/bot%s/sendMessage", token)
    try:
        raise RuntimeError(f"login failed with {password}")
    except RuntimeError:
        log.exception("smtp")
    text = out.getvalue()
    assert token not in text and password not in text
    assert "***" in text and "login failed" in text


def test_check_config_exits_nonzero_with_message_and_no_traceback(tmp_path, cli):
    cfg = write_config(tmp_path, "[service]\nbogus = 1\n[[sources]]\nname = 'x'\nkind = 'rss'\nurl = 'gopher://x'\n")
    proc = cli("--config", str(cfg), "check-config")
    assert proc.returncode == 2
    assert "service.bogus: unknown key" in proc.stderr
    assert "sources[0].url" in proc.stderr
    assert "錯誤" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_py_process_exits_2_on_a_bad_config_without_traceback(tmp_path):
    """The process itself (exit status seen by cron and shells), once."""
    cfg = write_config(tmp_path, "[service]\nbogus = 1\n")
    proc = subprocess.run(
        [sys.executable, "run.py", "--config", str(cfg), "check-config"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "service.bogus: unknown key" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("host", ["smtp.example.org", "10.0.0.5", "mail.local"])
def test_clear_text_smtp_login_to_another_host_is_refused(tmp_path, host):
    path = write_config(tmp_path, f'[email]\nhost = "{host}"\nsecurity = "none"\nusername = "bot"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert str(err.value.en).startswith("invalid configuration: email.security:")
    assert "email.security" in err.value.zh and host in err.value.en
    # The password alone (from the environment) is a login too.
    path = write_config(tmp_path, f'[email]\nhost = "{host}"\nsecurity = "none"\n')
    with pytest.raises(ConfigError):
        load_config(path, env={"TRADEALERT_SMTP_PASSWORD": "pw"})


@pytest.mark.parametrize(
    "body",
    [
        '[email]\nhost = "127.0.0.1"\nsecurity = "none"\nusername = "bot"\n',
        '[email]\nhost = "localhost"\nsecurity = "none"\nusername = "bot"\n',
        '[email]\nhost = "::1"\nsecurity = "none"\nusername = "bot"\n',
        '[email]\nhost = "smtp.example.org"\nsecurity = "none"\n',
        '[email]\nhost = "smtp.example.org"\nsecurity = "starttls"\nusername = "bot"\n',
    ],
)
def test_loopback_relay_or_no_login_or_tls_is_fine(tmp_path, body):
    load_config(write_config(tmp_path, body), env={})


def test_cbp_sources_default_to_two_minutes_and_retention_to_90_days(tmp_path):
    example = load_config(ROOT / "config.example.toml", env={})
    assert example.retention == Config().retention and Config().retention.days == 90
    assert {s.kind: s.interval for s in example.sources}["csms_rss"] == 120
    bare = load_config(write_config(tmp_path, '[[sources]]\nname = "c"\nkind = "csms_rss"\nurl = "https://a.b/c"\n'), env={})
    assert bare.sources[0].interval == 120 and bare.fetch.jitter == 0.1
    own = load_config(write_config(tmp_path, '[[sources]]\nname = "c"\nkind = "csms_rss"\nurl = "https://a.b/c"\ninterval = "5m"\n'), env={})
    assert own.sources[0].interval == 300
