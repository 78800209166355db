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

Durability: each batch is removed in Sendsay first, then its rows are written. Both calls are
idempotent (deleting or un-listing an address that is not there is a no-op), and the rows to
handle are chosen by their state, not a cursor, so a run that fails in between is finished by
the next one."""

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


def contacts_remove(*, client: SendsayClient, run: ExportRun, group_id: str) -> None:
    """Delete the members of deleted users and take contacts that left the scope out of the
    list `group_id`; counted in `run.deleted` and `run.unlisted`. Raises the client's
    `SendsayError`s (the export run then fails and the next one finishes the removals)."""
    account = run.account
    for pks in parts(selectors.departed_contacts(account), REMOVE_BATCH):
        _departed(client, run, pks)
        run_save(run)
    for pks in parts(selectors.out_of_scope_contacts(account), REMOVE_BATCH):
        _unlist(client, run, group_id, pks)
        run_save(run)


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
    if listed:
        client.call("group.clean", id=group_id, list=listed)
    # Never in Sendsay (refused): nothing to take out; a return is a new contact.
    rows.filter(in_sendsay=False).delete()
    rows.update(state=ContactState.REMOVED, content_hash="", source_hash="", track_id="")
    run.unlisted += len(listed)
