"""Pure field mapping: the marketplace profile-field catalogue, Sendsay's field types, the
compatibility check between the two and the conversion of values into `datakey` triples.

No ORM and no network: services fetch the facts (`BuyerFacts`, `SellerFacts`) and the Sendsay
anketas, this module decides what fits and what would be sent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any


class QuestType(StrEnum):
    """Sendsay question types [R: reference 5.4]."""

    FREE = "free"
    INT = "int"
    DT = "dt"
    ONE = "1m"
    MANY = "nm"


QUEST_TYPE_LABELS = {
    QuestType.FREE: "text", QuestType.INT: "integer", QuestType.DT: "date/time",
    QuestType.ONE: "single choice", QuestType.MANY: "multiple choice",
}
DT_FORMATS = {"yd": "%Y-%m-%d", "yh": "%Y-%m-%d %H", "ym": "%Y-%m-%d %H:%M",
              "ys": "%Y-%m-%d %H:%M:%S"}
BUYER, SELLER = "buyer", "seller"
QUEST_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_YES_NO = {"1": ("Yes", "Да", "true"), "0": ("No", "Нет", "false")}


@dataclass(frozen=True)
class BuyerFacts:
    """Everything the buyer fields are computed from; dates already in local time."""

    first_name: str = ""
    last_name: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    city: str = ""
    storefront: str = ""
    registered_at: dt.datetime | None = None
    email_confirmed: bool = False
    last_activity_at: dt.datetime | None = None
    orders_count: int = 0
    total_spent: Decimal = Decimal(0)
    last_order_at: dt.datetime | None = None
    has_delivery_address: bool = False
    interest_categories: tuple[str, ...] = ()
    shipping_method: str = ""


@dataclass(frozen=True)
class SellerFacts:
    company_name: str = ""
    status: str = ""
    products_count: int = 0
    sales_count: int = 0
    registered_at: dt.datetime | None = None


@dataclass(frozen=True)
class MarketplaceField:
    """One profile field. `answers` maps a choice code to its label and synonyms (used to find
    the matching answer of an existing Sendsay question); `dynamic` names choices that come
    from the database instead ("categories", "shipping_methods")."""

    role: str
    code: str
    label: str
    type: QuestType
    getter: Callable[[Any], Any]
    dtsubtype: str = ""
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dynamic: str = ""


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _whole(value: Decimal) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _buyer(code, label, kind, getter, **extra) -> MarketplaceField:
    return MarketplaceField(BUYER, code, label, kind, getter, **extra)


def _seller(code, label, kind, getter, **extra) -> MarketplaceField:
    return MarketplaceField(SELLER, code, label, kind, getter, **extra)


Q = QuestType
CATALOGUE: tuple[MarketplaceField, ...] = (
    _buyer("first_name", "First name", Q.FREE, lambda f: f.first_name),
    _buyer("last_name", "Last name", Q.FREE, lambda f: f.last_name),
    _buyer("gender", "Gender", Q.ONE, lambda f: f.gender,
           answers={"m": ("Male", "Мужской", "М", "1"), "f": ("Female", "Женский", "Ж", "2")}),
    _buyer("birth_date", "Birth date", Q.DT, lambda f: f.birth_date, dtsubtype="yd"),
    _buyer("phone", "Phone", Q.FREE, lambda f: f.phone),
    _buyer("city", "City", Q.FREE, lambda f: f.city),
    _buyer("storefront", "Storefront", Q.FREE, lambda f: f.storefront),
    _buyer("registered_at", "Registration date", Q.DT, lambda f: f.registered_at, dtsubtype="ys"),
    _buyer("email_confirmed", "E-mail confirmed", Q.ONE, lambda f: _flag(f.email_confirmed),
           answers=_YES_NO),
    _buyer("last_activity_at", "Last activity", Q.DT, lambda f: f.last_activity_at,
           dtsubtype="ys"),
    _buyer("orders_count", "Orders count", Q.INT, lambda f: f.orders_count),
    _buyer("total_spent", "Total spent", Q.INT, lambda f: _whole(f.total_spent)),
    _buyer("last_order_at", "Last order date", Q.DT, lambda f: f.last_order_at, dtsubtype="ys"),
    _buyer("has_delivery_address", "Has delivery address", Q.ONE,
           lambda f: _flag(f.has_delivery_address), answers=_YES_NO),
    _buyer("interest_categories", "Categories of interest", Q.MANY,
           lambda f: list(f.interest_categories), dynamic="categories"),
    _buyer("shipping_method", "Shipping method", Q.ONE, lambda f: f.shipping_method,
           dynamic="shipping_methods"),
    _seller("company_name", "Company name", Q.FREE, lambda f: f.company_name),
    _seller("company_status", "Status", Q.ONE, lambda f: f.status, answers={
        "new": ("New", "Новый"), "pending": ("Pending", "На проверке"),
        "active": ("Active", "Активный"), "disabled": ("Disabled", "Отключён")}),
    _seller("products_count", "Products count", Q.INT, lambda f: f.products_count),
    _seller("sales_count", "Sales count", Q.INT, lambda f: f.sales_count),
    _seller("registered_at", "Registration date", Q.DT, lambda f: f.registered_at,
            dtsubtype="ys"),
)


def catalogue_for(role: str) -> list[MarketplaceField]:
    return [item for item in CATALOGUE if item.role == role]


def catalogue_get(role: str, code: str) -> MarketplaceField:
    """The field `code` of `role`; `KeyError` when there is none."""
    for item in CATALOGUE:
        if item.role == role and item.code == code:
            return item
    raise KeyError(f"{role}.{code}")


def field_values(role: str, facts: Any) -> dict[str, Any]:
    """Every catalogue field of `role` computed from `facts` (raw Python values)."""
    return {item.code: item.getter(facts) for item in catalogue_for(role)}


# -- Sendsay side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendsayField:
    """One question of the base or custom anketa, addressed by its datakey path."""

    path: str
    name: str
    type: str
    dtsubtype: str = ""
    answers: Mapping[str, str] = field(default_factory=dict)

    @property
    def type_label(self) -> str:
        label = QUEST_TYPE_LABELS.get(self.type, self.type)  # type: ignore[call-overload]
        return f"{label} ({self.dtsubtype})" if self.dtsubtype else label


def sendsay_fields_parse(anketa_id: str, obj: Mapping[str, Any]) -> list[SendsayField]:
    """The questions of an `anketa.get` reply's ``obj``, in the anketa's order."""
    quests = obj.get("quests") or {}
    order = [qid for qid in obj.get("order") or [] if qid in quests]
    order += [qid for qid in quests if qid not in order]
    return [_sendsay_field(anketa_id, qid, quests[qid]) for qid in order]


def _sendsay_field(anketa_id: str, qid: str, quest: Mapping[str, Any]) -> SendsayField:
    answers = quest.get("answers") if isinstance(quest.get("answers"), Mapping) else {}
    return SendsayField(
        path=f"{anketa_id}.{quest.get('id') or qid}",
        name=str(quest.get("name") or qid),
        type=str(quest.get("type") or QuestType.FREE),
        dtsubtype=str(quest.get("dtsubtype") or ""),
        answers={str(code): str(label) for code, label in (answers or {}).items()},
    )


def field_answers(item: MarketplaceField, dynamic: Mapping[str, str] | None = None) -> dict:
    """Choice code -> synonyms for a choice field; `dynamic` supplies database choices."""
    if item.dynamic:
        return {code: (label,) for code, label in (dynamic or {}).items()}
    return dict(item.answers)


def answer_map(item, target: SendsayField, dynamic=None) -> tuple[dict[str, str], list[str]]:
    """(marketplace code -> Sendsay answer code, codes without a match)."""
    wanted = {code.casefold(): code for code in target.answers}
    by_label = {label.casefold(): code for code, label in target.answers.items()}
    mapped, missing = {}, []
    for code, synonyms in field_answers(item, dynamic).items():
        found = next((wanted.get(c.casefold()) or by_label.get(c.casefold())
                      for c in (code, *synonyms)
                      if c.casefold() in wanted or c.casefold() in by_label), None)
        if found is None:
            missing.append(code)
        else:
            mapped[code] = found
    return mapped, missing


def mapping_problem(item: MarketplaceField, target: SendsayField, dynamic=None) -> str | None:
    """Why `item` cannot be stored in `target`, or None when it can.

    Same type fits (choices must all have a Sendsay answer); any field fits a free-text one.
    """
    if target.type == QuestType.FREE:
        return None
    if target.type != item.type:
        return (f"{item.label} is {QUEST_TYPE_LABELS[item.type]} but {target.path} is "
                f"{target.type_label}")
    if item.type in (QuestType.ONE, QuestType.MANY):
        _mapped, missing = answer_map(item, target, dynamic)
        if missing:
            return f"{target.path} has no answer for: {', '.join(missing)}"
    return None


def default_quest_id(item: MarketplaceField) -> str:
    """The custom question id for `item`: its code, prefixed for sellers so that buyer and
    seller fields of the same name (registered_at) do not collide in one anketa."""
    return item.code if item.role == BUYER else f"{item.role}_{item.code}"


def quest_spec(item: MarketplaceField, *, quest_id: str, name: str, dynamic=None) -> dict:
    """The `anketa.quest.add` object for a custom question that fits `item`."""
    spec: dict[str, Any] = {"id": quest_id, "name": name, "type": str(item.type)}
    if item.type == QuestType.FREE:
        spec["width"] = 256
    elif item.type == QuestType.DT:
        spec["dtsubtype"] = item.dtsubtype or "ys"
    elif item.type in (QuestType.ONE, QuestType.MANY):
        spec["answers"] = {code: syn[0] for code, syn in field_answers(item, dynamic).items()}
    return spec


# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingSpec:
    """A stored mapping, as the pure code needs it."""

    field_code: str
    sendsay_path: str
    sendsay_type: str
    sendsay_subtype: str = ""
    answer_map: Mapping[str, str] = field(default_factory=dict)


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime(DT_FORMATS["ys"])
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(part) for part in value)
    return str(value)


def _labels(value: Any, item: MarketplaceField | None) -> Any:
    """Choice codes replaced by their labels, for a choice field stored as free text."""
    if item is None or not item.answers:
        return value
    if isinstance(value, list | tuple):
        return [item.answers.get(str(v), (v,))[0] for v in value]
    return item.answers.get(str(value), (value,))[0]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def value_convert(value: Any, spec: MappingSpec, item: MarketplaceField | None = None) -> Any:
    """`value` as Sendsay expects it in `spec`'s field, or None when nothing should be sent."""
    return value_converter(spec, item)(value)


def value_converter(spec: MappingSpec, item: MarketplaceField | None = None
                    ) -> Callable[[Any], Any]:
    """The conversion of `value_convert` for one mapping, its choices made once (code that
    converts many contacts, the export, keeps it). Dates of years 1000 and later are cut from
    `isoformat`, several times cheaper than `strftime` and the same text."""
    kind = spec.sendsay_type
    if kind == QuestType.INT:
        return lambda value: None if _empty(value) else int(value)
    if kind == QuestType.DT:
        pattern = DT_FORMATS.get(spec.sendsay_subtype, DT_FORMATS["ys"])
        width = len(dt.datetime(2000, 1, 1).strftime(pattern))

        def date_text(value: Any) -> str | None:
            if not isinstance(value, dt.date):
                return None
            if not isinstance(value, dt.datetime):
                value = dt.datetime.combine(value, dt.time())
            return value.isoformat(" ")[:width] if value.year >= 1000 else value.strftime(pattern)

        return date_text
    answers = spec.answer_map
    if kind == QuestType.ONE:
        return lambda value: None if _empty(value) else answers.get(str(value))
    if kind == QuestType.MANY:
        return lambda value: None if _empty(value) else (
            [answers[str(v)] for v in value if str(v) in answers] or None)
    labelled = item is not None and bool(item.answers)

    def text(value: Any) -> str | None:
        if _empty(value):
            return None
        if type(value) is str and not labelled:
            return value
        return _text(_labels(value, item))

    return text


def datakey_triples(role: str, facts: Any, specs: Iterable[MappingSpec]) -> list[list[Any]]:
    """The ``[path, "set", value]`` triples a contact of `role` would be sent with."""
    items = {item.code: item for item in catalogue_for(role)}
    triples = []
    for spec in specs:
        item = items.get(spec.field_code)
        if item is None:
            continue
        converted = value_convert(item.getter(facts), spec, item)
        if converted is not None:
            triples.append([spec.sendsay_path, "set", converted])
    return triples
