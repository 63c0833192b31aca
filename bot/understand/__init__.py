"""Understanding one announcement: facts, topics and the 繁體中文 summary (pure)."""
