"""The campaign job's lease and crash recovery.

One job at a time works on a campaign: it claims the campaign with a conditional UPDATE
(`run_token`, `heartbeat_at`), renews the lease at least every third of
CAMPAIGNS_LEASE_SECONDS and stops as soon as a renewal fails (paused, or the lease was taken
over). A job that died (SIGKILL, OOM, lost host) stops renewing; once its lease is stale the
next job claims the campaign and recovers what the dead one held:

* recipients: the dead job claimed one batch (rows SENDING under its token) and sent them
  one by one in id order, confirming each (SENT / FAILED) before starting the next. So all
  of its rows but the lowest were never tried: they go back to PENDING. The lowest one was in
  flight: the SMTP server may or may not have taken it. It becomes UNKNOWN and is never sent
  again. This is the at-most-once choice the issue asks for ("never twice to one recipient"):
  per crash at most one recipient may miss the message, none gets it twice. (With
  CAMPAIGNS_CONFIRM_EVERY = N, marks are written every N messages and the lowest N rows are
  the uncertain ones: up to N recipients per crash, still none twice.)
* Sendsay sends: an `issue.send` claimed (SENDING) but not recorded may have happened; it
  becomes UNKNOWN, never called again.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import conf
from ..models import (
    Campaign,
    CampaignIssue,
    CampaignRecipient,
    CampaignStatus,
    IssueState,
    RecipientStatus,
)

logger = logging.getLogger(__name__)

IN_FLIGHT = _("outcome unknown: the worker stopped while this message was being sent; not "
              "sent again so that nobody gets it twice")


@dataclass(frozen=True)
class Outcome:
    """How a job run ended: FINISHED, FAILED (with `error`), DELAYED (until `until`), CONTINUE
    (time slice used up: a new task carries on now) or STOPPED (paused / lease lost)."""

    kind: str
    until: datetime | None = None
    error: str = ""


FINISHED, FAILED, DELAYED, CONTINUE, STOPPED = (
    "finished", "failed", "delayed", "continue", "stopped")


def finished() -> Outcome:
    return Outcome(FINISHED)


def failed(error: str) -> Outcome:
    return Outcome(FAILED, error=error)


def delayed(until: datetime, error: str = "") -> Outcome:
    return Outcome(DELAYED, until=until, error=error)


class Lease:
    """A claimed campaign: renews itself on a schedule and says when it is lost."""

    def __init__(self, campaign_id: int, token: uuid.UUID) -> None:
        self.campaign_id = campaign_id
        self.token = token
        self.interval = conf.lease_seconds() / 3
        self._renewed = time.monotonic()

    def due(self) -> bool:
        return time.monotonic() - self._renewed >= self.interval

    def renew(self, **changes) -> bool:
        """Prolong the lease (storing `changes` with it); False when the campaign is no longer
        ours to send (paused, finished, or claimed by another job after our lease expired)."""
        updated = Campaign.objects.filter(
            pk=self.campaign_id, run_token=self.token, status=CampaignStatus.SENDING
        ).update(heartbeat_at=timezone.now(), **changes)
        self._renewed = time.monotonic()
        return bool(updated)

    def keep(self) -> bool:
        """Renew when due; False when the lease is lost."""
        return self.renew() if self.due() else True


def campaign_claim(*, campaign_id: int, token: uuid.UUID) -> bool:
    """Take the campaign for one job run: it must be SENDING, not waiting (quiet hours,
    retry), and without a live lease (none, or older than CAMPAIGNS_LEASE_SECONDS)."""
    now = timezone.now()
    stale = now - timedelta(seconds=conf.lease_seconds())
    return bool(
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING)
        .filter(Q(delayed_until__isnull=True) | Q(delayed_until__lte=now))
        .filter(Q(run_token__isnull=True) | Q(heartbeat_at__isnull=True)
                | Q(heartbeat_at__lt=stale))
        .update(run_token=token, heartbeat_at=now, delayed_until=None)
    )


def campaign_release(*, campaign_id: int, token: uuid.UUID, outcome: Outcome) -> bool:
    """Store the run's outcome and give the lease back (only if it is still ours)."""
    now = timezone.now()
    changes: dict = {"run_token": None, "heartbeat_at": now}
    if outcome.kind == FINISHED:
        changes |= {"status": CampaignStatus.FINISHED, "finished_at": now,
                    "error": outcome.error}
    elif outcome.kind == FAILED:
        changes |= {"status": CampaignStatus.FAILED, "finished_at": now, "error": outcome.error}
    elif outcome.kind == DELAYED:
        changes |= {"delayed_until": outcome.until, "error": outcome.error}
    return bool(Campaign.objects.filter(pk=campaign_id, run_token=token).update(**changes))


def recipients_recover(*, campaign: Campaign, token: uuid.UUID) -> tuple[int, int]:
    """Give back what dead jobs held (see the module docstring): returns (unknown, pending).
    With CAMPAIGNS_CONFIRM_EVERY = N the lowest N rows of a dead token may have gone out."""
    held = CampaignRecipient.objects.filter(
        campaign=campaign, status=RecipientStatus.SENDING).exclude(claim_token=token)
    window = max(1, int(conf.get("CAMPAIGNS_CONFIRM_EVERY")))
    unknown = pending = 0
    for dead in held.order_by().values_list("claim_token", flat=True).distinct():
        rows = held.filter(claim_token=dead)
        maybe_sent = list(rows.order_by("pk").values_list("pk", flat=True)[:window])
        unknown += rows.filter(pk__in=maybe_sent).update(
            status=RecipientStatus.UNKNOWN, claim_token=None, error=IN_FLIGHT)
        pending += rows.update(status=RecipientStatus.PENDING, claim_token=None)
    if unknown or pending:
        logger.warning("campaign %s: recovered a dead job's batch: %s unknown, %s back to "
                       "pending", campaign.pk, unknown, pending)
    return unknown, pending


def issues_recover(*, campaign: Campaign) -> int:
    """An issue.send claimed by a dead job may have reached Sendsay: UNKNOWN, never repeated;
    its role's recipients too."""
    stuck = list(campaign.issues.filter(state=IssueState.SENDING))
    for issue in stuck:
        CampaignIssue.objects.filter(pk=issue.pk, state=IssueState.SENDING).update(
            state=IssueState.UNKNOWN, error=IN_FLIGHT)
        CampaignRecipient.objects.filter(
            campaign=campaign, role=issue.role, status=RecipientStatus.PENDING
        ).update(status=RecipientStatus.UNKNOWN, error=IN_FLIGHT)
    return len(stuck)
