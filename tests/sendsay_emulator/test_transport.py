"""The HTTP surface: envelope, both encodings, auth, REDIRECT, routing and keep-alive speed."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import requests

from .conftest import KEY, LOGIN

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _form(request: dict, request_id: str | None = "r-1") -> str:
    fields = {"apiversion": "100", "json": "1", "request": json.dumps(request)}
    if request_id:
        fields["request.id"] = request_id
    return urlencode(fields)


def test_every_reply_carries_the_common_fields(api):
    reply = api.ok("pong")
    assert reply["ping"] > 1_600_000_000
    assert reply["account"] == LOGIN and reply["sublogin"] == LOGIN
    assert reply["request.id"].startswith("fake-")
    assert isinstance(reply["duration"], float) and reply["_ehid"]


def test_request_id_is_echoed_on_success_and_error(api):
    assert api.call("pong", {"request.id": "abc-1"})["request.id"] == "abc-1"
    assert api.call("no.such", {"request.id": "abc-2"})["request.id"] == "abc-2"


def test_ping_needs_no_auth(emulator):
    reply = requests.post(emulator.api_url("-"), json={"action": "ping"}, timeout=5).json()
    assert isinstance(reply["pong"], int) and "errors" not in reply


def test_trailing_slash_is_served(emulator):
    reply = requests.post(
        emulator.api_url(LOGIN) + "/", json={"action": "pong", "apikey": KEY}, timeout=5
    ).json()
    assert reply["account"] == LOGIN


def test_body_apikey_authenticates(emulator):
    reply = requests.post(
        emulator.api_url(LOGIN), json={"action": "pong", "apikey": KEY}, timeout=5
    ).json()
    assert reply["account"] == LOGIN


def test_form_encoding_on_root_with_one_time_auth_login_and_header(emulator):
    body = _form({"action": "pong", "one_time_auth": {"login": LOGIN}})
    reply = requests.post(
        emulator.url + "/",
        data=body,
        headers={**FORM, "Authorization": f"sendsay apikey={KEY}"},
        timeout=5,
    ).json()
    assert reply["account"] == LOGIN and reply["request.id"] == "r-1"


def test_form_encoding_on_root_with_the_key_in_the_request(emulator):
    body = _form({"action": "sys.settings.get", "apikey": KEY, "list": ["about.id"]}, None)
    reply = requests.post(emulator.url, data=body, headers=FORM, timeout=5).json()
    assert reply["list"] == {"about.id": LOGIN}
    assert reply["request.id"].startswith("fake-")


def test_form_encoding_with_version_in_the_query_string(emulator):
    body = urlencode({"request": json.dumps({"action": "pong", "apikey": KEY})})
    reply = requests.post(
        emulator.url + "/?apiversion=100&json=1", data=body, headers=FORM, timeout=5
    ).json()
    assert reply["account"] == LOGIN


def test_form_encoding_errors_are_strict(emulator):
    missing = requests.post(
        emulator.url, data="apiversion=100&json=1", headers=FORM, timeout=5
    ).json()
    assert missing["errors"][0] == {"id": "error/params/missing", "explain": "request"}
    old = requests.post(
        emulator.url,
        data=_form({"action": "ping"}).replace("100", "99", 1),
        headers=FORM,
        timeout=5,
    ).json()
    assert old["errors"][0]["id"] == "error/params/invalid"


def test_wrong_key_is_refused(emulator):
    reply = requests.post(
        emulator.api_url(LOGIN),
        json={"action": "pong"},
        headers={"Authorization": "sendsay apikey=nope"},
        timeout=5,
    ).json()
    assert reply["errors"] == [{"id": "error/auth/failed", "explain": "wrong_credentials"}]


def test_missing_key_unknown_login_and_bad_header_are_refused(emulator):
    cases = [
        (emulator.api_url(LOGIN), {"action": "pong"}, {}),
        (emulator.api_url("ghost"), {"action": "pong", "apikey": KEY}, {}),
        (emulator.api_url(LOGIN), {"action": "pong"}, {"Authorization": f"Bearer {KEY}"}),
        (emulator.api_url(LOGIN), {"action": "pong", "session": "s"}, {}),
        (emulator.url, {"action": "pong"}, {}),
    ]
    for url, body, headers in cases:
        reply = requests.post(url, json=body, headers=headers, timeout=5).json()
        assert reply["errors"] == [{"id": "error/auth/failed", "explain": "wrong_credentials"}]


def test_header_and_body_key_together_are_too_many(emulator):
    reply = requests.post(
        emulator.api_url(LOGIN),
        json={"action": "pong", "apikey": KEY},
        headers={"Authorization": f"sendsay apikey={KEY}"},
        timeout=5,
    ).json()
    assert reply["errors"] == [{"id": "error/auth/failed", "explain": "too_many_auth_parameters"}]


def test_unknown_missing_action_and_bad_json(api, emulator):
    assert api.error("member.teleport") == {
        "id": "error/action/unknown",
        "explain": "member.teleport",
    }
    no_action = requests.post(emulator.api_url(LOGIN), json={"apikey": KEY}, timeout=5).json()
    assert no_action["errors"][0] == {"id": "error/params/missing", "explain": "action"}
    broken = requests.post(
        emulator.api_url(LOGIN),
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=5,
    ).json()
    assert broken["errors"][0]["id"] == "error/request/json"


def test_unknown_paths_and_methods(emulator):
    assert requests.post(emulator.url + "/nowhere", json={}, timeout=5).status_code == 404
    assert requests.get(emulator.api_url(LOGIN), timeout=5).status_code == 405


def test_redirect_on_the_first_call_then_served_under_the_prefix(api):
    api.control("redirect", prefix="/clu1", mode="first")
    first = api.call("pong")
    assert first["REDIRECT"] == "/clu1" and "ping" not in first
    under = api.session.post(
        f"{api.server.url}/clu1/general/api/v100/json/{LOGIN}",
        json={"action": "pong", "apikey": KEY},
        timeout=5,
    ).json()
    assert under["account"] == LOGIN
    assert "REDIRECT" not in api.call("pong")
    counts = api.account()["request_counts"]
    assert counts["pong"] == 3


def test_redirect_first_from_the_constructor_and_root_under_prefix():
    from sendsay_admin.emulator import EmulatorServer

    with EmulatorServer({LOGIN: KEY}, redirect_first="/clu7") as server:
        body = _form({"action": "pong", "apikey": KEY})
        assert (
            requests.post(server.url, data=body, headers=FORM, timeout=5).json()["REDIRECT"]
            == "/clu7"
        )
        reply = requests.post(server.url + "/clu7", data=body, headers=FORM, timeout=5).json()
        assert reply["account"] == LOGIN


def test_redirect_always_and_loop_modes(api):
    api.control("redirect", prefix="/clu2", mode="always")
    assert api.call("pong")["REDIRECT"] == "/clu2"
    assert api.call("pong")["REDIRECT"] == "/clu2"
    api.control("redirect", mode="loop")
    looped = api.session.post(
        f"{api.server.url}/clu2/general/api/v100/json/{LOGIN}",
        json={"action": "pong", "apikey": KEY},
        timeout=5,
    ).json()
    assert looped["REDIRECT"] == "/clu2"
    api.control("redirect", mode="off")
    assert api.call("pong")["account"] == LOGIN


def test_keep_alive_session_is_fast(api):
    """Without TCP_NODELAY every keep-alive request stalls ~40 ms (at most ~25/s)."""
    api.ok("pong")
    count = 300
    started = time.perf_counter()
    for _ in range(count):
        api.call("pong")
    rate = count / (time.perf_counter() - started)
    print(f"emulator keep-alive rate: {rate:.0f} requests/s")
    assert rate > 200


def test_many_connections_opened_at_once_are_all_accepted(api):
    """Two delivery workers open 32 keep-alive connections in the same instant; with the
    stdlib's listen backlog of 5 some connection attempts were dropped and retried a second
    later (seen as transport errors by a client with a short connect timeout)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    clients = 64
    barrier = threading.Barrier(clients)

    def connect_and_ping(_):
        with requests.Session() as session:
            barrier.wait(timeout=10)
            return session.post(api.url, json={"action": "pong"}, timeout=(0.9, 10),
                                headers={"Authorization": f"sendsay apikey={api.key}"}
                                ).status_code

    with ThreadPoolExecutor(clients) as pool:
        assert list(pool.map(connect_and_ping, range(clients))) == [200] * clients
