"""The action registry (action name -> handler) and `dispatch`, including `batch`.

A handler takes `(Context, params)` and returns the reply fields, or raises `ApiError`. An
unknown action is `error/action/unknown` (strict). `batch` [C: the reply is `result: [...]`,
each element with its own `errors`]; [I] its request field is `do` (a list of requests).
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ApiError, invalid, missing
from . import anketas, drafts, groups, imports, issues, members, senders, system, tracks_stats
from .common import Context

Handler = Callable[[Context, dict], dict]

ACTIONS: dict[str, Handler] = {
    **system.ACTIONS,
    **members.ACTIONS,
    **imports.ACTIONS,
    **groups.ACTIONS,
    **anketas.ACTIONS,
    **senders.ACTIONS,
    **drafts.ACTIONS,
    **issues.ACTIONS,
    **tracks_stats.ACTIONS,
}
#: [C] the official JS client's list of actions that need no authentication (we serve ping).
NO_AUTH = frozenset({"ping"})


def dispatch(ctx: Context, action: str, params: dict) -> dict:
    if action == "batch":
        return _batch(ctx, params)
    handler = ACTIONS.get(action)
    if handler is None:
        raise ApiError("error/action/unknown", action)
    if ctx.account is not None:
        ctx.account.advance_tracks(ctx.state.track_step_seconds)
    return handler(ctx, params)


def _batch(ctx: Context, params: dict) -> dict:
    requests = params.get("do")
    if not requests:
        raise missing("do")
    if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
        raise invalid("do", "must be a list of request objects")
    results = []
    for request in requests:
        sub_params = dict(request)
        action = sub_params.pop("action", None)
        try:
            if not action:
                raise missing("action")
            if action == "batch":
                raise invalid("do", "a batch cannot contain a batch")
            if ctx.account is not None:
                ctx.account.request_counts[action] += 1
            results.append(dispatch(ctx, action, sub_params))
        except ApiError as exc:
            results.append({"errors": [exc.as_dict()]})
            if params.get("stop_on_error") in (1, "1", True):
                break
    return {"result": results}


__all__ = ["ACTIONS", "NO_AUTH", "Context", "dispatch"]
