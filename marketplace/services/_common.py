"""Helpers the marketplace services share: field whitelists, phone checks, buyer lookup."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.exceptions import MarketplaceError
from marketplace.models import BuyerProfile, User


def fields_check(fields: Mapping[str, Any], *, allowed: Iterable[str]) -> None:
    """Raise MarketplaceError naming every key of `fields` that is not in `allowed`."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise MarketplaceError(
            _("These fields cannot be changed here: %(fields)s."),
            code="field_not_allowed",
            params={"fields": ", ".join(unknown)},
        )


def fields_apply(
    instance: models.Model, fields: Mapping[str, Any], *, allowed: Iterable[str]
) -> list[str]:
    """Set the keys of `fields` that are in `allowed` on `instance`; return their names, sorted."""
    names = sorted(set(fields) & set(allowed))
    for name in names:
        setattr(instance, name, fields[name])
    return names


def phones_check(model: type[models.Model], **phones: Any) -> None:
    """Validate phone values through `model`'s own phone fields (phonenumbers, default region).

    Empty values pass. Raises one ValidationError keyed by field name, with a message that
    quotes the rejected value and shows the expected format.
    """
    errors = {}
    for name, value in phones.items():
        try:
            model._meta.get_field(name).clean(value, None)
        except ValidationError:
            errors[name] = ValidationError(
                _(
                    "“%(value)s” is not a valid phone number. Enter it with the country code, "
                    "for example +7 912 345-67-89."
                ),
                code="invalid_phone",
                params={"value": value},
            )
    if errors:
        raise ValidationError(errors)


def buyer_profile_get(user: User, *, for_update: bool = False) -> BuyerProfile:
    """The user's buyer profile (row-locked if `for_update`); MarketplaceError if there is none."""
    queryset = BuyerProfile.objects.select_for_update() if for_update else BuyerProfile.objects
    try:
        return queryset.get(user=user)
    except BuyerProfile.DoesNotExist:
        raise MarketplaceError(
            _("%(email)s is not registered as a buyer."),
            code="not_a_buyer",
            params={"email": user.email},
        ) from None
