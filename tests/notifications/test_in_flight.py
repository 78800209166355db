"""`channels.base.in_flight`: outcomes in order, never more than the window sent unrecorded."""

import threading
from concurrent.futures import ThreadPoolExecutor

from notifications.channels.base import in_flight


def test_outcomes_come_in_order_with_at_most_the_window_outstanding():
    outstanding, most, lock = [0], [0], threading.Lock()

    def work(n):
        return n * 10

    with ThreadPoolExecutor(8) as pool:
        def submit(index, message):
            with lock:
                outstanding[0] += 1
                most[0] = max(most[0], outstanding[0])
            return pool.submit(work, message)

        results = []
        for outcome in in_flight(submit, list(range(50)), window=4):
            with lock:
                outstanding[0] -= 1
            results.append(outcome)

    assert results == [n * 10 for n in range(50)]
    assert most[0] == 4


def test_closing_early_submits_nothing_more_and_waits_for_what_is_in_flight():
    started, finished = [], []

    def work(n):
        started.append(n)
        threading.Event().wait(0.05)
        finished.append(n)
        return n

    with ThreadPoolExecutor(4) as pool:
        outcomes = in_flight(lambda _i, m: pool.submit(work, m), list(range(20)), window=3)
        assert next(outcomes) == 0
        outcomes.close()
        assert sorted(finished) == sorted(started)  # nothing left running
    assert len(started) <= 4
