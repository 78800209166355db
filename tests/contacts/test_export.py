"""The contact export against the real emulator over HTTP: the company's list, mapped fields,
incremental runs, batches, double opt-in and the confirmed state read back."""

import pytest

from contacts.models import ContactState, ExportedContact, ExportSettings, RunStatus
from contacts.services import export, export_settings_for
from marketplace.models import BuyerProfile, OrderStatus
from tests import factories
from tests.contacts.conftest import emails, make_buyer, make_buyers
from tests.contacts.conftest import export as run_export

pytestmark = [pytest.mark.django_db, pytest.mark.tariff("paid")]


def test_first_export_creates_the_company_list_and_uploads_mapped_fields(
        mapped, sendsay_emulator, storefront):
    ann = make_buyer("ann", storefront, city="Kazan")
    company = factories.CompanyFactory(storefront=storefront, name="Vektor")
    seller = factories.SellerProfileFactory(
        company=company, user=factories.UserFactory(username="sam", email="sam@vektor.example"),
    ).user
    for status in (OrderStatus.PLACED, OrderStatus.DELIVERED, OrderStatus.CANCELLED):
        factories.OrderFactory(buyer=ann, company=company, storefront=storefront, status=status)

    run = run_export(mapped)

    assert (run.status, run.uploaded, run.uploaded_new, run.failed) == (
        RunStatus.FINISHED, 2, 2, 0)
    assert (run.processed, run.total) == (2, 2)
    seen = sendsay_emulator.inspect()
    group = next(g for g in seen["groups"] if g["id"] == run.list_id)
    assert (group["name"], group["type"]) == ("Alpha Trading LLC", "list")
    members = sendsay_emulator.members()
    assert members[ann.email]["data"]["base"] == {"firstName": "Ann", "city": "Kazan"}
    assert members[ann.email]["data"]["custom"] == {"orders_count": 2}  # cancelled not counted
    assert members[seller.email]["data"]["custom"] == {"seller_company_name": "Vektor"}
    assert sendsay_emulator.list_members(run.list_id) == {ann.email, seller.email}
    assert ExportSettings.objects.get(account=mapped).group_id == run.list_id
    stored = ExportedContact.objects.get(user=ann)
    assert (stored.state, stored.in_sendsay, stored.confirmed) == (ContactState.DONE, True, True)


def test_second_export_with_nothing_changed_uploads_nothing(mapped, sendsay_emulator,
                                                            storefront):
    make_buyers(30, storefront)
    first = run_export(mapped)
    before = sendsay_emulator.inspect()

    second = run_export(mapped)

    after = sendsay_emulator.inspect()
    assert (first.uploaded, second.uploaded, second.skipped_unchanged) == (30, 0, 30)
    assert second.status == RunStatus.FINISHED
    assert after["uploads"] == before["uploads"] == 30
    for action in ("member.import", "member.set"):
        assert after["request_counts"].get(action) == before["request_counts"].get(action)


def test_a_changed_contact_is_uploaded_again_alone(mapped, sendsay_emulator, storefront):
    buyers = make_buyers(25, storefront)
    run_export(mapped)
    BuyerProfile.objects.filter(user=buyers[3]).update(city="Perm")
    BuyerProfile.objects.filter(user=buyers[4]).update(delivery_address="not mapped")

    run = run_export(mapped)

    assert (run.uploaded, run.uploaded_new, run.skipped_unchanged) == (1, 0, 24)
    assert sendsay_emulator.members()[buyers[3].email]["data"]["base"]["city"] == "Perm"
    assert sendsay_emulator.inspect()["uploads"] == 25
    assert run.member_sets == 1  # one contact: member.set, not an import


def test_a_new_order_changes_the_mapped_orders_count(mapped, sendsay_emulator, storefront):
    ann = make_buyer("ann", storefront)
    run_export(mapped)
    factories.OrderFactory(buyer=ann, storefront=storefront)

    run = run_export(mapped)

    assert run.uploaded == 1
    assert sendsay_emulator.members()[ann.email]["data"]["custom"] == {"orders_count": 1}


def test_contacts_go_in_import_batches(mapped, sendsay_emulator, storefront, monkeypatch):
    monkeypatch.setattr(export, "BATCH_SIZE", 10)
    monkeypatch.setattr(export, "SMALL_BATCH", 3)
    monkeypatch.setattr("contacts.selectors.CHUNK_SIZE", 10)
    buyers = make_buyers(25, storefront) + make_buyers(5, storefront, prefix="u",
                                                        confirmed=False)
    run = run_export(mapped)

    seen = sendsay_emulator.inspect()
    # Chunks of 10: two imports of 10 confirmed buyers, then one of the last 5 confirmed and
    # one of the 5 unconfirmed (newbie.confirm differs).
    assert seen["request_counts"]["member.import"] == run.imports == 4
    assert "member.set" not in seen["request_counts"]
    assert seen["uploads"] == 30 and run.uploaded == 30
    assert sendsay_emulator.list_members(run.list_id) == emails(buyers)


def test_unconfirmed_buyers_go_in_for_double_opt_in_and_their_state_is_read_back(
        mapped, sendsay_emulator, storefront):
    confirmed = make_buyers(22, storefront)
    waiting = make_buyers(21, storefront, prefix="u", confirmed=False)

    run = run_export(mapped)

    members = sendsay_emulator.members()
    assert {m["email"] for m in members.values() if not m["confirmed"]} == emails(waiting)
    assert run.confirmed_read == 0  # from the import results: all 43 created
    stored = dict(ExportedContact.objects.values_list("email", "confirmed"))
    assert stored == {**dict.fromkeys(emails(confirmed), True),
                      **dict.fromkeys(emails(waiting), False)}
    # The buyer clicks Sendsay's confirmation link: the next run reads the new state back
    # (member.get of the contacts stored as unconfirmed).
    sendsay_emulator.control("confirm_member", email=waiting[0].email)
    again = run_export(mapped)
    assert (again.uploaded, again.confirmed_read) == (0, 21)
    assert ExportedContact.objects.get(user=waiting[0]).confirmed is True
    assert ExportedContact.objects.get(user=waiting[1]).confirmed is False


def test_an_import_result_without_created_count_means_reading_back(
        mapped, sendsay_emulator, storefront, monkeypatch):
    from contacts import uploads

    original = uploads.import_outcome
    monkeypatch.setattr(uploads, "import_outcome",
                        lambda track, rows: original({**track, "result": {
                            k: v for k, v in track["result"].items() if k != "created"}}, rows))
    waiting = make_buyers(21, storefront, prefix="u", confirmed=False)

    run = run_export(mapped)

    assert run.confirmed_read == 21  # member.get in batch calls
    assert sendsay_emulator.inspect()["request_counts"]["batch"] == 1
    assert set(ExportedContact.objects.values_list("confirmed", flat=True)) == {False}
    assert len(waiting) == ExportedContact.objects.count()


def test_a_few_unconfirmed_buyers_go_by_member_set_with_the_state_in_the_reply(
        mapped, sendsay_emulator, storefront):
    vera = make_buyer("vera", storefront, confirmed=False)

    run = run_export(mapped)

    assert (run.member_sets, run.imports, run.uploaded) == (1, 0, 1)
    assert sendsay_emulator.members()[vera.email]["confirmed"] == 0
    assert sendsay_emulator.inspect()["confirmations"][0]["email"] == vera.email
    assert ExportedContact.objects.get(user=vera).confirmed is False


def test_inactive_users_and_users_without_e_mail_are_not_exported(mapped, sendsay_emulator,
                                                                  storefront):
    make_buyer("ann", storefront)
    gone = make_buyer("gone", storefront)
    gone.is_active = False
    gone.save()
    blank = make_buyer("blank", storefront)
    blank.email = ""
    blank.save()

    run = run_export(mapped)

    assert (run.total, run.uploaded) == (1, 1)
    assert set(sendsay_emulator.members()) == {"ann@example.org"}


def test_an_existing_list_of_the_company_name_is_reused_and_a_deleted_one_recreated(
        mapped, sendsay_emulator, storefront):
    from sendsay_admin.services import client_for_account

    make_buyer("ann", storefront)
    with client_for_account(mapped) as client:
        existing = client.group_create("Alpha Trading LLC")["obj"]["id"]
    assert run_export(mapped).list_id == existing
    with client_for_account(mapped) as client:
        client.call("group.delete", id=existing)

    run = run_export(mapped)

    assert run.list_id != existing
    assert {g["name"] for g in sendsay_emulator.inspect()["groups"]} == {"Alpha Trading LLC"}


def test_the_admin_list_name_wins(mapped, sendsay_emulator, storefront):
    make_buyer("ann", storefront)
    settings = export_settings_for(mapped)
    settings.list_name = "Newsletter"
    settings.save()

    run = run_export(mapped)

    assert [g["name"] for g in sendsay_emulator.inspect()["groups"]] == ["Newsletter"]
    assert run.status == RunStatus.FINISHED
