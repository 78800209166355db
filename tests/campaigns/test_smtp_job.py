"""The SMTP job with the real SMTP sink: who receives what, opt-outs, quiet hours, schedules,
pause/resume, template errors and the recovery of a dead job's batch."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from audience.models import Role
from campaigns.models import (
    Campaign,
    CampaignChannel,
    CampaignContent,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    Transport,
)
from campaigns.services import (
    campaign_launch,
    campaign_pause,
    campaign_resume,
    campaign_run,
    campaigns_dispatch_due,
)
from campaigns.services.job import DELAYED, FINISHED
from notifications.events import Category, Channel
from notifications.links import UNSUBSCRIBE_SALT, token_load
from notifications.models import ContactPreference

pytestmark = pytest.mark.django_db

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def rcpts(sink) -> list[str]:
    return sorted(address for m in sink.messages for address in m.rcpt_tos)


def statuses(campaign) -> dict[str, str]:
    return dict(CampaignRecipient.objects.filter(campaign=campaign)
                .values_list("address", "status"))


def launch_and_run(campaign, enqueued):
    campaign_launch(campaign=campaign)
    assert enqueued[-1][0] == campaign.pk
    return campaign_run(campaign_id=campaign.pk)


@pytest.mark.parametrize("rate", [None, 1000], ids=["unthrottled", "throttled"])
def test_role_campaign_sends_every_buyer_once_with_unsubscribe_link_and_headers(
        people, make_campaign, smtp_sink, enqueued, rate):
    campaign = make_campaign(roles=[Role.BUYER], throttle_rate=rate)
    report = launch_and_run(campaign, enqueued)
    assert report.outcome.kind == FINISHED
    assert rcpts(smtp_sink) == ["anna@example.org", "boris@example.org", "gleb@example.org",
                                "olga@example.org", "vera@example.org"]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED and campaign.transport == Transport.SMTP
    assert set(statuses(campaign).values()) == {RecipientStatus.SENT}
    anna = next(m.message for m in smtp_sink.messages if m.rcpt_tos == ["anna@example.org"])
    assert anna["Subject"] == "Sale for Anna"
    assert anna["From"] == "Shop <hello@shop.example.ru>"
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(.+)>", "".join(str(anna["List-Unsubscribe"]).split())).group(1)
    subject = token_load(link.rstrip("/").rsplit("/", 1)[1], salt=UNSUBSCRIBE_SALT)
    assert (subject.kind, subject.pk, subject.channel, subject.category) == (
        "user", people["anna"].pk, "email", "marketing")
    assert link in anna.get_body(("plain",)).get_content()
    assert "Hello Anna from Shop!" in anna.get_body(("html",)).get_content()


def test_segment_and_role_audiences_list_exactly_their_members(
        people, buyer_segment, make_campaign, smtp_sink, enqueued):
    cases = [
        ({"segment": buyer_segment}, {"anna", "boris", "vera", "gleb"}),
        ({"roles": [Role.SELLER]}, {"sam", "sue"}),
        ({"roles": [Role.ADMIN]}, {"root"}),
        ({"roles": [Role.BUYER, Role.SELLER, Role.ADMIN]},
         {"anna", "boris", "vera", "gleb", "olga", "sam", "sue", "root"}),
    ]
    for fields, names in cases:
        campaign = make_campaign(**fields)
        launch_and_run(campaign, enqueued)
        expected = {people[name].email for name in names}
        assert set(statuses(campaign)) == expected, fields
    roles = dict(CampaignRecipient.objects.filter(campaign=campaign)
                 .values_list("address", "role"))
    assert roles["sam@tea.example.ru"] == Role.SELLER and roles["root@market.example.ru"] == "admin"


def test_person_in_two_roles_gets_one_message_with_the_first_roles_content(
        people, make_campaign, smtp_sink, enqueued):
    from tests import factories

    factories.SellerProfileFactory(user=people["anna"], company=people["tea"])
    campaign = make_campaign(roles=[Role.BUYER, Role.SELLER])
    CampaignContent.objects.filter(campaign=campaign, role=Role.SELLER).update(
        subject="For sellers of {{ company.name }}")
    launch_and_run(campaign, enqueued)
    assert rcpts(smtp_sink).count("anna@example.org") == 1
    subjects = {m.rcpt_tos[0]: m.subject for m in smtp_sink.messages}
    assert subjects["anna@example.org"] == "Sale for Anna"
    assert subjects["sam@tea.example.ru"] == "For sellers of Tea & Co"


def test_opted_out_recipients_are_skipped_with_the_reason(
        people, make_campaign, smtp_sink, enqueued):
    ContactPreference.objects.create(user=people["anna"], channel=Channel.EMAIL,
                                     category=Category.MARKETING, allowed=False)
    ContactPreference.objects.create(user=people["boris"], channel=Channel.SMS,
                                     category=Category.MARKETING, allowed=False)  # not e-mail
    ContactPreference.objects.create(company=people["tea"], channel=Channel.EMAIL,
                                     category=Category.MARKETING, allowed=False)
    campaign = make_campaign(roles=[Role.BUYER, Role.SELLER])
    launch_and_run(campaign, enqueued)
    assert rcpts(smtp_sink) == ["boris@example.org", "gleb@example.org", "olga@example.org",
                                "vera@example.org"]
    rows = {r.address: r for r in CampaignRecipient.objects.filter(campaign=campaign)}
    for address in ("anna@example.org", "sam@tea.example.ru", "sue@tea.example.ru"):
        assert rows[address].status == RecipientStatus.SKIPPED
        assert rows[address].error == "opted out of marketing messages by email"


def test_quiet_hours_delay_to_their_end_in_the_storefront_zone_and_drop_nothing(
        people, make_campaign, smtp_sink, enqueued, time_machine):
    shop = people["anna"].buyer_profile.storefront
    shop.time_zone = "Asia/Vladivostok"  # UTC+10: 23:30 there is 16:30 in Moscow
    shop.save()
    time_machine.move_to(datetime(2024, 6, 15, 23, 30, tzinfo=zoneinfo.ZoneInfo(
        "Asia/Vladivostok")), tick=False)
    campaign = make_campaign(quiet_start=time(21, 0), quiet_end=time(9, 0))
    report = launch_and_run(campaign, enqueued)
    assert report.outcome.kind == DELAYED
    end = datetime(2024, 6, 16, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Vladivostok"))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING and campaign.delayed_until == end
    assert smtp_sink.messages == []
    assert set(statuses(campaign).values()) == {RecipientStatus.PENDING}
    assert len(statuses(campaign)) == 5
    # Nothing is due before the end of the quiet hours ...
    time_machine.move_to(end - timedelta(minutes=1), tick=False)
    assert campaigns_dispatch_due() == []
    assert campaign_run(campaign_id=campaign.pk).claimed is False
    # ... then beat starts it again and every recipient gets the message.
    time_machine.move_to(end + timedelta(seconds=5), tick=False)
    assert campaigns_dispatch_due() == [campaign.pk]
    assert campaign_run(campaign_id=campaign.pk).outcome.kind == FINISHED
    assert len(rcpts(smtp_sink)) == 5
    assert set(statuses(campaign).values()) == {RecipientStatus.SENT}


def test_quiet_hours_starting_during_a_run_stop_it_between_messages(
        people, make_campaign, smtp_sink, enqueued, time_machine, monkeypatch):
    from campaigns.services import smtp_job

    time_machine.move_to(datetime(2024, 6, 15, 20, 59, 59, tzinfo=MSK), tick=False)
    campaign = make_campaign(quiet_start=time(21, 0), quiet_end=time(9, 0))
    original = smtp_job._send

    def send_then_tick(job, row, message):  # each message takes a second
        outcome = original(job, row, message)
        time_machine.shift(timedelta(seconds=1))
        return outcome

    monkeypatch.setattr(smtp_job, "_send", send_then_tick)
    report = launch_and_run(campaign, enqueued)
    assert report.outcome.kind == DELAYED
    assert report.outcome.until == datetime(2024, 6, 16, 9, 0, tzinfo=MSK)
    assert len(smtp_sink.messages) == 1
    counts = list(statuses(campaign).values())
    assert counts.count(RecipientStatus.SENT) == 1 and counts.count(RecipientStatus.PENDING) == 4


def test_a_scheduled_campaign_starts_when_due(people, make_campaign, smtp_sink, enqueued,
                                              time_machine):
    time_machine.move_to(datetime(2024, 6, 15, 12, 0, tzinfo=MSK), tick=False)
    campaign = make_campaign()
    campaign_launch(campaign=campaign, when=timezone.now() + timedelta(hours=1))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED and enqueued == []
    assert campaigns_dispatch_due() == []
    time_machine.move_to(datetime(2024, 6, 15, 13, 0, 1, tzinfo=MSK), tick=False)
    assert campaigns_dispatch_due() == [campaign.pk]
    assert [pk for pk, _options in enqueued] == [campaign.pk]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    assert campaign_run(campaign_id=campaign.pk).outcome.kind == FINISHED
    assert len(smtp_sink.messages) == 5


def test_pause_stops_sending_and_resume_carries_on(people, make_campaign, smtp_sink, enqueued):
    campaign = make_campaign()
    campaign_launch(campaign=campaign)
    campaign_pause(campaign=campaign)
    assert campaign_run(campaign_id=campaign.pk).claimed is False
    assert smtp_sink.messages == []
    campaign_resume(campaign=campaign)
    assert [pk for pk, _o in enqueued] == [campaign.pk, campaign.pk]
    assert campaign_run(campaign_id=campaign.pk).outcome.kind == FINISHED
    assert len(smtp_sink.messages) == 5


@pytest.mark.parametrize("rate", [None, 1000], ids=["unthrottled", "throttled"])
def test_a_template_error_fails_the_rows_and_sends_no_blank(people, make_campaign, smtp_sink,
                                                            enqueued, rate):
    campaign = make_campaign(throttle_rate=rate)
    CampaignContent.objects.filter(campaign=campaign).update(
        subject="Hi {{ recipient.nickname }}")
    launch_and_run(campaign, enqueued)
    assert smtp_sink.messages == []
    errors = set(CampaignRecipient.objects.filter(campaign=campaign)
                 .values_list("status", "error"))
    assert len(errors) == 1
    status, error = errors.pop()
    assert status == RecipientStatus.FAILED and "recipient.nickname" in error


def test_a_dead_jobs_batch_is_recovered_in_flight_row_unknown_others_sent_once(
        people, make_campaign, smtp_sink, enqueued, settings):
    """A job died holding a claimed batch (SENDING, its token) with a stale lease: the lowest
    row may have gone out, so it is never sent again; the others go out once."""
    settings.CAMPAIGNS_LEASE_SECONDS = 30
    campaign = make_campaign()
    campaign_launch(campaign=campaign)
    from campaigns.services import recipients_materialise

    recipients_materialise(campaign=campaign)
    dead = uuid.uuid4()
    rows = list(CampaignRecipient.objects.filter(campaign=campaign).order_by("pk"))
    CampaignRecipient.objects.filter(pk=rows[0].pk).update(status=RecipientStatus.SENT)
    CampaignRecipient.objects.filter(pk__in=[r.pk for r in rows[1:4]]).update(
        status=RecipientStatus.SENDING, claim_token=dead)
    Campaign.objects.filter(pk=campaign.pk).update(
        run_token=dead, heartbeat_at=timezone.now() - timedelta(seconds=5),
        transport=Transport.SMTP)
    assert campaign_run(campaign_id=campaign.pk).claimed is False  # the lease is still live
    Campaign.objects.filter(pk=campaign.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=31))
    assert campaign_run(campaign_id=campaign.pk).outcome.kind == FINISHED
    got = statuses(campaign)
    assert got[rows[1].address] == RecipientStatus.UNKNOWN
    assert rcpts(smtp_sink) == sorted(r.address for r in rows[2:])
    assert [got[r.address] for r in rows[2:]] == [RecipientStatus.SENT] * 3


def test_non_email_channel_without_sendsay_fails_with_the_reason(people, make_campaign,
                                                                 enqueued):
    campaign = make_campaign(channel=CampaignChannel.SMS)
    report = launch_and_run(campaign, enqueued)
    campaign.refresh_from_db()
    assert report.outcome.kind == "failed" and campaign.status == CampaignStatus.FAILED
    assert "only through Sendsay" in campaign.error
