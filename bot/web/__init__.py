"""The HTTP side: calendar feeds, health, unsubscribe and opt-out."""
