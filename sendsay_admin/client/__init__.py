"""Pure-Python Sendsay API client (no Django): `SendsayClient`, its errors, constants, letters.

The only bridge from Django is a function elsewhere that builds a `SendsayClient` from the
stored account; nothing in this package reads settings or touches models.
"""

from .actions import SendsayClient
from .config import DEFAULT_API_URL, DEFAULT_SSEC_URL, POOL_MAXSIZE, build_session
from .constants import (
    CHANNEL_MESSAGE_KEYS,
    SSEC_EVENT_AREAS,
    SSEC_IMPERSONAL_EVENTS,
    TRACK_FAILED_STATUSES,
    AddrType,
    SsecEventType,
    TrackStatus,
)
from .errors import (
    SendsayAPIError,
    SendsayAuthError,
    SendsayConfigurationError,
    SendsayError,
    SendsayHTTPError,
    SendsayRedirectLoopError,
    SendsaySenderError,
    SendsayTimeoutError,
    SendsayTrackError,
    SendsayTransportError,
    SendsayValidationError,
)
from .letters import letter_draft, letter_inline, letter_message

__all__ = [
    "CHANNEL_MESSAGE_KEYS",
    "DEFAULT_API_URL",
    "DEFAULT_SSEC_URL",
    "POOL_MAXSIZE",
    "SSEC_EVENT_AREAS",
    "SSEC_IMPERSONAL_EVENTS",
    "TRACK_FAILED_STATUSES",
    "AddrType",
    "SendsayAPIError",
    "SendsayAuthError",
    "SendsayClient",
    "SendsayConfigurationError",
    "SendsayError",
    "SendsayHTTPError",
    "SendsayRedirectLoopError",
    "SendsaySenderError",
    "SendsayTimeoutError",
    "SendsayTrackError",
    "SendsayTransportError",
    "SendsayValidationError",
    "SsecEventType",
    "TrackStatus",
    "build_session",
    "letter_draft",
    "letter_inline",
    "letter_message",
]
