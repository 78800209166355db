"""Signed-link pages of the buyer journeys (mounted at `j/`): confirm the e-mail, the interest
survey, the delivery survey. A forged, expired or reused link gets a clear page and changes
nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.models import Order, OrderStatus, User

from . import links
from .exceptions import AlreadyAnsweredError, JourneyError
from .forms import DeliverySurveyForm, InterestsForm
from .models import DeliverySurveyAnswer, InterestSurveyAnswer
from .services import delivery_survey_answer, email_confirm, interests_answer

PAGES = "journeys/pages/"


def _invalid(request: HttpRequest, exc: links.LinkError) -> HttpResponse:
    status = 410 if isinstance(exc, links.LinkExpiredError) else 400
    return render(request, "notifications/pages/link_invalid.html",
                  {"expired": status == 410, "message": str(exc)}, status=status)


def _used(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, PAGES + "used.html", {"message": message}, status=409)


@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET confirms: the link in the e-mail is the proof; a second use only says so."""
    try:
        result = email_confirm(token=token)
    except links.LinkError as exc:
        return _invalid(request, exc)
    answered = InterestSurveyAnswer.objects.filter(user=result.user).exists()
    context = {"already": result.already, "email": result.user.email,
               "confirmed_at": result.confirmed_at,
               "interests_url": "" if answered else links.interests_url(user_id=result.user.pk)}
    return render(request, PAGES + "confirmed.html", context)


@require_http_methods(["GET", "POST"])
def interests(request: HttpRequest, token: str) -> HttpResponse:
    try:
        signed = links.token_load(token, salt=links.INTERESTS_SALT)
        user = _load_buyer(signed)
    except links.LinkError as exc:
        return _invalid(request, exc)
    if InterestSurveyAnswer.objects.filter(user=user).exists():
        return _used(request, _already_interests())
    form = InterestsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            interests_answer(user=user, category_ids=form.cleaned_data["categories"])
        except AlreadyAnsweredError:
            return _used(request, _already_interests())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, PAGES + "interests_saved.html",
                          {"count": len(form.cleaned_data["categories"])})
    return render(request, PAGES + "interests.html", {"form": form, "user": user})


@require_http_methods(["GET", "POST"])
def delivery_survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        signed = links.token_load(token, salt=links.DELIVERY_SALT)
        order = _load_order(signed)
    except links.LinkError as exc:
        return _invalid(request, exc)
    if DeliverySurveyAnswer.objects.filter(order=order).exists():
        return _used(request, _already_rated())
    form = DeliverySurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            answer = delivery_survey_answer(
                order_id=order.pk, user_id=signed.user_id, rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"])
        except AlreadyAnsweredError:
            return _used(request, _already_rated())
        except (JourneyError, ValidationError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            return render(request, PAGES + "delivery_thanks.html",
                          {"order": order, "coupon": answer.coupon})
    return render(request, PAGES + "delivery_survey.html", {"form": form, "order": order})


def _load_buyer(signed: links.Signed) -> User:
    user = User.objects.filter(pk=signed.user_id, buyer_profile__isnull=False).first()
    if user is None:
        raise links.invalid_link()
    return user


def _load_order(signed: links.Signed) -> Order:
    order = (Order.objects.select_related("shipping_method", "storefront")
             .filter(pk=signed.order_id, buyer_id=signed.user_id).first())
    if signed.order_id is None or order is None or order.status != OrderStatus.DELIVERED:
        raise links.invalid_link()
    return order


def _already_interests() -> str:
    return _("You have already told us what interests you. Thank you!")


def _already_rated() -> str:
    return _("You have already rated this delivery. Thank you!")
