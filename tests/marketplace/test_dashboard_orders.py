"""Vendor dashboard orders: list filters and pages, status actions, stock check, assembly and
the address-label PDF (Django test client)."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from marketplace.models import BuyerProfile, OrderStatus, OrderStatusChange
from marketplace.services.orders import order_set_status
from marketplace.services.stock_check import ASSEMBLY_NOTE
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller_client(client, seller):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(seller)
    return client


@pytest.fixture
def order(company):
    """A PLACED order: 2 × 100.00 and 1 × 250.00 plus 300.00 shipping."""
    buyer = factories.UserFactory(first_name="Анна", last_name="Смирнова")
    BuyerProfile.objects.create(user=buyer, storefront=company.storefront, phone="+79161234567")
    order = factories.OrderFactory(
        company=company, buyer=buyer, delivery_address="Москва, ул. Тверская, д. 1",
        subtotal=Decimal("450.00"), shipping_cost=Decimal("300.00"), total=Decimal("750.00"),
    )
    kettle = factories.ProductFactory(company=company, name="Чайник", price=Decimal("100.00"))
    toaster = factories.ProductFactory(company=company, name="Тостер", price=Decimal("250.00"))
    factories.OrderLineFactory(order=order, product=kettle, quantity=2)
    factories.OrderLineFactory(order=order, product=toaster, quantity=1)
    OrderStatusChange.objects.create(order=order, from_status="", to_status=OrderStatus.PLACED)
    return order


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def detail(order):
    return reverse("dashboard:order_detail", args=[order.pk])


def _placed_on(company, day: dt.date, **kwargs):
    order = factories.OrderFactory(company=company, **kwargs)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    order.created_at = moment
    order.save(update_fields=["created_at"])
    return order


# --- the list -------------------------------------------------------------------------


def test_order_list_filters_by_status_and_date_range(seller_client, company):
    today = timezone.localdate()
    old = _placed_on(company, today - dt.timedelta(days=10))
    recent = _placed_on(company, today - dt.timedelta(days=2))
    cancelled = _placed_on(company, today - dt.timedelta(days=2), status=OrderStatus.CANCELLED)
    url = reverse("dashboard:order_list")

    def numbers(**params):
        return {o.number for o in seller_client.get(url, params).context["orders"]}

    assert numbers() == {old.number, recent.number, cancelled.number}
    assert numbers(status="placed") == {old.number, recent.number}
    assert numbers(date_from=(today - dt.timedelta(days=3)).isoformat()) == {
        recent.number, cancelled.number}
    assert numbers(date_to=(today - dt.timedelta(days=3)).isoformat()) == {old.number}
    assert numbers(status="cancelled", date_from=(today - dt.timedelta(days=2)).isoformat(),
                   date_to=(today - dt.timedelta(days=2)).isoformat()) == {cancelled.number}


def test_order_list_refuses_a_reversed_date_range_but_still_lists(seller_client, order):
    response = seller_client.get(
        reverse("dashboard:order_list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )

    assert response.status_code == 200
    assert b"The start date must not be after the end date." in response.content
    assert [o.pk for o in response.context["orders"]] == [order.pk]


def test_order_list_ignores_an_unknown_status(seller_client, order):
    response = seller_client.get(reverse("dashboard:order_list"), {"status": "lost"})

    assert response.status_code == 200
    assert "status" in response.context["filter_form"].errors


def test_order_list_paginates_and_keeps_the_filters(seller_client, company):
    for _ in range(23):
        factories.OrderFactory(company=company)

    first = seller_client.get(reverse("dashboard:order_list"), {"status": "placed"})
    second = seller_client.get(reverse("dashboard:order_list"), {"status": "placed", "page": 2})

    assert len(first.context["orders"]) == 20 and len(second.context["orders"]) == 3
    assert b"?status=placed&amp;page=2" in first.content


# --- the order page ---------------------------------------------------------------------


def test_order_page_shows_lines_totals_history_and_actions(seller_client, order):
    response = seller_client.get(detail(order))

    html = response.content.decode()
    assert "Чайник" in html and "Тостер" in html
    assert "750.00" in html and "450.00" in html
    assert "Москва, ул. Тверская, д. 1" in html
    assert [status for status, _caption in response.context["actions"]] == [
        "confirmed", "cancelled"]
    assert response.context["stock_check_form"] is not None
    assert len(response.context["history"]) == 1


@pytest.mark.parametrize(
    ("path", "actions"),
    [
        (["confirmed"], ["handed_to_carrier", "cancelled"]),
        (["confirmed", "handed_to_carrier"], ["cancelled"]),
        (["confirmed", "handed_to_carrier", "arrived_in_city", "delivered"], []),
        (["cancelled"], []),
    ],
)
def test_order_page_offers_only_allowed_seller_transitions(seller_client, order, path, actions):
    for status in path:
        order_set_status(order=order, status=status)

    response = seller_client.get(detail(order))

    assert [status for status, _caption in response.context["actions"]] == actions
    assert response.context["stock_check_form"] is None


def test_status_action_moves_the_order_through_the_service(seller_client, seller, order):
    response = seller_client.post(
        reverse("dashboard:order_status", args=[order.pk]), {"status": "confirmed"}
    )

    assert response.status_code == 302 and response["Location"] == detail(order)
    assert flashes(response) == [f"Order {order.number}: Confirmed."]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.history.last().changed_by == seller


def test_status_action_refused_by_the_lifecycle_is_a_message(seller_client, order):
    response = seller_client.post(
        reverse("dashboard:order_status", args=[order.pk]), {"status": "handed_to_carrier"},
        follow=True,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Order {order.number} cannot go from “Placed” to “Handed to carrier”." in html
    assert "Traceback" not in html
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize("status", ["delivered", "arrived_in_city", "nonsense", ""])
def test_status_action_outside_the_seller_set_is_refused(seller_client, order, status):
    order_set_status(order=order, status="confirmed")

    response = seller_client.post(
        reverse("dashboard:order_status", args=[order.pk]), {"status": status}
    )

    assert response.status_code == 302
    assert len(flashes(response)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_status_action_needs_post(seller_client, order):
    assert seller_client.get(reverse("dashboard:order_status", args=[order.pk])).status_code == 405


# --- stock check -----------------------------------------------------------------------


def test_stock_check_answer_updates_lines_total_and_status(seller_client, seller, order):
    kettle, toaster = order.lines.order_by("pk")

    response = seller_client.post(
        reverse("dashboard:order_stock_check", args=[order.pk]),
        {f"line_{kettle.pk}": "1", f"line_{toaster.pk}": "0"},
        follow=True,
    )

    assert f"Stock check answered; order {order.number} is confirmed." in (
        response.content.decode())
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert (order.subtotal, order.total) == (Decimal("200.00"), Decimal("500.00"))
    assert [ln.is_available for ln in order.lines.order_by("pk")] == [True, False]
    toaster.product.refresh_from_db()
    assert toaster.product.stock == 11
    assert response.context["stock_check_form"] is None
    assert order.history.last().changed_by == seller


def test_stock_check_second_answer_is_refused_with_a_message(seller_client, order):
    kettle, toaster = order.lines.order_by("pk")
    url = reverse("dashboard:order_stock_check", args=[order.pk])
    seller_client.post(url, {f"line_{kettle.pk}": "1", f"line_{toaster.pk}": "1"}, follow=True)

    response = seller_client.post(url, {f"line_{kettle.pk}": "0", f"line_{toaster.pk}": "0"})

    assert flashes(response) == [
        f"The stock check of order {order.number} has already been answered."]
    assert [ln.is_available for ln in order.lines.order_by("pk")] == [True, True]


def test_stock_check_with_a_missing_line_is_refused(seller_client, order):
    kettle = order.lines.order_by("pk").first()

    response = seller_client.post(
        reverse("dashboard:order_stock_check", args=[order.pk]), {f"line_{kettle.pk}": "1"}
    )

    assert flashes(response) == ["Answer every line: available or not available."]
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_stock_check_cannot_answer_another_orders_line(seller_client, order, company):
    other = factories.OrderLineFactory(order=factories.OrderFactory(company=company))
    data = {f"line_{line.pk}": "1" for line in order.lines.all()} | {f"line_{other.pk}": "0"}

    seller_client.post(reverse("dashboard:order_stock_check", args=[order.pk]), data)

    other.refresh_from_db()
    assert other.is_available is None


# --- assembly and labels -----------------------------------------------------------------


def test_confirm_assembly_records_it_once(seller_client, seller, order):
    order_set_status(order=order, status="confirmed")
    url = reverse("dashboard:order_assembly", args=[order.pk])

    first = seller_client.post(url, follow=True)
    second = seller_client.post(url)

    assert f"Assembly of order {order.number} confirmed." in first.content.decode()
    assert first.context["assembly"].changed_by == seller
    assert b'id="assembly-done"' in first.content
    assert flashes(second) == [
        f"The assembly of order {order.number} has already been confirmed."]
    assert order.history.filter(note=ASSEMBLY_NOTE).count() == 1


def test_confirm_assembly_of_a_placed_order_is_refused(seller_client, order):
    response = seller_client.post(reverse("dashboard:order_assembly", args=[order.pk]))

    assert "Only a confirmed order can be assembled" in flashes(response)[0]
    assert not order.history.filter(note=ASSEMBLY_NOTE).exists()


def test_labels_pdf_is_a_real_pdf_with_the_order(seller_client, order):
    response = seller_client.get(reverse("dashboard:order_labels", args=[order.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="label-{order.number}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5_000  # embedded DejaVu subset, not an empty page
    assert f"/Title (Shipping label, order {order.number})".encode() in pdf
    assert b"/FontFile2" in pdf and b"DejaVu" in pdf
    if shutil.which("pdftotext"):  # poppler-utils: check the text itself when it is there
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()
        assert f"Order No. {order.number}" in text
        assert "Анна Смирнова" in text and "Москва, ул. Тверская, д. 1" in text
        assert "+7 916 123-45-67" in text and "2 lines, 3 items" in text
        assert order.storefront.name in text and order.company.name in text
