"""Export runs: requesting one (admin button, schedule), claiming it in the worker, progress,
the end of a run, and where a run resumes."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sendsay_admin.models import AccountStatus, SendsayAccount

from ..exceptions import ExportBusyError, ExportNotPossibleError
from ..models import REASONS_KEPT, ExportRun, ExportSettings, RunStatus, RunTrigger

logger = logging.getLogger(__name__)

#: A running run without progress for this long is taken to have died (worker killed).
STALE_RUNNING = timedelta(minutes=15)
#: A queued run no worker picked up for this long is given up.
STALE_QUEUED = timedelta(hours=1)
COUNTERS = ("uploaded", "uploaded_new", "skipped_unchanged", "held_back", "failed", "deleted",
            "unlisted", "confirmed_read", "imports", "member_sets", "processed", "total")


def export_settings_for(account: SendsayAccount) -> ExportSettings:
    settings, _created = ExportSettings.objects.get_or_create(account=account)
    return settings


def export_request(*, account: SendsayAccount, trigger: str = RunTrigger.ADMIN) -> ExportRun:
    """Queue an export of `account` and enqueue its task after commit.

    Raises `ExportNotPossibleError` unless the account is enabled and connected, and
    `ExportBusyError` while another export of the account is queued or running (a stale one,
    without progress for `STALE_RUNNING`, is marked failed and the new run resumes after it).
    """
    from ..tasks import export_run  # the task module imports the services

    if account.state != AccountStatus.CONNECTED:
        raise ExportNotPossibleError(
            _("Sendsay is not connected: enable the module and check the connection first."))
    with transaction.atomic():
        ExportSettings.objects.select_for_update().get(pk=export_settings_for(account).pk)
        for run in ExportRun.objects.filter(account=account, status__in=[
                RunStatus.QUEUED, RunStatus.RUNNING]):
            if not _stale(run):
                raise ExportBusyError(_("Export #%(id)s of this account is still %(status)s.")
                                      % {"id": run.pk, "status": run.get_status_display()})
            run_finish(run, RunStatus.FAILED, error=_("No progress: the worker was lost."))
        run = ExportRun.objects.create(account=account, trigger=trigger)
        transaction.on_commit(lambda: export_run.delay(run.pk))
    return run


def _stale(run: ExportRun) -> bool:
    now = timezone.now()
    if run.status == RunStatus.QUEUED:
        return run.created_at < now - STALE_QUEUED
    return (run.heartbeat_at or run.started_at or run.created_at) < now - STALE_RUNNING


def run_start(run: ExportRun) -> bool:
    """Queued -> running, atomically: False when another worker has it or it ended."""
    now = timezone.now()
    claimed = ExportRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now)
    if claimed:
        run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, now, now
    return bool(claimed)


def run_save(run: ExportRun, *fields: str) -> None:
    """Store the counters (and `fields`) with a fresh heartbeat."""
    run.heartbeat_at = timezone.now()
    run.save(update_fields=[*COUNTERS, "failure_reasons", "heartbeat_at", *fields])


def run_reason(run: ExportRun, email: str, reason: str) -> None:
    """Keep one failure reason (the first `REASONS_KEPT`)."""
    if len(run.failure_reasons) < REASONS_KEPT:
        run.failure_reasons.append({"email": email, "reason": reason[:300]})


def run_finish(run: ExportRun, status: str, *, error: str = "") -> None:
    run.status, run.error = status, error[:2000]
    run.finished_at = run.heartbeat_at = timezone.now()
    run_save(run, "status", "error", "finished_at", "cursor", "budget_warning")
    logger.info("contacts export %s %s: %s uploaded (%s new), %s unchanged, %s held back, "
                "%s failed", run.pk, status, run.uploaded, run.uploaded_new,
                run.skipped_unchanged, run.held_back, run.failed)


def resume_point(run: ExportRun) -> ExportRun | None:
    """The run this one resumes: the account's previous run, when it failed with a cursor."""
    previous = ExportRun.objects.filter(
        account=run.account_id, pk__lt=run.pk, started_at__isnull=False).order_by("-pk").first()
    if previous is not None and previous.status == RunStatus.FAILED and previous.cursor:
        return previous
    return None
