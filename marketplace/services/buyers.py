"""Buyer services: registration, e-mail confirmation, profile, interests and activity."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.exceptions import MarketplaceError
from marketplace.models import BuyerProfile, Category, Storefront, User

from ._common import buyer_profile_get, fields_apply, fields_check, phones_check
from ._events import _notify
from ._users import user_for_email

#: What `buyer_update_profile` may change, on the profile and on the user.
PROFILE_FIELDS = frozenset(
    {"phone", "gender", "birth_date", "city", "delivery_address", "preferred_shipping_method"}
)
USER_FIELDS = frozenset({"first_name", "last_name"})


@transaction.atomic
def buyer_register(
    *,
    storefront: Storefront,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: datetime.date | None = None,
    city: str = "",
) -> User:
    """Register a buyer on `storefront` and return the user, e-mail not yet confirmed.

    Creates a User (username = lower-cased e-mail, unusable password when None) and a
    BuyerProfile. If a user with this e-mail (case-insensitive) exists without a buyer
    profile, e.g. a seller, the profile is attached to it: its password stays, blank names
    are filled in. Raises MarketplaceError("already registered") when it already is a
    buyer, ValidationError (keyed by field) for a bad e-mail, phone, gender or date.
    """
    phones_check(BuyerProfile, phone=phone)
    profile = BuyerProfile(
        storefront=storefront, phone=phone, gender=gender, birth_date=birth_date, city=city
    )
    profile.full_clean(exclude=["user"])
    user, created = user_for_email(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    if not created:
        _existing_user_prepare(user, first_name=first_name, last_name=last_name)
    profile.user = user
    profile.save()
    _notify("buyer.registered", user_id=user.pk, storefront_id=storefront.pk)
    return user


def _existing_user_prepare(user: User, *, first_name: str, last_name: str) -> None:
    """Refuse a second buyer profile; fill the existing user's blank names."""
    if BuyerProfile.objects.filter(user=user).exists():
        raise MarketplaceError(
            _("%(email)s is already registered as a buyer."),
            code="already_registered",
            params={"email": user.email},
        )
    names = {"first_name": first_name, "last_name": last_name}
    changed = [name for name, value in names.items() if value and not getattr(user, name)]
    for name in changed:
        setattr(user, name, names[name])
    if changed:
        user.full_clean()
        user.save(update_fields=changed)


@transaction.atomic
def buyer_confirm_email(*, user: User) -> BuyerProfile:
    """Mark the buyer's e-mail confirmed; idempotent (the first confirmation time is kept).

    Raises MarketplaceError when the user has no buyer profile.
    """
    profile = buyer_profile_get(user, for_update=True)
    if profile.email_confirmed_at is None:
        profile.email_confirmed_at = timezone.now()
        profile.save(update_fields=["email_confirmed_at", "updated_at"])
        _notify("buyer.email_confirmed", user_id=user.pk)
    return profile


@transaction.atomic
def buyer_update_profile(*, user: User, **fields: Any) -> BuyerProfile:
    """Change whitelisted profile fields (PROFILE_FIELDS) and user names (USER_FIELDS).

    Everything is validated with full_clean before anything is saved. Raises
    MarketplaceError naming any other field, ValidationError (keyed by field) for bad values,
    MarketplaceError when the user has no buyer profile.
    """
    fields_check(fields, allowed=PROFILE_FIELDS | USER_FIELDS)
    if "phone" in fields:
        phones_check(BuyerProfile, phone=fields["phone"])
    profile = buyer_profile_get(user, for_update=True)
    profile_names = fields_apply(profile, fields, allowed=PROFILE_FIELDS)
    user_names = fields_apply(user, fields, allowed=USER_FIELDS)
    profile.full_clean()
    if user_names:
        user.full_clean()
        user.save(update_fields=user_names)
    if profile_names or user_names:
        profile.save(update_fields=[*profile_names, "updated_at"])
        _notify("buyer.profile_updated", user_id=user.pk, fields=sorted(fields))
    return profile


@transaction.atomic
def buyer_set_interests(*, user: User, categories: Iterable[Category]) -> BuyerProfile:
    """Replace the buyer's categories of interest with `categories` (an empty list clears them).

    Raises MarketplaceError when the user has no buyer profile.
    """
    profile = buyer_profile_get(user, for_update=True)
    profile.interests.set(categories)
    profile.save(update_fields=["updated_at"])
    _notify("buyer.profile_updated", user_id=user.pk, fields=["interests"])
    return profile


def buyer_touch_activity(*, user: User, at: datetime.datetime | None = None) -> None:
    """Record buyer activity at `at` (default now) in last_activity_at.

    Only moves the value forward, in one UPDATE (no lock, no profile `updated_at` change). A
    user without a buyer profile (a seller only) is silently ignored.
    """
    at = at or timezone.now()
    BuyerProfile.objects.filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at), user=user
    ).update(last_activity_at=at)
