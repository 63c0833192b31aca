"""File channel: one file per message in a folder, written atomically.

Exactly-once by construction: the file name is derived from the outbox row, and a file that
already exists is not written again, so a retried attempt after a crash changes nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from bot.delivery.channels.base import Outcome, Retry, Sent
from state.outbox import OutboxMessage


def message_filename(msg: OutboxMessage) -> str:
    safe_key = re.sub(r"[^A-Za-z0-9_.-]+", "_", msg.message_key)[:80]
    return f"{msg.id:08d}-{safe_key}.txt"


def folder_name(address: str) -> str:
    """The recipient's folder inside the channel's directory, never ``.`` or ``..`` (an address
    from a subscriber CSV must not write beside or above the directory)."""
    name = re.sub(r"[^A-Za-z0-9_.@-]+", "_", address)
    return "_" * max(len(name), 1) if name in ("", ".", "..") else name


class FileChannel:
    name = "file"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _write(self, msg: OutboxMessage) -> Path:
        folder = self.directory / folder_name(msg.address)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / message_filename(msg)
        if target.exists():
            return target
        tmp = target.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(msg.text.rstrip() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        return target

    async def send(self, msg: OutboxMessage) -> Outcome:
        try:
            path = await asyncio.to_thread(self._write, msg)
        except OSError as exc:
            return Retry(f"cannot write file: {exc.strerror or exc}")
        return Sent(str(path))

    async def close(self) -> None:
        return None
