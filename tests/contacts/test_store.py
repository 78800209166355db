"""What the export stores: the upsert of sent contacts and new source hashes, on every
database backend (PostgreSQL sends the rows as one JSON parameter)."""

import pytest

from contacts.models import ContactState, ExportedContact, ExportRun, RunTrigger
from contacts.services import store
from tests.contacts.conftest import make_buyers

pytestmark = [pytest.mark.django_db]


def test_contacts_are_upserted_and_their_source_hashes_updated(account, storefront):
    ann, bob = make_buyers(2, storefront)
    run = ExportRun.objects.create(account=account, trigger=RunTrigger.ADMIN)
    odd = "o'brien\\\"{é}\x1f@example.org"
    items = [store.Item(ann.pk, odd, [], "c1", "s1", True, None),
             store.Item(bob.pk, bob.email, [], "c2", "s2", False, True)]

    store.contacts_store(account, run, items, ContactState.PENDING, track_id="t7")
    store.contacts_store(account, run, items[1:], ContactState.DONE)

    rows = {row.user_id: row for row in ExportedContact.objects.all()}
    first, second = rows[ann.pk], rows[bob.pk]
    assert (first.email, first.content_hash, first.source_hash, first.state, first.track_id,
            first.in_sendsay, first.confirmed) == (odd, "c1", "s1", "pending", "t7", False, None)
    assert (second.state, second.in_sendsay, second.confirmed, second.track_id) == (
        "done", True, True, "")
    assert second.confirmed_checked_at == second.exported_at and first.exported_at

    store.source_hashes_store([(first.pk, "new1"), (second.pk, "new2")])

    assert dict(ExportedContact.objects.values_list("user_id", "source_hash")) == {
        ann.pk: "new1", bob.pk: "new2"}
