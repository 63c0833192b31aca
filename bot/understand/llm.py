"""Optional LLM prose for the summary: any OpenAI-compatible chat-completions endpoint.

Off unless ``[summary] llm_url`` is set. The deterministic summary is always computed first and
is the fallback for every failure (timeout, HTTP error, odd JSON, empty answer), so a slow or
broken model can never hold up or break a sweep. The API key is sent as a bearer token and
never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

import aiohttp

from bot.config import SummaryConfig
from bot.understand.understanding import Understanding
from feeds.model import Announcement

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 3000
SYSTEM_PROMPT = (
    "你是台灣關務快訊的編輯。請用繁體中文（臺灣用語）為進出口業者摘要下列美國海關或臺灣政府公告："
    "標題、3至5點重點（異動內容、影響對象、關鍵日期以台北時間表示並附原文時間、建議行動）、相關連結。"
    "只根據提供的內容，不要臆測；日期與時間請照抄提供的「參考摘要」。"
)


@dataclass(frozen=True, slots=True)
class LlmSummary:
    text: str
    used_llm: bool
    error: str | None = None


def enabled(cfg: SummaryConfig) -> bool:
    return bool(cfg.llm_url and cfg.llm_model)


def build_request(ann: Announcement, u: Understanding, cfg: SummaryConfig) -> dict:
    stored = u.facts.to_json()
    facts = {k: stored.get(k) for k in ("csms_number", "title", "events", "dates", "related_csms")}
    user = (
        f"標題：{ann.title}\n\n內文（節錄）：\n{ann.body[:6000]}\n\n"
        f"已擷取資料：{json.dumps(facts, ensure_ascii=False)}\n\n參考摘要：\n{u.summary_zh}"
    )
    return {
        "model": cfg.llm_model,
        "temperature": 0,
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
    }


def _reply_text(data: object) -> str | None:
    try:
        content = data["choices"][0]["message"]["content"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(content, str) or not content.strip():
        return None
    return content.strip()[:MAX_REPLY_CHARS]


async def _call(session: aiohttp.ClientSession, ann: Announcement, u: Understanding, cfg: SummaryConfig) -> str | None:
    headers = {"Content-Type": "application/json"}
    if cfg.llm_api_key is not None and cfg.llm_api_key.get_secret_value():
        headers["Authorization"] = f"Bearer {cfg.llm_api_key.get_secret_value()}"
    timeout = aiohttp.ClientTimeout(total=cfg.llm_timeout)
    async with session.post(cfg.llm_url, json=build_request(ann, u, cfg), headers=headers, timeout=timeout) as resp:
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}")
        return _reply_text(await resp.json(content_type=None))


async def llm_summary(
    ann: Announcement,
    u: Understanding,
    cfg: SummaryConfig,
    *,
    session: aiohttp.ClientSession | None = None,
) -> LlmSummary:
    """The model's summary within ``llm_timeout`` seconds, else the deterministic one."""
    if not enabled(cfg):
        return LlmSummary(u.summary_zh, False)
    own = session is None
    sess = session or aiohttp.ClientSession()
    try:
        text = await asyncio.wait_for(_call(sess, ann, u, cfg), timeout=cfg.llm_timeout + 1)
    except Exception as exc:  # every failure falls back; the sweep goes on
        error = "timeout" if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__
        log.warning("llm summary failed key=%s error=%s; using deterministic summary", ann.key, error)
        return LlmSummary(u.summary_zh, False, error)
    finally:
        if own:
            await sess.close()
    if text is None:
        log.warning("llm summary empty key=%s; using deterministic summary", ann.key)
        return LlmSummary(u.summary_zh, False, "empty")
    return LlmSummary(text, True)
