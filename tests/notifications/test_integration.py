"""The real stack: services -> outbox -> a real Celery worker process -> SMTP sink / emulator."""

import time
import uuid

import pytest
from django.db import transaction

import notifications
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import outbox_sweep
from tests.notifications.worker import workers
from tests.workers import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(settings):
    name = f"test-notify-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATIONS_CELERY_QUEUE = name
    return name


def statuses(ids):
    return list(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True))


def all_sent(ids):
    return lambda: statuses(ids) == [MessageStatus.SENT] * len(ids)


def test_rollback_sends_nothing_and_emitting_twice_sends_once(order, smtp_sink, queue):
    with workers(queue, {"EMAIL_URL": smtp_sink.url}) as start:
        start()
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.emit("order.placed", order_id=order.pk)
            raise RuntimeError("rolled back")
        assert not OutboxMessage.objects.exists()
        with transaction.atomic():
            ids = notifications.emit("order.placed", order_id=order.pk)
        with transaction.atomic():
            assert notifications.emit("order.placed", order_id=order.pk) == []
        assert wait_until(all_sent(ids), timeout=60)
        time.sleep(1)  # anything extra would have arrived by now
    received = smtp_sink.messages
    assert sorted(m.rcpt_tos[0] for m in received) == sorted(
        [order.buyer.email, order.company.email, "all@market.example.ru"]
    )
    assert {m.subject.strip() for m in received} >= {f"Заказ №{order.number} оформлен"}


def test_worker_killed_in_the_middle_of_delivery_then_the_sweeper_delivers(
    order, sendsay_on, confirm_sender, emulator, queue, settings
):
    confirm_sender(order.storefront.company_email)
    # The first issue.send hangs for 8 s and then drops: the worker is killed while it waits.
    emulator.control("fault", mode="latency", latency_ms=8000, action="issue.send", count=1)
    emulator.control("fault", mode="drop", action="issue.send", count=1)
    env = {"SENDSAY_API_URL": settings.SENDSAY_API_URL, "SENDSAY_TIMEOUT": "30"}
    with workers(queue, env) as start:
        first = start()
        with transaction.atomic():
            ids = notifications.emit("order.status_changed", order_id=order.pk,
                                     to_status="confirmed")
        assert wait_until(lambda: emulator.requests_count("issue.send") == 1, timeout=60)
        assert statuses(ids) == [MessageStatus.SENDING]  # the worker waits for Sendsay now
        first.kill()
        time.sleep(0.5)
        assert statuses(ids) == [MessageStatus.SENDING]  # claimed by a dead worker
        settings.NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS = 0
        second = start()
        report = outbox_sweep()
        assert report.reset == 1
        assert wait_until(all_sent(ids), timeout=60), second.output()[-3000:]
    row = OutboxMessage.objects.get(pk=ids[0])
    assert row.attempts == 2 and row.backend == "sendsay"
    assert [a.outcome for a in row.delivery_attempts.all()] == ["sent"]
    sends = emulator.sends("email")
    assert len(sends) == 1 and sends[0]["recipients"][0]["email"] == order.buyer.email


def test_worker_killed_mid_batch_resends_only_the_unrecorded_tail(
    storefront, sendsay_on, confirm_sender, emulator, queue, settings
):
    """Outcomes are recorded while the batch is still sending: killed after 60 of 100 sends,
    the worker leaves at most FLUSH_EVERY + MAX_IN_FLIGHT sent rows unrecorded, and only those
    go out twice. (Recorded at the end of the batch, all 60 would have gone out twice.)"""
    from notifications.channels.sendsay import MAX_IN_FLIGHT
    from notifications.services.recording import Recorder
    from tests import factories

    most_unrecorded = Recorder.FLUSH_EVERY + MAX_IN_FLIGHT
    confirm_sender(storefront.company_email)
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(100)]
    # Calls 61 and later hang far longer than the test waits: the worker is killed meanwhile.
    emulator.control("fault", mode="latency", latency_ms=300_000, action="issue.send", skip=60)
    env = {"SENDSAY_API_URL": settings.SENDSAY_API_URL, "SENDSAY_TIMEOUT": "600"}

    def recorded():
        return OutboxMessage.objects.filter(pk__in=ids, status=MessageStatus.SENT).count()

    with workers(queue, env) as start:
        first = start()
        with transaction.atomic():
            ids = notifications.emit(
                "storefront.announcement", occurrence="kill-mid-batch",
                storefront_id=storefront.pk, user_ids=[b.pk for b in buyers],
                title="Sale", text="Everything -20%", url="")
        assert len(ids) == 100
        assert wait_until(lambda: emulator.requests_count("issue.send") >= 61, timeout=60)
        assert wait_until(lambda: recorded() >= 60 - most_unrecorded, timeout=30), (
            first.output()[-6000:])
        time.sleep(1)  # whatever else the worker records before it blocks is written
        first.kill()
        sent_before_kill = recorded()
        emulator.control("clear_faults")
        settings.NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS = 0
        second = start()
        assert outbox_sweep().reset == 100 - sent_before_kill
        assert wait_until(all_sent(ids), timeout=60), second.output()[-3000:]
    delivered = [send["recipients"][0]["email"] for send in emulator.sends("email")]
    assert set(delivered) == {b.email for b in buyers}  # nothing lost
    twice = len(delivered) - 100
    assert twice == 60 - sent_before_kill <= most_unrecorded
