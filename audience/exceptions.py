"""Refusals of the audience services, shown to administrators as they are."""


class AudienceError(Exception):
    """Root of the app's own refusals (Sendsay's errors stay `client.SendsayError`)."""


class SegmentSyncError(AudienceError):
    """A segment cannot be synced now: Sendsay not connected, or a sync already running."""
