"""Models of the Sendsay connection app: worker heartbeats, the Sendsay accounts with their
check results and error log, profile-field mappings and sender addresses."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from . import crypto


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker on a host ran the heartbeat task (shown to admins)."""

    hostname = models.CharField(_("worker"), max_length=255, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class AccountStatus(models.TextChoices):
    """Checks store not_configured / connected / failing; `state` adds disabled."""

    NOT_CONFIGURED = "not_configured", _("Not configured")
    CONNECTED = "connected", _("Connected")
    FAILING = "failing", _("Failing")
    DISABLED = "disabled", _("Disabled")


class SendsayAccount(models.Model):
    """Sendsay credentials and the last connection check, marketplace-wide (no storefront, at
    most one) or for one storefront. The API key is stored only as Fernet ciphertext."""

    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.CASCADE, null=True, blank=True,
        related_name="sendsay_accounts", verbose_name=_("storefront"),
        help_text=_("Empty: the marketplace-wide account, used by every storefront without "
                    "an account of its own."),
    )
    login = models.CharField(_("API login"), max_length=200, blank=True)
    api_key_encrypted = models.TextField(_("API key (encrypted)"), blank=True, editable=False)
    enabled = models.BooleanField(_("module enabled"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices,
        default=AccountStatus.NOT_CONFIGURED,
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    account_name = models.CharField(_("account name"), max_length=300, blank=True)
    tariff = models.CharField(_("tariff"), max_length=200, blank=True)
    is_free_plan = models.BooleanField(_("free plan"), default=False)
    contacts_limit = models.BigIntegerField(_("contacts limit"), null=True, blank=True)
    contacts_rest = models.BigIntegerField(_("contacts left"), null=True, blank=True)
    last_error_id = models.CharField(_("last error id"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Sendsay account")
        verbose_name_plural = _("Sendsay accounts")
        constraints = [
            # One account per storefront and a single marketplace-wide one (NULL -> 0).
            models.UniqueConstraint(
                Coalesce("storefront", models.Value(0)), name="sendsay_account_one_per_scope",
                violation_error_message=_("This scope already has a Sendsay account."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AccountStatus.values),
                name="sendsay_account_status_valid",
            ),
        ]

    def __str__(self) -> str:
        scope = self.storefront.name if self.storefront_id else _("All storefronts")
        return f"{scope}: {self.login or '-'}"

    @property
    def scope_label(self) -> str:
        return self.storefront.name if self.storefront_id else str(_("All storefronts"))

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)

    def set_api_key(self, api_key: str) -> None:
        """Keep only the ciphertext of `api_key` (saved with the next `save()`)."""
        self.api_key_encrypted = crypto.secret_encrypt(api_key) if api_key else ""

    @property
    def api_key(self) -> str:
        """The clear key, decrypted on each access ('' when none is stored)."""
        return crypto.secret_decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @property
    def state(self) -> str:
        """not_configured (no login or key), disabled (module off), else the check status."""
        if not (self.login and self.api_key_encrypted):
            return AccountStatus.NOT_CONFIGURED
        if not self.enabled:
            return AccountStatus.DISABLED
        return self.status

    def get_state_display(self) -> str:
        return str(AccountStatus(self.state).label)


class SendsayErrorLog(models.Model):
    """A Sendsay error seen by the product, for the admin and the support report (no secrets)."""

    account = models.ForeignKey(
        SendsayAccount, on_delete=models.CASCADE, related_name="errors", verbose_name=_("account")
    )
    action = models.CharField(_("action"), max_length=100, blank=True)
    error_id = models.CharField(_("error id"), max_length=200, blank=True)
    explain = models.TextField(_("explanation"), blank=True)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("Sendsay error")
        verbose_name_plural = _("Sendsay errors")

    def __str__(self) -> str:
        return f"{self.action}: {self.error_id}"


class MappingRole(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")


class FieldMapping(models.Model):
    """A marketplace profile field sent to a Sendsay field (`base.firstName`, `custom.city`)."""

    account = models.ForeignKey(
        SendsayAccount, on_delete=models.CASCADE, related_name="field_mappings",
        verbose_name=_("account"),
    )
    role = models.CharField(_("role"), max_length=10, choices=MappingRole.choices)
    field_code = models.CharField(_("marketplace field"), max_length=64)
    sendsay_path = models.CharField(_("Sendsay field"), max_length=200)
    sendsay_type = models.CharField(_("Sendsay type"), max_length=8)
    sendsay_subtype = models.CharField(_("Sendsay date precision"), max_length=4, blank=True)
    #: Choice fields: marketplace code -> Sendsay answer code.
    answer_map = models.JSONField(_("answer codes"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["account", "role", "field_code"]
        verbose_name = _("field mapping")
        verbose_name_plural = _("field mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "role", "field_code"], name="sendsay_mapping_field_once"
            ),
            models.UniqueConstraint(
                fields=["account", "role", "sendsay_path"], name="sendsay_mapping_target_once"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MappingRole.values), name="sendsay_mapping_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}.{self.field_code} -> {self.sendsay_path}"


class SenderAddress(models.Model):
    """An address the product sends from, with what Sendsay said about it."""

    email = models.EmailField(_("e-mail"), unique=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    confirmed_in_sendsay = models.BooleanField(_("confirmed in Sendsay"), default=False)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmation_requested_at = models.DateTimeField(
        _("confirmation requested at"), null=True, blank=True
    )
    last_check_message = models.TextField(_("last check"), blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("sender address")
        verbose_name_plural = _("sender addresses")

    def __str__(self) -> str:
        return self.email
