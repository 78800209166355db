"""The template override admin: start from the shipped default, preview with sample data or a
real order or user, errors shown clearly, send a test to the real SMTP sink, save checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import TemplateOverride
from tests import factories

ADD = "admin:notifications_templateoverride_add"
PREVIEW = "admin:notifications_templateoverride_preview"
SEND_TEST = "admin:notifications_templateoverride_send_test"


def form(**changes) -> dict:
    """The change form as posted: an English buyer receipt of order.placed."""
    data = {"event": "order.placed", "role": "buyer", "channel": "email", "variant": "",
            "language": "en", "storefront": "", "active": "on",
            "subject": "Your order {{ order.number }} from {{ storefront.name }}",
            "html": "<p>Hi {{ buyer.first_name }}, total {{ order.total }}</p>",
            "text": "Hi {{ buyer.first_name }}, total {{ order.total }}",
            "sendsay_draft_id": "", "preview-source": "sample"}
    data.update(changes)
    return data


def test_the_add_page_starts_from_the_shipped_default(admin_client):
    url = reverse(ADD)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'id="start-from-default"' in page.content.decode()
    assert 'id="preview-button"' in page.content.decode()
    response = admin_client.get(url, {"key": "order.placed|buyer|email|", "language": "en"})
    initial = response.context["adminform"].form.initial
    assert (initial["event"], initial["role"], initial["channel"], initial["language"]) == (
        "order.placed", "buyer", "email", "en")
    assert initial["subject"] == "Order #{{ order.number }} is placed"
    assert "Thank you for your order!" in initial["text"]
    assert "{{ order.number }}" in initial["html"]


def test_a_variant_without_a_file_of_its_own_starts_from_the_event_default(admin_client):
    response = admin_client.get(reverse(ADD), {
        "key": "order.status_changed|seller|email|delivered", "language": "ru"})
    initial = response.context["adminform"].form.initial
    assert initial["variant"] == "delivered" and initial["subject"]


def test_preview_with_sample_data(admin_client):
    response = admin_client.post(reverse(PREVIEW), form())
    assert response.status_code == 200
    rendered = response.context["rendered"]
    assert rendered.subject == "Your order 000123 from Demo Shop"
    assert rendered.text == "Hi Anna, total 2780.00"
    page = response.content.decode()
    assert 'sandbox=""' in page and "srcdoc=" in page
    assert "&lt;p&gt;Hi Anna, total 2780.00&lt;/p&gt;" in page  # inside srcdoc, escaped
    assert not response.context["errors"]


def test_preview_with_a_real_order_uses_the_payload_emit_would_build(admin_client, order):
    response = admin_client.post(reverse(PREVIEW), form(
        **{"preview-source": "order", "preview-order": str(order.pk)}))
    rendered = response.context["rendered"]
    assert rendered.subject == f"Your order {order.number} from {order.storefront.name}"
    assert rendered.text == f"Hi {order.buyer.first_name}, total 650.00"
    assert response.context["payload"]["order"]["lines"][1]["name"] == "Tea <b>green</b>"


def test_preview_with_a_real_user_and_with_data_that_does_not_fit(admin_client, buyer):
    url = reverse(PREVIEW)
    welcome = form(event="buyer.registered", subject="Welcome {{ buyer.email }}",
                   html="", text="Hi {{ buyer.first_name }}",
                   **{"preview-source": "user", "preview-user": str(buyer.pk)})
    response = admin_client.post(url, welcome)
    assert response.context["rendered"].subject == f"Welcome {buyer.email}"
    response = admin_client.post(url, form(**{"preview-source": "user",
                                              "preview-user": str(buyer.pk)}))
    assert response.status_code == 200 and response.context["rendered"] is None
    assert "needs order_id" in " ".join(response.context["errors"])
    response = admin_client.post(url, form(**{"preview-source": "order",
                                              "preview-order": "999999"}))
    assert "order 999999 does not exist" in " ".join(response.context["errors"])


def test_preview_of_a_missing_variable_shows_the_error_and_no_message(admin_client):
    response = admin_client.post(reverse(PREVIEW), form(text="Dear {{ buyer.nickname }}"))
    assert response.status_code == 200
    assert response.context["rendered"] is None
    page = response.content.decode()
    assert 'id="preview-errors"' in page
    assert "missing template variable" in page and "buyer.nickname" in page
    assert "Traceback" not in page


def test_preview_of_bad_syntax_shows_the_error(admin_client):
    response = admin_client.post(reverse(PREVIEW), form(subject="{% if %}"))
    assert response.status_code == 200
    assert "syntax" in " ".join(response.context["errors"]).lower()


def test_preview_needs_post_and_csrf(admin_user, client):
    from django.test import Client

    client.force_login(admin_user)
    assert client.get(reverse(PREVIEW)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(reverse(PREVIEW), form()).status_code == 403


def test_send_test_reaches_the_smtp_sink(admin_client, smtp_sink, marketplace, storefront):
    response = admin_client.post(reverse(SEND_TEST), form(
        storefront=str(storefront.pk), **{"preview-to": "me@market.example.ru"}))
    assert response.status_code == 200
    assert response.context["test"]["ok"], response.context["test"]
    [mail] = smtp_sink.wait_for(1)
    assert mail.rcpt_tos == ["me@market.example.ru"]
    assert mail.subject.strip() == "[TEST] Your order 000123 from Demo Shop"
    assert mail.mail_from == storefront.company_email
    assert "Hi Anna, total 2780.00" in mail.message.get_body(("plain",)).get_content()
    assert 'id="test-result"' in response.content.decode()


def test_send_test_needs_an_address_and_a_renderable_template(admin_client, smtp_sink):
    response = admin_client.post(reverse(SEND_TEST), form())
    assert "Enter the address" in " ".join(response.context["errors"])
    response = admin_client.post(reverse(SEND_TEST), form(
        text="{{ nope }}", **{"preview-to": "me@market.example.ru"}))
    assert "missing template variable" in " ".join(response.context["errors"])
    assert "test" not in response.context
    assert smtp_sink.messages == []


def test_saving_checks_the_template_against_the_event_data(admin_client, storefront):
    url = reverse(ADD)
    response = admin_client.post(url, form(text="Dear {{ buyer.nickname }}"))
    assert response.status_code == 200
    assert "buyer.nickname" in response.content.decode()
    assert not TemplateOverride.objects.exists()
    response = admin_client.post(url, form(role="admin", channel="sms"))
    assert "has no template for admin over sms" in response.content.decode()
    response = admin_client.post(url, form(storefront=str(storefront.pk)))
    assert response.status_code == 302
    saved = TemplateOverride.objects.get()
    assert (saved.storefront, saved.language, saved.subject) == (
        storefront, "en", "Your order {{ order.number }} from {{ storefront.name }}")
    response = admin_client.post(url, form(storefront=str(storefront.pk)))
    assert response.status_code == 200  # the same key again: refused by the constraint
    assert response.context["adminform"].form.non_field_errors()
    assert TemplateOverride.objects.count() == 1


def test_the_change_page_can_show_the_shipped_default_and_the_list_filters(admin_client):
    override = TemplateOverride.objects.create(
        event="order.placed", role="buyer", channel="email", language="en",
        subject="Custom", text="Custom text")
    url = reverse("admin:notifications_templateoverride_change", args=[override.pk])
    response = admin_client.get(url, {"from_default": "1"})
    assert response.context["adminform"].form["subject"].value() == (
        "Order #{{ order.number }} is placed")
    override.refresh_from_db()
    assert override.subject == "Custom"  # nothing saved
    other = factories.StorefrontFactory()
    TemplateOverride.objects.create(event="buyer.registered", role="buyer", channel="email",
                                    language="ru", storefront=other, subject="Hi")
    listing = reverse("admin:notifications_templateoverride_changelist")
    response = admin_client.get(listing, {"storefront__id__exact": other.pk})
    assert [o.event for o in response.context["cl"].result_list] == ["buyer.registered"]
    response = admin_client.get(listing, {"language": "en"})
    assert response.status_code == 200


@pytest.mark.parametrize("source", ["sample", "order"])
def test_preview_of_an_sms_template(admin_client, order, source):
    data = form(channel="sms", subject="", html="", text="Order {{ order.number }} placed",
                **{"preview-source": source, "preview-order": str(order.pk)})
    response = admin_client.post(reverse(PREVIEW), data)
    number = "000123" if source == "sample" else order.number
    assert response.context["rendered"].text == f"Order {number} placed"
