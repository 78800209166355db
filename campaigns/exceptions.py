"""Refusals of the campaign services, worded for administrators."""


class CampaignError(Exception):
    """Root of the campaign app's own errors (Sendsay's stay `client.SendsayError`, delivery
    errors stay `notifications.channels.DeliveryError`)."""


class CampaignStateError(CampaignError):
    """The action does not fit the campaign's status (launching a finished campaign ...)."""


class CampaignNotSendableError(CampaignError):
    """The campaign cannot go out as configured (no content for a role, a channel that needs
    Sendsay while it is off, a broadcast without a group id ...)."""
