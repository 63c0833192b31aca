"""Delivery: the outbox worker and the channels that send one row each."""
