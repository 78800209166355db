"""What sending needs besides the rows: sender, time zone, route, per-batch facts (opt-outs,
storefronts, companies) and the template context of one recipient or of one Sendsay list."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

from audience.models import Role
from marketplace.models import Company, MarketplaceSettings, Storefront
from notifications import links
from notifications.channels.sendsay import ROUTES
from notifications.dispatch import SMTP, Route
from notifications.events import Category, Channel
from notifications.samples import sample_extras
from notifications.selectors import opted_out
from notifications.services.context import marketing_headers

from ..exceptions import CampaignNotSendableError
from ..models import BROADCAST_CHANNELS, Campaign, CampaignChannel, CampaignRecipient, Transport
from ..rendering import GROUP_PLACEHOLDERS, GROUP_UNSUBSCRIBE, Content

#: Campaign channel -> the notification channel whose Sendsay route (addr_type, letter key),
#: opt-outs and unsubscribe links it uses. Broadcasts post through the messenger's route.
NOTIFY_CHANNEL: dict[str, Channel] = {
    **{c.value: Channel(c.value) for c in CampaignChannel if c not in BROADCAST_CHANNELS},
    CampaignChannel.VK_COMMUNITY: Channel.VK,
    CampaignChannel.TELEGRAM_CHANNEL: Channel.TELEGRAM,
}


def notify_channel(campaign: Campaign) -> Channel:
    return NOTIFY_CHANNEL[campaign.channel]


def addr_type(campaign: Campaign) -> str:
    """Sendsay's addr_type of the campaign's addresses (email, msisdn, tg, vk, pushapp)."""
    return ROUTES[notify_channel(campaign)][0]


def campaign_sender(campaign: Campaign) -> str:
    """"Storefront <its company e-mail>", or the marketplace-wide address."""
    storefront = campaign.storefront
    if storefront is not None:
        return formataddr((storefront.name, storefront.company_email))
    return MarketplaceSettings.load().all_storefronts_email


def campaign_zone(campaign: Campaign) -> zoneinfo.ZoneInfo:
    """The storefront's time zone (quiet hours are its local time), else TIME_ZONE."""
    name = campaign.storefront.time_zone if campaign.storefront is not None else ""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def transport_choose(campaign: Campaign) -> str:
    """Sendsay when the storefront's account is connected (and, for e-mail, the sender is a
    confirmed corporate address); SMTP for e-mail otherwise. Raises
    `CampaignNotSendableError` for a channel only Sendsay carries while it is off."""
    # Imported here: the Sendsay bridge loads the client and its models.
    from sendsay_admin.services import module_is_active, sender_is_usable

    active = module_is_active(campaign.storefront_id)
    if campaign.channel == CampaignChannel.EMAIL:
        address = parseaddr(campaign_sender(campaign))[1].lower()
        return Transport.SENDSAY if active and sender_is_usable(address) else Transport.SMTP
    if not active:
        raise CampaignNotSendableError(
            _("%(channel)s goes out only through Sendsay, which is not connected for this "
              "storefront.") % {"channel": CampaignChannel(campaign.channel).label})
    return Transport.SENDSAY


def contents_of(campaign: Campaign) -> dict[str, Content]:
    return {c.role: Content(c.role, c.subject, c.html, c.text) for c in campaign.contents.all()}


# -- per batch ----------------------------------------------------------------------------

def storefront_data(storefront) -> dict[str, str]:
    if storefront is None:
        return {"name": "", "domain": "", "url": settings.SITE_URL}
    return {"name": storefront.name, "domain": storefront.domain,
            "url": f"https://{storefront.domain}/"}


@dataclass(frozen=True)
class BatchFacts:
    """Loaded once per batch (three queries at most), asked per recipient."""

    blocked: frozenset  # ("user"|"company", id, channel) opted out of marketing
    storefronts: dict[int, dict[str, str]]
    companies: dict[int, str]

    def opted_out(self, row: CampaignRecipient, channel: str) -> bool:
        subject = link_subject(row)
        return subject is not None and (subject.kind, subject.pk, channel) in self.blocked


def batch_facts(rows: Iterable[CampaignRecipient]) -> BatchFacts:
    rows = list(rows)
    users = [r.user_id for r in rows if r.role != Role.SELLER]
    companies = {r.company_id for r in rows if r.company_id}
    blocked = opted_out(category=Category.MARKETING, user_ids=users,
                        company_ids=[r.company_id for r in rows if r.role == Role.SELLER])
    storefront_ids = {r.storefront_id for r in rows if r.storefront_id}
    return BatchFacts(
        blocked=frozenset(blocked),
        storefronts={sf.pk: storefront_data(sf)
                     for sf in Storefront.objects.filter(pk__in=storefront_ids)},
        companies=dict(Company.objects.filter(pk__in=companies).values_list("pk", "name")),
    )


def link_subject(row: CampaignRecipient) -> links.LinkSubject | None:
    """Whose preferences a recipient's links manage: the seller's company, else the user (the
    same subjects as the notification engine's messages)."""
    if row.role == Role.SELLER and row.company_id:
        return links.LinkSubject("company", row.company_id)
    if row.user_id:
        return links.LinkSubject("user", row.user_id)
    return None


# -- template context -------------------------------------------------------------------

def _recipient(first: str, last: str, email: str, address: str) -> dict[str, str]:
    return {"first_name": first, "last_name": last, "name": f"{first} {last}".strip(),
            "email": email, "address": address}


def recipient_context(campaign: Campaign, row: CampaignRecipient, facts: BatchFacts,
                      *, email: str = "") -> dict:
    """The context of one personal message: the recipient's primitives and signed links
    (unsubscribe from this channel's marketing; the preference page). A row nobody can
    unsubscribe for (only a made-up preview recipient) gets the notification engine's sample
    links."""
    storefront = facts.storefronts.get(row.storefront_id) or storefront_data(campaign.storefront)
    context = {
        **sample_extras(marketing=True),
        "recipient": _recipient(row.first_name, row.last_name, email or row.address,
                                row.address),
        "role": row.role, "storefront": storefront, "campaign": {"name": campaign.name},
        "site_url": settings.SITE_URL,
    }
    if row.role == Role.SELLER:
        context["company"] = {"name": facts.companies.get(row.company_id, "")}
    subject = link_subject(row)
    if subject is not None:
        channel = notify_channel(campaign)
        context["unsubscribe_url"] = links.unsubscribe_url(
            links.LinkSubject(subject.kind, subject.pk, channel, Category.MARKETING))
        context["preferences_url"] = links.preferences_url(subject)
    return context


def group_context(campaign: Campaign, role: str) -> dict:
    """The context of a Sendsay list letter: Sendsay fills the recipient in per contact."""
    context = {
        "recipient": dict(GROUP_PLACEHOLDERS), "role": role,
        "storefront": storefront_data(campaign.storefront), "campaign": {"name": campaign.name},
        "site_url": settings.SITE_URL, "unsubscribe_url": GROUP_UNSUBSCRIBE,
        "preferences_url": GROUP_UNSUBSCRIBE,
    }
    if role == Role.SELLER:
        context["company"] = {"name": GROUP_PLACEHOLDERS["name"]}
    return context


def unsubscribe_headers(context: dict, to: str) -> dict[str, str]:
    """The List-Unsubscribe / List-Unsubscribe-Post pair of a personal marketing e-mail (the
    notification engine's builder, on an SMTP e-mail route)."""
    return marketing_headers(context, Route(SMTP, Channel.EMAIL, to, None))
