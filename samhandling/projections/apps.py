"""App configuration for framskrivning (population and service-need projections, scenarios, capacity)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectionsConfig(AppConfig):
    name = "samhandling.projections"
    label = "projections"
    verbose_name = _("Projections")
