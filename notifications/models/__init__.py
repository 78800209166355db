"""Notification models: the outbox, template overrides and contact preferences."""

from .outbox import AttemptOutcome, DeliveryAttempt, MessageStatus, OutboxEvent, OutboxMessage
from .preferences import ContactPreference
from .templates import TemplateOverride

__all__ = [
    "AttemptOutcome",
    "ContactPreference",
    "DeliveryAttempt",
    "MessageStatus",
    "OutboxEvent",
    "OutboxMessage",
    "TemplateOverride",
]
