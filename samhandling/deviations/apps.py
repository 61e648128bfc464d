"""App configuration for samhandlingsavvik (deviations between organisations)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "samhandling.deviations"
    label = "deviations"
    verbose_name = _("Deviations")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the "Mine oppgaver" provider and audit labels)
