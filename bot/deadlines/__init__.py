"""Deadlines: entry numbers, working-day calendars, calculators, tracking and reminders."""
