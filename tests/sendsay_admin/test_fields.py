"""The pure field catalogue: types, compatibility with Sendsay questions, value conversion."""

import datetime as dt
from decimal import Decimal

import pytest

from sendsay_admin import fields
from sendsay_admin.fields import (
    BUYER,
    SELLER,
    BuyerFacts,
    MappingSpec,
    QuestType,
    SellerFacts,
    SendsayField,
)

GENDER_BASE = SendsayField("base.gender", "Пол", "1m", answers={"1": "Мужской", "2": "Женский"})


def test_catalogue_lists_every_field_with_its_type():
    buyer = {f.code: str(f.type) for f in fields.catalogue_for(BUYER)}
    seller = {f.code: str(f.type) for f in fields.catalogue_for(SELLER)}
    assert buyer == {
        "first_name": "free", "last_name": "free", "gender": "1m", "birth_date": "dt",
        "phone": "free", "city": "free", "storefront": "free", "registered_at": "dt",
        "email_confirmed": "1m", "last_activity_at": "dt", "orders_count": "int",
        "total_spent": "int", "last_order_at": "dt", "has_delivery_address": "1m",
        "interest_categories": "nm", "shipping_method": "1m",
    }
    assert seller == {"company_name": "free", "company_status": "1m", "products_count": "int",
                      "sales_count": "int", "registered_at": "dt"}


def test_same_type_fits_and_different_types_do_not():
    birth = fields.catalogue_get(BUYER, "birth_date")
    orders = fields.catalogue_get(BUYER, "orders_count")
    date_field = SendsayField("base.birthDate", "Дата рождения", "dt", dtsubtype="yd")
    int_field = SendsayField("custom.orders", "Orders", "int")
    assert fields.mapping_problem(birth, date_field) is None
    assert fields.mapping_problem(orders, int_field) is None
    assert "is date/time but custom.orders is integer" in fields.mapping_problem(birth, int_field)
    assert "is integer but base.birthDate is date/time (yd)" in fields.mapping_problem(
        orders, date_field)


def test_any_field_fits_a_free_text_field():
    text = SendsayField("base.city", "Город", "free")
    for item in fields.catalogue_for(BUYER):
        assert fields.mapping_problem(item, text) is None


def test_choice_answers_match_by_code_or_label():
    gender = fields.catalogue_get(BUYER, "gender")
    assert fields.mapping_problem(gender, GENDER_BASE) is None
    assert fields.answer_map(gender, GENDER_BASE) == ({"m": "1", "f": "2"}, [])
    partial = SendsayField("custom.g", "G", "1m", answers={"1": "Мужской"})
    assert fields.mapping_problem(gender, partial) == "custom.g has no answer for: f"


def test_dynamic_choices_use_the_database_answers():
    interests = fields.catalogue_get(BUYER, "interest_categories")
    target = SendsayField("custom.interests", "I", "nm", answers={"toys": "Toys", "books": "B"})
    assert fields.mapping_problem(interests, target, {"toys": "Toys", "books": "Books"}) is None
    assert "no answer for: food" in fields.mapping_problem(interests, target, {"food": "Food"})


def test_values_are_converted_to_the_target_type_and_precision():
    spec = MappingSpec("birth_date", "base.birthDate", "dt", "yd")
    assert fields.value_convert(dt.date(1990, 5, 17), spec) == "1990-05-17"
    seconds = MappingSpec("registered_at", "custom.reg", "dt", "ys")
    assert fields.value_convert(dt.datetime(2024, 1, 2, 3, 4, 5), seconds) == "2024-01-02 03:04:05"
    assert fields.value_convert(None, seconds) is None
    assert fields.value_convert(5, MappingSpec("orders_count", "custom.n", "free")) == "5"


def test_datakey_triples_for_a_buyer():
    facts = BuyerFacts(first_name="Anna", gender="f", birth_date=dt.date(1990, 5, 17),
                       total_spent=Decimal("1234.50"), interest_categories=("toys", "food"),
                       email_confirmed=True)
    specs = [
        MappingSpec("first_name", "base.firstName", "free"),
        MappingSpec("gender", "base.gender", "1m", answer_map={"m": "1", "f": "2"}),
        MappingSpec("birth_date", "base.birthDate", "dt", "yd"),
        MappingSpec("total_spent", "custom.spent", "int"),
        MappingSpec("interest_categories", "custom.interests", "nm", answer_map={"toys": "t"}),
        MappingSpec("email_confirmed", "custom.confirmed", "free"),
        MappingSpec("city", "base.city", "free"),  # empty: left out
    ]
    assert fields.datakey_triples(BUYER, facts, specs) == [
        ["base.firstName", "set", "Anna"],
        ["base.gender", "set", "2"],
        ["base.birthDate", "set", "1990-05-17"],
        ["custom.spent", "set", 1235],
        ["custom.interests", "set", ["t"]],
        ["custom.confirmed", "set", "Yes"],
    ]


def test_seller_values():
    facts = SellerFacts(company_name="ACME", status="active", products_count=3, sales_count=7)
    values = fields.field_values(SELLER, facts)
    assert values["company_name"] == "ACME"
    assert values["company_status"] == "active"
    assert values["sales_count"] == 7


def test_anketa_reply_is_parsed_in_order():
    obj = {"order": ["b", "a"], "quests": {
        "a": {"id": "a", "name": "A", "type": "int"},
        "b": {"id": "b", "name": "B", "type": "dt", "dtsubtype": "yd"},
    }}
    parsed = fields.sendsay_fields_parse("custom", obj)
    assert [(f.path, f.type, f.dtsubtype) for f in parsed] == [
        ("custom.b", "dt", "yd"), ("custom.a", "int", "")]


@pytest.mark.parametrize(("code", "expected"), [
    ("birth_date", {"type": "dt", "dtsubtype": "yd"}),
    ("orders_count", {"type": "int"}),
    ("city", {"type": "free", "width": 256}),
    ("gender", {"type": "1m", "answers": {"m": "Male", "f": "Female"}}),
])
def test_quest_spec_has_the_right_type(code, expected):
    spec = fields.quest_spec(fields.catalogue_get(BUYER, code), quest_id=code, name="N")
    assert spec == {"id": code, "name": "N", **expected}
    assert QuestType(spec["type"])


def _reference_convert(value, spec, item):
    """The conversion as first written (`strftime` for dates, every choice made per value):
    the oracle `value_converter`'s shortcuts are checked against."""
    if value is None or value == "" or value == []:
        return None
    if spec.sendsay_type == "int":
        return int(value)
    if spec.sendsay_type == "dt":
        if not isinstance(value, dt.date):
            return None
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        return value.strftime(fields.DT_FORMATS.get(spec.sendsay_subtype,
                                                    fields.DT_FORMATS["ys"]))
    if spec.sendsay_type == "1m":
        return spec.answer_map.get(str(value))
    if spec.sendsay_type == "nm":
        return [spec.answer_map[str(v)] for v in value if str(v) in spec.answer_map] or None
    if item.answers:
        value = ([item.answers.get(str(v), (v,))[0] for v in value]
                 if isinstance(value, list | tuple) else item.answers.get(str(value), (value,))[0])
    if isinstance(value, dt.datetime):
        return value.strftime(fields.DT_FORMATS["ys"])
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(part) for part in value)
    return str(value)


def test_value_converter_gives_what_the_reference_conversion_gives():
    zone = dt.timezone(dt.timedelta(hours=3))
    samples = [None, "", [], "Kazan", "О'Брайен", "m", "f", "1", "0", "active", 0, 7, "12",
               Decimal("100.5"), dt.date(1990, 5, 17), dt.date(999, 1, 2),
               dt.datetime(2024, 1, 2, 3, 4, 5), dt.datetime(2024, 1, 2, 3, 4, 5, 678, zone),
               dt.datetime(987, 6, 5, 4, 3, 2), ["books", "toys"], ("books",), ["nope"]]
    answers = {"m": "1", "f": "2", "books": "b", "toys": "t", "1": "y", "0": "n"}
    for item in fields.CATALOGUE:
        for kind, subtypes in (("free", [""]), ("int", [""]), ("dt", ["yd", "yh", "ym", "ys", ""]),
                               ("1m", [""]), ("nm", [""])):
            for subtype in subtypes:
                spec = MappingSpec(item.code, "custom.x", kind, subtype, answer_map=answers)
                convert = fields.value_converter(spec, item)
                for value in samples:
                    try:
                        expected = _reference_convert(value, spec, item)
                    except (TypeError, ValueError, ArithmeticError) as exc:
                        with pytest.raises(type(exc)):
                            convert(value)
                        continue
                    assert convert(value) == expected, (item.code, kind, subtype, value)
