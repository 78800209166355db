"""What the emulator received: `GET /_inspect` (JSON) and `GET /_inspect/page` (HTML).

The JSON is `{"accounts": {login: {...}}, "faults": [...], "redirect": {...}, "requests": {...}}`;
each account holds tariff, uploads, settings, members (with data and confirmed flag), groups
(with member counts), custom anketa questions, senders, drafts, sends grouped by channel, tracks,
ssec events, sequence starts/stops, confirmation letters and request counts per action.
The page shows the same in tables, every value HTML-escaped, no external assets; unconfirmed
senders and members get a "confirm" button (what clicking the confirmation link would do).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from html import escape

from .actions import groups as group_actions
from .actions.system import settings_of
from .state import Account, EmulatorState


def snapshot(state: EmulatorState) -> dict:
    with state.lock:
        for account in state.accounts.values():
            account.advance_tracks(state.track_step_seconds, every=True)
        return copy.deepcopy(
            {
                "accounts": {login: _account(a) for login, a in state.accounts.items()},
                "faults": [fault.as_dict() for fault in state.faults],
                "redirect": {"prefix": state.redirect_prefix, "mode": state.redirect_mode},
                "track_step_seconds": state.track_step_seconds,
                "requests": dict(state.requests),
            }
        )


def _account(account: Account) -> dict:
    sends: dict[str, list] = {}
    for send in account.sends:
        sends.setdefault(send.channel, []).append(send.as_dict())
    return {
        "tariff": account.tariff,
        "uploads": account.uploads,
        "settings": settings_of(account),
        "members": [
            {**m.summary(), "groups": m.groups(), "data": m.data} for m in account.members.values()
        ],
        "groups": [
            {**g.as_dict(), "members": len(group_actions.members_of(account, g))}
            for g in account.groups.values()
        ],
        "custom_quests": list(account.custom_quests.values()),
        "senders": [s.as_dict() for s in account.senders.values()],
        "drafts": list(account.drafts.values()),
        "sends": sends,
        "tracks": [t.as_dict() for t in account.tracks.values()],
        "ssec_events": account.ssec_events,
        "sequences": account.sequences,
        "confirmations": account.confirmations,
        "request_counts": dict(account.request_counts),
    }


def _cell(value: object) -> str:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return escape("" if value is None else str(value))


def _table(
    title: str, rows: list[dict], columns: list[str], button: Callable[[dict], str] | None = None
) -> str:
    """A titled table; `button` adds a last cell of (already escaped) HTML per row."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns) + ("<th></th>" if button else "")
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns)
        + (f"<td>{button(row)}</td>" if button else "")
        + "</tr>"
        for row in rows
    )
    width = len(columns) + bool(button)
    body = body or f'<tr><td colspan="{width}">none</td></tr>'
    return f"<h3>{escape(title)} ({len(rows)})</h3><table><tr>{head}</tr>{body}</table>"


def _confirm_button(command: str, **fields: str) -> str:
    """A form that does what clicking the link in a confirmation letter would do."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )
    return (
        f'<form method="post" action="/_control/{escape(command)}">{inputs}'
        '<button type="submit">confirm</button></form>'
    )


def _send_rows(sends: dict[str, list]) -> list[dict]:
    return [
        {
            "issue.id": s["issue.id"],
            "track.id": s["track.id"],
            "channel": channel,
            "group": s["group"],
            "to": ", ".join(f"{r['email']} ({r['status']})" for r in s["recipients"]),
            "subject": s["letter"].get("subject"),
            "extra": s["extra"],
            "dt": s["dt"],
        }
        for channel, items in sends.items()
        for s in items
    ]


def _account_html(login: str, data: dict) -> str:
    summary = [{"key": k, "value": v} for k, v in data["settings"].items()]
    counts = [{"action": k, "count": v} for k, v in sorted(data["request_counts"].items())]
    return "".join(
        [
            f"<h2>Account {escape(login)}</h2>",
            _table("Settings", summary, ["key", "value"]),
            _table(
                "Members",
                data["members"],
                ["id", "email", "addr_type", "status", "groups", "data", "update.time"],
                lambda m: (
                    ""
                    if m["confirmed"]
                    else _confirm_button(
                        "confirm_member", login=login, email=m["email"], addr_type=m["addr_type"]
                    )
                ),
            ),
            _table("Groups", data["groups"], ["id", "name", "type", "addr_type", "members"]),
            _table(
                "Senders",
                data["senders"],
                ["email", "label", "status"],
                lambda s: (
                    ""
                    if s["confirmed"]
                    else _confirm_button("confirm_sender", login=login, email=s["email"])
                ),
            ),
            _table(
                "Sends",
                _send_rows(data["sends"]),
                ["issue.id", "track.id", "channel", "group", "to", "subject", "extra", "dt"],
            ),
            _table("Tracks", data["tracks"], ["id", "action", "status", "dt", "result", "error"]),
            _table(
                "E-commerce events", data["ssec_events"], ["received", "source", "name", "event"]
            ),
            _table(
                "Workflow starts and stops",
                data["sequences"],
                ["dt", "action", "id", "members", "unknown"],
            ),
            _table(
                "Confirmation letters", data["confirmations"], ["dt", "kind", "email", "letter"]
            ),
            _table("Custom anketa questions", data["custom_quests"], ["id", "name", "type"]),
            _table("Drafts", data["drafts"], ["id", "name", "format", "subject"]),
            _table("Requests", counts, ["action", "count"]),
        ]
    )


STYLE = (
    "body{font:14px sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1em}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;"
    "max-width:40em;overflow-wrap:anywhere}th{background:#eee}"
)


def page(data: dict) -> str:
    faults = _table(
        "Active faults",
        data["faults"],
        ["id", "action", "login", "mode", "latency_ms", "error_id", "status", "count"],
    )
    accounts = "".join(_account_html(login, acc) for login, acc in data["accounts"].items())
    redirect = data["redirect"]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Sendsay emulator</title>"
        f"<style>{STYLE}</style></head><body><h1>Sendsay emulator</h1>"
        f"<p>REDIRECT: {_cell(redirect['prefix'])} ({_cell(redirect['mode'])}). "
        'JSON: <a href="/_inspect">/_inspect</a></p>'
        f"{faults}{accounts}</body></html>"
    )
