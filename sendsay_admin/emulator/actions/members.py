"""Subscribers: member.set / get / exists / delete / sendconfirm, and the upsert they share
with member.import and personal issue.send.

[R] new contacts are confirmed unless `newbie.confirm` is 1; the free plan allows 200 uploads
(every creation counts, deleting does not give one back [I: "uploads" reading of the limit]);
ids are permanent across delete and re-create. [I] reply shapes: `return_fresh_obj` gives
`{"member": ..., "datakey": ...}` like member.get; member.delete reports `deleted`.
"""

from __future__ import annotations

import copy

from ..errors import ApiError, invalid, missing
from ..records import Member, now_dt
from ..state import Account
from . import datakey, drafts, ssec
from .common import (
    Context,
    addr_type_of,
    address_list,
    choice,
    find_member,
    flag,
    member_key,
    normalize_address,
)

IF_EXISTS = ("overwrite", "update", "error", "must")


def upsert(
    account: Account,
    key: tuple[str, str],
    *,
    if_exists: str,
    confirm_needed: bool,
    triples: list | tuple = (),
    obj: dict | None = None,
    checker: datakey.Checker | None = None,
) -> tuple[Member, bool]:
    """Create or update one member. Raises ApiError and then changes nothing. `checker`: one
    kept over many members (an import's rows), else a new one."""
    member = account.members.get(key)
    if member is not None and if_exists == "error":
        raise ApiError("error/member/exists", key[1])
    if member is None and if_exists == "must":
        raise ApiError("error/member/not_found", key[1])
    writes = [t for t in triples if t[0] != "ssec"]
    (checker or datakey.Checker(account))(
        (datakey.obj_triples(obj) if obj is not None else []) + writes
    )
    events = [
        event
        for path, _mode, value in triples
        if path == "ssec"
        for event in ssec.validate(
            value if isinstance(value, list) else [value], member=key, account=account
        )
    ]
    tree = copy.deepcopy(member.data) if member is not None else {}
    if obj is not None:
        datakey.apply_obj(tree, obj, overwrite=if_exists == "overwrite")
    for path, mode, value in writes:
        datakey.apply(tree, path, mode, value)
    datakey.normalize_groups(tree)
    created = member is None
    if member is None:
        account.consume_upload()
        member = account.create_member(key[1], key[0], confirmed=not confirm_needed)
    member.data, member.updated = tree, now_dt()
    ssec.store(account, events, source="member.set")
    return member, created


def member_view(member: Member, wanted: object = "*") -> dict:
    return {"member": member.summary(), "datakey": datakey.select(member.data, wanted)}


def member_set(ctx: Context, params: dict) -> dict:
    key = member_key(params)
    if_exists = choice(params, "if_exists", IF_EXISTS, "overwrite")
    confirm_needed = flag(params, "newbie.confirm")
    triples = datakey.parse(params.get("datakey"))
    obj = params.get("obj")
    if obj is not None and not isinstance(obj, dict):
        raise invalid("obj", "must be an object")
    letters = {
        name: params.get(name) for name in ("newbie.letter.confirm", "newbie.letter.no-confirm")
    }
    for name, draft_id in letters.items():
        if draft_id not in (None, ""):
            drafts.find(ctx.acc, draft_id, name)
    member, created = upsert(
        ctx.acc, key, if_exists=if_exists, confirm_needed=confirm_needed, triples=triples, obj=obj
    )
    if created:
        kind = "newbie.letter.confirm" if confirm_needed else "newbie.letter.no-confirm"
        if confirm_needed or letters[kind]:
            _record_letter(ctx.acc, member, kind, letters[kind])
    return member_view(member) if flag(params, "return_fresh_obj") else {}


def _record_letter(account: Account, member: Member, kind: str, letter: object) -> None:
    account.confirmations.append(
        {
            "kind": kind,
            "email": member.email,
            "addr_type": member.addr_type,
            "letter": letter,
            "dt": now_dt(),
        }
    )


def member_get(ctx: Context, params: dict) -> dict:
    member = find_member(ctx.acc, member_key(params))
    return member_view(member, params.get("datakey"))


def member_exists(ctx: Context, params: dict) -> dict:
    addr_type = addr_type_of(params)
    raw = params.get("email")
    addresses = raw if isinstance(raw, list) else [raw]
    found = {}
    for address in addresses:
        normalized = normalize_address(address, addr_type)
        found[address] = int((addr_type, normalized) in ctx.acc.members)
    return {"list": found}


def member_delete(ctx: Context, params: dict) -> dict:
    """Delete by `email` (one or a list), `list` or `group`; deleting a stranger is a no-op [I]."""
    acc = ctx.acc
    if params.get("group"):
        group = acc.groups.get(str(params["group"]))
        if group is None:
            raise ApiError("error/group/not_found", params["group"])
        keys = [k for k, m in acc.members.items() if group.id in m.groups()]
    else:
        keys = _keys_of(params)
    deleted = sum(acc.members.pop(k, None) is not None for k in keys)
    return {"deleted": deleted}


def _keys_of(params: dict) -> list[tuple[str, str]]:
    addr_type = addr_type_of(params)
    if params.get("email"):
        raw = params["email"]
    elif params.get("list"):
        raw = address_list(params)
    else:
        raise missing("email")
    return [
        (addr_type, normalize_address(a, addr_type))
        for a in (raw if isinstance(raw, list) else [raw])
    ]


def member_sendconfirm(ctx: Context, params: dict) -> dict:
    """[R] only unconfirmed contacts can get the double opt-in letter."""
    acc = ctx.acc
    letter = params.get("letter")
    if letter not in (None, ""):
        drafts.find(acc, letter, "letter")
    if params.get("group"):
        group = acc.groups.get(str(params["group"]))
        if group is None:
            raise ApiError("error/group/not_found", params["group"])
        members = [m for m in acc.members.values() if group.id in m.groups() and not m.confirmed]
    else:
        member = find_member(acc, member_key(params))
        if member.confirmed:
            raise ApiError("error/member/already_confirmed", member.email)
        members = [member]
    for member in members:
        _record_letter(acc, member, "member.sendconfirm", letter)
    track = acc.new_track("member.sendconfirm", members=len(members))
    return {"track.id": track.id}


ACTIONS = {
    "member.set": member_set,
    "member.get": member_get,
    "member.exists": member_exists,
    "member.delete": member_delete,
    "member.sendconfirm": member_sendconfirm,
}
