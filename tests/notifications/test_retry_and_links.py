"""Pure parts: the retry policy and signed links."""

import random

import pytest
from django.core import signing

from notifications import links
from notifications.retry import backoff_seconds, gives_up


def test_backoff_doubles_with_jitter_and_is_capped():
    rng = random.Random(1)
    delays = [backoff_seconds(n, base=30, cap=900, rng=rng) for n in range(1, 9)]
    for attempt, delay in enumerate(delays, start=1):
        full = min(900, 30 * 2 ** (attempt - 1))
        assert full / 2 <= delay <= full
    assert max(delays) <= 900
    assert len({round(d, 3) for d in delays}) == len(delays)


def test_gives_up_at_the_cap():
    assert not gives_up(7, max_attempts=8)
    assert gives_up(8, max_attempts=8)


def test_tokens_round_trip_and_refuse_forgery_and_other_purposes():
    subject = links.LinkSubject("user", 5, "email", "marketing")
    token = links.token_make(subject, salt=links.UNSUBSCRIBE_SALT)
    assert links.token_load(token, salt=links.UNSUBSCRIBE_SALT) == subject
    with pytest.raises(links.LinkError):
        links.token_load(token, salt=links.PREFERENCES_SALT)
    with pytest.raises(links.LinkError):
        links.token_load(token[:-2] + "xx", salt=links.UNSUBSCRIBE_SALT)
    forged = signing.dumps({"k": "admin", "id": 1}, salt=links.UNSUBSCRIBE_SALT)
    with pytest.raises(links.LinkError):
        links.token_load(forged, salt=links.UNSUBSCRIBE_SALT)


def test_expired_tokens_are_told_apart(settings):
    settings.SIGNED_LINK_MAX_AGE_DAYS = 0
    token = links.token_make(links.LinkSubject("company", 3), salt=links.PREFERENCES_SALT)
    with pytest.raises(links.LinkExpiredError):
        links.token_load(token, salt=links.PREFERENCES_SALT)
