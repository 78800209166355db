"""The admin screens against the real emulator: connection, switch, banner, pages, SMTP test."""

import pytest
from django.test import Client
from django.urls import reverse

from sendsay_admin.models import AccountStatus, SendsayAccount
from sendsay_admin.services import account_save_credentials
from tests.sendsay_admin.conftest import API_KEY, LOGIN, WRONG_KEY

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:sendsay_admin_sendsayaccount_add")


def url(name: str, account) -> str:
    return reverse(f"admin:sendsay_admin_sendsayaccount_{name}", args=[account.pk])


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_add_account_stores_an_encrypted_key_and_opens_the_connection_screen(
        admin_client, sendsay_emulator):
    response = admin_client.post(ADD_URL, {"storefront": "", "login": LOGIN, "api_key": API_KEY})
    account = SendsayAccount.objects.get()
    assert response.status_code == 302
    assert response.url == url("change", account)
    assert account.api_key == API_KEY
    assert API_KEY not in account.api_key_encrypted
    html = page(admin_client, url("change", account))
    assert "a key is stored (never shown)" in html
    assert "user icon at the top right" in html
    assert "not for the account owner" in html
    assert 'name="api_key"' in html and API_KEY not in html


def test_key_is_required_when_none_is_stored_and_kept_when_left_blank(
        admin_client, sendsay_account):
    response = admin_client.post(ADD_URL, {"storefront": "", "login": "x_other", "api_key": ""})
    assert response.status_code == 200
    assert "Enter the API key." in response.content.decode()
    response = admin_client.post(url("change", sendsay_account), {"login": LOGIN, "api_key": ""})
    assert response.status_code == 302
    sendsay_account.refresh_from_db()
    assert sendsay_account.api_key == API_KEY


def test_check_connection_shows_name_tariff_and_the_free_plan_note(admin_client, sendsay_account):
    response = admin_client.post(url("check", sendsay_account), follow=True)
    html = response.content.decode()
    assert f"Connected to Sendsay account {LOGIN}" in html
    assert 'id="sendsay-tariff">free' in html
    assert "Sendsay adds its own logo to every letter and accepts only 200 contact uploads" in html
    assert "200 left of 200" in html


def test_wrong_key_shows_sendsays_error_without_a_traceback(admin_client, sendsay_account):
    account_save_credentials(account=sendsay_account, login=LOGIN, api_key=WRONG_KEY)
    admin_client.post(url("toggle", sendsay_account), {"enabled": "1"})
    response = admin_client.post(url("check", sendsay_account), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sendsay error error/auth/failed: wrong_credentials" in html
    assert 'id="sendsay-last-error"' in html
    assert "Traceback" not in html and "File &quot;" not in html
    index = page(admin_client, reverse("admin:index"))
    assert "failing" in index and "error/auth/failed" in index


def test_module_switch_and_index_banner(admin_client, sendsay_account):
    assert ">disabled</strong>" in page(admin_client, reverse("admin:index"))
    sendsay_account.enabled = True
    sendsay_account.save()
    index = page(admin_client, reverse("admin:index"))
    assert "not configured" in index and "connection not checked yet" in index
    admin_client.post(url("toggle", sendsay_account), {"enabled": "1"})
    sendsay_account.refresh_from_db()
    assert sendsay_account.enabled and sendsay_account.state == AccountStatus.CONNECTED
    index = page(admin_client, reverse("admin:index"))
    assert ">connected</strong> to x_marketplace" in index
    assert url("change", sendsay_account) in index
    admin_client.post(url("toggle", sendsay_account), {"enabled": "0"})
    sendsay_account.refresh_from_db()
    assert sendsay_account.state == AccountStatus.DISABLED
    assert ">disabled</strong>" in page(admin_client, reverse("admin:index"))


def test_banner_without_any_account_links_to_the_add_page(admin_client):
    index = page(admin_client, reverse("admin:index"))
    assert "Not configured" in index and ADD_URL in index


def test_sendsay_error_on_a_page_becomes_an_admin_message(
        admin_client, connected_account, sendsay_emulator):
    sendsay_emulator.control("fault", mode="error", action="anketa.get",
                             error_id="error/some/failure", explain="try again", count=1)
    html = page(admin_client, url("mapping", connected_account))
    assert "Sendsay error error/some/failure: try again (action anketa.get)" in html
    assert "The Sendsay fields could not be read" in html
    assert "Traceback" not in html


def test_pages_render(admin_client, connected_account, storefront):
    mapping = page(admin_client, url("mapping", connected_account))
    assert "base.firstName" in mapping and "Categories of interest" in mapping
    senders = page(admin_client, url("senders", connected_account))
    assert storefront.company_email in senders
    assert "buyers of a storefront get mail from that storefront" in senders
    support = page(admin_client, url("support", connected_account))
    assert f"API login: {LOGIN}" in support
    assert page(admin_client, reverse("admin:sendsay_admin_sendsayaccount_changelist"))
    assert page(admin_client, reverse("admin:sendsay_admin_sendsayerrorlog_changelist"))


def test_smtp_fallback_status_and_test_send(admin_client, sendsay_account, smtp_sink):
    html = page(admin_client, url("change", sendsay_account))
    assert f"SMTP server {smtp_sink.host}:{smtp_sink.port}" in html
    response = admin_client.post(url("smtp_test", sendsay_account), {"to": "ops@shop.example"},
                                 follow=True)
    assert "Test message sent to ops@shop.example" in response.content.decode()
    smtp_sink.wait_for(1)
    assert smtp_sink.messages[0].rcpt_tos == ["ops@shop.example"]


def test_console_backend_is_reported_as_not_configured(admin_client, sendsay_account, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    html = page(admin_client, url("change", sendsay_account))
    assert "Not configured: the fallback prints messages to the console" in html


def test_posts_need_the_csrf_token(admin_user, sendsay_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(url("check", sendsay_account)).status_code == 403
    assert client.post(url("toggle", sendsay_account), {"enabled": "1"}).status_code == 403
    html = page(client, url("change", sendsay_account))
    assert html.count("csrfmiddlewaretoken") >= 4


def test_actions_are_post_only_and_need_staff(client, admin_client, sendsay_account):
    assert admin_client.get(url("check", sendsay_account)).status_code == 405
    response = client.get(url("mapping", sendsay_account))
    assert response.status_code == 302 and "login" in response.url


def test_second_marketplace_wide_account_is_refused_by_the_form(admin_client, sendsay_account):
    response = admin_client.post(ADD_URL, {"storefront": "", "login": "x_two", "api_key": "k2"})
    assert response.status_code == 200
    assert "This scope already has a Sendsay account." in response.content.decode()
    assert SendsayAccount.objects.count() == 1
