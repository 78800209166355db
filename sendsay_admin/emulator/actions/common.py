"""Parameter helpers shared by the action handlers: required values, choices, addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ApiError, invalid, missing
from ..records import Member
from ..state import Account, EmulatorState

#: [R] address types (reference section 6.1).
ADDR_TYPES = (
    "email",
    "msisdn",
    "viber",
    "csid",
    "push",
    "pushapp",
    "vk",
    "vknotify",
    "tg",
    "max",
    "id",
)
_EMAIL = re.compile(r"^[^@\s;,<>\"']+@[^@\s;,<>\"']+\.[^@\s;,<>\"'.]+$")
_PHONE = re.compile(r"^\+?\d{10,15}$")


@dataclass
class Context:
    """What a handler gets: the whole state and the authenticated account (None for ping)."""

    state: EmulatorState
    account: Account | None
    login: str | None = None

    @property
    def acc(self) -> Account:
        assert self.account is not None
        return self.account


def require(params: dict, name: str) -> object:
    value = params.get(name)
    if value is None or value == "" or value == [] or value == {}:
        raise missing(name)
    return value


def require_str(params: dict, name: str) -> str:
    value = require(params, name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise invalid(name, "must be a string")
    return value


def choice(params: dict, name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = params.get(name, default)
    if value is None:
        raise missing(name)
    if value not in allowed:
        raise invalid(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def flag(params: dict, name: str) -> bool:
    """0/1 switches; clients send ints, strings or booleans."""
    value = params.get(name, 0)
    if value in (0, 1, "0", "1", True, False, None, ""):
        return value in (1, "1", True)
    raise invalid(name, "must be 0 or 1")


def addr_type_of(params: dict, default: str = "email") -> str:
    return choice(params, "addr_type", ADDR_TYPES, default)


def normalize_address(address: object, addr_type: str, name: str = "email") -> str:
    """Validate one address for its type; e-mails are lower-cased [I]."""
    if isinstance(address, int) and not isinstance(address, bool):
        address = str(address)
    if not isinstance(address, str) or not address.strip():
        raise missing(name) if not address else invalid(name, "must be a string")
    address = address.strip()
    if addr_type == "email":
        if not _EMAIL.match(address):
            raise ApiError("error/email/badchar", address)
        return address.lower()
    if addr_type in ("msisdn", "vknotify") and not _PHONE.match(address):
        raise invalid(name, f"{address!r} is not a phone number")
    if addr_type in ("tg", "id") and not address.isdigit():
        raise invalid(name, f"{address!r} must be digits for addr_type {addr_type}")
    return address


def member_key(params: dict, name: str = "email") -> tuple[str, str]:
    addr_type = addr_type_of(params)
    return addr_type, normalize_address(params.get(name), addr_type, name)


def find_member(account: Account, key: tuple[str, str]) -> Member:
    member = account.members.get(key)
    if member is None:
        raise ApiError("error/member/not_found", key[1])
    return member


def address_list(params: dict, name: str = "list") -> list:
    value = params.get(name)
    if isinstance(value, str):
        value = [line for line in value.replace(",", "\n").split() if line]
    if not isinstance(value, list) or not value:
        raise invalid(name, "must be a non-empty list of addresses")
    return value
