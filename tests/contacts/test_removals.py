"""Contacts that no longer belong, against the real emulator over HTTP: a deleted user's member
is deleted, a contact that left the account's scope is taken out of the list and comes back as
an update, nothing else is sent again, and a failed removal is finished by the next run."""

import pytest

from contacts.models import ContactState, ExportedContact, RunStatus
from marketplace.models import BuyerProfile
from sendsay_admin.models import SendsayAccount
from tests import factories
from tests.contacts.conftest import emails, make_buyer, make_buyers
from tests.contacts.conftest import export as run_export

pytestmark = [pytest.mark.django_db, pytest.mark.tariff("paid")]


def sent_counts(emulator) -> tuple:
    seen = emulator.inspect()
    counts = seen["request_counts"]
    return seen["uploads"], counts.get("member.import"), counts.get("member.set")


def test_a_deleted_user_is_deleted_in_sendsay_and_nothing_else_is_sent(
        mapped, sendsay_emulator, storefront):
    buyers = make_buyers(25, storefront)
    first = run_export(mapped)
    before = sent_counts(sendsay_emulator)
    gone = buyers.pop(7)
    gone.delete()
    assert ExportedContact.objects.get(email=gone.email).user_id is None  # remembered

    run = run_export(mapped)

    assert (run.status, run.deleted, run.unlisted) == (RunStatus.FINISHED, 1, 0)
    assert (run.uploaded, run.skipped_unchanged) == (0, 24)
    assert set(sendsay_emulator.members()) == emails(buyers)  # the member is gone
    assert sendsay_emulator.list_members(first.list_id) == emails(buyers)
    assert sent_counts(sendsay_emulator) == before  # no import, no member.set
    assert sendsay_emulator.inspect()["request_counts"]["member.delete"] == 1
    assert not ExportedContact.objects.filter(email=gone.email).exists()
    assert run_export(mapped).deleted == 0  # done once


def test_a_deactivated_contact_leaves_the_list_and_comes_back_without_an_upload(
        mapped, sendsay_emulator, storefront):
    buyers = make_buyers(3, storefront)
    first = run_export(mapped)
    ann = buyers[0]
    ann.is_active = False
    ann.save()

    left = run_export(mapped)

    assert (left.unlisted, left.deleted, left.uploaded) == (1, 0, 0)
    assert sendsay_emulator.list_members(first.list_id) == emails(buyers[1:])
    assert ann.email in sendsay_emulator.members()  # kept in Sendsay
    stored = ExportedContact.objects.get(user=ann)
    assert (stored.state, stored.in_sendsay, stored.content_hash) == (
        ContactState.REMOVED, True, "")
    assert run_export(mapped).unlisted == 0  # taken out once

    ann.is_active = True
    ann.save()
    back = run_export(mapped)

    assert (back.uploaded, back.uploaded_new, back.skipped_unchanged) == (1, 0, 2)
    assert sendsay_emulator.list_members(first.list_id) == emails(buyers)
    assert sendsay_emulator.inspect()["uploads"] == 3  # the return cost no upload
    assert ExportedContact.objects.get(user=ann).state == ContactState.DONE
    assert run_export(mapped).uploaded == 0


def test_a_lost_buyer_profile_and_a_storefront_with_its_own_account_leave_the_list(
        mapped, sendsay_emulator, storefront):
    other = factories.StorefrontFactory(name="Beta", company_name="Beta LLC")
    ann, bob = make_buyer("ann", storefront), make_buyer("bob", other)
    kept = make_buyer("kim", storefront)
    first = run_export(mapped)
    BuyerProfile.objects.filter(user=ann).delete()
    SendsayAccount.objects.create(storefront=other)  # Beta's buyers go to Beta's account

    run = run_export(mapped)

    assert (run.unlisted, run.deleted, run.uploaded) == (2, 0, 0)
    assert sendsay_emulator.list_members(first.list_id) == {kept.email}
    assert {ann.email, bob.email} <= set(sendsay_emulator.members())
    assert set(ExportedContact.objects.filter(state=ContactState.REMOVED)
               .values_list("user_id", flat=True)) == {ann.pk, bob.pk}


def test_an_address_registered_again_before_the_export_is_kept_for_its_new_user(
        mapped, sendsay_emulator, storefront):
    ann = make_buyer("ann", storefront, city="Kazan")
    run_export(mapped)
    ann.delete()
    again = make_buyer("ann", storefront, city="Omsk")  # the same address, a new user

    run = run_export(mapped)

    assert (run.deleted, run.uploaded, run.uploaded_new) == (0, 1, 0)
    assert "member.delete" not in sendsay_emulator.inspect()["request_counts"]
    assert sendsay_emulator.members()[again.email]["data"]["base"]["city"] == "Omsk"
    assert sendsay_emulator.inspect()["uploads"] == 1
    assert ExportedContact.objects.get().user_id == again.pk


def test_a_refused_contact_that_leaves_is_forgotten_without_a_call(
        mapped, sendsay_emulator, storefront):
    ann = make_buyer("ann", storefront)
    make_buyer("bob", storefront)
    run_export(mapped)
    ExportedContact.objects.filter(user=ann).update(state=ContactState.FAILED, in_sendsay=False)
    ann.is_active = False
    ann.save()

    run = run_export(mapped)

    assert (run.unlisted, run.deleted) == (0, 0)
    assert "group.clean" not in sendsay_emulator.inspect()["request_counts"]
    assert not ExportedContact.objects.filter(user=ann).exists()


@pytest.mark.parametrize("action", ["member.delete", "group.clean"])
def test_a_failed_removal_is_finished_by_the_next_run(mapped, sendsay_emulator, storefront,
                                                      action):
    buyers = make_buyers(3, storefront)
    first = run_export(mapped)
    buyers[0].delete()
    buyers[1].is_active = False
    buyers[1].save()
    sendsay_emulator.fault(action=action, mode="http", status=503, count=1)

    failed = run_export(mapped)

    assert failed.status == RunStatus.FAILED and "http/503" in failed.error
    resumed = run_export(mapped)

    assert resumed.status == RunStatus.FINISHED
    assert (failed.deleted + resumed.deleted, failed.unlisted + resumed.unlisted) == (1, 1)
    assert set(sendsay_emulator.members()) == emails(buyers[1:])
    assert sendsay_emulator.list_members(first.list_id) == {buyers[2].email}
    assert resumed.uploaded == 0


def test_contacts_that_left_are_found_between_chunks_and_after_the_last(
        mapped, sendsay_emulator, storefront, monkeypatch):
    monkeypatch.setattr("contacts.selectors.CHUNK_SIZE", 3)
    buyers = make_buyers(10, storefront)
    first = run_export(mapped)
    leaving = [buyers[0], buyers[3], buyers[4], buyers[9]]  # first, between chunks, last
    for user in leaving:
        user.is_active = False
        user.save()

    run = run_export(mapped)

    assert (run.unlisted, run.uploaded, run.skipped_unchanged) == (4, 0, 6)
    assert sendsay_emulator.list_members(first.list_id) == emails(
        [user for user in buyers if user not in leaving])


def test_a_changed_address_leaves_the_list_and_the_new_one_joins_it(
        mapped, sendsay_emulator, storefront):
    buyers = make_buyers(3, storefront)
    first = run_export(mapped)
    ann = buyers[0]
    old_address = ann.email
    ann.email = "ann.new@example.org"
    ann.save()

    run = run_export(mapped)

    assert (run.uploaded, run.unlisted, run.deleted) == (1, 1, 0)
    assert sendsay_emulator.list_members(first.list_id) == emails(buyers)  # the new address
    assert old_address not in sendsay_emulator.list_members(first.list_id)
    assert old_address in sendsay_emulator.members()  # kept in Sendsay, only unlisted
    assert ExportedContact.objects.get(user=ann).email == "ann.new@example.org"
    again = run_export(mapped)
    assert (again.uploaded, again.unlisted) == (0, 0)
