"""The Telegram bot (python-telegram-bot): commands, buttons and the runtime."""
