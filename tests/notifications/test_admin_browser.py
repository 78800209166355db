"""The notification admin in Chromium: the dashboard's charts are drawn from the page's JSON
(no page errors), and a template preview opens in a new tab from the change form."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import OutboxEvent, OutboxMessage
from tests.services import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def in_browser(live_server, user, steps: Callable[[object], dict]) -> dict:
    """Run `steps(page)` in Chromium, logged in as `user`; return what it collected plus the
    page errors. The browser runs in a thread of its own: Playwright's sync API refuses a
    thread whose event loop is busy (other browser tests keep one running for the session)."""
    require(CHROMIUM is not None, "the system Chromium is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value

    def run() -> dict:
        errors: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(extra_http_headers={"Accept-Language": "en"})
            context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
            context.on("page", lambda opened: opened.on(
                "pageerror", lambda error: errors.append(str(error))))
            page = context.new_page()
            page.set_default_timeout(15_000)
            try:
                return {**steps(page), "errors": errors}
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


TOTALS = "d => d.data.reduce((a, b) => a + b, 0)"


def test_dashboard_draws_both_charts_and_filters_by_channel(live_server, admin_user):
    event = OutboxEvent.objects.create(event="order.placed", occurrence="1",
                                       category="transactional", created_at=timezone.now())
    now = timezone.now()
    for n, (channel, status, days) in enumerate([("email", "sent", 0), ("email", "failed", 0),
                                                 ("sms", "sent", 1), ("sms", "skipped", 2)]):
        OutboxMessage.objects.create(event=event, role="buyer", channel=channel,
                                     recipient="a@example.org", language="ru", status=status,
                                     created_at=now - dt.timedelta(days=days),
                                     idempotency_key=f"k{n}")

    def steps(page) -> dict:
        page.goto(f"{live_server.url}/admin/")
        page.click("a[href='/admin/notifications/deliverydashboard/']")
        page.wait_for_selector("#status-chart")
        page.wait_for_function(
            "() => window.Chart && Chart.getChart('status-chart') && Chart.getChart('channel-chart')"
        )
        found = {
            "statuses": page.evaluate(
                f"Chart.getChart('status-chart').data.datasets.map({TOTALS})"),
            "channels": page.evaluate(
                f"Chart.getChart('channel-chart').data.datasets.map({TOTALS})"),
        }
        page.select_option("#chart-channel", "sms")
        found["sms"] = page.evaluate(
            f"Chart.getChart('status-chart').data.datasets.map({TOTALS})")
        return found

    seen = in_browser(live_server, admin_user, steps)
    assert sorted(seen["statuses"]) == [1, 1, 2]  # failed 1, skipped 1, sent 2
    assert sorted(seen["channels"]) == [2, 2]
    assert sorted(seen["sms"]) == [1, 1]
    assert seen["errors"] == []


def test_preview_opens_in_a_new_tab_from_the_change_form(live_server, admin_user):
    def steps(page) -> dict:
        page.goto(f"{live_server.url}/admin/notifications/templateoverride/add/"
                  "?key=order.placed%7Cbuyer%7Cemail%7C&language=en")
        default_subject = page.input_value("#id_subject")
        page.fill("#id_subject", "Hello {{ buyer.first_name }}")
        with page.context.expect_page() as opened:
            page.click("#preview-button")
        preview = opened.value
        preview.wait_for_selector("#rendered-subject")
        return {
            "default": default_subject, "subject": preview.inner_text("#rendered-subject"),
            "html": preview.frame_locator("#rendered-html").locator("body").inner_text(),
        }

    seen = in_browser(live_server, admin_user, steps)
    assert seen["default"] == "Order #{{ order.number }} is placed"
    assert seen["subject"] == "Hello Anna"
    assert "000123" in seen["html"]
    assert seen["errors"] == []
