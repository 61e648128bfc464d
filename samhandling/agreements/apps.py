"""App configuration for samarbeidsavtaler (the community's cooperation agreements, their versions and approvals)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "samhandling.agreements"
    label = "agreements"
    verbose_name = _("Cooperation agreements")

    def ready(self) -> None:
        from samhandling.core.clauses import register_clause_source
        from samhandling.core.navigation import MenuEntry, register_menu

        from . import access, services, todo  # noqa: F401  (permission rules, audit labels, "Mine oppgaver")
        from .selectors import clause_refs, describe_clauses

        # The deviation module offers and counts these clauses without importing this app (core.clauses).
        register_clause_source(lister=clause_refs, describer=describe_clauses)

        register_menu(
            MenuEntry(
                "agreements",
                _("Agreements"),
                "agreements:agreement_list",
                "agreements.view_list",
                "/avtaler/",
                about_community=True,
                order=36,
            )
        )
