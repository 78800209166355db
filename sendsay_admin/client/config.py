"""Client configuration: defaults, validation of login/key/URLs, the pooled session, and the
REDIRECT prefix rule. Problems raise `SendsayConfigurationError` (outside the delivery errors).
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from .errors import SendsayConfigurationError

DEFAULT_API_URL = "https://api.sendsay.ru/general/api/v100/json/"
DEFAULT_SSEC_URL = "https://ssec.sendsay.ru/general/ssec/v100/json/"
POOL_MAXSIZE = 32
USER_AGENT = "sendsay-admin-client/1.0"
REDACTED = "***"
# A REDIRECT value must be a plain path such as "/clu180": never a URL to another host, where
# the API key would follow it.
_REDIRECT_SEGMENT_RE = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}")


def build_session(pool_maxsize: int = POOL_MAXSIZE) -> requests.Session:
    """A session with a connection pool big enough for many concurrent calls and no retries
    (retrying is the caller's decision, driven by `SendsayError.retryable`).

    The environment is read here and by `environment_proxies`, once, instead of by requests on
    every call (`trust_env` walks `os.environ` for proxies and reads ~/.netrc each time: about
    0.4 ms of CPU a call). The CA bundle variables requests honours are honoured here."""
    session = requests.Session()
    session.trust_env = False
    session.verify = (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                      or True)
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def environment_proxies(url: str) -> dict[str, str]:
    """The proxies the environment (HTTP(S)_PROXY, NO_PROXY...) gives for `url`'s host."""
    return requests.utils.get_environ_proxies(url)


def check_url(name: str, url: str) -> str:
    """An http(s) URL with a host and no query; returned with a trailing slash."""
    # ASCII without spaces: requests are built from this text as it is (`transport._post`).
    plain = isinstance(url, str) and url.isascii() and not any(c.isspace() for c in url)
    parts = urlsplit(url) if plain else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise SendsayConfigurationError(f"Sendsay {name} must be an http(s) URL")
    if parts.query or parts.fragment:
        raise SendsayConfigurationError(f"Sendsay {name} must not have a query or fragment")
    return url if url.endswith("/") else url + "/"


def check_token(name: str, value: str, *, forbidden: str = "") -> str:
    """A non-empty string without whitespace, control characters or `forbidden` ones."""
    if not isinstance(value, str) or not value.strip():
        raise SendsayConfigurationError(f"Sendsay {name} is empty")
    if any(char.isspace() or ord(char) < 32 or char in forbidden for char in value):
        # The value itself stays out of the message: it may be a secret.
        extra = f" or one of {forbidden!r}" if forbidden else ""
        raise SendsayConfigurationError(f"Sendsay {name} contains whitespace{extra}")
    return value


def redirect_prefix_path(value: Any) -> str | None:
    """``"/clu180"`` -> ``"/clu180"``, ``"/"`` or ``""`` -> ``""``, anything else -> None."""
    if not isinstance(value, str):
        return None
    path = value.strip("/")
    if path and not all(_REDIRECT_SEGMENT_RE.fullmatch(part) for part in path.split("/")):
        return None
    return f"/{path}" if path else ""
