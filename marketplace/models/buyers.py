"""Buyer profiles: the buyer side of a user, with what segments and scenarios need."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not specified")
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class BuyerProfile(models.Model):
    """A buyer registered on one storefront."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer_profile",
        verbose_name=_("user"),
    )
    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.PROTECT, related_name="buyers",
        verbose_name=_("storefront"),
    )
    phone = PhoneNumberField(_("phone"), blank=True)
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, blank=True, default=Gender.UNKNOWN
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=500, blank=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(
        _("last activity"), null=True, blank=True, db_index=True
    )
    interests = models.ManyToManyField(
        "marketplace.Category", blank=True, related_name="interested_buyers",
        verbose_name=_("categories of interest"),
    )
    preferred_shipping_method = models.ForeignKey(
        "marketplace.ShippingMethod", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("preferred shipping method"),
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gender__in=Gender.values), name="marketplace_buyer_gender_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.user.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None
