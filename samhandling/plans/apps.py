"""App configuration for handlingsplan (the community's yearly action plan: themes, goals, measures, status)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "samhandling.plans"
    label = "plans"
    verbose_name = _("Action plans")

    def ready(self) -> None:
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import access, services, todo  # noqa: F401  (permission rules, audit labels, "Mine oppgaver")

        register_menu(
            MenuEntry(
                "plans",
                _("Action plan"),
                "plans:plan_list",
                "plans.view_list",
                "/handlingsplan/",
                about_community=True,
                order=35,
            )
        )
