"""issue.send: one letter to `personal` + `email`, to `masssending` + `users.list`, or to a group.

[R] the three addressing forms, the inline letter (subject, from.email, message.html/text) or
`letter: {"draft.id"}`, the reply `{"track.id": "<n>", "channel": "email"}`, express-send
addresses must already be in the base, only confirmed contacts receive letters, e-mail needs a
registered and confirmed sender. [I] non-email channels by the key inside `letter.message`
(sms, viber, tg, vk, push, pushapp, whatsapp) and the addr_types each accepts; a personal
recipient who is new is created (and uses an upload); unconfirmed or unknown recipients are
recorded with that status instead of failing the whole call; `issue.id` differs from track.id.
"""

from __future__ import annotations

import copy

from ..errors import invalid, missing
from ..records import Send
from ..state import Account
from . import drafts, groups, imports, members, senders
from .common import Context, choice, normalize_address, require_str

#: channel -> the addr_types it can reach; the first is the default [I].
CHANNEL_ADDR_TYPES = {
    "email": ("email",),
    "sms": ("msisdn",),
    "viber": ("viber", "msisdn"),
    "tg": ("tg",),
    "vk": ("vk", "vknotify"),
    "push": ("push",),
    "pushapp": ("pushapp",),
    "whatsapp": ("msisdn",),
}
EMAIL_PARTS = ("html", "text", "amp")
SENDWHEN = ("now", "later", "save", "test")


def issue_send(ctx: Context, params: dict) -> dict:
    acc = ctx.acc
    group = require_str(params, "group")
    sendwhen = choice(params, "sendwhen", SENDWHEN, "now")
    letter, channel = resolve_letter(acc, params.get("letter"))
    if sendwhen == "later" and not params.get("later.time"):
        raise missing("later.time")
    if sendwhen == "test":
        recipients = _test_recipients(params, channel)
    else:
        recipients = _recipients(acc, params, group, channel)
    issue_id = acc.next_id("issue")
    track = acc.new_track("issue.send", **{"issue.id": issue_id})
    acc.sends.append(
        Send(
            issue_id=issue_id,
            track_id=track.id,
            channel=channel,
            group=group,
            sendwhen=sendwhen,
            recipients=recipients,
            letter=letter,
            extra=copy.deepcopy(params.get("extra")),
        )
    )
    return {"track.id": track.id, "channel": channel}


def resolve_letter(account: Account, raw: object) -> tuple[dict, str]:
    """The letter as it will be sent (a draft merged with inline overrides) and its channel."""
    if not isinstance(raw, dict) or not raw:
        raise missing("letter")
    letter = copy.deepcopy(raw)
    if letter.get("draft.id") not in (None, ""):
        draft = drafts.find(account, letter["draft.id"], "letter.draft.id")
        channel = "sms" if draft.get("format") == "sms" else "email"
        letter.setdefault("subject", draft.get("subject"))
        letter.setdefault("from.email", draft.get("from.email") or draft.get("sender"))
    else:
        channel = _inline_channel(letter.get("message"))
    if channel == "email":
        if not letter.get("subject"):
            raise missing("letter.subject")
        letter["from.email"] = senders.check_usable(account, letter.get("from.email"))
    return letter, channel


def _inline_channel(message: object) -> str:
    if not isinstance(message, dict) or not message:
        raise missing("letter.message")
    others = [key for key in message if key in CHANNEL_ADDR_TYPES]
    has_email = any(message.get(part) for part in EMAIL_PARTS)
    unknown = [key for key in message if key not in CHANNEL_ADDR_TYPES and key not in EMAIL_PARTS]
    if unknown:
        raise invalid("letter.message", f"unknown keys {unknown}")
    if len(others) + has_email != 1:
        raise invalid(
            "letter.message",
            "give exactly one of html/text (e-mail) or one channel "
            f"key of {', '.join(k for k in CHANNEL_ADDR_TYPES)}",
        )
    if has_email:
        return "email"
    if not message[others[0]]:
        raise missing(f"letter.message.{others[0]}")
    return others[0]


def _addr_type(params: dict, channel: str, default: str | None = None) -> str:
    allowed = CHANNEL_ADDR_TYPES[channel]
    addr_type = params.get("addr_type") or default or allowed[0]
    if addr_type not in allowed:
        raise invalid("addr_type", f"{addr_type!r} cannot receive a {channel} letter")
    return addr_type


def _entry(member: object, email: str, addr_type: str, status: str | None = None) -> dict:
    if member is None:
        return {
            "email": email,
            "addr_type": addr_type,
            "member.id": None,
            "status": status or "not_found",
        }
    state = status or ("sent" if member.confirmed else "unconfirmed")
    return {"email": email, "addr_type": addr_type, "member.id": member.id, "status": state}


def _recipients(acc: Account, params: dict, group: str, channel: str) -> list[dict]:
    if group == "personal":
        addr_type = _addr_type(params, channel)
        email = normalize_address(params.get("email"), addr_type)
        member, _created = members.upsert(
            acc, (addr_type, email), if_exists="update", confirm_needed=False
        )
        return [_entry(member, email, addr_type)]
    if group == "masssending":
        return _express(acc, params, channel)
    target = groups.find(acc, group)
    _addr_type({"addr_type": target.addr_type}, channel)
    return [_entry(m, m.email, m.addr_type) for m in groups.members_of(acc, target)]


def _express(acc: Account, params: dict, channel: str) -> list[dict]:
    """`users.list`: CSV with a member.email header, {caption, rows}, or one address a line."""
    raw = params.get("users.list")
    if raw in (None, "", {}):
        raise missing("users.list")
    addr_type = _addr_type(params, channel)
    first_line = raw.strip().splitlines()[0] if isinstance(raw, str) else ""
    if isinstance(raw, dict) or "member.email" in first_line:
        columns, rows = imports.parse_users_list(raw)
        names = [name for name, _mode in columns]
        table = [dict(zip(names, row, strict=False)) for row in rows if isinstance(row, list)]
    else:
        table = [{"member.email": line.strip()} for line in raw.splitlines() if line.strip()]
    recipients = []
    for cells in table:
        email = normalize_address(cells.get("member.email"), addr_type, "users.list")
        entry = _entry(acc.members.get((addr_type, email)), email, addr_type)
        data = {k: v for k, v in cells.items() if not k.startswith("member.")}
        if data:
            entry["data"] = data
        recipients.append(entry)
    return recipients


def _test_recipients(params: dict, channel: str) -> list[dict]:
    mca = params.get("mca")
    if isinstance(mca, str):
        mca = [mca]
    if not isinstance(mca, list) or not mca:
        raise missing("mca")
    addr_type = _addr_type(params, channel)
    return [_entry(None, normalize_address(a, addr_type, "mca"), addr_type, "test") for a in mca]


ACTIONS = {"issue.send": issue_send}
