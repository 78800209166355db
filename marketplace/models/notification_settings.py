"""A company's notification settings: messenger ids and the channels it wants per category."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationCategory(models.TextChoices):
    """Same values as `notifications.events.Category` (the marketplace must not import it)."""

    TRANSACTIONAL = "transactional", _("Transactional")
    MARKETING = "marketing", _("Marketing")


class NotificationChannel(models.TextChoices):
    """The channels a seller may choose; values match `notifications.events.Channel`."""

    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    VK = "vk", _("VK")
    VIBER = "viber", _("Viber")


#: What a company without a settings row (or without a category in it) gets.
DEFAULT_CHANNELS: dict[str, list[str]] = {
    NotificationCategory.TRANSACTIONAL: [NotificationChannel.EMAIL],
    NotificationCategory.MARKETING: [NotificationChannel.EMAIL],
}

numeric_id_validator = RegexValidator(
    r"^\d{1,20}$", _("Enter the numeric id (digits only), not a user name."), code="numeric_id"
)


class CompanyNotificationSettings(models.Model):
    """One row per company: Telegram / VK ids and `channels` = {category: [channel, ...]}."""

    company = models.OneToOneField(
        "marketplace.Company", on_delete=models.CASCADE, related_name="notification_settings",
        verbose_name=_("company"),
    )
    telegram_id = models.CharField(
        _("Telegram id"), max_length=20, blank=True, validators=[numeric_id_validator],
        help_text=_("The numeric Telegram user id, not the @name."),
    )
    vk_id = models.CharField(
        _("VK id"), max_length=20, blank=True, validators=[numeric_id_validator],
        help_text=_("The numeric VK user id."),
    )
    channels = models.JSONField(
        _("channels per category"), default=dict, blank=True,
        help_text=_('For example {"transactional": ["email", "telegram"], "marketing": []}.'),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("company notification settings")
        verbose_name_plural = _("company notification settings")

    def __str__(self) -> str:
        return str(_("Notification settings of %(company)s") % {"company": self.company})

    def channels_for(self, category: str) -> list[str]:
        """The channels chosen for `category`, or the default when never chosen."""
        return list(self.channels.get(category, DEFAULT_CHANNELS.get(category, [])))
