"""Rendering: every shipped template renders its sample payload; escaping; missing variables;
overrides per storefront; Sendsay drafts."""

import pytest

from notifications.events import Category, Channel, event_spec, template_keys
from notifications.exceptions import MissingVariableError, TemplateMissingError
from notifications.models import TemplateOverride
from notifications.rendering import preview, render
from notifications.samples import sample_extras, sample_payload
from tests import factories

KEYS = template_keys()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(("event", "role", "channel", "variant"), KEYS,
                         ids=["/".join(filter(None, key)) for key in KEYS])
def test_every_default_renders_its_sample_payload_without_blanks(
    event, role, channel, variant, language
):
    marketing = event_spec(event).category == Category.MARKETING
    rendered = render(event, role, channel, variant, language, None,
                      sample_payload(event, variant), extras=sample_extras(marketing=marketing))
    assert rendered.text.strip()
    if channel == Channel.EMAIL:
        assert rendered.subject and "\n" not in rendered.subject
        assert rendered.html.startswith("<!DOCTYPE html>")
        assert ("unsubscribe" in rendered.html.lower() or "отписаться" in rendered.html.lower()) \
            == marketing
    else:
        assert len(rendered.text) <= 160
        assert rendered.html == "" and rendered.subject == ""


@pytest.mark.django_db
def test_html_is_escaped_and_text_is_not():
    payload = sample_payload("order.placed")
    payload["order"]["lines"][0]["name"] = "Tea <b>&</b> cakes"
    rendered = render("order.placed", "buyer", "email", "", "en", None, payload)
    assert "Tea &lt;b&gt;&amp;&lt;/b&gt; cakes" in rendered.html
    assert "Tea <b>&</b> cakes" in rendered.text


@pytest.mark.django_db
def test_variant_templates_differ_per_status():
    subjects = {
        variant: render("order.status_changed", "buyer", "email", variant, "ru", None,
                        sample_payload("order.status_changed", variant)).subject
        for variant in event_spec("order.status_changed").variants
    }
    assert len(set(subjects.values())) == 6
    assert subjects["at_pickup_point"] == "Заказ №000123 ждёт вас в пункте выдачи"


@pytest.mark.django_db
def test_missing_variable_raises_naming_it_and_preview_shows_the_error():
    payload = sample_payload("order.placed")
    del payload["order"]["total"]
    with pytest.raises(MissingVariableError, match=r"order\.total"):
        render("order.placed", "admin", "email", "", "ru", None, payload)
    result = preview("order.placed", "admin", "email", "", "ru", None, payload)
    assert result.rendered is None
    assert "order.total" in result.error


@pytest.mark.django_db
def test_override_for_the_storefront_wins_over_the_shared_one_and_the_file():
    storefront, other = factories.StorefrontFactory(), factories.StorefrontFactory()
    key = {"event": "buyer.registered", "role": "buyer", "channel": "email", "language": "en"}
    TemplateOverride.objects.create(**key, subject="All: {{ storefront.name }}")
    TemplateOverride.objects.create(**key, storefront=storefront,
                                    subject="Own: {{ storefront.name }}",
                                    html="<p>Hi {{ buyer.first_name }}</p>")
    payload = sample_payload("buyer.registered")
    own = render("buyer.registered", "buyer", "email", "", "en", storefront.pk, payload)
    shared = render("buyer.registered", "buyer", "email", "", "en", other.pk, payload)
    default = render("buyer.registered", "buyer", "email", "", "ru", other.pk, payload)
    assert own.subject == "Own: Demo Shop"
    assert own.html == "<p>Hi Anna</p>" and own.text == "Hi Anna"  # text derived from the HTML
    assert shared.subject == "All: Demo Shop"
    assert "Thank you for signing up" in shared.text  # the body still comes from the file
    assert default.subject == "Добро пожаловать в Demo Shop!"


@pytest.mark.django_db
def test_inactive_override_is_ignored_and_draft_id_is_returned():
    key = {"event": "order.placed", "role": "seller", "channel": "email", "language": "ru"}
    old = TemplateOverride.objects.create(**key, subject="Old", active=False)
    assert render("order.placed", "seller", "email", "", "ru", None,
                  sample_payload("order.placed")).subject == "Новый заказ №000123"
    TemplateOverride.objects.filter(pk=old.pk).update(subject="", sendsay_draft_id="42",
                                                      active=True)
    rendered = render("order.placed", "seller", "email", "", "ru", None,
                      sample_payload("order.placed"))
    assert rendered.sendsay_draft_id == "42"
    assert rendered.subject == "Новый заказ №000123"  # the local default stays ready


@pytest.mark.django_db
def test_preview_of_an_unsaved_override_reports_syntax_and_missing_variables():
    bad = TemplateOverride(event="order.placed", role="buyer", channel="sms", language="ru",
                           text="Order {{ order.numbr }}")
    result = preview("order.placed", "buyer", "sms", "", "ru", None,
                     sample_payload("order.placed"), override=bad)
    assert "order.numbr" in result.error
    broken = TemplateOverride(event="order.placed", role="buyer", channel="sms", language="ru",
                              text="{% if %}")
    assert "syntax" in preview("order.placed", "buyer", "sms", "", "ru", None,
                               sample_payload("order.placed"), override=broken).error


@pytest.mark.django_db
def test_template_missing_for_a_channel_without_defaults():
    with pytest.raises(TemplateMissingError):
        render("buyer.registered", "buyer", "telegram", "", "ru", None,
               sample_payload("buyer.registered"))


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "line"), [("ru", "Скидка (купон TEA-5Q): −124.00 ₽"),
                                                 ("en", "Discount (coupon TEA-5Q): −124.00 ₽")])
def test_a_coupon_discount_is_a_line_of_the_order_table(language, line):
    payload = sample_payload("order.placed")
    without = render("order.placed", "buyer", "email", "", language, None, payload,
                     extras=sample_extras(marketing=False))
    payload["order"].update(coupon_code="TEA-5Q", discount="124.00", total="2656.00")
    rendered = render("order.placed", "buyer", "email", "", language, None, payload,
                      extras=sample_extras(marketing=False))
    assert line in rendered.text and line not in without.text
    assert "TEA-5Q" in rendered.html and "&minus;124.00" in rendered.html
