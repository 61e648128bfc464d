from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "samhandling.hub"
    verbose_name = _("Public community pages")
