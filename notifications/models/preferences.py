"""Contact preferences: a buyer's or a company's choice per channel and category."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.events import Category, Channel


class ContactPreference(models.Model):
    """`allowed=False` is an opt-out of (channel, category) for a buyer (`user`) or a seller
    (`company`); no row means allowed. Transactional messages ignore opt-outs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="contact_preferences", verbose_name=_("user"),
    )
    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.CASCADE, null=True, blank=True,
        related_name="contact_preferences", verbose_name=_("company"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    allowed = models.BooleanField(_("allowed"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, company__isnull=True)
                           | models.Q(user__isnull=True, company__isnull=False)),
                name="notifications_preference_one_subject",
            ),
            models.UniqueConstraint(
                fields=["user", "channel", "category"], condition=models.Q(user__isnull=False),
                name="notifications_preference_user_once",
            ),
            models.UniqueConstraint(
                fields=["company", "channel", "category"],
                condition=models.Q(company__isnull=False),
                name="notifications_preference_company_once",
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"company {self.company_id}"
        state = "on" if self.allowed else "off"
        return f"{who}: {self.channel}/{self.category} {state}"
