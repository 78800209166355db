"""Sender addresses: collection, free-mail refusal, confirmation through the emulator."""

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceSettings
from sendsay_admin.freemail import is_free_mail
from sendsay_admin.models import SenderAddress
from sendsay_admin.services import (
    SenderRefusedError,
    sender_checks,
    sender_is_usable,
    sender_request_confirmation,
    sender_uses,
    senders_collect,
    senders_refresh,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("email", [
    "a@gmail.com", "a@googlemail.com", "a@mail.ru", "a@bk.ru", "a@inbox.ru", "a@list.ru",
    "a@internet.ru", "a@yandex.ru", "a@ya.ru", "a@yandex.com", "a@rambler.ru", "a@outlook.com",
    "a@hotmail.com", "a@live.com", "a@yahoo.com", "a@icloud.com", "a@me.com", "a@aol.com",
    "a@gmx.de", "a@gmx.at", "a@proton.me", "a@protonmail.com", "a@zoho.com", "A@GMAIL.COM",
])
def test_free_mail_domains_are_recognised(email):
    assert is_free_mail(email)


@pytest.mark.parametrize("email", ["hello@shop.example.ru", "news@sendsay.ru", "a@ozon.ru", "x"])
def test_corporate_domains_are_not_free_mail(email):
    assert not is_free_mail(email)


def test_every_address_in_use_is_collected_with_its_role():
    MarketplaceSettings.objects.create(all_storefronts_email="admins@market.example",
                                       quality_email="q@market.example")
    first = factories.StorefrontFactory(company_email="Hello@Shop1.example")
    factories.StorefrontFactory(company_email="hello@shop1.example")  # the same address
    rows = senders_collect()
    assert [row.email for row in rows] == ["admins@market.example", "hello@shop1.example"]
    uses = {use.email: use.used_by for use in sender_uses()}
    assert uses["admins@market.example"] == ("administrators (all storefronts)",)
    assert f"buyers of {first.name}" in uses["hello@shop1.example"]
    senders_collect()
    assert SenderAddress.objects.count() == 2


def test_free_mail_sender_is_refused_without_asking_sendsay(connected_account, sendsay_emulator):
    address = SenderAddress.objects.create(email="shop@gmail.com")
    with pytest.raises(SenderRefusedError, match="free-mail domain"):
        sender_request_confirmation(account=connected_account, address=address)
    assert sendsay_emulator.inspect()["senders"] == []
    assert not sender_checks(address).corporate
    address.refresh_from_db()
    assert address.last_check_message.startswith("Refused: a free-mail domain")


def test_request_confirm_and_refresh_make_a_sender_usable(connected_account, sendsay_emulator,
                                                          storefront):
    address = senders_collect()[1]
    assert address.email == storefront.company_email
    assert not sender_is_usable(address.email)
    sender_request_confirmation(account=connected_account, address=address)
    assert [s["email"] for s in sendsay_emulator.inspect()["senders"]] == [address.email]
    senders_refresh(account=connected_account)
    address.refresh_from_db()
    assert not address.confirmed_in_sendsay
    assert "waiting for the confirmation link" in address.last_check_message
    sendsay_emulator.confirm_sender(address.email)
    senders_refresh(account=connected_account)
    address.refresh_from_db()
    assert address.confirmed_in_sendsay and address.checked_at is not None
    assert sender_is_usable(address.email)
    assert sender_is_usable(address.email.upper())
    assert not sender_is_usable("admin@marketplace.example")  # collected, never confirmed


def test_senders_page_checks_and_buttons(admin_client, connected_account, sendsay_emulator,
                                         storefront):
    url = reverse("admin:sendsay_admin_sendsayaccount_senders", args=[connected_account.pk])
    factories.StorefrontFactory(company_email="shop@mail.ru")
    html = admin_client.get(url).content.decode()
    assert "shop@mail.ru" in html and "free mail" in html
    address = SenderAddress.objects.get(email=storefront.company_email)
    response = admin_client.post(url, {"action": "request", "address": address.pk}, follow=True)
    assert f"Sendsay sent a confirmation link to {address.email}" in response.content.decode()
    sendsay_emulator.confirm_sender(address.email)
    response = admin_client.post(url, {"action": "refresh"}, follow=True)
    assert "Refreshed from Sendsay: 1 of 3 address(es) confirmed." in response.content.decode()
    refused = SenderAddress.objects.get(email="shop@mail.ru")
    response = admin_client.post(url, {"action": "request", "address": refused.pk}, follow=True)
    assert "The address shop@mail.ru cannot be a sender" in response.content.decode()
