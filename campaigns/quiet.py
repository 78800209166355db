"""Quiet hours: whether a moment falls in a local-time window, and when that window ends.

Pure functions on aware datetimes and `zoneinfo` zones; no settings, no ORM.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(now: datetime, zone: ZoneInfo, start: time | None, end: time | None
                ) -> datetime | None:
    """The end of the quiet window `now` falls in (an aware datetime in `zone`), or None when
    `now` is outside it or there is no window.

    The window is [start, end) in local wall-clock time; start > end crosses midnight
    (21:00-09:00), start == end is no window. An end that does not exist locally (a DST gap)
    resolves forward like `zoneinfo` does (fold=0).
    """
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    if start < end:
        inside, end_day = start <= moment < end, local.date()
    else:
        inside = moment >= start or moment < end
        end_day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=zone)
