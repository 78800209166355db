"""The campaign admin: create with content per role, preview against a sample recipient, test
send to the sink, launch now or schedule, pause / resume, progress, results with Sendsay's
statistics and a Chart.js chart fed by json_script (no inline script)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audience.models import Role
from campaigns.models import Campaign, CampaignChannel, CampaignIssue, CampaignStatus
from campaigns.services import campaign_launch, campaign_run

pytestmark = pytest.mark.django_db


def url(view: str, campaign=None) -> str:
    args = [campaign.pk] if campaign is not None else []
    return reverse(f"admin:campaigns_campaign_{view}", args=args)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def inline_scripts(html: str) -> list[str]:
    """<script> elements with a body that is not a json_script data block."""
    return [m.group(0) for m in re.finditer(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>",
                                            html, re.S)
            if m.group("body").strip() and 'type="application/json"' not in m.group("attrs")]


def test_add_form_creates_a_campaign_with_content_per_role(admin_client, people, shop):
    data = {
        "name": "June sale", "storefront": shop.pk, "segment": "", "roles": [Role.BUYER,
                                                                           Role.SELLER],
        "channel": CampaignChannel.EMAIL, "broadcast_group_id": "", "throttle_rate": "50",
        "quiet_start": "21:00", "quiet_end": "09:00",
        "contents-TOTAL_FORMS": "2", "contents-INITIAL_FORMS": "0",
        "contents-MIN_NUM_FORMS": "0", "contents-MAX_NUM_FORMS": "3",
        "contents-0-role": Role.BUYER, "contents-0-subject": "Hi {{ recipient.first_name }}",
        "contents-0-html": "<p>Sale!</p>", "contents-0-text": "",
        "contents-1-role": Role.SELLER, "contents-1-subject": "Sellers",
        "contents-1-html": "", "contents-1-text": "Sell more, {{ company.name }}",
        "issues-TOTAL_FORMS": "0", "issues-INITIAL_FORMS": "0",
        "issues-MIN_NUM_FORMS": "0", "issues-MAX_NUM_FORMS": "0",
    }
    response = admin_client.post(url("add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(name="June sale")
    assert campaign.roles == [Role.BUYER, Role.SELLER] and campaign.throttle_rate == 50
    assert campaign.status == CampaignStatus.DRAFT
    assert sorted(campaign.contents.values_list("role", flat=True)) == [Role.BUYER, Role.SELLER]
    page = admin_client.get(url("change", campaign)).content.decode()
    assert 'id="campaign-progress"' in page and "audience now: 7" in page


def test_add_form_refuses_segment_and_roles_together_and_a_broadcast_without_group(
        admin_client, buyer_segment, shop):
    base = {"name": "X", "storefront": shop.pk, "channel": CampaignChannel.EMAIL,
            "contents-TOTAL_FORMS": "0", "contents-INITIAL_FORMS": "0",
            "issues-TOTAL_FORMS": "0", "issues-INITIAL_FORMS": "0"}
    both = admin_client.post(url("add"), {**base, "segment": buyer_segment.pk,
                                          "roles": [Role.BUYER]})
    assert "Choose a segment or whole roles, not both." in both.content.decode()
    broadcast = admin_client.post(url("add"), {**base, "channel": CampaignChannel.VK_COMMUNITY})
    assert "needs the Sendsay group of the community" in broadcast.content.decode()
    assert not Campaign.objects.exists()


def test_preview_renders_for_the_chosen_audience_member(admin_client, people, make_campaign):
    campaign = make_campaign(roles=[Role.BUYER])
    page = admin_client.get(url("preview", campaign), {"role": Role.BUYER,
                                                       "email": "boris@example.org"})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<p id="preview-subject">Sale for Boris</p>' in html
    assert "Hello Boris! Unsubscribe: https://market.example.ru/n/u/" in html
    assert 'sandbox=""' in html and "srcdoc=" in html
    first = admin_client.get(url("preview", campaign)).content.decode()
    assert "Sale for Anna" in first  # nobody chosen: the first buyer


def test_preview_shows_a_template_error_instead_of_a_blank(admin_client, people,
                                                           make_campaign):
    campaign = make_campaign()
    campaign.contents.update(text="Hi {{ recipient.nick }}")
    html = admin_client.get(url("preview", campaign)).content.decode()
    assert 'id="preview-error"' in html and "recipient.nick" in html


def test_test_send_reaches_the_sink_with_test_subject_and_sample_links(
        admin_client, people, make_campaign, smtp_sink):
    campaign = make_campaign()
    response = admin_client.post(url("test_send", campaign), {
        "role": Role.BUYER, "to": "qa@shop.example.ru", "sample_email": "vera@example.org"})
    assert response.status_code == 302
    assert texts(response) == ["Test sent to qa@shop.example.ru via smtp."]
    (message,) = smtp_sink.wait_for(1)
    assert message.rcpt_tos == ["qa@shop.example.ru"]
    assert message.subject == "[TEST] Sale for Vera"
    assert "/n/u/sample/" in message.message.get_body(("plain",)).get_content()


def test_launch_now_schedule_pause_and_resume(admin_client, people, make_campaign, enqueued):
    campaign = make_campaign()
    assert admin_client.get(url("launch", campaign)).status_code == 200
    later = timezone.localtime() + timedelta(days=1)
    response = admin_client.post(url("launch", campaign),
                                 {"send_at": later.strftime("%Y-%m-%dT%H:%M")})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED and enqueued == []
    assert texts(response)[0].startswith("Scheduled for")
    admin_client.post(url("pause", campaign))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    admin_client.post(url("resume", campaign))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED  # its time has not come yet
    response = admin_client.post(url("launch", campaign), {"send_at": ""})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    assert [pk for pk, _o in enqueued] == [campaign.pk]
    assert texts(response)[-1] == "Sending has started."
    assert admin_client.get(url("pause", campaign)).status_code == 405  # POST only


def test_launch_refuses_a_campaign_without_content_for_a_role(admin_client, people,
                                                              make_campaign, enqueued):
    campaign = make_campaign(roles=[Role.BUYER])
    campaign.roles = [Role.BUYER, Role.ADMIN]
    campaign.save()
    page = admin_client.get(url("launch", campaign)).content.decode()
    assert "There is no content for admin." in page
    admin_client.post(url("launch", campaign), {"send_at": ""})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and enqueued == []


def test_progress_json_counts_the_rows(admin_client, people, make_campaign, smtp_sink,
                                       enqueued):
    campaign = make_campaign()
    campaign_launch(campaign=campaign)
    campaign_run(campaign_id=campaign.pk)
    data = admin_client.get(url("progress", campaign)).json()
    assert (data["status"], data["total"], data["sent"], data["percent"]) == (
        "finished", 5, 5, 100)


def test_results_page_shows_our_counts_and_refreshed_sendsay_stats_with_a_chart(
        admin_client, people, buyer_segment, make_campaign, sendsay_on, emulator, enqueued):
    campaign = make_campaign(segment=buyer_segment)
    campaign_launch(campaign=campaign)
    campaign_run(campaign_id=campaign.pk)
    before = admin_client.get(url("results", campaign)).content.decode()
    assert "No statistics fetched yet." in before
    issue = CampaignIssue.objects.get(campaign=campaign)
    emulator.control("set_stats", **{"issue.id": issue.issue_id}, stats={
        "issue.deliv_ok": 3, "issue.deliv_bad": 1, "issue.u_readed": 2, "issue.u_clicked": 1,
        "issue.unsubed": 1})
    response = admin_client.post(url("refresh_stats", campaign))
    assert texts(response) == ["Statistics refreshed from Sendsay."]
    html = admin_client.get(url("results", campaign)).content.decode()
    for stat, value in [("sent", 4), ("failed", 0), ("skipped", 0), ("members", 4),
                        ("delivered", 3), ("opened", 2), ("clicked", 1), ("unsubscribed", 1)]:
        assert f'data-stat="{stat}">{value}</td>' in html, stat
    data = json.loads(re.search(
        r'<script id="campaign-results-data" type="application/json">(.*?)</script>', html,
        re.S).group(1))
    assert data["ours"]["values"][:3] == [4, 0, 0]
    assert data["sendsay"]["values"] == [3, 2, 1, 1]
    assert 'id="campaign-results-chart"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "campaigns/results_chart.js" in html
    assert inline_scripts(html) == []


def test_list_and_a_finished_campaigns_page_are_read_only(admin_client, people, make_campaign,
                                                          smtp_sink, enqueued):
    campaign = make_campaign()
    campaign_launch(campaign=campaign)
    campaign_run(campaign_id=campaign.pk)
    listing = admin_client.get(url("changelist")).content.decode()
    assert "Spring sale" in listing and "5 / 5" in listing
    page = admin_client.get(url("change", campaign)).content.decode()
    assert 'name="contents-0-subject"' not in page and 'name="name"' not in page
    assert "Launch / schedule" not in page and 'action="' + url("pause", campaign) not in page
    assert url("results", campaign) in page and url("preview", campaign) in page
    response = admin_client.post(url("change", campaign), {"name": "Renamed"})
    campaign.refresh_from_db()
    assert campaign.name == "Spring sale" and response.status_code in (200, 302)
