"""The notification admin in a real browser: the dashboard's charts are drawn from the page's
JSON (no console errors), and a template preview opens in a new tab from the change form."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import OutboxEvent, OutboxMessage
from tests.browser import conftest as browser_fixtures

# The browser fixtures live in tests/browser/conftest.py; these names make them visible here.
browser = browser_fixtures.browser
page = browser_fixtures.page
console_errors = browser_fixtures.console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, admin_user):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")


def test_dashboard_draws_both_charts_and_filters_by_channel(page, console_errors, live_server,
                                                           admin_user):
    event = OutboxEvent.objects.create(event="order.placed", occurrence="1",
                                       category="transactional", created_at=timezone.now())
    now = timezone.now()
    for n, (channel, status, days) in enumerate([("email", "sent", 0), ("email", "failed", 0),
                                                 ("sms", "sent", 1), ("sms", "skipped", 2)]):
        OutboxMessage.objects.create(event=event, role="buyer", channel=channel,
                                     recipient="a@example.org", language="ru", status=status,
                                     created_at=now - dt.timedelta(days=days),
                                     idempotency_key=f"k{n}")
    login(page, live_server.url, admin_user)
    page.click("a[href='/admin/notifications/deliverydashboard/']")
    page.wait_for_selector("#status-chart")
    statuses = page.evaluate(
        "window.Chart.getChart('status-chart').data.datasets.map(d => [d.label, "
        "d.data.reduce((a, b) => a + b, 0)])")
    assert sorted(total for _label, total in statuses) == [1, 1, 2]
    channels = page.evaluate(
        "window.Chart.getChart('channel-chart').data.datasets.map(d => "
        "d.data.reduce((a, b) => a + b, 0))")
    assert sorted(channels) == [2, 2]
    page.select_option("#chart-channel", "sms")
    only_sms = page.evaluate(
        "window.Chart.getChart('status-chart').data.datasets.map(d => "
        "d.data.reduce((a, b) => a + b, 0))")
    assert sorted(only_sms) == [1, 1]
    assert console_errors == []


def test_preview_opens_in_a_new_tab_from_the_change_form(page, console_errors, live_server,
                                                         admin_user):
    login(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}/admin/notifications/templateoverride/add/"
              "?key=order.placed%7Cbuyer%7Cemail%7C&language=en")
    assert page.input_value("#id_subject") == "Order #{{ order.number }} is placed"
    page.fill("#id_subject", "Hello {{ buyer.first_name }}")
    with page.context.expect_page() as opened:
        page.click("#preview-button")
    preview = opened.value
    preview.wait_for_selector("#rendered-subject")
    assert preview.inner_text("#rendered-subject") == "Hello Anna"
    frame = preview.frame_locator("#rendered-html")
    assert "000123" in frame.locator("body").inner_text()
    assert console_errors == []
