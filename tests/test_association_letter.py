"""An association's 公文: 主旨 in Chinese, 說明 opening with 依據 and numbered points with no
empty headings (rendered from templates/association_letter.*.j2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot.associations.forwarding import (
    cn_number,
    document_html,
    document_text,
    explanation,
    forward_subject,
)
from bot.understand.titles import english_outside_brackets
from bot.understand.understanding import understand
from feeds.model import Announcement
from state.associations import Association, Forward

SEED0 = (Path(__file__).parent / "corpus" / "000_seed_cnfi_csms68396594.txt").read_text(encoding="utf-8")
NOW = datetime(2026, 4, 24, 2, 0, tzinfo=UTC)
EMPTY_HEADING = re.compile(r"^[一二三四五六七八九十]+、[^：\n]{0,10}：\s*$", re.MULTILINE)


def _letter(ann: Announcement) -> tuple[str, str, str]:
    u = understand(ann, now=NOW)
    return forward_subject(ann, u.facts), explanation(ann, u.summary_zh, u.facts), u.summary_zh


def test_forward_of_a_csms_cites_it_and_numbers_its_points() -> None:
    body = SEED0[SEED0.index("Cargo Systems Messaging") :]
    title = "CSMS # 68396594 - AVAILABLE NOW – Consolidated Administration and Processing of Entries (CAPE) for IEEPA Refunds"
    ann = Announcement(key="csms:68396594", source="cbp", kind="csms_rss", ext_id="68396594", title=title,
                       url="https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632",
                       published=datetime(2026, 4, 20, 11, 18, tzinfo=UTC), body=body)  # fmt: skip
    subject, text, _ = _letter(ann)
    lines = text.splitlines()
    assert lines[0] == "一、依據美國海關與邊境保護署（CBP）115年4月20日貨物系統訊息服務（CSMS）#68396594 訊息辦理。"
    assert [line.split("、", 1)[0] for line in lines] == [cn_number(i) for i in range(1, len(lines) + 1)]
    assert not EMPTY_HEADING.search(text) and "重點" not in text and "標題" not in text
    assert lines[-1].endswith("原文連結：https://content.govdelivery.com/accounts/USDHSCBP/bulletins/413a632")
    assert any("CAPE 第一階段受理" in line for line in lines)
    assert subject.startswith("轉知「CSMS #68396594：") and not english_outside_brackets(subject)


def test_forward_of_a_letter_cites_the_letter() -> None:
    ann = Announcement(key="guid:cnfi:1", source="cnfi", kind="rss", ext_id="1", title="", url="https://cnfi.example/1",
                       published=NOW, body=SEED0, language="zh-TW")  # fmt: skip
    subject, text, _ = _letter(ann)
    assert text.startswith("一、依據中華民國全國工業總會115年4月24日榮貿字第1150001436號函辦理。")
    assert subject == "轉知「有關美國海關與邊境保護署(CBP)發布第一階段IEEPA退稅系統已上線之訊息事」，請查照。"
    assert not EMPTY_HEADING.search(text)


def test_letter_renders_from_templates_and_escapes_html() -> None:
    a = Association(id=1, subscriber_id=1, name="台灣區車輛工業同業公會", letterhead="台灣區車輛工業同業公會 函",
                    ref_prefix="車工", ref_seq=1, mode="approval")  # fmt: skip
    f = Forward(id=1, association_id=1, announcement_key="k", ref_no="車工字第1150001號", issued_on="中華民國115年4月24日",
                subject="轉知「<b>x</b>」，請查照。", body="一、依據…辦理。\n二、<script>", status="approved",
                decided_by=None)  # fmt: skip
    text = document_text(a, f)
    assert text.splitlines()[:5] == ["台灣區車輛工業同業公會 函", "發文日期：中華民國115年4月24日", "發文字號：車工字第1150001號",
                                     "主旨：轉知「<b>x</b>」，請查照。", "說明："]  # fmt: skip
    html = document_html(a, f)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<script>" not in html
