"""`sync_record`: what a marketplace event changes in Sendsay, written as sync outbox rows inside
the caller's transaction (called by `notifications.emit`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Model, Q, Value, When
from django.utils import timezone

from marketplace.models import Cart, Order, Product
from notifications.models import MessageStatus, SyncItem, SyncKind, SyncRole

from . import conf
from .rules import EVENT_TYPES, SsecKind, SyncRule, rule_for

PENDING, SENDING = MessageStatus.PENDING, MessageStatus.SENDING
ALIASES = {
    "user": ("user", "user_id"), "company": ("company", "company_id"),
    "order": ("order", "order_id"), "product": ("product", "product_id"),
    "cart": ("cart", "cart_id"), "status": ("status", "to_status"),
}


def sync_record(event: str, **refs: Any) -> list[str]:
    """Record what `event` means for Sendsay (see `rules.SYNC_RULES`); return the keys of the
    rows it made due. Events without a rule cost nothing (no query).

    * A buyer or seller whose mapped fields may have changed gets its member row made due in
      NOTIFICATIONS_SYNC_DELAY_SECONDS (one UPDATE; an INSERT the first time): changes before
      the flush coalesce into one member.set with the values read at send time.
    * An e-commerce event gets its own row, due at once (unique key: the same order status
      twice is one row). Registration and orders are per occurrence; product views and basket
      changes are each their own event.
    Nothing is enqueued here: the periodic flush hands due rows to workers in batches, so many
    events share one task and one ssec POST instead of costing a task each. At most one query
    finds the contact (the order's buyer and company, the cart's buyer, the product's
    company); a rollback removes everything. Missing refs sync nothing.
    """
    rule = rule_for(event)
    if rule is None or not conf.enabled():
        return []
    ids = _ids(refs)
    buyer_id, company_id = _contacts(rule, ids)
    now = timezone.now()
    keys = []
    if rule.buyer and buyer_id:
        keys.append(_contact_due(SyncRole.BUYER, buyer_id, event, now))
    if rule.seller and company_id:
        keys.append(_contact_due(SyncRole.SELLER, company_id, event, now))
    if rule.ssec and buyer_id:
        row = _event_row(rule.ssec, event, buyer_id, ids, now)
        if row is not None:
            SyncItem.objects.bulk_create([row], ignore_conflicts=True)
            keys.append(row.key)
    return keys


def _pk(value: Any) -> int | None:
    if isinstance(value, Model):
        return value.pk
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _ids(refs: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, aliases in ALIASES.items():
        value = next((refs[a] for a in aliases if refs.get(a) not in (None, "")), None)
        if value is not None:
            found[name] = str(value) if name == "status" else _pk(value)
    return found


def _contacts(rule: SyncRule, ids: dict[str, Any]) -> tuple[int | None, int | None]:
    """(buyer user id, seller company id) the event is about."""
    buyer_id, company_id = ids.get("user"), ids.get("company")
    if ids.get("order"):
        row = Order.objects.filter(pk=ids["order"]).values_list("buyer_id", "company_id").first()
        buyer_id, company_id = row or (None, None)
    elif ids.get("cart"):
        buyer_id = Cart.objects.filter(pk=ids["cart"]).values_list("buyer_id", flat=True).first()
    elif rule.seller and ids.get("product") and not company_id:
        company_id = (Product.objects.filter(pk=ids["product"])
                      .values_list("company_id", flat=True).first())
    return buyer_id, company_id


def member_key(role: str, pk: int) -> str:
    return f"member:{role}:{pk}"


def _contact_due(role: str, pk: int, event: str, now: datetime) -> str:
    """Make the contact's member row due (a burst of changes stays one row, one call).

    A PENDING row keeps its due time (a retry's backoff included); a SENDING one stays with
    its worker, which sees the bumped `generation` and sends again; a finished one becomes
    PENDING with fresh attempts after the coalescing delay."""
    key = member_key(role, pk)
    due = now + timedelta(seconds=conf.delay_seconds())
    busy = Q(status__in=[PENDING, SENDING])
    changes = {
        "generation": F("generation") + 1, "changed_at": now, "source_event": event,
        "status": Case(When(status=SENDING, then=Value(SENDING)), default=Value(PENDING)),
        "next_attempt_at": Case(When(busy, then=F("next_attempt_at")), default=Value(due)),
        "attempts": Case(When(busy, then=F("attempts")), default=Value(0)),
        "error": Case(When(busy, then=F("error")), default=Value(""),
                      output_field=SyncItem._meta.get_field("error")),
    }
    if SyncItem.objects.filter(key=key).update(**changes):
        return key
    contact = {"user_id": pk} if role == SyncRole.BUYER else {"company_id": pk}
    try:
        with transaction.atomic():
            SyncItem.objects.create(kind=SyncKind.MEMBER, key=key, source_event=event, role=role,
                                    next_attempt_at=due, created_at=now, changed_at=now,
                                    **contact)
    except IntegrityError:  # created concurrently: count this change on that row
        SyncItem.objects.filter(key=key).update(**changes)
    return key


def _event_row(kind: SsecKind, event: str, buyer_id: int, ids: dict, now) -> SyncItem | None:
    """The ssec row of one occurrence; its body is built at send time from `refs`."""
    if kind == SsecKind.REGISTRATION:
        key, refs, ordering_key = f"event:registration:{buyer_id}", {}, ""
    elif kind == SsecKind.VIEW_PRODUCT and ids.get("product"):
        key, refs, ordering_key = (f"event:view:{uuid.uuid4().hex}",
                                   {"product_id": ids["product"]}, "")
    elif kind == SsecKind.BASKET and ids.get("cart"):
        key, refs, ordering_key = (f"event:basket:{uuid.uuid4().hex}", {"cart_id": ids["cart"]},
                                   f"cart:{ids['cart']}")
    elif kind == SsecKind.ORDER and ids.get("order"):
        status = ids.get("status") or "placed"
        key, refs, ordering_key = (f"event:order:{ids['order']}:{status}",
                                   {"order_id": ids["order"], "status": status},
                                   f"order:{ids['order']}")
    else:
        return None
    return SyncItem(
        kind=SyncKind.EVENT, key=key, source_event=event, role=SyncRole.BUYER, user_id=buyer_id,
        event_type=int(EVENT_TYPES[kind]), refs={"kind": str(kind), **refs},
        ordering_key=ordering_key, next_attempt_at=now, created_at=now, changed_at=now,
    )

