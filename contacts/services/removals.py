"""Contacts that no longer belong in Sendsay: members of deleted users are deleted, contacts that
left the account's scope are taken out of the company list and kept.

Upload budget [R: the free plan counts uploads, so a contact deleted and uploaded again counts
twice]: deleting never gives an upload back, re-creating costs one. So only a user deleted from
the marketplace (who cannot come back under the same id) is deleted with member.delete; a
contact that left the scope (deactivated, buyer profile gone, storefront now served by another
account) is only taken out of the list with group.clean [C: `id` + `list`], stays in Sendsay and
is marked REMOVED with cleared hashes: when it is back in scope it is sent again as an update of
a member Sendsay has (no upload) and the import's `auto_group` or member.set's `-group` puts it
back in the list. A deleted user's address that another user registered since is not deleted:
the row goes to that user (or is dropped when the user has one), which saves a delete and an
upload.

Durability: each batch is removed in Sendsay first, then its rows are written; both calls are
idempotent (deleting or un-listing an address that is not there is a no-op). Deleted users'
rows are chosen by their state (user NULL) at the start of every run; the contacts that left
the scope are found by the export's stream as it passes their user id, and taken out before the
run's cursor moves past them, so a failed run is finished by the one that resumes it."""

from __future__ import annotations

import logging

from sendsay_admin.client import SendsayClient

from .. import selectors
from ..models import ContactState, ExportedContact, ExportRun
from .runs import run_save
from .store import parts

logger = logging.getLogger(__name__)

#: Addresses per member.delete / group.clean call.
REMOVE_BATCH = 500


def departed_remove(*, client: SendsayClient, run: ExportRun) -> None:
    """Delete the members of users deleted from the marketplace (counted in `run.deleted`).
    Raises the client's `SendsayError`s (the run then fails; the next one finishes)."""
    for pks in parts(selectors.departed_contacts(run.account), REMOVE_BATCH):
        _departed(client, run, pks)
        run_save(run)


def unlist(*, client: SendsayClient, run: ExportRun, group_id: str, pks: list[int]) -> None:
    """Take the contacts of rows `pks`, which left the account's scope, out of the list
    `group_id` (counted in `run.unlisted`); raises like `departed_remove`."""
    for part in parts(pks, REMOVE_BATCH):
        _unlist(client, run, group_id, part)


def unlist_addresses(*, client: SendsayClient, run: ExportRun, group_id: str,
                     emails: list[str]) -> None:
    """Take `emails` (old addresses of contacts who changed theirs) out of the list
    `group_id` (counted in `run.unlisted`); raises like `departed_remove`."""
    for part in parts(emails, REMOVE_BATCH):
        client.call("group.clean", id=group_id, list=part)
        run.unlisted += len(part)


def _departed(client: SendsayClient, run: ExportRun, pks: list[int]) -> None:
    rows = list(ExportedContact.objects.filter(pk__in=pks, user__isnull=True)
                .values_list("pk", "email", "in_sendsay"))
    owners = selectors.users_by_email([email for _pk, email, _in in rows])
    having = set(ExportedContact.objects.filter(account=run.account, user__in=owners.values())
                 .values_list("user_id", flat=True))
    delete = []
    for pk, email, in_sendsay in rows:
        owner = owners.get(email.lower())
        if owner is not None and owner not in having:  # the address has a new user
            having.add(owner)
            ExportedContact.objects.filter(pk=pk).update(user_id=owner, content_hash="",
                                                         source_hash="")
        elif owner is None and in_sendsay:
            delete.append(email)
    if delete:
        client.member_delete(delete, addr_type="email")
    ExportedContact.objects.filter(pk__in=pks, user__isnull=True).delete()
    run.deleted += len(delete)
    logger.info("contacts export %s: %s members deleted", run.pk, len(delete))


def _unlist(client: SendsayClient, run: ExportRun, group_id: str, pks: list[int]) -> None:
    rows = ExportedContact.objects.filter(pk__in=pks)
    listed = list(rows.filter(in_sendsay=True).values_list("email", flat=True))
    unlist_addresses(client=client, run=run, group_id=group_id, emails=listed)
    # Never in Sendsay (refused): nothing to take out; a return is a new contact.
    rows.filter(in_sendsay=False).delete()
    rows.update(state=ContactState.REMOVED, content_hash="", source_hash="", track_id="")
