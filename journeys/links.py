"""Signed links of the buyer journeys: confirm the e-mail, the interest survey, the delivery
survey. Tokens are `django.core.signing` (salted per kind, timestamped, compressed); they expire
after SIGNED_LINK_MAX_AGE_DAYS and raise the notification engine's `LinkError` family."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from notifications.links import (
    LinkError,
    LinkExpiredError,
    absolute,
    invalid_link,
    signed_dump,
    signed_load,
)

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


def token_load(token: str, *, salt: str) -> Signed:
    """The content of a valid token; LinkExpiredError or LinkError (a readable message)."""
    data = signed_load(token, salt=salt)
    try:
        order = data.get("o")
        return Signed(user_id=int(data["u"]), email=str(data.get("e", "")),
                      order_id=int(order) if order is not None else None)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise invalid_link() from exc


def confirm_url(*, user_id: int, email: str) -> str:
    """The link that confirms `email` for the buyer; it stops working if the e-mail changes."""
    token = signed_dump({"u": user_id, "e": email.strip().lower()}, salt=CONFIRM_SALT)
    return absolute(reverse("journeys:confirm", args=[token]))


def interests_url(*, user_id: int) -> str:
    token = signed_dump({"u": user_id}, salt=INTERESTS_SALT)
    return absolute(reverse("journeys:interests", args=[token]))


def delivery_survey_url(*, user_id: int, order_id: int) -> str:
    token = signed_dump({"u": user_id, "o": order_id}, salt=DELIVERY_SALT)
    return absolute(reverse("journeys:delivery_survey", args=[token]))
