"""App config of chains: connects the model-signal receivers of `signals.py`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "chains"
    verbose_name = _("Chains and milestones")

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)
