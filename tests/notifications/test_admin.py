"""The notification admin as a superuser sees it: delivery log (filters, search, attempts,
resend), delivery dashboard (chart data), Sendsay sync log."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

import notifications
from notifications.admin.dashboard import chart_data, delivery_counts
from notifications.models import (
    AttemptOutcome,
    DeliveryAttempt,
    MessageStatus,
    OutboxMessage,
    SyncItem,
)
from tests import factories

LOG = "admin:notifications_outboxmessage_changelist"


@pytest.fixture
def messages_of_an_order(order, enqueued):
    """order.placed to buyer (e-mail), seller and admins; the buyer's failed, the seller's sent."""
    notifications.emit("order.placed", order_id=order.pk)
    buyer = OutboxMessage.objects.get(role="buyer")
    buyer.status, buyer.attempts, buyer.error = MessageStatus.FAILED, 2, "550 mailbox unavailable"
    buyer.save()
    DeliveryAttempt.objects.create(
        message=buyer, number=1, started_at=timezone.now(), duration_ms=12, backend="smtp",
        channel="email", outcome=AttemptOutcome.TEMPORARY_ERROR, error="421 try again later")
    DeliveryAttempt.objects.create(
        message=buyer, number=2, started_at=timezone.now(), duration_ms=9, backend="smtp",
        channel="email", outcome=AttemptOutcome.PERMANENT_ERROR, error="550 mailbox unavailable")
    OutboxMessage.objects.filter(role="seller").update(status=MessageStatus.SENT,
                                                       backend="smtp", attempts=1)
    return {m.role: m for m in OutboxMessage.objects.all()}


def listed(response) -> list[int]:
    return [row.pk for row in response.context["cl"].result_list]


def test_delivery_log_lists_every_message_and_filters_by_each_column(
    admin_client, messages_of_an_order, order
):
    rows = messages_of_an_order
    url = reverse(LOG)
    response = admin_client.get(url)
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(m.pk for m in rows.values())
    assert order.buyer.email in response.content.decode()
    checks = {
        "status__exact=failed": [rows["buyer"].pk],
        "role__exact=seller": [rows["seller"].pk],
        "channel__exact=sms": [],
        "event=order.placed": sorted(m.pk for m in rows.values()),
        "event=order.status_changed": [],
        f"event__storefront__id__exact={order.storefront_id}":
            sorted(m.pk for m in rows.values()),
        f"created_at__year={timezone.localdate().year}": sorted(m.pk for m in rows.values()),
        "created_at__gte=2000-01-01+00:00:00%2B00:00&created_at__lt=2000-01-02+00:00:00%2B00:00":
            [],
        urlencode({"created_at__gte": str(timezone.now() - dt.timedelta(days=7))}):
            sorted(m.pk for m in rows.values()),
        f"q={order.buyer.email.split('@')[0]}": [rows["buyer"].pk],
        "q=all@market": [rows["admin"].pk],
    }
    for query, expected in checks.items():
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        assert sorted(listed(response)) == expected, query


def test_delivery_log_list_costs_the_same_queries_for_more_rows(
    admin_client, order, enqueued, django_assert_max_num_queries
):
    notifications.emit("order.placed", order_id=order.pk)
    with django_assert_max_num_queries(30) as few:
        admin_client.get(reverse(LOG))
    for number in range(20):
        notifications.emit("order.status_changed", order_id=order.pk,
                           to_status=["confirmed", "cancelled"][number % 2],
                           occurrence=f"more-{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(reverse(LOG))


def test_a_message_shows_its_attempt_history_and_cannot_be_added_or_edited(
    admin_client, messages_of_an_order
):
    buyer = messages_of_an_order["buyer"]
    response = admin_client.get(reverse("admin:notifications_outboxmessage_change",
                                        args=[buyer.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "421 try again later" in page and "550 mailbox unavailable" in page
    assert "Temporary error" in page or "Временная ошибка" in page
    assert 'id="resend-link"' in page
    assert admin_client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    before = OutboxMessage.objects.get(pk=buyer.pk).recipient
    admin_client.post(reverse("admin:notifications_outboxmessage_change", args=[buyer.pk]),
                      {"recipient": "evil@example.org"})
    assert OutboxMessage.objects.get(pk=buyer.pk).recipient == before


def test_resend_queues_one_copy_per_click_and_refuses_messages_on_their_way(
    admin_client, messages_of_an_order, enqueued, django_capture_on_commit_callbacks
):
    rows = messages_of_an_order
    url = reverse(LOG)
    chosen = [rows["buyer"].pk, rows["seller"].pk, rows["admin"].pk]  # failed, sent, pending
    confirm = admin_client.post(url, {"action": "resend", "_selected_action": chosen})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    assert f"#{rows['admin'].pk}" in page  # listed as not resendable
    form = {"action": "resend", "_selected_action": chosen, "post": "yes", "token": token}
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(url, form, follow=True)
    assert done.status_code == 200
    copies = OutboxMessage.objects.exclude(pk__in=[m.pk for m in rows.values()])
    assert sorted((c.role, c.status, c.attempts) for c in copies) == [
        ("buyer", "pending", 0), ("seller", "pending", 0)]
    assert sorted(pk for chunk in enqueued for pk in chunk) == sorted(c.pk for c in copies)
    buyer_copy = copies.get(role="buyer")
    assert (buyer_copy.event_id, buyer_copy.recipient, buyer_copy.channel) == (
        rows["buyer"].event_id, rows["buyer"].recipient, rows["buyer"].channel)
    assert OutboxMessage.objects.get(pk=rows["buyer"].pk).status == "failed"  # history kept
    again = admin_client.post(url, form, follow=True)  # the same click submitted twice
    assert OutboxMessage.objects.count() == len(rows) + 2
    assert "Already queued" in again.content.decode() or "already" in again.content.decode()


def test_resend_from_the_message_page(admin_client, messages_of_an_order, enqueued):
    buyer = messages_of_an_order["buyer"]
    url = reverse("admin:notifications_outboxmessage_resend", args=[buyer.pk])
    page = admin_client.get(url).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    response = admin_client.post(url, {"token": token})
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(role="buyer", status="pending").count() == 1


def test_a_user_without_permission_cannot_resend(client, messages_of_an_order):
    user = factories.UserFactory(is_staff=True)
    client.force_login(user)
    url = reverse("admin:notifications_outboxmessage_resend",
                  args=[messages_of_an_order["buyer"].pk])
    assert client.get(url).status_code == 403


def _message(event, when, channel, status, n):
    for _ in range(n):
        OutboxMessage.objects.create(
            event=event, role="buyer", channel=channel, recipient="a@example.org",
            language="ru", status=status, created_at=when,
            idempotency_key=f"k-{OutboxMessage.objects.count()}-{when.isoformat()}-{channel}")


def test_dashboard_counts_messages_per_day_by_channel_and_status_in_one_query(
    admin_client, order, enqueued, django_assert_num_queries
):
    from notifications.models import OutboxEvent

    event = OutboxEvent.objects.create(event="order.placed", occurrence="x", category="transactional",
                                       created_at=timezone.now())
    now = timezone.localtime()
    today = now.replace(hour=12, minute=0, second=0, microsecond=0)
    _message(event, today, "email", "sent", 3)
    _message(event, today, "email", "failed", 1)
    _message(event, today - dt.timedelta(days=1), "sms", "sent", 2)
    _message(event, today - dt.timedelta(days=40), "email", "sent", 5)  # out of range

    first_day = timezone.localdate() - dt.timedelta(days=29)
    since = timezone.make_aware(dt.datetime.combine(first_day, dt.time()))
    with django_assert_num_queries(1):
        rows = delivery_counts(since=since)
    data = chart_data(rows, first_day=first_day)
    assert data["labels"][-1] == timezone.localdate().isoformat() and len(data["labels"]) == 30
    series = {(s["channel"], s["status"]): s["counts"] for s in data["series"]}
    assert series[("email", "sent")][-1] == 3 and sum(series[("email", "sent")]) == 3
    assert series[("email", "failed")][-1] == 1
    assert series[("sms", "sent")][-2] == 2 and sum(series[("sms", "sent")]) == 2
    assert len(series) == 3

    response = admin_client.get(reverse("admin:notifications_deliverydashboard_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="delivery-chart-data" type="application/json"' in page
    assert "chart.umd.min.js" in page and "delivery_dashboard.js" in page
    assert "<script>" not in page.replace('<script type="application/json"', "")  # no inline JS
    assert response.context["chart"] == data
    totals = {row["value"]: (row["counts"], row["total"]) for row in response.context["totals"]}
    statuses = [s["value"] for s in response.context["statuses"]]
    assert totals["email"][1] == 4 and totals["email"][0][statuses.index("failed")] == 1
    assert totals["sms"][1] == 2


def test_dashboard_is_linked_from_the_app_list_and_the_delivery_log(admin_client):
    dashboard = reverse("admin:notifications_deliverydashboard_changelist")
    assert dashboard in admin_client.get(reverse("admin:index")).content.decode()
    assert dashboard in admin_client.get(reverse(LOG)).content.decode()


def test_sync_log_lists_rows_and_sends_finished_ones_again(
    admin_client, storefront, monkeypatch
):
    from marketplace import services as market
    from notifications.sync import tasks

    sent: list = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kw: sent.append(args[0]))
    market.buyer_register(storefront=storefront, email="zoe@example.org", password="pw-12345")
    SyncItem.objects.update(status=MessageStatus.SKIPPED, error="Sendsay module is off")
    url = reverse("admin:notifications_syncitem_changelist")
    response = admin_client.get(f"{url}?q=zoe@")
    assert response.status_code == 200 and len(listed(response)) == 2
    assert "Sendsay module is off" in response.content.decode()
    ids = list(SyncItem.objects.values_list("pk", flat=True))
    response = admin_client.post(url, {"action": "send_again", "_selected_action": ids},
                                 follow=True)
    assert response.status_code == 200
    assert set(SyncItem.objects.values_list("status", flat=True)) == {"pending"}
    item = SyncItem.objects.first()
    assert admin_client.get(reverse("admin:notifications_syncitem_change",
                                    args=[item.pk])).status_code == 200
