"""Groups: static lists and filter segments; membership lives in the member data `-group.<id>`.

[C] group.create takes name, type list|filter, optional id and addr_type; group.get takes an id,
a list or "*"; group.list pages with `first` (at most 50) and `skip`; group.clean takes `id` with
`all`, `email` or `list`. [I] generated ids `pl<N>` (lists) and `pf<N>` (filters); the replies
`{"obj": {"id"}}` (create), `{"obj": {...}}` for one id and `{"list": [...]}` otherwise (get);
a filter group is not evaluated: it stands for every member of its addr_type.
"""

from __future__ import annotations

import re

from ..errors import ApiError, invalid, missing
from ..records import Group, Member, now_dt
from ..state import Account
from .common import Context, addr_type_of, address_list, choice, normalize_address, require_str

GROUP_TYPES = ("list", "filter")
_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")
PAGE_MAX = 50


def find(account: Account, gid: object) -> Group:
    group = account.groups.get(str(gid))
    if group is None:
        raise ApiError("error/group/not_found", str(gid))
    return group


def members_of(account: Account, group: Group) -> list[Member]:
    if group.type == "filter":
        return [m for m in account.members.values() if m.addr_type == group.addr_type]
    return [m for m in account.members.values() if group.id in m.groups()]


def leave(member: Member, gid: str) -> None:
    groups = member.data.get("-group")
    if isinstance(groups, dict):
        groups.pop(gid, None)
        if not groups:
            del member.data["-group"]


def group_create(ctx: Context, params: dict) -> dict:
    acc = ctx.acc
    name = require_str(params, "name")
    kind = choice(params, "type", GROUP_TYPES)
    addr_type = addr_type_of(params)
    gid = params.get("id")
    if gid not in (None, ""):
        gid = str(gid)
        if not _ID.match(gid):
            raise invalid("id", "letters, digits and _ only")
        if gid in acc.groups:
            raise ApiError("error/group/exists", gid)
    else:
        prefix = "pl" if kind == "list" else "pf"
        gid = f"{prefix}{acc.next_id('group')}"
        while gid in acc.groups:
            gid = f"{prefix}{acc.next_id('group')}"
    acc.groups[gid] = Group(
        id=gid, name=name, type=kind, addr_type=addr_type, filter=params.get("filter")
    )
    return {"obj": {"id": gid}}


def group_list(ctx: Context, params: dict) -> dict:
    first, skip = params.get("first", PAGE_MAX), params.get("skip", 0)
    if not isinstance(first, int) or not 0 < first <= PAGE_MAX:
        raise invalid("first", f"must be 1..{PAGE_MAX}")
    if not isinstance(skip, int) or skip < 0:
        raise invalid("skip", "must be a non-negative integer")
    groups = list(ctx.acc.groups.values())[skip : skip + first]
    return {"list": [g.as_dict() for g in groups]}


def group_get(ctx: Context, params: dict) -> dict:
    raw = params.get("id")
    if raw in (None, "", []):
        raise missing("id")
    if raw == "*":
        return {"list": [g.as_dict() for g in ctx.acc.groups.values()]}
    if isinstance(raw, list):
        return {"list": [find(ctx.acc, gid).as_dict() for gid in raw]}
    return {"obj": find(ctx.acc, raw).as_dict()}


def group_set(ctx: Context, params: dict) -> dict:
    group = find(ctx.acc, require_str(params, "id"))
    group.name, group.updated = require_str(params, "name"), now_dt()
    return {"obj": group.as_dict()}


def group_delete(ctx: Context, params: dict) -> dict:
    group = find(ctx.acc, require_str(params, "id"))
    for member in members_of(ctx.acc, group):
        leave(member, group.id)
    del ctx.acc.groups[group.id]
    return {}


def group_clean(ctx: Context, params: dict) -> dict:
    """Take members out of a list: `all` of them, one `email`, or a `list` of addresses."""
    group = find(ctx.acc, require_str(params, "id"))
    if group.type != "list":
        raise ApiError("error/group/wrong_type", f"{group.id} is a filter, not a list")
    inside = members_of(ctx.acc, group)
    if params.get("all") in (True, 1, "1"):
        chosen = inside
    else:
        addr_type = group.addr_type
        if not params.get("email") and not params.get("list"):
            raise missing("all, email or list")
        raw = [params["email"]] if params.get("email") else address_list(params)
        wanted = {normalize_address(a, addr_type) for a in raw}
        chosen = [m for m in inside if m.email in wanted]
    for member in chosen:
        leave(member, group.id)
    return {"cleaned": len(chosen)}


ACTIONS = {
    "group.create": group_create,
    "group.list": group_list,
    "group.get": group_get,
    "group.set": group_set,
    "group.delete": group_delete,
    "group.clean": group_clean,
}
