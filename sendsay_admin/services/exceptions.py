"""Refusals of the Sendsay connection services, shown to administrators as they are."""


class SendsayAdminError(Exception):
    """Root of the app's own refusals (Sendsay's errors stay `client.SendsayError`)."""


class AccountNotConfiguredError(SendsayAdminError):
    """The account has no login or no API key yet."""


class MappingError(SendsayAdminError):
    """A field mapping or custom field that cannot be saved (type mismatch, unknown field)."""


class SenderRefusedError(SendsayAdminError):
    """An address that cannot be a Sendsay sender (bad syntax, free-mail domain)."""
