"""Chains handed to a Sendsay automation, against the real emulator over HTTP: the sequence
started (or the ssec event sent) on enrolment, the sequence stopped on exit, errors retried."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from chains.models import Chain, ChainEnrolment, FinishReason
from chains.services import chains_advance
from marketplace import services as marketplace
from notifications.models import OutboxEvent
from sendsay_admin.client import SsecEventType
from tests.chains.conftest import deliver, inspect_account, product_add

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))
SHOP = "shop@tea.example.ru"


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def hand_to_sendsay(**fields) -> None:
    Chain.objects.filter(code="seller-onboarding").update(mode="sendsay", **fields)


def onboarding(company) -> ChainEnrolment:
    return ChainEnrolment.objects.get(company=company, chain__code="seller-onboarding")


def sequences(emulator) -> list[tuple]:
    return [(s["action"], s["id"], s["members"]) for s in inspect_account(emulator)["sequences"]]


def local_letters() -> int:
    return OutboxEvent.objects.filter(event="seller.onboarding").count()


def test_sequence_mode_starts_the_sequence_and_stops_it_when_the_seller_adds_products(
    emulator, sendsay_on, registered_later, category
):
    hand_to_sendsay(sendsay_trigger="sequence", sendsay_sequence_id="101")
    company = registered_later()
    report = chains_advance()
    assert report.handed_over == 1
    assert sequences(emulator) == [("start", "101", [SHOP])]
    enrolment = onboarding(company)
    assert enrolment.sendsay_started_at == START and enrolment.next_run_at is None
    assert enrolment.finished_at is None
    assert chains_advance().handed_over == 0  # handed over once
    product_add(company, category)
    assert chains_advance().stopped == 1
    assert sequences(emulator) == [("start", "101", [SHOP]), ("stop", "101", [SHOP])]
    enrolment.refresh_from_db()
    assert (enrolment.finish_reason, enrolment.sendsay_stopped_at) == (FinishReason.EXIT, START)
    assert chains_advance().stopped == 0
    assert local_letters() == 0  # Sendsay sends the letters, not us


def test_event_mode_sends_the_ssec_event_and_stops_the_sequence_on_exit(
    emulator, sendsay_on, registered_later, category
):
    hand_to_sendsay(sendsay_trigger="event", sendsay_event_type=SsecEventType.REGISTRATION,
                    sendsay_event_fields={"cp1": "seller-onboarding"},
                    sendsay_sequence_id="202")
    company = registered_later()
    assert chains_advance().handed_over == 1
    [received] = inspect_account(emulator)["ssec_events"]
    assert received["name"] == "REGISTRATION"
    assert {k: received["event"][k] for k in ("email", "addr_type", "cp1")} == {
        "email": SHOP, "addr_type": "email", "cp1": "seller-onboarding"}
    assert sequences(emulator) == []
    product_add(company, category)
    chains_advance()
    assert sequences(emulator) == [("stop", "202", [SHOP])]
    assert local_letters() == 0


def test_with_the_module_off_a_sendsay_chain_runs_its_local_steps(
    registered_later, smtp_sink, clock
):
    hand_to_sendsay(sendsay_trigger="sequence", sendsay_sequence_id="101")
    company = registered_later()
    assert chains_advance().sent == 0  # the first letter still waits its day
    assert onboarding(company).next_run_at == START + dt.timedelta(days=1)
    clock.shift(dt.timedelta(days=1))
    report = chains_advance()
    assert (report.sent, report.handed_over) == (1, 0)
    deliver()
    assert [m.rcpt_tos for m in smtp_sink.messages][-1] == [SHOP]


def test_a_temporary_sendsay_error_is_retried_later(emulator, sendsay_on, registered_later,
                                                    clock):
    hand_to_sendsay(sendsay_trigger="sequence", sendsay_sequence_id="101")
    emulator.control("fault", mode="http", status=503, action="sequence.member.start", count=1)
    company = registered_later()
    assert chains_advance().handed_over == 0
    enrolment = onboarding(company)
    assert enrolment.attempts == 1 and "503" in enrolment.last_error
    assert enrolment.next_run_at == START + dt.timedelta(minutes=2)
    assert chains_advance().handed_over == 0  # not due yet
    clock.shift(dt.timedelta(minutes=3))
    assert chains_advance().handed_over == 1
    assert sequences(emulator) == [("start", "101", [SHOP])]
    enrolment.refresh_from_db()
    assert (enrolment.attempts, enrolment.last_error) == (0, "")


def test_a_permanent_sendsay_error_ends_the_enrolment_with_the_reason(
    emulator, sendsay_on, registered_later
):
    hand_to_sendsay(sendsay_trigger="sequence", sendsay_sequence_id="101")
    emulator.control("fault", mode="error", error_id="error/sequence/not_found",
                     explain="no such sequence", action="sequence.member.start", count=1)
    company = registered_later()
    chains_advance()
    enrolment = onboarding(company)
    assert enrolment.finish_reason == FinishReason.ERROR
    assert "error/sequence/not_found" in enrolment.last_error
    assert chains_advance().stopped == 0  # never started: nothing to stop


@pytest.fixture
def registered_later(storefront, marketplace_settings):
    """Register the seller after the chain was configured by the test."""

    def register():
        return marketplace.seller_register(
            storefront=storefront, company_name="Чайная лавка", email=SHOP,
            password="correct horse battery", warehouse_email="stock@tea.example.ru",
        )

    return register
