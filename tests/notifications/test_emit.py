"""emit: one row per (occurrence, recipient, channel), idempotent, transactional, constant cost."""

import json

import pytest
from django.db import transaction

import notifications
from notifications.exceptions import MissingRefError, UnknownEventError
from notifications.models import ContactPreference, MessageStatus, OutboxEvent, OutboxMessage
from tests import factories


def rows(**filters):
    return list(OutboxMessage.objects.filter(**filters).select_related("event").order_by("pk"))


def test_order_placed_writes_one_row_per_role_and_channel(order, enqueued,
                                                          django_capture_on_commit_callbacks):
    profile = order.buyer.buyer_profile
    profile.phone = "+79161234567"
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        ids = notifications.emit("order.placed", order_id=order.pk)
    found = {(m.role, m.channel, m.recipient, m.sender) for m in rows()}
    storefront = order.storefront
    assert found == {
        ("buyer", "email", order.buyer.email,
         f"{storefront.name} <{storefront.company_email}>"),
        ("buyer", "sms", "+79161234567", f"{storefront.name} <{storefront.company_email}>"),
        ("seller", "email", order.company.email,
         f"{storefront.name} <{storefront.company_email}>"),
        ("admin", "email", "all@market.example.ru", "all@market.example.ru"),
    }
    assert enqueued == [ids] and len(ids) == 4
    message = rows()[0]
    assert message.status == MessageStatus.PENDING and message.language == "ru"
    assert message.event.occurrence == f"order={order.pk}"


def test_payload_is_json_primitives_only(order, enqueued):
    notifications.emit("order.placed", order=order)
    payload = OutboxEvent.objects.get().payload
    assert json.loads(json.dumps(payload)) == payload
    assert payload["order"]["total"] == "650.00"
    assert payload["order"]["lines"][1] == {"name": "Tea <b>green</b>", "quantity": 1,
                                            "unit_price": "150.00", "line_total": "150.00"}
    assert payload["buyer"]["email"] == order.buyer.email
    assert payload["company"]["name"] == order.company.name
    assert set(payload) == {"storefront", "order", "buyer", "company"}


def test_emitting_the_same_occurrence_twice_creates_nothing_new(order, enqueued,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.emit("order.placed", order_id=order.pk)
        second = notifications.emit("order.placed", order_id=order.pk)
    assert len(first) == 3 and second == []
    assert OutboxMessage.objects.count() == 3 and OutboxEvent.objects.count() == 1
    assert enqueued == [first]


def test_each_status_is_its_own_occurrence(order, enqueued):
    confirmed = notifications.emit("order.status_changed", order_id=order.pk,
                                   from_status="placed", to_status="confirmed")
    cancelled = notifications.emit("order.status_changed", order_id=order.pk,
                                   from_status="confirmed", to_status="cancelled")
    assert len(confirmed) == 1  # the buyer only (no phone)
    assert {m.role for m in rows(pk__in=cancelled)} == {"buyer", "seller"}
    assert {e.variant for e in OutboxEvent.objects.all()} == {"confirmed", "cancelled"}


def test_rollback_leaves_no_rows_and_enqueues_nothing(order, enqueued,
                                                      django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        notifications.emit("order.placed", order_id=order.pk)
        raise RuntimeError("the business change failed")
    assert callbacks == [] and enqueued == []
    assert not OutboxMessage.objects.exists() and not OutboxEvent.objects.exists()


def test_fan_out_is_enqueued_in_chunks_of_at_most_100(storefront, enqueued,
                                                      django_capture_on_commit_callbacks):
    buyers = factories.BuyerProfileFactory.create_batch(230, storefront=storefront)
    with django_capture_on_commit_callbacks(execute=True):
        ids = notifications.emit(
            "storefront.announcement", occurrence="spring", storefront_id=storefront.pk,
            user_ids=[b.user_id for b in buyers], title="Sale", text="-20%", url="",
        )
    assert [len(chunk) for chunk in enqueued] == [100, 100, 30]
    assert [pk for chunk in enqueued for pk in chunk] == ids


def test_query_count_does_not_depend_on_the_number_of_recipients(
    storefront, django_assert_num_queries, enqueued
):
    buyers = [b.user_id for b in factories.BuyerProfileFactory.create_batch(51,
                                                                             storefront=storefront)]
    ContactPreference.objects.create(user_id=buyers[0], channel="email", category="marketing",
                                     allowed=False)

    def emit(occurrence, users):
        return notifications.emit("storefront.announcement", occurrence=occurrence,
                                  storefront_id=storefront.pk, user_ids=users,
                                  title="News", text="Hello", url="")

    with django_assert_num_queries(7):
        assert len(emit("one", buyers[1:2])) == 1
    with django_assert_num_queries(7):
        assert len(emit("fifty", buyers[1:])) == 50


def test_opted_out_marketing_is_stored_skipped_and_not_enqueued(storefront, enqueued):
    keen, tired = factories.BuyerProfileFactory.create_batch(2, storefront=storefront)
    ContactPreference.objects.create(user=tired.user, channel="email", category="marketing",
                                     allowed=False)
    ids = notifications.emit("storefront.announcement", occurrence="news-1",
                             storefront_id=storefront.pk, user_ids=[keen.user_id, tired.user_id],
                             title="News", text="Hello", url="")
    assert [m.recipient_user_id for m in rows(pk__in=ids)] == [keen.user_id]
    skipped = OutboxMessage.objects.get(recipient_user=tired.user)
    assert skipped.status == MessageStatus.SKIPPED
    assert skipped.error == "opted out of marketing messages by email"


def test_opt_outs_do_not_touch_transactional_messages(order, enqueued):
    ContactPreference.objects.create(user=order.buyer, channel="email", category="marketing",
                                     allowed=False)
    ContactPreference.objects.create(user=order.buyer, channel="email",
                                     category="transactional", allowed=False)
    ids = notifications.emit("order.placed", order_id=order.pk)
    assert OutboxMessage.objects.get(role="buyer").pk in ids


def test_a_seller_who_also_buys_is_addressed_per_role(marketplace, company, shipping_method,
                                                     enqueued):
    staff = factories.SellerProfileFactory(company=company).user
    factories.BuyerProfileFactory(user=staff, storefront=company.storefront)
    other = factories.CompanyFactory(storefront=company.storefront)
    bought = factories.OrderFactory(company=other, buyer=staff, shipping_method=shipping_method)
    notifications.emit("order.placed", order_id=bought.pk)
    notifications.emit("seller.registered", company_id=company.pk, user_id=staff.pk)
    buyer_row = OutboxMessage.objects.get(event__event="order.placed", role="buyer")
    seller_rows = rows(event__event="seller.registered", role="seller")
    assert (buyer_row.recipient, buyer_row.recipient_user_id) == (staff.email, staff.pk)
    assert [(m.recipient, m.company_id, m.recipient_user_id) for m in seller_rows] == [
        (company.email, company.pk, None)
    ]
    assert OutboxMessage.objects.get(event__event="order.placed", role="seller").recipient \
        == other.email


def test_company_channel_choice_replaces_the_seller_defaults(order, enqueued):
    from marketplace.models import CompanyNotificationSettings

    CompanyNotificationSettings.objects.create(
        company=order.company, telegram_id="123456",
        channels={"transactional": ["telegram", "viber"]},
    )
    notifications.emit("order.placed", order_id=order.pk)
    assert [(m.channel, m.recipient) for m in rows(role="seller")] == [("telegram", "123456")]


def test_unknown_events_and_missing_refs_are_loud(order):
    with pytest.raises(UnknownEventError):
        notifications.emit("order.lost", order_id=order.pk)
    with pytest.raises(MissingRefError, match="order_id"):
        notifications.emit("order.placed", company_id=order.company_id)
    with pytest.raises(MissingRefError, match="not one of"):
        notifications.emit("order.status_changed", order_id=order.pk, to_status="teleported")
    with pytest.raises(MissingRefError, match="occurrence"):
        notifications.emit("storefront.announcement", storefront_id=order.storefront_id,
                           user_ids=[order.buyer_id], title="t", text="x", url="")


def test_sync_only_events_are_accepted_and_write_nothing(buyer):
    assert notifications.emit("buyer.profile_updated", user_id=buyer.pk, fields=["city"]) == []
    assert not OutboxMessage.objects.exists()


def test_every_announcement_of_the_marketplace_services_is_accepted(order, company, buyer,
                                                                    product, enqueued):
    """The exact call shapes of marketplace/services (`_notify(event, **refs)`)."""
    calls = [
        ("buyer.registered", {"user_id": buyer.pk, "storefront_id": buyer.buyer_profile.storefront_id}),
        ("buyer.email_confirmed", {"user_id": buyer.pk}),
        ("buyer.profile_updated", {"user_id": buyer.pk, "fields": ["city"]}),
        ("cart.updated", {"cart_id": 1, "product_id": product.pk, "quantity": 2}),
        ("product.updated", {"product_id": product.pk, "fields": ["price"]}),
        ("product.viewed", {"user_id": buyer.pk, "product_id": product.pk}),
        ("order.placed", {"order_id": order.pk}),
        ("order.status_changed", {"order_id": order.pk, "from_status": "placed",
                                  "to_status": "confirmed", "by_id": None}),
        ("seller.registered", {"company_id": company.pk, "user_id": buyer.pk}),
        ("company.status_changed", {"company_id": company.pk, "from_status": "new",
                                    "to_status": "active", "by_id": None}),
        ("seller.staff_added", {"company_id": company.pk, "user_id": buyer.pk}),
    ]
    written = {event: len(notifications.emit(event, **refs)) for event, refs in calls}
    assert written == {
        "buyer.registered": 1, "buyer.email_confirmed": 0, "buyer.profile_updated": 0,
        "cart.updated": 0, "product.updated": 0, "product.viewed": 0, "order.placed": 3,
        "order.status_changed": 1, "seller.registered": 2, "company.status_changed": 0,
        "seller.staff_added": 0,
    }


def test_the_order_payload_carries_the_coupon_and_its_discount(order, enqueued):
    from decimal import Decimal

    order.coupon_code, order.discount = "TEA-5Q", Decimal("50.00")
    order.total = order.subtotal - order.discount + order.shipping_cost
    order.save()
    notifications.emit("order.placed", order_id=order.pk)
    data = OutboxEvent.objects.get(event="order.placed").payload["order"]
    assert (data["coupon_code"], data["discount"], data["total"]) == ("TEA-5Q", "50.00", "600.00")
