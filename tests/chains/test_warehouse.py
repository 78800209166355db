"""The warehouse flow on the real stack: order placed -> stock-check request (e-mail through the
SMTP sink, Telegram through the emulator) -> the signed page -> the order confirmed with the
available lines only -> the buyer told the new total; assembly -> the labels PDF link."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from chains.warehouse import links
from marketplace import services as marketplace
from marketplace.models import CompanyNotificationSettings, OrderStatus
from marketplace.services.stock_check import order_assembly_confirm, order_stock_check_answer
from notifications.models import MessageStatus, OutboxEvent, OutboxMessage
from tests import factories
from tests.chains.conftest import Sent, deliver, sent

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))
STOCK = "stock@tea.example.ru"
LINK = re.compile(r"https://market\.example\.ru(/w/[^\s\"<>]+)")


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def shop(storefront, marketplace_settings):
    return factories.CompanyFactory(storefront=storefront, name="Чайная лавка",
                                    email="shop@tea.example.ru", warehouse_email=STOCK)


@pytest.fixture
def customer(storefront):
    return factories.BuyerProfileFactory(storefront=storefront, user__email="anna@example.org",
                                         user__first_name="Анна").user


@pytest.fixture
def placed(shop, customer, storefront, shipping_method):
    """An order placed through the services: kettle 2 × 100, toaster 1 × 250, shipping 300."""
    kettle = factories.ProductFactory(company=shop, name="Чайник", price=Decimal("100.00"))
    toaster = factories.ProductFactory(company=shop, name="Тостер", price=Decimal("250.00"))
    marketplace.cart_add(buyer=customer, storefront=storefront, product=kettle, quantity=2)
    marketplace.cart_add(buyer=customer, storefront=storefront, product=toaster)
    [order] = marketplace.order_place(buyer=customer, storefront=storefront,
                                      shipping_method=shipping_method)
    assert order.total == Decimal("750.00")
    return order


def lines(order):
    return list(order.lines.order_by("pk"))


def mail_to(sink, address, contains=""):
    found = [m for m in sink.messages if m.rcpt_tos == [address] and contains in m.subject]
    assert len(found) == 1, [(m.rcpt_tos, m.subject) for m in sink.messages]
    return found[0]


def link_in(mail) -> str:
    return LINK.search(mail.message.get_body(("plain",)).get_content()).group(1)


def answers(order, *available: bool) -> dict:
    return {f"line_{line.pk}": "1" if ok else "0" for line, ok in zip(lines(order), available)}


def test_stock_check_by_the_warehouse_confirms_the_order_and_tells_the_buyer_the_new_total(
    placed, customer, smtp_sink
):
    client = Client(enforce_csrf_checks=True)  # as a browser: the page's form carries the token
    deliver()
    assert sent(event__event="order.stock_check_requested") == [
        Sent("order.stock_check_requested", "", "warehouse", "email", STOCK)]
    request = mail_to(smtp_sink, STOCK)
    assert request.subject.strip() == f"Проверьте наличие: заказ №{placed.number}"
    assert request.mail_from == "all@market.example.ru"
    text = request.message.get_body(("plain",)).get_content()
    assert "Чайник × 2" in text and "Тостер × 1" in text
    path = link_in(request)

    page = client.get(path)
    assert page.status_code == 200
    assert "Чайник × 2" in page.content.decode() and "Тостер × 1" in page.content.decode()
    assert client.post(path, answers(placed, True, False)).status_code == 403  # no CSRF token
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    done = client.post(path, answers(placed, True, False) | {"csrfmiddlewaretoken": csrf[1]})
    assert done.status_code == 200
    assert "Спасибо, ответ сохранён" in done.content.decode()
    placed.refresh_from_db()
    assert (placed.status, placed.subtotal, placed.total) == (
        OrderStatus.CONFIRMED, Decimal("200.00"), Decimal("500.00"))
    assert [line.is_available for line in lines(placed)] == [True, False]
    assert placed.history.last().changed_by is None  # the storekeeper has no account

    smtp_sink.clear()
    deliver()
    assert Sent("order.stock_confirmed", "", "buyer", "email", customer.email) in sent()
    mail = mail_to(smtp_sink, customer.email, contains="к оплате")
    assert mail.subject.strip() == f"Заказ №{placed.number} подтверждён: к оплате 500.00 ₽"
    body = mail.message.get_body(("plain",)).get_content()
    assert "Чайник × 2: 200.00 ₽" in body
    assert "Тостер × 1" in body.split("нет в наличии")[1]  # listed as dropped, not to pay
    assert "500.00 ₽ с доставкой" in body


def test_a_reused_stock_check_link_shows_a_clear_page_and_changes_nothing(placed, client,
                                                                          smtp_sink):
    path = urlparse(OutboxEvent.objects.get(event="order.stock_check_requested")
                    .payload["stock_check_url"]).path
    assert client.post(path, answers(placed, True, False)).status_code == 200
    outbox = OutboxMessage.objects.count()
    for again in (client.get(path), client.post(path, answers(placed, True, True))):
        assert again.status_code == 409
        assert "уже" in again.content.decode()  # "already answered"
    placed.refresh_from_db()
    assert placed.total == Decimal("500.00")
    assert [line.is_available for line in lines(placed)] == [True, False]
    assert OutboxMessage.objects.count() == outbox


@pytest.mark.parametrize("kind", ["forged", "tampered", "labels token", "other company"])
def test_a_forged_stock_check_link_shows_a_clear_page_and_changes_nothing(placed, client, kind):
    token = links.token_make(links.OrderLink(placed.pk, placed.company_id),
                             salt=links.STOCK_CHECK_SALT)
    bad = {
        "forged": "eyJvIjoxfQ:1tXyZa:not-a-signature",
        "tampered": token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        "labels token": links.token_make(links.OrderLink(placed.pk, placed.company_id),
                                         salt=links.LABELS_SALT),
        "other company": links.token_make(links.OrderLink(placed.pk, placed.company_id + 99),
                                          salt=links.STOCK_CHECK_SALT),
    }[kind]
    for response in (client.get(f"/w/s/{bad}/"),
                     client.post(f"/w/s/{bad}/", answers(placed, False, False))):
        assert response.status_code == 400
        assert "не работает" in response.content.decode()
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PLACED
    assert [line.is_available for line in lines(placed)] == [None, None]


def test_an_expired_stock_check_link_shows_a_clear_page_and_changes_nothing(placed, client,
                                                                            clock, settings):
    path = urlparse(OutboxEvent.objects.get(event="order.stock_check_requested")
                    .payload["stock_check_url"]).path
    clock.shift(dt.timedelta(days=settings.SIGNED_LINK_MAX_AGE_DAYS + 1))
    response = client.post(path, answers(placed, True, True))
    assert response.status_code == 410
    assert "истёк" in response.content.decode() or "устарел" in response.content.decode()
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PLACED


def test_an_incomplete_answer_is_refused_and_changes_nothing(placed, client):
    path = urlparse(OutboxEvent.objects.get(event="order.stock_check_requested")
                    .payload["stock_check_url"]).path
    first = lines(placed)[0]
    response = client.post(path, {f"line_{first.pk}": "1"})
    assert response.status_code == 400
    assert [line.is_available for line in lines(placed)] == [None, None]


def test_the_dashboard_answer_tells_the_buyer_the_same_way(placed, customer):
    kettle, toaster = lines(placed)
    order_stock_check_answer(order=placed, answers={kettle.pk: False, toaster.pk: True})
    event = OutboxEvent.objects.get(event="order.stock_confirmed")
    assert event.payload["kept"] == [{"name": "Тостер", "quantity": 1, "unit_price": "250.00",
                                      "line_total": "250.00"}]
    assert [line["name"] for line in event.payload["dropped"]] == ["Чайник"]
    assert event.payload["order"]["total"] == "550.00"


def test_confirming_without_a_stock_check_tells_the_buyer_nothing_extra(placed):
    marketplace.order_set_status(order=placed, status=OrderStatus.CONFIRMED)
    assert not OutboxEvent.objects.filter(event="order.stock_confirmed").exists()


def test_telegram_request_goes_through_sendsay_when_the_company_set_an_id(
    placed, shop, emulator, sendsay_on, confirm_sender
):
    OutboxEvent.objects.all().delete()  # ask again, now with Telegram
    CompanyNotificationSettings.objects.create(company=shop, telegram_id="123456789")
    confirm_sender("all@market.example.ru")
    from chains.services import stock_check_request

    stock_check_request(order_id=placed.pk, company_id=shop.pk)
    deliver()
    assert sent(event__event="order.stock_check_requested") == [
        Sent("order.stock_check_requested", "", "warehouse", "email", STOCK),
        Sent("order.stock_check_requested", "", "warehouse", "telegram", "123456789"),
    ]
    [telegram] = emulator.sends("tg")
    text = telegram["letter"]["message"]["tg"]
    assert f"Заказ №{placed.number}" in text and "/w/s/" in text


def test_telegram_without_sendsay_is_skipped_because_the_warehouse_gets_the_email(
    placed, shop, smtp_sink
):
    OutboxEvent.objects.all().delete()
    CompanyNotificationSettings.objects.create(company=shop, telegram_id="123456789")
    from chains.services import stock_check_request

    stock_check_request(order_id=placed.pk, company_id=shop.pk)
    deliver()
    telegram = OutboxMessage.objects.get(channel="telegram")
    assert telegram.status == MessageStatus.SKIPPED
    assert len([m for m in smtp_sink.messages if m.rcpt_tos == [STOCK]]) == 1


def test_assembly_sends_a_labels_link_that_downloads_a_real_pdf(placed, shop, client, smtp_sink):
    kettle, toaster = lines(placed)
    order_stock_check_answer(order=placed, answers={kettle.pk: True, toaster.pk: True})
    order_assembly_confirm(order=placed)
    smtp_sink.clear()
    deliver()
    assert [s for s in sent(event__event="order.labels_ready")] == [
        Sent("order.labels_ready", "", "seller", "email", shop.email),
        Sent("order.labels_ready", "", "warehouse", "email", STOCK),
    ]
    mail = mail_to(smtp_sink, STOCK, contains="ярлыки")
    path = link_in(mail)
    assert path.endswith("/labels.pdf")
    for _ in range(2):  # labels get reprinted: the link works again until it expires
        response = client.get(path)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-") and len(response.content) > 1000
        assert f"label-{placed.number}.pdf" in response["Content-Disposition"]
    assert client.get(path.replace("/l/", "/l/x")).status_code == 400
    stock_path = urlparse(links.stock_check_url(order_id=placed.pk,
                                                company_id=shop.pk)).path
    assert client.get(stock_path.replace("/s/", "/l/") + "labels.pdf").status_code == 400


def test_a_labels_link_of_a_cancelled_order_shows_a_clear_page(placed, shop, client):
    path = urlparse(links.labels_url(order_id=placed.pk, company_id=shop.pk)).path
    marketplace.order_set_status(order=placed, status=OrderStatus.CANCELLED)
    response = client.get(path)
    assert response.status_code == 409
    assert "отменён" in response.content.decode()

