"""The order admin: status changes only through `order_set_status` (actions and the status
box), read-only history, and a change list whose query count does not grow with the table."""

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import cycle

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.admin.common import ACTION_BATCH_LIMIT, CappedCountPaginator
from marketplace.admin.orders import OrderAdmin
from marketplace.exceptions import TransitionNotAllowedError
from marketplace.models import Order, OrderStatus, OrderStatusChange
from marketplace.services import order_set_status
from tests import factories

CHANGELIST = "admin:marketplace_order_changelist"


@pytest.fixture
def client_en(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def run_action(client, action: str, *orders: Order):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [order.pk for order in orders]},
        follow=True,
    )


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def refusal(order: Order, status: str) -> str:
    """The service's own refusal text for moving `order` to `status` (nothing is changed)."""
    with translation.override("en"), pytest.raises(TransitionNotAllowedError) as refused:
        order_set_status(order=Order.objects.get(pk=order.pk), status=status)
    return " ".join(refused.value.messages)


def test_every_status_has_a_mark_as_action():
    names = {action.__name__ for action in OrderAdmin.actions}
    assert names == {f"mark_{status}" for status in OrderStatus.values}


def test_allowed_status_change_succeeds_and_writes_history(client_en, admin_user):
    order = factories.OrderFactory()

    response = run_action(client_en, "mark_confirmed", order)

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.changed_by) == (
        OrderStatus.PLACED,
        OrderStatus.CONFIRMED,
        admin_user,
    )
    assert messages_of(response) == [("success", f"Marked as “Confirmed”: #{order.pk}")]
    assert LogEntry.objects.get(object_id=str(order.pk)).get_change_message() == (
        "Status set to “Confirmed”."
    )


def test_refused_status_change_shows_the_reason_and_changes_nothing(client_en):
    order = factories.OrderFactory(status=OrderStatus.DELIVERED)
    reason = refusal(order, OrderStatus.CONFIRMED)
    updated_at = Order.objects.get(pk=order.pk).updated_at

    response = run_action(client_en, "mark_confirmed", order)

    assert response.status_code == 200
    assert messages_of(response) == [("error", f"Not changed, #{order.pk}: {reason}")]
    assert "Traceback" not in response.text
    order.refresh_from_db()
    assert (order.status, order.updated_at) == (OrderStatus.DELIVERED, updated_at)
    assert not OrderStatusChange.objects.filter(order=order).exists()
    assert not LogEntry.objects.exists()


def test_mixed_selection_changes_the_allowed_orders_and_reports_the_others(client_en):
    placed, confirmed = factories.OrderFactory(), factories.OrderFactory()
    cancelled = factories.OrderFactory(status=OrderStatus.CANCELLED)
    delivered = factories.OrderFactory(status=OrderStatus.DELIVERED)
    reasons = {order.pk: refusal(order, OrderStatus.CANCELLED) for order in (cancelled, delivered)}
    Order.objects.filter(pk=confirmed.pk).update(status=OrderStatus.CONFIRMED)

    response = run_action(client_en, "mark_cancelled", placed, confirmed, cancelled, delivered)

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert set(statuses.values()) == {OrderStatus.CANCELLED, OrderStatus.DELIVERED}
    assert statuses[delivered.pk] == OrderStatus.DELIVERED
    newest_first = f"#{confirmed.pk}, #{placed.pk}"  # the change list's order
    assert messages_of(response) == [
        ("success", f"Marked as “Cancelled”: {newest_first}"),
        ("error", f"Not changed, #{delivered.pk}: {reasons[delivered.pk]}"),
        ("error", f"Not changed, #{cancelled.pk}: {reasons[cancelled.pk]}"),
    ]
    assert OrderStatusChange.objects.count() == 2


def test_an_action_over_too_many_orders_is_refused_before_any_change(client_en, monkeypatch):
    monkeypatch.setattr("marketplace.admin.common.ACTION_BATCH_LIMIT", 2)
    orders = factories.OrderFactory.create_batch(3)

    response = run_action(client_en, "mark_confirmed", *orders)

    assert messages_of(response) == [("error", "Select at most 2 objects for this action.")]
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PLACED}
    assert ACTION_BATCH_LIMIT == 500  # the real limit


def test_status_is_read_only_on_the_change_form(client_en):
    order = factories.OrderFactory()
    url = reverse("admin:marketplace_order_change", args=[order.pk])

    page = client_en.get(url)
    assert 'name="status"' not in page.text
    response = client_en.post(
        url,
        {
            "status": OrderStatus.DELIVERED,
            "delivery_address": "Tverskaya 1",
            "lines-TOTAL_FORMS": 0,
            "lines-INITIAL_FORMS": 0,
            "history-TOTAL_FORMS": 0,
            "history-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.delivery_address) == (OrderStatus.PLACED, "Tverskaya 1")


def test_editing_the_address_never_writes_back_a_stale_status(client_en, monkeypatch):
    order = factories.OrderFactory()
    read = OrderAdmin.get_object

    def read_then_concurrent_change(self, request, object_id, from_field=None):
        stale = read(self, request, object_id, from_field)
        if request.method == "POST":  # another admin confirms it while this request runs
            order_set_status(order=Order.objects.get(pk=order.pk), status="confirmed")
        return stale

    monkeypatch.setattr(OrderAdmin, "get_object", read_then_concurrent_change)
    response = client_en.post(
        reverse("admin:marketplace_order_change", args=[order.pk]),
        {
            "delivery_address": "Arbat 5",
            "lines-TOTAL_FORMS": 0,
            "lines-INITIAL_FORMS": 0,
            "history-TOTAL_FORMS": 0,
            "history-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.delivery_address) == (OrderStatus.CONFIRMED, "Arbat 5")


def test_change_page_offers_only_allowed_next_statuses(client_en):
    order = factories.OrderFactory(status=OrderStatus.ARRIVED_IN_CITY)

    response = client_en.get(reverse("admin:marketplace_order_change", args=[order.pk]))

    choices = response.context["status_form"].fields["new_status"].choices
    assert [value for value, _ in choices] == [
        OrderStatus.AT_PICKUP_POINT,
        OrderStatus.DELIVERED,
        OrderStatus.CANCELLED,
    ]
    final = factories.OrderFactory(status=OrderStatus.DELIVERED)
    page = client_en.get(reverse("admin:marketplace_order_change", args=[final.pk]))
    assert "This is a final status" in page.text


def test_status_box_changes_status_with_a_note(client_en, admin_user):
    order = factories.OrderFactory()
    url = reverse("admin:marketplace_order_status", args=[order.pk])

    response = client_en.post(url, {"new_status": "confirmed", "note": "called the buyer"})

    assert response.status_code == 302
    assert response.url == reverse("admin:marketplace_order_change", args=[order.pk])
    change = OrderStatusChange.objects.get(order=order)
    assert (change.to_status, change.note, change.changed_by) == (
        "confirmed",
        "called the buyer",
        admin_user,
    )


def test_status_box_reports_a_refusal_and_rejects_get(client_en):
    order = factories.OrderFactory(status=OrderStatus.CANCELLED)
    url = reverse("admin:marketplace_order_status", args=[order.pk])
    reason = refusal(order, OrderStatus.DELIVERED)

    response = client_en.post(url, {"new_status": "delivered"}, follow=True)

    assert messages_of(response) == [("error", f"Not changed, #{order.pk}: {reason}")]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert client_en.get(url).status_code == 405
    bogus = client_en.post(url, {"new_status": "lost"}, follow=True)
    assert [level for level, _ in messages_of(bogus)] == ["error"]


def test_history_and_lines_are_read_only_inlines(client_en):
    order = factories.OrderFactory()
    product = factories.ProductFactory(company=order.company, name="Teapot")
    order.lines.create(product=product, product_name="Teapot", unit_price=5, quantity=2)
    order_set_status(order=order, status=OrderStatus.CONFIRMED, note="ok")

    response = client_en.get(reverse("admin:marketplace_order_change", args=[order.pk]))

    for inline in response.context["inline_admin_formsets"]:
        assert not (
            inline.has_add_permission
            or inline.has_change_permission
            or inline.has_delete_permission
        )
    assert "Teapot" in response.text
    assert "10.00" in response.text  # the line total


def test_orders_cannot_be_added_or_deleted(client_en):
    order = factories.OrderFactory()
    assert client_en.get(reverse("admin:marketplace_order_add")).status_code == 403
    delete = reverse("admin:marketplace_order_delete", args=[order.pk])
    assert client_en.get(delete).status_code == 403


def test_search_by_order_number_is_a_primary_key_lookup(client_en):
    wanted, other = factories.OrderFactory(), factories.OrderFactory()

    for term in (str(wanted.pk), f"#{wanted.pk}", wanted.number):
        response = client_en.get(reverse(CHANGELIST), {"q": term})
        assert list(response.context["cl"].result_list) == [wanted], term
    by_email = client_en.get(reverse(CHANGELIST), {"q": other.buyer.email})
    assert list(by_email.context["cl"].result_list) == [other]


# --- the change list at scale ---------------------------------------------------------------


def bulk_orders(count: int, *, first: int, companies, buyers, shipping_method) -> None:
    """Insert `count` orders directly (test data, not business logic), one every 10 minutes
    going back from now, so they span almost two years."""
    now = timezone.now()
    created_at = Order._meta.get_field("created_at")
    pairs, statuses = cycle(zip(companies, cycle(buyers))), cycle(OrderStatus.values)
    batch_size = 5_000
    original, created_at.auto_now_add = created_at.auto_now_add, False
    try:
        for start in range(first, first + count, batch_size):
            batch = []
            for number in range(start, min(start + batch_size, first + count)):
                company, buyer = next(pairs)
                batch.append(
                    Order(
                        storefront_id=company.storefront_id,
                        company_id=company.pk,
                        buyer_id=buyer.pk,
                        shipping_method_id=shipping_method.pk,
                        status=next(statuses),
                        created_at=now - timedelta(minutes=10 * number),
                        subtotal=Decimal("100.00"),
                        shipping_cost=Decimal("300.00"),
                        total=Decimal("400.00"),
                    )
                )
            Order.objects.bulk_create(batch)
    finally:
        created_at.auto_now_add = original


def page_queries(client, params: dict) -> tuple[int, list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200, params
    return len(captured), [query["sql"] for query in captured.captured_queries], response


def test_order_change_list_queries_do_not_grow_with_100_000_orders(client_en):
    storefronts = factories.StorefrontFactory.create_batch(3)
    companies = [factories.CompanyFactory(storefront=s) for s in storefronts for _ in range(3)]
    buyers = [
        factories.BuyerProfileFactory(storefront=s).user for s in storefronts for _ in range(4)
    ]
    shipping_method = factories.ShippingMethodFactory()
    seed = {"companies": companies, "buyers": buyers, "shipping_method": shipping_method}
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    pages = {
        "all": {},
        "status": {"status__exact": OrderStatus.PLACED},
        "storefront": {"storefront__id__exact": storefronts[1].pk},
        "company": {"company__id__exact": companies[4].pk},
        "buyer": {"buyer__id__exact": buyers[5].pk},
        "past 7 days": {
            "created_at__gte": str(midnight - timedelta(days=7)),
            "created_at__lt": str(midnight + timedelta(days=1)),
        },
        "year": {"created_at__year": timezone.now().year},
        "search": {"q": buyers[2].email},
    }
    bulk_orders(10, first=0, **seed)
    pages["number"] = {"q": f"#{Order.objects.order_by('pk')[6].pk}"}
    client_en.get(reverse(CHANGELIST))  # warm-up: session, content types
    small = {name: page_queries(client_en, params)[0] for name, params in pages.items()}

    bulk_orders(100_000 - 10, first=10, **seed)
    assert Order.objects.count() == 100_000
    large = {name: page_queries(client_en, params)[0] for name, params in pages.items()}

    assert large == small
    assert max(large.values()) <= 8
    _count, all_sql, page = page_queries(client_en, {})
    assert_one_bounded_count_and_an_indexed_page(all_sql)
    assert page.context["cl"].paginator.is_capped
    assert "more than 10000 orders" in page.text


def assert_one_bounded_count_and_an_indexed_page(all_sql: list[str]) -> None:
    counts = [query for query in all_sql if "COUNT(" in query]
    assert len(counts) == 1 and f"LIMIT {CappedCountPaginator.count_cap + 1}" in counts[0]
    page_sql = next(query for query in all_sql if " LIMIT 50" in query and "COUNT(" not in query)
    plain = page_sql.replace('"', "").replace("`", "")
    assert plain.count(" JOIN ") == 4  # storefront, company, buyer, shipping method
    assert plain.endswith(
        "ORDER BY marketplace_order.created_at DESC, marketplace_order.id DESC LIMIT 50"
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + page_sql)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "order_recent_idx" in plan and "TEMP B-TREE" not in plan, plan


# --- the change list's cheap date hierarchy and bounded count -------------------------------


def placed_at(order: Order, *date: int) -> None:
    at = timezone.make_aware(datetime(*date, 12, 0))
    Order.objects.filter(pk=order.pk).update(created_at=at)


def nav_titles(client, **params) -> tuple[str | None, list[str]]:
    nav = client.get(reverse(CHANGELIST), params).context["date_hierarchy_nav"]
    back = nav["back"]["title"] if nav["back"] else None
    return back, [choice["title"] for choice in nav["choices"]]


def test_date_hierarchy_links_come_from_the_first_and_last_order(client_en):
    orders = factories.OrderFactory.create_batch(3)
    for order, date in zip(orders, [(2024, 3, 5), (2024, 3, 20), (2025, 7, 1)], strict=True):
        placed_at(order, *date)

    assert nav_titles(client_en) == (None, ["2024", "2025"])
    assert nav_titles(client_en, created_at__year=2024) == ("All dates", ["March 2024"])
    back, days = nav_titles(client_en, created_at__year=2024, created_at__month=3)
    assert (back, days[0], days[-1], len(days)) == ("2024", "March 5", "March 20", 16)
    day = {"created_at__year": 2024, "created_at__month": 3, "created_at__day": 20}
    assert nav_titles(client_en, **day) == ("March 2024", ["March 20"])
    response = client_en.get(reverse(CHANGELIST), day)
    assert list(response.context["cl"].result_list) == [orders[1]]


def test_counts_past_the_cap_are_shown_as_more_than(client_en, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 3)
    monkeypatch.setattr(OrderAdmin, "list_per_page", 2)
    first = factories.OrderFactory.create_batch(5)[0]

    capped = client_en.get(reverse(CHANGELIST), {"status__exact": "placed"})
    below = client_en.get(reverse(CHANGELIST), {"q": f"#{first.pk}"})

    assert "more than 3 orders" in capped.text
    assert "Select all 3+ orders" in capped.text
    assert capped.context["selection_note_all"] == "All 3+ selected"
    assert "more than 3 results" in capped.text
    assert not below.context["cl"].paginator.is_capped
    assert "1 order" in below.text
