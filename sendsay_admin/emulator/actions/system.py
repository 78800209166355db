"""Health, account settings and workflows: ping, pong, sys.settings.get, sequence.member.*.

[C] ping needs no auth and answers `pong`; pong answers `ping` (unix time), `account`,
`sublogin`. [R] the settings keys; `sequence.member.start/stop` take `id` plus `email`, `list` or
`group`, and `addr_type`. [I] setting values: `about.tarif` is "free" or "paid", the
`*.limit`/`*.rest` numbers (uploads for member.hard, unconfirmed contacts for member.noconfirm,
new addresses for invite.month), `issue.email.sender.moderation` = 1; unknown keys are left out.
"""

from __future__ import annotations

import time

from ..errors import ApiError, invalid, missing
from ..records import now_dt
from ..state import Account
from . import groups
from .common import Context, addr_type_of, normalize_address, require_str

#: [I] limits of the plans besides member.hard (which lives in state).
NOCONFIRM_LIMIT = {"free": 200, "paid": 100_000}
INVITE_MONTH_LIMIT = {"free": 200, "paid": 100_000}


def settings_of(account: Account) -> dict:
    unconfirmed = sum(not m.confirmed for m in account.members.values())
    noconfirm = NOCONFIRM_LIMIT[account.tariff]
    invites = INVITE_MONTH_LIMIT[account.tariff]
    return {
        "about.id": account.login,
        "about.name": account.login,
        "about.tarif": account.tariff,
        "about.owner.email": f"owner@{account.login}.example",
        "anketa.id.base": "base",
        "anketa.id.custom": "custom",
        "member.hard.limit": account.upload_limit,
        "member.hard.rest": max(0, account.upload_limit - account.uploads),
        "member.noconfirm.limit": noconfirm,
        "member.noconfirm.rest": max(0, noconfirm - unconfirmed),
        "invite.month.limit": invites,
        "invite.month.rest": max(0, invites - len(account.member_ids)),
        "issue.email.sender.moderation": 1,
    }


def ping(ctx: Context, params: dict) -> dict:
    return {"pong": int(time.time())}


def pong(ctx: Context, params: dict) -> dict:
    return {"ping": int(time.time()), "account": ctx.acc.login, "sublogin": ctx.acc.login}


def settings_get(ctx: Context, params: dict) -> dict:
    values = settings_of(ctx.acc)
    wanted = params.get("list")
    if wanted is None:
        return {"list": values}
    if not isinstance(wanted, list) or not all(isinstance(k, str) for k in wanted):
        raise invalid("list", "must be a list of setting names")
    return {"list": {key: values[key] for key in wanted if key in values}}


def _sequence(ctx: Context, params: dict, what: str) -> dict:
    acc = ctx.acc
    sequence_id = require_str(params, "id")
    addr_type = addr_type_of(params)
    if params.get("email"):
        targets = [normalize_address(params["email"], addr_type)]
    elif params.get("list"):
        raw = params["list"]
        if not isinstance(raw, list):
            raise invalid("list", "must be a list of addresses")
        targets = [normalize_address(a, addr_type, "list") for a in raw]
    elif params.get("group"):
        targets = [m.email for m in groups.members_of(acc, groups.find(acc, params["group"]))]
    else:
        raise missing("email, list or group")
    unknown = [t for t in targets if (addr_type, t) not in acc.members]
    if params.get("email") and unknown:
        raise ApiError("error/member/not_found", unknown[0])
    acc.sequences.append(
        {
            "action": what,
            "id": sequence_id,
            "addr_type": addr_type,
            "members": targets,
            "unknown": unknown,
            "dt": now_dt(),
        }
    )
    return {}


def sequence_start(ctx: Context, params: dict) -> dict:
    return _sequence(ctx, params, "start")


def sequence_stop(ctx: Context, params: dict) -> dict:
    return _sequence(ctx, params, "stop")


ACTIONS = {
    "ping": ping,
    "pong": pong,
    "sys.settings.get": settings_get,
    "sequence.member.start": sequence_start,
    "sequence.member.stop": sequence_stop,
}
