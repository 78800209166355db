"""Fixtures of the campaign tests: a small marketplace whose members are known, campaigns, the
Sendsay emulator with a connected account and a confirmed sender, recorded task enqueues.

People (storefront "Shop", Europe/Moscow, sender hello@shop.example.ru):

| who | role | e-mail | phone / Telegram |
|---|---|---|---|
| anna, boris, vera | buyers | <name>@example.org | +7916000000<n> (vera: no phone) |
| gleb | buyer, e-mail not confirmed | gleb@example.org | +79160000004 |
| olga | buyer of storefront "Other" | olga@example.org | - |
| sam, sue | seller staff of "Tea & Co" (Telegram 1001, phone +74950000001) | <name>@tea.example.ru | |
| root | administrator | root@market.example.ru | |
"""

from __future__ import annotations

import pytest
import requests

from audience.models import Role, Segment
from campaigns.models import Campaign, CampaignChannel, CampaignContent
from marketplace.models import CompanyNotificationSettings
from sendsay_admin.client import SendsayClient
from sendsay_admin.emulator import EmulatorServer
from tests import factories

LOGIN = "x_campaigns"
API_KEY = "camp41gns-k3y-s3cr3t"
SENDER = "hello@shop.example.ru"
BUYERS = ["anna", "boris", "vera", "gleb"]


@pytest.fixture(autouse=True)
def _campaign_settings(settings):
    settings.SITE_URL = "https://market.example.ru"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CAMPAIGNS_RETRY_SECONDS = 60


@pytest.fixture
def shop(db):
    return factories.StorefrontFactory(name="Shop", domain="shop.example.ru",
                                       company_email=SENDER, time_zone="Europe/Moscow")


@pytest.fixture
def people(marketplace, shop):
    """The users of the table in the module docstring, by name."""
    other = factories.StorefrontFactory(name="Other", domain="other.example.ru")
    users = {}
    for n, name in enumerate(BUYERS, start=1):
        user = factories.UserFactory(username=name, email=f"{name}@example.org",
                                     first_name=name.capitalize(), last_name="Buyer")
        factories.BuyerProfileFactory(
            user=user, storefront=shop, phone="" if name == "vera" else f"+7916000000{n}",
            email_confirmed_at=None if name == "gleb" else user.date_joined)
        users[name] = user
    users["olga"] = factories.UserFactory(username="olga", email="olga@example.org",
                                          first_name="Olga")
    factories.BuyerProfileFactory(user=users["olga"], storefront=other)
    tea = factories.CompanyFactory(name="Tea & Co", storefront=shop, phone="+74950000001",
                                   email="orders@tea.example.ru")
    CompanyNotificationSettings.objects.create(company=tea, telegram_id="1001")
    for name in ("sam", "sue"):
        users[name] = factories.UserFactory(username=name, email=f"{name}@tea.example.ru",
                                            first_name=name.capitalize(), last_name="Seller")
        factories.SellerProfileFactory(user=users[name], company=tea)
    users["root"] = factories.UserFactory(username="root", email="root@market.example.ru",
                                          first_name="Root", is_staff=True, is_superuser=True)
    users["tea"] = tea
    return users


def content(campaign, role, *, subject="Sale for {{ recipient.first_name }}",
            html="<p>Hello {{ recipient.first_name }} from {{ storefront.name }}!</p>"
                 '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
            text="Hello {{ recipient.first_name }}! Unsubscribe: {{ unsubscribe_url }}"):
    return CampaignContent.objects.create(campaign=campaign, role=role, subject=subject,
                                          html=html, text=text)


@pytest.fixture
def make_campaign(shop):
    """make_campaign(roles=[...] | segment=..., channel=..., **fields) with content per role."""

    def make(*, roles=(Role.BUYER,), segment=None, channel=CampaignChannel.EMAIL, **fields):
        campaign = Campaign.objects.create(
            name=fields.pop("name", "Spring sale"), segment=segment,
            roles=[] if segment is not None else list(roles), channel=channel,
            storefront=fields.pop("storefront", shop), **fields)
        for role in ([segment.role] if segment is not None else roles):
            content(campaign, role)
        return campaign

    return make


@pytest.fixture
def buyer_segment(people, shop):
    """Buyers of "Shop" (olga is on another storefront)."""
    segment = Segment.objects.create(name="Shop buyers", role=Role.BUYER)
    segment.storefronts.add(shop)
    return segment


@pytest.fixture
def enqueued(monkeypatch):
    """Record campaign runs instead of sending tasks: a list of (campaign id, options)."""
    from campaigns.services import lifecycle

    calls: list[tuple[int, dict]] = []

    def record(*, campaign_id, countdown=None, queue=None):
        calls.append((campaign_id, {"countdown": countdown, "queue": queue}))

    monkeypatch.setattr(lifecycle, "campaign_enqueue", record)
    return calls


# -- Sendsay -----------------------------------------------------------------------------

class Emulator:
    """The running emulator, its control endpoint and what it received."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.url = server.url

    def control(self, command: str, **body) -> dict:
        reply = requests.post(f"{self.url}/_control/{command}", json=body, timeout=5)
        reply.raise_for_status()
        return reply.json()

    def inspect(self) -> dict:
        return requests.get(f"{self.url}/_inspect", timeout=5).json()["accounts"][LOGIN]

    def sends(self, channel: str | None = None) -> list[dict]:
        by_channel = self.inspect()["sends"]
        if channel is not None:
            return by_channel.get(channel, [])
        return [send for sends in by_channel.values() for send in sends]

    def list_members(self, group_id: str) -> set[str]:
        return {m["email"] for m in self.inspect()["members"] if group_id in m["groups"]}

    def requests(self, action: str) -> int:
        return requests.get(f"{self.url}/_inspect", timeout=5).json()["requests"].get(action, 0)


@pytest.fixture
def emulator(settings):
    """The real emulator over HTTP (paid plan: no upload limit; tracks finish on the next
    poll); settings point at it."""
    with EmulatorServer({LOGIN: {"apikey": API_KEY, "tariff": "paid"}}, port=0,
                        track_step_seconds=0) as server:
        settings.SENDSAY_API_URL = f"{server.url}/general/api/v100/json/"
        settings.SENDSAY_SSEC_URL = f"{server.url}/general/ssec/v100/json/"
        settings.SENDSAY_TIMEOUT = 5.0
        SendsayClient.clear_redirect_cache()
        yield Emulator(server)
    SendsayClient.clear_redirect_cache()


@pytest.fixture
def sendsay_on(db, emulator):
    """The marketplace-wide account, enabled and connected, with the shop's sender confirmed
    in the emulator and in the product."""
    from sendsay_admin.models import AccountStatus, SenderAddress, SendsayAccount

    account = SendsayAccount(login=LOGIN, enabled=True, status=AccountStatus.CONNECTED)
    account.set_api_key(API_KEY)
    account.save()
    emulator.control("confirm_sender", login=LOGIN, email=SENDER)
    SenderAddress.objects.update_or_create(email=SENDER, defaults={"confirmed_in_sendsay": True})
    return account
