"""python-telegram-bot persistence in our own SQLite database (through ``state.telegram``).

Only what a dialog needs to survive a restart is stored: the states of the persistent
ConversationHandlers and ``user_data`` (the forward an admin is editing). ``bot_data`` holds
the live dependencies and ``chat_data`` is unused, so neither is stored. PTB writes changes
every ``update_interval`` seconds and on a clean stop; a kill -9 loses at most that many
seconds of dialog state (the person is asked again), never any subscriber data.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from state import telegram as tgstate


class SqlitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.db = db

    async def get_conversations(self, name: str) -> ConversationDict:
        return tgstate.conversations(self.db, name)

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        tgstate.save_conversation(self.db, name, key, new_state)

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return tgstate.dialog_user_data(self.db)

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        tgstate.save_user_data(self.db, user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        tgstate.save_user_data(self.db, user_id, {})

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    # Not stored (see the module docstring).
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None  # every update is written (and committed) as it comes
