"""Segment state changes: syncing a segment to Sendsay as a list (group.create, member.import)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import uploads
from sendsay_admin.client import SendsayAPIError, SendsayConfigurationError, SendsayError

from .exceptions import SegmentSyncError
from .models import Segment, SyncStatus
from .selectors import segment_addresses, segment_rules

logger = logging.getLogger(__name__)

#: Addresses per member.import call.
BATCH_SIZE = 1000
#: How long one import may run in Sendsay before the sync gives up (track_wait timeout).
TRACK_TIMEOUT_SECONDS = 300.0
#: A run still "running" after this is taken to have died (worker killed, server restarted).
STALE_RUN = timedelta(hours=1)
#: Refused addresses quoted in `sync_error`.
REFUSALS_SHOWN = 5
CAPTION = [{"datakey": "member.email", "mode": "set"}]


@dataclass(frozen=True)
class SyncResult:
    group_id: str
    created_list: bool
    uploaded: int
    refused: int
    refusals: list[dict[str, Any]] = field(default_factory=list)


def segment_sync(*, segment: Segment) -> SyncResult:
    """Make the segment's Sendsay list hold exactly the segment's members' addresses.

    Account: the storefront's own when the segment names exactly one storefront, else the
    marketplace-wide one; it must be connected (module enabled, last check passed). The list is
    created (group.create, named after the segment) when the segment has none in that account,
    and emptied (group.clean) when it has. The addresses go up with member.import in batches of
    `BATCH_SIZE` with auto_group, waiting on each track; `if_exists=update` leaves contacts'
    other data alone, and unconfirmed buyer e-mails go with newbie.confirm=1 so that Sendsay
    asks new contacts for double opt-in.

    Stores on the segment: sync_status (synced; partial when Sendsay refused rows, quoted in
    sync_error; failed), synced_at, synced_count, the list id and login. Raises
    `SegmentSyncError` when no connected account is available, its credentials are unusable or
    a sync of the segment is already running; re-raises `SendsayError` after storing it on the
    segment and in the account's error log. Nothing is retried here.
    """
    _claim(segment)
    try:
        result = _sync(segment)
        status = SyncStatus.PARTIAL if result.refused else SyncStatus.SYNCED
        _finish(segment, status, error=_refusals_text(result), count=result.uploaded)
    except SendsayError as exc:
        _finish(segment, SyncStatus.FAILED, error=str(exc))
        logger.info("segment %s sync failed: %s", segment.pk, exc.error_id)
        raise
    except SegmentSyncError as exc:
        _finish(segment, SyncStatus.FAILED, error=str(exc))
        raise
    finally:
        if segment.sync_status == SyncStatus.RUNNING:  # an unexpected error: never stay running
            _finish(segment, SyncStatus.FAILED, error=_("The sync stopped unexpectedly."))
    logger.info("segment %s synced to list %s: %s uploaded, %s refused",
                segment.pk, result.group_id, result.uploaded, result.refused)
    return result


def _sync(segment: Segment) -> SyncResult:
    # sendsay_admin.services is the one bridge from Django to the client; imported here so the
    # audience app loads without it.
    from sendsay_admin.crypto import SecretDecryptError
    from sendsay_admin.services import (
        AccountNotConfiguredError,
        client_for_account,
        errors_recorded,
    )

    account = _account_for(segment)
    try:
        client = client_for_account(account)
    except (AccountNotConfiguredError, SecretDecryptError, SendsayConfigurationError) as exc:
        raise SegmentSyncError(str(exc)) from exc
    with errors_recorded(account), client:
        group_id, created = _ensure_list(client, segment, account.login)
        uploaded, refused, refusals = _upload(client, segment, group_id)
    return SyncResult(group_id, created, uploaded, refused, refusals)


def _account_for(segment: Segment):
    from sendsay_admin.models import AccountStatus
    from sendsay_admin.services import account_for_storefront

    storefront_ids = segment_rules(segment).storefront_ids
    storefront = next(iter(storefront_ids)) if len(storefront_ids) == 1 else None
    account = account_for_storefront(storefront)
    if account is None or account.state != AccountStatus.CONNECTED:
        raise SegmentSyncError(
            _("Sendsay is not connected: enable the module and check the connection first.")
        )
    return account


def _ensure_list(client, segment: Segment, login: str) -> tuple[str, bool]:
    """The segment's list in this account, emptied; a new one when missing (or deleted)."""
    if segment.sendsay_group_id and segment.sendsay_login == login:
        try:
            # [C] group.clean takes the list id and all=true; the client has no wrapper for it.
            client.call("group.clean", id=segment.sendsay_group_id, all=True)
            return segment.sendsay_group_id, False
        except SendsayAPIError as exc:
            if exc.error_id != "error/group/not_found":
                raise
    group_id = uploads.list_create(client, segment.name)
    Segment.objects.filter(pk=segment.pk).update(sendsay_group_id=group_id, sendsay_login=login)
    segment.sendsay_group_id, segment.sendsay_login = group_id, login
    return group_id, True


def _upload(client, segment: Segment, group_id: str) -> tuple[int, int, list[dict]]:
    uploaded = refused = 0
    refusals: list[dict] = []
    for needs_confirm, emails in _batches(segment_addresses(segment), BATCH_SIZE):
        track_id = client.member_import(
            [[email] for email in emails], CAPTION, addr_type="email", if_exists="update",
            group_id=group_id,
            # Leaving newbie.confirm out keeps a new contact sendable at once [C: 3P note].
            newbie_confirm=True if needs_confirm else None,
        )
        track = client.track_wait(track_id, timeout=TRACK_TIMEOUT_SECONDS)
        outcome = uploads.import_outcome(track, len(emails))
        uploaded += outcome.ok
        refused += outcome.failed
        refusals += outcome.refusals[: REFUSALS_SHOWN - len(refusals)]
    return uploaded, refused, refusals


def _batches(
    addresses: Iterable[tuple[str, bool]], size: int
) -> Iterator[tuple[bool, list[str]]]:
    """(needs confirmation, up to `size` e-mails) from the ordered address stream."""
    for needs_confirm, group in itertools.groupby(addresses, key=lambda row: bool(row[1])):
        emails = (email for email, _flag in group)
        while chunk := list(itertools.islice(emails, size)):
            yield needs_confirm, chunk


def _claim(segment: Segment) -> None:
    now = timezone.now()
    claimed = (
        Segment.objects.filter(pk=segment.pk)
        .filter(~Q(sync_status=SyncStatus.RUNNING) | Q(sync_started_at__lt=now - STALE_RUN))
        .update(sync_status=SyncStatus.RUNNING, sync_started_at=now, sync_error="")
    )
    if not claimed:
        raise SegmentSyncError(_("A sync of this segment is already running."))
    segment.sync_status, segment.sync_started_at = SyncStatus.RUNNING, now


def _finish(segment: Segment, status: str, *, error: str = "", count: int | None = None) -> None:
    values: dict[str, Any] = {"sync_status": status, "sync_error": error, "sync_started_at": None}
    if status != SyncStatus.FAILED:
        values |= {"synced_at": timezone.now(), "synced_count": count}
    Segment.objects.filter(pk=segment.pk).update(**values)
    for name, value in values.items():
        setattr(segment, name, value)


def _refusals_text(result: SyncResult) -> str:
    if not result.refused:
        return ""
    quoted = ", ".join(f"{r.get('email')} ({r.get('id') or r.get('explain')})"
                       for r in result.refusals)
    return _("Sendsay refused %(n)s addresses: %(quoted)s") % {"n": result.refused,
                                                               "quoted": quoted}
