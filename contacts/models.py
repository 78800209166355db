"""Contact export models: per-account settings (list, upload budget), one row per exported
contact (what was sent, its hash, the confirmed state read back) and one row per export run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: Failure reasons kept on a run (the counts stay exact beyond it).
REASONS_KEPT = 50


class ExportSettings(models.Model):
    """Per Sendsay account: the list contacts go to and the admin's upload budget."""

    account = models.OneToOneField(
        "sendsay_admin.SendsayAccount", on_delete=models.CASCADE, related_name="export_settings",
        verbose_name=_("Sendsay account"),
    )
    list_name = models.CharField(
        _("list name"), max_length=200, blank=True,
        help_text=_("Empty: the company name of the storefronts this account serves."),
    )
    budget_override = models.PositiveIntegerField(
        _("upload budget"), null=True, blank=True,
        help_text=_("Total contact uploads the export may use, replacing the plan's limit "
                    "(member.hard.limit). Raise it after upgrading the plan; lower it to keep "
                    "uploads in reserve. Empty: the plan's limit."),
    )
    group_id = models.CharField(_("Sendsay list id"), max_length=64, blank=True, editable=False)
    group_name = models.CharField(_("Sendsay list name"), max_length=200, blank=True,
                                  editable=False)
    group_login = models.CharField(
        _("list created in"), max_length=200, blank=True, editable=False,
        help_text=_("The login the list belongs to; another login starts over."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("export settings")
        verbose_name_plural = _("export settings")

    def __str__(self) -> str:
        return str(_("Export settings of %(account)s") % {"account": self.account})


class ContactState(models.TextChoices):
    PENDING = "pending", _("Sent, waiting for Sendsay")
    DONE = "done", _("In Sendsay")
    FAILED = "failed", _("Refused, will be sent again")
    #: Left the account's scope: out of the list, still in Sendsay (a return costs no upload).
    REMOVED = "removed", _("Taken out of the list")


class ExportedContact(models.Model):
    """What the export last sent for one contact (a user) to one account.

    `content_hash` covers the exported values (address and datakey triples); `source_hash` the
    database values they were computed from plus the mapping, a cheap first check. `in_sendsay`
    says Sendsay accepted this address at least once: only a contact without it costs an upload.
    The row outlives its user (`user` set to NULL), so the next export deletes the member.
    """

    account = models.ForeignKey(
        "sendsay_admin.SendsayAccount", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("Sendsay account"),
        db_index=False,  # the unique (account, user) index serves account lookups
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("contact"),
        help_text=_("Empty: the user was deleted; the next export deletes the member."),
    )
    email = models.CharField(_("e-mail sent"), max_length=254)
    content_hash = models.CharField(_("hash of the exported values"), max_length=32, blank=True)
    source_hash = models.CharField(_("hash of the source values"), max_length=32, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ContactState.choices)
    in_sendsay = models.BooleanField(_("accepted by Sendsay"), default=False)
    track_id = models.CharField(_("import track"), max_length=64, blank=True)
    exported_at = models.DateTimeField(_("exported at"))
    confirmed = models.BooleanField(
        _("confirmed in Sendsay"), null=True, blank=True,
        help_text=_("As read back from Sendsay; empty until read."),
    )
    confirmed_checked_at = models.DateTimeField(_("confirmation read at"), null=True, blank=True)
    run = models.ForeignKey(
        "contacts.ExportRun", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("last export run"),
        db_index=False,  # written with every row, read only when a run is deleted
    )

    class Meta:
        verbose_name = _("exported contact")
        verbose_name_plural = _("exported contacts")
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="contacts_exported_once"),
            models.CheckConstraint(condition=Q(state__in=ContactState.values),
                                   name="contacts_exported_state_valid"),
        ]
        indexes = [
            # Only the rows of imports in flight: small, and left by a row once it is settled.
            models.Index(fields=["account", "track_id"], name="contacts_exp_pending_idx",
                         condition=Q(state="pending")),
        ]

    def __str__(self) -> str:
        return self.email


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")
    STOPPED_BUDGET = "stopped_budget", _("Stopped at the upload budget")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    ADMIN = "admin", _("Admin button")


class ExportRun(models.Model):
    """One export of one account: progress, counts, the resume cursor and the budget."""

    account = models.ForeignKey(
        "sendsay_admin.SendsayAccount", on_delete=models.CASCADE, related_name="export_runs",
        verbose_name=_("Sendsay account"),
    )
    trigger = models.CharField(_("started by"), max_length=10, choices=RunTrigger.choices)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices,
                              default=RunStatus.QUEUED)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    # -- progress ------------------------------------------------------------------------
    total = models.PositiveIntegerField(_("contacts to check"), default=0)
    processed = models.PositiveIntegerField(_("contacts checked"), default=0)
    # -- counts --------------------------------------------------------------------------
    uploaded = models.PositiveIntegerField(_("uploaded"), default=0)
    uploaded_new = models.PositiveIntegerField(
        _("new in Sendsay"), default=0, help_text=_("Uploads counted against the budget."))
    skipped_unchanged = models.PositiveIntegerField(_("skipped as unchanged"), default=0)
    held_back = models.PositiveIntegerField(
        _("held back by the budget"), default=0,
        help_text=_("New contacts not sent because the upload budget was used up."))
    failed = models.PositiveIntegerField(_("failed"), default=0)
    deleted = models.PositiveIntegerField(
        _("deleted in Sendsay"), default=0,
        help_text=_("Contacts whose user was deleted from the marketplace (member.delete)."))
    unlisted = models.PositiveIntegerField(
        _("taken out of the list"), default=0,
        help_text=_("Contacts that left the account's scope (deactivated, no buyer or seller "
                    "profile, storefront served by another account); kept in Sendsay."))
    failure_reasons = models.JSONField(
        _("failure reasons"), default=list, blank=True,
        help_text=_("The first failures: e-mail and Sendsay's reason."))
    confirmed_read = models.PositiveIntegerField(_("confirmed states read"), default=0)
    imports = models.PositiveIntegerField(_("member.import calls"), default=0)
    member_sets = models.PositiveIntegerField(_("member.set calls"), default=0)
    error = models.TextField(_("error"), blank=True)
    # -- resume ----------------------------------------------------------------------------
    cursor = models.JSONField(
        _("cursor"), null=True, blank=True,
        help_text=_("The last contact whose upload is stored; a failed run resumes after it."))
    resumed_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("resumes run"))
    # -- budget ----------------------------------------------------------------------------
    budget_limit = models.PositiveIntegerField(_("upload budget"), null=True, blank=True)
    budget_source = models.CharField(_("budget from"), max_length=20, blank=True)
    budget_used_before = models.PositiveIntegerField(_("uploads used before"), default=0)
    budget_warning = models.BooleanField(_("budget 80 % used"), default=False)
    list_id = models.CharField(_("Sendsay list id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export run")
        verbose_name_plural = _("export runs")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values),
                                   name="contacts_run_status_valid"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="contacts_run_account_idx")]

    def __str__(self) -> str:
        return str(_("Export #%(id)s") % {"id": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total:
            return 0 if self.is_active else 100
        return min(100, self.processed * 100 // self.total)

    @property
    def budget_used_after(self) -> int:
        return self.budget_used_before + self.uploaded_new
