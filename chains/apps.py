"""App config of chains: connects the model-signal receivers of `signals.py` and the vendor
dashboard's milestones to the editable thresholds."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "chains"
    verbose_name = _("Chains and milestones")

    def ready(self) -> None:
        from marketplace.dashboard.selectors import milestones_source_connect

        from . import signals  # noqa: F401 (connects the receivers)
        from .services.milestones import thresholds_active

        milestones_source_connect(thresholds_active)
