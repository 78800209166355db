"""Notification engine: event catalogue, templates, outbox, dispatch and channels."""
