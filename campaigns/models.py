"""Campaign models: the campaign, its role-specific content, its materialised recipients (the
resumable job's rows) and its Sendsay sends (one `issue.send` each, with stat.uni counters)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audience.models import Role
from notifications.events import Channel

#: Personal channels are the notification engine's own (one list to keep in step); broadcasts
#: post once to a Sendsay group (a VK community or a Telegram channel connected in Sendsay).
CampaignChannel = models.TextChoices(
    "CampaignChannel",
    [(member.name, (member.value, member.label)) for member in Channel]
    + [
        ("VK_COMMUNITY", ("vk_community", _("VK community post (broadcast)"))),
        ("TELEGRAM_CHANNEL", ("telegram_channel", _("Telegram channel post (broadcast)"))),
    ],
)


BROADCAST_CHANNELS = frozenset({CampaignChannel.VK_COMMUNITY, CampaignChannel.TELEGRAM_CHANNEL})


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class Transport(models.TextChoices):
    NONE = "", _("Not chosen yet")
    SMTP = "smtp", _("SMTP (throttled batches)")
    SENDSAY = "sendsay", _("Sendsay (one issue.send per role)")


class Campaign(models.Model):
    """One mass mailing. The audience is a segment, or whole roles (`roles`); the transport is
    chosen when sending starts: Sendsay when the storefront's account is connected, SMTP
    otherwise (e-mail only). `run_token` / `heartbeat_at` are the job's lease, `cursor` the
    last recipient id the SMTP job got past."""

    name = models.CharField(_("name"), max_length=200)
    segment = models.ForeignKey(
        "audience.Segment", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("segment"),
        help_text=_("Send to this segment's members, or leave empty and choose whole roles."),
    )
    roles = models.JSONField(
        _("whole roles"), default=list, blank=True,
        help_text=_("Without a segment: every active user of these roles with an address."),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=CampaignChannel.choices,
        default=CampaignChannel.EMAIL,
    )
    broadcast_group_id = models.CharField(
        _("Sendsay group of the community / channel"), max_length=64, blank=True,
        help_text=_("Broadcasts only: the id of the Sendsay group connected to the VK "
                    "community or Telegram channel."),
    )
    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("storefront"),
        help_text=_("Sender address, Sendsay account and the time zone of the quiet hours. "
                    "Empty: the marketplace-wide ones."),
    )
    throttle_rate = models.PositiveIntegerField(
        _("messages per second (SMTP)"), null=True, blank=True,
        help_text=_("Empty or 0: as fast as the SMTP server takes them."),
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(
        _("quiet hours until"), null=True, blank=True,
        help_text=_("Local time of the storefront; nothing is sent in between (a window may "
                    "cross midnight, e.g. 21:00-09:00); sending waits, nothing is dropped."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    transport = models.CharField(
        _("transport"), max_length=10, choices=Transport.choices, blank=True,
        default=Transport.NONE,
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    delayed_until = models.DateTimeField(
        _("waiting until"), null=True, blank=True,
        help_text=_("End of the quiet hours, or of a pause after a temporary SMTP error."),
    )
    materialised_at = models.DateTimeField(_("recipients listed"), null=True, blank=True)
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    cursor = models.BigIntegerField(default=0, editable=False)
    connect_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    error = models.TextField(_("last error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"), editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["status", "scheduled_at"], name="campaign_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CampaignStatus.values),
                                   name="campaigns_campaign_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=CampaignChannel.values),
                                   name="campaigns_campaign_channel_valid"),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="campaigns_campaign_quiet_hours_pair",
                violation_error_message=_("Give both ends of the quiet hours, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_broadcast(self) -> bool:
        return self.channel in BROADCAST_CHANNELS

    @property
    def audience_roles(self) -> list[str]:
        """The roles addressed, in the order recipients are listed (buyers first)."""
        if self.segment_id is not None:
            return [self.segment.role]
        return [role for role in Role.values if role in (self.roles or [])]


class CampaignContent(models.Model):
    """What one role receives. Subject and HTML are for e-mail; every other channel (and a
    broadcast) sends `text`. Rendered with the notification engine's strict template engine:
    an unknown variable stops the send instead of going out blank."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="contents", verbose_name=_("campaign")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    html = models.TextField(_("HTML"), blank=True)
    text = models.TextField(
        _("text"), blank=True,
        help_text=_("Plain-text part of the e-mail (made from the HTML when empty), or the "
                    "message of SMS, messengers, push and broadcasts."),
    )

    class Meta:
        ordering = ["campaign", "role"]
        verbose_name = _("content for a role")
        verbose_name_plural = _("content per role")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "role"], name="campaigns_content_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} / {self.role}"


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    UNKNOWN = "unknown", _("Outcome unknown (not re-sent)")


class CampaignRecipient(models.Model):
    """One addressee of one campaign, listed once when sending starts (set-based, streamed).

    PENDING -> SENDING (claimed by the job's token) -> SENT / FAILED / SKIPPED. A row left
    SENDING by a dead job: the lowest such id was in flight and becomes UNKNOWN (never
    re-sent: at most once); the others were never tried and go back to PENDING."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("campaign")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("user"),
    )
    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("company"),
    )
    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("storefront"),
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    needs_confirm = models.BooleanField(_("e-mail not confirmed"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RecipientStatus.choices,
        default=RecipientStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    error = models.TextField(_("error or skip reason"), blank=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="campaign_rcpt_cursor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "address"], condition=~Q(address=""),
                name="campaigns_recipient_address_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "user"], condition=Q(user__isnull=False),
                name="campaigns_recipient_user_once",
            ),
            models.CheckConstraint(condition=Q(status__in=RecipientStatus.values),
                                   name="campaigns_recipient_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.address or '-'} ({self.status})"


class IssueState(models.TextChoices):
    NEW = "new", _("List being built")
    READY = "ready", _("List ready")
    SENDING = "sending", _("Calling issue.send")
    SENT = "sent", _("Sent")
    UNKNOWN = "unknown", _("Outcome unknown (not re-sent)")
    FAILED = "failed", _("Failed")


class CampaignIssue(models.Model):
    """One `issue.send` of a campaign through Sendsay: per role to a list built from the
    role's recipients, or once to the broadcast group (`role` empty). The state machine
    NEW -> READY -> SENDING -> SENT is claimed with conditional UPDATEs; a row found SENDING
    after a crash is never sent again (UNKNOWN). stat.uni counters are copied here."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="issues", verbose_name=_("campaign")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True)
    group_id = models.CharField(_("Sendsay group"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=IssueState.choices, default=IssueState.NEW
    )
    recipients = models.PositiveIntegerField(_("addresses in the list"), default=0)
    track_id = models.CharField(_("track id"), max_length=64, blank=True)
    issue_id = models.CharField(_("issue id"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    members = models.PositiveIntegerField(_("members"), null=True, blank=True)
    delivered = models.PositiveIntegerField(_("delivered"), null=True, blank=True)
    undelivered = models.PositiveIntegerField(_("not delivered"), null=True, blank=True)
    opened = models.PositiveIntegerField(_("opened"), null=True, blank=True)
    clicked = models.PositiveIntegerField(_("clicked"), null=True, blank=True)
    unsubscribed = models.PositiveIntegerField(_("unsubscribed"), null=True, blank=True)
    stats_at = models.DateTimeField(_("statistics from"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "role"]
        verbose_name = _("Sendsay send")
        verbose_name_plural = _("Sendsay sends")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "role"], name="campaigns_issue_once"),
            models.CheckConstraint(condition=Q(state__in=IssueState.values),
                                   name="campaigns_issue_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.role or 'broadcast'}: {self.issue_id or self.state}"
