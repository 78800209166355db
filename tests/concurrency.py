"""Running test work in threads released at the same moment, each with its own database
connection (what the row-lock tests of checkout, coupons and milestones need)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections


def run_together(work: Callable[[Any], str], args: Iterable[Any], *,
                 expected: tuple[type[BaseException], ...] = (),
                 timeout: float = 60) -> list[str]:
    """Run `work(arg)` for each of `args` in a thread of its own, all released together by a
    barrier; return the outcomes sorted: what `work` returned, the class name of an
    `expected` exception, or "Name: message" of any other. A thread still running after
    `timeout` seconds leaves its outcome out (so a count check catches it)."""
    args = list(args)
    barrier, outcomes = threading.Barrier(len(args)), []

    def run(arg):
        try:
            barrier.wait(timeout=30)
            outcomes.append(work(arg))
        except expected as exc:
            outcomes.append(type(exc).__name__)
        except Exception as exc:  # reported through the outcomes
            outcomes.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return sorted(outcomes)
