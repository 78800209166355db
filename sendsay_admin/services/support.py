"""The text an administrator sends to Sendsay support: state and recent errors, no secrets."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from sendsay_admin.models import SendsayAccount

RECENT_ERRORS = 10


def module_version() -> str:
    """The project version from pyproject.toml ("unknown" when it cannot be read)."""
    path = Path(settings.BASE_DIR) / "pyproject.toml"
    try:
        return str(tomllib.loads(path.read_text("utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z") if value else "never"


def _limits(account: SendsayAccount) -> str:
    if account.contacts_limit is None:
        return "unknown"
    return f"{account.contacts_rest} of {account.contacts_limit} left"


def support_report(*, account: SendsayAccount) -> str:
    """Plain text: login, how the module talks to Sendsay, version, account state, the recent
    errors with their ids, and a blank line for the situation. Never the API key."""
    errors = list(account.errors.all()[:RECENT_ERRORS])
    lines = [
        "Request to Sendsay support",
        "",
        f"API login: {account.login or '(not set)'}",
        "Integration: the module works through the Sendsay API (JSON over HTTPS, "
        "authorised with a user's API key).",
        f"Module: sendsay-admin {module_version()} (Django marketplace connector)",
        f"API URL: {settings.SENDSAY_API_URL}",
        f"Scope: {account.scope_label}",
        f"Account name: {account.account_name or 'unknown'}",
        f"Tariff: {account.tariff or 'unknown'}" + (" (free plan)" if account.is_free_plan else ""),
        f"Contacts: {_limits(account)}",
        f"Module enabled: {'yes' if account.enabled else 'no'}",
        f"State: {account.get_state_display()}",
        f"Last connection check: {_when(account.checked_at)}",
        "",
        "Recent errors:" if errors else "Recent errors: none",
    ]
    lines += [
        f"- {_when(e.occurred_at)} {e.action or '-'}: {e.error_id}"
        + (f" ({e.explain})" if e.explain else "")
        for e in errors
    ]
    lines += ["", "Situation: ", ""]
    return "\n".join(lines)
