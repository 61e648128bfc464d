"""App configuration for framskrivning (population and service-need projections, scenarios, capacity)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectionsConfig(AppConfig):
    name = "samhandling.projections"
    label = "projections"
    verbose_name = _("Projections")

    def ready(self) -> None:
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import access, services  # noqa: F401  (register the permission rules and the audit labels)

        register_menu(
            MenuEntry(
                "projections", _("Projections"), "projections:home", "projections.view", "/framskrivning/", order=45
            )
        )
