"""Campaigns through the real Sendsay emulator over HTTP: one issue.send per role to a list of
exactly the campaign's recipients, on e-mail, SMS and Telegram; broadcasts to a VK community
and a Telegram channel; statistics from stat.uni."""

from __future__ import annotations

import pytest

from audience.models import Role
from campaigns.models import (
    CampaignChannel,
    CampaignIssue,
    CampaignRecipient,
    CampaignStatus,
    IssueState,
    RecipientStatus,
    Transport,
)
from campaigns.services import campaign_launch, campaign_run, campaign_stats_refresh
from campaigns.services.job import FINISHED
from notifications.events import Category, Channel
from notifications.models import ContactPreference
from sendsay_admin.services import client_for_account

pytestmark = pytest.mark.django_db


def run(campaign, enqueued):
    campaign_launch(campaign=campaign)
    report = campaign_run(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return report


def rows(campaign) -> dict[str, tuple[str, str]]:
    return {r.address or r.user.username: (r.status, r.error)
            for r in CampaignRecipient.objects.filter(campaign=campaign).select_related("user")}


def test_email_to_a_segment_is_one_issue_send_to_a_list_of_exactly_its_recipients(
        people, buyer_segment, make_campaign, sendsay_on, emulator, enqueued):
    ContactPreference.objects.create(user=people["boris"], channel=Channel.EMAIL,
                                     category=Category.MARKETING, allowed=False)
    campaign = make_campaign(segment=buyer_segment)
    assert run(campaign, enqueued).outcome.kind == FINISHED
    assert campaign.status == CampaignStatus.FINISHED and campaign.transport == Transport.SENDSAY
    sends = emulator.sends()
    assert len(sends) == 1 and emulator.requests("issue.send") == 1
    send = sends[0]
    issue = CampaignIssue.objects.get(campaign=campaign)
    assert send["channel"] == "email" and send["group"] == issue.group_id
    assert {r["email"] for r in send["recipients"]} == {
        "anna@example.org", "vera@example.org", "gleb@example.org"}
    assert emulator.list_members(issue.group_id) == {
        "anna@example.org", "vera@example.org", "gleb@example.org"}
    assert issue.state == IssueState.SENT and issue.role == Role.BUYER
    assert (issue.track_id, issue.issue_id) == (send["track.id"], str(send["issue.id"]))
    assert send["letter"]["subject"] == "Sale for [% anketa.base.firstName %]"
    assert send["letter"]["from.email"] == "hello@shop.example.ru"
    got = rows(campaign)
    assert got["boris@example.org"] == (RecipientStatus.SKIPPED,
                                        "opted out of marketing messages by email")
    assert {got[a][0] for a in ("anna@example.org", "vera@example.org", "gleb@example.org")} \
        == {RecipientStatus.SENT}
    # gleb has not confirmed his e-mail: Sendsay is asked to confirm him first.
    gleb = next(m for m in emulator.inspect()["members"] if m["email"] == "gleb@example.org")
    assert gleb["confirmed"] in (False, 0)


def test_sms_goes_as_one_issue_send_to_a_phone_list(people, make_campaign, sendsay_on,
                                                    emulator, enqueued):
    campaign = make_campaign(roles=[Role.BUYER], channel=CampaignChannel.SMS)
    assert run(campaign, enqueued).outcome.kind == FINISHED
    assert emulator.sends("email") == []
    (send,) = emulator.sends("sms")
    assert {r["email"] for r in send["recipients"]} == {"+79160000001", "+79160000002",
                                                       "+79160000004"}
    assert send["letter"]["message"]["sms"].startswith("Hello [% anketa.base.firstName %]!")
    got = rows(campaign)
    assert got["vera"] == (RecipientStatus.SKIPPED, "no phone number for this channel")
    assert got["olga"][0] == RecipientStatus.SKIPPED
    assert got["+79160000001"][0] == RecipientStatus.SENT


def test_telegram_to_sellers_reaches_the_company_chat_once(people, make_campaign, sendsay_on,
                                                           emulator, enqueued):
    campaign = make_campaign(roles=[Role.SELLER], channel=CampaignChannel.TELEGRAM)
    assert run(campaign, enqueued).outcome.kind == FINISHED
    (send,) = emulator.sends("tg")
    assert [r["email"] for r in send["recipients"]] == ["1001"]
    assert list(CampaignRecipient.objects.filter(campaign=campaign)
                .values_list("address", "status")) == [("1001", RecipientStatus.SENT)]


@pytest.mark.parametrize(("channel", "addr_type", "key"), [
    (CampaignChannel.VK_COMMUNITY, "vk", "vk"),
    (CampaignChannel.TELEGRAM_CHANNEL, "tg", "tg"),
])
def test_broadcast_is_one_issue_send_to_the_community_group(
        people, make_campaign, sendsay_on, emulator, enqueued, channel, addr_type, key):
    with client_for_account(sendsay_on) as client:
        group = client.group_create("Community", addr_type=addr_type)["obj"]["id"]
    campaign = make_campaign(roles=[Role.BUYER], channel=channel, broadcast_group_id=group)
    assert run(campaign, enqueued).outcome.kind == FINISHED
    (send,) = emulator.sends()
    assert send["group"] == group and send["channel"] == key
    assert key in send["letter"]["message"]
    assert not CampaignRecipient.objects.filter(campaign=campaign).exists()
    issue = CampaignIssue.objects.get(campaign=campaign)
    assert issue.role == "" and issue.state == IssueState.SENT and issue.issue_id


def test_stats_from_stat_uni_are_stored_per_issue(people, buyer_segment, make_campaign,
                                                  sendsay_on, emulator, enqueued):
    campaign = make_campaign(segment=buyer_segment)
    run(campaign, enqueued)
    issue = CampaignIssue.objects.get(campaign=campaign)
    emulator.control("set_stats", login="x_campaigns", **{"issue.id": issue.issue_id},
                     stats={"issue.deliv_ok": 3, "issue.deliv_bad": 1, "issue.u_readed": 2,
                            "issue.u_clicked": 1, "issue.unsubed": 1})
    assert campaign_stats_refresh(campaign=campaign) == 1
    issue.refresh_from_db()
    assert (issue.members, issue.delivered, issue.undelivered, issue.opened, issue.clicked,
            issue.unsubscribed) == (4, 3, 1, 2, 1, 1)
    assert issue.stats_at is not None


def test_an_issue_send_without_an_answer_is_never_repeated(people, buyer_segment,
                                                           make_campaign, sendsay_on,
                                                           emulator, enqueued):
    emulator.control("fault", action="issue.send", mode="drop", count=1)
    campaign = make_campaign(segment=buyer_segment)
    report = run(campaign, enqueued)
    assert report.outcome.kind == "failed" and campaign.status == CampaignStatus.FAILED
    issue = CampaignIssue.objects.get(campaign=campaign)
    assert issue.state == IssueState.UNKNOWN
    assert {status for status, _e in rows(campaign).values()} == {RecipientStatus.UNKNOWN}
    # Resumed (or re-run by beat): nothing is sent again.
    from campaigns.models import Campaign

    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    campaign_run(campaign_id=campaign.pk)
    assert emulator.requests("issue.send") == 1


def test_test_send_of_an_sms_goes_to_the_given_phone_through_sendsay(
        people, make_campaign, sendsay_on, emulator):
    from campaigns.services import campaign_send_test

    campaign = make_campaign(roles=[Role.BUYER], channel=CampaignChannel.SMS)
    result = campaign_send_test(campaign=campaign, role=Role.BUYER, to="+79990001122",
                                sample_email="boris@example.org")
    assert result.backend == "sendsay"
    (send,) = emulator.sends("sms")
    assert send["group"] == "personal"
    assert [r["email"] for r in send["recipients"]] == ["+79990001122"]
    assert send["letter"]["message"]["sms"].startswith("Hello Boris! Unsubscribe: https://")
    assert "/n/u/sample/" in send["letter"]["message"]["sms"]
