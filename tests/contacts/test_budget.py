"""The upload budget on the emulator's free plan (200 uploads): the export stops before the limit,
warns at 80 %, puts confirmed and recently active contacts first, and continues once the admin
raises the budget."""

import pytest

from contacts.models import ExportedContact, RunStatus
from contacts.services import budget_status, export_settings_for
from marketplace.models import BuyerProfile
from sendsay_admin.emulator.state import FREE_UPLOAD_LIMIT
from tests.contacts.conftest import emails, export, make_buyers

pytestmark = pytest.mark.django_db


def set_budget(account, value):
    settings = export_settings_for(account)
    settings.budget_override = value
    settings.save()


def test_the_free_plan_stops_the_export_at_200_uploads_with_the_priority_order(
        mapped, sendsay_emulator, storefront):
    waiting = make_buyers(30, storefront, prefix="u", confirmed=False)  # double opt-in: last
    confirmed = make_buyers(190, storefront)  # b0000 most recently active ... b0189 least
    assert mapped.contacts_limit == FREE_UPLOAD_LIMIT

    run = export(mapped)

    assert run.status == RunStatus.STOPPED_BUDGET
    assert (run.uploaded, run.uploaded_new, run.held_back, run.failed) == (200, 200, 20, 0)
    assert (run.budget_limit, run.budget_source, run.budget_used_before) == (200, "plan", 0)
    assert run.budget_warning
    seen = sendsay_emulator.inspect()
    assert seen["uploads"] == FREE_UPLOAD_LIMIT  # stopped before Sendsay had to refuse any
    assert seen["settings"]["member.hard.rest"] == 0
    # Confirmed buyers first, then the 10 most recently active of those waiting for opt-in.
    assert set(sendsay_emulator.members()) == emails(confirmed) | emails(waiting[:10])
    mapped.refresh_from_db()
    assert mapped.contacts_rest == 0
    budget = budget_status(account=mapped, settings=export_settings_for(mapped))
    assert (budget.used, budget.remaining, budget.exhausted) == (200, 0, True)


def test_at_the_limit_contacts_in_sendsay_are_still_updated(mapped, sendsay_emulator,
                                                            storefront):
    buyers = make_buyers(FREE_UPLOAD_LIMIT, storefront)
    make_buyers(5, storefront, prefix="late")
    assert export(mapped).uploaded == FREE_UPLOAD_LIMIT
    BuyerProfile.objects.filter(user=buyers[0]).update(city="Omsk")

    run = export(mapped)

    assert (run.status, run.uploaded, run.uploaded_new, run.held_back) == (
        RunStatus.STOPPED_BUDGET, 1, 0, 5)
    assert sendsay_emulator.members()[buyers[0].email]["data"]["base"]["city"] == "Omsk"
    assert sendsay_emulator.inspect()["uploads"] == FREE_UPLOAD_LIMIT


def test_the_warning_comes_at_80_percent(mapped, sendsay_emulator, storefront):
    set_budget(mapped, 100)
    make_buyers(79, storefront)
    below = export(mapped)
    make_buyers(1, storefront, prefix="x")

    reached = export(mapped)

    assert (below.status, below.budget_warning) == (RunStatus.FINISHED, False)
    assert (reached.status, reached.budget_warning, reached.budget_used_after) == (
        RunStatus.FINISHED, True, 80)
    assert reached.budget_source == "override"


def test_raising_the_budget_lets_the_export_continue(mapped, sendsay_emulator, storefront):
    set_budget(mapped, 50)
    buyers = make_buyers(70, storefront)
    stopped = export(mapped)
    assert (stopped.status, stopped.uploaded, stopped.held_back) == (
        RunStatus.STOPPED_BUDGET, 50, 20)
    assert set(sendsay_emulator.members()) == emails(buyers[:50])

    set_budget(mapped, 100)
    resumed = export(mapped)

    assert (resumed.status, resumed.uploaded, resumed.skipped_unchanged, resumed.held_back) == (
        RunStatus.FINISHED, 20, 50, 0)
    assert sendsay_emulator.inspect()["uploads"] == 70
    assert set(sendsay_emulator.members()) == emails(buyers)
    assert ExportedContact.objects.filter(in_sendsay=True).count() == 70


def test_uploads_made_elsewhere_count_against_the_budget(mapped, sendsay_emulator, storefront):
    from sendsay_admin.services import client_for_account

    with client_for_account(mapped) as client:
        for index in range(150):
            client.member_set(f"other{index}@example.net")
    make_buyers(60, storefront)

    run = export(mapped)

    assert (run.budget_used_before, run.uploaded, run.held_back) == (150, 50, 10)
    assert sendsay_emulator.inspect()["uploads"] == FREE_UPLOAD_LIMIT


def test_a_budget_above_the_plan_meets_sendsays_refusals(mapped, sendsay_emulator, storefront):
    set_budget(mapped, 300)
    make_buyers(FREE_UPLOAD_LIMIT + 25, storefront)

    run = export(mapped)

    assert (run.status, run.uploaded, run.failed, run.held_back) == (
        RunStatus.FINISHED, FREE_UPLOAD_LIMIT, 25, 0)
    assert run.failure_reasons[0]["reason"].startswith("error/member/limit_exceeded")
    assert sendsay_emulator.inspect()["uploads"] == FREE_UPLOAD_LIMIT
