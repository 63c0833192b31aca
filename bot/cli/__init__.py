"""The command line: service, one-shot cycle, demo, and the admin commands."""
