"""The tradealert application: wiring, scheduler, matching, deadlines, delivery, CLI."""
