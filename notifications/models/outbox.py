"""The outbox: one event occurrence (payload stored once), its messages and their attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.events import Category, Channel, Role


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    TEMPORARY_ERROR = "temporary_error", _("Temporary error")
    PERMANENT_ERROR = "permanent_error", _("Permanent error")


class OutboxEvent(models.Model):
    """One occurrence of a catalogue event with the payload its templates see (stored once,
    however many messages it fans out to)."""

    event = models.CharField(_("event"), max_length=100)
    variant = models.CharField(_("variant"), max_length=64, blank=True)
    occurrence = models.CharField(_("occurrence"), max_length=255)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("storefront"),
    )
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("event occurrence")
        verbose_name_plural = _("event occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "variant", "occurrence"], name="notifications_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}{'.' + self.variant if self.variant else ''} ({self.occurrence})"


class OutboxMessage(models.Model):
    """One message of one occurrence to one recipient over one channel.

    PENDING -> SENDING (claimed by one worker) -> SENT / FAILED / SKIPPED, or back to PENDING
    with `next_attempt_at` after a temporary error. Event, variant, category, storefront and
    payload live on `event` (kept narrow: fan-out writes many of these rows at once).
    """

    event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="messages", verbose_name=_("event")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recipient user"),
    )
    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("company"),
    )
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    backend = models.CharField(_("backend"), max_length=32, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    error = models.TextField(_("error or skip reason"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_due_idx"),
            models.Index(fields=["-created_at", "-id"], name="notif_msg_recent_idx"),
            models.Index(fields=["status", "claimed_at"], name="notif_msg_claimed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values),
                name="notifications_message_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.role}/{self.channel} → {self.recipient}"


class DeliveryAttempt(models.Model):
    """One try to hand a message to a backend: when, how long, through what, with what result."""

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts",
        verbose_name=_("message"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration, ms"))
    backend = models.CharField(_("backend"), max_length=32)
    channel = models.CharField(_("channel used"), max_length=16, choices=Channel.choices)
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["message", "number", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"#{self.message_id}.{self.number} {self.outcome}"
