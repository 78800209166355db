"""The order admin in Chromium: the autocomplete company filter and the status box."""

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from marketplace.models import OrderStatus, OrderStatusChange
from tests import factories
from tests.services import require

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_browser(live_server, user, steps: Callable[[object], dict]) -> dict:
    """Run `steps(page)` in Chromium, logged in as `user`, and return what it collected.

    The browser runs in a thread of its own: Playwright's sync API refuses to start in a
    thread whose event loop is busy (tests/browser keeps one running for the session), and
    this thread's ORM calls stay outside Playwright's loop.
    """
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
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda error: errors.append(str(error)))
            try:
                return {**steps(page), "errors": errors}
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def pick_in_autocomplete_filter(page, title: str, term: str, choice: str) -> None:
    box = page.locator(f"#changelist-filter details[data-filter-title='{title}']")
    box.locator(".select2-selection").click()
    page.keyboard.type(term)
    page.locator(".select2-results__option", has_text=choice).click()
    box.locator("input[type=submit]").click()


def test_filter_by_company_then_confirm_an_order(live_server, admin_user):
    acme = factories.CompanyFactory(name="Acme Tools")
    acme_numbers = sorted(
        order.number for order in factories.OrderFactory.create_batch(2, company=acme)
    )
    factories.OrderFactory(company=factories.CompanyFactory(name="Beta Foods"))

    def steps(page) -> dict:
        page.goto(f"{live_server.url}/admin/marketplace/order/")
        pick_in_autocomplete_filter(page, "company", "acme", "Acme Tools")
        page.wait_for_url(f"**company__id__exact={acme.pk}")
        numbers = sorted(page.locator("#result_list tbody th a").all_inner_texts())
        page.locator("#result_list tbody th a").first.click()
        page.select_option("#order-status-form select", OrderStatus.CONFIRMED.value)
        page.fill("#order-status-form input[name=note]", "checked by phone")
        page.click("#order-status-form input[type=submit]")
        return {"numbers": numbers, "message": page.locator("ul.messagelist").inner_text()}

    seen = in_browser(live_server, admin_user, steps)

    assert seen["errors"] == []
    assert seen["numbers"] == acme_numbers
    assert "Marked as “Confirmed”" in seen["message"]
    change = OrderStatusChange.objects.get()
    assert (change.to_status, change.note, change.changed_by) == (
        OrderStatus.CONFIRMED,
        "checked by phone",
        admin_user,
    )
