"""Emptied values are cleared in Sendsay, against the real emulator over HTTP: by member.set for
a few contacts and by the empty cells of an import for many; the contact is sent once and then
skipped again. Also how the emulator reads an empty `set` (cleared)."""

import pytest

from contacts.models import ExportedContact
from contacts.services import export
from marketplace.models import BuyerProfile
from sendsay_admin.services import client_for_account, field_mapping_save
from tests.contacts.conftest import export as run_export
from tests.contacts.conftest import make_buyer, make_buyers

pytestmark = [pytest.mark.django_db, pytest.mark.tariff("paid")]


@pytest.fixture
def with_phone(mapped):
    field_mapping_save(account=mapped, role="buyer", field_code="phone",
                       sendsay_path="base.phone")
    return mapped


def test_a_cleared_phone_and_city_are_cleared_by_member_set(with_phone, sendsay_emulator,
                                                            storefront):
    ann = make_buyer("ann", storefront, city="Kazan")
    BuyerProfile.objects.filter(user=ann).update(phone="+79161234567")
    run_export(with_phone)
    assert sendsay_emulator.members()[ann.email]["data"]["base"] == {
        "firstName": "Ann", "city": "Kazan", "phone": "+79161234567"}
    BuyerProfile.objects.filter(user=ann).update(phone="", city="")

    run = run_export(with_phone)

    assert (run.uploaded, run.uploaded_new, run.member_sets) == (1, 0, 1)
    assert sendsay_emulator.members()[ann.email]["data"]["base"] == {"firstName": "Ann"}
    again = run_export(with_phone)
    assert (again.uploaded, again.skipped_unchanged) == (0, 1)


def test_cleared_values_are_cleared_by_the_cells_of_an_import(mapped, sendsay_emulator,
                                                              storefront, monkeypatch):
    monkeypatch.setattr(export, "BATCH_SIZE", 10)
    monkeypatch.setattr(export, "SMALL_BATCH", 3)
    buyers = make_buyers(12, storefront)
    run_export(mapped)
    cleared = buyers[2:7]
    BuyerProfile.objects.filter(user__in=cleared).update(city="")
    imports = sendsay_emulator.inspect()["request_counts"]["member.import"]

    run = run_export(mapped)

    assert (run.uploaded, run.imports, run.member_sets) == (5, 1, 0)
    assert sendsay_emulator.inspect()["request_counts"]["member.import"] == imports + 1
    members = sendsay_emulator.members()
    assert {user.email for user in buyers if "city" in members[user.email]["data"]["base"]} \
        == {user.email for user in buyers if user not in cleared}
    again = run_export(mapped)
    assert (again.uploaded, again.skipped_unchanged) == (0, 12)


def test_a_value_set_again_after_clearing_is_sent(mapped, sendsay_emulator, storefront):
    ann = make_buyer("ann", storefront, city="Kazan")
    run_export(mapped)
    BuyerProfile.objects.filter(user=ann).update(city="")
    run_export(mapped)
    BuyerProfile.objects.filter(user=ann).update(city="Kazan")

    run = run_export(mapped)

    assert run.uploaded == 1
    assert sendsay_emulator.members()[ann.email]["data"]["base"]["city"] == "Kazan"
    assert ExportedContact.objects.get(user=ann).content_hash


def test_the_emulator_reads_an_empty_set_as_cleared(account, sendsay_emulator):
    with client_for_account(account) as client:
        client.member_set("a@example.org", datakey=[["base.city", "set", "Kazan"],
                                                   ["base.firstName", "set", "Ann"]])
        client.member_set("a@example.org", datakey=[["base.city", "set", ""]])
        caption = [{"datakey": "member.email", "mode": "set"},
                   {"datakey": "base.firstName", "mode": "set"}]
        client.track_wait(client.member_import([["a@example.org", ""], ["b@example.org", ""]],
                                               caption))

    members = sendsay_emulator.members()
    assert members["a@example.org"]["data"] == {"base": {}}  # both fields cleared
    assert members["b@example.org"]["data"] == {}  # nothing to clear in a new member
