"""``run.py subscriber import``, ``run.py topics`` and refusing unknown topics and sources,
driven in-process through ``bot.cli.main.main`` as a user would type them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import load_config
from state.db import open_db
from tests.conftest import watched_sources, write_config

ROOT = Path(__file__).resolve().parent.parent
HEADER = "name,channel,address,lang,tz,topics,keywords,hts\n"


@pytest.fixture
def cfg(tmp_path: Path) -> list[str]:
    samples = ROOT / "feeds" / "samples"
    path = write_config(tmp_path, f"""
[service]
database = "{tmp_path / 'i.db'}"
alert_max_age = "3650d"
[console]
enabled = false
[file]
directory = "{tmp_path / 'out'}"
[[sources]]
name = "csms"
kind = "csms_rss"
url = "{(samples / 'csms_rss.xml').as_uri()}"
""")  # fmt: skip
    return ["--config", str(path)]


def _listed(cfg: list[str], capsys) -> list[dict]:
    capsys.readouterr()
    assert main([*cfg, "subscriber", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_adds_subscribers_with_their_subscriptions_and_they_get_alerts(cfg, tmp_path, capsys) -> None:
    csv = tmp_path / "firms.csv"
    csv.write_text(HEADER + "永信報關行,file,broker-1,zh-TW,Asia/Taipei,ieepa_cape;ace,退稅;CAPE,9903.01;8471\n"
                   "Acme Imports,file,acme,en,America/New_York,,de minimis,\n"
                   '"大同, 機械",file,datong,,,all,,\n', encoding="utf-8")  # fmt: skip
    assert main([*cfg, "subscriber", "import", str(csv), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"added": 3, "updated": 0, "subscriptions": 8}
    rows = {r["address"]: r for r in _listed(cfg, capsys)}
    assert rows["broker-1"]["subscriptions"] == ["hts:8471", "hts:9903.01", "keyword:CAPE", "keyword:退稅",
                                                 "topic:ace", "topic:ieepa_cape"]  # fmt: skip
    assert (rows["acme"]["language"], rows["acme"]["timezone"]) == ("en", "America/New_York")
    assert rows["datong"]["name"] == "大同, 機械" and rows["datong"]["subscriptions"] == ["all:"]
    assert all(r["token"] for r in rows.values())
    # The same file again: updated, nothing doubled.
    assert main([*cfg, "subscriber", "import", str(csv), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"added": 0, "updated": 3, "subscriptions": 0}
    # Imported subscribers are real subscribers: the CAPE sample reaches broker-1.
    config = load_config(cfg[1], env={})
    db = open_db(config.service.database)
    watched_sources(db, config)  # the sample's items arrive as news, not as the first poll's baseline
    db.close()
    assert main([*cfg, "once", "--force"]) == 0
    assert any("68396594" in p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "broker-1").glob("*.txt"))


def test_import_reads_big5_from_taiwanese_excel(cfg, tmp_path, capsys) -> None:
    csv = tmp_path / "big5.csv"
    csv.write_bytes((HEADER + "台灣區車輛工業同業公會,email,sec@tva.org.tw,,,ieepa_cape,關稅,\n").encode("cp950"))
    assert main([*cfg, "subscriber", "import", str(csv)]) == 0
    assert "1 added" in capsys.readouterr().out
    (row,) = _listed(cfg, capsys)
    assert row["name"] == "台灣區車輛工業同業公會" and row["subscriptions"] == ["keyword:關稅", "topic:ieepa_cape"]


def test_a_bad_file_imports_nothing_and_names_every_bad_line(cfg, tmp_path, capsys) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(HEADER + "ok,file,a,,,ace,,\n"
                   "typo,file,b,,,ieepa_cpae,,\n"
                   "mail,email,not-an-address,,,,,\n"
                   "again,file,a,,,,,\n"
                   "zone,file,c,,Mars/Olympus,,,\n"
                   "hts,file,d,,,,,n/a\n", encoding="utf-8")  # fmt: skip
    assert main([*cfg, "subscriber", "import", str(csv)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("錯誤：") and "\nerror: " in err and "Traceback" not in err
    for n in (3, 4, 5, 6, 7):
        assert f"第 {n} 行" in err and f"line {n}:" in err
    assert "ieepa_cpae" in err and "line 2 " not in err and "same address as line 2" in err
    assert _listed(cfg, capsys) == []


def test_a_file_without_the_named_columns_is_refused(cfg, tmp_path, capsys) -> None:
    csv = tmp_path / "cols.csv"
    csv.write_text("firm,email\nA,a@b.tw\n", encoding="utf-8")
    assert main([*cfg, "subscriber", "import", str(csv)]) == 2
    assert "line 1 must name the columns" in capsys.readouterr().err


def test_topics_lists_the_ids_one_can_subscribe_to(cfg, capsys) -> None:
    assert main([*cfg, "topics"]) == 0
    out = capsys.readouterr().out
    assert "ieepa_cape" in out and "section_232" in out
    assert main([*cfg, "topics", "--json"]) == 0
    ids = [t["id"] for t in json.loads(capsys.readouterr().out)]
    assert "ieepa_cape" in ids and all(t for t in ids)


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--topic", "ieepa"], "unknown topic 'ieepa'"), (["--mute", "nope"], "unknown topic"),
     (["--urgent", "nope"], "unknown topic"), (["--source", "cbp"], "unknown source 'cbp'; known: csms")],
)  # fmt: skip
def test_subscribing_to_an_unknown_topic_or_source_is_refused(cfg, capsys, args, needle) -> None:
    assert main([*cfg, "subscriber", "add", "--name", "a", "--channel", "file", "--address", "a"]) == 0
    assert main([*cfg, "subscribe", "1", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and "錯誤：" in err
    assert main([*cfg, "subscribe", "1", "--topic", "ieepa_cape"]) == 0
    assert main([*cfg, "subscribe", "1", "--source", "csms"]) == 0
