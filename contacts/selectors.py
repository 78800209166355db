"""Read queries of the contact export: which contacts an account exports, their columns and the
per-chunk aggregates the mapped fields need (id-range queries), who goes first when the upload
budget is short, and the exported contacts of deleted users. The stream of changed contacts is
`changes`'.

Priority (when the budget cannot take every new contact): contacts that may be mailed at once
(buyers who confirmed their e-mail, and seller staff) before buyers waiting for double opt-in;
within each, the most recently active first (buyer's last activity, else last login; never
active last), then by user id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Lower

from marketplace.models import BuyerProfile, Category, Order, OrderStatus, Product, User
from sendsay_admin.models import SendsayAccount

from .models import ExportedContact
from .timestamps import fast_timestamps
from .values import ORDER_AGGREGATES, ExportPlan

#: Rows read from the database per chunk (one round of aggregate queries per chunk).
CHUNK_SIZE = 5000
#: Up to this many changed contacts of a chunk are read by id (IN), more by id range when they
#: are close together (`_by_range`).
DETAIL_IN_MAX = 500
#: Between the columns hashed together (a character no address or name holds).
SEPARATOR = "\x1f"

ROW_FIELDS = {
    "bp_id": F("buyer_profile__id"),
    "bp_gender": F("buyer_profile__gender"),
    "bp_birth_date": F("buyer_profile__birth_date"),
    "bp_phone": Cast("buyer_profile__phone", CharField()),
    "bp_city": F("buyer_profile__city"),
    "bp_delivery_address": F("buyer_profile__delivery_address"),
    "bp_confirmed": ExpressionWrapper(Q(buyer_profile__email_confirmed_at__isnull=False),
                                      output_field=BooleanField()),
    "bp_activity": F("buyer_profile__last_activity_at"),
    "bp_created": F("buyer_profile__created_at"),
    "bp_storefront": F("buyer_profile__storefront__name"),
    "bp_shipping": F("buyer_profile__preferred_shipping_method__code"),
    "company_id": F("seller_profile__company_id"),
    "company_name": F("seller_profile__company__name"),
    "company_status": F("seller_profile__company__status"),
    "company_created": F("seller_profile__company__created_at"),
}
PLAIN_FIELDS = ("id", "email", "first_name", "last_name")


def served_storefronts(account: SendsayAccount) -> tuple[str, list[int]]:
    """("only", ids) for a storefront's account; ("except", ids of storefronts with their own
    account) for the marketplace-wide one (`account_for_storefront`'s rule)."""
    if account.storefront_id is not None:
        return "only", [account.storefront_id]
    own = SendsayAccount.objects.filter(storefront__isnull=False)
    return "except", list(own.values_list("storefront_id", flat=True))


def contacts_queryset(account: SendsayAccount) -> QuerySet[User]:
    """Active users with an e-mail who buy or sell on a storefront the account serves."""
    storefront = Coalesce("buyer_profile__storefront_id", "seller_profile__company__storefront_id")
    qs = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(buyer_profile__isnull=False) | Q(seller_profile__isnull=False))
    )
    mode, ids = served_storefronts(account)
    if mode == "only":
        return qs.alias(contact_storefront=storefront).filter(contact_storefront__in=ids)
    if ids:
        return qs.alias(contact_storefront=storefront).exclude(contact_storefront__in=ids)
    return qs


def contact_details(account: SendsayAccount, plan: ExportPlan,
                    ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """user id -> every column the values are computed from, with the orders aggregate values,
    for the contacts `ids` (one chunk's changed ones, ascending)."""
    qs = contacts_queryset(account)
    if _by_range(ids):  # many and close together: the id range is cheaper than a long IN
        qs, wanted = qs.filter(pk__gte=ids[0], pk__lte=ids[-1]), set(ids)
    else:
        qs, wanted = qs.filter(pk__in=ids), None
    with fast_timestamps():
        rows = {row["id"]: row for row in qs.values(*PLAIN_FIELDS, **ROW_FIELDS)
                if wanted is None or row["id"] in wanted}
        if not plan.needs("buyer", *ORDER_AGGREGATES):
            return rows
        orders = _orders(ids).values("buyer_id").annotate(
            n=Count("id"), spent=Sum("total"), last=Max("created_at"))
        values = {item[0]: item[1:] for item in orders.values_list(
            "buyer_id", "n", "spent", "last")}
    for row in rows.values():
        row["orders_count"], row["total_spent"], row["last_order_at"] = values.get(
            row["id"], (0, None, None))
    return rows


def _orders(ids: Sequence[int]) -> QuerySet[Order]:
    """The non-cancelled orders of the buyers `ids` (ascending), ungrouped and unordered."""
    qs = Order.objects.exclude(status=OrderStatus.CANCELLED).order_by()
    if _by_range(ids):
        return qs.filter(buyer_id__gte=ids[0], buyer_id__lte=ids[-1])
    return qs.filter(buyer_id__in=ids)


def _by_range(ids: Sequence[int]) -> bool:
    """Read the ids `ids` (ascending) by id range: many of them, and at least half of the ids
    of their range (a few changed contacts spread over every user are read by id)."""
    return len(ids) > DETAIL_IN_MAX and ids[-1] - ids[0] < 2 * len(ids)


def contacts_count(account: SendsayAccount, after: int = 0) -> int:
    return contacts_queryset(account).filter(pk__gt=after).count()


def new_contacts(account: SendsayAccount) -> QuerySet[User]:
    """Contacts whose address Sendsay has not accepted yet from this export: each costs an
    upload."""
    accepted = ExportedContact.objects.filter(
        account=account, user=OuterRef("pk"), in_sendsay=True, email=OuterRef("email"))
    return contacts_queryset(account).exclude(Exists(accepted))


def first_new_contacts(account: SendsayAccount, budget: int | None) -> set[int] | None:
    """The user ids of the new contacts that fit in `budget` uploads, in priority order; None
    when all of them fit (or there is no limit). At most `budget` ids are held."""
    qs = new_contacts(account)
    if budget is None or qs.count() <= budget:
        return None
    waiting = Q(seller_profile__isnull=True, buyer_profile__email_confirmed_at__isnull=True)
    ranked = qs.annotate(
        tier=Case(When(waiting, then=Value(1)), default=Value(0), output_field=IntegerField()),
        activity=Coalesce("buyer_profile__last_activity_at", "last_login"),
    ).order_by("tier", F("activity").desc(nulls_last=True), "pk")
    return set(ranked.values_list("pk", flat=True)[:budget])


def chunk_aggregates(plan: ExportPlan, rows: Sequence[dict[str, Any]]) -> None:
    """Add to each row (`contact_details`' rows of a chunk) the small aggregates its mapped
    fields read, with a few set-based queries: interests, the seller company's active products
    and non-cancelled orders (the orders aggregates come with the details)."""
    if plan.needs("buyer", "interest_categories"):
        interests = _interests([row["bp_id"] for row in rows if row["bp_id"] is not None])
        for row in rows:
            row["interests"] = interests.get(row["bp_id"], ())
    companies = {row["company_id"] for row in rows if row["company_id"] is not None}
    if companies and plan.needs("seller", "products_count"):
        products = _counts(Product.objects.filter(company_id__in=companies, is_active=True))
        for row in rows:
            row["products_count"] = products.get(row["company_id"], 0)
    if companies and plan.needs("seller", "sales_count"):
        sales = _counts(Order.objects.filter(company_id__in=companies)
                        .exclude(status=OrderStatus.CANCELLED))
        for row in rows:
            row["sales_count"] = sales.get(row["company_id"], 0)


def _interests(profile_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """buyer profile id -> sorted slugs of its categories of interest. The profiles of a chunk
    are read by id range when their ids are close together (the usual case: a profile is
    created with its user), else by id."""
    if not profile_ids:
        return {}
    low, high = min(profile_ids), max(profile_ids)
    through = BuyerProfile.interests.through.objects.order_by()
    if high - low < 4 * len(profile_ids):
        through = through.filter(buyerprofile_id__gte=low, buyerprofile_id__lte=high)
    else:
        through = through.filter(buyerprofile_id__in=profile_ids)
    slugs = dict(Category.objects.values_list("pk", "slug"))
    found: dict[int, list[str]] = defaultdict(list)
    for profile_id, category_id in through.values_list("buyerprofile_id", "category_id"):
        found[profile_id].append(slugs[category_id])
    return {key: tuple(sorted(value)) for key, value in found.items()}


def _counts(qs: QuerySet) -> dict[int, int]:
    return dict(qs.order_by().values("company_id").annotate(n=Count("id"))
                .values_list("company_id", "n"))


def departed_contacts(account: SendsayAccount) -> list[int]:
    """Row ids of exported contacts whose user was deleted from the marketplace."""
    return list(ExportedContact.objects.filter(account=account, user__isnull=True)
                .order_by("pk").values_list("pk", flat=True))


def users_by_email(emails: Sequence[str]) -> dict[str, int]:
    """lower-cased address -> id of the user who has it now (addresses are unique per user,
    ignoring case)."""
    found = User.objects.annotate(address=Lower("email")).filter(
        address__in=[email.lower() for email in emails])
    return dict(found.values_list("address", "pk"))
