"""The control endpoint `POST /_control/<command>` (not part of the Sendsay API).

Commands and their JSON bodies (`login` may be left out when there is one account):
reset {}; fault {action?, login?, mode: latency|error|http|drop, latency_ms, error_id, explain,
status, count, skip}; clear_faults {}; confirm_sender {login, email}; confirm_member {login, email,
addr_type?}; add_account {login, apikey, tariff?}; set_stats {login, issue.id, stats: {field: n}};
add_draft {login, obj, id?}; redirect {prefix, mode: first|always|loop|off}; config
{track_step_seconds}. Replies `{"ok": true, ...}`, 400 `{"ok": false, "error"}` on a bad body,
404 for an unknown command. The inspection page's "confirm" buttons post the same commands
form-encoded and get the page back.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

from .actions import drafts
from .actions.common import ADDR_TYPES, normalize_address
from .actions.tracks_stats import COUNTERS
from .errors import ApiError
from .records import Sender
from .state import TARIFFS, Account, EmulatorState

FAULT_MODES = ("latency", "error", "http", "drop")
REDIRECT_MODES = ("first", "always", "loop", "off")


class ControlError(Exception):
    pass


def handle(state: EmulatorState, command: str, body: bytes | dict) -> tuple[int, dict]:
    """Run one command on a JSON body (or on the fields of the inspection page's forms)."""
    handler = COMMANDS.get(command.strip("/"))
    if handler is None:
        return 404, {
            "ok": False,
            "error": f"unknown command {command!r}",
            "commands": sorted(COMMANDS),
        }
    try:
        data = json.loads(body or b"{}") if isinstance(body, bytes) else body
        if not isinstance(data, dict):
            raise ControlError("the body must be a JSON object")
        with state.lock:
            return 200, {"ok": True, **handler(state, data)}
    except (ControlError, ApiError, ValueError, TypeError) as exc:
        return 400, {"ok": False, "error": str(exc)}


def _account(state: EmulatorState, data: dict) -> Account:
    login = data.get("login")
    if login is None and len(state.accounts) == 1:
        return next(iter(state.accounts.values()))
    if login not in state.accounts:
        raise ControlError(f"unknown login {login!r}")
    return state.accounts[login]


def _reset(state: EmulatorState, data: dict) -> dict:
    state.reset()
    return {}


def _fault(state: EmulatorState, data: dict) -> dict:
    mode = data.get("mode")
    if mode not in FAULT_MODES:
        raise ControlError(f"mode must be one of {FAULT_MODES}")
    count = data.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ControlError("count must be a positive integer or null")
    skip = data.get("skip", 0)
    if not isinstance(skip, int) or skip < 0:
        raise ControlError("skip must be a non-negative integer")
    status = int(data.get("status", 503))
    if not 100 <= status <= 599:
        raise ControlError("status must be an HTTP status")
    options = {
        "mode": mode,
        "action": data.get("action"),
        "login": data.get("login"),
        "latency_ms": float(data.get("latency_ms", 0)),
        "status": status,
        "count": count,
        "skip": skip,
        "error_id": data.get("error_id") or "error/emulator/fault",
        "explain": data.get("explain"),
    }
    if mode == "latency" and options["latency_ms"] <= 0:
        raise ControlError("latency needs latency_ms > 0")
    return {"fault": state.add_fault(**options).as_dict()}


def _clear_faults(state: EmulatorState, data: dict) -> dict:
    cleared = len(state.faults)
    state.faults.clear()
    return {"cleared": cleared}


def _confirm_sender(state: EmulatorState, data: dict) -> dict:
    account = _account(state, data)
    email = normalize_address(data.get("email"), "email")
    sender = account.senders.setdefault(email, Sender(email=email, label=data.get("label", "")))
    sender.confirmed = True
    return {"sender": sender.as_dict()}


def _confirm_member(state: EmulatorState, data: dict) -> dict:
    account = _account(state, data)
    addr_type = data.get("addr_type", "email")
    if addr_type not in ADDR_TYPES:
        raise ControlError(f"unknown addr_type {addr_type!r}")
    member = account.members.get((addr_type, normalize_address(data.get("email"), addr_type)))
    if member is None:
        raise ControlError(f"no member {data.get('email')!r}")
    member.confirmed = True
    return {"member": member.summary()}


def _add_account(state: EmulatorState, data: dict) -> dict:
    login, apikey = data.get("login"), data.get("apikey")
    if not login or not apikey:
        raise ControlError("login and apikey are required")
    tariff = data.get("tariff", "free")
    if tariff not in TARIFFS:
        raise ControlError(f"tariff must be one of {TARIFFS}")
    state.add_account(str(login), str(apikey), tariff)
    return {"login": login}


def _set_stats(state: EmulatorState, data: dict) -> dict:
    account = _account(state, data)
    issue_id = data.get("issue.id", data.get("issue_id"))
    send = next((s for s in account.sends if str(s.issue_id) == str(issue_id)), None)
    if send is None:
        raise ControlError(f"no issue {issue_id!r}")
    stats = data.get("stats")
    if not isinstance(stats, dict) or not stats:
        raise ControlError("stats must be an object {field: number}")
    for name, value in stats.items():
        if name not in COUNTERS or not isinstance(value, int) or value < 0:
            raise ControlError(f"{name}: must be one of {COUNTERS} with a count >= 0")
    send.stats.update(stats)
    return {"issue.id": send.issue_id, "stats": copy.deepcopy(send.stats)}


def _add_draft(state: EmulatorState, data: dict) -> dict:
    account = _account(state, data)
    draft_id = data.get("id")
    if draft_id not in (None, "") and str(draft_id) not in account.drafts:
        account.drafts[str(draft_id)] = {"id": str(draft_id), "name": f"Draft {draft_id}"}
    return {"draft": copy.deepcopy(drafts.save(account, data.get("obj"), draft_id))}


def _redirect(state: EmulatorState, data: dict) -> dict:
    mode = data.get("mode", "first")
    prefix = data.get("prefix") or state.redirect_prefix
    if mode not in REDIRECT_MODES:
        raise ControlError(f"mode must be one of {REDIRECT_MODES}")
    if mode != "off" and (not isinstance(prefix, str) or not prefix.startswith("/")):
        raise ControlError("prefix must be a path like /clu1")
    state.redirect_prefix, state.redirect_mode = prefix, mode
    for account in state.accounts.values():
        account.redirected = False
    return {"prefix": prefix, "mode": mode}


def _config(state: EmulatorState, data: dict) -> dict:
    if "track_step_seconds" in data:
        step = float(data["track_step_seconds"])
        if step < 0:
            raise ControlError("track_step_seconds must be >= 0 (0 = polls only)")
        state.track_step_seconds = step
    return {"track_step_seconds": state.track_step_seconds}


COMMANDS: dict[str, Callable[[EmulatorState, dict], dict]] = {
    "reset": _reset,
    "fault": _fault,
    "clear_faults": _clear_faults,
    "confirm_sender": _confirm_sender,
    "confirm_member": _confirm_member,
    "add_account": _add_account,
    "set_stats": _set_stats,
    "add_draft": _add_draft,
    "redirect": _redirect,
    "config": _config,
}
