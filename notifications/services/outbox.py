"""`emit`: turn one business event into outbox rows inside the caller's transaction."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from marketplace.models import MarketplaceSettings
from notifications.events import Category, EventSpec, Role, event_spec
from notifications.exceptions import MissingRefError
from notifications.models import MessageStatus, OutboxEvent, OutboxMessage
from notifications.payloads import Refs, payload_build
from notifications.recipients import Recipient, recipients_resolve
from notifications.selectors import opted_out, refs_load, refs_split

from .enqueue import deliveries_enqueue
from .rows import rows_insert

MARKETPLACE_ROLES = frozenset({Role.ADMIN, Role.WAREHOUSE, Role.QUALITY})
OCCURRENCE_MAX = 255


def emit(event: str, *, occurrence: str | None = None, **refs: Any) -> list[int]:
    """Write one outbox row per (occurrence, recipient, channel) of `event`; return the ids of
    the rows this call created and will deliver.

    Call it INSIDE the business transaction: a rollback removes the rows and enqueues nothing;
    after commit the rows go to Celery in chunks. `refs` are instances or ids (`order`/
    `order_id`, `user`/`user_id`, `company`/`company_id`, `storefront`/`storefront_id`,
    `user_ids` for a list of buyers, `status`/`to_status`, `from_status`) plus the primitive
    data the event carries (`confirm_url`, `title` ...). `occurrence` defaults to the event's
    occurrence refs (`order=12;status=confirmed`); emitting the same occurrence again creates
    nothing. Marketing messages to someone who opted out of that channel are stored SKIPPED
    (visible in the delivery log) and never enqueued. The query count does not depend on the
    number of recipients. Raises `UnknownEventError` and `MissingRefError`.
    """
    spec = event_spec(event)
    if not spec.audiences:
        return []
    known, params = refs_split(refs)
    loaded = refs_load(known, params)
    variant = _variant(spec, loaded)
    payload = payload_build(spec, loaded)
    occurrence = occurrence or occurrence_default(spec, loaded)
    roles = spec.roles_for(variant)
    marketplace = MarketplaceSettings.load() if MARKETPLACE_ROLES & set(roles) else None
    recipients = recipients_resolve(spec, variant, loaded, marketplace)
    now = timezone.now()
    storefront = loaded.event_storefront
    row = _event_row(spec, variant, occurrence, payload, storefront, now)
    rows = _message_rows(spec, row, recipients, now)
    rows_insert(OutboxMessage, rows, ignore_conflicts=True)  # the idempotency key
    ids = list(
        OutboxMessage.objects.filter(event=row, created_at=now, status=MessageStatus.PENDING)
        .order_by("id").values_list("id", flat=True)
    )
    if ids:
        transaction.on_commit(partial(deliveries_enqueue, message_ids=ids, coalesce=True),
                              robust=True)
    return ids


def _variant(spec: EventSpec, refs: Refs) -> str:
    """The template variant: the value of the event's `variant_ref` (the new order status)."""
    if not spec.variant_ref:
        return ""
    value = _ref_value(spec.variant_ref, refs)
    if value not in spec.variants:
        raise MissingRefError(
            f"{spec.name}: {spec.variant_ref}={value!r} is not one of {', '.join(spec.variants)}"
        )
    return str(value)


def _ref_value(name: str, refs: Refs) -> str:
    objects = {"order": refs.order, "user": refs.user, "company": refs.company,
               "storefront": refs.storefront}
    if name in objects:
        obj = objects[name]
        return str(obj.pk) if obj is not None else ""
    if name in ("status", "from_status"):
        return getattr(refs, name)
    return str(refs.params.get(name, ""))


def occurrence_default(spec: EventSpec, refs: Refs) -> str:
    """`name=value;...` of the event's occurrence refs; long values are hashed."""
    if not spec.occurrence:
        raise MissingRefError(f"{spec.name} has no natural occurrence: pass occurrence=")
    parts = []
    for name in spec.occurrence:
        value = _ref_value(name, refs)
        if not value:
            raise MissingRefError(f"{spec.name} needs {name} to identify the occurrence")
        if len(value) > 64:
            value = hashlib.sha256(value.encode()).hexdigest()[:32]
        parts.append(f"{name}={value}")
    return ";".join(parts)[:OCCURRENCE_MAX]


def _event_row(spec, variant, occurrence, payload, storefront, now) -> OutboxEvent:
    OutboxEvent.objects.bulk_create(
        [OutboxEvent(event=spec.name, variant=variant, occurrence=occurrence,
                     category=spec.category, storefront=storefront, payload=payload,
                     created_at=now)],
        ignore_conflicts=True,
    )
    return OutboxEvent.objects.get(event=spec.name, variant=variant, occurrence=occurrence)


def idempotency_key(
    *, event: str, variant: str, occurrence: str, role: str, recipient: str, channel: str
) -> str:
    text = "\x1f".join((event, variant, occurrence, role, recipient.strip().lower(), channel))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _message_rows(
    spec: EventSpec, row: OutboxEvent, recipients: list[Recipient], now
) -> list[dict[str, Any]]:
    """The new outbox rows as column values by attribute name (`rows_insert` writes them)."""
    blocked = opted_out(
        category=spec.category, user_ids=[r.user_id for r in recipients],
        company_ids=[r.company_id for r in recipients],
    )
    base = {**_defaults(), "event_id": row.pk, "next_attempt_at": now, "created_at": now}
    rows = []
    for recipient in recipients:
        channels = recipient.channels_for(spec.channels_for(recipient.role), spec.category)
        for channel in channels:  # only channels it has an address for
            address = recipient.addresses[channel]
            message = {
                **base, "role": recipient.role, "channel": channel, "recipient": address,
                "recipient_user_id": recipient.user_id, "company_id": recipient.company_id,
                "sender": recipient.sender, "language": recipient.language,
                "idempotency_key": idempotency_key(
                    event=spec.name, variant=row.variant, occurrence=row.occurrence,
                    role=recipient.role, recipient=address, channel=channel),
            }
            if _is_blocked(spec, recipient, channel, blocked):
                message["status"] = MessageStatus.SKIPPED
                message["error"] = f"opted out of {spec.category} messages by {channel}"
            rows.append(message)
    return rows


def _fields() -> list:
    return [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]


def _defaults() -> dict[str, Any]:
    return {field.attname: field.get_default() for field in _fields()}


def _is_blocked(spec: EventSpec, recipient: Recipient, channel: str, blocked: set) -> bool:
    if spec.category != Category.MARKETING:
        return False
    return (("user", recipient.user_id, channel) in blocked
            or ("company", recipient.company_id, channel) in blocked)
