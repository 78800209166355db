"""A date hierarchy for big change lists, built from one MIN/MAX query.

Django's `date_hierarchy` tag lists the years (months, days) that have rows with
SELECT DISTINCT over every row of the filtered table: about two seconds for 100,000 orders on
SQLite, and a full scan on any database. Here the links come from the first and last date of
the filtered rows (answered from an index on the date column), so a period without rows
between them may be listed; its page is simply empty. The filtering itself is still
Django's (`<field>__year` / `__month` / `__day`, turned into a date range by the ChangeList).
"""

import datetime

from django.db.models import Max, Min
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _month_title(year: int, month: int) -> str:
    return capfirst(formats.date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT"))


def _day_title(year: int, month: int, day: int) -> str:
    return capfirst(formats.date_format(datetime.date(year, month, day), "MONTH_DAY_FORMAT"))


def date_hierarchy_nav(changelist) -> dict:
    """The context of Django's admin/date_hierarchy.html (show, back, choices) for `changelist`."""
    name = changelist.date_hierarchy
    if not name:
        return {"show": False}
    keys = {part: f"{name}__{part}" for part in ("year", "month", "day")}
    year, month, day = (changelist.params.get(keys[part]) for part in ("year", "month", "day"))

    def link(**parts) -> str:
        return changelist.get_query_string({keys[k]: v for k, v in parts.items()}, [f"{name}__"])

    if year and month and day:
        y, m, d = int(year), int(month), int(day)
        return {
            "show": True,
            "back": {"link": link(year=y, month=m), "title": _month_title(y, m)},
            "choices": [{"title": _day_title(y, m, d)}],
        }
    bounds = changelist.queryset.aggregate(first=Min(name), last=Max(name))
    first, last = _local(bounds["first"]), _local(bounds["last"])
    if not (year or month) and first is not None and first.year == last.year:
        year = first.year  # one year (or month) only: start one level down, as Django does
        if first.month == last.month:
            month = first.month
    if year and month:
        y, m = int(year), int(month)
        days = range(first.day, last.day + 1) if first is not None else ()
        return {
            "show": True,
            "back": {"link": link(year=y), "title": str(y)},
            "choices": [
                {"link": link(year=y, month=m, day=d), "title": _day_title(y, m, d)} for d in days
            ],
        }
    if year:
        y = int(year)
        months = range(first.month, last.month + 1) if first is not None else ()
        return {
            "show": True,
            "back": {"link": link(), "title": gettext("All dates")},
            "choices": [
                {"link": link(year=y, month=m), "title": _month_title(y, m)} for m in months
            ],
        }
    years = range(first.year, last.year + 1) if first is not None else ()
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link(year=y), "title": str(y)} for y in years],
    }
