"""The Celery tasks (run in-process): a run hands over to the next one on the queue it came
from, a delayed run comes back at the end of its wait, beat's row exists."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

import pytest

from audience.models import Role
from campaigns.models import CampaignStatus
from campaigns.services import campaign_launch
from campaigns.tasks import campaigns_dispatch_due, campaigns_send

pytestmark = pytest.mark.django_db


def test_a_run_whose_time_slice_ran_out_hands_over_on_its_own_queue(
        people, make_campaign, smtp_sink, enqueued, settings):
    settings.CAMPAIGNS_RUN_SECONDS = 0
    campaign = make_campaign(roles=[Role.BUYER])
    campaign_launch(campaign=campaign)
    campaigns_send.apply(args=[campaign.pk], routing_key="campaigns-q")
    assert enqueued[-1] == (campaign.pk, {"countdown": None, "queue": "campaigns-q"})
    assert smtp_sink.messages == []  # the slice was over before the first message
    settings.CAMPAIGNS_RUN_SECONDS = 60
    campaigns_send.apply(args=[campaign.pk])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED and len(smtp_sink.messages) == 5


def test_a_delayed_run_comes_back_when_the_quiet_hours_end(people, make_campaign, enqueued,
                                                           time_machine):
    zone = zoneinfo.ZoneInfo("Europe/Moscow")
    time_machine.move_to(datetime(2024, 6, 15, 22, 0, tzinfo=zone), tick=False)
    campaign = make_campaign(quiet_start=time(21, 0), quiet_end=time(8, 0))
    campaign_launch(campaign=campaign)
    campaigns_send.apply(args=[campaign.pk])
    pk, options = enqueued[-1]
    assert pk == campaign.pk and options["countdown"] == 10 * 3600


def test_beat_dispatcher_task_starts_due_campaigns_and_its_periodic_row_exists(
        people, make_campaign, enqueued):
    from django_celery_beat.models import PeriodicTask

    row = PeriodicTask.objects.get(name="campaigns-dispatch-due")
    assert row.task == "campaigns.tasks.campaigns_dispatch_due" and row.enabled
    assert (row.interval.every, row.interval.period) == (30, "seconds")
    campaign = make_campaign()
    campaign.status, campaign.scheduled_at = CampaignStatus.SCHEDULED, datetime(
        2020, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC"))
    campaign.save()
    campaigns_dispatch_due.apply()
    assert [pk for pk, _o in enqueued] == [campaign.pk]
