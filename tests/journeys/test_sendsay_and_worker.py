"""With the Sendsay module on, journey messages go through Sendsay (the real emulator over
HTTP); and the beat task runs a detector in a real Celery worker whose mail reaches the sink."""

import time
import uuid
from datetime import timedelta

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from journeys.detectors import detector_run
from journeys.models import JourneyLog
from journeys.tasks import run_detector
from marketplace.models import Cart
from marketplace.services import cart_add
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import outbox_deliver
from tests import factories
from tests.notifications.worker import workers
from tests.sendsay_helpers import emulator_running
from tests.workers import wait_until

LOGIN = "x_journeys"
API_KEY = "journeys-k3y-5b7c"


@pytest.fixture
def emulator(settings):
    with emulator_running(settings, {LOGIN: API_KEY}, track_step_seconds=0) as server:
        yield server


def sends(server, channel="email"):
    account = requests.get(f"{server.url}/_inspect", timeout=5).json()["accounts"][LOGIN]
    return account["sends"].get(channel, [])


@pytest.fixture
def sendsay_on(db, emulator, shop):
    from sendsay_admin.models import AccountStatus, SenderAddress, SendsayAccount

    account = SendsayAccount(login=LOGIN, enabled=True, status=AccountStatus.CONNECTED)
    account.set_api_key(API_KEY)
    account.save()
    sender = shop.storefront.company_email
    requests.post(f"{emulator.url}/_control/confirm_sender", json={"login": LOGIN,
                                                                    "email": sender}, timeout=5)
    SenderAddress.objects.update_or_create(email=sender.lower(),
                                           defaults={"confirmed_in_sendsay": True})
    return account


def abandon(shop, email="cart@example.org", hours=5):
    buyer = factories.BuyerProfileFactory(storefront=shop.storefront, user__email=email).user
    cart = cart_add(buyer=buyer, storefront=shop.storefront, product=shop.mug)
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - timedelta(hours=hours))
    return buyer


@pytest.mark.django_db
def test_abandoned_cart_reminder_goes_through_sendsay_when_the_module_is_on(
        shop, sendsay_on, emulator, enqueued, smtp_sink):
    buyer = abandon(shop)
    assert detector_run(name="abandoned_cart").sent == 1
    ids = list(OutboxMessage.objects.filter(status=MessageStatus.PENDING)
               .values_list("pk", flat=True))
    assert len(outbox_deliver(message_ids=ids).sent) == 1
    [send] = sends(emulator)
    assert send["recipients"][0]["email"] == buyer.email
    letter = send["letter"]
    assert letter["subject"] == "Вы оставили товары в корзине"
    assert letter["from.email"] == shop.storefront.company_email
    assert "Big mug" in letter["message"]["html"]
    assert "/n/u/" in letter["message"]["html"]  # marketing: the unsubscribe link
    assert smtp_sink.messages == []


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_runs_in_a_real_worker_and_twice_sends_once(shop, smtp_sink, settings):
    queue = f"test-journeys-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATIONS_CELERY_QUEUE = queue
    with transaction.atomic():
        buyer = abandon(shop)
    env = {"EMAIL_URL": smtp_sink.url, "NOTIFICATIONS_CELERY_QUEUE": queue,
           "SITE_URL": "https://market.example.ru"}
    with workers(queue, env) as start:
        worker = start()
        run_detector.apply_async(args=["abandoned_cart"], queue=queue)
        assert wait_until(lambda: OutboxMessage.objects.filter(
            status=MessageStatus.SENT).exists(), timeout=60), worker.output()[-3000:]
        run_detector.apply_async(args=["abandoned_cart"], queue=queue)
        assert wait_until(lambda: "abandoned_cart: 0 candidates" in worker.output(),
                          timeout=60), worker.output()[-3000:]
        time.sleep(1)
    [mail] = smtp_sink.messages
    assert mail.rcpt_tos == [buyer.email]
    assert "корзине" in mail.subject
    assert JourneyLog.objects.get().occurrence.startswith("cart:")
    assert OutboxMessage.objects.count() == 1
