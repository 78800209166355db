"""The change stream: the source hash the database computes covers the mapped inputs only, and
the stream returns the new and changed contacts, the last one and the rows that left."""

import pytest
from django.utils import timezone

from contacts import changes, selectors, values
from contacts.models import ContactState, ExportedContact
from marketplace.models import BuyerProfile, OrderStatus
from sendsay_admin.fields import MappingSpec
from tests import factories
from tests.contacts.conftest import make_buyer, make_buyers

pytestmark = [pytest.mark.django_db]

BUYER = [MappingSpec("first_name", "base.firstName", "free"),
         MappingSpec("city", "base.city", "free"),
         MappingSpec("orders_count", "custom.orders", "int"),
         MappingSpec("interest_categories", "custom.interests", "nm",
                     answer_map={"books": "1", "toys": "2"})]
SELLER = [MappingSpec("products_count", "custom.products", "int")]


def plan(buyer=BUYER, seller=SELLER):
    return values.plan_build(buyer, seller, time_zone="Europe/Moscow")


def sources(account, export_plan=None) -> dict[int, str]:
    return {row.user_id: row.source
            for row in changes.changes_stream(account, export_plan or plan())}


def store(account, user, source: str, **fields) -> ExportedContact:
    return ExportedContact.objects.create(
        account=account, user=user, email=user.email, source_hash=source, content_hash="c",
        state=ContactState.DONE, in_sendsay=True, exported_at=timezone.now(), **fields)


def test_the_source_hash_changes_with_the_mapped_inputs_only(account, storefront):
    ann = make_buyer("ann", storefront, city="Kazan")
    books, toys = factories.CategoryFactory(slug="books"), factories.CategoryFactory(slug="toys")
    company = factories.CompanyFactory(storefront=storefront)
    sam = factories.SellerProfileFactory(company=company).user
    original = sources(account)
    assert 0 < len(original[ann.pk]) <= 32 and original[ann.pk] != original[sam.pk]  # fits

    def after(change) -> dict[int, str]:
        change()
        return sources(account)

    profile = BuyerProfile.objects.filter(user=ann)
    assert after(lambda: profile.update(delivery_address="unmapped")) == original
    assert after(lambda: factories.OrderFactory(
        buyer=ann, storefront=storefront, status=OrderStatus.CANCELLED)) == original
    steps = [
        lambda: profile.update(city="Perm"),
        lambda: factories.OrderFactory(buyer=ann, storefront=storefront),
        lambda: profile.get().interests.add(toys),
        lambda: profile.get().interests.add(books),
        lambda: factories.ProductFactory(company=company),
        lambda: type(ann).objects.filter(pk=ann.pk).update(email="ann.new@example.org"),
    ]
    previous = original
    for step in steps:
        current = after(step)
        assert current != previous
        previous = current
    assert sources(account, plan(BUYER[:1])) != previous  # another mapping


def test_the_stream_returns_changed_new_last_and_left_contacts_only(account, storefront):
    buyers = make_buyers(6, storefront)
    current = sources(account)
    for user in buyers[:5]:
        store(account, user, current[user.pk])
    BuyerProfile.objects.filter(user=buyers[1]).update(city="Perm")  # changed
    buyers[2].is_active = False  # left the scope
    buyers[2].save()
    buyers[3].is_active = False  # left before: already taken out of the list
    buyers[3].save()
    ExportedContact.objects.filter(user=buyers[3]).update(state=ContactState.REMOVED)
    # buyers[4] unchanged, buyers[5] new (and last)

    rows = list(changes.changes_stream(account, plan()))

    assert [(row.user_id, row.email is not None, row.changed, row.seen) for row in rows] == [
        (buyers[1].pk, True, True, 2), (buyers[2].pk, False, False, 2),
        (buyers[5].pk, True, True, 4)]
    assert rows[1].stored[5] == ExportedContact.objects.get(user=buyers[2]).pk
    assert rows[0].stored[:2] == (buyers[1].email, current[buyers[1].pk])
    assert rows[2].stored is None

    store(account, buyers[5], rows[2].source)
    tail = list(changes.changes_stream(account, plan(), after=buyers[1].pk))
    assert [(row.user_id, row.changed, row.seen) for row in tail] == [
        (buyers[2].pk, False, 0), (buyers[5].pk, False, 2)]  # the last contact, unchanged


def test_many_changed_contacts_are_read_by_range_only_when_close_together():
    assert selectors._by_range(list(range(1000, 1600)))  # dense: one id range
    assert not selectors._by_range(list(range(0, 60000, 100)))  # 1 % spread over every user
    assert not selectors._by_range(list(range(10)))  # few: by id


def test_a_renamed_category_of_interest_changes_the_source_hash(account, storefront):
    books = factories.CategoryFactory(slug="books")
    ann = make_buyer("ann", storefront)
    BuyerProfile.objects.get(user=ann).interests.add(books)
    original = sources(account)

    type(books).objects.filter(pk=books.pk).update(slug="novels")

    assert sources(account)[ann.pk] != original[ann.pk]
