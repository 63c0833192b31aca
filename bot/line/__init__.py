"""LINE as a surface: the webhook (follow, unfollow, text commands) and binding codes."""
