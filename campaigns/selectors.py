"""Read queries of campaigns: the audience as streamed recipient rows, progress counts, the
results page's numbers, and a sample recipient for the preview."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import BooleanField as BooleanOutput
from django.db.models import Count, ExpressionWrapper, Q, Sum
from django.utils.translation import gettext as _

from audience.models import Role
from audience.rules import SegmentRules
from audience.selectors import segment_queryset, segment_rules

from .models import (
    Campaign,
    CampaignChannel,
    CampaignIssue,
    CampaignRecipient,
    RecipientStatus,
)

#: Per role: the column paths (from the user) of what a recipient row copies.
ROLE_PATHS: dict[str, dict[str, str]] = {
    Role.BUYER: {
        "storefront": "buyer_profile__storefront_id",
        "phone": "buyer_profile__phone",
    },
    Role.SELLER: {
        "company": "seller_profile__company_id",
        "storefront": "seller_profile__company__storefront_id",
        "phone": "seller_profile__company__phone",
        "telegram": "seller_profile__company__notification_settings__telegram_id",
        "vk": "seller_profile__company__notification_settings__vk_id",
    },
    Role.ADMIN: {},
}
#: Personal channel -> the kind of address it needs ("email" is the user's own column).
CHANNEL_ADDRESS = {
    CampaignChannel.EMAIL: "email", CampaignChannel.SMS: "phone",
    CampaignChannel.VIBER: "phone", CampaignChannel.WHATSAPP: "phone",
    CampaignChannel.TELEGRAM: "telegram", CampaignChannel.VK: "vk",
    CampaignChannel.PUSH: "push",
}
ADDRESS_NAMES = {
    "phone": "phone number", "telegram": "Telegram id", "vk": "VK id",
    "push": "mobile app push token",
}


def role_rules(campaign: Campaign) -> list[tuple[str, SegmentRules]]:
    """(role, rules) of each audience part, buyers first: the segment's resolved rules, or a
    rule-less segment of each whole role."""
    if campaign.segment_id is not None:
        rules = segment_rules(campaign.segment)
        return [(rules.role, rules)]
    return [(role, SegmentRules(role=role)) for role in campaign.audience_roles]


def _text(value) -> str:
    if value is None:
        return ""
    return str(value.as_e164 if hasattr(value, "as_e164") else value).strip()


def recipient_rows(campaign: Campaign, *, chunk_size: int = 2000, role: str = "",
                   email: str = "", limit: int | None = None) -> Iterator[CampaignRecipient]:
    """Unsaved recipient rows of the whole audience (or of one `role`, or the member with
    `email`), streamed: one server-side cursor per role, `chunk_size` rows at a time. A member
    without an address for the channel comes SKIPPED with the reason; an unconfirmed buyer
    e-mail carries `needs_confirm`."""
    wanted = CHANNEL_ADDRESS.get(campaign.channel, "email")
    for part_role, rules in role_rules(campaign):
        if role and part_role != role:
            continue
        paths = ROLE_PATHS[part_role]
        columns = {"pk": "pk", "email": "email", "first_name": "first_name",
                   "last_name": "last_name", **paths}
        qs = segment_queryset(rules).order_by("pk")
        if email:
            qs = qs.filter(email__iexact=email)
        if part_role == Role.BUYER:
            qs = qs.annotate(needs_confirm=ExpressionWrapper(
                Q(buyer_profile__email_confirmed_at__isnull=True), output_field=BooleanOutput()))
            columns["needs_confirm"] = "needs_confirm"
        rows = qs.values(*columns.values())
        if limit is not None:
            rows = rows[:limit]
        for values in rows.iterator(chunk_size=chunk_size):
            row = {name: values[path] for name, path in columns.items()}
            yield _recipient(campaign, part_role, row, wanted)


def _recipient(campaign: Campaign, role: str, row: dict, wanted: str) -> CampaignRecipient:
    address = _text(row.get(wanted))
    recipient = CampaignRecipient(
        campaign_id=campaign.pk, role=role, address=address, user_id=row["pk"],
        company_id=row.get("company"), storefront_id=row.get("storefront"),
        first_name=row["first_name"] or "", last_name=row["last_name"] or "",
        needs_confirm=bool(row.get("needs_confirm")),
    )
    if not address:
        recipient.status = RecipientStatus.SKIPPED
        recipient.error = _("no %(what)s for this channel") % {
            "what": ADDRESS_NAMES.get(wanted, wanted)}
    return recipient


def audience_count(campaign: Campaign) -> int:
    """Members of the audience now (before listing; a person in two roles counts twice)."""
    return sum(segment_queryset(rules).count() for _role, rules in role_rules(campaign))


# -- progress and results ---------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __getattr__(self, name: str) -> int:
        if name in RecipientStatus.values:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    @property
    def done(self) -> int:
        return self.total - self.counts.get(RecipientStatus.PENDING, 0) \
            - self.counts.get(RecipientStatus.SENDING, 0)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def as_dict(self) -> dict[str, int]:
        return {**{s: self.counts.get(s, 0) for s in RecipientStatus.values},
                "total": self.total, "done": self.done, "percent": self.percent}


def campaign_progress(campaign: Campaign) -> Progress:
    """Recipients per status (one GROUP BY over the campaign's rows)."""
    rows = (CampaignRecipient.objects.filter(campaign=campaign).order_by()
            .values_list("status").annotate(n=Count("pk")))
    return Progress(counts=dict(rows))


STAT_FIELDS = ("members", "delivered", "undelivered", "opened", "clicked", "unsubscribed")


@dataclass(frozen=True)
class Results:
    progress: Progress
    issues: list[CampaignIssue]
    sendsay: dict[str, int] = field(default_factory=dict)  # empty: no statistics yet
    stats_at: object = None

    def chart(self) -> dict:
        """Labels and values for the results chart (ours, then Sendsay's when present)."""
        ours = [(str(RecipientStatus(s).label), self.progress.counts.get(s, 0))
                for s in (RecipientStatus.SENT, RecipientStatus.FAILED,
                          RecipientStatus.SKIPPED, RecipientStatus.UNKNOWN,
                          RecipientStatus.PENDING)]
        theirs = [(str(CampaignIssue._meta.get_field(name).verbose_name), self.sendsay[name])
                  for name in ("delivered", "opened", "clicked", "unsubscribed")
                  if name in self.sendsay]
        return {"ours": {"labels": [lbl for lbl, _n in ours], "values": [n for _l, n in ours]},
                "sendsay": {"labels": [lbl for lbl, _n in theirs],
                            "values": [n for _l, n in theirs]}}


def campaign_results(campaign: Campaign) -> Results:
    """Our counts plus the stat.uni counters summed over the campaign's Sendsay sends (only
    when at least one send has statistics)."""
    issues = list(campaign.issues.order_by("role"))
    with_stats = [issue for issue in issues if issue.stats_at is not None]
    sendsay: dict[str, int] = {}
    if with_stats:
        sums = CampaignIssue.objects.filter(pk__in=[i.pk for i in with_stats]).aggregate(
            **{name: Sum(name) for name in STAT_FIELDS})
        sendsay = {name: int(value or 0) for name, value in sums.items()}
    stats_at = max((i.stats_at for i in with_stats), default=None)
    return Results(progress=campaign_progress(campaign), issues=issues, sendsay=sendsay,
                   stats_at=stats_at)


# -- preview ----------------------------------------------------------------------------

def sample_recipient(campaign: Campaign, role: str, *, email: str = "") -> CampaignRecipient:
    """The audience member of `role` with `email` (else the first one) as an unsaved recipient
    row; a made-up one when there is nobody to show."""
    found = next(recipient_rows(campaign, role=role, email=email, limit=1, chunk_size=1), None)
    if found is not None:
        return found
    return CampaignRecipient(
        campaign_id=campaign.pk, role=role, address=email or "anna@example.org",
        first_name="Anna", last_name="Ivanova", storefront_id=campaign.storefront_id,
    )
