"""App configuration for arrangementer (events with registration, and the public calendar)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "samhandling.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import (  # noqa: F401  (rules, audit labels, periodic tasks, "Mine oppgaver")
            access,
            services,
            tasks,
            todo,
        )

        register_menu(
            MenuEntry("events", _("Events"), "events:calendar", "core.view_directory", "/arrangementer/", order=50)
        )
