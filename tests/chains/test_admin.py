"""The chain admin: steps inline with letters from the catalogue, delays, subject, exit
condition and the Sendsay hand-over, validated; enrolments listed and stoppable."""

import pytest

from chains.models import Chain, ChainEnrolment, ChainStep, FinishReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarding():
    return Chain.objects.get(code="seller-onboarding")


def form_data(chain, **changes):
    """The change form as the admin posts it: the chain's fields and its steps inline."""
    steps = list(chain.steps.order_by("position"))
    data = {
        "name": chain.name, "code": chain.code, "audience": chain.audience,
        "active": "on" if chain.active else "", "trigger": chain.trigger,
        "exit_condition": chain.exit_condition, "subject": chain.subject, "mode": chain.mode,
        "sendsay_trigger": chain.sendsay_trigger,
        "sendsay_sequence_id": chain.sendsay_sequence_id, "sendsay_event_type": "",
        "sendsay_event_fields": "{}",
        "steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        data |= {f"steps-{i}-id": str(step.pk), f"steps-{i}-chain": str(chain.pk),
                 f"steps-{i}-position": str(step.position),
                 f"steps-{i}-delay_days": str(step.delay_days),
                 f"steps-{i}-delay_hours": str(step.delay_hours),
                 f"steps-{i}-letter": f"{step.event}:{step.variant}",
                 f"steps-{i}-subject": step.subject}
    return {k: v for k, v in (data | changes).items() if v != ""}


def url(chain):
    return f"/admin/chains/chain/{chain.pk}/change/"


def test_the_change_form_shows_the_steps_with_their_letters(admin_client, onboarding):
    page = admin_client.get(url(onboarding)).content.decode()
    assert "seller.onboarding: warehouse" in page and "seller.training: photos" in page
    assert "seller_has_products" in page and "seller.registered" in page


def test_subject_delays_and_letters_are_edited_inline(admin_client, onboarding):
    response = admin_client.post(url(onboarding), form_data(
        onboarding, subject="Ваш магазин", **{"steps-1-delay_days": "5",
                                              "steps-1-delay_hours": "6",
                                              "steps-2-letter": "seller.onboarding:profile"}))
    assert response.status_code == 302, response.context["adminform"].errors
    onboarding.refresh_from_db()
    second, third = ChainStep.objects.filter(chain=onboarding, position__in=[2, 3])
    assert onboarding.subject == "Ваш магазин"
    assert (second.delay_days, second.delay_hours) == (5, 6)
    assert (third.event, third.variant) == ("seller.onboarding", "profile")


def test_a_letter_for_another_audience_or_an_unknown_condition_is_refused(admin_client,
                                                                           onboarding):
    response = admin_client.post(url(onboarding), form_data(
        onboarding, exit_condition="seller_is_happy",
        **{"steps-0-letter": "buyer.interest_survey:"}))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["exit_condition"]
    [step_errors] = [f.errors for f in response.context["inline_admin_formsets"][0].formset
                     if f.errors]
    assert "letter" in step_errors


def test_sendsay_mode_needs_a_sequence_id_or_an_event_type(admin_client, onboarding):
    response = admin_client.post(url(onboarding), form_data(onboarding, mode="sendsay"))
    assert "sendsay_sequence_id" in response.context["adminform"].form.errors
    response = admin_client.post(url(onboarding), form_data(
        onboarding, mode="sendsay", sendsay_trigger="event"))
    assert "sendsay_event_type" in response.context["adminform"].form.errors
    response = admin_client.post(url(onboarding), form_data(
        onboarding, mode="sendsay", sendsay_trigger="event", sendsay_event_type="28",
        sendsay_sequence_id="77"))
    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert (onboarding.mode, onboarding.sendsay_event_type) == ("sendsay", 28)


def test_enrolments_are_listed_and_can_be_stopped(admin_client, company):
    enrolment = ChainEnrolment.objects.get(company=company, chain__code="seller-onboarding")
    page = admin_client.get("/admin/chains/chainenrolment/")
    assert company.name in page.content.decode()
    admin_client.post("/admin/chains/chainenrolment/", {
        "action": "cancel", "_selected_action": [enrolment.pk]})
    enrolment.refresh_from_db()
    assert enrolment.finish_reason == FinishReason.CANCELLED
    assert admin_client.get("/admin/chains/chain/").status_code == 200
    assert admin_client.get("/admin/chains/sellermilestone/").status_code == 200
