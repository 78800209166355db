"""App config for the Sendsay connection app (lives in the project package)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SendsayAdminConfig(AppConfig):
    name = "sendsay_admin"
    verbose_name = _("Sendsay")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
