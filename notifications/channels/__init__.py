"""Channel backends: one rendered message in, one provider call, a classified error out."""

from .base import (
    ChannelBackend,
    DeliveryError,
    DeliveryResult,
    OutboundMessage,
    PermanentDeliveryError,
    SendOutcome,
    TemporaryDeliveryError,
    UnsupportedFeatureError,
)

__all__ = [
    "ChannelBackend",
    "DeliveryError",
    "DeliveryResult",
    "OutboundMessage",
    "PermanentDeliveryError",
    "SendOutcome",
    "TemporaryDeliveryError",
    "UnsupportedFeatureError",
]
