"""One run of a campaign's job: claim, recover what a dead run left, list the recipients once,
send through the chosen transport, release with the outcome."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from .. import conf
from ..exceptions import CampaignNotSendableError
from ..models import Campaign, Transport
from .context import transport_choose
from .job import (
    STOPPED,
    Lease,
    Outcome,
    campaign_claim,
    campaign_release,
    failed,
    issues_recover,
    recipients_recover,
)
from .materialise import recipients_materialise
from .sendsay import campaign_sendsay_run
from .smtp_job import campaign_smtp_run

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunReport:
    claimed: bool
    outcome: Outcome | None = None


def campaign_run(*, campaign_id: int, run_seconds: float | None = None,
                 sleep: Callable[[float], object] = time.sleep) -> RunReport:
    """Work on the campaign for at most `run_seconds` (CAMPAIGNS_RUN_SECONDS by default) if
    it can be claimed (SENDING, not waiting, no live lease); otherwise do nothing. The
    outcome is stored when the lease is given back: FINISHED / FAILED end the campaign,
    DELAYED sets `delayed_until`, CONTINUE and STOPPED leave it SENDING. An unexpected
    error releases the lease (the next run comes after CAMPAIGNS_LEASE_SECONDS) and
    propagates."""
    token = uuid.uuid4()
    if not campaign_claim(campaign_id=campaign_id, token=token):
        return RunReport(claimed=False)
    outcome = Outcome(STOPPED)
    try:
        campaign = Campaign.objects.select_related("storefront", "segment").get(pk=campaign_id)
        seconds = float(conf.get("CAMPAIGNS_RUN_SECONDS")) if run_seconds is None else run_seconds
        outcome = _work(campaign, Lease(campaign_id, token), seconds, sleep)
    except Exception as exc:
        outcome = Outcome(STOPPED, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        campaign_release(campaign_id=campaign_id, token=token, outcome=outcome)
    logger.info("campaign %s run ended: %s%s", campaign_id, outcome.kind,
                f" until {outcome.until:%Y-%m-%d %H:%M:%S%z}" if outcome.until else "")
    return RunReport(claimed=True, outcome=outcome)


def _work(campaign: Campaign, lease: Lease, run_seconds: float, sleep) -> Outcome:
    recipients_recover(campaign=campaign, token=lease.token)
    issues_recover(campaign=campaign)
    if not campaign.transport:
        try:
            campaign.transport = transport_choose(campaign)
        except CampaignNotSendableError as exc:
            return failed(str(exc))
        Campaign.objects.filter(pk=campaign.pk).update(transport=campaign.transport)
    if campaign.materialised_at is None and not campaign.is_broadcast:
        recipients_materialise(campaign=campaign)
        lease.renew()
    if campaign.transport == Transport.SENDSAY:
        return campaign_sendsay_run(campaign=campaign, lease=lease)
    return campaign_smtp_run(campaign=campaign, lease=lease, run_seconds=run_seconds,
                             sleep=sleep)
