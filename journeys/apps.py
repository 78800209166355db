"""App config for the buyer journeys; connects the profile-lifecycle receivers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = _("Buyer journeys")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
