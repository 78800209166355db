"""A proxy of the outbox that gives the delivery dashboard its place in the admin's app list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .outbox import OutboxMessage


class DeliveryDashboard(OutboxMessage):
    """No table of its own: the admin registers the delivery dashboard page under this name."""

    class Meta:
        proxy = True
        verbose_name = _("delivery dashboard")
        verbose_name_plural = _("delivery dashboard")
