"""Delivery, called synchronously: real SMTP sink, real emulator over HTTP, every final state."""

import pytest
from django.utils import timezone

import notifications
from notifications.models import (
    AttemptOutcome,
    ContactPreference,
    DeliveryAttempt,
    MessageStatus,
    OutboxMessage,
    TemplateOverride,
)
from notifications.services import outbox_deliver
from tests import factories


def deliver_all():
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    return outbox_deliver(message_ids=ids)


def make_due():
    OutboxMessage.objects.filter(status=MessageStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )


def message(**filters) -> OutboxMessage:
    return OutboxMessage.objects.get(**filters)


def test_module_off_sends_every_email_through_smtp_with_the_right_sender(order, smtp_sink,
                                                                        enqueued):
    notifications.emit("order.placed", order_id=order.pk)
    report = deliver_all()
    assert len(report.sent) == 3
    received = {m.rcpt_tos[0]: m for m in smtp_sink.wait_for(3)}
    storefront = order.storefront
    buyer_mail = received[order.buyer.email]
    assert buyer_mail.subject == f"Заказ №{order.number} оформлен"
    assert buyer_mail.mail_from == storefront.company_email
    assert received[order.company.email].subject == f"Новый заказ №{order.number}"
    assert received[order.company.email].mail_from == storefront.company_email
    assert received["all@market.example.ru"].mail_from == "all@market.example.ru"
    body = buyer_mail.message
    assert body.get_body(("plain",)).get_content().count("Tea <b>green</b>") == 1
    assert "Tea &lt;b&gt;green&lt;/b&gt;" in body.get_body(("html",)).get_content()
    assert body["List-Unsubscribe"] is None  # transactional: never
    sent = message(role="buyer")
    assert (sent.status, sent.backend, sent.attempts) == (MessageStatus.SENT, "smtp", 1)
    assert sent.provider_id == body["Message-ID"] and sent.sent_at is not None
    attempt = DeliveryAttempt.objects.get(message=sent)
    assert (attempt.number, attempt.backend, attempt.outcome) == (1, "smtp", AttemptOutcome.SENT)


def test_sms_without_sendsay_is_skipped_when_the_buyer_gets_the_email(order, smtp_sink,
                                                                       enqueued):
    order.buyer.buyer_profile.phone = "+79161234567"
    order.buyer.buyer_profile.save()
    notifications.emit("order.status_changed", order_id=order.pk, to_status="at_pickup_point")
    deliver_all()
    sms = message(channel="sms")
    assert sms.status == MessageStatus.SKIPPED
    assert "needs the Sendsay module" in sms.error
    assert [m.subject.strip() for m in smtp_sink.wait_for(1)] == [  # folded by Django
        f"Заказ №{order.number} ждёт вас в пункте выдачи"
    ]


def test_messenger_without_sendsay_falls_back_to_the_email_template(order, smtp_sink, enqueued):
    from marketplace.models import CompanyNotificationSettings

    CompanyNotificationSettings.objects.create(company=order.company, telegram_id="777",
                                               channels={"transactional": ["telegram"]})
    notifications.emit("order.status_changed", order_id=order.pk, to_status="cancelled")
    deliver_all()
    telegram = message(channel="telegram")
    assert telegram.status == MessageStatus.SENT and telegram.backend == "smtp"
    attempt = telegram.delivery_attempts.get()
    assert attempt.channel == "email"
    mails = {m.rcpt_tos[0]: m.subject.strip() for m in smtp_sink.wait_for(2)}
    assert mails[order.company.email] == f"Заказ №{order.number} отменён"


def test_module_on_sends_email_and_sms_through_sendsay(order, sendsay_on, confirm_sender,
                                                       emulator, smtp_sink, enqueued):
    order.buyer.buyer_profile.phone = "+79161234567"
    order.buyer.buyer_profile.save()
    confirm_sender(order.storefront.company_email)
    confirm_sender("all@market.example.ru")
    notifications.emit("order.placed", order_id=order.pk)
    report = deliver_all()
    assert len(report.sent) == 4
    emails = {s["recipients"][0]["email"]: s for s in emulator.sends("email")}
    assert set(emails) == {order.buyer.email, order.company.email, "all@market.example.ru"}
    letter = emails[order.buyer.email]["letter"]
    assert letter["subject"] == f"Заказ №{order.number} оформлен"
    assert letter["from.email"] == order.storefront.company_email
    assert letter["from.name"] == order.storefront.name
    assert "Tea &lt;b&gt;green&lt;/b&gt;" in letter["message"]["html"]
    [sms] = emulator.sends("sms")
    assert sms["recipients"][0]["email"] == "+79161234567"
    assert "оформлен" in sms["letter"]["message"]["sms"]
    assert smtp_sink.messages == []
    row = message(channel="sms")
    assert row.backend == "sendsay" and row.provider_id == str(sms["track.id"])


def test_unconfirmed_sender_is_never_used_through_sendsay(order, sendsay_on, confirm_sender,
                                                          emulator, smtp_sink, enqueued):
    confirm_sender("all@market.example.ru")  # the storefront's address is not confirmed
    notifications.emit("order.placed", order_id=order.pk)
    deliver_all()
    via_sendsay = [s["letter"]["from.email"] for s in emulator.sends("email")]
    assert via_sendsay == ["all@market.example.ru"]
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.wait_for(2)) == sorted(
        [order.buyer.email, order.company.email]
    )
    assert message(role="buyer").backend == "smtp"


def test_5xx_twice_then_ok_ends_sent_with_three_attempts(order, sendsay_on, confirm_sender,
                                                         emulator, enqueued, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    confirm_sender(order.storefront.company_email)
    ids = notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    emulator.control("fault", mode="http", status=503, action="issue.send", count=2)
    first = outbox_deliver(message_ids=ids)
    row = message(pk=ids[0])
    assert first.retrying == ids and row.status == MessageStatus.PENDING
    assert 15 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 31
    assert outbox_deliver(message_ids=ids).claimed == 0  # not due yet
    make_due()
    outbox_deliver(message_ids=ids)
    make_due()
    outbox_deliver(message_ids=ids)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (MessageStatus.SENT, 3, "")
    outcomes = list(row.delivery_attempts.values_list("number", "outcome"))
    assert outcomes == [(1, "temporary_error"), (2, "temporary_error"), (3, "sent")]
    assert "http/503" in row.delivery_attempts.first().error
    assert len(emulator.sends("email")) == 1


def test_temporary_errors_give_up_after_the_cap(order, sendsay_on, confirm_sender, emulator,
                                                enqueued, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    confirm_sender(order.storefront.company_email)
    ids = notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    emulator.control("fault", mode="drop", action="issue.send", count=5)
    outbox_deliver(message_ids=ids)
    make_due()
    outbox_deliver(message_ids=ids)
    row = message(pk=ids[0])
    assert row.status == MessageStatus.FAILED and row.attempts == 2
    assert row.error.startswith("gave up after 2 attempts")


def test_permanent_error_ends_failed_with_the_reason_and_no_more_attempts(
    order, sendsay_on, confirm_sender, emulator, enqueued
):
    confirm_sender(order.storefront.company_email)
    ids = notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    emulator.control("fault", mode="error", action="issue.send", error_id="error/email/badchar",
                     explain="bad address", count=1)
    report = outbox_deliver(message_ids=ids)
    row = message(pk=ids[0])
    assert report.failed == ids and report.retrying == []
    assert row.status == MessageStatus.FAILED and row.next_attempt_at is None
    assert "error/email/badchar" in row.error and "bad address" in row.error
    make_due()
    assert outbox_deliver(message_ids=ids).claimed == 0
    assert row.delivery_attempts.count() == 1 and enqueued == []


def test_a_draft_template_goes_as_the_draft_with_the_payload(order, sendsay_on, confirm_sender,
                                                             emulator, enqueued):
    confirm_sender(order.storefront.company_email)
    draft = emulator.control("add_draft", login="x_notify",
                             obj={"name": "Confirmed", "subject": "Designed letter",
                                  "format": "html", "text": "<p>designed</p>"})["draft"]
    TemplateOverride.objects.create(event="order.status_changed", role="buyer", channel="email",
                                    variant="confirmed", language="ru",
                                    sendsay_draft_id=str(draft["id"]))
    ids = notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    outbox_deliver(message_ids=ids)
    [send] = emulator.sends("email")
    assert send["letter"]["draft.id"] == str(draft["id"])
    assert send["letter"]["from.email"] == order.storefront.company_email
    assert send["extra"]["order"]["number"] == order.number
    assert message(pk=ids[0]).status == MessageStatus.SENT


def test_a_draft_template_falls_back_to_the_local_default_with_the_module_off(
    order, smtp_sink, enqueued
):
    TemplateOverride.objects.create(event="order.status_changed", role="buyer", channel="email",
                                    variant="confirmed", language="ru", sendsay_draft_id="99")
    ids = notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
    outbox_deliver(message_ids=ids)
    [mail] = smtp_sink.wait_for(1)
    assert mail.subject.strip() == f"Заказ №{order.number} подтверждён"


def test_a_missing_variable_fails_the_message_and_never_sends_a_blank(order, smtp_sink,
                                                                      enqueued):
    TemplateOverride.objects.create(event="order.placed", role="buyer", channel="email",
                                    language="ru", subject="Order {{ order.nubmer }}")
    notifications.emit("order.placed", order_id=order.pk)
    deliver_all()
    row = message(role="buyer")
    assert row.status == MessageStatus.FAILED
    assert "order.nubmer" in row.error
    assert order.buyer.email not in [m.rcpt_tos[0] for m in smtp_sink.wait_for(2)]
    assert len(smtp_sink.messages) == 2


def test_unsubscribed_buyer_gets_transactional_mail_but_not_marketing(order, smtp_sink,
                                                                     enqueued):
    buyer = order.buyer
    notifications.emit("storefront.announcement", occurrence="before",
                       storefront_id=order.storefront_id, user_ids=[buyer.pk],
                       title="Spring sale", text="Everything -20%", url="https://x.example/")
    ContactPreference.objects.create(user=buyer, channel="email", category="marketing",
                                     allowed=False)  # opted out after the emit, before sending
    notifications.emit("storefront.announcement", occurrence="after",
                       storefront_id=order.storefront_id, user_ids=[buyer.pk],
                       title="Summer sale", text="-30%", url="")
    notifications.emit("order.placed", order_id=order.pk)
    deliver_all()
    to_buyer = [m.subject.strip() for m in smtp_sink.wait_for(3) if m.rcpt_tos == [buyer.email]]
    assert to_buyer == [f"Заказ №{order.number} оформлен"]
    statuses = dict(OutboxMessage.objects.filter(event__event="storefront.announcement")
                    .values_list("event__occurrence", "status"))
    assert statuses == {"before": MessageStatus.SKIPPED, "after": MessageStatus.SKIPPED}


def test_marketing_mail_carries_a_signed_unsubscribe_link_and_headers(storefront, smtp_sink,
                                                                      enqueued):
    buyer = factories.BuyerProfileFactory(storefront=storefront).user
    notifications.emit("storefront.announcement", occurrence="news", storefront_id=storefront.pk,
                       user_ids=[buyer.pk], title="New arrivals", text="Line one\nLine two",
                       url="https://shop.example/new")
    deliver_all()
    [mail] = smtp_sink.wait_for(1)
    body = mail.message
    link = body["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("https://market.example.ru/n/u/")
    assert body["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = body.get_body(("html",)).get_content()
    assert link in html and "/n/p/" in html and "Line one<br>Line two" in html
    assert mail.subject == "New arrivals"


def test_two_claims_of_the_same_rows_never_share_a_row(order, enqueued):
    import uuid

    from notifications.services import outbox_claim

    ids = notifications.emit("order.placed", order_id=order.pk)
    first = outbox_claim(message_ids=ids, token=uuid.uuid4())
    second = outbox_claim(message_ids=ids, token=uuid.uuid4())
    assert len(first) == 3 and second == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENDING}


@pytest.mark.parametrize(("code", "status"), [(550, MessageStatus.FAILED),
                                              (451, MessageStatus.PENDING)])
def test_smtp_refusals_are_classified_by_reply_code(order, enqueued, settings, code, status):
    from tests.notifications.smtp import refusing_server

    with refusing_server(code) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        ids = notifications.emit("order.status_changed", order_id=order.pk, to_status="confirmed")
        outbox_deliver(message_ids=ids)
    row = message(pk=ids[0])
    assert row.status == status and f"SMTP {code}" in row.error


def test_smtp_connection_refused_is_temporary(order, enqueued, settings):
    from sendsay_admin.devtools.smtp_sink import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    ids = notifications.emit("order.placed", order_id=order.pk)
    report = outbox_deliver(message_ids=ids)
    assert sorted(report.retrying) == sorted(ids)
    assert "SMTP connection" in message(pk=ids[0]).error


def test_with_the_module_off_the_same_template_arrives_at_the_smtp_sink(
    order, sendsay_on, confirm_sender, emulator, smtp_sink, enqueued
):
    confirm_sender(order.storefront.company_email)
    notifications.emit("order.status_changed", order_id=order.pk, to_status="delivered")
    ids = [message(role="buyer").pk]
    outbox_deliver(message_ids=ids)
    [send] = emulator.sends("email")
    sendsay_on.enabled = False
    sendsay_on.save()
    OutboxMessage.objects.filter(pk=ids[0]).update(status=MessageStatus.PENDING)  # send again
    outbox_deliver(message_ids=ids)
    [mail] = smtp_sink.wait_for(1)
    assert mail.subject.strip() == send["letter"]["subject"]
    for part, kind in (("html", "html"), ("text", "plain")):
        got = mail.message.get_body((kind,)).get_content().replace("\r\n", "\n").strip()
        assert got == send["letter"]["message"][part]
    assert list(message(pk=ids[0]).delivery_attempts.values_list("backend", flat=True)) == [
        "sendsay", "smtp"]


def test_a_messenger_falling_back_to_email_respects_an_email_opt_out(storefront, smtp_sink,
                                                                     enqueued, monkeypatch):
    from types import MappingProxyType

    from notifications import events

    spec = events.EVENTS["storefront.announcement"]
    sms_only = events._event(spec.name, spec.category,
                             {events.Role.BUYER: events.Audience(channels=(events.Channel.SMS,))},
                             data=spec.data, description=spec.description)
    monkeypatch.setattr(events, "EVENTS", MappingProxyType({**events.EVENTS,
                                                            spec.name: sms_only}))
    profile = factories.BuyerProfileFactory(storefront=storefront, phone="+79161234567")
    ContactPreference.objects.create(user=profile.user, channel="email", category="marketing",
                                     allowed=False)
    ids = notifications.emit("storefront.announcement", occurrence="x", storefront_id=storefront.pk,
                             user_ids=[profile.user_id], title="T", text="X", url="")
    outbox_deliver(message_ids=ids)
    row = message(pk=ids[0])
    assert row.channel == "sms" and row.status == MessageStatus.SKIPPED
    assert row.error == "opted out of marketing messages by email"
    assert smtp_sink.messages == []


def test_a_message_failing_to_render_mid_batch_leaves_every_other_outcome_on_its_own_row(
        order, sendsay_on, confirm_sender, emulator, enqueued):
    """A row that fails to render in the middle of a batch is FAILED, and with Sendsay calls
    in flight each other row records its own call's outcome."""
    confirm_sender(order.storefront.company_email)
    confirm_sender("all@market.example.ru")
    TemplateOverride.objects.create(event="order.placed", role="buyer", channel="email",
                                    language="ru", subject="Order {{ order.nubmer }}")
    orders = [order, *(factories.OrderFactory(
        company=order.company, storefront=order.storefront, buyer=order.buyer,
        shipping_method=order.shipping_method) for _ in range(9))]
    for each in orders:
        notifications.emit("order.placed", order_id=each.pk)
    report = deliver_all()
    assert (len(report.sent), len(report.failed)) == (20, 10)
    assert set(OutboxMessage.objects.filter(role="buyer").values_list("status", flat=True)) == {
        MessageStatus.FAILED}
    sends = {str(s["track.id"]): s for s in emulator.sends("email")}
    assert len(sends) == 20
    for row in OutboxMessage.objects.exclude(role="buyer").select_related("event"):
        send = sends[row.provider_id]
        assert send["recipients"][0]["email"] == row.recipient
        assert f"№{row.event.payload['order']['number']}" in send["letter"]["subject"]
