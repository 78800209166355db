"""Services behind the vendor dashboard: the stock-check answer, the assembly, company contacts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace.exceptions import MarketplaceError, TransitionNotAllowedError
from marketplace.models import CompanyNotificationSettings, OrderStatus, OrderStatusChange
from marketplace.services.company_contacts import (
    company_notification_settings_get,
    company_notification_settings_update,
    company_preferences_update,
    company_update_contacts,
)
from marketplace.services.orders import order_set_status
from marketplace.services.stock_check import (
    ASSEMBLY_NOTE,
    order_assembly_confirm,
    order_stock_check_answer,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(company):
    """A PLACED order with two lines: 2 × 100.00 (stock 8 left) and 1 × 250.00 (stock 4 left)."""
    order = factories.OrderFactory(
        company=company, subtotal=Decimal("450.00"), shipping_cost=Decimal("300.00"),
        total=Decimal("750.00"),
    )
    kettle = factories.ProductFactory(company=company, price=Decimal("100.00"), stock=8)
    toaster = factories.ProductFactory(company=company, price=Decimal("250.00"), stock=4)
    factories.OrderLineFactory(order=order, product=kettle, quantity=2)
    factories.OrderLineFactory(order=order, product=toaster, quantity=1)
    return order


def _lines(order):
    return list(order.lines.order_by("pk"))


def test_stock_check_answer_confirms_and_drops_unavailable_lines(placed, seller):
    kettle_line, toaster_line = _lines(placed)

    result = order_stock_check_answer(
        order=placed, answers={kettle_line.pk: True, toaster_line.pk: False}, by=seller
    )

    assert result.status == placed.status == OrderStatus.CONFIRMED
    assert [line.is_available for line in _lines(placed)] == [True, False]
    assert (placed.subtotal, placed.total) == (Decimal("200.00"), Decimal("500.00"))
    placed.refresh_from_db()
    assert (placed.subtotal, placed.total) == (Decimal("200.00"), Decimal("500.00"))
    kettle_line.product.refresh_from_db()
    toaster_line.product.refresh_from_db()
    assert (kettle_line.product.stock, toaster_line.product.stock) == (8, 5)
    change = placed.history.get(to_status=OrderStatus.CONFIRMED)
    assert (change.from_status, change.changed_by, change.note) == (
        OrderStatus.PLACED, seller, "stock check: 1 of 2 lines available"
    )


def test_stock_check_second_answer_is_refused(placed):
    answers = {line.pk: True for line in _lines(placed)}
    order_stock_check_answer(order=placed, answers=answers)

    with translation.override("en"), pytest.raises(
        MarketplaceError, match="already been answered"
    ) as caught:
        order_stock_check_answer(order=placed, answers={pk: False for pk in answers})

    assert caught.value.code == "stock_check_answered"
    assert [line.is_available for line in _lines(placed)] == [True, True]


def test_stock_check_refuses_lines_of_another_order(placed, company):
    other = factories.OrderLineFactory(order=factories.OrderFactory(company=company))
    answers = {line.pk: True for line in _lines(placed)} | {other.pk: False}

    with pytest.raises(MarketplaceError) as caught:
        order_stock_check_answer(order=placed, answers=answers)

    assert caught.value.code == "stock_check_foreign_line"
    assert str(other.pk) in caught.value.messages[0]
    assert [line.is_available for line in _lines(placed)] == [None, None]
    other.refresh_from_db()
    assert other.is_available is None


def test_stock_check_needs_every_line(placed):
    first = _lines(placed)[0]

    with pytest.raises(MarketplaceError) as caught:
        order_stock_check_answer(order=placed, answers={first.pk: True})

    assert caught.value.code == "stock_check_incomplete"
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PLACED


def test_stock_check_of_a_cancelled_order_is_refused_and_rolled_back(placed):
    order_set_status(order=placed, status=OrderStatus.CANCELLED)
    stocks = [line.product.stock for line in _lines(placed)]

    with pytest.raises(TransitionNotAllowedError):
        order_stock_check_answer(order=placed, answers={ln.pk: False for ln in _lines(placed)})

    assert [line.is_available for line in _lines(placed)] == [None, None]
    assert [line.product.stock for line in _lines(placed)] == stocks


def test_assembly_confirm_records_one_history_row(placed, seller):
    order_set_status(order=placed, status=OrderStatus.CONFIRMED)

    change = order_assembly_confirm(order=placed, by=seller)

    assert (change.from_status, change.to_status, change.note, change.changed_by) == (
        OrderStatus.CONFIRMED, OrderStatus.CONFIRMED, ASSEMBLY_NOTE, seller
    )
    with pytest.raises(MarketplaceError) as caught:
        order_assembly_confirm(order=placed, by=seller)
    assert caught.value.code == "assembly_confirmed_already"
    assert OrderStatusChange.objects.filter(order=placed, note=ASSEMBLY_NOTE).count() == 1


def test_assembly_of_a_placed_order_is_refused(placed):
    with pytest.raises(MarketplaceError) as caught:
        order_assembly_confirm(order=placed)

    assert caught.value.code == "assembly_not_confirmed"


def test_company_update_contacts_saves_valid_values(company):
    company_update_contacts(
        company=company, warehouse_email=" stock@vendor.example.ru ",
        warehouse_phone="+7 912 345-67-89",
    )

    company.refresh_from_db()
    assert company.warehouse_email == "stock@vendor.example.ru"
    assert str(company.warehouse_phone) == "+79123456789"


def test_company_update_contacts_refuses_bad_values_and_keeps_old(company):
    before = company.warehouse_email

    with pytest.raises(ValidationError) as caught:
        company_update_contacts(company=company, warehouse_email="x", warehouse_phone="12")

    assert set(caught.value.message_dict) == {"warehouse_phone"}
    with pytest.raises(ValidationError) as caught:
        company_update_contacts(company=company, warehouse_email="not-an-email", warehouse_phone="")
    assert set(caught.value.message_dict) == {"warehouse_email"}
    company.refresh_from_db()
    assert company.warehouse_email == before


def test_notification_settings_default_to_email(company):
    row = company_notification_settings_get(company=company)

    assert row.pk is None
    assert row.channels_for("transactional") == ["email"]
    assert row.channels_for("marketing") == ["email"]


def test_notification_settings_update_stores_ids_and_channels(company):
    company_notification_settings_update(
        company=company, telegram_id="123456", vk_id="",
        channels={"transactional": ["telegram", "email", "email"], "marketing": []},
    )

    row = CompanyNotificationSettings.objects.get(company=company)
    assert row.telegram_id == "123456"
    assert row.channels == {"transactional": ["email", "telegram"], "marketing": []}
    assert row.channels_for("marketing") == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"telegram_id": "@shop", "channels": {}}, "telegram_id"),
        ({"vk_id": "id12", "channels": {}}, "vk_id"),
        ({"channels": {"transactional": ["telegram"]}}, "telegram_id"),
        ({"channels": {"marketing": ["vk"]}}, "vk_id"),
        ({"channels": {"marketing": ["pigeon"]}}, "channels"),
        ({"channels": {"gossip": ["email"]}}, "channels"),
        ({"channels": {"transactional": []}}, "channels"),
    ],
)
def test_notification_settings_update_refuses_bad_input(company, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        company_notification_settings_update(company=company, **kwargs)

    assert field in caught.value.message_dict
    assert not CompanyNotificationSettings.objects.filter(company=company).exists()


def test_preferences_update_is_all_or_nothing(company):
    before = company.warehouse_email

    with pytest.raises(ValidationError):
        company_preferences_update(
            company=company, warehouse_email="new@vendor.example.ru", warehouse_phone="",
            telegram_id="", vk_id="", channels={"marketing": ["telegram"]},
        )

    company.refresh_from_db()
    assert company.warehouse_email == before


def test_cancel_after_stock_check_returns_only_the_lines_still_held(placed):
    kettle_line, toaster_line = _lines(placed)
    order_stock_check_answer(order=placed, answers={kettle_line.pk: True, toaster_line.pk: False})

    order_set_status(order=placed, status=OrderStatus.CANCELLED)

    kettle_line.product.refresh_from_db()
    toaster_line.product.refresh_from_db()
    # The toaster went back to stock at the stock check; cancelling must not return it twice.
    assert (kettle_line.product.stock, toaster_line.product.stock) == (10, 5)
