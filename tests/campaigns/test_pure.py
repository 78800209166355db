"""Pure parts of campaigns, without the database: quiet hours and the send pacer."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from campaigns.quiet import quiet_until
from campaigns.services.smtp_job import Pacer

MSK = ZoneInfo("Europe/Moscow")
VVO = ZoneInfo("Asia/Vladivostok")


def at(hour, minute=0, day=15, zone=MSK):
    return datetime(2024, 6, day, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(("now", "expected"), [
    (at(23, 30), at(9, 0, day=16)),   # after the start, the window ends tomorrow
    (at(3, 0), at(9, 0)),             # after midnight, it ends today
    (at(21, 0), at(9, 0, day=16)),    # the start is inside
    (at(9, 0), None),                 # the end is outside
    (at(20, 59), None),
    (at(12, 0), None),
])
def test_a_window_across_midnight(now, expected):
    assert quiet_until(now, MSK, time(21, 0), time(9, 0)) == expected


@pytest.mark.parametrize(("now", "expected"), [
    (at(13, 30), at(14, 0)), (at(13, 0), at(14, 0)), (at(14, 0), None), (at(12, 59), None),
])
def test_a_window_within_one_day(now, expected):
    assert quiet_until(now, MSK, time(13, 0), time(14, 0)) == expected


def test_the_window_is_local_time_of_the_given_zone():
    now = datetime(2024, 6, 15, 13, 30, tzinfo=UTC)  # 16:30 in Moscow, 23:30 in Vladivostok
    assert quiet_until(now, MSK, time(21, 0), time(9, 0)) is None
    assert quiet_until(now, VVO, time(21, 0), time(9, 0)) == at(9, 0, day=16, zone=VVO)


def test_no_window_when_unset_or_empty():
    assert quiet_until(at(23, 0), MSK, None, None) is None
    assert quiet_until(at(23, 0), MSK, time(22, 0), time(22, 0)) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sends: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


def test_pacer_keeps_the_schedule_and_catches_up_after_a_stall():
    clock = FakeClock()
    pacer = Pacer(10, sleep=clock.sleep, clock=clock)
    for number in range(30):
        pacer.wait()
        clock.sends.append(clock.now)
        clock.now += 0.01  # each send takes 10 ms
        if number == 9:
            clock.now += 0.5  # one send stalls for half a second
    gaps = [round(b - a, 3) for a, b in zip(clock.sends, clock.sends[1:], strict=False)]
    assert gaps[:9] == [0.1] * 9
    assert gaps[9] == 0.51            # the stall ...
    assert gaps[10:14] == [0.01] * 4  # ... caught up back to back ...
    assert gaps[-10:] == [0.1] * 10   # ... then the schedule again: 10/s on average overall
    assert round(clock.sends[-1] - clock.sends[0], 3) == 2.9


def test_pacer_writes_off_a_stall_longer_than_a_second():
    clock = FakeClock()
    pacer = Pacer(10, sleep=clock.sleep, clock=clock)
    for number in range(30):
        pacer.wait()
        clock.sends.append(clock.now)
        if number == 4:
            clock.now += 5.0
    gaps = [round(b - a, 3) for a, b in zip(clock.sends, clock.sends[1:], strict=False)]
    assert gaps[4] == 5.0
    assert gaps[5:15] == [0.0] * 10   # one second of schedule (10 messages) at once
    assert gaps[15:] == [0.1] * 14


def test_pacer_off_never_sleeps():
    pacer = Pacer(None, sleep=lambda s: pytest.fail("slept"), clock=lambda: 0.0)
    for _ in range(5):
        pacer.wait()
