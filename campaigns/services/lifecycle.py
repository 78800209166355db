"""Campaign state changes from the admin and beat: launch (now or scheduled), pause, resume,
start what is due; and handing runs to Celery."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import conf
from ..exceptions import CampaignNotSendableError, CampaignStateError
from ..models import Campaign, CampaignChannel, CampaignStatus

logger = logging.getLogger(__name__)

LAUNCHABLE = frozenset({CampaignStatus.DRAFT, CampaignStatus.SCHEDULED})


def campaign_problems(campaign: Campaign) -> list[str]:
    """Why the campaign cannot be launched as it is (empty: it can)."""
    problems = []
    contents = {c.role: c for c in campaign.contents.all()}
    if campaign.is_broadcast:
        if not campaign.broadcast_group_id:
            problems.append(_("A broadcast needs the Sendsay group id of the community or "
                              "channel."))
        if not any(c.text.strip() for c in contents.values()):
            problems.append(_("A broadcast needs a text."))
        return problems
    roles = campaign.audience_roles
    if not roles:
        problems.append(_("Choose a segment or at least one whole role."))
    for role in roles:
        content = contents.get(role)
        if content is None:
            problems.append(_("There is no content for %(role)s.") % {"role": role})
        elif campaign.channel == CampaignChannel.EMAIL and not (
                content.subject.strip() and (content.html.strip() or content.text.strip())):
            problems.append(_("The e-mail for %(role)s needs a subject and a body.")
                            % {"role": role})
        elif campaign.channel != CampaignChannel.EMAIL and not content.text.strip():
            problems.append(_("The message for %(role)s needs a text.") % {"role": role})
    return problems


def campaign_launch(*, campaign: Campaign, when: datetime | None = None) -> Campaign:
    """Launch now (`when` empty or past: SENDING, a run enqueued after commit) or schedule it
    (SCHEDULED; beat's `campaigns_dispatch_due` starts it). Raises `CampaignStateError` unless
    the campaign is a draft or scheduled, `CampaignNotSendableError` with the problems."""
    if campaign.status not in LAUNCHABLE:
        raise CampaignStateError(_("Only a draft or a scheduled campaign can be launched."))
    problems = campaign_problems(campaign)
    if problems:
        raise CampaignNotSendableError(" ".join(problems))
    now = timezone.now()
    when = when or now
    if when > now:
        updated = Campaign.objects.filter(pk=campaign.pk, status__in=LAUNCHABLE).update(
            status=CampaignStatus.SCHEDULED, scheduled_at=when, error="")
    else:
        updated = Campaign.objects.filter(pk=campaign.pk, status__in=LAUNCHABLE).update(
            status=CampaignStatus.SENDING, scheduled_at=when, started_at=now, error="")
        if updated:
            campaign_enqueue(campaign_id=campaign.pk)
    if not updated:
        raise CampaignStateError(_("The campaign changed meanwhile; reload and try again."))
    campaign.refresh_from_db()
    return campaign


def campaign_pause(*, campaign: Campaign) -> Campaign:
    """SENDING or SCHEDULED -> PAUSED. A running job stops at its next lease renewal (within
    a batch); what it has not sent stays pending."""
    if not Campaign.objects.filter(
            pk=campaign.pk, status__in=[CampaignStatus.SENDING, CampaignStatus.SCHEDULED]
    ).update(status=CampaignStatus.PAUSED):
        raise CampaignStateError(_("Only a sending or scheduled campaign can be paused."))
    campaign.refresh_from_db()
    return campaign


def campaign_resume(*, campaign: Campaign) -> Campaign:
    """PAUSED -> SENDING (a run enqueued), or back to SCHEDULED when it never started and its
    time has not come."""
    now = timezone.now()
    waiting = campaign.started_at is None and campaign.scheduled_at and campaign.scheduled_at > now
    status = CampaignStatus.SCHEDULED if waiting else CampaignStatus.SENDING
    changes = {"status": status}
    if status == CampaignStatus.SENDING and campaign.started_at is None:
        changes["started_at"] = now
    if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PAUSED).update(**changes):
        raise CampaignStateError(_("Only a paused campaign can be resumed."))
    if status == CampaignStatus.SENDING:
        campaign_enqueue(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def campaigns_dispatch_due() -> list[int]:
    """Beat, every 30 s: start SCHEDULED campaigns whose time has come, and enqueue a run for
    SENDING ones nobody works on (their wait is over and their lease is free or stale:
    a killed worker, a lost task). Returns the ids enqueued."""
    now = timezone.now()
    started = []
    for pk in Campaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now
                                      ).values_list("pk", flat=True):
        if Campaign.objects.filter(pk=pk, status=CampaignStatus.SCHEDULED).update(
                status=CampaignStatus.SENDING, started_at=now):
            started.append(pk)
    stale = now - timedelta(seconds=conf.lease_seconds())
    idle = (
        Campaign.objects.filter(status=CampaignStatus.SENDING)
        .filter(Q(delayed_until__isnull=True) | Q(delayed_until__lte=now))
        .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
                | Q(run_token__isnull=True, delayed_until__isnull=False))
        .exclude(pk__in=started).values_list("pk", flat=True)
    )
    ids = started + list(idle)
    for pk in ids:
        campaign_enqueue(campaign_id=pk)
    if ids:
        logger.info("campaigns due or idle, runs enqueued: %s", ids)
    return ids


def campaign_enqueue(*, campaign_id: int, countdown: float | None = None,
                     queue: str | None = None) -> None:
    """A `campaigns_send` run after the current transaction commits (CAMPAIGNS_CELERY_QUEUE,
    or `queue`). A broker error is logged, not raised: beat enqueues the run again."""
    transaction.on_commit(partial(_send_task, campaign_id, countdown, queue), robust=True)


def _send_task(campaign_id: int, countdown: float | None, queue: str | None) -> None:
    from ..tasks import campaigns_send  # tasks import services: import at call time

    options: dict = {}
    if queue or conf.queue():
        options["queue"] = queue or conf.queue()
    if countdown:
        options["countdown"] = countdown
    campaigns_send.apply_async(args=[campaign_id], **options)

