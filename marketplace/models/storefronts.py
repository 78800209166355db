"""Storefronts (the shops of one marketplace) and the marketplace-wide settings row."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Storefront(models.Model):
    """One shop front of the marketplace; buyers belong to one and get mail from its address."""

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    company_name = models.CharField(_("company name"), max_length=200)
    company_email = models.EmailField(
        _("company e-mail"), help_text=_("Sender address for this storefront's buyers.")
    )
    admin_email = models.EmailField(_("administrator e-mail"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=8, default="ru", choices=[("ru", "Русский"), ("en", "English")]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("storefront")
        verbose_name_plural = _("storefronts")

    def __str__(self) -> str:
        return self.name


class MarketplaceSettings(models.Model):
    """The single row of marketplace-wide settings (the "all storefronts" addresses)."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    all_storefronts_email = models.EmailField(
        _("all-storefronts e-mail"),
        help_text=_("Used to and from for administrator notifications."),
    )
    quality_email = models.EmailField(_("quality-control department e-mail"))

    class Meta:
        verbose_name = _("marketplace settings")
        verbose_name_plural = _("marketplace settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="marketplace_settings_single_row"
            )
        ]

    def __str__(self) -> str:
        return str(_("Marketplace settings"))

    @classmethod
    def load(cls) -> "MarketplaceSettings":
        """The settings row, created with placeholder addresses on first use."""
        obj, _created = cls.objects.get_or_create(
            singleton=True,
            defaults={
                "all_storefronts_email": "admin@marketplace.example",
                "quality_email": "quality@marketplace.example",
            },
        )
        return obj
