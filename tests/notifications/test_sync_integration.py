"""The real stack for the Sendsay sync: services -> sync outbox -> a real Celery worker process
-> the emulator over HTTP, through an outage of both Sendsay endpoints."""

import time
import uuid

import pytest
from django.db import transaction

from marketplace import services as market
from notifications.models import SyncItem
from notifications.sync.flush import sync_flush
from sendsay_admin.services import field_mapping_save
from tests.notifications.test_sync import member_data, ssec
from tests.notifications.worker import workers
from tests.workers import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(settings):
    name = f"test-sync-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATIONS_CELERY_QUEUE = name
    settings.NOTIFICATIONS_SYNC_DELAY_SECONDS = 0
    return name


def test_a_real_worker_gets_profile_and_event_through_a_sendsay_outage(
    storefront, emulator, sendsay_on, queue, settings
):
    field_mapping_save(account=sendsay_on, role="buyer", field_code="first_name",
                       sendsay_path="base.firstName")
    emulator.control("fault", mode="drop", action="ssec", count=1)
    emulator.control("fault", mode="http", status=503, action="member.set", count=1)
    env = {"SENDSAY_API_URL": settings.SENDSAY_API_URL,
           "SENDSAY_SSEC_URL": settings.SENDSAY_SSEC_URL, "SENDSAY_TIMEOUT": "5",
           "NOTIFICATIONS_CELERY_QUEUE": queue, "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
           "NOTIFICATIONS_RETRY_MAX_SECONDS": "2"}
    flushed = []

    def all_sent() -> bool:
        if not flushed or time.monotonic() - flushed[-1] > 1:  # what beat would do
            flushed.append(time.monotonic())
            sync_flush()
        rows = list(SyncItem.objects.values_list("status", flat=True))
        return len(rows) == 2 and set(rows) == {"sent"}

    with workers(queue, env) as start:
        worker = start()
        with transaction.atomic():
            market.buyer_register(storefront=storefront, email="olga@example.org",
                                  first_name="Olga", password="pw-123456")
        assert wait_until(all_sent, timeout=90), worker.output()[-3000:]
        time.sleep(1)  # a duplicate would have arrived by now
    assert sorted(SyncItem.objects.values_list("kind", "attempts")) == [
        ("event", 2), ("member", 2)]
    assert [e["event_type"] for e in ssec(emulator)] == [28]
    assert member_data(emulator, "olga@example.org")["base"]["firstName"] == "Olga"
