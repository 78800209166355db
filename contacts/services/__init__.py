"""Services of the contact export: every state change, and the only calls to Sendsay."""

from .budget import Budget, budget_refresh, budget_status
from .export import contacts_export
from .lists import list_ensure, list_name_for
from .runs import export_request, export_settings_for

__all__ = [
    "Budget",
    "budget_refresh",
    "budget_status",
    "contacts_export",
    "export_request",
    "export_settings_for",
    "list_ensure",
    "list_name_for",
]
