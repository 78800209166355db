"""Services of the Sendsay connection app: every state change, and the only calls to Sendsay."""

from .accounts import (
    account_save_credentials,
    account_set_enabled,
    error_record,
    errors_recorded,
    module_is_active,
)
from .bridge import account_for_storefront, account_marketplace, client_for_account
from .connection import ConnectionResult, connection_check, plan_is_free
from .exceptions import (
    AccountNotConfiguredError,
    MappingError,
    SenderRefusedError,
    SendsayAdminError,
)
from .mapping import (
    buyer_preview,
    custom_field_create,
    custom_field_create_for,
    field_mapping_save,
    mapping_specs,
    sendsay_fields_fetch,
)
from .senders import (
    SenderChecks,
    sender_checks,
    sender_is_usable,
    sender_request_confirmation,
    sender_uses,
    senders_collect,
    senders_refresh,
)
from .smtp import SmtpStatus, fallback_connection, smtp_fallback_status, smtp_test_send
from .support import module_version, support_report

__all__ = [
    "AccountNotConfiguredError",
    "ConnectionResult",
    "MappingError",
    "SenderChecks",
    "SenderRefusedError",
    "SendsayAdminError",
    "SmtpStatus",
    "account_for_storefront",
    "account_marketplace",
    "account_save_credentials",
    "account_set_enabled",
    "buyer_preview",
    "client_for_account",
    "connection_check",
    "custom_field_create",
    "custom_field_create_for",
    "error_record",
    "errors_recorded",
    "fallback_connection",
    "field_mapping_save",
    "mapping_specs",
    "module_is_active",
    "module_version",
    "plan_is_free",
    "sender_checks",
    "sender_is_usable",
    "sender_request_confirmation",
    "sender_uses",
    "senders_collect",
    "senders_refresh",
    "sendsay_fields_fetch",
    "smtp_fallback_status",
    "smtp_test_send",
    "support_report",
]
