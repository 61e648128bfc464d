"""App configuration for nyhetsbrev (newsletters with contributions, sending and a public archive)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "samhandling.newsletter"
    label = "newsletter"
    verbose_name = _("Newsletters")

    def ready(self) -> None:
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import (  # noqa: F401  (rules, audit labels, periodic tasks, "Mine oppgaver")
            access,
            services,
            tasks,
            todo,
        )

        register_menu(
            MenuEntry(
                "newsletter", _("Newsletter"), "newsletter:index", "core.view_directory", "/nyhetsbrev/", order=60
            )
        )
