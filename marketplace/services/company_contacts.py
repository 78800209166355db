"""A company's contacts as the seller edits them: warehouse e-mail and phone, messenger ids
and the notification channels it wants per category."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketplace.models import Company, CompanyNotificationSettings, User
from marketplace.models.notification_settings import NotificationCategory, NotificationChannel

from ._common import phones_check

#: The Company fields a seller edits here.
FIELDS = ("warehouse_email", "warehouse_phone")


def company_update_contacts(
    *, company: Company, warehouse_email: str, warehouse_phone: str, by: User | None = None
) -> Company:
    """Set the company's warehouse e-mail and phone (either may be empty) and return the row.

    Raises ValidationError keyed by field for a bad address or phone; nothing is saved then.
    The passed instance gets the new values too.
    """
    phones_check(Company, warehouse_phone=warehouse_phone)
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        locked.warehouse_email = warehouse_email.strip()
        locked.warehouse_phone = warehouse_phone
        locked.clean_fields(exclude=[f.name for f in Company._meta.fields if f.name not in FIELDS])
        locked.save(update_fields=[*FIELDS, "updated_at"])
    company.warehouse_email = locked.warehouse_email
    company.warehouse_phone = locked.warehouse_phone
    return locked


def company_notification_settings_get(*, company: Company) -> CompanyNotificationSettings:
    """The company's settings row, or an unsaved one with the defaults."""
    found = CompanyNotificationSettings.objects.filter(company=company).first()
    return found or CompanyNotificationSettings(company=company)


def company_notification_settings_update(
    *,
    company: Company,
    telegram_id: str = "",
    vk_id: str = "",
    channels: Mapping[str, Sequence[str]],
    by: User | None = None,
) -> CompanyNotificationSettings:
    """Store the company's Telegram / VK ids and its channels per category; return the row.

    `channels` maps each NotificationCategory value to NotificationChannel values (an empty
    list turns the category off; categories left out keep their current choice). Choosing
    Telegram or VK needs the matching id. Raises ValidationError (keyed by field) for an
    unknown category or channel, a non-numeric id or a channel without its id.
    """
    chosen = _channels_check(channels)
    with transaction.atomic():
        row, _created = CompanyNotificationSettings.objects.select_for_update().get_or_create(
            company=company
        )
        row.telegram_id, row.vk_id = telegram_id.strip(), vk_id.strip()
        row.channels = {**row.channels, **chosen}
        row.full_clean(exclude=["company"])
        _ids_check(row)
        row.save()
    return row


@transaction.atomic
def company_preferences_update(
    *,
    company: Company,
    warehouse_email: str,
    warehouse_phone: str,
    telegram_id: str,
    vk_id: str,
    channels: Mapping[str, Sequence[str]],
    by: User | None = None,
) -> CompanyNotificationSettings:
    """The dashboard's preferences form in one transaction: `company_update_contacts` and
    `company_notification_settings_update`; a ValidationError from either saves nothing."""
    company_update_contacts(
        company=company, warehouse_email=warehouse_email, warehouse_phone=warehouse_phone, by=by
    )
    return company_notification_settings_update(
        company=company, telegram_id=telegram_id, vk_id=vk_id, channels=channels, by=by
    )


def _channels_check(channels: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    unknown_categories = sorted(set(channels) - set(NotificationCategory.values))
    unknown_channels = sorted(
        {ch for values in channels.values() for ch in values} - set(NotificationChannel.values)
    )
    if unknown_categories or unknown_channels:
        error = ValidationError(
            _("Unknown categories or channels: %(names)s."),
            code="unknown_channel",
            params={"names": ", ".join(unknown_categories + unknown_channels)},
        )
        raise ValidationError({"channels": error})
    if channels.get(NotificationCategory.TRANSACTIONAL, None) == []:
        error = ValidationError(
            _("Choose at least one channel for transactional messages (orders, stock checks)."),
            code="transactional_required",
        )
        raise ValidationError({"channels": error})
    order = NotificationChannel.values
    return {cat: sorted(set(values), key=order.index) for cat, values in channels.items()}


def _ids_check(row: CompanyNotificationSettings) -> None:
    chosen = {ch for values in row.channels.values() for ch in values}
    errors = {}
    if NotificationChannel.TELEGRAM in chosen and not row.telegram_id:
        errors["telegram_id"] = _("Enter the Telegram id to receive messages in Telegram.")
    if NotificationChannel.VK in chosen and not row.vk_id:
        errors["vk_id"] = _("Enter the VK id to receive messages in VK.")
    if errors:
        raise ValidationError(errors, code="id_required")
