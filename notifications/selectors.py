"""Read queries of the notification engine: an emission's objects and opt-outs, fixed cost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Prefetch, Q

from marketplace.models import Company, Order, OrderLine, Storefront, User

from .events import Category
from .exceptions import MissingRefError
from .models import ContactPreference
from .payloads import Refs

#: Aliases accepted by `emit` for each reference (instances or ids).
OBJECT_REFS = {
    "order": ("order", "order_id"),
    "user": ("user", "user_id"),
    "company": ("company", "company_id"),
    "storefront": ("storefront", "storefront_id"),
}
STATUS_REFS = {"status": ("status", "to_status"), "from_status": ("from_status",)}
AUDIENCE_REFS = ("users", "user_ids")


def _pk(value: Any) -> int:
    return value.pk if isinstance(value, Model) else int(value)


def _take(raw: dict[str, Any], names: Iterable[str]) -> Any:
    found = [raw.pop(name) for name in names if name in raw]
    return found[0] if found else None


def refs_split(raw_refs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(ids and statuses by canonical name, every other ref as a param); instances become ids."""
    raw = dict(raw_refs)
    known: dict[str, Any] = {}
    for name, aliases in OBJECT_REFS.items():
        value = _take(raw, aliases)
        if value is not None:
            known[name] = _pk(value)
    for name, aliases in STATUS_REFS.items():
        value = _take(raw, aliases)
        if value is not None:
            known[name] = str(value)
    audience = _take(raw, AUDIENCE_REFS)
    if audience is not None:
        known["audience"] = [_pk(item) for item in audience]
    return known, raw


def _order(order_id: int) -> Order:
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    try:
        return (
            Order.objects.select_related(
                "storefront", "company__storefront", "company__notification_settings",
                "buyer__buyer_profile__storefront", "shipping_method",
            ).prefetch_related(lines).get(pk=order_id)
        )
    except Order.DoesNotExist:
        raise MissingRefError(f"order {order_id} does not exist") from None


def _user(user_id: int) -> User:
    try:
        return User.objects.select_related(
            "buyer_profile__storefront", "seller_profile__company__storefront",
            "seller_profile__company__notification_settings",
        ).get(pk=user_id)
    except User.DoesNotExist:
        raise MissingRefError(f"user {user_id} does not exist") from None


def _one(model: type[Model], pk: int, *related: str) -> Any:
    try:
        return model.objects.select_related(*related).get(pk=pk)
    except model.DoesNotExist:
        raise MissingRefError(f"{model.__name__.lower()} {pk} does not exist") from None


def refs_load(known: Mapping[str, Any], params: Mapping[str, Any]) -> Refs:
    """Load what `known` names: one query per kind of object, one more for order lines."""
    refs = Refs(status=known.get("status", ""), from_status=known.get("from_status", ""),
                params=dict(params))
    if "order" in known:
        refs.order = _order(known["order"])
        refs.status = refs.status or refs.order.status
    if "user" in known:
        refs.user = _user(known["user"])
    if "company" in known:
        refs.company = _one(Company, known["company"], "storefront", "notification_settings")
    if "storefront" in known:
        refs.storefront = _one(Storefront, known["storefront"])
    if "audience" in known:
        refs.audience = _audience(known["audience"], refs.storefront)
    return refs


@dataclass(frozen=True)
class AudienceProfile:
    """What recipient resolution reads of an audience member's buyer profile."""

    phone: Any
    storefront: Storefront


@dataclass(frozen=True)
class AudienceMember:
    """What recipient resolution (`recipients.buyers`) reads of a fan-out's user: plain rows
    instead of model instances, tens of thousands at a time."""

    pk: int
    email: str
    buyer_profile: AudienceProfile | None


def _audience(user_ids, storefront: Storefront | None) -> list[AudienceMember]:
    """The users of a fan-out, in id order; their storefronts loaded once each (one query
    more only when some are not the event's `storefront`)."""
    rows = list(User.objects.filter(pk__in=user_ids).order_by("pk").values_list(
        "pk", "email", "buyer_profile__id", "buyer_profile__phone",
        "buyer_profile__storefront_id"))
    storefronts = {storefront.pk: storefront} if storefront is not None else {}
    others = {row[4] for row in rows if row[2] is not None} - set(storefronts)
    if others:
        storefronts.update(Storefront.objects.in_bulk(others))
    return [AudienceMember(pk, email, AudienceProfile(phone, storefronts[storefront_id])
                           if profile_id is not None else None)
            for pk, email, profile_id, phone, storefront_id in rows]


def opted_out(
    *, category: str, user_ids: Iterable[int], company_ids: Iterable[int]
) -> set[tuple[str, int, str]]:
    """Opt-outs as {("user"|"company", id, channel)} for `category` (one query; none for
    transactional, which ignores preferences)."""
    user_ids, company_ids = set(user_ids) - {None}, set(company_ids) - {None}
    if category != Category.MARKETING or not (user_ids or company_ids):
        return set()
    rows = ContactPreference.objects.filter(
        Q(user_id__in=user_ids) | Q(company_id__in=company_ids), category=category, allowed=False
    ).values_list("user_id", "company_id", "channel")
    return {
        ("user", user_id, channel) if user_id else ("company", company_id, channel)
        for user_id, company_id, channel in rows
    }
