"""Sendsay HTTP core: pooled session, API-key auth, the JSON action envelope, REDIRECT, errors.

Contract of `SendsayTransport.call(action, **params)`:

* POSTs ``{"action": action, **params}`` as JSON to ``<api_url><login>`` with the header
  ``Authorization: sendsay apikey=<key>``. The key is never put in the body as well (Sendsay
  refuses both at once, reference 2.1), so ``apikey``/``session`` params are rejected.
* Checks ``errors`` (or a singular ``error``) first, then ``REDIRECT`` (the order of the official
  JS client). A ``{"REDIRECT": "/clu180"}`` reply is answered by re-POSTing the same body with
  the prefix inserted between the host and the path of `api_url`:
  ``http://h:1/general/api/v100/json/`` + ``/clu1`` -> ``http://h:1/clu1/general/api/v100/json/<login>``.
  At most `max_redirects` hops are followed; one more REDIRECT raises `SendsayRedirectLoopError`.
* The prefix is cached at **class level**, keyed by ``(api_url, login)`` and guarded by a lock, so
  every client built for the same account (e.g. one built per task) goes straight
  to the right cluster. A transport error, an HTTP error or a redirect loop drops the cached
  prefix, so the next call starts again from `api_url`.
* Raises `SendsayTransportError` (retryable) for connection failures, timeouts and replies that
  are not a JSON object; `SendsayHTTPError` for non-2xx (retryable for 5xx and 429);
  `SendsayAPIError` subclasses for ``errors`` (see `errors.classify_error_id`).
* Thread-safe: requests go straight to the session adapter's `send` (see `_post`) with
  per-request headers, and the adapter pool holds `POOL_MAXSIZE` connections so many threads
  can call at once.
* The API key never reaches logs, `repr()`, exception text or re-raised `requests` errors.
  Logs carry the action name and duration only: params hold personal data.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from .config import (
    DEFAULT_API_URL,
    DEFAULT_SSEC_URL,
    REDACTED,
    USER_AGENT,
    build_session,
    check_token,
    check_url,
    environment_proxies,
    redirect_prefix_path,
)
from .errors import (
    SendsayConfigurationError,
    SendsayError,
    SendsayHTTPError,
    SendsayRedirectLoopError,
    SendsayTransportError,
    api_error_from_reply,
)

logger = logging.getLogger(__name__)

_MAX_EXPLAIN = 300
_RETRYABLE_REQUEST_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
T = TypeVar("T")


def _encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


class SendsayTransport:
    """The HTTP core of `SendsayClient`; see the module docstring for the contract."""

    _redirect_prefixes: ClassVar[dict[tuple[str, str], str]] = {}
    _redirect_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        login: str,
        api_key: str,
        *,
        api_url: str = DEFAULT_API_URL,
        ssec_url: str = DEFAULT_SSEC_URL,
        session: requests.Session | None = None,
        timeout: float = 15.0,
        max_redirects: int = 10,
    ) -> None:
        self.login = check_token("login", login, forbidden="/?#")
        self._api_key = check_token("API key", api_key)
        self.api_url = check_url("api_url", api_url)
        self.ssec_url = check_url("ssec_url", ssec_url)
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise SendsayConfigurationError("Sendsay timeout must be a positive number")
        if not isinstance(max_redirects, int) or max_redirects < 0:
            raise SendsayConfigurationError("Sendsay max_redirects must be a non-negative int")
        self.timeout = float(timeout)
        self.max_redirects = max_redirects
        self._owns_session = session is None
        self.session = build_session() if session is None else session
        parts = urlsplit(self.api_url)
        self._api_origin = f"{parts.scheme}://{parts.netloc}"
        # Read once (see `build_session`); a REDIRECT changes the path, never the host.
        self._proxies = {url: environment_proxies(url) for url in (self.api_url, self.ssec_url)}
        self._api_path = parts.path
        self._headers = {
            "Authorization": f"sendsay apikey={self._api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(login={self.login!r}, api_url={self.api_url!r}, "
            f"api_key={REDACTED!r})"
        )

    def close(self) -> None:
        """Close the session if this client created it (an injected one belongs to the caller)."""
        if self._owns_session:
            self.session.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public calls ----------------------------------------------------------------------

    def call(self, action: str, **params: Any) -> dict[str, Any]:
        """Run one API action and return the reply object (common fields included)."""
        if not isinstance(action, str) or not action:
            raise SendsayConfigurationError("Sendsay action must be a non-empty string")
        if "apikey" in params or "session" in params:
            raise SendsayConfigurationError("Sendsay credentials go to the constructor only")
        payload = _encode({"action": action, **params})
        return self._logged(action, self._call_following_redirects, action, payload)

    def ssec_post(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """POST a JSON array of e-commerce events to ``<ssec_url><login>``.

        The ssec reply format is undocumented [I]: an empty or non-JSON 2xx body counts as
        success and gives ``{}``; a JSON array is returned as ``{"result": [...]}``.
        No REDIRECT handling here (none is documented for ssec).
        """
        payload = _encode(list(events))
        return self._logged("ssec", self._ssec_post, payload)

    @classmethod
    def clear_redirect_cache(cls) -> None:
        with cls._redirect_lock:
            cls._redirect_prefixes.clear()

    # -- internals -------------------------------------------------------------------------

    def _logged(self, action: str, func: Callable[..., T], *args: Any) -> T:
        started = time.monotonic()
        try:
            result = func(*args)
        except SendsayError as exc:
            logger.warning(
                "sendsay %s failed in %.0f ms: %s (retryable=%s)",
                action,
                (time.monotonic() - started) * 1000,
                exc.error_id,
                exc.retryable,
            )
            raise
        logger.debug("sendsay %s ok in %.0f ms", action, (time.monotonic() - started) * 1000)
        return result

    def _call_following_redirects(self, action: str, payload: bytes) -> dict[str, Any]:
        prefix = self._cached_prefix()
        for hop in range(1, self.max_redirects + 2):
            url = f"{self._api_origin}{prefix}{self._api_path}{quote(self.login, safe='')}"
            try:
                reply = self._decode_object(action, self._post(action, url, payload))
            except (SendsayTransportError, SendsayHTTPError):
                self._forget_prefix()  # a stale cluster prefix must not stick
                raise
            error = api_error_from_reply(action, reply, redact=self._redact)
            if error is not None:
                raise error
            if "REDIRECT" not in reply:
                return reply
            prefix = self._redirect_prefix(action, reply["REDIRECT"])
            self._remember_prefix(prefix)
            logger.info("sendsay %s redirected to %s (hop %d)", action, prefix or "/", hop)
        self._forget_prefix()
        raise SendsayRedirectLoopError(
            f"more than {self.max_redirects} REDIRECT hops",
            action=action,
            error_id="client/too_many_redirects",
        )

    def _ssec_post(self, payload: bytes) -> dict[str, Any]:
        response = self._post("ssec", self.ssec_url + quote(self.login, safe=""), payload)
        try:
            reply = response.json() if response.content.strip() else {}
        except ValueError:
            logger.debug("sendsay ssec reply is not JSON (%d bytes)", len(response.content))
            return {}
        if not isinstance(reply, dict):
            return {"result": reply}
        error = api_error_from_reply("ssec", reply, redact=self._redact)
        if error is not None:
            raise error
        return reply

    def _post(self, action: str, url: str, payload: bytes) -> requests.Response:
        """POST `payload` through the session's adapter (its connection pool) directly.

        `Session.post` would prepare the request from scratch (URL parsing, header merging,
        hooks, the cookie jar) and follow redirects: about 0.5 ms of CPU a call, which a worker
        sending thousands of messages pays for nothing. Sendsay sets no cookies and its
        REDIRECT is in the body, so the request is built here from parts known to be valid
        (`check_url`, a quoted login) and handed to the adapter; 3xx replies are errors."""
        request = requests.PreparedRequest()
        request.method, request.url, request.body = "POST", url, payload
        request.headers = CaseInsensitiveDict(self._headers)
        request.headers["Content-Length"] = str(len(payload))
        request.hooks = {"response": []}
        try:
            response = self.session.get_adapter(url).send(
                request,
                proxies=self._proxies[self.ssec_url if url.startswith(self.ssec_url)
                                      else self.api_url],
                timeout=self.timeout,
                verify=self.session.verify,
                cert=self.session.cert,
            )
        except requests.RequestException as exc:
            raise self._transport_error(action, exc) from self._scrub(exc)
        status = response.status_code
        if not 200 <= status < 300:
            raise SendsayHTTPError(
                action=action,
                error_id=f"http/{status}",
                http_status=status,
                explain=self._redact(response.reason or "") or None,
                retry_after=_retry_after(response),
            )
        return response

    def _transport_error(self, action: str, exc: requests.RequestException) -> SendsayError:
        if isinstance(exc, requests.Timeout):
            error_id = "transport/timeout"
        elif isinstance(exc, requests.ConnectionError):
            error_id = "transport/connection"
        else:
            error_id = "transport/request"
        return SendsayTransportError(
            action=action,
            error_id=error_id,
            explain=self._redact(f"{type(exc).__name__}: {exc}")[:_MAX_EXPLAIN],
            retryable=isinstance(exc, _RETRYABLE_REQUEST_ERRORS),
        )

    def _decode_object(self, action: str, response: requests.Response) -> dict[str, Any]:
        try:
            reply = response.json()
        except ValueError as exc:
            raise SendsayTransportError(
                action=action,
                error_id="transport/invalid_json",
                http_status=response.status_code,
                explain=f"reply of {len(response.content)} bytes is not JSON",
            ) from exc
        if not isinstance(reply, dict):
            raise SendsayTransportError(
                action=action,
                error_id="transport/invalid_json",
                http_status=response.status_code,
                explain=f"reply is a JSON {type(reply).__name__}, not an object",
            )
        return reply

    def _redirect_prefix(self, action: str, value: Any) -> str:
        prefix = redirect_prefix_path(value)
        if prefix is None:
            self._forget_prefix()
            raise SendsayRedirectLoopError(
                "REDIRECT value is not a plain path", action=action, error_id="client/bad_redirect"
            )
        return prefix

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, REDACTED)

    def _scrub(self, exc: BaseException) -> BaseException:
        """Remove the key from a `requests` exception before it is chained into ours."""
        exc.args = tuple(
            self._redact(str(arg)) if self._api_key in str(arg) else arg for arg in exc.args
        )
        request = getattr(exc, "request", None)
        headers = getattr(request, "headers", None)
        if headers is not None and "Authorization" in headers:
            headers["Authorization"] = f"sendsay apikey={REDACTED}"
        return exc

    @property
    def _cache_key(self) -> tuple[str, str]:
        return (self.api_url, self.login)

    def _cached_prefix(self) -> str:
        with self._redirect_lock:
            return self._redirect_prefixes.get(self._cache_key, "")

    def _remember_prefix(self, prefix: str) -> None:
        with self._redirect_lock:
            if prefix:
                self._redirect_prefixes[self._cache_key] = prefix
            else:
                self._redirect_prefixes.pop(self._cache_key, None)

    def _forget_prefix(self) -> None:
        with self._redirect_lock:
            self._redirect_prefixes.pop(self._cache_key, None)
