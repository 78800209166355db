"""E-mail confirmation: the signed link sent at registration and the page that uses it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

import notifications
from journeys import links
from marketplace.models import BuyerProfile, User
from marketplace.services import buyer_confirm_email


@dataclass(frozen=True)
class ConfirmResult:
    """What a confirmation link did: `already` when the address had been confirmed before."""

    user: User
    confirmed_at: datetime
    already: bool


def confirmation_request(*, user: User) -> list[int]:
    """Write the `buyer.email_confirmation` message with a fresh signed link (call it inside
    the registration transaction). Once per buyer: the occurrence is `confirm:<user>`;
    reminders are the `confirmation_reminder` detector's. Returns the outbox ids."""
    url = links.confirm_url(user_id=user.pk, email=user.email)
    return notifications.emit("buyer.email_confirmation", user_id=user.pk, confirm_url=url,
                              occurrence=f"confirm:{user.pk}")


def email_confirm(*, token: str) -> ConfirmResult:
    """Confirm the e-mail a confirmation link was sent to.

    Raises `LinkExpiredError` / `LinkError` (messages fit for the page) for an expired or
    forged token, for a buyer that no longer exists, and when the account's e-mail changed
    since the link was sent; nothing changes then. A link used again changes nothing and
    says so (`already`). Confirming goes through `buyer_confirm_email`, so the interest
    survey invitation follows (see `journeys.signals`)."""
    signed = links.token_load(token, salt=links.CONFIRM_SALT)
    with transaction.atomic():
        profile = (BuyerProfile.objects.select_for_update().select_related("user")
                   .filter(user_id=signed.user_id).first())
        if profile is None:
            raise links.invalid_link()
        if profile.user.email.strip().lower() != signed.email:
            raise links.LinkError(
                _("This link was sent to an e-mail address the account no longer uses."))
        if profile.email_confirmed_at is not None:
            return ConfirmResult(profile.user, profile.email_confirmed_at, already=True)
        profile = buyer_confirm_email(user=profile.user)
    return ConfirmResult(profile.user, profile.email_confirmed_at, already=False)
