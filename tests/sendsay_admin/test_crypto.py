"""Secrets at rest: Fernet round trip, key read at call time, clear errors for a bad key."""

import pytest
from cryptography.fernet import Fernet

from sendsay_admin import crypto


def test_encrypt_round_trip_and_ciphertext_hides_the_secret(settings):
    settings.SECRETS_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = crypto.secret_encrypt("my-secret-key")
    assert "my-secret-key" not in token
    assert crypto.secret_decrypt(token) == "my-secret-key"
    assert crypto.secret_encrypt("my-secret-key") != token  # random IV each time


def test_key_is_read_at_call_time(settings):
    settings.SECRETS_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = crypto.secret_encrypt("value")
    settings.SECRETS_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(crypto.SecretDecryptError, match="has changed"):
        crypto.secret_decrypt(token)


def test_rotation_list_decrypts_old_tokens_and_encrypts_with_the_first(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SECRETS_ENCRYPTION_KEY = old
    token = crypto.secret_encrypt("value")
    settings.SECRETS_ENCRYPTION_KEY = f"{new},{old}"
    assert crypto.secret_decrypt(token) == "value"
    fresh = crypto.secret_encrypt("value")
    assert Fernet(new.encode()).decrypt(fresh.encode()) == b"value"


@pytest.mark.parametrize("bad", ["", "not-a-key", "c2hvcnQ="])
def test_malformed_key_gives_a_clear_error_without_the_key(settings, bad):
    settings.SECRETS_ENCRYPTION_KEY = bad
    with pytest.raises(crypto.SecretsKeyError) as info:
        crypto.secret_encrypt("value")
    assert "Fernet key" in str(info.value)
    if bad:
        assert bad not in str(info.value)


def test_default_key_is_detected(settings):
    settings.SECRETS_ENCRYPTION_KEY = settings.DEV_SECRETS_ENCRYPTION_KEY
    assert crypto.default_key_in_use()
    settings.SECRETS_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert not crypto.default_key_in_use()
