"""The export tasks: the schedule queues every connected account, and a real Celery worker
process runs an export against the real emulator."""

import pytest

from contacts import tasks
from contacts.models import ExportRun, RunStatus, RunTrigger
from tests.contacts.conftest import emails, make_buyers
from tests.workers import celery_worker, wait_until


@pytest.mark.django_db
def test_the_schedule_queues_each_connected_account_once(mapped, storefront, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    from sendsay_admin.models import SendsayAccount

    SendsayAccount.objects.create(storefront=storefront, login="x_other")  # not connected
    started = []
    monkeypatch.setattr(tasks.export_run, "delay", started.append)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.export_all()
        tasks.export_all()  # the first run is still queued: nothing more

    run = ExportRun.objects.get()
    assert (run.account, run.trigger, run.status) == (mapped, RunTrigger.SCHEDULE,
                                                      RunStatus.QUEUED)
    assert started == [run.pk]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.tariff("paid")
def test_a_real_worker_runs_the_export(mapped, sendsay_emulator, storefront, settings):
    buyers = make_buyers(30, storefront)
    env = {"SENDSAY_API_URL": settings.SENDSAY_API_URL,
           "SENDSAY_SSEC_URL": settings.SENDSAY_SSEC_URL}
    run = ExportRun.objects.create(account=mapped, trigger=RunTrigger.ADMIN)

    with celery_worker(extra_env=env) as queue:
        tasks.export_run.apply_async((run.pk,), queue=queue)
        assert wait_until(lambda: not ExportRun.objects.get(pk=run.pk).is_active, timeout=90)

    run.refresh_from_db()
    assert (run.status, run.uploaded, run.error) == (RunStatus.FINISHED, 30, "")
    assert sendsay_emulator.list_members(run.list_id) == emails(buyers)
