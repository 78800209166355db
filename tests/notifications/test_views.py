"""Signed-link pages: preferences and one-click unsubscribe; bad links get a clear page."""

import time_machine
from django.utils import timezone

from notifications import links
from notifications.models import ContactPreference


def unsubscribe_url(kind, pk, channel="email"):
    return links.unsubscribe_url(links.LinkSubject(kind, pk, channel, "marketing"))


def path(url):
    return url.removeprefix("https://market.example.ru")


def test_unsubscribe_asks_first_then_opts_out(client, buyer):
    url = path(unsubscribe_url("user", buyer.pk))
    page = client.get(url)
    assert page.status_code == 200 and buyer.email in page.content.decode()
    assert not ContactPreference.objects.exists()
    done = client.post(url)
    assert done.status_code == 200
    pref = ContactPreference.objects.get()
    assert (pref.user, pref.channel, pref.category, pref.allowed) == (
        buyer, "email", "marketing", False)


def test_one_click_unsubscribe_needs_no_csrf_token(buyer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(path(unsubscribe_url("user", buyer.pk, "sms")),
                           data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert ContactPreference.objects.get().channel == "sms"


def test_preference_page_saves_channels_per_category(client, company):
    url = path(links.preferences_url(links.LinkSubject("company", company.pk)))
    page = client.get(url)
    assert page.status_code == 200 and company.name in page.content.decode()
    assert "Настройки рассылок" in page.content.decode()  # LANGUAGE_CODE is ru
    english = client.get(url, headers={"accept-language": "en"})
    assert "Message preferences" in english.content.decode()
    saved = client.post(url, {"marketing_email": "on", "marketing_telegram": "on"})
    assert saved.status_code == 200
    off = set(ContactPreference.objects.filter(company=company, allowed=False)
              .values_list("channel", flat=True))
    assert off == {"sms", "vk", "viber", "whatsapp", "push"}
    again = client.post(url, {"marketing_sms": "on"})
    assert again.status_code == 200
    assert ContactPreference.objects.get(company=company, channel="sms").allowed is True


def test_forged_and_expired_links_get_a_clear_page(client, buyer, settings):
    forged = client.get("/n/p/not-a-token/")
    assert forged.status_code == 400
    assert "Traceback" not in forged.content.decode()
    url = path(links.preferences_url(links.LinkSubject("user", buyer.pk)))
    with time_machine.travel(timezone.now() + timezone.timedelta(days=30)):
        expired = client.get(url)
    assert expired.status_code == 410
    gone_url = path(links.preferences_url(links.LinkSubject("user", 999999)))
    gone = client.get(gone_url)
    assert gone.status_code == 400


def test_a_tampered_unsubscribe_link_changes_nothing(client, buyer):
    url = path(unsubscribe_url("user", buyer.pk))
    response = client.post(url[:-3] + "AA/")
    assert response.status_code == 400
    assert not ContactPreference.objects.exists()
