"""`run.py once` tells cron when every source failed: non-zero exit, zh/en line on stderr."""

from __future__ import annotations

from pathlib import Path

from bot.cli.main import main
from bot.cli.service import EXIT_ALL_SOURCES_FAILED
from bot.config import SAMPLES_DIR
from tests.conftest import write_config


def _config(tmp_path: Path, urls: dict[str, str]) -> Path:
    lines = ["[service]", f'database = "{tmp_path / "t.db"}"', "[console]", "enabled = false",
             "[file]", f'directory = "{tmp_path / "out"}"']  # fmt: skip
    for name, url in urls.items():
        lines += ["[[sources]]", f'name = "{name}"', 'kind = "rss"', f'url = "{url}"']
    return write_config(tmp_path, "\n".join(lines) + "\n")


def test_once_exits_nonzero_with_bilingual_reason_when_every_source_failed(tmp_path, capsys) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel><item><title>cut off", encoding="utf-8")
    cfg = _config(tmp_path, {"gone": (tmp_path / "missing.xml").as_uri(), "broken": broken.as_uri()})
    code = main(["--config", str(cfg), "once", "--force"])
    out = capsys.readouterr()
    assert code == EXIT_ALL_SOURCES_FAILED != 0
    assert "failed=2" in out.out
    zh, en = out.err.strip().splitlines()[-2:]
    assert zh.startswith("錯誤：全部 2 個來源都抓取失敗") and "gone" in zh and "broken" in zh
    assert en.startswith("error: every source failed (2 of 2)")
    assert "Traceback" not in out.err


def test_once_exits_zero_when_at_least_one_source_worked(tmp_path, capsys) -> None:
    cfg = _config(tmp_path, {"gone": (tmp_path / "missing.xml").as_uri(),
                             "tw": (SAMPLES_DIR / "customs_tw.xml").as_uri()})  # fmt: skip
    assert main(["--config", str(cfg), "once", "--force"]) == 0
    assert "failed=1" in capsys.readouterr().out
    # Nothing due on the next run (not forced): nothing polled, nothing failed, exit 0.
    assert main(["--config", str(cfg), "once"]) == 0
