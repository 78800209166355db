"""Read queries of segments: the resolved rules, the members as one set-based queryset, their
count, a sample and the address stream the Sendsay sync uploads.

Everything is plain ORM (filters, Exists, Subquery with Count/Sum, month/day lookups), so the
same code runs on SQLite, PostgreSQL and MySQL/MariaDB. Counting a segment costs at most three
queries whatever its size: the rule links (one UNION), the storefront time zones (only for age
and birthday rules) and the COUNT itself.

Definitions the counts follow: members are active users with an e-mail address; buyers are users
with a buyer profile, sellers users with a seller profile (company staff), admins staff or
superusers. "Orders" are the buyer's orders that were not cancelled, on any storefront.
"""

from __future__ import annotations

import functools
import operator
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from marketplace.models import (
    BuyerProfile,
    Cart,
    Category,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Storefront,
    User,
)

from .models import GenderRule, Role, Segment
from .rules import SegmentRules, birthday_ranges, category_descendants, latest_birth_date

#: Kind tag of the UNION rows -> (rule name, segment field) for the three rule links.
_LINKS = {1: ("storefront_ids", "storefronts"), 2: ("shipping_method_ids", "shipping_methods"),
          3: ("category_ids", "categories")}
_TREE = 4
_BIRTH = "buyer_profile__birth_date"


@dataclass(frozen=True)
class SegmentMember:
    """One row of a segment's sample."""

    email: str
    name: str
    storefront: str


# -- rules ------------------------------------------------------------------------------

def segment_rules(segment: Segment) -> SegmentRules:
    """The saved segment's rules, chosen categories expanded to their descendants.

    One query: the three link tables and, only when categories are chosen, the (id, parent)
    pairs of the category tree, in one UNION ALL.
    """
    values = {name: getattr(segment, name) for name in SegmentRules.scalar_names()}
    if segment.pk is None:
        return SegmentRules.from_values(values)
    ids: dict[str, set[int]] = {rule: set() for rule, _name in _LINKS.values()}
    edges: list[tuple[int, int | None]] = []
    for kind, node, parent in _link_rows(segment.pk):
        if kind == _TREE:
            edges.append((node, parent or None))
        else:
            ids[_LINKS[kind][0]].add(node)
    ids["category_ids"] = set(category_descendants(ids["category_ids"], edges))
    return SegmentRules.from_values(values, ids)


def _link_rows(segment_pk: int) -> list[tuple[int, int, int]]:
    parts = []
    for kind, (_rule, name) in _LINKS.items():
        link = Segment._meta.get_field(name)
        rows = link.remote_field.through.objects.filter(**{link.m2m_field_name(): segment_pk})
        target = f"{link.m2m_reverse_field_name()}_id"
        parts.append(rows.order_by().values_list(Value(kind), target, Value(0)))
    chosen = Segment.categories.through.objects.filter(segment_id=segment_pk)
    parent = Coalesce("parent_id", Value(0), output_field=IntegerField())
    tree = Category.objects.filter(Exists(chosen)).order_by()
    parts.append(tree.values_list(Value(_TREE), "pk", parent))
    first, *rest = parts
    return list(first.union(*rest, all=True))


def rules_resolve(
    values: Mapping[str, object], *, storefront_ids: Iterable[int] = (),
    shipping_method_ids: Iterable[int] = (), category_ids: Iterable[int] = (),
) -> SegmentRules:
    """Rules from unsaved values (a bound form's cleaned data): expands the categories with
    one query on the category tree, none when no category is chosen."""
    chosen = set(category_ids)
    if chosen:
        edges = Category.objects.order_by().values_list("pk", "parent_id")
        chosen = set(category_descendants(chosen, edges))
    ids = {"storefront_ids": storefront_ids, "shipping_method_ids": shipping_method_ids,
           "category_ids": chosen}
    return SegmentRules.from_values(values, ids)


# -- the members ------------------------------------------------------------------------

def segment_queryset(segment: Segment | SegmentRules) -> QuerySet[User]:
    """The users matching every rule of `segment` (a saved segment or resolved rules).

    Unsaved or invalid rules are the caller's business: validate them with `problems()`;
    rules that do not apply to the role are ignored here.
    """
    rules = segment if isinstance(segment, SegmentRules) else segment_rules(segment)
    base = User.objects.filter(is_active=True).exclude(email="")
    return _ROLE_FILTERS[rules.role](base, rules)


def segment_count(segment: Segment | SegmentRules) -> int:
    return segment_queryset(segment).count()


def segment_sample(segment: Segment | SegmentRules, n: int = 20) -> list[SegmentMember]:
    """The first `n` members (oldest accounts first) with their name and storefront."""
    rules = segment if isinstance(segment, SegmentRules) else segment_rules(segment)
    storefront = {
        Role.BUYER: F("buyer_profile__storefront__name"),
        Role.SELLER: F("seller_profile__company__storefront__name"),
    }.get(rules.role, Value(""))
    rows = (
        segment_queryset(rules).annotate(storefront_name=storefront).order_by("pk")
        .values_list("email", "first_name", "last_name", "storefront_name")[:n]
    )
    return [
        SegmentMember(email, f"{first} {last}".strip(), storefront_name or "")
        for email, first, last, storefront_name in rows
    ]


def segment_addresses(
    segment: Segment | SegmentRules, *, chunk_size: int = 2000
) -> Iterator[tuple[str, bool]]:
    """(e-mail, needs double opt-in) of every member, streamed: addresses that need no
    confirmation first, then buyers whose e-mail is not confirmed, each in id order."""
    rules = segment if isinstance(segment, SegmentRules) else segment_rules(segment)
    needs_confirm = (
        ExpressionWrapper(
            Q(buyer_profile__email_confirmed_at__isnull=True), output_field=BooleanField()
        )
        if rules.role == Role.BUYER else Value(False, output_field=BooleanField())
    )
    return (
        segment_queryset(rules).annotate(needs_confirm=needs_confirm)
        .order_by("needs_confirm", "pk").values_list("email", "needs_confirm")
        .iterator(chunk_size=chunk_size)
    )


# -- role filters -----------------------------------------------------------------------

def _buyers(base: QuerySet[User], rules: SegmentRules) -> QuerySet[User]:
    qs = base.filter(buyer_profile__isnull=False)
    if rules.storefront_ids:
        qs = qs.filter(buyer_profile__storefront__in=rules.storefront_ids)
    if rules.gender:
        gender = "" if rules.gender == GenderRule.UNSPECIFIED else rules.gender
        qs = qs.filter(buyer_profile__gender=gender)
    if rules.email_confirmed is not None:
        qs = qs.filter(buyer_profile__email_confirmed_at__isnull=not rules.email_confirmed)
    qs = qs.filter(_activity_q(rules), _calendar_q(rules))
    if rules.shipping_method_ids:
        qs = qs.filter(Exists(_orders().filter(shipping_method__in=rules.shipping_method_ids)))
    if rules.category_ids:
        qs = qs.filter(_categories_q(rules.category_ids))
    if rules.abandoned_cart_hours:
        qs = qs.filter(Exists(_abandoned_carts(rules.abandoned_cart_hours)))
    qs = _in_range(qs, "segment_orders", _count(_orders(), "buyer"),
                   rules.orders_min, rules.orders_max)
    spent = Coalesce(
        Subquery(_orders().order_by().values("buyer").annotate(s=Sum("total")).values("s")),
        Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    return _in_range(qs, "segment_spent", spent, rules.spent_min, rules.spent_max)


def _sellers(base: QuerySet[User], rules: SegmentRules) -> QuerySet[User]:
    qs = base.filter(seller_profile__isnull=False)
    if rules.storefront_ids:
        qs = qs.filter(seller_profile__company__storefront__in=rules.storefront_ids)
    if rules.seller_status:
        qs = qs.filter(seller_profile__company__status=rules.seller_status)
    company = OuterRef("seller_profile__company")
    products = _count(Product.objects.filter(company=company, is_active=True), "company")
    qs = _in_range(qs, "segment_products", products, rules.products_min, rules.products_max)
    sales = _count(
        Order.objects.filter(company=company, status=OrderStatus.DELIVERED), "company"
    )
    return _in_range(qs, "segment_sales", sales, rules.sales_min, rules.sales_max)


def _admins(base: QuerySet[User], rules: SegmentRules) -> QuerySet[User]:
    return base.filter(Q(is_staff=True) | Q(is_superuser=True))


_ROLE_FILTERS: dict[str, Callable[[QuerySet[User], SegmentRules], QuerySet[User]]] = {
    Role.BUYER: _buyers,
    Role.SELLER: _sellers,
    Role.ADMIN: _admins,
}


# -- building blocks --------------------------------------------------------------------

def _orders() -> QuerySet[Order]:
    """The outer buyer's orders that count: every status but cancelled."""
    return Order.objects.filter(buyer=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)


def _count(rows: QuerySet, group: str) -> Coalesce:
    """COUNT of `rows` (correlated to the outer user) as a scalar subquery, 0 when none."""
    counted = rows.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def _in_range(qs: QuerySet[User], alias: str, expression, low, high) -> QuerySet[User]:
    """Filter on `low <= expression <= high`, skipping bounds that are not set (a lower bound
    of 0 is no bound: the counts and sums are never negative)."""
    if not low and high is None:
        return qs
    qs = qs.alias(**{alias: expression})
    if low:
        qs = qs.filter(**{f"{alias}__gte": low})
    if high is not None:
        qs = qs.filter(**{f"{alias}__lte": high})
    return qs


def _categories_q(category_ids: frozenset[int]) -> Q:
    interested = BuyerProfile.objects.filter(user=OuterRef("pk"), interests__in=category_ids)
    bought = OrderLine.objects.filter(
        order__buyer=OuterRef("pk"), product__category__in=category_ids
    ).exclude(order__status=OrderStatus.CANCELLED)
    return Q(Exists(interested)) | Q(Exists(bought))


def _abandoned_carts(hours: int) -> QuerySet[Cart]:
    return Cart.objects.filter(
        buyer=OuterRef("pk"), ordered_at__isnull=True, lines__isnull=False,
        updated_at__lte=timezone.now() - timedelta(hours=hours),
    )


def _activity_q(rules: SegmentRules) -> Q:
    """Dates are whole days in the project's time zone; a NULL activity matches neither."""
    q = Q()
    if rules.last_activity_after:
        q &= Q(buyer_profile__last_activity_at__gte=_day_start(rules.last_activity_after))
    if rules.last_activity_before:
        q &= Q(buyer_profile__last_activity_at__lt=_day_start(rules.last_activity_before))
    return q


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _calendar_q(rules: SegmentRules) -> Q:
    """Age and birthday rules against "today" in each buyer's storefront time zone.

    Storefronts whose zones share today's date form one branch; usually there is only one, and
    then no time-zone condition is added at all.
    """
    if rules.age_min is None and rules.age_max is None and rules.birthday_within_days is None:
        return Q()
    branches = _zones_by_today(rules.storefront_ids)
    if len(branches) == 1:
        return _calendar_day_q(rules, next(iter(branches)))
    return _any_of(
        Q(buyer_profile__storefront__time_zone__in=zones) & _calendar_day_q(rules, today)
        for today, zones in branches.items()
    )


def _zones_by_today(storefront_ids: frozenset[int]) -> dict[date, list[str]]:
    storefronts = Storefront.objects.order_by()
    if storefront_ids:
        storefronts = storefronts.filter(pk__in=storefront_ids)
    now, default = timezone.now(), timezone.get_default_timezone()
    branches: dict[date, list[str]] = defaultdict(list)
    for zone in storefronts.values_list("time_zone", flat=True).distinct():
        try:
            tz = zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = default
        branches[timezone.localdate(now, tz)].append(zone)
    return branches or {timezone.localdate(now, default): []}


def _calendar_day_q(rules: SegmentRules, today: date) -> Q:
    q = Q()
    if rules.age_min is not None:
        q &= Q(**{f"{_BIRTH}__lte": latest_birth_date(today, rules.age_min)})
    if rules.age_max is not None:
        q &= Q(**{f"{_BIRTH}__gt": latest_birth_date(today, rules.age_max + 1)})
    if rules.birthday_within_days is not None:
        q &= _any_of(
            Q(**{f"{_BIRTH}__month": month, f"{_BIRTH}__day__gte": first,
                 f"{_BIRTH}__day__lte": last})
            for month, first, last in birthday_ranges(today, rules.birthday_within_days)
        )
    return q


def _any_of(conditions: Iterable[Q]) -> Q:
    return functools.reduce(operator.or_, conditions)
