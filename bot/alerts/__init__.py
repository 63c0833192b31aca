"""Alerts: who gets an announcement and why, rendering through templates/, and digests."""
