"""Control endpoint (faults, reset, accounts) and the inspection JSON and page."""

from __future__ import annotations

import time

import pytest
import requests

from .conftest import LOGIN


def test_latency_fault_delays_the_answer(api):
    api.control("fault", action="pong", mode="latency", latency_ms=150, count=1)
    started = time.perf_counter()
    assert api.ok("pong")["account"] == LOGIN
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    api.ok("pong")
    assert time.perf_counter() - started < 0.1


def test_error_fault_answers_the_given_error_id(api):
    api.control(
        "fault",
        action="*",
        mode="error",
        error_id="error/throttled",
        explain="too many requests",
        count=2,
    )
    assert api.error("pong") == {"id": "error/throttled", "explain": "too many requests"}
    assert api.error("member.get", email="a@example.com")["id"] == "error/throttled"
    assert api.ok("pong")


def test_http_fault_answers_a_non_json_status(api):
    api.control("fault", mode="http", status=503, count=1)
    response = api.session.post(api.url, json={"action": "pong", "apikey": api.key}, timeout=5)
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        response.json()
    assert api.ok("pong")


def test_drop_fault_closes_the_connection(api):
    api.ok("pong")  # the session now holds a keep-alive connection
    api.control("fault", action="pong", mode="drop", count=1)
    with pytest.raises(requests.ConnectionError):
        api.call("pong")
    assert api.ok("pong")["account"] == LOGIN


def test_a_fault_with_skip_lets_that_many_calls_through_first(api):
    api.control("fault", action="pong", mode="error", error_id="error/late", skip=2, count=1)
    assert api.ok("pong") and api.ok("pong")
    assert api.error("pong")["id"] == "error/late"
    assert api.ok("pong")
    refused = api.session.post(f"{api.server.url}/_control/fault", timeout=10,
                               json={"mode": "error", "skip": -1})
    assert refused.status_code == 400 and "skip" in refused.text


def test_faults_only_hit_their_action_and_clear(api):
    api.control("fault", action="member.get", mode="error", error_id="error/x")
    assert api.ok("pong")
    for _ in range(3):
        assert api.error("member.get", email="a@example.com")["id"] == "error/x"
    faults = api.inspect()["faults"]
    assert faults[0]["hits"] == 3 and faults[0]["count"] is None
    assert api.control("clear_faults")["cleared"] == 1
    assert api.error("member.get", email="a@example.com")["id"] == "error/member/not_found"


def test_fault_on_the_ssec_endpoint(emulator, api):
    api.control("fault", action="ssec", mode="http", status=502, count=1)
    response = requests.post(emulator.ssec_url(LOGIN), json=[], timeout=5)
    assert response.status_code == 502


def test_bad_control_requests(api, emulator):
    response = requests.post(f"{emulator.url}/_control/explode", json={}, timeout=5)
    assert response.status_code == 404 and "fault" in response.json()["commands"]
    response = requests.post(f"{emulator.url}/_control/fault", json={"mode": "boom"}, timeout=5)
    assert response.status_code == 400 and response.json()["ok"] is False
    response = requests.post(
        f"{emulator.url}/_control/confirm_sender",
        json={"login": "nope", "email": "a@b.cd"},
        timeout=5,
    )
    assert response.status_code == 400


def test_reset_clears_state_but_keeps_accounts(api):
    api.ok("member.set", email="a@example.com")
    api.ok("group.create", name="G", type="list")
    api.control("fault", action="nothing", mode="error")
    api.control("reset")
    account = api.account()
    assert account["members"] == [] and account["groups"] == [] and account["uploads"] == 0
    assert api.inspect()["faults"] == []
    assert api.ok("pong")["account"] == LOGIN


def test_add_account_over_control(api, emulator):
    api.control("add_account", login="newshop", apikey="k2", tariff="paid")
    reply = requests.post(
        emulator.api_url("newshop"), json={"action": "sys.settings.get", "apikey": "k2"}, timeout=5
    ).json()
    assert reply["list"]["about.tarif"] == "paid"


def test_inspect_json_shows_what_was_received(api):
    api.ok("member.set", email="a@example.com", datakey=[["base.firstName", "set", "Ann"]])
    api.ok("member.get", email="a@example.com")
    data = api.inspect()
    assert set(data) == {"accounts", "faults", "redirect", "requests", "track_step_seconds"}
    account = data["accounts"][LOGIN]
    assert set(account) == {
        "tariff",
        "uploads",
        "settings",
        "members",
        "groups",
        "custom_quests",
        "senders",
        "drafts",
        "sends",
        "tracks",
        "ssec_events",
        "sequences",
        "confirmations",
        "request_counts",
    }
    member = account["members"][0]
    assert (member["email"], member["confirmed"], member["data"]) == (
        "a@example.com",
        1,
        {"base": {"firstName": "Ann"}},
    )
    assert account["request_counts"] == {"member.set": 1, "member.get": 1}


def test_inspect_page_is_escaped_html(api, emulator):
    api.ok(
        "member.set",
        email="a@example.com",
        datakey=[["base.firstName", "set", "<script>alert(1)</script>"]],
    )
    for path in ("/_inspect/page", "/"):
        response = requests.get(emulator.url + path, timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert "<script>" not in response.text
        assert "&lt;script&gt;" in response.text and "a@example.com" in response.text
        assert "<table>" in response.text and "http" not in response.text.split("<body>")[0]


def test_page_confirm_buttons_confirm_senders_and_members(api, emulator):
    api.ok("issue.emailsender.set", obj={"name": "news@shop.example", "label": "Shop"})
    api.ok("member.set", email="doi@example.com", **{"newbie.confirm": 1})
    page = requests.get(emulator.url + "/_inspect/page", timeout=5).text
    assert page.count('<button type="submit">confirm</button>') == 2
    for command, fields in (
        ("confirm_sender", {"login": LOGIN, "email": "news@shop.example"}),
        ("confirm_member", {"login": LOGIN, "email": "doi@example.com", "addr_type": "email"}),
    ):
        response = requests.post(f"{emulator.url}/_control/{command}", data=fields, timeout=5)
        assert response.status_code == 200 and response.text.startswith("<!doctype html>")
    assert api.ok("issue.emailsender.list")["list"][0]["confirmed"] == 1
    assert api.ok("member.get", email="doi@example.com")["member"]["confirmed"] == 1
