"""The Sendsay sync outbox: contact profiles (member.set) and e-commerce events (ssec) waiting
to reach Sendsay, with the same claim / retry / sweep life cycle as the message outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .outbox import MessageStatus


class SyncKind(models.TextChoices):
    MEMBER = "member", _("Profile (member.set)")
    EVENT = "event", _("E-commerce event (ssec)")


class SyncRole(models.TextChoices):
    """Whose Sendsay contact a row is about: a buyer (the user's e-mail) or a seller company
    (the company's e-mail)."""

    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")


class SyncItem(models.Model):
    """One thing to tell Sendsay.

    * kind MEMBER: one row per contact, forever (`key` = ``member:<role>:<id>``). A change of
      the contact bumps `generation` and makes the row PENDING again, so many changes before a
      flush coalesce into one member.set carrying the values read at send time.
    * kind EVENT: one row per e-commerce event occurrence (`key` makes emitting it twice a
      no-op); `refs` holds the ids it is built from at send time, `event_type` the ssec type.
      Rows sharing an `ordering_key` (one order) are sent in id order.

    PENDING -> SENDING (claimed with a token) -> SENT / FAILED / SKIPPED, or back to PENDING
    with `next_attempt_at` after a temporary error, exactly like `OutboxMessage`.
    """

    kind = models.CharField(_("kind"), max_length=8, choices=SyncKind.choices)
    key = models.CharField(_("key"), max_length=160, unique=True)
    source_event = models.CharField(_("event"), max_length=100)
    role = models.CharField(_("contact role"), max_length=8, choices=SyncRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name=_("buyer"),
    )
    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name=_("company"),
    )
    event_type = models.PositiveSmallIntegerField(_("ssec event type"), null=True, blank=True)
    refs = models.JSONField(_("references"), default=dict, blank=True)
    ordering_key = models.CharField(_("ordering key"), max_length=64, blank=True)
    generation = models.PositiveIntegerField(_("changes"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    login = models.CharField(_("Sendsay login"), max_length=200, blank=True)
    error = models.TextField(_("error or skip reason"), blank=True)
    created_at = models.DateTimeField(_("created"))
    changed_at = models.DateTimeField(_("last change"))

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("Sendsay sync item")
        verbose_name_plural = _("Sendsay sync")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_sync_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="notif_sync_claimed_idx"),
            models.Index(fields=["ordering_key", "status"], name="notif_sync_order_idx"),
            models.Index(fields=["-changed_at", "-id"], name="notif_sync_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values),
                name="notifications_sync_status_valid",
            ),
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, company__isnull=True)
                           | models.Q(user__isnull=True, company__isnull=False)),
                name="notifications_sync_one_contact",
            ),
        ]

    def __str__(self) -> str:
        contact = f"user {self.user_id}" if self.user_id else f"company {self.company_id}"
        what = "profile" if self.kind == SyncKind.MEMBER else f"ssec {self.event_type}"
        return f"#{self.pk} {what} of {contact}"
