"""Notification models (outbox, templates, preferences) are added by the notification engine."""
