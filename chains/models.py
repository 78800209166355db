"""Chains (series of letters), their steps and enrolments; sales milestones of sellers."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sendsay_admin.client import SsecEventType


class ChainAudience(models.TextChoices):
    """Who a chain writes to; values match `notifications.events.Role`."""

    SELLER = "seller", _("Sellers (the company)")
    BUYER = "buyer", _("Buyers")


class ChainMode(models.TextChoices):
    LOCAL = "local", _("Runs here (the steps below)")
    SENDSAY = "sendsay", _("Handed to a Sendsay automation")


class SendsayTrigger(models.TextChoices):
    SEQUENCE = "sequence", _("Start the Sendsay sequence (sequence.member.start)")
    EVENT = "event", _("Send the e-commerce event that triggers it (ssec)")


class FinishReason(models.TextChoices):
    COMPLETED = "completed", _("Every step sent")
    EXIT = "exit", _("Exit condition met")
    ERROR = "error", _("Error")
    CANCELLED = "cancelled", _("Cancelled by an administrator")


SSEC_EVENT_CHOICES = [(int(t), f"{int(t)} {t.name}") for t in SsecEventType]


class Chain(models.Model):
    """A series of letters to one audience, entered on a trigger, left on an exit condition."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    audience = models.CharField(_("audience"), max_length=16, choices=ChainAudience.choices)
    trigger = models.CharField(
        _("enrol on"), max_length=64, blank=True,
        help_text=_("The business event that enrols a recipient (empty: nobody is enrolled)."),
    )
    exit_condition = models.CharField(
        _("exit condition"), max_length=64, blank=True,
        help_text=_("Checked before every step; once it holds, the chain stops for that "
                    "recipient."),
    )
    subject = models.CharField(
        _("subject"), max_length=200, blank=True,
        help_text=_("One subject for every letter, so mail clients thread them. Empty: the "
                    "letters' own shared default subject in the recipient's language."),
    )
    mode = models.CharField(
        _("runs"), max_length=16, choices=ChainMode.choices, default=ChainMode.LOCAL
    )
    sendsay_trigger = models.CharField(
        _("Sendsay hand-over"), max_length=16, choices=SendsayTrigger.choices,
        default=SendsayTrigger.SEQUENCE,
    )
    sendsay_sequence_id = models.CharField(
        _("Sendsay sequence id"), max_length=64, blank=True,
        help_text=_("Started on enrolment (sequence mode) and stopped on exit (both modes)."),
    )
    sendsay_event_type = models.PositiveSmallIntegerField(
        _("ssec event type"), null=True, blank=True, choices=SSEC_EVENT_CHOICES,
    )
    sendsay_event_fields = models.JSONField(
        _("ssec event fields"), default=dict, blank=True,
        help_text=_('Extra fields of the event, e.g. {"cp1": "onboarding"}.'),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chain")
        verbose_name_plural = _("chains")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audience__in=ChainAudience.values),
                name="chains_chain_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hands_over(self) -> bool:
        return self.mode == ChainMode.SENDSAY

    def clean(self) -> None:
        from . import registry

        errors = {}
        if self.trigger and (
            self.trigger not in registry.TRIGGERS
            or registry.TRIGGERS[self.trigger].audience != self.audience
        ):
            errors["trigger"] = _("Choose a trigger for this audience.")
        if self.exit_condition and (
            self.exit_condition not in registry.CONDITIONS
            or registry.CONDITIONS[self.exit_condition].audience != self.audience
        ):
            errors["exit_condition"] = _("Choose an exit condition for this audience.")
        if self.hands_over and self.sendsay_trigger == SendsayTrigger.SEQUENCE \
                and not self.sendsay_sequence_id.strip():
            errors["sendsay_sequence_id"] = _("Enter the id of the Sendsay sequence to start.")
        if self.hands_over and self.sendsay_trigger == SendsayTrigger.EVENT \
                and self.sendsay_event_type is None:
            errors["sendsay_event_type"] = _("Choose the e-commerce event to send.")
        if not isinstance(self.sendsay_event_fields, dict):
            errors["sendsay_event_fields"] = _("Enter a JSON object.")
        if errors:
            raise ValidationError(errors)


class ChainStep(models.Model):
    """One letter of a chain: sent `delay` after the previous step (or the enrolment)."""

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="steps", verbose_name=_("chain")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    delay_days = models.PositiveIntegerField(_("delay, days"), default=0)
    delay_hours = models.PositiveIntegerField(_("delay, hours"), default=0)
    event = models.CharField(_("letter event"), max_length=100)
    variant = models.CharField(_("letter"), max_length=64, blank=True)
    subject = models.CharField(
        _("subject override"), max_length=200, blank=True,
        help_text=_("Leave empty to keep the chain's subject (and the thread)."),
    )

    class Meta:
        ordering = ["chain", "position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="chains_step_position"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.position}: {self.event} {self.variant}".strip()

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days, hours=self.delay_hours)

    def clean(self) -> None:
        from . import registry

        audience = self.chain.audience if self.chain_id else None
        letters = {(event, variant) for event, variant, _label in registry.chain_letters(audience)}
        if (self.event, self.variant) not in letters:
            raise ValidationError(_("Choose a chain letter for the chain's audience."),
                                  code="letter")


class ChainEnrolment(models.Model):
    """One recipient in one chain: which step comes next and when, or why it ended.

    Exactly one recipient: a company (seller chains) or a user (buyer chains), enrolled at
    most once per chain (a finished enrolment is never restarted)."""

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("chain")
    )
    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.CASCADE, null=True, blank=True,
        related_name="chain_enrolments", verbose_name=_("company"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="chain_enrolments", verbose_name=_("user"),
    )
    enrolled_at = models.DateTimeField(_("enrolled"))
    next_step = models.PositiveSmallIntegerField(
        _("next step"), default=1, help_text=_("Position of the next step to send.")
    )
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    finish_reason = models.CharField(
        _("finish reason"), max_length=16, choices=FinishReason.choices, blank=True
    )
    sendsay_started_at = models.DateTimeField(_("handed to Sendsay"), null=True, blank=True)
    sendsay_stopped_at = models.DateTimeField(_("stopped in Sendsay"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed Sendsay attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "company"], condition=models.Q(company__isnull=False),
                name="chains_enrolment_company_once",
            ),
            models.UniqueConstraint(
                fields=["chain", "user"], condition=models.Q(user__isnull=False),
                name="chains_enrolment_user_once",
            ),
            models.CheckConstraint(
                condition=(models.Q(company__isnull=False, user__isnull=True)
                           | models.Q(company__isnull=True, user__isnull=False)),
                name="chains_enrolment_one_recipient",
            ),
        ]
        indexes = [models.Index(fields=["chain", "finished_at"], name="chains_enrol_active_idx")]

    def __str__(self) -> str:
        return f"{self.chain}: {self.company or self.user}"

    @property
    def recipient(self):
        return self.company if self.company_id else self.user


class MilestoneThreshold(models.Model):
    """A number of sales a seller is congratulated on (editable; 1 is the first sale)."""

    sales = models.PositiveIntegerField(_("sales"), unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sales"]
        verbose_name = _("sales milestone")
        verbose_name_plural = _("sales milestones")
        constraints = [
            models.CheckConstraint(condition=models.Q(sales__gt=0), name="chains_threshold_gt0"),
        ]

    def __str__(self) -> str:
        return str(self.sales)


class SellerMilestone(models.Model):
    """A milestone a company reached: written once, in the transaction of the sale."""

    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.CASCADE, related_name="milestones",
        verbose_name=_("company"),
    )
    milestone = models.PositiveIntegerField(_("sales"))
    order = models.ForeignKey(
        "marketplace.Order", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("order that reached it"),
    )
    reached_at = models.DateTimeField(_("reached"))

    class Meta:
        ordering = ["company", "milestone"]
        verbose_name = _("seller milestone")
        verbose_name_plural = _("seller milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "milestone"], name="chains_seller_milestone_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.milestone}"
