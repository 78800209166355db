"""The notification engine's admin: delivery log with resend, delivery dashboard, template
overrides with preview and test send, and the Sendsay sync log."""

from . import dashboard, log, overrides, sync

__all__ = ["dashboard", "log", "overrides", "sync"]
