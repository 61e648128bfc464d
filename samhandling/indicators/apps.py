"""App configuration for styringsinformasjon (data sets, the indicator catalogue, runs, results, dashboards)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "samhandling.indicators"
    label = "indicators"
    verbose_name = _("Management information")

    def ready(self) -> None:
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import access, services, signals  # noqa: F401  (permission rules, audit labels, area receivers)

        register_menu(
            MenuEntry(
                "indicators",
                _("Management information"),
                "indicators:home",
                "indicators.view_dashboards",
                "/styringsinformasjon/",
                order=40,
            )
        )
