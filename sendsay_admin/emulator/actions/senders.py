"""Sender addresses: issue.emailsender.list / get / set / delete.

[R] a new sender gets a confirmation letter and is unusable until its link is clicked (here: the
control command `confirm_sender`); free-mail domains are refused (DMARC); sending from an unknown
or unconfirmed sender gives `error/sender/unknown` / `error/sender/onmoderation`.
[C] `set` takes `obj: {"name": <email>, "label": <display name>}`. [I] the list item fields
(email, name, label, confirmed 0|1, status) and `error/sender/prohibited` for free-mail domains.
"""

from __future__ import annotations

from ..errors import ApiError, invalid, missing
from ..records import Sender, now_dt
from ..state import Account
from .common import Context, normalize_address

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "internet.ru",
        "yandex.ru",
        "ya.ru",
        "yandex.com",
        "rambler.ru",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "icloud.com",
        "me.com",
    }
)


def _address(params: dict) -> str:
    obj = params.get("obj") if isinstance(params.get("obj"), dict) else {}
    raw = obj.get("name") or params.get("name") or params.get("email")
    if not raw:
        raise missing("obj.name")
    return normalize_address(raw, "email", "obj.name")


def find(account: Account, email: str) -> Sender:
    sender = account.senders.get(email.lower())
    if sender is None:
        raise ApiError("error/sender/unknown", email)
    return sender


def check_usable(account: Account, email: object) -> str:
    """An e-mail send must come from a confirmed sender."""
    if not email:
        raise ApiError("error/draft/emptyfromemail", "letter.from.email")
    sender = account.senders.get(str(email).strip().lower())
    if sender is None:
        raise ApiError("error/sender/unknown", str(email))
    if not sender.confirmed:
        raise ApiError("error/sender/onmoderation", str(email))
    return sender.email


def sender_list(ctx: Context, params: dict) -> dict:
    return {"list": [s.as_dict() for s in ctx.acc.senders.values()]}


def sender_get(ctx: Context, params: dict) -> dict:
    return {"obj": find(ctx.acc, _address(params)).as_dict()}


def sender_set(ctx: Context, params: dict) -> dict:
    email = _address(params)
    obj = params.get("obj") if isinstance(params.get("obj"), dict) else {}
    label = obj.get("label", params.get("label", ""))
    if not isinstance(label, str):
        raise invalid("obj.label", "must be a string")
    if email.rsplit("@", 1)[1] in FREE_MAIL_DOMAINS:
        raise ApiError(
            "error/sender/prohibited",
            f"free_mail_domain: {email.rsplit('@', 1)[1]} cannot be a sender (DMARC)",
        )
    sender = ctx.acc.senders.get(email)
    if sender is None:
        sender = ctx.acc.senders[email] = Sender(email=email, label=label)
        ctx.acc.confirmations.append(
            {
                "kind": "sender.confirm",
                "email": email,
                "addr_type": "email",
                "letter": None,
                "dt": now_dt(),
            }
        )
    else:
        sender.label = label
    return {"obj": sender.as_dict()}


def sender_delete(ctx: Context, params: dict) -> dict:
    sender = find(ctx.acc, _address(params))
    del ctx.acc.senders[sender.email]
    return {}


ACTIONS = {
    "issue.emailsender.list": sender_list,
    "issue.emailsender.get": sender_get,
    "issue.emailsender.set": sender_set,
    "issue.emailsender.delete": sender_delete,
}
