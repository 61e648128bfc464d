"""App configuration for samhandlingsavvik (deviations between organisations)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "samhandling.deviations"
    label = "deviations"
    verbose_name = _("Deviations")

    def ready(self) -> None:
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import access, todo  # noqa: F401  (permission rules, "Mine oppgaver" provider, audit labels)

        register_menu(
            MenuEntry("deviations", _("Deviations"), "deviations:mine", "core.view_directory", "/avvik/", order=20)
        )
