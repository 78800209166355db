"""Field mapping against the real emulator: live fields, type checks, custom fields, preview."""

import datetime as dt

import pytest
from django.urls import reverse

from sendsay_admin.models import FieldMapping
from sendsay_admin.services import (
    MappingError,
    buyer_preview,
    custom_field_create,
    custom_field_create_for,
    field_mapping_save,
    sendsay_fields_fetch,
)
from tests import factories

pytestmark = pytest.mark.django_db


def mapping_url(account, name="mapping"):
    return reverse(f"admin:sendsay_admin_sendsayaccount_{name}", args=[account.pk])


def test_fields_are_fetched_live_from_base_and_custom(connected_account):
    custom_field_create(account=connected_account, code="city2", name="City", type="free")
    paths = {f.path: f.type for f in sendsay_fields_fetch(account=connected_account)}
    assert paths["base.firstName"] == "free"
    assert paths["base.birthDate"] == "dt"
    assert paths["custom.city2"] == "free"


def test_compatible_mapping_is_saved_with_answer_codes(connected_account):
    mapping = field_mapping_save(account=connected_account, role="buyer", field_code="gender",
                                 sendsay_path="base.gender")
    assert (mapping.sendsay_type, mapping.answer_map) == ("1m", {"m": "1", "f": "2"})
    field_mapping_save(account=connected_account, role="buyer", field_code="birth_date",
                       sendsay_path="base.birthDate")
    assert FieldMapping.objects.get(field_code="birth_date").sendsay_subtype == "yd"


@pytest.mark.parametrize(("code", "path", "message"), [
    ("orders_count", "base.birthDate", "is integer but base.birthDate is date/time"),
    ("birth_date", "base.gender", "is date/time but base.gender is single choice"),
    ("city", "base.nothing", "Sendsay has no field base.nothing"),
])
def test_mismatched_mapping_is_refused(connected_account, code, path, message):
    with pytest.raises(MappingError, match=message):
        field_mapping_save(account=connected_account, role="buyer", field_code=code,
                           sendsay_path=path)
    assert not FieldMapping.objects.exists()


def test_one_sendsay_field_serves_one_marketplace_field(connected_account):
    field_mapping_save(account=connected_account, role="buyer", field_code="city",
                       sendsay_path="base.city")
    with pytest.raises(MappingError, match=r"already mapped to buyer\.city"):
        field_mapping_save(account=connected_account, role="buyer", field_code="storefront",
                           sendsay_path="base.city")


def test_custom_field_creation_lands_in_the_emulator(connected_account, sendsay_emulator):
    created = custom_field_create(account=connected_account, code="orders", name="Orders",
                                  type="int")
    assert (created.path, created.type) == ("custom.orders", "int")
    quests = sendsay_emulator.inspect()["custom_quests"]
    assert quests == [{"id": "orders", "name": "Orders", "type": "int"}]


def test_custom_field_for_a_marketplace_field_has_its_type_and_is_mapped(
        connected_account, sendsay_emulator):
    mapping = custom_field_create_for(account=connected_account, role="buyer",
                                      field_code="registered_at")
    assert (mapping.sendsay_path, mapping.sendsay_type) == ("custom.registered_at", "dt")
    quest = sendsay_emulator.inspect()["custom_quests"][0]
    assert (quest["id"], quest["type"], quest["dtsubtype"]) == ("registered_at", "dt", "ys")


def test_seller_custom_fields_do_not_collide_with_buyer_ones(connected_account, sendsay_emulator):
    custom_field_create_for(account=connected_account, role="buyer", field_code="registered_at")
    mapping = custom_field_create_for(account=connected_account, role="seller",
                                      field_code="registered_at")
    assert mapping.sendsay_path == "custom.seller_registered_at"
    names = [q["name"] for q in sendsay_emulator.inspect()["custom_quests"]]
    assert names == ["Registration date", "Registration date (seller)"]


def test_existing_custom_field_error_comes_from_sendsay(connected_account):
    from sendsay_admin.client import SendsayError

    custom_field_create(account=connected_account, code="dup", name="Dup", type="free")
    with pytest.raises(SendsayError) as info:
        custom_field_create(account=connected_account, code="dup", name="Dup", type="free")
    assert info.value.error_id == "error/anketa/quest/exists"
    assert connected_account.errors.get().error_id == "error/anketa/quest/exists"


def test_bad_custom_field_code_is_refused_before_sendsay(connected_account, sendsay_emulator):
    with pytest.raises(MappingError, match="Latin"):
        custom_field_create(account=connected_account, code="1 bad", name="x", type="free")
    assert sendsay_emulator.inspect()["request_counts"].get("anketa.quest.add") is None


def test_buyer_preview_shows_the_datakey_triples(connected_account):
    profile = factories.BuyerProfileFactory(gender="f", birth_date=dt.date(1990, 5, 17),
                                            city="Kazan")
    for code, path in [("first_name", "base.firstName"), ("gender", "base.gender"),
                       ("birth_date", "base.birthDate"), ("city", "base.city")]:
        field_mapping_save(account=connected_account, role="buyer", field_code=code,
                           sendsay_path=path)
    assert buyer_preview(account=connected_account, user=profile.user) == [
        ["base.birthDate", "set", "1990-05-17"],
        ["base.city", "set", "Kazan"],
        ["base.firstName", "set", "Ivan"],
        ["base.gender", "set", "2"],
    ]


def test_admin_mapping_page_saves_refuses_and_creates(admin_client, connected_account,
                                                      sendsay_emulator):
    response = admin_client.post(mapping_url(connected_account), {
        "map:buyer:first_name": "base.firstName",
        "map:buyer:orders_count": "base.birthDate",
    }, follow=True)
    html = response.content.decode()
    assert "Saved 1 field mapping(s)." in html
    assert "Buyer field orders_count: Orders count is integer but base.birthDate is date/time" in html
    assert list(FieldMapping.objects.values_list("field_code", flat=True)) == ["first_name"]
    response = admin_client.post(mapping_url(connected_account, "create_field"),
                                 {"create": "buyer:orders_count"}, follow=True)
    assert "Created custom.orders_count in Sendsay and mapped buyer.orders_count" in (
        response.content.decode())
    assert sendsay_emulator.inspect()["custom_quests"][0]["id"] == "orders_count"
    response = admin_client.post(mapping_url(connected_account, "create_field"),
                                 {"code": "vip", "name": "VIP", "type": "free"}, follow=True)
    assert "Created custom.vip (text) in Sendsay." in response.content.decode()


def test_admin_preview_of_one_buyer(admin_client, connected_account, buyer):
    field_mapping_save(account=connected_account, role="buyer", field_code="city",
                       sendsay_path="base.city")
    response = admin_client.get(mapping_url(connected_account), {"buyer": buyer.email})
    html = response.content.decode()
    assert 'id="preview-table"' in html
    assert "<code>base.city</code></td><td>Moscow</td>" in html
    response = admin_client.get(mapping_url(connected_account), {"buyer": "nobody@x.example"})
    assert "No buyer with the e-mail or username" in response.content.decode()
