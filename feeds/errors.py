"""Errors a user can cause, with a message fit to show in 繁體中文 and English."""

from __future__ import annotations


class UserError(Exception):
    """An error caused by user input (config, CLI arguments, uploaded files, commands).

    ``zh`` and ``en`` say the same thing; ``str(err)`` gives both, Chinese first.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def for_language(self, lang: str) -> str:
        return self.en if lang.lower().startswith("en") else self.zh


class ConfigError(UserError):
    """The configuration file or environment is invalid."""
