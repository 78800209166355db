"""Vendor dashboard pages: access rules, company scoping, overview, messages, progress,
preferences and the language switcher (Django test client)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.models import CompanyNotificationSettings, CompanyStatus, OrderStatus
from marketplace.services.orders import order_set_status
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["overview", "order_list", "messages", "progress", "preferences"]
ORDER_GET_PAGES = ["order_detail", "order_labels"]
ORDER_POST_PAGES = ["order_status", "order_stock_check", "order_assembly"]


@pytest.fixture
def seller_client(client, seller):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(seller)
    return client


@pytest.fixture
def order(company):
    order = factories.OrderFactory(company=company, delivery_address="Moscow, Tverskaya 1")
    factories.OrderLineFactory(order=order, quantity=2)
    return order


@pytest.fixture
def foreign_order(db):
    """An order of another company on another storefront."""
    order = factories.OrderFactory()
    factories.OrderLineFactory(order=order)
    return order


@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_for_a_seller(seller_client, company, name):
    response = seller_client.get(reverse(f"dashboard:{name}"))

    assert response.status_code == 200
    assert company.name in response.content.decode()
    assets = re.findall(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]*)"',
                        response.content.decode())
    assert assets  # styles and scripts come from our own /static/, never from a CDN
    assert not [url for url in assets if url.lower().startswith(("http:", "https:", "//"))]


@pytest.mark.parametrize("name", ORDER_GET_PAGES)
def test_order_pages_render_for_a_seller(seller_client, order, name):
    response = seller_client.get(reverse(f"dashboard:{name}", args=[order.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, name):
    url = reverse(f"dashboard:{name}")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('dashboard:login')}?next={url}"


@pytest.mark.parametrize("name", ORDER_GET_PAGES + ORDER_POST_PAGES)
def test_anonymous_visitor_cannot_reach_order_urls(client, order, name):
    url = reverse(f"dashboard:{name}", args=[order.pk])

    response = client.post(url) if name in ORDER_POST_PAGES else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_a_seller_profile_gets_403(client, buyer, name):
    client.force_login(buyer)

    response = client.get(reverse(f"dashboard:{name}"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert b"does not belong to a seller company" in response.content


def test_staff_of_a_disabled_company_gets_403(seller_client, company):
    company.status = CompanyStatus.DISABLED
    company.save()

    response = seller_client.get(reverse("dashboard:overview"))

    assert response.status_code == 403
    assert b"company is disabled" in response.content


@pytest.mark.parametrize("name", ORDER_GET_PAGES)
def test_another_companys_order_pages_are_404(seller_client, foreign_order, name):
    response = seller_client.get(reverse(f"dashboard:{name}", args=[foreign_order.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ORDER_POST_PAGES)
def test_another_companys_order_actions_are_404_and_change_nothing(
    seller_client, foreign_order, name
):
    line = foreign_order.lines.get()
    data = {"status": OrderStatus.CONFIRMED, f"line_{line.pk}": "0"}

    response = seller_client.post(reverse(f"dashboard:{name}", args=[foreign_order.pk]), data)

    assert response.status_code == 404
    foreign_order.refresh_from_db()
    line.refresh_from_db()
    assert foreign_order.status == OrderStatus.PLACED
    assert line.is_available is None
    assert foreign_order.history.count() == 0


def test_order_list_shows_only_the_companys_orders(seller_client, order, foreign_order):
    response = seller_client.get(reverse("dashboard:order_list"))

    numbers = [o.number for o in response.context["orders"]]
    assert numbers == [order.number]


def test_overview_counts_sales_and_revenue_and_embeds_chart_data(seller_client, company):
    delivered = factories.OrderFactory(company=company, total=Decimal("1500.00"))
    for status in ["confirmed", "handed_to_carrier", "arrived_in_city", "delivered"]:
        order_set_status(order=delivered, status=status)
    factories.OrderFactory(company=company)
    factories.OrderFactory(status=OrderStatus.DELIVERED, total=Decimal("999.00"))  # another company

    response = seller_client.get(reverse("dashboard:overview"))

    overview = response.context["overview"]
    assert (overview.orders_total, overview.sales_count, overview.revenue) == (
        2, 1, Decimal("1500.00")
    )
    assert dict((s, n) for s, _label, n in overview.by_status)["placed"] == 1
    series = response.context["chart_data"]
    today = timezone.localdate().isoformat()
    assert len(series["labels"]) == 30 and series["labels"][-1] == today
    assert (series["orders"][-1], series["sales"][-1]) == (2, 1)
    assert sum(series["orders"]) == 2
    html = response.content.decode()
    assert '<script id="chart-data" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "onclick" not in html and "<script>" not in html


def test_overview_series_counts_days_in_the_local_time_zone(seller_client, company):
    old = factories.OrderFactory(company=company)
    old.created_at = timezone.now() - dt.timedelta(days=40)
    old.save(update_fields=["created_at"])

    response = seller_client.get(reverse("dashboard:overview"))

    assert sum(response.context["chart_data"]["orders"]) == 0


def test_messages_page_lists_only_the_companys_outbox(seller_client, company, foreign_order):
    from notifications.models import MessageStatus, OutboxEvent, OutboxMessage

    event = OutboxEvent.objects.create(
        event="order.placed", occurrence="1", category="transactional", created_at=timezone.now()
    )

    def message(key, target, **kwargs):
        return OutboxMessage.objects.create(
            event=event, role="seller", channel="email", recipient=target.email,
            company=target, language="en", idempotency_key=key, created_at=timezone.now(),
            **kwargs,
        )

    message("a", company, status=MessageStatus.SENT, sent_at=timezone.now())
    message("b", company, status=MessageStatus.FAILED, error="mailbox full")
    message("c", foreign_order.company, status=MessageStatus.SENT)

    response = seller_client.get(reverse("dashboard:messages"))

    rows = response.context["outbox_messages"]
    assert sorted(m.idempotency_key for m in rows) == ["a", "b"]
    html = response.content.decode()
    assert "order.placed" in html and "mailbox full" in html
    assert foreign_order.company.email not in html
    failed = seller_client.get(reverse("dashboard:messages"), {"status": "failed"})
    assert [m.idempotency_key for m in failed.context["outbox_messages"]] == ["b"]


@pytest.mark.parametrize(
    ("sales", "milestone", "percent"),
    [(0, 1, 0), (1, 100, 0), (50, 100, 49), (100, 500, 0), (999, 1000, 99), (1000, None, 100)],
)
def test_progress_next_milestone(company, sales, milestone, percent):
    from marketplace.dashboard.selectors import company_progress
    from marketplace.models import Order

    factories.ProductFactory(company=company)
    template = factories.OrderFactory(company=company)
    Order.objects.bulk_create(
        Order(company=company, storefront=template.storefront, buyer=template.buyer,
              shipping_method=template.shipping_method, status=OrderStatus.DELIVERED)
        for _ in range(sales)
    )

    progress = company_progress(company)

    assert (progress.sales_count, progress.next_milestone, progress.percent) == (
        sales, milestone, percent
    )
    assert progress.has_products and progress.first_sale == (sales > 0)


def test_progress_page_shows_onboarding_state(seller_client, company):
    response = seller_client.get(reverse("dashboard:progress"))

    html = response.content.decode()
    assert "Add your products" in html and "to do" in html
    assert "Next milestone: 1 sales." in html


def test_preferences_form_saves_channels_ids_and_warehouse_contacts(seller_client, company):
    response = seller_client.post(
        reverse("dashboard:preferences"),
        {
            "transactional": ["email", "telegram"],
            "marketing": ["vk"],
            "telegram_id": "123456789",
            "vk_id": "42",
            "warehouse_email": "stock@vendor.example.ru",
            "warehouse_phone": "+7 912 345-67-89",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert b"Preferences saved." in response.content
    row = CompanyNotificationSettings.objects.get(company=company)
    assert (row.telegram_id, row.vk_id) == ("123456789", "42")
    assert row.channels == {"transactional": ["email", "telegram"], "marketing": ["vk"]}
    company.refresh_from_db()
    assert company.warehouse_email == "stock@vendor.example.ru"
    assert str(company.warehouse_phone) == "+79123456789"
    again = seller_client.get(reverse("dashboard:preferences"))
    assert again.context["form"].initial["transactional"] == ["email", "telegram"]


def test_preferences_form_shows_service_errors_on_the_fields(seller_client, company):
    response = seller_client.post(
        reverse("dashboard:preferences"),
        {"transactional": ["telegram"], "marketing": [], "telegram_id": "", "vk_id": "",
         "warehouse_email": "", "warehouse_phone": ""},
    )

    assert response.status_code == 200
    assert "telegram_id" in response.context["form"].errors
    assert not CompanyNotificationSettings.objects.filter(company=company).exists()


def test_preferences_form_refuses_a_bad_phone(seller_client, company):
    response = seller_client.post(
        reverse("dashboard:preferences"),
        {"transactional": ["email"], "warehouse_phone": "12", "warehouse_email": ""},
    )

    assert "warehouse_phone" in response.context["form"].errors


def test_pages_speak_russian_and_english(seller_client, settings):
    from pathlib import Path

    import marketplace.dashboard

    # The settings line the dashboard's Russian catalogue needs (see the dashboard's README part).
    catalogue = Path(marketplace.dashboard.__file__).parent / "locale"
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, catalogue]
    english = seller_client.get(reverse("dashboard:order_list"))
    switched = seller_client.post(reverse("set_language"), {"language": "ru", "next": "/vendor/"})
    russian = seller_client.get(reverse("dashboard:order_list"))

    assert b'<html lang="en">' in english.content and b"Seller dashboard" in english.content
    assert switched["Location"] == "/vendor/"
    html = russian.content.decode()
    assert '<html lang="ru">' in html
    assert "Кабинет продавца" in html and "Любой статус" in html and "Нет заказов" in html
    assert b'action="/i18n/setlang/"' in english.content


def test_post_actions_need_the_csrf_token(seller, order):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(seller)

    response = client.post(reverse("dashboard:order_status", args=[order.pk]),
                           {"status": "confirmed"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_progress_follows_the_milestones_an_administrator_edits(company):
    from chains.models import MilestoneThreshold
    from marketplace.dashboard.selectors import company_progress
    from marketplace.models import Order

    MilestoneThreshold.objects.all().delete()
    MilestoneThreshold.objects.bulk_create([MilestoneThreshold(sales=v) for v in (1, 3, 10)])
    MilestoneThreshold.objects.create(sales=5, active=False)
    template = factories.OrderFactory(company=company, status=OrderStatus.DELIVERED)
    Order.objects.bulk_create(
        Order(company=company, storefront=template.storefront, buyer=template.buyer,
              shipping_method=template.shipping_method, status=OrderStatus.DELIVERED)
        for _ in range(3)
    )

    progress = company_progress(company)

    assert (progress.sales_count, progress.next_milestone, progress.percent) == (4, 10, 14)
