"""The admin CLI and the entry points, run as an operator would: in-process through
``main(argv)`` (the ``cli`` fixture), and as a separate process where signals are the point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fresh_db_file, watched_sources, write_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    # Local sample feeds through file:// URLs: no network at all.
    samples = ROOT / "feeds" / "samples"
    return write_config(
        tmp_path,
        f"""
[service]
database = "{fresh_db_file(tmp_path / 'cli.db')}"
alert_max_age = "3650d"
log_level = "INFO"
[console]
enabled = false
[file]
directory = "{tmp_path / 'out'}"
[[sources]]
name = "csms"
kind = "csms_rss"
url = "{(samples / 'csms_rss.xml').as_uri()}"
[[sources]]
name = "tw"
kind = "rss"
language = "zh-TW"
url = "{(samples / 'customs_tw.xml').as_uri()}"
""",
    )


def _watched(cfg: Path) -> None:
    """The sources have been polled before (baselined): the samples' items are news.
    A new source's first poll stores its history silently (tests/test_baseline.py)."""
    from bot.config import load_config
    from state.db import open_db

    config = load_config(cfg)
    db = open_db(config.service.database)
    watched_sources(db, config)
    db.conn.close()


def test_scripted_admin_flow_end_to_end(cli, cfg: Path, tmp_path: Path):
    c = ["--config", str(cfg)]
    _watched(cfg)
    added = cli(*c, "subscriber", "add", "--name", "永信報關行", "--channel", "file", "--address", "broker-1", "--json")
    assert added.returncode == 0, added.stderr
    sid = json.loads(added.stdout)["id"]
    assert cli(*c, "subscribe", str(sid), "--topic", "ieepa_cape").returncode == 0
    assert cli(*c, "subscribe", str(sid), "--keyword", "國際貿易署").returncode == 0
    again = cli(*c, "subscribe", str(sid), "--keyword", "國際貿易署")
    assert "(already)" in again.stdout

    listed = json.loads(cli(*c, "subscriber", "list", "--json").stdout)
    assert listed[0]["name"] == "永信報關行"
    assert sorted(listed[0]["subscriptions"]) == ["keyword:國際貿易署", "topic:ieepa_cape"]

    once = cli(*c, "once", "--force")
    assert once.returncode == 0, once.stderr
    assert "polled=2" in once.stdout and "failed=0" in once.stdout
    files = sorted((tmp_path / "out" / "broker-1").glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert any("68396594" in t for t in texts)  # CAPE topic
    assert any("國際貿易署" in t for t in texts)  # keyword on the Chinese feed

    second = cli(*c, "once", "--force")
    assert "new=0" in second.stdout and "sent=0" in second.stdout
    assert len(list((tmp_path / "out" / "broker-1").glob("*.txt"))) == len(files)

    health = json.loads(cli(*c, "sources", "--json").stdout)
    assert {h["name"]: h["consecutive_failures"] for h in health} == {"csms": 0, "tw": 0}
    backlog = json.loads(cli(*c, "outbox", "--json").stdout)
    assert backlog == {"sent": len(files)}

    assert cli(*c, "unsubscribe", str(sid), "--keyword", "國際貿易署").returncode == 0
    missing = cli(*c, "unsubscribe", str(sid), "--keyword", "國際貿易署")
    assert missing.returncode == 2 and "錯誤" in missing.stderr and "error:" in missing.stderr
    assert cli(*c, "subscriber", "remove", str(sid)).returncode == 0
    assert json.loads(cli(*c, "subscriber", "list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("subscriber", "add", "--name", "x", "--channel", "email", "--address", "not-an-email"), "e-mail"),
        (("subscriber", "add", "--name", "x", "--channel", "telegram", "--address", "abc"), "chat id"),
        (("subscriber", "show", "99"), "no subscriber #99"),
        (("subscribe", "99", "--topic", "x"), "no subscriber #99"),
    ],
)
def test_bad_admin_input_gets_a_bilingual_error_and_exit_2(cli, cfg: Path, args, needle):
    proc = cli("--config", str(cfg), *args)
    assert proc.returncode == 2
    assert needle in proc.stderr and "錯誤" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_duplicate_subscriber_is_refused(cli, cfg: Path):
    c = ["--config", str(cfg), "subscriber", "add", "--name", "a", "--channel", "file", "--address", "same"]
    assert cli(*c).returncode == 0
    dup = cli(*c)
    assert dup.returncode == 2 and "already subscriber #1" in dup.stderr


def test_demo_shows_the_cape_alert_from_seed_000(cli, tmp_path: Path):
    proc = cli("demo", "--out", str(tmp_path / "demo"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "CSMS #68396594" in out or "CSMS # 68396594" in out
    assert "Consolidated Administration and Processing of Entries (CAPE)" in out
    assert "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632" in out
    assert "first cycle" in out and "second cycle" in out
    # The rehearsal clock is the samples' week: the first CAPE webinar is over, the second is
    # offered with its registration link (as when seed 000's letter reached firms).
    assert "2026-04-25 09:00 台北時間" in out
    assert "4/22（三）01:00 台北時間（美東 4/21 13:00 EDT）（已舉行）" in out
    assert "4/29（三）01:00 台北時間（美東 4/28 13:00 EDT）（報名 https://" in out
    # The second cycle is conditional: nothing new, nothing resent.
    second = next(line for line in out.splitlines() if "second cycle" in line)
    assert "new=0" in second and "delivered=0" in second
    files = list((tmp_path / "demo" / "outbox").rglob("*.txt"))
    assert files and any("68396594" in f.read_text(encoding="utf-8") for f in files)


def test_service_runs_until_sigterm_then_stops_cleanly(cli, cfg: Path, tmp_path: Path):
    import signal
    import time

    c = ["--config", str(cfg)]
    _watched(cfg)
    assert cli(*c, "subscriber", "add", "--name", "a", "--channel", "file", "--address", "svc").returncode == 0
    assert cli(*c, "subscribe", "1", "--all").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), *c], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out = tmp_path / "out" / "svc"
        deadline = time.monotonic() + 60  # waiting for a separate process's first sweeps
        while time.monotonic() < deadline and len(list(out.glob("*.txt"))) < 3:
            time.sleep(0.2)
        assert len(list(out.glob("*.txt"))) >= 3
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "service stopped" in err and "Traceback" not in err


def test_association_admin_flow_from_the_cli(cli, cfg: Path, tmp_path: Path):
    c = ["--config", str(cfg)]
    _watched(cfg)
    created = cli(*c, "association", "create", "--name", "台灣區車輛工業同業公會", "--prefix", "車工", "--json")
    assert created.returncode == 0, created.stderr
    aid = json.loads(created.stdout)["id"]
    assert cli(*c, "association", "admin-add", str(aid), "--email", "sec@tva.org.tw").returncode == 0
    roster = tmp_path / "roster.csv"
    roster.write_bytes("會員名稱,email\n大同機械,a@datong.tw\n台灣螺絲,b@screw.tw\n壞資料,\n".encode("cp950"))
    imported = cli(*c, "association", "import-members", str(aid), str(roster))
    assert "added=2" in imported.stdout and "errors=1" in imported.stdout and "第 4 行" in imported.stdout
    assert cli(*c, "association", "filter", str(aid), "--keyword", "CAPE").returncode == 0
    assert cli(*c, "once", "--force").returncode == 0
    pending = json.loads(cli(*c, "association", "pending", str(aid), "--json").stdout)
    assert pending and pending[0]["ref_no"].startswith("車工字第")
    fwd = str(pending[0]["id"])
    denied = cli(*c, "association", "approve", fwd, "--by", "email:a@datong.tw")
    assert denied.returncode == 2 and "only admins" in denied.stderr
    ok = cli(*c, "association", "approve", fwd, "--by", "email:sec@tva.org.tw")
    assert ok.returncode == 0 and "2 member messages queued" in ok.stdout
    out = tmp_path / "audit.csv"
    assert cli(*c, "association", "audit", str(aid), "--out", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("at,actor,action,ref_no") and "email:sec@tva.org.tw" in text and ",approved," in text


def test_subscriber_settings_and_calendar_url(cli, cfg: Path):
    c = ["--config", str(cfg)]
    assert cli(*c, "subscriber", "add", "--name", "x", "--channel", "email", "--address", "x@firm.tw").returncode == 0
    ok = cli(*c, "subscriber", "set", "1", "--digest", "weekly", "--digest-time", "7:30", "--quiet", "22:00-08:00")
    assert ok.returncode == 0, ok.stderr
    shown = json.loads(cli(*c, "subscriber", "show", "1", "--json").stdout)
    assert (shown["digest"], shown["digest_time"], shown["quiet_hours"]) == ("weekly", "07:30", "22:00-08:00")
    bad = cli(*c, "subscriber", "set", "1", "--quiet", "late")
    assert bad.returncode == 2 and "22:00-08:00" in bad.stderr
    url = cli(*c, "calendar-url", "1").stdout.strip()
    assert url.startswith("http://127.0.0.1:8080/calendar/") and url.endswith(".ics") and len(url) > 70
