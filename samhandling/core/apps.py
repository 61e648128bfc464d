"""App configuration for the shared core."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samhandling.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import crypto, permissions, signals  # noqa: F401  (rules, auth signal receivers, the key check)
        from .navigation import MenuEntry, register_menu

        register_menu(MenuEntry("home", _("Front page"), "home", "core.view_directory", "/", order=0))
        register_menu(
            MenuEntry(
                "directory",
                _("Health communities"),
                "core:helsefellesskap_list",
                "core.view_directory",
                "/helsefellesskap/",
                order=10,
            )
        )
        register_menu(
            MenuEntry(
                "administration",
                _("Administration"),
                "core:admin_organisations",
                "core.manage_community",
                "/administrasjon/",
                about_community=True,
                order=90,
            )
        )
