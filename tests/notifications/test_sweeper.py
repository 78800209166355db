"""The sweeper takes back rows of dead workers and re-enqueues lost tasks; the task wrapper
gives rows back when delivery crashes."""

from datetime import timedelta

import pytest
from django.utils import timezone

import notifications
from notifications import tasks
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import outbox_sweep


def test_rows_stuck_in_sending_go_back_to_pending_and_are_enqueued(order, enqueued, settings):
    settings.NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS = 600
    ids = notifications.emit("order.placed", order_id=order.pk)
    old = timezone.now() - timedelta(seconds=601)
    OutboxMessage.objects.filter(pk=ids[0]).update(status=MessageStatus.SENDING, claimed_at=old,
                                                   attempts=1)
    OutboxMessage.objects.filter(pk=ids[1]).update(status=MessageStatus.SENDING,
                                                   claimed_at=timezone.now(), attempts=1)
    report = outbox_sweep()
    assert (report.reset, report.failed) == (1, 0)
    row = OutboxMessage.objects.get(pk=ids[0])
    assert row.status == MessageStatus.PENDING and "worker lost" in row.error
    assert OutboxMessage.objects.get(pk=ids[1]).status == MessageStatus.SENDING  # still fresh
    assert enqueued == [[ids[0]]]


def test_stuck_rows_without_attempts_left_fail(order, enqueued, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    ids = notifications.emit("order.placed", order_id=order.pk)
    OutboxMessage.objects.filter(pk=ids[0]).update(
        status=MessageStatus.SENDING, attempts=3,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    assert outbox_sweep().failed == 1
    assert OutboxMessage.objects.get(pk=ids[0]).status == MessageStatus.FAILED


def test_pending_rows_due_for_a_while_are_enqueued_again(order, enqueued, settings):
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 60
    ids = notifications.emit("order.placed", order_id=order.pk)
    assert outbox_sweep().requeued == 0  # just emitted: their task is on its way
    OutboxMessage.objects.filter(pk__in=ids[:2]).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    assert outbox_sweep().requeued == 2
    assert sorted(enqueued[-1]) == sorted(ids[:2])


def test_a_crashing_delivery_releases_its_rows_and_reraises(order, enqueued, monkeypatch):
    ids = notifications.emit("order.placed", order_id=order.pk)

    def explode(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr("notifications.services.delivery._deliver_one", explode)
    with pytest.raises(RuntimeError):
        tasks.deliver(ids)
    rows = OutboxMessage.objects.filter(pk__in=ids)
    assert {r.status for r in rows} == {MessageStatus.PENDING}
    assert {r.attempts for r in rows} == {1}
    assert all("renderer exploded" in r.error and r.claim_token is None for r in rows)


def test_deliver_task_takes_a_json_list_of_ints(order, smtp_sink, enqueued):
    ids = notifications.emit("order.placed", order_id=order.pk)
    tasks.deliver.apply(args=[ids], serializer="json")
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert len(smtp_sink.wait_for(3)) == 3


def test_a_row_taken_back_mid_delivery_keeps_its_new_claimer_state(order, enqueued, caplog):
    """The recorder writes outcomes only to rows still carrying its claim token: a row the
    sweeper took back (and another worker claimed) is left as that worker has it."""
    import uuid

    from notifications.services.delivery import outbox_claim
    from notifications.services.recording import DeliveryReport, Recorder

    ids = notifications.emit("order.placed", order_id=order.pk)
    token = uuid.uuid4()
    mine = outbox_claim(message_ids=ids, token=token)
    other = uuid.uuid4()
    OutboxMessage.objects.filter(pk=ids[0]).update(claim_token=other)  # re-claimed elsewhere
    report = DeliveryReport()
    recorder = Recorder(token, report)
    now = timezone.now()
    for message in mine:
        recorder.finish(message, MessageStatus.SENT, backend="smtp", provider_id=f"p{message.pk}",
                        sent_at=now, error="")
    recorder.flush()
    assert sorted(report.sent) == sorted(ids[1:])
    taken = OutboxMessage.objects.get(pk=ids[0])
    assert (taken.status, taken.claim_token, taken.provider_id) == (
        MessageStatus.SENDING, other, "")
    assert {m.provider_id for m in OutboxMessage.objects.filter(pk__in=ids[1:])} == {
        f"p{pk}" for pk in ids[1:]}
    assert f"outbox {ids[0]} was taken back" in caplog.text
