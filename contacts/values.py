"""Pure export values: a contact row (database values plus per-chunk aggregates) turned into the
datakey triples Sendsay gets, the import caption and cells, and the two hashes that make the
export incremental. No ORM, no network; the conversions are `sendsay_admin.fields`'.

Hashes: the source hash covers the mapping (`ExportPlan.signature`) and only the inputs the mapped
fields read (`ExportPlan.source_keys`); the database computes and compares it
(`changes.source_hash`), so an unchanged contact is recognised without reading its columns or
computing its values. `content_hash` covers what would be sent (address, triples, cleared
paths), so a contact whose source changed but whose exported values did not (a total spent of
100.20 -> 100.40 sent as the integer 100) is still not uploaded again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from sendsay_admin import fields as catalogue
from sendsay_admin.fields import (
    BUYER,
    SELLER,
    BuyerFacts,
    MappingSpec,
    SellerFacts,
)

#: Bump when the meaning of a row changes, so every contact is compared afresh. 2: emptied
#: values are sent as cleared (`cleared_paths`), so a contact with an empty mapped field is sent
#: once more, which clears a value an earlier version left behind in Sendsay. 3: the database
#: computes the source hash (`changes.source_hash`): the first run after the upgrade finds every
#: stored source hash different, reads every contact in full and compares its content hash (an
#: unchanged contact is not uploaded, only its new source hash stored), about the work of a full
#: export without the uploads, once.
VALUES_VERSION = 3
#: How a cleared path is sent: `set` with an empty value, in member.set triples and import cells
#: alike. [I] the reference (sendsay-api.md 5.2, 6.2) names the modes set/push/merge/unshift [R]
#: but no source says how a value is removed; an empty `set` is the one form both calls share
#: (an import cell cannot carry a mode of its own). Check against the live API.
CLEARED = ""

#: Inputs each catalogue field reads: row columns (named by the selector) and aggregates.
BUYER_INPUTS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",), "last_name": ("last_name",), "gender": ("bp_gender",),
    "birth_date": ("bp_birth_date",), "phone": ("bp_phone",), "city": ("bp_city",),
    "storefront": ("bp_storefront",), "registered_at": ("bp_created",),
    "email_confirmed": ("bp_confirmed",), "last_activity_at": ("bp_activity",),
    "orders_count": ("orders_hash",), "total_spent": ("orders_hash",),
    "last_order_at": ("orders_hash",), "has_delivery_address": ("bp_delivery_address",),
    "interest_categories": ("interests",), "shipping_method": ("bp_shipping",),
}
SELLER_INPUTS: dict[str, tuple[str, ...]] = {
    "company_name": ("company_name",), "company_status": ("company_status",),
    "products_count": ("products_count",), "sales_count": ("sales_count",),
    "registered_at": ("company_created",),
}
#: Aggregates (not row columns): in the source hash (`orders_hash` stands for the orders
#: count, sum and last date), and computed per chunk for the changed contacts.
AGGREGATES = ("orders_hash", "interests", "products_count", "sales_count")
#: The buyer fields read from the orders aggregate.
ORDER_AGGREGATES = {"orders_count", "total_spent", "last_order_at"}


def _local(value, zone: tzinfo):
    return value.astimezone(zone) if value is not None else None


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class ExportPlan:
    """The mapping as the loop needs it: specs per role, the caption paths, the row columns the
    mapped fields read (`row_keys`) and every input the source hash covers. Built once per
    run."""

    buyer_specs: tuple[MappingSpec, ...]
    seller_specs: tuple[MappingSpec, ...]
    paths: tuple[str, ...]
    row_keys: tuple[str, ...]
    source_keys: tuple[str, ...]
    signature: str
    #: Local dates are those of this zone (the project's TIME_ZONE, like the mapping preview).
    zone: tzinfo = dt.UTC
    #: (Sendsay path, catalogue getter, `fields.value_converter`) of each mapped field of a
    #: role, in mapping order.
    buyer_fields: tuple[tuple[str, Callable, Callable], ...] = ()
    seller_fields: tuple[tuple[str, Callable, Callable], ...] = ()

    def needs(self, role: str, *codes: str) -> bool:
        specs = self.buyer_specs if role == BUYER else self.seller_specs
        return any(spec.field_code in codes for spec in specs)

    def caption(self) -> list[dict[str, str]]:
        """member.import caption: the address, then one column per mapped Sendsay field."""
        return [{"datakey": "member.email", "mode": "set"}] + [
            {"datakey": path, "mode": "set"} for path in self.paths]

    def cells(self, email: str, triples: Sequence[Sequence[Any]]) -> list[Any]:
        """One import row in caption order (`CLEARED` where the contact has no value: for a
        contact already in Sendsay that clears a value sent before)."""
        values = {path: value for path, _mode, value in triples}
        return [email] + [values.get(path, CLEARED) for path in self.paths]

    def cleared(self, triples: Sequence[Sequence[Any]]) -> list[str]:
        """The mapped paths the contact has no value for, in caption order."""
        taken = {path for path, _mode, _value in triples}
        return [path for path in self.paths if path not in taken]

    def clearing_triples(self, triples: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """member.set triples clearing the paths without a value (see `CLEARED`)."""
        return [[path, "set", CLEARED] for path in self.cleared(triples)]


def plan_build(buyer_specs: Iterable[MappingSpec], seller_specs: Iterable[MappingSpec],
               *, time_zone: str) -> ExportPlan:
    buyer, seller = tuple(buyer_specs), tuple(seller_specs)
    paths = list(dict.fromkeys([s.sendsay_path for s in buyer + seller]))
    inputs = [k for s in buyer for k in BUYER_INPUTS.get(s.field_code, ())]
    inputs += [k for s in seller for k in SELLER_INPUTS.get(s.field_code, ())]
    inputs = list(dict.fromkeys(inputs))
    row_keys = tuple(k for k in inputs if k not in AGGREGATES)
    keys = ("email", "bp_id", "company_id", *row_keys, *(k for k in inputs if k in AGGREGATES))
    signature = _digest(json.dumps(
        [VALUES_VERSION, time_zone, [_spec_key(s) for s in buyer], [_spec_key(s) for s in seller]],
        sort_keys=True, ensure_ascii=False))
    return ExportPlan(buyer, seller, tuple(paths), row_keys, keys, signature,
                      zoneinfo.ZoneInfo(time_zone), _fields(BUYER, buyer), _fields(SELLER, seller))


def _fields(role: str, specs: tuple[MappingSpec, ...]) -> tuple:
    items = {item.code: item for item in catalogue.catalogue_for(role)}
    return tuple((spec.sendsay_path, items[spec.field_code].getter,
                  catalogue.value_converter(spec, items[spec.field_code]))
                 for spec in specs if spec.field_code in items)


def _spec_key(spec: MappingSpec) -> list[Any]:
    return [spec.field_code, spec.sendsay_path, spec.sendsay_type, spec.sendsay_subtype,
            sorted(spec.answer_map.items())]


def buyer_facts(row: Mapping[str, Any], zone: tzinfo = dt.UTC) -> BuyerFacts:
    """`BuyerFacts` from a selector row (same rules as `sendsay_admin`'s `buyer_facts`)."""
    return BuyerFacts(
        first_name=row["first_name"] or "",
        last_name=row["last_name"] or "",
        gender=row["bp_gender"] or "",
        birth_date=row["bp_birth_date"],
        phone=row["bp_phone"] or "",
        city=row["bp_city"] or "",
        storefront=row["bp_storefront"] or "",
        registered_at=_local(row["bp_created"], zone),
        email_confirmed=bool(row["bp_confirmed"]),
        last_activity_at=_local(row["bp_activity"], zone),
        orders_count=row.get("orders_count") or 0,
        total_spent=row.get("total_spent") or Decimal(0),
        last_order_at=_local(row.get("last_order_at"), zone),
        has_delivery_address=bool(row["bp_delivery_address"]),
        interest_categories=tuple(row.get("interests") or ()),
        shipping_method=row["bp_shipping"] or "",
    )


def seller_facts(row: Mapping[str, Any], zone: tzinfo = dt.UTC) -> SellerFacts:
    return SellerFacts(
        company_name=row["company_name"] or "",
        status=row["company_status"] or "",
        products_count=row.get("products_count") or 0,
        sales_count=row.get("sales_count") or 0,
        registered_at=_local(row["company_created"], zone),
    )


def contact_triples(plan: ExportPlan, row: Mapping[str, Any]) -> list[list[Any]]:
    """The ``[path, "set", value]`` triples of a buyer, a seller or both (a path mapped for
    both roles keeps the buyer's value)."""
    triples: list[list[Any]] = []
    if row["bp_id"] is not None and plan.buyer_fields:
        triples += _triples(plan.buyer_fields, buyer_facts(row, plan.zone))
    if row["company_id"] is not None and plan.seller_fields:
        taken = {path for path, _mode, _value in triples}
        triples += [t for t in _triples(plan.seller_fields, seller_facts(row, plan.zone))
                    if t[0] not in taken]
    return triples


def _triples(fields, facts) -> list[list[Any]]:
    """`fields.datakey_triples` with the catalogue lookups and conversion choices done once
    per run."""
    triples = []
    for path, getter, convert in fields:
        converted = convert(getter(facts))
        if converted is not None:
            triples.append([path, "set", converted])
    return triples


def content_hash(email: str, triples: Sequence[Sequence[Any]],
                 cleared: Sequence[str] = ()) -> str:
    """The hash of what would be sent: the address, the values by path (values are text,
    integers or lists of text, whose repr is stable) and the paths sent as cleared. Without
    cleared paths it is the hash of version 1, so contacts with every mapped field set keep
    theirs; a value that is emptied changes it (its triple leaves, its path is cleared)."""
    content = (email, sorted((path, value) for path, _mode, value in triples))
    if cleared:
        content += (sorted(cleared),)
    return _digest(repr(content))
