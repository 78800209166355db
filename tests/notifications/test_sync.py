"""Sync to Sendsay through the sync outbox: services -> SyncItem rows -> the real emulator over
HTTP (member.set with the mapped fields, ssec events), retries, the module switched off."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from marketplace import services as market
from marketplace.models import Cart
from notifications.models import MessageStatus, SyncItem, SyncKind
from notifications.sync.deliver import MODULE_OFF, sync_deliver
from notifications.sync.flush import sync_flush, sync_retry
from notifications.sync.record import member_key
from sendsay_admin.services import custom_field_create_for, field_mapping_save
from tests import factories
from tests.notifications.conftest import LOGIN


@pytest.fixture(autouse=True)
def _no_coalescing_delay(settings):
    settings.NOTIFICATIONS_SYNC_DELAY_SECONDS = 0


@pytest.fixture
def sync_enqueued(monkeypatch):
    """Record `sync.deliver` tasks instead of sending them to the broker."""
    from notifications.sync import tasks

    calls: list[dict] = []
    monkeypatch.setattr(tasks.deliver, "apply_async",
                        lambda args, **options: calls.append({"ids": list(args[0]), **options}))
    return calls


@pytest.fixture
def mapped(sendsay_on):
    """Buyer first name -> base.firstName, gender -> base.gender (answer codes), orders count
    and e-mail confirmed -> new custom fields; seller status and products count likewise."""
    field_mapping_save(account=sendsay_on, role="buyer", field_code="first_name",
                       sendsay_path="base.firstName")
    field_mapping_save(account=sendsay_on, role="buyer", field_code="gender",
                       sendsay_path="base.gender")
    for role, code in [("buyer", "orders_count"), ("buyer", "email_confirmed"),
                       ("seller", "company_status"), ("seller", "products_count")]:
        custom_field_create_for(account=sendsay_on, role=role, field_code=code)
    return sendsay_on


def inspect(emulator) -> dict:
    return requests.get(f"{emulator.url}/_inspect", timeout=5).json()["accounts"][LOGIN]


def member_data(emulator, email: str) -> dict:
    members = {m["email"]: m for m in inspect(emulator)["members"]}
    return members[email]["data"]


def ssec(emulator) -> list[dict]:
    return [entry["event"] for entry in inspect(emulator)["ssec_events"]]


def deliver_due() -> None:
    """What the flush and the workers would do, synchronously: everything pending, now."""
    SyncItem.objects.filter(status=MessageStatus.PENDING).update(next_attempt_at=timezone.now())
    ids = list(SyncItem.objects.filter(status=MessageStatus.PENDING).values_list("pk", flat=True))
    sync_deliver(item_ids=ids)


def register(storefront, email="anna@example.org", **extra):
    return market.buyer_register(storefront=storefront, email=email, first_name="Anna",
                                 password="pw-123456", **extra)


def test_many_profile_changes_of_one_buyer_become_one_member_set_with_the_mapped_values(
    storefront, emulator, mapped
):
    user = register(storefront)
    market.buyer_confirm_email(user=user)
    for name in ("Anya", "Annushka", "Anna-Maria"):
        market.buyer_update_profile(user=user, first_name=name)
    market.buyer_update_profile(user=user, gender="f")
    row = SyncItem.objects.get(kind=SyncKind.MEMBER)
    assert (row.key, row.generation, row.status) == (member_key("buyer", user.pk), 6, "pending")
    before = emulator.requests_count("member.set")
    deliver_due()
    assert emulator.requests_count("member.set") == before + 1
    data = member_data(emulator, "anna@example.org")
    assert data["base"]["firstName"] == "Anna-Maria"
    assert data["base"]["gender"] == "2"  # our "f" through the answer map
    assert data["custom"]["orders_count"] == 0
    assert data["custom"]["email_confirmed"] == "1"
    assert "city" not in data["base"]  # not mapped, not sent
    row.refresh_from_db()
    assert (row.status, row.attempts, row.login, row.error) == ("sent", 1, LOGIN, "")


def test_registration_view_basket_and_orders_reach_sendsay_as_ssec_events(
    storefront, emulator, mapped, shipping_method
):
    company = factories.CompanyFactory(storefront=storefront)
    kettle = factories.ProductFactory(company=company, name="Kettle", price=Decimal("990.50"))
    user = register(storefront)
    market.buyer_confirm_email(user=user)
    market.product_view_record(buyer=user, product=kettle)
    market.cart_add(buyer=user, storefront=storefront, product=kettle, quantity=2)
    deliver_due()
    [order] = market.order_place(buyer=user, storefront=storefront,
                                 shipping_method=shipping_method)
    market.order_set_status(order=order, status="confirmed")
    market.order_set_status(order=order, status="cancelled")
    deliver_due()

    events = ssec(emulator)
    assert [e["event_type"] for e in events] == [28, 0, 3, 1, 1, 1]
    assert {e["email"] for e in events} == {"anna@example.org"}
    view, basket, placed, confirmed, cancelled = events[1:]
    assert (view["id"], view["name"], view["price"], view["available"]) == (
        str(kettle.pk), "Kettle", 990.5, 1)
    assert basket["transaction_id"] == f"cart-{Cart.objects.get(buyer=user).pk}"
    assert basket["items"] == [{"id": str(kettle.pk), "qnt": 2, "price": 990.5,
                                "name": "Kettle"}]
    assert basket["transaction_sum"] == 1981.0
    assert (placed["transaction_id"], placed["transaction_status"], placed.get("update")) == (
        order.number, 1, None)
    assert placed["transaction_sum"] == float(order.total)
    assert placed["items"] == [{"id": str(kettle.pk), "qnt": 2, "price": 990.5,
                                "name": "Kettle"}]
    assert (confirmed["transaction_status"], confirmed["update"]) == (2, 1)
    assert (cancelled["transaction_status"], cancelled["update"]) == (7, 1)
    assert set(SyncItem.objects.filter(kind=SyncKind.EVENT).values_list("status", flat=True)) \
        == {"sent"}
    # The order changed the buyer's order count and the seller's profile too.
    assert member_data(emulator, "anna@example.org")["custom"]["orders_count"] == 0  # cancelled
    assert member_data(emulator, company.email)["custom"]["seller_company_status"] == "active"


def test_emulator_down_rows_are_retried_with_backoff_and_nothing_is_lost(
    storefront, emulator, mapped, sync_enqueued, django_capture_on_commit_callbacks
):
    user = register(storefront)
    product = factories.ProductFactory(company=factories.CompanyFactory(storefront=storefront))
    market.product_view_record(buyer=user, product=product)
    emulator.control("fault", mode="http", status=503, action="member.set", count=2)
    emulator.control("fault", mode="drop", action="ssec", count=1)

    with django_capture_on_commit_callbacks(execute=True):
        deliver_due()
    rows = list(SyncItem.objects.order_by("pk"))
    assert [r.status for r in rows] == ["pending"] * 3
    assert all(r.attempts == 1 and r.next_attempt_at > timezone.now() for r in rows)
    member = next(r for r in rows if r.kind == SyncKind.MEMBER)
    assert "503" in member.error
    assert sync_enqueued and sync_enqueued[-1]["countdown"] >= 1  # retry after the backoff

    deliver_due()  # member.set still 503; the ssec host is back: the events go through
    member.refresh_from_db()
    assert (member.status, member.attempts) == ("pending", 2)
    assert SyncItem.objects.filter(kind=SyncKind.EVENT, status="sent").count() == 2
    deliver_due()
    assert set(SyncItem.objects.values_list("status", flat=True)) == {"sent"}
    member.refresh_from_db()
    assert member.attempts == 3
    assert [e["event_type"] for e in ssec(emulator)] == [28, 0]  # each once, in order
    assert member_data(emulator, "anna@example.org")["base"]["firstName"] == "Anna"


def test_a_permanent_sendsay_error_fails_the_row_with_the_reason(storefront, emulator, mapped):
    register(storefront)
    emulator.control("fault", mode="error", action="member.set", error_id="error/member/bad",
                     explain="refused by the test", count=1)
    deliver_due()
    row = SyncItem.objects.get(kind=SyncKind.MEMBER)
    assert row.status == "failed" and row.attempts == 1
    assert "error/member/bad" in row.error and "refused by the test" in row.error
    mapped.refresh_from_db()
    assert mapped.last_error_id == "error/member/bad"
    assert sync_retry(item_ids=[row.pk]) == [row.pk]
    assert sync_retry(item_ids=[row.pk]) == []  # already pending: a second click does nothing
    deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_module_off_sends_nothing_and_says_why(storefront, emulator, mapped, shipping_method):
    mapped.enabled = False
    mapped.save()
    user = register(storefront)
    market.product_view_record(buyer=user, product=factories.ProductFactory(
        company=factories.CompanyFactory(storefront=storefront)))
    before = dict(requests.get(f"{emulator.url}/_inspect", timeout=5).json()["requests"])
    deliver_due()
    after = requests.get(f"{emulator.url}/_inspect", timeout=5).json()["requests"]
    assert after == before  # not a single call
    assert set(SyncItem.objects.values_list("status", "error")) == {("skipped", MODULE_OFF)}
    assert ssec(emulator) == [] and inspect(emulator)["members"] == []


def test_nothing_mapped_skips_the_profile_but_still_sends_events(storefront, emulator,
                                                                 sendsay_on):
    register(storefront)
    deliver_due()
    member = SyncItem.objects.get(kind=SyncKind.MEMBER)
    assert member.status == "skipped" and "no buyer field is mapped" in member.error
    assert [e["event_type"] for e in ssec(emulator)] == [28]


def test_a_change_while_sending_makes_the_contact_due_again(
    storefront, emulator, mapped, monkeypatch
):
    from sendsay_admin.client import SendsayClient

    user = register(storefront)
    row = SyncItem.objects.get(kind=SyncKind.MEMBER)
    original = SendsayClient.member_set

    def member_set(client, email, **kwargs):  # the profile changes while member.set runs
        if ["base.firstName", "set", "Anna"] in kwargs["datakey"]:
            market.buyer_update_profile(user=user, first_name="Later")
        return original(client, email, **kwargs)

    monkeypatch.setattr(SendsayClient, "member_set", member_set)
    deliver_due()
    assert member_data(emulator, "anna@example.org")["base"]["firstName"] == "Anna"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)
    deliver_due()
    assert member_data(emulator, "anna@example.org")["base"]["firstName"] == "Later"


def test_emitting_the_same_order_status_twice_records_one_event(order, enqueued):
    import notifications

    notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    assert SyncItem.objects.filter(kind=SyncKind.EVENT).count() == 1
    assert set(SyncItem.objects.filter(kind=SyncKind.MEMBER).values_list("key", flat=True)) == {
        member_key("buyer", order.buyer_id), member_key("seller", order.company_id)}


def test_events_without_a_sync_rule_cost_no_query(storefront, django_assert_num_queries):
    from notifications.sync.record import sync_record

    with django_assert_num_queries(0):
        assert sync_record("storefront.announcement", storefront_id=storefront.pk) == []


def test_status_change_waits_for_its_order_event_held_by_a_backoff(order, emulator, mapped):
    import notifications

    notifications.emit("order.placed", order_id=order.pk)
    emulator.control("fault", mode="http", status=503, action="ssec", count=1)
    deliver_due()
    placed = SyncItem.objects.get(kind=SyncKind.EVENT)
    assert placed.status == "pending" and placed.next_attempt_at > timezone.now()
    notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    confirmed = SyncItem.objects.exclude(pk=placed.pk).get(kind=SyncKind.EVENT)
    sync_deliver(item_ids=[confirmed.pk])  # due, but its order is not in Sendsay yet
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.attempts) == ("pending", 0)
    deliver_due()
    assert [(e["transaction_status"], e.get("update")) for e in ssec(emulator)] == [
        (1, None), (2, 1)]


def test_flush_takes_back_lost_rows_and_hands_due_ones_to_workers_in_batches(
    storefront, sync_enqueued, settings, django_capture_on_commit_callbacks
):
    product = factories.ProductFactory(company=factories.CompanyFactory(storefront=storefront))
    with django_capture_on_commit_callbacks(execute=True):
        user = register(storefront)
        for _ in range(3):
            market.product_view_record(buyer=user, product=product)
    assert sync_enqueued == []  # no task per event: the flush batches them
    member = SyncItem.objects.get(kind=SyncKind.MEMBER)
    events = list(SyncItem.objects.filter(kind=SyncKind.EVENT).order_by("pk"))
    assert len(events) == 4
    SyncItem.objects.filter(pk=events[0].pk).update(status="sending", claimed_at=timezone.now(),
                                                    attempts=1)
    settings.NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS = 0
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 0
    settings.NOTIFICATIONS_SYNC_BATCH_SIZE = 3
    later = timezone.now() + timezone.timedelta(seconds=1)
    report = sync_flush(now=later)
    assert (report.reset, report.failed, report.enqueued) == (1, 0, 5)
    ids = sorted([member.pk, *(e.pk for e in events)])
    assert sync_enqueued == [{"ids": ids[:3]}, {"ids": ids[3:]}]
    lost = SyncItem.objects.get(pk=events[0].pk)
    assert lost.status == "pending" and "worker lost the row" in lost.error
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 60
    assert sync_flush(now=later).enqueued == 0  # just handed over: no duplicate tasks
    assert sync_flush(now=later + timezone.timedelta(seconds=61)).enqueued == 5  # task lost
