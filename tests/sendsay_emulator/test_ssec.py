"""The e-commerce endpoint: a JSON array of events, validated strictly and stored."""

from __future__ import annotations

import requests

from .conftest import KEY, LOGIN

ORDER = {
    "event_type": 1,
    "email": "Buyer@Example.com",
    "addr_type": "email",
    "transaction_id": "o-1",
    "transaction_dt": "2024-05-01 10:00:00",
    "transaction_sum": 990,
    "transaction_status": 1,
    "items": [{"id": "sku-1", "qnt": 1, "price": 990}],
}


def _post(emulator, body, key=KEY) -> dict:
    response = requests.post(
        emulator.ssec_url(LOGIN),
        json=body,
        headers={"Authorization": f"sendsay apikey={key}"},
        timeout=5,
    )
    assert response.status_code == 200
    return response.json()


def test_events_are_accepted_and_stored(emulator, api):
    events = [
        ORDER,
        {"event_type": 0, "email": "buyer@example.com", "addr_type": "email", "id": "sku-1"},
        {"event_type": 15, "id": "sku-1", "price": 10},
    ]
    reply = _post(emulator, events)
    assert reply["result"] == "ok" and reply["accepted"] == 3
    stored = api.account()["ssec_events"]
    assert [(e["name"], e["source"]) for e in stored] == [
        ("ORDER", "ssec"),
        ("VIEW_PRODUCT", "ssec"),
        ("PRODUCT_PRICE_CHANGED", "ssec"),
    ]
    assert stored[0]["event"]["email"] == "buyer@example.com"


def test_invalid_batches_are_refused_whole(emulator, api):
    cases = [
        ({"event_type": 1}, "array"),
        ([], "array"),
        ([{"event_type": 99, "email": "a@example.com", "addr_type": "email"}], "event_type"),
        (
            [{"event_type": "1", **{k: v for k, v in ORDER.items() if k != "event_type"}}],
            "event_type",
        ),
        ([{"event_type": 0, "email": "a@example.com"}], "addr_type"),
        ([{"event_type": 3, "email": "a@example.com", "addr_type": "email"}], "transaction_id"),
        ([{**ORDER, "transaction_dt": "01.05.2024"}], "transaction_dt"),
        ([{**ORDER, "transaction_status": 13}], "transaction_status"),
        ([{"event_type": 13, "email": "a@example.com", "addr_type": "email"}], "impersonal"),
        ([ORDER, {**ORDER, "transaction_id": "o-404", "update": 1}], "unknown order"),
    ]
    for body, words in cases:
        reply = _post(emulator, body)
        assert reply["errors"][0]["id"] == "error/ssec/invalid", body
        assert words in reply["errors"][0]["explain"], reply
    assert api.account()["ssec_events"] == []


def test_order_update_of_a_known_order_is_accepted(emulator, api):
    _post(emulator, [ORDER])
    assert _post(emulator, [{**ORDER, "update": 1, "transaction_status": 3}])["accepted"] == 1


def test_ssec_needs_the_header_key(emulator):
    assert _post(emulator, [ORDER], key="wrong")["errors"][0]["id"] == "error/auth/failed"
    reply = requests.post(emulator.ssec_url(LOGIN), json=[ORDER], timeout=5).json()
    assert reply["errors"][0] == {"id": "error/auth/failed", "explain": "wrong_credentials"}


def test_member_set_datakey_ssec_is_an_event_too(api):
    order = {k: v for k, v in ORDER.items() if k not in ("email", "addr_type")}
    api.ok("member.set", email="buyer@example.com", datakey=[["ssec", "set", [order]]])
    stored = api.account()["ssec_events"]
    assert stored[0]["source"] == "member.set"
    assert stored[0]["event"]["email"] == "buyer@example.com"
    assert api.ok("member.get", email="buyer@example.com", datakey="*")["datakey"] == {}
