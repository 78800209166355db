"""Refusals of the contact export, shown to administrators as they are."""


class ContactsError(Exception):
    """Root of the app's own refusals (Sendsay's errors stay `client.SendsayError`)."""


class ExportNotPossibleError(ContactsError):
    """No connected Sendsay account, or its credentials cannot be used."""


class ExportBusyError(ContactsError):
    """An export of this account is already queued or running."""
