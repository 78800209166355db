"""Letter templates: issue.draft.set / get / list / delete, and the lookup issue.send uses.

[C] `issue.draft.set` takes `obj` {name, format html|sms|text, from, sender, subject, text, ...},
an optional `id` and `return_fresh_obj`. [I] replies: `{"obj": {...}}` when fresh, else `{"id"}`;
ids are numeric strings; an `id` that does not exist is an error rather than a create.
"""

from __future__ import annotations

import copy

from ..errors import ApiError, invalid, missing
from ..records import now_dt
from ..state import Account
from .common import Context, flag, require_str

FORMATS = ("html", "sms", "text")


def find(account: Account, draft_id: object, name: str = "draft.id") -> dict:
    if draft_id in (None, ""):
        raise missing(name)
    draft = account.drafts.get(str(draft_id))
    if draft is None:
        raise ApiError("error/draft/not_found", str(draft_id))
    return draft


def save(account: Account, obj: object, draft_id: object = None) -> dict:
    """Create (no id) or update (existing id) one draft; shared with the control endpoint."""
    if not isinstance(obj, dict) or not obj:
        raise missing("obj")
    fmt = obj.get("format", "html")
    if fmt not in FORMATS:
        raise invalid("obj.format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    if draft_id in (None, ""):
        draft_id = str(account.next_id("draft"))
        while draft_id in account.drafts:
            draft_id = str(account.next_id("draft"))
        draft = {"id": draft_id, "name": f"Draft {draft_id}", "create.time": now_dt()}
        account.drafts[draft_id] = draft
    else:
        draft = find(account, draft_id, "id")
    draft.update(copy.deepcopy(obj))
    draft["format"], draft["update.time"] = fmt, now_dt()
    return draft


def draft_set(ctx: Context, params: dict) -> dict:
    draft = save(ctx.acc, params.get("obj"), params.get("id"))
    if flag(params, "return_fresh_obj"):
        return {"obj": copy.deepcopy(draft)}
    return {"id": draft["id"]}


def draft_get(ctx: Context, params: dict) -> dict:
    return {"obj": copy.deepcopy(find(ctx.acc, require_str(params, "id"), "id"))}


def draft_list(ctx: Context, params: dict) -> dict:
    return {
        "list": [
            {key: d.get(key) for key in ("id", "name", "format", "subject")}
            for d in ctx.acc.drafts.values()
        ]
    }


def draft_delete(ctx: Context, params: dict) -> dict:
    raw = params.get("id")
    ids = raw if isinstance(raw, list) else [raw]
    for draft_id in ids:
        find(ctx.acc, draft_id, "id")
    for draft_id in ids:
        del ctx.acc.drafts[str(draft_id)]
    return {}


ACTIONS = {
    "issue.draft.set": draft_set,
    "issue.draft.get": draft_get,
    "issue.draft.list": draft_list,
    "issue.draft.delete": draft_delete,
}
