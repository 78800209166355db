"""Notification models: the outbox, template overrides and contact preferences."""

from .dashboard import DeliveryDashboard
from .outbox import AttemptOutcome, DeliveryAttempt, MessageStatus, OutboxEvent, OutboxMessage
from .preferences import ContactPreference
from .sync import SyncItem, SyncKind, SyncRole
from .templates import TemplateOverride

__all__ = [
    "AttemptOutcome",
    "ContactPreference",
    "DeliveryAttempt",
    "DeliveryDashboard",
    "MessageStatus",
    "OutboxEvent",
    "OutboxMessage",
    "SyncItem",
    "SyncKind",
    "SyncRole",
    "TemplateOverride",
]
