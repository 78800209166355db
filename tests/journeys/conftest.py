"""Fixtures of the buyer-journey tests: a marketplace with a catalogue and orders, a postman
that delivers the outbox to the real SMTP sink, frozen-then-moved time, the Sendsay emulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from journeys.models import JourneySettings
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import outbox_deliver
from tests import factories

MSK = ZoneInfo("Europe/Moscow")
#: Test "now": a Tuesday noon in Moscow.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=MSK)
SITE = "https://market.example.ru"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.LANGUAGE_CODE = "ru"


@pytest.fixture
def clock(time_machine):
    """Time starts at NOW and runs on; `clock.move(days=..)` jumps ahead."""

    class Clock:
        def __init__(self) -> None:
            self.now = NOW
            time_machine.move_to(NOW, tick=True)

        def move(self, **delta) -> datetime:
            from datetime import timedelta

            self.now = self.now + timedelta(**delta)
            time_machine.move_to(self.now, tick=True)
            return self.now

    return Clock()


@pytest.fixture
def journey_settings(db):
    return JourneySettings.load()


@pytest.fixture
def shop(marketplace, storefront):
    """A storefront with two categories, three sellers' worth of products and a courier."""

    class Shop:
        pass

    shop = Shop()
    shop.storefront = storefront
    shop.company = factories.CompanyFactory(storefront=storefront, name="Tea House")
    shop.tea = factories.CategoryFactory(name="Tea", slug="tea")
    shop.mugs = factories.CategoryFactory(name="Mugs", slug="mugs")
    shop.courier = factories.ShippingMethodFactory(code="courier", name="Courier")
    make = factories.ProductFactory
    shop.green = make(company=shop.company, category=shop.tea, name="Green tea",
                      price=Decimal("300.00"), stock=50)
    shop.black = make(company=shop.company, category=shop.tea, name="Black tea",
                      price=Decimal("250.00"), stock=50)
    shop.oolong = make(company=shop.company, category=shop.tea, name="Oolong",
                       price=Decimal("500.00"), stock=50)
    shop.mug = make(company=shop.company, category=shop.mugs, name="Big mug",
                    price=Decimal("400.00"), stock=3)
    shop.cup = make(company=shop.company, category=shop.mugs, name="Small cup",
                    price=Decimal("150.00"), stock=50)
    return shop


@dataclass(frozen=True)
class Letter:
    """One delivered message: the outbox row's facts and what the SMTP sink received."""

    event: str
    role: str
    channel: str
    to: str
    subject: str
    text: str
    html: str
    unsubscribe: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.event, self.role, self.channel, self.to)


class Postman:
    """Delivers every pending outbox row with `outbox_deliver` (what the Celery task runs) to
    the real SMTP sink, and pairs each sent row with the mail the sink received."""

    def __init__(self, sink) -> None:
        self.sink = sink

    def deliver(self) -> list[Letter]:
        ids = list(OutboxMessage.objects.filter(status=MessageStatus.PENDING)
                   .order_by("pk").values_list("pk", flat=True))
        if not ids:
            return []
        before = len(self.sink.messages)
        report = outbox_deliver(message_ids=ids)
        assert report.failed == [] and report.retrying == []
        rows = list(OutboxMessage.objects.filter(pk__in=report.sent).select_related("event")
                    .order_by("pk"))
        received = self.sink.wait_for(before + len(rows))
        by_id = {mail.message["Message-ID"]: mail for mail in received}
        letters = []
        for row in rows:
            mail = by_id[row.provider_id].message
            letters.append(Letter(
                event=row.event.event, role=row.role, channel=row.channel, to=row.recipient,
                subject=" ".join(str(mail["Subject"]).split()), text=_lf(mail.get_body(("plain",)).get_content()),
                html=_lf(mail.get_body(("html",)).get_content()),
                unsubscribe=str(mail["List-Unsubscribe"] or "").strip(),
            ))
        return letters


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


@pytest.fixture
def postman(smtp_sink, enqueued):
    return Postman(smtp_sink)


@pytest.fixture
def enqueued(monkeypatch):
    """Record the delivery tasks `emit` enqueues after commit instead of using the broker."""
    from notifications import tasks

    calls: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver, "apply_async",
                        lambda args, **options: calls.append(list(args[0])))
    return calls


def keys(letters: list[Letter]) -> list[tuple[str, str, str, str]]:
    return sorted(letter.key for letter in letters)


def only(letters: list[Letter], event: str) -> Letter:
    """The one letter of `event` among `letters`."""
    [letter] = [letter for letter in letters if letter.event == event]
    return letter
