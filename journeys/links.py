"""Signed links of the buyer journeys: confirm the e-mail, the interest survey, the delivery
survey. Tokens are `django.core.signing` (salted per kind, timestamped, compressed); they expire
after SIGNED_LINK_MAX_AGE_DAYS and raise the notification engine's `LinkError` family."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.links import DAY, LinkError, LinkExpiredError, absolute

CONFIRM_SALT = "journeys.confirm"
INTERESTS_SALT = "journeys.interests"
DELIVERY_SALT = "journeys.delivery"

__all__ = [
    "LinkError", "LinkExpiredError", "Signed", "confirm_url", "delivery_survey_url",
    "interests_url", "token_load",
]


@dataclass(frozen=True)
class Signed:
    """What a journey token says: the buyer, and the e-mail (confirm) or the order (delivery)."""

    user_id: int
    email: str = ""
    order_id: int | None = None


def _dump(data: dict, salt: str) -> str:
    return signing.dumps(data, salt=salt, compress=True)


def token_load(token: str, *, salt: str) -> Signed:
    """The content of a valid token; LinkExpiredError or LinkError (a readable message)."""
    max_age = int(settings.SIGNED_LINK_MAX_AGE_DAYS) * DAY
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpiredError(_("This link has expired.")) from exc
    except signing.BadSignature as exc:
        raise LinkError(_("This link is not valid.")) from exc
    try:
        order = data.get("o")
        return Signed(user_id=int(data["u"]), email=str(data.get("e", "")),
                      order_id=int(order) if order is not None else None)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise LinkError(_("This link is not valid.")) from exc


def confirm_url(*, user_id: int, email: str) -> str:
    """The link that confirms `email` for the buyer; it stops working if the e-mail changes."""
    token = _dump({"u": user_id, "e": email.strip().lower()}, CONFIRM_SALT)
    return absolute(reverse("journeys:confirm", args=[token]))


def interests_url(*, user_id: int) -> str:
    return absolute(reverse("journeys:interests", args=[_dump({"u": user_id}, INTERESTS_SALT)]))


def delivery_survey_url(*, user_id: int, order_id: int) -> str:
    token = _dump({"u": user_id, "o": order_id}, DELIVERY_SALT)
    return absolute(reverse("journeys:delivery_survey", args=[token]))
