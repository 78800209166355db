"""Template overrides: an administrator's version of a default template, per storefront."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from notifications.events import Channel, Role


class TemplateOverride(models.Model):
    """Replaces the shipped default of (event, role, channel, variant, language) on one
    storefront (or on all when `storefront` is empty; a storefront's own wins). With
    `sendsay_draft_id` the message goes out as that Sendsay draft with the payload as `extra`
    while the module is active; the local content (or the default file) is used otherwise."""

    event = models.CharField(_("event"), max_length=100)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    variant = models.CharField(_("variant"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8)
    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name=_("storefront"),
        help_text=_("Empty: every storefront without an override of its own."),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    html = models.TextField(_("HTML"), blank=True)
    text = models.TextField(_("text"), blank=True)
    sendsay_draft_id = models.CharField(_("Sendsay draft id"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["event", "role", "channel", "variant", "language"]
        verbose_name = _("template override")
        verbose_name_plural = _("template overrides")
        constraints = [
            models.UniqueConstraint(
                "event", "role", "channel", "variant", "language",
                Coalesce("storefront", models.Value(0)),
                name="notifications_override_once",
                violation_error_message=_("This template already has an override here."),
            ),
        ]

    def __str__(self) -> str:
        variant = f".{self.variant}" if self.variant else ""
        return f"{self.event}/{self.role}/{self.channel}{variant} [{self.language}]"

    @property
    def has_content(self) -> bool:
        return bool(self.subject or self.html or self.text)
