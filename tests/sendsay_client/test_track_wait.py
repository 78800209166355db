"""`track_wait`: poll `track.get` while the status is >= 0, with an injected sleep."""

import pytest

from sendsay_admin.client import (
    SendsayError,
    SendsayTimeoutError,
    SendsayTrackError,
    TrackStatus,
)

from .support import URL, sent_json


def _queue_statuses(rsps, *statuses):
    for status in statuses:
        rsps.post(URL, json={"obj": {"status": status, "dt": "2025-01-01 10:00:00"}})


def test_polls_until_a_final_status_and_sleeps_between_polls(client, rsps):
    _queue_statuses(rsps, 0, 1, 2, -1)
    sleeps = []

    track = client.track_wait("42", sleep=sleeps.append)

    assert track == {"status": -1, "dt": "2025-01-01 10:00:00"}
    assert sleeps == [0.5, 0.5, 0.5]
    assert [sent_json(call) for call in rsps.calls] == [{"action": "track.get", "id": "42"}] * 4


def test_final_at_first_poll_does_not_sleep(client, rsps):
    _queue_statuses(rsps, "-1")
    sleeps = []

    assert client.track_wait(7, sleep=sleeps.append)["status"] == TrackStatus.DONE
    assert sleeps == []


@pytest.mark.parametrize("status", [-4, -5])
def test_later_and_moderation_are_returned_not_raised(client, rsps, status):
    _queue_statuses(rsps, 0, status)

    assert client.track_wait("42", sleep=lambda _: None)["status"] == status


@pytest.mark.parametrize(
    ("status", "error_id"),
    [(-2, "track/failed"), (-3, "track/cancelled"), (-6, "track/not_moderated")],
)
def test_failure_statuses_raise_track_error(client, rsps, status, error_id):
    _queue_statuses(rsps, 0, status)

    with pytest.raises(SendsayTrackError) as caught:
        client.track_wait("42", sleep=lambda _: None)

    exc = caught.value
    assert isinstance(exc, SendsayError)
    assert (exc.track_id, exc.status, exc.error_id, exc.retryable) == (
        "42",
        status,
        error_id,
        False,
    )
    assert exc.track["status"] == status
    assert "42" in str(exc)


def test_timeout_raises_retryable_timeout_error(client, rsps):
    _queue_statuses(rsps, 2)  # the last registered reply repeats forever
    sleeps = []

    with pytest.raises(SendsayTimeoutError) as caught:
        client.track_wait("42", timeout=2, interval=0.5, sleep=sleeps.append)

    assert caught.value.retryable is True
    assert isinstance(caught.value, SendsayError)
    assert sleeps == [0.5, 0.5, 0.5, 0.5]
    assert len(rsps.calls) == 5


def test_last_sleep_is_capped_at_the_remaining_time(client, rsps):
    _queue_statuses(rsps, 1)
    sleeps = []

    with pytest.raises(SendsayTimeoutError):
        client.track_wait("42", timeout=1, interval=0.75, sleep=sleeps.append)

    assert sleeps == [0.75, 0.25]
