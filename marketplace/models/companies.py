"""Sellers: the company (vendor) and the staff users who work for it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class CompanyStatus(models.TextChoices):
    NEW = "new", _("New")
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    DISABLED = "disabled", _("Disabled")


class Company(models.Model):
    """A seller on the marketplace; its orders, products and messages belong to it."""

    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.PROTECT, related_name="companies",
        verbose_name=_("storefront"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = PhoneNumberField(_("phone"), blank=True)
    warehouse_email = models.EmailField(_("warehouse e-mail"), blank=True)
    warehouse_phone = PhoneNumberField(_("warehouse phone"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.NEW,
        db_index=True,
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company (seller)")
        verbose_name_plural = _("companies (sellers)")
        constraints = [
            models.UniqueConstraint(
                fields=["storefront", "name"], name="marketplace_company_name_per_storefront"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CompanyStatus.values),
                name="marketplace_company_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SellerProfile(models.Model):
    """Links a user to the company they work for (seller staff)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_profile",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="staff", verbose_name=_("company")
    )
    is_owner = models.BooleanField(_("owner"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("seller staff member")
        verbose_name_plural = _("seller staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"
