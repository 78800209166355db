"""A real Celery worker process picks a task up from the broker in use and writes to the DB."""

import pytest

from sendsay_admin.models import WorkerHeartbeat
from sendsay_admin.tasks import worker_heartbeat
from tests.workers import celery_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_executes_task_and_its_effect_reaches_the_database():
    with celery_worker() as queue:
        worker_heartbeat.apply_async(queue=queue)
        assert wait_until(lambda: WorkerHeartbeat.objects.exists(), timeout=60)
    beat = WorkerHeartbeat.objects.get()
    assert beat.hostname.startswith(f"{queue}@")
