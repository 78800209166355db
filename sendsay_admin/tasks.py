"""Celery tasks of the Sendsay connection app."""

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(bind=True, ignore_result=True)
def worker_heartbeat(self) -> None:
    """Record that a worker is alive; beat runs it every minute, the admin shows the result."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=self.request.hostname or "unknown", defaults={"seen_at": timezone.now()}
    )
