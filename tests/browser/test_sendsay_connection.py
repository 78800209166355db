"""The Sendsay connection walk in a real browser, against the real emulator:
log in -> enter login and key -> check connection -> map a field and create a custom field ->
request and complete a sender's confirmation."""

import pytest

from sendsay_admin.models import AccountStatus, FieldMapping, SendsayAccount
from sendsay_admin.services import sender_is_usable
from tests.sendsay_admin.conftest import API_KEY, LOGIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def message(page) -> str:
    return page.locator("ul.messagelist").inner_text()


def test_connect_map_and_confirm_a_sender(page, console_errors, live_server, admin_user,
                                          sendsay_emulator, storefront):
    base = live_server.url
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#sendsay-banner")

    page.goto(f"{base}/admin/sendsay_admin/sendsayaccount/add/")
    assert "not for the account owner" in page.content()
    page.fill("#id_login", LOGIN)
    page.fill("#id_api_key", API_KEY)
    page.click("input[name=_save]")
    page.wait_for_selector("#sendsay-check")
    assert page.input_value("#id_api_key") == ""
    assert API_KEY not in page.content()

    page.click("#sendsay-check")
    assert f"Connected to Sendsay account {LOGIN}" in message(page)
    assert "200 contact uploads" in page.inner_text("#sendsay-tariff")
    page.click("#sendsay-toggle")
    assert page.inner_text("#sendsay-state") == "Connected"
    assert SendsayAccount.objects.get().state == AccountStatus.CONNECTED

    page.click("#sendsay-mapping-link")
    page.select_option('select[name="map:buyer:first_name"]', "base.firstName")
    page.click("#mapping-save")
    assert "Saved 1 field mapping(s)." in message(page)
    page.click('button[name=create][value="buyer:orders_count"]')
    assert "Created custom.orders_count in Sendsay" in message(page)
    assert sendsay_emulator.inspect()["custom_quests"][0]["type"] == "int"
    assert set(FieldMapping.objects.values_list("sendsay_path", flat=True)) == {
        "base.firstName", "custom.orders_count"}

    page.goto(page.url.replace("/mapping/", "/senders/"))
    row = page.locator(f'tr[data-email="{storefront.company_email}"]')
    row.locator("button.sendsay-request").click()
    assert f"Sendsay sent a confirmation link to {storefront.company_email}" in message(page)
    sendsay_emulator.confirm_sender(storefront.company_email)  # the link in the letter, clicked
    page.click("#sendsay-refresh")
    assert "1 of 2 address(es) confirmed" in message(page)
    assert row.locator("td.check-confirmed").inner_text() == "✓"
    assert sender_is_usable(storefront.company_email)
    assert console_errors == []
