"""Coalesced delivery tasks (`notifications.services.wakeups`): the waiting-task counter, emits
that share waiting tasks, woken tasks that claim any due row and wake another on a full batch,
and, on Redis with a real worker, a backlog of emits delivered by a handful of tasks."""

import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.db import transaction

import notifications
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import wakeups
from notifications.services.delivery import outbox_claim, outbox_deliver
from tests import factories
from tests.notifications.worker import workers
from tests.workers import wait_until

UNREACHABLE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                 "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture
def coalescing(settings):
    from django.core.cache import cache

    settings.NOTIFICATIONS_COALESCE_TASKS = True
    settings.NOTIFICATIONS_WAITING_TASKS = 2
    settings.NOTIFICATIONS_CELERY_QUEUE = f"test-wake-{uuid.uuid4().hex[:8]}"
    cache.clear()
    return settings


@pytest.fixture
def sent_tasks(monkeypatch):
    """`deliver` tasks as (ids, kwargs) instead of broker messages."""
    from notifications import tasks

    calls: list[tuple[list[int], dict]] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, kwargs=None, **options:
                        calls.append((list(args[0]), kwargs or {})))
    return calls


def announce(storefront, buyers, occurrence):
    return notifications.emit("storefront.announcement", occurrence=occurrence,
                              storefront_id=storefront.pk, user_ids=[b.pk for b in buyers],
                              title="Sale", text="Everything -20%", url="")


def test_the_counter_admits_the_configured_number_of_waiting_tasks(coalescing):
    assert [wakeups.wake_reserve() for _ in range(3)] == [True, True, False]
    wakeups.wake_release()  # one started
    assert wakeups.wake_reserve() is True
    assert wakeups.wake_reserve() is False


def test_an_expired_counter_is_started_again_and_never_goes_wrong_on_release(coalescing):
    from django.core.cache import cache

    wakeups.wake_release()  # nothing counted: no error, nothing below zero
    assert wakeups.wake_reserve() is True
    cache.delete(wakeups._key())  # expired (COUNTER_TTL)
    assert [wakeups.wake_reserve() for _ in range(3)] == [True, True, False]


def test_a_failing_cache_means_one_task_per_emit_not_an_error(coalescing, caplog):
    coalescing.CACHES = UNREACHABLE_CACHE

    assert wakeups.wake_reserve() is None
    wakeups.wake_release()
    assert "counter unavailable" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_emits_share_the_waiting_tasks(coalescing, storefront, sent_tasks):
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(4)]
    ids = []
    for number, buyer in enumerate(buyers):
        with transaction.atomic():
            ids += announce(storefront, [buyer], f"share-{number}")

    # Two woken tasks wait (the limit); the two later emits rely on them.
    assert sent_tasks == [([ids[0]], {"woken": True}), ([ids[1]], {"woken": True})]


@pytest.mark.django_db(transaction=True)
def test_without_coalescing_every_emit_sends_its_own_task(settings, storefront, sent_tasks):
    settings.NOTIFICATIONS_COALESCE_TASKS = False
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(3)]
    for number, buyer in enumerate(buyers):
        with transaction.atomic():
            announce(storefront, [buyer], f"own-{number}")

    assert [kwargs for _ids, kwargs in sent_tasks] == [{}, {}, {}]


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_too_big_for_one_task_is_sent_in_chunks(coalescing, storefront, sent_tasks):
    coalescing.NOTIFICATIONS_BATCH_SIZE = 2
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(5)]
    with transaction.atomic():
        ids = announce(storefront, buyers, "big")

    assert sent_tasks == [(ids[0:2], {}), (ids[2:4], {}), (ids[4:], {})]


@pytest.mark.django_db(transaction=True)
def test_a_woken_task_claims_fresh_rows_of_others_a_plain_one_only_its_own(
        coalescing, storefront, sent_tasks):
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(3)]
    with transaction.atomic():
        ids = announce(storefront, buyers, "fresh")
    OutboxMessage.objects.filter(pk=ids[0]).update(status=MessageStatus.SENT)  # taken

    plain = outbox_claim(message_ids=[ids[0]], token=uuid.uuid4(), fill=10)
    woken = outbox_claim(message_ids=[ids[0]], token=uuid.uuid4(), fill=10, fresh=True)

    assert plain == []  # its row was gone; the others are fresh (not behind): left alone
    assert sorted(m.pk for m in woken) == ids[1:]


@pytest.mark.django_db(transaction=True)
def test_a_woken_task_with_a_full_batch_wakes_another_before_sending(
        coalescing, storefront, smtp_sink, sent_tasks):
    coalescing.NOTIFICATIONS_BATCH_SIZE = 2
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(3)]
    with transaction.atomic():
        ids = announce(storefront, buyers, "chain")
    sent_tasks.clear()

    full = outbox_deliver(message_ids=[], woken=True)
    assert len(full.sent) == 2
    assert sent_tasks == [([], {"woken": True})]
    rest = outbox_deliver(message_ids=[], woken=True)
    assert rest.sent == [ids[2]]
    assert sent_tasks == [([], {"woken": True})]  # not full: nothing more to wake


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_backlog_of_emits_is_delivered_by_a_few_woken_tasks(storefront, smtp_sink, settings):
    """A real worker on Redis, the counter in Redis: 30 emits made while no worker runs queue
    two tasks, and those (waking others on full batches) deliver every row exactly once."""
    broker = django_settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip("coalescing needs a cache shared with the worker: Redis")
    queue = f"test-wake-{uuid.uuid4().hex[:8]}"
    env = {"CACHE_URL": broker, "NOTIFICATIONS_COALESCE_TASKS": "true",
           "NOTIFICATIONS_WAITING_TASKS": "2", "NOTIFICATIONS_BATCH_SIZE": "5",
           "EMAIL_URL": smtp_sink.url, "NOTIFICATIONS_CELERY_QUEUE": queue}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": broker}}
    settings.NOTIFICATIONS_CELERY_QUEUE = queue
    settings.NOTIFICATIONS_COALESCE_TASKS, settings.NOTIFICATIONS_WAITING_TASKS = True, 2
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(30)]
    ids = []
    for number, buyer in enumerate(buyers):
        with transaction.atomic():
            ids += announce(storefront, [buyer], f"backlog-{number}")

    assert redis.Redis.from_url(broker).llen(queue) == 2
    with workers(queue, env) as start:
        worker = start()
        assert wait_until(lambda: OutboxMessage.objects.filter(
            pk__in=ids, status=MessageStatus.SENT).count() == 30, timeout=60), (
            worker.output()[-3000:])
        time.sleep(1)  # anything sent twice would have arrived by now
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(b.email for b in buyers)
    assert len({token for token in OutboxMessage.objects.filter(pk__in=ids)
                .values_list("claim_token", flat=True)}) <= 8  # batches of 5, not 30 tasks


def test_a_counter_expiring_between_count_and_take_back_is_no_error(coalescing, monkeypatch,
                                                                    caplog):
    from django.core.cache import cache

    assert [wakeups.wake_reserve() for _ in range(2)] == [True, True]

    def expired(key, delta=1, version=None):
        raise ValueError(f"Key '{key}' not found")

    monkeypatch.setattr(cache, "decr", expired)  # the TTL ran out right after the incr
    assert wakeups.wake_reserve() is False
    assert "counter unavailable" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_woken_task_fills_even_with_filling_turned_off(coalescing, storefront, sent_tasks):
    """Rows of emits that shared a waiting task have no task of their own: turning the fill
    of plain tasks off (a negative fill age) must not strand them."""
    coalescing.NOTIFICATIONS_CLAIM_FILL_AFTER_SECONDS = -1
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(3)]
    with transaction.atomic():
        ids = announce(storefront, buyers, "fill-off")

    plain = outbox_claim(message_ids=[ids[0]], token=uuid.uuid4(), fill=10)
    woken = outbox_claim(message_ids=[], token=uuid.uuid4(), fill=10, fresh=True)

    assert [m.pk for m in plain] == [ids[0]]
    assert sorted(m.pk for m in woken) == ids[1:]
