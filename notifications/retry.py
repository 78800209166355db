"""Retry policy (pure): exponential backoff with jitter, capped, and when to give up."""

from __future__ import annotations

import random


def backoff_seconds(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Delay before try `attempt + 1` after `attempt` failed tries: base * 2^(attempt-1), at
    most `cap`, with "equal jitter" (between half and all of it) so retries of a burst of
    messages that failed together do not hit the provider together again."""
    delay = min(cap, base * 2 ** max(attempt - 1, 0))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


def gives_up(attempt: int, *, max_attempts: int) -> bool:
    """True when `attempt` tries have been made and no more are allowed."""
    return attempt >= max_attempts
