"""Celery tasks of the contact export: the scheduled export of every connected account and one
export run. Thin: ids in, one service call each."""

from __future__ import annotations

import logging

from celery import shared_task

from sendsay_admin.models import AccountStatus, SendsayAccount

from .exceptions import ContactsError
from .models import RunTrigger

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def export_all() -> None:
    """The periodic task (django-celery-beat, editable in the admin): queue an export of every
    enabled and connected account; one already exporting is left alone."""
    from .services import export_request

    for account in SendsayAccount.objects.filter(enabled=True, status=AccountStatus.CONNECTED):
        try:
            export_request(account=account, trigger=RunTrigger.SCHEDULE)
        except ContactsError as exc:
            logger.info("contacts export of account %s not queued: %s", account.pk, exc)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=3500, time_limit=3600)
def export_run(run_id: int) -> None:
    """Run one queued export. `acks_late` is safe: the run is claimed atomically, a redelivered
    task finds it taken. A failed run is resumed by the next one (schedule or button)."""
    from .services import contacts_export

    contacts_export(run_id=int(run_id))
