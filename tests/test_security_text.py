"""Text from strangers keeps its words and loses its tricks: bidi overrides and control
characters (ESC sequences that rewrite the operator's terminal) from a feed, a roster or a
typed name reach no surface; a file-channel address never writes outside its directory."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.channels.file import FileChannel
from feeds.registry import parser_for
from feeds.safetext import visible
from state.outbox import OutboxMessage
from tests.conftest import NOW, fresh_db_file, watched_sources, write_config

ROOT = Path(__file__).resolve().parent.parent
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TRICKS = "\u202e\x1b[2J\x1b]0;owned\x07\u2066"


def removed(c: str) -> bool:
    """What may not reach a reader: controls (but tab and line breaks), bidi formatting,
    interlinear annotation marks."""
    return (unicodedata.category(c) == "Cc" and c not in "\t\n\r") or c in BIDI or c in "\ufff9\ufffa\ufffb"


def tricky(text: str) -> bool:
    return any(removed(c) for c in text)


@given(st.text())
def test_visible_text_has_no_controls_or_bidi_and_keeps_every_other_character(text: str) -> None:
    assert visible(text) == "".join(c for c in text if not removed(c))


def test_chinese_text_with_line_breaks_and_tabs_is_unchanged() -> None:
    text = "關務署公告：\n\t自 115 年 3 月 2 日起（CSMS #68396594）"
    assert visible(text) == text


def _federal_register(title: str, abstract: str) -> bytes:
    data = json.loads((ROOT / "feeds" / "samples" / "federal_register.json").read_text(encoding="utf-8"))
    data["results"][0]["title"] = title + data["results"][0]["title"]
    data["results"][0]["abstract"] = abstract + data["results"][0]["abstract"]
    return json.dumps(data).encode()


def test_every_source_kind_hands_on_titles_and_texts_without_tricks() -> None:
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>關稅 {TRICKS[0]}fdp.exe'
           f'</title><link>https://x.test/1</link><guid>1</guid><description>內文 {TRICKS[0]}反 {TRICKS[-1]}隔'
           "</description><pubDate>Mon, 20 Apr 2026 10:00:00 GMT</pubDate></item></channel></rss>").encode()  # fmt: skip
    items = [
        *parser_for("rss", now=NOW, language="zh-TW")(rss, "tw").items,
        *parser_for("federal_register", now=NOW)(_federal_register(TRICKS, TRICKS), "fr").items,
    ]
    assert items and not any(tricky(a.title) or tricky(a.body) for a in items)
    assert items[0].title == "關稅 fdp.exe" and "內文 反 隔" in items[0].body  # the words stay


def test_a_feed_with_terminal_escapes_prints_none_on_the_operators_console(cli, tmp_path: Path) -> None:
    feed = tmp_path / "fr.json"
    feed.write_bytes(_federal_register(TRICKS, TRICKS))
    cfg = write_config(tmp_path, f"""
[service]
database = "{fresh_db_file(tmp_path / 'c.db')}"
alert_max_age = "3650d"
[console]
enabled = true
[[sources]]
name = "fr"
kind = "federal_register"
url = "{feed.as_uri()}"
""")  # fmt: skip
    from bot.config import load_config
    from state.db import open_db

    watched_sources(open_db(load_config(cfg).service.database), load_config(cfg))
    c = ["--config", str(cfg)]
    sid = json.loads(cli(*c, "subscriber", "add", "--name", "終端機", "--channel", "console", "--address", "op",
                         "--json").stdout)["id"]  # fmt: skip
    assert cli(*c, "subscribe", str(sid), "--all").returncode == 0
    once = cli(*c, "once", "--force")
    assert once.returncode == 0, once.stderr
    assert "Procedures for Refunds" in once.stdout  # the alert was printed …
    assert not tricky(once.stdout) and not tricky(once.stderr)  # … without the escapes


def test_roster_names_and_typed_keywords_reach_the_terminal_without_escapes(cli, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, f'[service]\ndatabase = "{fresh_db_file(tmp_path / "r.db")}"\n')
    c = ["--config", str(cfg)]
    assert cli(*c, "association", "create", "--name", "公會", "--prefix", "公").returncode == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(f"會員名稱,email\n大同{TRICKS}機械,a@datong.tw\n", encoding="utf-8")
    assert cli(*c, "association", "import-members", "1", str(roster)).returncode == 0
    members = cli(*c, "association", "members", "1")
    assert "大同" in members.stdout and "機械" in members.stdout and not tricky(members.stdout)
    sid = json.loads(cli(*c, "subscriber", "add", "--name", f"永信{TRICKS}", "--channel", "file", "--address", "b",
                         "--json").stdout)["id"]  # fmt: skip
    assert cli(*c, "subscribe", str(sid), "--keyword", f"鋼{TRICKS}鐵").returncode == 0
    listed = cli(*c, "subscriber", "list")
    assert "永信" in listed.stdout and "鋼" in listed.stdout and not tricky(listed.stdout)


async def test_the_file_channel_never_writes_outside_its_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    channel = FileChannel(out)
    for i, address in enumerate(("..", ".", "../..", "a/../../b"), start=1):
        msg = OutboxMessage(id=i, subscriber_id=1, channel="file", address=address, kind="alert", message_key=f"k{i}",
                            language="zh-TW", subject="s", text="t", html=(), payload={}, attempts=1)  # fmt: skip
        await channel.send(msg)
    written = [p for p in tmp_path.rglob("*.txt")]
    assert len(written) == 4 and all(out in p.parents for p in written), written
