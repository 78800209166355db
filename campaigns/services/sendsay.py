"""Campaigns through Sendsay: per role, a list built from the role's recipients and ONE
`issue.send` to it; a broadcast is one `issue.send` to the community's / channel's group.
Statistics come back with `stat.uni` filtered on the issue id.

Why a campaign list and not the segment's own list (`audience.services.segment_sync`): the
segment's list holds every member, including those who opted out of marketing here (our
`ContactPreference`, which Sendsay does not know), and it is an e-mail list, while an SMS or
Telegram send needs a list of phone numbers or Telegram ids. The campaign list holds exactly
the campaign's PENDING recipients (opt-outs already SKIPPED) with the channel's addr_type, so
our counts and Sendsay's send are the same set.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.models import Role
from notifications.channels.base import OutboundMessage
from notifications.channels.sendsay import SendsayBackend
from notifications.events import Category, Channel
from notifications.exceptions import TemplateError
from notifications.models import ContactPreference
from sendsay_admin.client import SendsayAPIError, SendsayError

from .. import conf
from ..exceptions import CampaignNotSendableError
from ..models import (
    Campaign,
    CampaignIssue,
    CampaignRecipient,
    IssueState,
    RecipientStatus,
)
from ..quiet import quiet_until
from ..rendering import Content, render_message
from .context import (
    addr_type,
    campaign_sender,
    campaign_zone,
    contents_of,
    group_context,
    notify_channel,
)
from .job import IN_FLIGHT, STOPPED, Lease, Outcome, delayed, failed, finished

logger = logging.getLogger(__name__)

CAPTION = [{"datakey": "member.email", "mode": "set"}]
DONE = frozenset({IssueState.SENT, IssueState.UNKNOWN, IssueState.FAILED})
STAT_SELECT = ["issue.id", "issue.members", "issue.deliv_ok", "issue.deliv_bad",
               "issue.u_readed", "issue.u_clicked", "issue.unsubed"]
STAT_FIELDS = ("members", "delivered", "undelivered", "opened", "clicked", "unsubscribed")


def sendsay_client(campaign: Campaign):
    """(account, client) of the storefront's connected Sendsay account; raises
    `CampaignNotSendableError` when there is none usable."""
    from sendsay_admin.client import SendsayConfigurationError
    from sendsay_admin.crypto import SecretDecryptError
    from sendsay_admin.models import AccountStatus
    from sendsay_admin.services import (
        AccountNotConfiguredError,
        account_for_storefront,
        client_for_account,
    )

    account = account_for_storefront(campaign.storefront_id)
    if account is None or account.state != AccountStatus.CONNECTED:
        raise CampaignNotSendableError(_("Sendsay is not connected for this storefront."))
    try:
        return account, client_for_account(account)
    except (AccountNotConfiguredError, SecretDecryptError, SendsayConfigurationError) as exc:
        raise CampaignNotSendableError(str(exc)) from exc


class _LeaseLost(Exception):
    """The campaign was paused or taken over while a list was being uploaded."""


def campaign_sendsay_run(*, campaign: Campaign, lease: Lease) -> Outcome:
    """Send each role's list (or the broadcast) once. Sendsay errors are recorded in the
    account's error log; a retryable one before the send delays the campaign, any other
    fails it. An `issue.send` that got no answer (transport error, HTTP 5xx) may have been
    taken: its issue and recipients become UNKNOWN and it is never called again."""
    from sendsay_admin.services import errors_recorded

    try:
        account, client = sendsay_client(campaign)
    except CampaignNotSendableError as exc:
        return failed(str(exc))
    try:
        with errors_recorded(account), client:
            if campaign.is_broadcast:
                return _broadcast(campaign, lease, client)
            return _lists(campaign, lease, client)
    except SendsayError as exc:
        if exc.retryable:
            return _retry_later(str(exc))
        return failed(str(exc))
    except TemplateError as exc:
        return failed(f"template: {exc}")
    except _LeaseLost:
        return Outcome(STOPPED)


def _retry_later(error: str) -> Outcome:
    from datetime import timedelta

    seconds = float(conf.get("CAMPAIGNS_RETRY_SECONDS"))
    return delayed(timezone.now() + timedelta(seconds=seconds), error=error)


def _wait(campaign: Campaign, lease: Lease) -> Outcome | None:
    until = quiet_until(timezone.now(), campaign_zone(campaign), campaign.quiet_start,
                        campaign.quiet_end)
    if until is not None:
        return delayed(until)
    if not lease.keep():
        return Outcome(STOPPED)
    return None


def _end(campaign: Campaign) -> Outcome:
    bad = list(campaign.issues.filter(state__in=[IssueState.UNKNOWN, IssueState.FAILED])
               .values_list("role", "error"))
    if bad:
        return failed("; ".join(f"{role or _('broadcast')}: {error}" for role, error in bad))
    return finished()


def _letter(campaign: Campaign, client, role: str, content: Content) -> dict:
    channel = notify_channel(campaign)
    email = channel == Channel.EMAIL
    rendered = render_message(content, group_context(campaign, role), email=email)
    message = OutboundMessage(outbox_id=0, channel=channel, to="", sender=campaign_sender(campaign),
                              subject=rendered.subject, text=rendered.text, html=rendered.html)
    try:
        return SendsayBackend(client).letter(message)
    except ValueError as exc:  # an empty or unsendable letter
        raise TemplateError(str(exc)) from exc


# -- lists ------------------------------------------------------------------------------

def recipients_skip_opted_out(*, campaign: Campaign) -> int:
    """Set-based: PENDING rows whose buyer/admin (or seller company) opted out of marketing
    on the campaign's channel, or who nobody can unsubscribe for, become SKIPPED."""
    channel = notify_channel(campaign)
    prefs = ContactPreference.objects.filter(category=Category.MARKETING, allowed=False,
                                             channel=channel)
    pending = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING)
    blocked = pending.filter(
        (~Q(role=Role.SELLER) & Exists(prefs.filter(user=OuterRef("user"))))
        | (Q(role=Role.SELLER) & Exists(prefs.filter(company=OuterRef("company"))))
    ).update(status=RecipientStatus.SKIPPED,
             error=_("opted out of marketing messages by %(channel)s") % {"channel": channel})
    orphans = pending.filter(user__isnull=True, company__isnull=True).update(
        status=RecipientStatus.SKIPPED,
        error=_("a marketing message needs someone who can unsubscribe"))
    return blocked + orphans


def _lists(campaign: Campaign, lease: Lease, client) -> Outcome:
    recipients_skip_opted_out(campaign=campaign)
    contents = contents_of(campaign)
    for role in campaign.audience_roles:
        wait = _wait(campaign, lease)
        if wait is not None:
            return wait
        issue, _created = CampaignIssue.objects.get_or_create(campaign=campaign, role=role)
        pending = campaign.recipients.filter(role=role, status=RecipientStatus.PENDING)
        if issue.state in DONE or (issue.state == IssueState.NEW and not pending.exists()):
            continue
        if role not in contents:
            pending.update(status=RecipientStatus.SKIPPED,
                           error=_("the campaign has no content for %(role)s") % {"role": role})
            continue
        letter = _letter(campaign, client, role, contents[role])
        if issue.state == IssueState.NEW:
            _build_list(campaign, client, issue, pending, lease)
        outcome = _issue_send(campaign, client, issue, letter)
        if outcome is not None:
            return outcome
    return _end(campaign)


def _build_list(campaign: Campaign, client, issue: CampaignIssue, pending, lease: Lease
                ) -> None:
    if issue.group_id:  # rebuilt after a crash during the upload: start from an empty list
        client.call("group.clean", id=issue.group_id, all=True)
    else:
        name = f"Campaign {campaign.pk}: {campaign.name} ({issue.role})"[:200]
        reply = client.group_create(name, type="list", addr_type=addr_type(campaign))
        issue.group_id = str((reply.get("obj") or {}).get("id") or reply.get("id") or "")
        if not issue.group_id:
            raise SendsayAPIError(action="group.create", error_id="client/missing_group_id",
                                  explain="no obj.id in the reply")
        CampaignIssue.objects.filter(pk=issue.pk).update(group_id=issue.group_id)
    uploaded, refusals = _upload(campaign, client, issue.group_id, pending, lease)
    for address in refusals:
        pending.filter(address=address).update(status=RecipientStatus.FAILED,
                                               error=_("refused by Sendsay's import"))
    CampaignIssue.objects.filter(pk=issue.pk).update(
        state=IssueState.READY, recipients=uploaded,
        error=_("%(n)s addresses refused") % {"n": len(refusals)} if refusals else "")
    issue.state = IssueState.READY


def _upload(campaign: Campaign, client, group_id: str, pending, lease: Lease
            ) -> tuple[int, list[str]]:
    """member.import of the pending addresses into the list, in batches, each track waited
    for (the lease renewed in between); unconfirmed buyer e-mails go with newbie.confirm=1
    (Sendsay asks them to confirm first)."""
    email = notify_channel(campaign) == Channel.EMAIL
    size = int(conf.get("CAMPAIGNS_SENDSAY_IMPORT_BATCH"))
    timeout = float(conf.get("CAMPAIGNS_SENDSAY_TRACK_TIMEOUT"))
    uploaded, refusals = 0, []
    rows = pending.order_by("needs_confirm", "pk").values_list("address", "needs_confirm")
    for needs_confirm, addresses in _batches(rows.iterator(chunk_size=size), size):
        track_id = client.member_import(
            [[a] for a in addresses], CAPTION, addr_type=addr_type(campaign),
            if_exists="update", group_id=group_id,
            newbie_confirm=True if (email and needs_confirm) else None)
        track = client.track_wait(track_id, timeout=timeout)
        result = track.get("result") if isinstance(track.get("result"), dict) else {}
        failed_count = int(result.get("failed") or 0)
        uploaded += int(result.get("ok", len(addresses) - failed_count) or 0)
        refusals += [str(e.get("email")) for e in track.get("errors") or [] if e.get("email")]
        if not lease.keep():
            raise _LeaseLost
    return uploaded, refusals


def _batches(rows: Iterator[tuple[str, bool]], size: int) -> Iterator[tuple[bool, list[str]]]:
    for flag, group in itertools.groupby(rows, key=lambda row: bool(row[1])):
        addresses = (address for address, _flag in group)
        while chunk := list(itertools.islice(addresses, size)):
            yield flag, chunk


# -- the send ---------------------------------------------------------------------------

def _issue_send(campaign: Campaign, client, issue: CampaignIssue, letter: dict
                ) -> Outcome | None:
    """Claim the issue (READY -> SENDING), call issue.send once, record the track and issue
    ids and mark the role's pending recipients SENT (handed to Sendsay)."""
    if not CampaignIssue.objects.filter(pk=issue.pk, state=IssueState.READY).update(
            state=IssueState.SENDING):
        return None
    try:
        reply = client.issue_send_group(issue.group_id, letter=letter)
    except SendsayAPIError as exc:  # Sendsay answered with an error: nothing was sent
        if exc.retryable:
            CampaignIssue.objects.filter(pk=issue.pk).update(state=IssueState.READY,
                                                             error=str(exc))
            return _retry_later(str(exc))
        CampaignIssue.objects.filter(pk=issue.pk).update(state=IssueState.FAILED, error=str(exc))
        _rows(campaign, issue).update(status=RecipientStatus.FAILED, error=str(exc))
        return None
    except SendsayError as exc:  # no answer: it may have been taken
        CampaignIssue.objects.filter(pk=issue.pk).update(
            state=IssueState.UNKNOWN, error=f"{exc}: {IN_FLIGHT}")
        _rows(campaign, issue).update(status=RecipientStatus.UNKNOWN, error=IN_FLIGHT)
        return None
    now = timezone.now()
    track_id = str(reply.get("track.id") or "")
    issue_id = _issue_id(client, track_id)
    CampaignIssue.objects.filter(pk=issue.pk).update(
        state=IssueState.SENT, track_id=track_id, issue_id=issue_id, sent_at=now, error="")
    marked = _rows(campaign, issue).update(
        status=RecipientStatus.SENT, sent_at=now, provider_id=issue_id or track_id, error="")
    logger.info("campaign %s: issue.send to %s (%s recipients), track %s, issue %s",
                campaign.pk, issue.group_id, marked, track_id, issue_id or "?")
    return None


def _rows(campaign: Campaign, issue: CampaignIssue):
    rows = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING)
    return rows.filter(role=issue.role) if issue.role else rows.none()


def _issue_id(client, track_id: str) -> str:
    """The issue id of a send, read from its track ([I]: the emulator's track.get carries
    `issue.id`; a reply without it leaves the id to the next statistics refresh)."""
    if not track_id:
        return ""
    try:
        track = client.track_get(track_id)
    except SendsayError as exc:
        logger.info("track %s not readable yet: %s", track_id, exc.error_id)
        return ""
    return str(track.get("issue.id") or "")


def _broadcast(campaign: Campaign, lease: Lease, client) -> Outcome:
    issue, _created = CampaignIssue.objects.get_or_create(
        campaign=campaign, role="", defaults={"group_id": campaign.broadcast_group_id})
    if issue.state not in DONE:
        wait = _wait(campaign, lease)
        if wait is not None:
            return wait
        contents = contents_of(campaign)
        role = next(r for r in Role.values if r in contents)
        letter = _letter(campaign, client, role, contents[role])
        if issue.state == IssueState.NEW:
            CampaignIssue.objects.filter(pk=issue.pk, state=IssueState.NEW).update(
                state=IssueState.READY, group_id=campaign.broadcast_group_id)
            issue.state, issue.group_id = IssueState.READY, campaign.broadcast_group_id
        outcome = _issue_send(campaign, client, issue, letter)
        if outcome is not None:
            return outcome
    return _end(campaign)


# -- statistics -------------------------------------------------------------------------

def campaign_stats_refresh(*, campaign: Campaign) -> int:
    """Copy stat.uni's counters of each sent issue (filter issue.id) onto it: members,
    delivered (deliv_ok), not delivered (deliv_bad), opened and clicked (unique), unsubscribed.
    Returns how many issues got statistics. Raises `CampaignNotSendableError` without a
    connected account and `SendsayError` (recorded in the account's log) from Sendsay."""
    from sendsay_admin.services import errors_recorded

    issues = list(campaign.issues.filter(state=IssueState.SENT))
    if not issues:
        return 0
    account, client = sendsay_client(campaign)
    refreshed = 0
    with errors_recorded(account), client:
        for issue in issues:
            issue_id = issue.issue_id or _issue_id(client, issue.track_id)
            if not issue_id:
                continue
            reply = client.stat_uni(STAT_SELECT, filter=[
                {"a": "issue.id", "op": "==", "v": issue_id}])
            found = [row for row in reply.get("list") or [] if str(row[0]) == str(issue_id)]
            if not found:
                continue
            values = {name: int(value or 0) for name, value in zip(STAT_FIELDS, found[0][1:],
                                                                    strict=True)}
            CampaignIssue.objects.filter(pk=issue.pk).update(
                issue_id=issue_id, stats_at=timezone.now(), **values)
            refreshed += 1
    return refreshed
