"""Sendsay client exceptions and the mapping from Sendsay error ids to exception classes.

Two roots on purpose:

* `SendsayError` - anything that went wrong while talking to Sendsay. Carries `action`,
  `error_id`, `explain`, `retryable` and `http_status`; callers retry only when `retryable`.
* `SendsayConfigurationError` (a `ValueError`) - the client was built wrong (empty login or
  key, bad URL). It is deliberately *not* a `SendsayError`, so an
  `except SendsayError: fall back to another channel` can never hide a misconfiguration.

No exception text ever contains the API key: the client redacts it before building errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar


class SendsayConfigurationError(ValueError):
    """The client cannot be built or used as configured (never retryable, never delivery)."""


class SendsayError(Exception):
    """Root of every failure of a Sendsay call.

    `str(exc)` reads like ``Sendsay member.set: error/auth/failed: wrong_credentials`` so it can
    be shown in admin messages as is.
    """

    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str = "",
        *,
        action: str | None = None,
        error_id: str | None = None,
        explain: str | None = None,
        retryable: bool | None = None,
        http_status: int | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.message = message
        self.action = action
        self.error_id = error_id
        self.explain = explain
        self.retryable = self.default_retryable if retryable is None else retryable
        self.http_status = http_status
        self.errors = errors or []
        super().__init__(message or error_id or "")

    def __str__(self) -> str:
        head = f"Sendsay {self.action}" if self.action else "Sendsay"
        detail = self.error_id or "error"
        if self.explain:
            detail = f"{detail}: {self.explain}"
        if self.message:
            return f"{head}: {self.message} ({detail})"
        return f"{head}: {detail}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor: rebuild from __dict__ so errors survive pickling.
        return (_rebuild_error, (type(self), self.__dict__.copy()))


def _rebuild_error(cls: type[SendsayError], state: dict[str, Any]) -> SendsayError:
    exc = cls.__new__(cls)
    exc.__dict__.update(state)
    exc.args = (state.get("message") or state.get("error_id") or "",)
    return exc


class SendsayTransportError(SendsayError):
    """Connection refused or reset, timeout, or a reply that is not a JSON object."""

    default_retryable = True


class SendsayHTTPError(SendsayError):
    """Non-2xx HTTP status. Retryable for 5xx and 429, not for other statuses."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: Any):
        status = kwargs.get("http_status")
        if kwargs.get("retryable") is None:
            kwargs["retryable"] = status is not None and (status >= 500 or status == 429)
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class SendsayAPIError(SendsayError):
    """Sendsay answered with an `errors` array (or a singular `error` object)."""


class SendsayAuthError(SendsayAPIError):
    """`error/auth/...`: wrong or revoked API key, missing rights."""


class SendsaySenderError(SendsayAPIError):
    """`error/sender/...` or an empty From: sender unknown, on moderation or prohibited."""


class SendsayValidationError(SendsayAPIError):
    """The request was refused as malformed: wrong, invalid or missing values."""


class SendsayRedirectLoopError(SendsayError):
    """More REDIRECT hops than `max_redirects`, or a REDIRECT value that is not a path."""


class SendsayTrackError(SendsayError):
    """An async job (`track.get`) ended in a failure status (-2, -3 or -6)."""

    def __init__(
        self, message: str = "", *, track_id: str, status: int, track: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.track_id = track_id
        self.status = status
        self.track = track


class SendsayTimeoutError(SendsayError):
    """An async job was still running when `track_wait` gave up (retryable)."""

    default_retryable = True


# Error-id classification. Sendsay's full id list is not public; these markers come from the ids
# in the reference (section 4.3) plus obvious naming patterns [I].
RETRYABLE_ID_MARKERS = (
    "/temporary",
    "too_many_requests",
    "/timeout",
    "/try_later",
    "/unavailable",
)
VALIDATION_ID_MARKERS = (
    "/wrong",
    "/invalid",
    "/missing",
    "/bad",
    "/empty",
    "/required",
    "/toolong",
)
SENDER_IDS = frozenset({"error/draft/emptyfromemail"})


def classify_error_id(error_id: str) -> type[SendsayAPIError]:
    """Pick the exception class for one Sendsay error id (first match wins)."""
    if error_id.startswith("error/auth/"):
        return SendsayAuthError
    if error_id.startswith("error/sender/") or error_id in SENDER_IDS:
        return SendsaySenderError
    if any(marker in error_id for marker in VALIDATION_ID_MARKERS):
        return SendsayValidationError
    return SendsayAPIError


def is_retryable_error_id(error_id: str) -> bool:
    return any(marker in error_id for marker in RETRYABLE_ID_MARKERS)


def reply_errors(reply: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The error objects of a reply: `errors` (list or one object) or a singular `error`."""
    raw = reply.get("errors")
    if not raw:
        raw = reply.get("error")
    if not raw:
        return []
    items = raw if isinstance(raw, list) else [raw]
    return [item if isinstance(item, dict) else {"id": str(item)} for item in items]


def explain_text(explain: Any) -> str | None:
    """`explain` may be a string or a structure; always hand back text."""
    if explain is None or explain == "":
        return None
    if isinstance(explain, str):
        return explain
    return json.dumps(explain, ensure_ascii=False, sort_keys=True, default=str)


def _same(text: str) -> str:
    return text


def api_error_from_reply(
    action: str,
    reply: Mapping[str, Any],
    *,
    http_status: int | None = None,
    redact: Callable[[str], str] = _same,
) -> SendsayAPIError | None:
    """Build the exception for a reply carrying errors, or None when it has none.

    `redact` scrubs secrets out of Sendsay's id and explanation before they reach `str(exc)`.
    """
    errors = reply_errors(reply)
    if not errors:
        return None
    first = errors[0]
    error_id = redact(str(first.get("id") or "error/unknown"))
    explain = explain_text(first.get("explain"))
    return classify_error_id(error_id)(
        action=action,
        error_id=error_id,
        explain=redact(explain) if explain else None,
        retryable=is_retryable_error_id(error_id),
        http_status=http_status,
        errors=errors,
    )
