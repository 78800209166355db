"""Celery tasks of campaigns: one job run (takes an id, calls one service, hands over to the
next run) and beat's dispatcher."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import lifecycle
from .services.job import CONTINUE, DELAYED
from .services.run import campaign_run


@shared_task(bind=True, acks_late=True, ignore_result=True)
def campaigns_send(self, campaign_id: int) -> None:
    """Run the campaign's job for one time slice. `acks_late` is safe: a redelivered task
    finds the lease taken or the work done. The next run goes to the queue this one came
    from: now when the slice ran out, at the end of the wait when delayed."""
    report = campaign_run(campaign_id=int(campaign_id))
    outcome = report.outcome
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    if outcome is not None and outcome.kind == CONTINUE:
        lifecycle.campaign_enqueue(campaign_id=int(campaign_id), queue=queue)
    elif outcome is not None and outcome.kind == DELAYED and outcome.until is not None:
        wait = max(1.0, (outcome.until - timezone.now()).total_seconds())
        lifecycle.campaign_enqueue(campaign_id=int(campaign_id), countdown=wait, queue=queue)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def campaigns_dispatch_due() -> None:
    """Beat runs this every 30 s (its periodic-task row comes with the app's migrations):
    starts due scheduled campaigns and restarts idle or abandoned ones."""
    lifecycle.campaigns_dispatch_due()
