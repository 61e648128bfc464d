"""App configuration for møter og saker (partnership bodies, meetings, agenda items, minutes)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "samhandling.governance"
    label = "governance"
    verbose_name = _("Meetings and agenda items")

    def ready(self) -> None:
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import access, tasks, todo  # noqa: F401  (permission rules, periodic tasks, "Mine oppgaver")

        register_menu(
            MenuEntry("governance", _("Meetings"), "governance:home", "core.view_directory", "/moter/", order=30)
        )
