"""Associations (公會) forwarding alerts to their member firms."""
