"""Detector schedules are django-celery-beat rows admins can edit; the thresholds are one
settings row edited in the admin; the logs are listed read-only."""

import json

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from journeys.detectors import DETECTORS
from journeys.models import JourneySettings
from journeys.tasks import run_detector

pytestmark = pytest.mark.django_db

TASK = "journeys.tasks.run_detector"


def test_every_detector_has_an_enabled_periodic_task_calling_it():
    rows = PeriodicTask.objects.filter(task=TASK)
    by_detector = {json.loads(row.args)[0]: row for row in rows}
    assert set(by_detector) == set(DETECTORS)
    assert all(row.enabled and (row.crontab or row.interval) for row in rows)
    assert str(by_detector["birthday"].crontab.timezone) == "Europe/Moscow"
    assert by_detector["abandoned_cart"].interval.every == 15


def test_the_task_runs_the_named_detector(shop, journey_settings):
    result = run_detector.apply(args=["birthday"]).get()
    assert result == {"detector": "birthday", "enabled": True, "candidates": 0, "sent": 0,
                      "messages": 0, "failed": 0}
    with pytest.raises(KeyError, match="unknown journey detector"):
        run_detector.apply(args=["nope"]).get()


def form_data(row: JourneySettings, **changes) -> dict:
    fields = [f.name for f in JourneySettings._meta.fields if f.editable and f.name != "id"]
    data = {}
    for name in fields:
        value = getattr(row, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_admin_edits_the_single_settings_row(admin_client):
    listing = admin_client.get(reverse("admin:journeys_journeysettings_changelist"))
    row = JourneySettings.objects.get()
    change = reverse("admin:journeys_journeysettings_change", args=[row.pk])
    assert listing.status_code == 302 and listing.url == change
    page = admin_client.get(change)
    assert page.status_code == 200
    assert "Journeys: abandoned carts" in page.text  # the schedules, linked ...
    assert "Europe/Moscow" in page.text  # ... with their times
    assert reverse("admin:django_celery_beat_periodictask_change",
                   args=[PeriodicTask.objects.get(name="Journeys: birthday greetings").pk]) \
        in page.text
    saved = admin_client.post(change, form_data(row, abandoned_cart_hours="6",
                                                birthday_enabled=False))
    assert saved.status_code == 302
    row.refresh_from_db()
    assert (row.abandoned_cart_hours, row.birthday_enabled) == (6, False)


def test_admin_refuses_bad_thresholds_with_a_clear_message(admin_client):
    row = JourneySettings.load()
    change = reverse("admin:journeys_journeysettings_change", args=[row.pk])
    both = admin_client.post(change, form_data(row, coupon_amount="100", low_rating="7",
                                               abandoned_cart_hours="0"))
    assert both.status_code == 200
    errors = both.context["adminform"].form.errors
    assert set(errors) == {"low_rating", "abandoned_cart_hours", "__all__"}
    assert errors["__all__"] == ["Укажите для купона либо процент, либо сумму, но не оба."]
    row.refresh_from_db()
    assert (row.coupon_amount, row.low_rating) == (None, 2)


@pytest.mark.parametrize("model", ["journeylog", "coupon", "deliverysurveyanswer",
                                   "interestsurveyanswer"])
def test_logs_are_listed_read_only(admin_client, model):
    page = admin_client.get(reverse(f"admin:journeys_{model}_changelist"))
    assert page.status_code == 200
    assert admin_client.get(reverse(f"admin:journeys_{model}_add")).status_code == 403
