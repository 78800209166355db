"""Secrets at rest: Fernet encryption with settings.SECRETS_ENCRYPTION_KEY, read at call time.

The setting holds one Fernet key, or several separated by commas for rotation: the first one
encrypts, every one of them decrypts (`cryptography.fernet.MultiFernet`).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretsKeyError(ImproperlyConfigured):
    """SECRETS_ENCRYPTION_KEY is missing or not a Fernet key."""


class SecretDecryptError(Exception):
    """A stored secret cannot be decrypted with the configured key(s): the key was changed."""


KEY_HINT = (
    "SECRETS_ENCRYPTION_KEY must be a Fernet key: 32 url-safe base64-encoded bytes (44 "
    "characters). Generate one with: python -c \"from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())\""
)


def _fernet() -> MultiFernet:
    raw = getattr(settings, "SECRETS_ENCRYPTION_KEY", "") or ""
    keys = [part.strip() for part in str(raw).split(",") if part.strip()]
    if not keys:
        raise SecretsKeyError(f"SECRETS_ENCRYPTION_KEY is empty. {KEY_HINT}")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        # The key itself never goes into the message.
        raise SecretsKeyError(f"SECRETS_ENCRYPTION_KEY is malformed. {KEY_HINT}") from None


def secrets_key_check() -> None:
    """Raise `SecretsKeyError` when the configured key cannot be used."""
    _fernet()


def secret_encrypt(plain: str) -> str:
    """The Fernet token (ASCII text) for `plain`."""
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    """The clear text of a token made by `secret_encrypt`; `SecretDecryptError` if it cannot."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise SecretDecryptError(
            "The stored secret cannot be decrypted: SECRETS_ENCRYPTION_KEY has changed. "
            "Enter the API key again."
        ) from None


def default_key_in_use() -> bool:
    """True when the insecure development key from settings is the active (first) key."""
    raw = str(getattr(settings, "SECRETS_ENCRYPTION_KEY", "") or "")
    dev = getattr(settings, "DEV_SECRETS_ENCRYPTION_KEY", None)
    return bool(dev) and raw.split(",")[0].strip() == dev
