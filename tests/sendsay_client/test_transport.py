"""Transport: REDIRECT following and caching, secrecy of the key, logging, pooling, threads."""

import ast
import json
import logging
import pathlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import sendsay_admin.client as client_package
from sendsay_admin.client import (
    DEFAULT_API_URL,
    DEFAULT_SSEC_URL,
    SendsayAuthError,
    SendsayClient,
    SendsayHTTPError,
    SendsayRedirectLoopError,
    SendsayTransportError,
)

from .support import API_KEY, API_URL, AUTH_HEADER, CLU1_URL, LOGIN, SSEC_URL, URL, sent_json

PONG = {"ping": 1590062030, "account": LOGIN}


# -- REDIRECT ---------------------------------------------------------------------------------


def test_redirect_is_followed_with_the_same_request(client, rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1"})
    rsps.post(CLU1_URL, json=PONG)

    assert client.member_get("a@example.com") == PONG

    assert [call.request.url for call in rsps.calls] == [URL, CLU1_URL]
    assert sent_json(rsps.calls[0]) == sent_json(rsps.calls[1])
    assert rsps.calls[1].request.headers["Authorization"] == AUTH_HEADER


def test_redirect_prefix_is_cached_per_login_across_clients(client, rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1"})
    rsps.post(CLU1_URL, json=PONG)
    other_url = API_URL + "x_other"
    rsps.post(other_url, json=PONG)

    client.pong()
    client.pong()
    SendsayClient(LOGIN, API_KEY, api_url=API_URL).pong()  # class-level cache
    SendsayClient("x_other", API_KEY, api_url=API_URL).pong()  # another account: no prefix

    assert [call.request.url for call in rsps.calls] == [
        URL,
        CLU1_URL,
        CLU1_URL,
        CLU1_URL,
        other_url,
    ]


def test_redirect_prefix_goes_between_host_and_path():
    assert CLU1_URL == "http://sendsay.test/clu1/general/api/v100/json/x_acc"


@pytest.mark.parametrize("value", ["clu2", "/clu2/", "//clu2"])
def test_redirect_value_is_normalised(client, rsps, value):
    clu2 = "http://sendsay.test/clu2/general/api/v100/json/" + LOGIN
    rsps.post(URL, json={"REDIRECT": value})
    rsps.post(clu2, json=PONG)

    client.pong()

    assert rsps.calls[1].request.url == clu2


def test_redirect_loop_raises_on_the_eleventh_hop(client, rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1"})
    rsps.post(CLU1_URL, json={"REDIRECT": "/clu1"})

    with pytest.raises(SendsayRedirectLoopError) as caught:
        client.pong()

    assert len(rsps.calls) == 11  # the first request plus 10 followed hops
    assert caught.value.error_id == "client/too_many_redirects"
    assert caught.value.action == "pong"
    # the looping prefix is forgotten: the next call starts from the root again
    rsps.replace("POST", URL, json=PONG)
    client.pong()
    assert rsps.calls[-1].request.url == URL


def test_max_redirects_zero_refuses_any_redirect(rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1"})

    with pytest.raises(SendsayRedirectLoopError):
        SendsayClient(LOGIN, API_KEY, api_url=API_URL, max_redirects=0).pong()

    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    "value", ["https://evil.test/clu1", "/../admin", "/clu1?x=1", "/clu 1", 42, None]
)
def test_redirect_to_anything_but_a_plain_path_is_refused(client, rsps, value):
    rsps.post(URL, json={"REDIRECT": value})

    with pytest.raises(SendsayRedirectLoopError) as caught:
        client.pong()

    assert caught.value.error_id == "client/bad_redirect"
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    "failure",
    [requests.ConnectionError("reset by peer"), requests.ReadTimeout("slow")],
)
def test_prefix_is_dropped_after_a_transport_error(client, rsps, failure):
    rsps.post(URL, json={"REDIRECT": "/clu1"})
    rsps.post(CLU1_URL, json=PONG)
    client.pong()
    rsps.replace("POST", CLU1_URL, body=failure)

    with pytest.raises(SendsayTransportError):
        client.pong()

    rsps.replace("POST", URL, json=PONG)
    client.pong()
    assert [call.request.url for call in rsps.calls] == [URL, CLU1_URL, CLU1_URL, URL]


def test_prefix_is_dropped_after_an_http_error(client, rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1"})
    rsps.post(CLU1_URL, json=PONG)
    client.pong()
    rsps.replace("POST", CLU1_URL, status=404, body="no such cluster")

    with pytest.raises(SendsayHTTPError):
        client.pong()

    rsps.replace("POST", URL, json=PONG)
    client.pong()
    assert rsps.calls[-1].request.url == URL


def test_prefix_survives_an_api_error(client, rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1"})
    rsps.post(CLU1_URL, json={"errors": [{"id": "error/auth/failed"}]})

    with pytest.raises(SendsayAuthError):
        client.pong()
    rsps.replace("POST", CLU1_URL, json=PONG)
    client.pong()

    assert rsps.calls[-1].request.url == CLU1_URL


# -- the key stays secret -------------------------------------------------------------------


def test_repr_shows_login_and_url_but_not_the_key(client):
    text = repr(client)

    assert text == (f"SendsayClient(login='{LOGIN}', api_url='{API_URL}', api_key='***')")
    assert API_KEY not in str(client)


def test_key_is_scrubbed_from_transport_errors_and_their_cause(client, rsps):
    def explode(request):
        raise requests.ConnectionError(f"refused, header was {API_KEY}", request=request)

    rsps.add_callback("POST", URL, callback=explode)

    with pytest.raises(SendsayTransportError) as caught:
        client.pong()

    exc = caught.value
    assert API_KEY not in str(exc)
    assert API_KEY not in repr(exc)
    assert "***" in str(exc)
    assert API_KEY not in str(exc.__cause__)
    assert exc.__cause__.request.headers["Authorization"] == "sendsay apikey=***"


def test_key_echoed_by_the_server_is_scrubbed_from_api_errors(client, rsps):
    rsps.post(URL, json={"errors": [{"id": "error/auth/failed", "explain": f"bad key {API_KEY}"}]})

    with pytest.raises(SendsayAuthError) as caught:
        client.pong()

    assert API_KEY not in str(caught.value)
    assert caught.value.explain == "bad key ***"


def test_key_and_params_never_reach_the_logs(client, rsps, caplog):
    caplog.set_level(logging.DEBUG)
    rsps.post(URL, json={"REDIRECT": "/clu1"})
    rsps.post(CLU1_URL, json={"ok": 1})
    rsps.post(SSEC_URL + LOGIN, json={})

    client.member_set("buyer@example.com", datakey=[["base.firstName", "set", "Ivan"]])
    client.ssec_events([{"email": "buyer@example.com", "event_type": 1}])
    rsps.replace(
        "POST", CLU1_URL, json={"errors": [{"id": "error/auth/failed", "explain": API_KEY}]}
    )
    with pytest.raises(SendsayAuthError):
        client.pong()
    rsps.replace("POST", CLU1_URL, body=requests.ConnectionError(f"boom {API_KEY}"))
    with pytest.raises(SendsayTransportError):
        client.pong()

    assert "sendsay member.set ok in" in caplog.text
    assert "sendsay pong failed in" in caplog.text
    assert "redirected to /clu1" in caplog.text
    for secret in (API_KEY, "buyer@example.com", "Ivan"):
        assert secret not in caplog.text


def test_key_is_only_in_the_header_never_in_the_body(client, rsps):
    rsps.post(URL, json=PONG)

    client.call("member.get", email="a@example.com")

    body = sent_json(rsps.calls[0])
    assert "apikey" not in body
    assert body == {"action": "member.get", "email": "a@example.com"}


# -- session, pooling and threads -------------------------------------------------------------


def test_defaults_point_at_sendsay():
    sendsay = SendsayClient(LOGIN, API_KEY)

    assert sendsay.api_url == DEFAULT_API_URL == "https://api.sendsay.ru/general/api/v100/json/"
    assert sendsay.ssec_url == DEFAULT_SSEC_URL == "https://ssec.sendsay.ru/general/ssec/v100/json/"
    assert (sendsay.timeout, sendsay.max_redirects) == (15.0, 10)


def test_api_url_without_trailing_slash_gets_one(rsps):
    rsps.post(URL, json=PONG)

    SendsayClient(LOGIN, API_KEY, api_url=API_URL.rstrip("/")).pong()

    assert rsps.calls[0].request.url == URL


def test_own_session_has_a_big_connection_pool(client):
    for url in (API_URL, "https://api.sendsay.ru/"):
        adapter = client.session.get_adapter(url)
        assert adapter._pool_maxsize >= 32


class _CountingSession(requests.Session):
    closed = 0

    def close(self):
        self.closed += 1
        super().close()


def test_injected_session_is_used_and_not_closed(rsps):
    session = _CountingSession()
    rsps.post(URL, json=PONG)

    with SendsayClient(LOGIN, API_KEY, api_url=API_URL, session=session) as sendsay:
        sendsay.pong()

    assert sendsay.session is session
    assert session.closed == 0


def test_concurrent_calls_from_many_threads(client, rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1"})

    def answer(request):
        return (200, {}, json.dumps({"echo": json.loads(request.body)["email"]}))

    rsps.add_callback("POST", CLU1_URL, callback=answer)
    emails = [f"user{i}@example.com" for i in range(64)]

    with ThreadPoolExecutor(max_workers=32) as pool:
        replies = list(pool.map(client.member_get, emails))

    assert [reply["echo"] for reply in replies] == emails
    assert sum(call.request.url == CLU1_URL for call in rsps.calls) == 64


# -- purity -----------------------------------------------------------------------------------


def test_client_package_imports_no_django():
    package_dir = pathlib.Path(client_package.__file__).parent
    for path in package_dir.glob("*.py"):
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), f"{path.name} has no module docstring"
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("django", "sendsay_admin")), f"{path.name}: {name}"


# -- environment -------------------------------------------------------------------------------


def test_proxies_from_the_environment_are_read_once_and_used(monkeypatch, rsps):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    rsps.post(URL, json=PONG)
    with SendsayClient(LOGIN, API_KEY, api_url=API_URL, ssec_url=SSEC_URL) as client:
        monkeypatch.delenv("HTTP_PROXY")
        monkeypatch.delenv("HTTPS_PROXY")  # read at construction, not per call
        client.member_get("a@example.com")

    assert client.session.trust_env is False
    scheme = URL.split(":", 1)[0]
    assert rsps.calls[0].request.req_kwargs["proxies"][scheme] == "http://proxy.example:3128"


def test_no_proxy_excludes_the_api_host(monkeypatch, rsps):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", URL.split("/")[2].split(":")[0])
    rsps.post(URL, json=PONG)
    with SendsayClient(LOGIN, API_KEY, api_url=API_URL, ssec_url=SSEC_URL) as client:
        client.member_get("a@example.com")

    assert not rsps.calls[0].request.req_kwargs["proxies"]


def test_ca_bundle_from_the_environment_is_honoured(monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with SendsayClient(LOGIN, API_KEY, api_url=API_URL, ssec_url=SSEC_URL) as client:
        assert client.session.verify == str(bundle)


def test_calls_bypass_session_request_preparation(client, rsps, monkeypatch):
    """Calls go to the session's adapter directly (`_post`): no `Session.request`, whose
    preparation costs more CPU than the call itself; the request is still complete."""
    def refuse(*args, **kwargs):
        raise AssertionError("Session.request must not be used")

    monkeypatch.setattr(requests.Session, "request", refuse)
    rsps.post(URL, json=PONG)

    client.pong()

    sent = rsps.calls[0].request
    assert sent.headers["Authorization"] == f"sendsay apikey={API_KEY}"
    assert sent.headers["Content-Length"] == str(len(sent.body))
    assert json.loads(sent.body) == {"action": "pong"}
