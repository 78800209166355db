"""The seller chains on the real stack: services -> enrolment -> chains_advance -> outbox ->
outbox_deliver -> the SMTP sink, with time moved by time-machine."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from chains.models import Chain, ChainEnrolment, ChainStep, FinishReason
from chains.services import chains_advance, chains_trigger, letter_emit
from marketplace import services as marketplace
from marketplace.models import OrderStatus, Product
from notifications.models import OutboxMessage
from tests import factories
from tests.chains.conftest import Sent, deliver, product_add, sent

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))
SHOP = "shop@tea.example.ru"


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def days(clock, n):
    clock.shift(dt.timedelta(days=n))


def enrolment(company, code):
    return ChainEnrolment.objects.get(company=company, chain__code=code)


def letters(company):
    """(event, variant) of the chain letters the company received, in order."""
    return [(s.event, s.variant) for s in sent(company=company, event__event__in=[
        "seller.onboarding", "seller.training"])]


def test_onboarding_letters_share_a_subject_and_stop_when_a_product_is_added(
    registered, category, smtp_sink, clock
):
    deliver()  # the welcome letter (seller.registered) goes at once
    smtp_sink.clear()
    assert chains_advance().sent == 0  # the first letter waits a day
    days(clock, 1)
    assert chains_advance().sent == 1
    days(clock, 2)
    assert chains_advance().sent == 1
    deliver()
    mails = smtp_sink.wait_for(2)
    assert [m.rcpt_tos for m in mails] == [[SHOP], [SHOP]]
    subjects = {m.subject.strip() for m in mails}
    assert subjects == {f"Как начать продавать на {registered.storefront.name}"}
    assert "Письмо 1 из 3" in mails[0].message.get_body(("plain",)).get_content()
    assert "Письмо 2 из 3" in mails[1].message.get_body(("plain",)).get_content()
    assert "List-Unsubscribe" in mails[0].message  # a marketing series: one click to leave

    product_add(registered, category)  # the exit condition holds now: the chain stops at once
    onboarding = enrolment(registered, "seller-onboarding")
    assert (onboarding.finish_reason, onboarding.next_run_at) == (FinishReason.EXIT, None)
    days(clock, 3)  # the third onboarding letter would be due now; the first training one too
    chains_advance()
    deliver()
    assert letters(registered) == [("seller.onboarding", "profile"),
                                   ("seller.onboarding", "warehouse"),
                                   ("seller.training", "photos")]
    assert sent(event__event="seller.training") == [
        Sent("seller.training", "photos", "seller", "email", SHOP)]


def test_training_chain_stops_at_the_first_sale_which_is_congratulated(
    registered, category, smtp_sink, clock
):
    product = product_add(registered, category)
    days(clock, 2)
    chains_advance()
    order = factories.OrderFactory(company=registered, status=OrderStatus.AT_PICKUP_POINT)
    factories.OrderLineFactory(order=order, product=product)
    marketplace.order_set_status(order=order, status=OrderStatus.DELIVERED)
    training = enrolment(registered, "seller-training")
    assert training.finish_reason == FinishReason.EXIT and training.next_step == 2
    days(clock, 10)
    assert chains_advance().sent == 0
    deliver()
    assert letters(registered) == [("seller.training", "photos")]
    assert sent(event__event="seller.milestone_reached") == [
        Sent("seller.milestone_reached", "first_sale", "seller", "email", SHOP)]
    congratulation = [m for m in smtp_sink.messages if m.subject.strip().startswith("Первая продажа")]
    assert len(congratulation) == 1 and congratulation[0].rcpt_tos == [SHOP]


def test_the_exit_condition_is_checked_before_each_step_even_without_a_signal(
    registered, category, clock
):
    # A bulk insert sends no signal: only the check before the step can notice the product.
    Product.objects.bulk_create([Product(company=registered, category=category, name="Mug",
                                         sku="M-1", price=1, stock=1)])
    days(clock, 1)
    report = chains_advance()
    assert (report.sent, report.exited) == (0, 1)
    assert enrolment(registered, "seller-onboarding").finish_reason == FinishReason.EXIT
    deliver()
    assert letters(registered) == []


def test_a_recipient_is_enrolled_once_per_chain(registered):
    assert chains_trigger(trigger="seller.registered", company_id=registered.pk) == []
    assert ChainEnrolment.objects.filter(company=registered).count() == 1
    chain = Chain.objects.get(code="seller-onboarding")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChainEnrolment.objects.create(chain=chain, company=registered, enrolled_at=START)


def test_running_chains_advance_twice_sends_once(registered, smtp_sink, clock):
    deliver()
    smtp_sink.clear()
    days(clock, 1)
    assert chains_advance().sent == 1
    assert chains_advance().sent == 0
    onboarding = enrolment(registered, "seller-onboarding")
    first = onboarding.chain.steps.get(position=1)
    before = OutboxMessage.objects.count()
    letter_emit(enrolment=onboarding, step=first, number=1, total=3)  # the same step again
    assert OutboxMessage.objects.count() == before
    deliver()
    assert len(smtp_sink.wait_for(1)) == 1
    assert onboarding.next_step == 2
    assert onboarding.next_run_at == START + dt.timedelta(days=3)


def test_a_chain_completes_after_its_last_step(registered, clock):
    for n in (1, 2, 3):
        days(clock, n)
        chains_advance()
    onboarding = enrolment(registered, "seller-onboarding")
    assert (onboarding.finish_reason, onboarding.finished_at, onboarding.next_run_at) == (
        FinishReason.COMPLETED, START + dt.timedelta(days=6), None)
    deliver()
    assert [v for _e, v in letters(registered)] == ["profile", "warehouse", "products"]


def test_the_chain_subject_and_a_step_override_come_from_the_admin(registered, smtp_sink, clock):
    Chain.objects.filter(code="seller-onboarding").update(subject="Ваш магазин на маркетплейсе")
    ChainStep.objects.filter(chain__code="seller-onboarding", position=2).update(
        subject="Склад и доставка")
    deliver()
    smtp_sink.clear()
    for n in (1, 2):
        days(clock, n)
        chains_advance()
    deliver()
    assert [m.subject.strip() for m in smtp_sink.wait_for(2)] == ["Ваш магазин на маркетплейсе",
                                                          "Склад и доставка"]


def test_a_step_that_cannot_be_emitted_ends_the_enrolment_with_the_reason(registered, clock):
    ChainStep.objects.filter(chain__code="seller-onboarding", position=1).update(variant="nope")
    days(clock, 1)
    report = chains_advance()
    onboarding = enrolment(registered, "seller-onboarding")
    assert report.errors == 1 and onboarding.finish_reason == FinishReason.ERROR
    assert "nope" in onboarding.last_error


def test_an_inactive_chain_enrols_nobody_and_pauses_its_enrolments(registered, storefront, clock):
    Chain.objects.filter(code="seller-onboarding").update(active=False)
    other = marketplace.seller_register(storefront=storefront, company_name="Другая",
                                        email="other@tea.example.ru", password="x-y-z-12345")
    assert not ChainEnrolment.objects.filter(company=other).exists()
    days(clock, 1)
    assert chains_advance().sent == 0
    assert enrolment(registered, "seller-onboarding").finished_at is None
