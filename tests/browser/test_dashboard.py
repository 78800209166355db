"""The vendor dashboard in a real browser (Playwright driving the system Chromium):
sign-in and sign-out, the order list and an order page, the stock check, preferences, the label
PDF download and the isolation between two sellers. Every page ends without console errors."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.models import BuyerProfile, CompanyNotificationSettings, OrderStatus
from marketplace.services.orders import order_set_status
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def make_order(company, *, status=OrderStatus.PLACED, address="Москва, ул. Тверская, д. 1"):
    buyer = factories.UserFactory(first_name="Анна", last_name="Смирнова")
    BuyerProfile.objects.create(user=buyer, storefront=company.storefront, phone="+79161234567")
    order = factories.OrderFactory(
        company=company, buyer=buyer, delivery_address=address,
        subtotal=Decimal("450.00"), shipping_cost=Decimal("300.00"), total=Decimal("750.00"),
    )
    kettle = factories.ProductFactory(company=company, name="Чайник", price=Decimal("100.00"))
    toaster = factories.ProductFactory(company=company, name="Тостер", price=Decimal("250.00"))
    factories.OrderLineFactory(order=order, product=kettle, quantity=2)
    factories.OrderLineFactory(order=order, product=toaster, quantity=1)
    if status != OrderStatus.PLACED:
        order_set_status(order=order, status=status)
    return order


def sign_in(page, base, user):
    page.goto(f"{base}/vendor/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#orders-total")


def alert(page) -> str:
    return page.locator("main .alert").first.inner_text()


def test_login_overview_charts_language_and_logout(page, console_errors, live_server, seller):
    base = live_server.url
    order = make_order(seller.seller_profile.company)
    order_set_status(order=order, status=OrderStatus.CONFIRMED)

    page.goto(f"{base}/vendor/")
    assert page.url == f"{base}/vendor/login/?next=/vendor/"
    page.fill("#id_username", seller.username)
    page.fill("#id_password", "wrong password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-form .alert-danger")).to_contain_text("correct username")

    sign_in(page, base, seller)
    assert page.url == f"{base}/vendor/"
    assert page.inner_text("#orders-total") == "1"
    # Chart.js drew both charts from the json_script data (no inline script anywhere).
    page.wait_for_function(
        "() => window.Chart && Chart.getChart('orders-chart') && Chart.getChart('sales-chart')"
    )
    assert page.evaluate("() => Chart.getChart('orders-chart').data.datasets[0].data.at(-1)") == 1
    assert page.evaluate("() => Chart.getChart('sales-chart').data.labels.length") == 30
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0

    page.click("#language-form button[value=ru]")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.click("#language-form button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.click("#logout-form button[type=submit]")
    page.wait_for_selector("#login-form")
    page.goto(f"{base}/vendor/orders/")
    assert page.url.startswith(f"{base}/vendor/login/")
    assert console_errors == []


def test_orders_list_filter_and_order_page(page, console_errors, live_server, seller):
    base = live_server.url
    company = seller.seller_profile.company
    placed = make_order(company)
    cancelled = make_order(company, status=OrderStatus.CANCELLED)
    sign_in(page, base, seller)

    page.click("nav >> text=Orders")
    rows = page.locator("#orders-table tbody tr")
    expect(rows).to_have_count(2)
    page.select_option("#id_status", "cancelled")
    page.click("#order-filter button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(cancelled.number)
    page.click("#order-filter >> text=Reset")
    expect(rows).to_have_count(2)

    page.click(f"#orders-table >> text={placed.number}")
    expect(page.locator("h1")).to_contain_text(placed.number)
    expect(page.locator("#order-lines")).to_contain_text("Чайник")
    expect(page.locator("#order-total")).to_contain_text("750.00")
    expect(page.locator("#order-history tbody tr")).to_have_count(0)
    page.click("#order-actions button[data-action=confirmed]")
    assert alert(page) == f"Order {placed.number}: Confirmed."
    expect(page.locator("#order-status")).to_contain_text("Confirmed")
    expect(page.locator("#order-history tbody tr")).to_have_count(1)
    page.click("#order-actions button[data-action=handed_to_carrier]")
    expect(page.locator("#order-status")).to_contain_text("Handed to carrier")
    assert console_errors == []


def test_answer_a_stock_check_then_confirm_assembly(page, console_errors, live_server, seller):
    base = live_server.url
    order = make_order(seller.seller_profile.company)
    kettle, toaster = order.lines.order_by("pk")
    sign_in(page, base, seller)

    page.goto(f"{base}/vendor/orders/{order.pk}/")
    page.check(f"input[name=line_{kettle.pk}][value='1']")
    page.check(f"input[name=line_{toaster.pk}][value='0']")
    page.click("#stock-check-form button[type=submit]")

    assert alert(page) == f"Stock check answered; order {order.number} is confirmed."
    expect(page.locator("#stock-check-form")).to_have_count(0)
    expect(page.locator("#order-status")).to_contain_text("Confirmed")
    expect(page.locator("#order-total")).to_contain_text("500.00")
    expect(page.locator(f"tr[data-line='{toaster.pk}']")).to_have_class("line-unavailable")
    order.refresh_from_db()
    assert (order.status, order.total) == (OrderStatus.CONFIRMED, Decimal("500.00"))

    page.click("#confirm-assembly")
    expect(page.locator("#assembly-done")).to_be_visible()
    assert console_errors == []


def test_change_preferences(page, console_errors, live_server, seller):
    base = live_server.url
    company = seller.seller_profile.company
    sign_in(page, base, seller)
    page.click("nav >> text=Preferences")

    page.check("input[name=transactional][value=telegram]")
    page.click("#preferences-form button[type=submit]")
    expect(page.locator("#preferences-form")).to_contain_text("Enter the Telegram id")

    page.fill("#id_telegram_id", "123456789")
    page.uncheck("input[name=marketing][value=email]")
    page.fill("#id_warehouse_email", "stock@vendor.example.ru")
    page.fill("#id_warehouse_phone", "+7 912 345-67-89")
    page.click("#preferences-form button[type=submit]")

    assert alert(page) == "Preferences saved."
    expect(page.locator("input[name=transactional][value=telegram]")).to_be_checked()
    row = CompanyNotificationSettings.objects.get(company=company)
    assert row.channels == {"transactional": ["email", "telegram"], "marketing": []}
    assert row.telegram_id == "123456789"
    company.refresh_from_db()
    assert company.warehouse_email == "stock@vendor.example.ru"
    assert console_errors == []


def test_download_the_label_pdf(page, console_errors, live_server, seller):
    base = live_server.url
    order = make_order(seller.seller_profile.company, status=OrderStatus.CONFIRMED)
    sign_in(page, base, seller)
    page.goto(f"{base}/vendor/orders/{order.pk}/")

    with page.expect_download() as info:
        page.click("#download-labels")
    download = info.value

    assert download.suggested_filename == f"label-{order.number}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-") and len(content) > 5_000
    assert f"order {order.number}".encode() in content
    assert console_errors == []


def test_two_sellers_cannot_reach_each_others_orders(browser, live_server):
    base = live_server.url
    first = factories.SellerProfileFactory().user
    second = factories.SellerProfileFactory().user
    orders = {
        first.pk: make_order(first.seller_profile.company, address="Адрес первого"),
        second.pk: make_order(second.seller_profile.company, address="Адрес второго"),
    }
    for me, other in [(first, second), (second, first)]:
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        errors = []
        page.on("console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg))
        page.on("pageerror", lambda exc, errors=errors: errors.append(exc))
        sign_in(page, base, me)
        mine, theirs = orders[me.pk], orders[other.pk]

        page.goto(f"{base}/vendor/orders/")
        expect(page.locator("#orders-table tbody tr")).to_have_count(1)
        expect(page.locator("#orders-table")).to_contain_text(mine.number)
        for path in ["", "labels.pdf"]:
            response = page.goto(f"{base}/vendor/orders/{theirs.pk}/{path}")
            assert response.status == 404, path
            assert theirs.delivery_address not in page.content()
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        for action, data in [("status", {"status": "cancelled"}), ("assembly", {}),
                             ("stock-check", {f"line_{ln.pk}": "0" for ln in theirs.lines.all()})]:
            response = page.request.post(
                f"{base}/vendor/orders/{theirs.pk}/{action}/",
                form={"csrfmiddlewaretoken": token, **data}, max_redirects=0,
            )
            assert response.status == 404, action
        theirs.refresh_from_db()
        assert theirs.status == OrderStatus.PLACED
        assert not theirs.lines.filter(is_available__isnull=False).exists()

        # The only console errors are the browser's reports of the two 404 documents.
        texts = [getattr(e, "text", str(e)) for e in errors]
        assert all("404" in text for text in texts), texts
        context.close()
