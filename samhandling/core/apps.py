"""App configuration for the shared core."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samhandling.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import crypto, signals  # noqa: F401  (registers the auth signal receivers and the key check)
