"""Proactive messages: when reminders are due, the scheduler's scans, recipients, the outbox."""
