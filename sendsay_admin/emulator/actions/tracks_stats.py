"""Async jobs and statistics: track.get and a small but real stat.uni over recorded sends.

[C] track.get `{"id"}` -> `{"obj": {"id", "status", "dt", ...}}`, final statuses are negative.
[R] stat.uni takes `select`, `filter` [{"a", "op", "v"}], `order`, `skip`, `first`, and issue
fields such as issue.deliv_ok; email is `issue.format == "e"`. [I] the stat.uni reply
`{"list": [[values in select order], ...]}`, the other format letters, counters derived from
the recipients' statuses (reads/clicks/unsubscribes stay 0 unless set by control `set_stats`).
"""

from __future__ import annotations

import operator
import time

from ..errors import ApiError, invalid, missing, unsupported
from ..records import Send
from .common import Context, require_str

FORMAT_LETTERS = {
    "email": "e",
    "sms": "s",
    "viber": "v",
    "push": "p",
    "pushapp": "a",
    "tg": "t",
    "vk": "k",
    "whatsapp": "w",
}
COUNTERS = (
    "issue.members",
    "issue.deliv_ok",
    "issue.deliv_bad",
    "issue.readed",
    "issue.u_readed",
    "issue.clicked",
    "issue.u_clicked",
    "issue.unsubed",
)
FIELDS = ("issue.id", "issue.dt", "issue.format", "issue.subject", "issue.group.gid", *COUNTERS)
OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def track_get(ctx: Context, params: dict) -> dict:
    track = ctx.acc.tracks.get(require_str(params, "id"))
    if track is None:
        raise ApiError("error/track/not_found", str(params["id"]))
    track.advance(time.monotonic(), ctx.state.track_step_seconds, poll=True)
    return {"obj": track.as_dict()}


def issue_row(send: Send) -> dict:
    delivered = sum(r["status"] in ("sent", "test") for r in send.recipients)
    row = dict.fromkeys(COUNTERS, 0)
    row.update(
        {
            "issue.id": send.issue_id,
            "issue.dt": send.dt,
            "issue.format": FORMAT_LETTERS[send.channel],
            "issue.subject": send.letter.get("subject") or "",
            "issue.group.gid": send.group,
            "issue.members": len(send.recipients),
            "issue.deliv_ok": delivered,
            "issue.deliv_bad": len(send.recipients) - delivered,
        }
    )
    row.update(send.stats)
    return row


def _field(name: object, where: str) -> str:
    if not isinstance(name, str):
        raise invalid(where, "must be a field name")
    if name not in FIELDS:
        if not name.startswith("issue.") or "(" in name:
            raise unsupported(f"stat.uni field {name} (only {', '.join(FIELDS)})")
        raise ApiError("error/stat/field_unknown", name)
    return name


def _compare(row: dict, condition: object) -> bool:
    if not isinstance(condition, dict):
        raise invalid("filter", 'items must be {"a": field, "op": "==", "v": value}')
    name = _field(condition.get("a"), "filter.a")
    op = OPS.get(condition.get("op", "=="))
    if op is None:
        raise invalid("filter.op", f"{condition.get('op')!r} is not one of {', '.join(OPS)}")
    value, wanted = row[name], condition.get("v")
    if isinstance(value, int):
        try:
            wanted = int(wanted)
        except (TypeError, ValueError) as exc:
            raise invalid("filter.v", f"{name} compares with a number") from exc
    return op(value, wanted)


def stat_uni(ctx: Context, params: dict) -> dict:
    select = params.get("select")
    if not select:
        raise missing("select")
    if not isinstance(select, list):
        raise invalid("select", "must be a list of fields")
    fields = [_field(name, "select") for name in select]
    if params.get("result") not in (None, "response"):
        raise unsupported("stat.uni result other than response")
    conditions = params.get("filter") or []
    if not isinstance(conditions, list):
        raise invalid("filter", "must be a list")
    rows = [issue_row(send) for send in ctx.acc.sends]
    rows = [row for row in rows if all(_compare(row, c) for c in conditions)]
    for key in reversed(_order(params.get("order"))):
        rows.sort(key=lambda row, k=key: row[k.lstrip("-")], reverse=key.startswith("-"))
    skip, first = params.get("skip", 0), params.get("first")
    if not isinstance(skip, int) or skip < 0 or not (first is None or isinstance(first, int)):
        raise invalid("skip/first", "must be non-negative integers")
    rows = rows[skip:] if first is None else rows[skip : skip + first]
    return {"list": [[row[name] for name in fields] for row in rows]}


def _order(raw: object) -> list[str]:
    keys = [raw] if isinstance(raw, str) else (raw or [])
    for key in keys:
        _field(str(key).lstrip("-"), "order")
    return [str(key) for key in keys]


ACTIONS = {"track.get": track_get, "stat.uni": stat_uni}
