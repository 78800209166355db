"""Forms of the vendor dashboard: sign-in, password reset, orders, stock check, preferences."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from marketplace.models import (
    CompanyNotificationSettings,
    OrderLine,
    OrderStatus,
    SellerProfile,
    User,
)
from marketplace.models.notification_settings import NotificationCategory, NotificationChannel

#: The statuses a seller may move its orders to (the rest belong to the carrier).
SELLER_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.HANDED_TO_CARRIER, OrderStatus.CANCELLED)


class SellerLoginForm(AuthenticationForm):
    """Django's sign-in form that lets in seller staff only."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_seller": _(
            "This account does not belong to a seller. Buyers sign in on their storefront."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not SellerProfile.objects.filter(user=user).exists():
            raise forms.ValidationError(self.error_messages["not_seller"], code="not_seller")


class SellerPasswordResetForm(PasswordResetForm):
    """Password reset for seller staff, mailed from the seller's storefront address.

    The message goes through Django's mail (EMAIL_BACKEND), i.e. the project's mail path.
    """

    def get_users(self, email: str) -> Iterable[User]:
        return (
            user for user in super().get_users(email)
            if SellerProfile.objects.filter(user=user).exists()
        )

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        user = context["user"]
        profile = SellerProfile.objects.select_related("company__storefront").get(user=user)
        storefront = profile.company.storefront
        context["storefront"] = storefront
        super().send_mail(
            subject_template_name, email_template_name, context,
            from_email or f"{storefront.name} <{storefront.company_email}>",
            to_email, html_email_template_name,
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class OrderFilterForm(forms.Form):
    """GET filters of the order list; every field is optional."""

    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any status")), *OrderStatus.choices],
    )
    date_from = forms.DateField(label=_("Placed from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Placed to"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start date must not be after the end date."), code="date_range"
            )
        return data

    def filters(self) -> dict:
        """The cleaned filters (empty when the form is invalid, so the list stays usable)."""
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class OrderStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in SELLER_STATUSES],
        error_messages={"invalid_choice": _("Sellers cannot set the status “%(value)s”.")},
    )


class StockCheckForm(forms.Form):
    """One radio pair per order line: available or not."""

    CHOICES = [("1", _("Available")), ("0", _("Not available"))]

    def __init__(self, *args, lines: Iterable[OrderLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.ChoiceField(
                label=f"{line.product_name} × {line.quantity}",
                choices=self.CHOICES,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[int, bool]:
        return {line.pk: self.cleaned_data[f"line_{line.pk}"] == "1" for line in self.lines}


def _channel_field(label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=NotificationChannel.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class PreferencesForm(forms.Form):
    """Channels per category, messenger ids and warehouse contacts of the seller's company."""

    transactional = _channel_field(_("Transactional messages (orders, stock checks)"))
    marketing = _channel_field(_("Marketing messages (news, offers)"))
    telegram_id = forms.CharField(
        label=_("Telegram id"), required=False, max_length=20,
        help_text=_("The numeric Telegram user id, not the @name."),
    )
    vk_id = forms.CharField(
        label=_("VK id"), required=False, max_length=20, help_text=_("The numeric VK user id.")
    )
    warehouse_email = forms.EmailField(label=_("Warehouse e-mail"), required=False)
    warehouse_phone = PhoneNumberField(
        label=_("Warehouse phone"), required=False,
        help_text=_("With the country code, for example +7 912 345-67-89."),
    )

    @classmethod
    def initial_for(cls, company, row: CompanyNotificationSettings) -> dict:
        return {
            "transactional": row.channels_for(NotificationCategory.TRANSACTIONAL),
            "marketing": row.channels_for(NotificationCategory.MARKETING),
            "telegram_id": row.telegram_id,
            "vk_id": row.vk_id,
            "warehouse_email": company.warehouse_email,
            "warehouse_phone": company.warehouse_phone,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "warehouse_email": data["warehouse_email"],
            "warehouse_phone": str(data["warehouse_phone"] or ""),
            "telegram_id": data["telegram_id"],
            "vk_id": data["vk_id"],
            "channels": {
                NotificationCategory.TRANSACTIONAL: data["transactional"],
                NotificationCategory.MARKETING: data["marketing"],
            },
        }

    def add_service_error(self, error) -> None:
        """Put a service ValidationError on the fields it names (unknown keys: the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            for item in errors:
                self.add_error(field if field in self.fields else None, item)
