"""A person's download of a deviation report: permission first, an audit event for every generation."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap
from samhandling.core.permissions import require

from ..reports.files import generate_report
from ..reports.structure import HALF_YEAR, INTERNAL


@transaction.atomic
def deviation_report_generate(
    *,
    actor,
    community: Helsefellesskap,
    kind: str,
    year: int,
    half: int | None,
    version: str,
    fmt: str,
    language: str | None = None,
) -> tuple[str, bytes, str]:
    """Generate a report for a person: statistics access for the community, the internal version for its
    secretariat only, and an audit event for every generation."""
    require(actor, "deviations.view_statistics", community)
    if version == INTERNAL:
        require(actor, "deviations.reports_internal", community)
    result = generate_report(community, kind, year, half, version, fmt, language=language)
    audit.record(
        actor=actor,
        action="deviations.report.generated",
        helsefellesskap=community,
        data={
            "kind": kind,
            "year": year,
            "half": half if kind == HALF_YEAR else None,
            "version": version,
            "format": fmt,
        },
    )
    return result


audit.register_actions({"deviations.report.generated": gettext_lazy("Generated a deviation report")})
