"""Error mapping: Sendsay error ids, HTTP statuses and transport failures to one hierarchy."""

import pickle

import pytest
import requests

from sendsay_admin.client import (
    SendsayAPIError,
    SendsayAuthError,
    SendsayClient,
    SendsayConfigurationError,
    SendsayError,
    SendsayHTTPError,
    SendsaySenderError,
    SendsayTransportError,
    SendsayValidationError,
)
from sendsay_admin.client.errors import classify_error_id, is_retryable_error_id

from .support import API_KEY, API_URL, LOGIN, URL


def _error_reply(error_id, explain=None):
    error = {"id": error_id}
    if explain is not None:
        error["explain"] = explain
    return {"request.id": "r1", "errors": [error], "duration": 0.01}


def test_auth_error_is_classified_and_not_retryable(client, rsps):
    rsps.post(URL, json=_error_reply("error/auth/failed", "wrong_credentials"))

    with pytest.raises(SendsayAuthError) as caught:
        client.pong()

    exc = caught.value
    assert isinstance(exc, SendsayAPIError)
    assert (exc.action, exc.error_id, exc.explain) == (
        "pong",
        "error/auth/failed",
        "wrong_credentials",
    )
    assert exc.retryable is False
    assert exc.http_status is None
    assert str(exc) == "Sendsay pong: error/auth/failed: wrong_credentials"


@pytest.mark.parametrize(
    "error_id", ["error/sender/unknown", "error/sender/onmoderation", "error/draft/emptyfromemail"]
)
def test_sender_errors(client, rsps, error_id):
    rsps.post(URL, json=_error_reply(error_id))

    with pytest.raises(SendsaySenderError) as caught:
        client.issue_send_personal("a@example.com", letter={"draft.id": 1})

    assert caught.value.error_id == error_id
    assert caught.value.retryable is False
    assert error_id in str(caught.value)


@pytest.mark.parametrize(
    "error_id",
    [
        "error/email/badchar",
        "error/member/wrongcookie",
        "error/group/invalid",
        "error/param/missing",
    ],
)
def test_validation_errors(client, rsps, error_id):
    rsps.post(URL, json=_error_reply(error_id, "field x"))

    with pytest.raises(SendsayValidationError) as caught:
        client.member_set("a@example.com")

    assert caught.value.error_id == error_id
    assert caught.value.retryable is False
    assert str(caught.value) == f"Sendsay member.set: {error_id}: field x"


def test_unknown_error_id_is_a_plain_api_error(client, rsps):
    rsps.post(URL, json=_error_reply("error/group/notfound", "p9"))

    with pytest.raises(SendsayAPIError) as caught:
        client.group_get("p9")

    assert type(caught.value) is SendsayAPIError
    assert caught.value.retryable is False
    assert caught.value.errors == [{"id": "error/group/notfound", "explain": "p9"}]


@pytest.mark.parametrize(
    "error_id", ["error/temporary", "error/too_many_requests", "error/storage/timeout"]
)
def test_temporary_api_error_ids_are_retryable(client, rsps, error_id):
    rsps.post(URL, json=_error_reply(error_id))

    with pytest.raises(SendsayAPIError) as caught:
        client.pong()

    assert caught.value.retryable is True


def test_singular_error_object_is_tolerated(client, rsps):
    rsps.post(URL, json={"error": {"id": "error/auth/failed", "explain": "expired"}})

    with pytest.raises(SendsayAuthError) as caught:
        client.pong()

    assert caught.value.explain == "expired"


def test_structured_explain_becomes_text(client, rsps):
    rsps.post(URL, json=_error_reply("error/some", {"field": ["a", "b"]}))

    with pytest.raises(SendsayAPIError) as caught:
        client.pong()

    assert caught.value.explain == '{"field": ["a", "b"]}'


def test_errors_are_checked_before_redirect(client, rsps):
    rsps.post(URL, json={"REDIRECT": "/clu1", "errors": [{"id": "error/auth/failed"}]})

    with pytest.raises(SendsayAuthError):
        client.pong()

    assert len(rsps.calls) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_a_retryable_http_error(client, rsps, status):
    rsps.post(URL, status=status, body="oops")

    with pytest.raises(SendsayHTTPError) as caught:
        client.pong()

    exc = caught.value
    assert (exc.http_status, exc.error_id, exc.retryable) == (status, f"http/{status}", True)
    assert f"http/{status}" in str(exc)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
def test_other_4xx_is_not_retryable(client, rsps, status):
    rsps.post(URL, status=status, json=_error_reply("error/auth/failed"))

    with pytest.raises(SendsayHTTPError) as caught:
        client.pong()

    assert caught.value.http_status == status
    assert caught.value.retryable is False


def test_429_is_retryable_and_carries_retry_after(client, rsps):
    rsps.post(URL, status=429, headers={"Retry-After": "7"}, body="slow down")

    with pytest.raises(SendsayHTTPError) as caught:
        client.pong()

    assert caught.value.retryable is True
    assert caught.value.retry_after == 7.0


def test_http_redirect_is_not_followed(client, rsps):
    rsps.post(URL, status=302, headers={"Location": "http://elsewhere.test/"})

    with pytest.raises(SendsayHTTPError) as caught:
        client.pong()

    assert caught.value.http_status == 302
    assert caught.value.retryable is False
    assert len(rsps.calls) == 1


def test_connection_error_is_retryable_transport_error_chained(client, rsps):
    rsps.post(URL, body=requests.ConnectionError("Connection refused"))

    with pytest.raises(SendsayTransportError) as caught:
        client.pong()

    exc = caught.value
    assert exc.retryable is True
    assert exc.error_id == "transport/connection"
    assert isinstance(exc.__cause__, requests.ConnectionError)
    assert "Connection refused" in str(exc)


@pytest.mark.parametrize(
    "error", [requests.ReadTimeout("read"), requests.ConnectTimeout("connect")]
)
def test_timeouts_are_retryable_transport_errors(client, rsps, error):
    rsps.post(URL, body=error)

    with pytest.raises(SendsayTransportError) as caught:
        client.pong()

    assert caught.value.error_id == "transport/timeout"
    assert caught.value.retryable is True
    assert caught.value.__cause__ is error


def test_timeout_is_passed_to_requests(rsps):
    seen = {}

    def callback(request):
        seen["timeout"] = request.req_kwargs["timeout"]
        return (200, {}, '{"ping": 1}')

    rsps.add_callback("POST", URL, callback=callback)
    SendsayClient(LOGIN, API_KEY, api_url=API_URL, timeout=2.5).pong()

    assert seen["timeout"] == 2.5


@pytest.mark.parametrize("body", [b"<html>bad gateway</html>", b"", b"{not json"])
def test_invalid_json_is_a_retryable_transport_error(client, rsps, body):
    rsps.post(URL, body=body, status=200)

    with pytest.raises(SendsayTransportError) as caught:
        client.pong()

    assert caught.value.error_id == "transport/invalid_json"
    assert caught.value.retryable is True
    assert isinstance(caught.value.__cause__, ValueError)


def test_json_that_is_not_an_object_is_a_transport_error(client, rsps):
    rsps.post(URL, json=[1, 2])

    with pytest.raises(SendsayTransportError) as caught:
        client.pong()

    assert caught.value.error_id == "transport/invalid_json"


def test_errors_survive_pickling():
    exc = SendsayAuthError(action="pong", error_id="error/auth/failed", explain="expired")

    clone = pickle.loads(pickle.dumps(exc))

    assert type(clone) is SendsayAuthError
    assert (clone.action, clone.error_id, clone.explain, clone.retryable) == (
        "pong",
        "error/auth/failed",
        "expired",
        False,
    )
    assert str(clone) == str(exc)


@pytest.mark.parametrize(
    ("error_id", "cls"),
    [
        ("error/auth/failed", SendsayAuthError),
        ("error/auth/forbidden", SendsayAuthError),
        ("error/sender/prohibited", SendsaySenderError),
        ("error/draft/emptyfromemail", SendsaySenderError),
        ("error/email/badchar", SendsayValidationError),
        ("error/member/invalid_email", SendsayValidationError),
        ("manage/member/import/found_duplicate", SendsayAPIError),
    ],
)
def test_classification_table(error_id, cls):
    assert classify_error_id(error_id) is cls


def test_retryable_table():
    assert is_retryable_error_id("error/queue/temporary")
    assert not is_retryable_error_id("error/auth/failed")


# -- configuration errors live outside the delivery hierarchy --------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("", API_KEY), {}),
        (("   ", API_KEY), {}),
        ((LOGIN, ""), {}),
        ((LOGIN, None), {}),
        ((LOGIN, "key with space"), {}),
        ((LOGIN, "key\nInjected: 1"), {}),
        (("a/b", API_KEY), {}),
        ((LOGIN, API_KEY), {"api_url": "ftp://api.sendsay.ru/"}),
        ((LOGIN, API_KEY), {"api_url": "api.sendsay.ru/general"}),
        ((LOGIN, API_KEY), {"api_url": "https://api.sendsay.ru/?x=1"}),
        ((LOGIN, API_KEY), {"api_url": "https://api.sendsay.ru/general api/"}),
        ((LOGIN, API_KEY), {"api_url": "https://апи.sendsay.ru/general/"}),
        ((LOGIN, API_KEY), {"ssec_url": "file:///etc/passwd"}),
        ((LOGIN, API_KEY), {"timeout": 0}),
        ((LOGIN, API_KEY), {"max_redirects": -1}),
    ],
)
def test_configuration_errors_escape_except_sendsay_error(args, kwargs):
    with pytest.raises(SendsayConfigurationError) as caught:
        try:
            SendsayClient(*args, **kwargs)
        except SendsayError:  # a delivery fallback must not swallow a misconfiguration
            pytest.fail("configuration error caught as a delivery error")

    assert API_KEY not in str(caught.value)
    assert "Injected" not in str(caught.value)


def test_configuration_error_is_a_value_error_not_a_sendsay_error():
    assert issubclass(SendsayConfigurationError, ValueError)
    assert not issubclass(SendsayConfigurationError, SendsayError)


def test_credentials_in_params_are_refused(client, rsps):
    with pytest.raises(SendsayConfigurationError):
        client.call("pong", apikey=API_KEY)

    assert len(rsps.calls) == 0
