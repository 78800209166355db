"""Services of the notification engine: emit, deliver, sweep, preferences."""

from .delivery import DeliveryReport, outbox_claim, outbox_deliver, outbox_release
from .enqueue import deliveries_enqueue
from .outbox import emit, idempotency_key, occurrence_default
from .preferences import (
    preferences_get,
    preferences_save,
    subject_name,
    subject_unsubscribe,
)
from .sweeper import SweepReport, outbox_sweep
from .testsend import template_send_test

__all__ = [
    "DeliveryReport",
    "SweepReport",
    "deliveries_enqueue",
    "emit",
    "idempotency_key",
    "occurrence_default",
    "outbox_claim",
    "outbox_deliver",
    "outbox_release",
    "outbox_sweep",
    "preferences_get",
    "preferences_save",
    "subject_name",
    "subject_unsubscribe",
    "template_send_test",
]
