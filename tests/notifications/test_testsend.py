"""The admin's "send test": one template, sample data, the real route, nothing stored."""

import pytest

from notifications.exceptions import NotificationError
from notifications.models import OutboxMessage, TemplateOverride
from notifications.services import template_send_test


def test_send_test_renders_the_sample_and_uses_smtp_with_the_module_off(storefront, smtp_sink):
    result = template_send_test(event="order.placed", role="buyer", channel="email",
                                language="en", to="qa@shop.example.ru",
                                storefront_id=storefront.pk)
    [mail] = smtp_sink.wait_for(1)
    assert mail.subject.strip() == "[TEST] Order #000123 is placed"
    assert mail.mail_from == storefront.company_email and mail.rcpt_tos == ["qa@shop.example.ru"]
    assert result.backend == "smtp" and not OutboxMessage.objects.exists()


def test_send_test_of_an_unsaved_override_through_sendsay(storefront, sendsay_on, confirm_sender,
                                                          emulator):
    confirm_sender(storefront.company_email)
    draft = TemplateOverride(event="buyer.registered", role="buyer", channel="email",
                             language="ru", subject="Привет, {{ buyer.first_name }}")
    result = template_send_test(event="buyer.registered", role="buyer", channel="email",
                                language="ru", to="qa@shop.example.ru",
                                storefront_id=storefront.pk, override=draft)
    [send] = emulator.sends("email")
    assert send["letter"]["subject"] == "[TEST] Привет, Anna"
    assert result.backend == "sendsay"


def test_send_test_of_sms_without_sendsay_says_why(storefront, marketplace):
    with pytest.raises(NotificationError, match="needs the Sendsay module"):
        template_send_test(event="order.placed", role="buyer", channel="sms", language="ru",
                           to="+79161234567", storefront_id=storefront.pk)
