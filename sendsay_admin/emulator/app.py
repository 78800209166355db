"""The WSGI application: routing, both request encodings, auth, REDIRECT, faults, the envelope.

Routes (POST unless noted): `/general/api/v100/json/<login>[/]` and `/` (the API),
`/general/ssec/v100/json/<login>` (e-commerce events), any of those under the REDIRECT prefix,
`/_control/<command>`, and GET `/_inspect` (JSON), `/_inspect/page` or `/` (HTML).
API errors are HTTP 200 with `errors` [I, see reference 4.4]; every reply carries `request.id`
(echoed, else `fake-<UUID>`), `duration` and `_ehid` [R].
"""

from __future__ import annotations

import hmac
import http
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

from . import control, inspection
from .actions import NO_AUTH, Context, dispatch
from .actions import ssec as ssec_actions
from .errors import ApiError, DropConnection, invalid, missing
from .records import Fault
from .state import Account, EmulatorState

logger = logging.getLogger(__name__)

API_PATH = re.compile(r"^/general/api/v100/json/([^/]+)/?$")
SSEC_PATH = re.compile(r"^/general/ssec/v100/json/([^/]+)/?$")
AUTH_HEADER = re.compile(r"^\s*sendsay\s+apikey=(\S+)\s*$", re.IGNORECASE)
#: Request keys that belong to the envelope, not to the action.
ENVELOPE_KEYS = ("action", "apikey", "request.id", "one_time_auth", "session", "lbac.policy")
JSON_TYPE = "application/json; charset=utf-8"

StartResponse = Callable[..., object]
Response = tuple[int, str, bytes]


def _wrong_credentials() -> ApiError:
    return ApiError("error/auth/failed", "wrong_credentials")


def json_response(status: int, data: object) -> Response:
    return status, JSON_TYPE, json.dumps(data, ensure_ascii=False).encode("utf-8")


class EmulatorApp:
    """A WSGI callable over one `EmulatorState`."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        try:
            status, content_type, body = self.route(environ)
        except DropConnection:
            raise
        except Exception as exc:  # the emulator must answer even when it has a bug
            logger.exception("emulator failure")
            status, content_type, body = json_response(
                500, {"errors": [{"id": "error/emulator/internal", "explain": repr(exc)}]}
            )
        reason = http.HTTPStatus(status).phrase
        start_response(
            f"{status} {reason}",
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        )
        return [body]

    def route(self, environ: dict) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO") or "/"
        if path.startswith("/_control/"):
            return self._only("POST", method) or self.control(environ, path[len("/_control/") :])
        if path.rstrip("/") == "/_inspect":
            return self._only("GET", method) or json_response(200, inspection.snapshot(self.state))
        if path.rstrip("/") == "/_inspect/page" or (path == "/" and method == "GET"):
            page = inspection.page(inspection.snapshot(self.state))
            return 200, "text/html; charset=utf-8", page.encode("utf-8")
        path, under_prefix = self._strip_prefix(path)
        if match := SSEC_PATH.match(path):
            return self._only("POST", method) or self.ssec(environ, match.group(1))
        if (match := API_PATH.match(path)) or path == "/":
            login = match.group(1) if match else None
            return self._only("POST", method) or self.api(environ, login, under_prefix)
        return 404, "text/plain; charset=utf-8", b"not found\n"

    def control(self, environ: dict, command: str) -> Response:
        body = _read(environ)
        if not _content_type(environ).startswith("application/x-www-form-urlencoded"):
            return json_response(*control.handle(self.state, command, body))
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        status, reply = control.handle(self.state, command, form)
        if status != 200:
            return json_response(status, reply)
        page = inspection.page(inspection.snapshot(self.state))
        return 200, "text/html; charset=utf-8", page.encode("utf-8")

    @staticmethod
    def _only(allowed: str, method: str) -> Response | None:
        if method == allowed:
            return None
        return 405, "text/plain; charset=utf-8", f"use {allowed}\n".encode()

    def _strip_prefix(self, path: str) -> tuple[str, bool]:
        prefix = (self.state.redirect_prefix or "").rstrip("/")
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            return path[len(prefix) :] or "/", True
        return path, False

    # --- the API -------------------------------------------------------------------------

    def api(self, environ: dict, path_login: str | None, under_prefix: bool) -> Response:
        started = time.perf_counter()
        request_id = None
        try:
            payload, request_id = decode(environ, _read(environ))
            action = payload.get("action")
            login = self._login(environ, payload, path_login)
            self._count(str(action or "?"), login)
            faults = self.state.take_faults(str(action), login)
            if faulted := self._faults(faults, started, request_id):
                return faulted
            if prefix := self._redirect(login, under_prefix):
                return self._reply(started, request_id, {"REDIRECT": prefix})
            if not action or not isinstance(action, str):
                raise missing("action")
            params = {k: v for k, v in payload.items() if k not in ENVELOPE_KEYS}
            account = None if action in NO_AUTH else self._authenticate(environ, payload, login)
            with self.state.lock:
                result = dispatch(Context(self.state, account, login), action, params)
        except ApiError as exc:
            result = {"errors": [exc.as_dict()]}
        return self._reply(started, request_id, result)

    def ssec(self, environ: dict, login: str) -> Response:
        """[R] the body is a JSON array and the key comes in the Authorization header."""
        started = time.perf_counter()
        try:
            self._count("ssec", login)
            if faulted := self._faults(self.state.take_faults("ssec", login), started, None):
                return faulted
            try:
                body = json.loads(_read(environ) or b"null")
            except ValueError as exc:
                raise ApiError("error/request/json", str(exc)) from exc
            account = self._authenticate(environ, {}, login)
            with self.state.lock:
                result = ssec_actions.accept(account, body)
        except ApiError as exc:
            result = {"errors": [exc.as_dict()]}
        return self._reply(started, None, result)

    @staticmethod
    def _reply(started: float, request_id: object, result: dict) -> Response:
        envelope = {
            **result,
            "request.id": request_id or f"fake-{str(uuid.uuid4()).upper()}",
            "duration": round(time.perf_counter() - started, 6),
            "_ehid": str(secrets.randbelow(10**12)),
        }
        return json_response(200, envelope)

    def _login(self, environ: dict, payload: dict, path_login: str | None) -> str | None:
        """The account: from the path, else `one_time_auth.login`, else the API key's owner."""
        if path_login and path_login != "-":
            return path_login
        ota = payload.get("one_time_auth")
        if isinstance(ota, dict) and ota.get("login"):
            return str(ota["login"])
        key = _header_key(environ) or payload.get("apikey")
        account = self.state.account_by_key(key) if isinstance(key, str) else None
        return account.login if account else None

    def _authenticate(self, environ: dict, payload: dict, login: str | None) -> Account:
        header_key = _header_key(environ)
        if environ.get("HTTP_AUTHORIZATION") and header_key is None:
            raise _wrong_credentials()
        ota = payload.get("one_time_auth")
        given = [
            header_key,
            payload.get("apikey"),
            payload.get("session"),
            ota.get("passwd") if isinstance(ota, dict) else None,
        ]
        given = [value for value in given if value]
        if len(given) > 1:
            raise ApiError("error/auth/failed", "too_many_auth_parameters")
        # [I] the emulator knows only API keys: sessions and passwords never match.
        key = header_key or payload.get("apikey")
        account = self.state.accounts.get(login) if login else None
        if (
            account is None
            or not isinstance(key, str)
            or not hmac.compare_digest(account.apikey.encode(), key.encode())
        ):
            raise _wrong_credentials()
        return account

    def _count(self, action: str, login: str | None) -> None:
        with self.state.lock:
            self.state.requests[action] += 1
            if login in self.state.accounts:
                self.state.accounts[login].request_counts[action] += 1

    def _redirect(self, login: str | None, under_prefix: bool) -> str | None:
        state = self.state
        if not state.redirect_prefix or state.redirect_mode == "off":
            return None
        with state.lock:
            account = state.accounts.get(login) if login else None
            if account is None:
                return None
            if state.redirect_mode == "loop":
                return state.redirect_prefix
            if under_prefix or (state.redirect_mode == "first" and account.redirected):
                account.redirected = True
                return None
            account.redirected = True
            return state.redirect_prefix

    def _faults(self, faults: list[Fault], started: float, request_id: object) -> Response | None:
        """Sleep for every latency, then apply the first error/http/drop fault."""
        delay = sum(fault.latency_ms for fault in faults) / 1000
        if delay > 0:
            time.sleep(delay)
        terminal = next((f for f in faults if f.mode != "latency"), None)
        if terminal is None:
            return None
        if terminal.mode == "drop":
            raise DropConnection
        if terminal.mode == "http":
            phrase = http.HTTPStatus(terminal.status).phrase
            body = f"<html><body><h1>{terminal.status} {phrase}</h1></body></html>\n"
            return terminal.status, "text/html; charset=utf-8", body.encode()
        return self._reply(
            started,
            request_id,
            {"errors": [ApiError(terminal.error_id, terminal.explain).as_dict()]},
        )


def _read(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _header_key(environ: dict) -> str | None:
    match = AUTH_HEADER.match(environ.get("HTTP_AUTHORIZATION") or "")
    return match.group(1) if match else None


def _content_type(environ: dict) -> str:
    return (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()


def decode(environ: dict, body: bytes) -> tuple[dict, object]:
    """Return (request object, request.id) from a JSON body or the legacy form encoding [C]."""
    content_type = _content_type(environ)
    request_id = None
    try:
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(environ.get("QUERY_STRING") or "", keep_blank_values=True)
            form.update(parse_qs(body.decode("utf-8"), keep_blank_values=True))
            if form.get("apiversion", ["100"])[0] != "100":
                raise invalid("apiversion", "only 100 is served")
            if form.get("json", ["1"])[0] != "1":
                raise invalid("json", "only json=1 is served")
            if not form.get("request", [""])[0]:
                raise missing("request")
            request_id = form.get("request.id", [None])[0]
            payload = json.loads(form["request"][0])
        else:
            payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError("error/request/json", f"the request is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ApiError("error/request/json", "the request must be a JSON object")
    return payload, request_id or payload.get("request.id")


def make_app(state: EmulatorState) -> EmulatorApp:
    """The WSGI callable serving `state`; any WSGI server can run it (drop needs ours)."""
    return EmulatorApp(state)
