"""The export admin: runs with live progress bars and counts, the progress endpoint, the budget
panel (80 % warning, priority note), the "Export now" button, the run page, the schedule."""

import pytest
from django.urls import reverse

from contacts.models import ExportRun, RunStatus, RunTrigger
from contacts.services import export_settings_for
from tests.contacts.conftest import export, make_buyers

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:contacts_exportrun_changelist")


def test_the_run_list_shows_progress_counts_budget_and_priority(admin_client, mapped,
                                                                storefront):
    make_buyers(170, storefront)  # 170 of the free plan's 200: 85 %
    run = export(mapped)
    queued = ExportRun.objects.create(account=mapped, trigger=RunTrigger.SCHEDULE)

    page = admin_client.get(RUNS).content.decode()

    assert f'data-run="{run.pk}" data-active="0"' in page
    assert f'data-run="{queued.pk}" data-active="1"' in page
    assert "170 / 170 (100 %)" in page
    assert '<td class="field-uploaded">170</td>' in page
    assert "Uploads used: <strong>170</strong> of 200 (85 %)" in page
    assert "Warning: 80 % of the upload budget is used." in page
    assert "buyers who confirmed their e-mail and seller staff first" in page
    assert "Alpha Trading LLC" in page  # the list's name
    assert "contacts/export_progress.js" in page


def test_the_panel_says_when_the_budget_is_used_up(admin_client, mapped, storefront):
    settings = export_settings_for(mapped)
    settings.budget_override = 10
    settings.save()
    make_buyers(12, storefront)
    export(mapped)

    page = admin_client.get(RUNS).content.decode()

    assert "The upload budget is used up" in page
    assert "The last export held back 2 new contacts." in page
    assert "the budget set in the export settings" in page


def test_the_progress_endpoint_answers_json(admin_client, mapped, storefront):
    make_buyers(3, storefront)
    run = export(mapped)
    url = reverse("admin:contacts_exportrun_progress")

    body = admin_client.get(url, {"ids": f"{run.pk},x,999"}).json()

    assert body == {"runs": {str(run.pk): {
        "status": "finished", "status_label": "Finished", "active": False, "percent": 100,
        "processed": 3, "total": 3, "uploaded": 3, "uploaded_new": 3, "skipped_unchanged": 0,
        "held_back": 0, "failed": 0, "deleted": 0, "unlisted": 0}}}


def test_export_now_queues_a_run_and_enqueues_its_task(admin_client, mapped, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("contacts.tasks.export_run.delay", queued.append)
    url = reverse("admin:contacts_exportrun_export")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"account": mapped.pk}, follow=True)
    again = admin_client.post(url, {"account": mapped.pk}, follow=True)

    run = ExportRun.objects.get()
    assert (run.status, run.trigger) == (RunStatus.QUEUED, RunTrigger.ADMIN)
    assert queued == [run.pk]
    assert f"export #{run.pk} queued" in response.content.decode()
    assert "is still Queued" in again.content.decode()


def test_export_now_refuses_an_account_that_is_not_connected(admin_client, mapped):
    mapped.enabled = False
    mapped.save()

    response = admin_client.post(reverse("admin:contacts_exportrun_export"),
                                 {"account": mapped.pk}, follow=True)

    assert "Sendsay is not connected" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_the_run_page_shows_progress_and_failure_reasons(admin_client, mapped, storefront):
    from sendsay_admin.models import FieldMapping

    make_buyers(2, storefront)
    FieldMapping.objects.create(account=mapped, role="buyer", field_code="last_name",
                                sendsay_path="custom.gone", sendsay_type="free")
    run = export(mapped)

    page = admin_client.get(reverse("admin:contacts_exportrun_change", args=[run.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert f'<p class="export-progress" data-run="{run.pk}" data-active="0">' in text
    assert "2 contacts failed" in text
    assert "error/anketa/quest/not_found" in text


def test_the_budget_can_be_raised_in_the_export_settings(admin_client, mapped):
    settings = export_settings_for(mapped)
    url = reverse("admin:contacts_exportsettings_change", args=[settings.pk])

    admin_client.post(url, {"list_name": "Clients", "budget_override": "5000"})

    settings.refresh_from_db()
    assert (settings.list_name, settings.budget_override) == ("Clients", 5000)


def test_the_schedule_is_a_periodic_task_editable_in_the_admin(admin_client):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="contacts.tasks.export_all")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "hours")
    page = admin_client.get(reverse("admin:django_celery_beat_periodictask_change",
                                    args=[task.pk]))
    assert page.status_code == 200


def test_the_run_pages_show_the_removal_counts(admin_client, mapped, storefront):
    buyers = make_buyers(3, storefront)
    export(mapped)
    buyers[0].delete()
    buyers[1].is_active = False
    buyers[1].save()
    run = export(mapped)

    page = admin_client.get(reverse("admin:contacts_exportrun_change", args=[run.pk]))
    listing = admin_client.get(RUNS).content.decode()

    text = page.content.decode()
    for label in ("Deleted in Sendsay", "Taken out of the list"):
        assert label in text and label in listing
    assert '<td class="field-deleted">1</td>' in listing
    assert '<td class="field-unlisted">1</td>' in listing
