"""Reads of the cooperation agreements, filtered by what the user may see: the agreements with their current
version, the § 6-2 coverage table, the parties still to approve, and a readable diff between versions."""

import difflib
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from samhandling.core.http import parse_id
from samhandling.core.permissions import can
from samhandling.plans.access import manages

from .models import (
    LEGAL_POINTS,
    Agreement,
    AgreementVersion,
    Clause,
    Consultation,
    ConsultationInput,
    Question,
    VersionStatus,
)

PUBLIC_STATUSES = (VersionStatus.ADOPTED, VersionStatus.REPLACED)


def visible_statuses(user, community) -> list[str]:
    if manages(user, community):
        return list(VersionStatus.values)
    return [s for s in VersionStatus.values if s != VersionStatus.DRAFT]


def agreements_for(user, community, *, public: bool = False) -> QuerySet[Agreement]:
    """The community's agreements, each with the versions the reader may see (newest first) and their clauses."""
    statuses = list(PUBLIC_STATUSES) if public else visible_statuses(user, community)
    versions = AgreementVersion.objects.filter(status__in=statuses).prefetch_related(
        Prefetch("clauses", queryset=Clause.objects.order_by("position", "pk")), "approvals__party"
    )
    agreements = Agreement.objects.filter(helsefellesskap=community).prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="shown_versions"), "parties"
    )
    if public:
        agreements = agreements.filter(versions__status__in=PUBLIC_STATUSES).distinct()
    return agreements


def current_version(agreement: Agreement) -> AgreementVersion | None:
    """The adopted version, else the newest one shown."""
    versions = getattr(agreement, "shown_versions", None)
    if versions is None:
        versions = list(agreement.versions.all())
    adopted = [v for v in versions if v.status == VersionStatus.ADOPTED]
    return adopted[0] if adopted else (versions[0] if versions else None)


def version_for(user, pk) -> AgreementVersion:
    version = (
        AgreementVersion.objects.select_related("agreement", "agreement__helsefellesskap")
        .filter(pk=parse_id(pk) or 0)
        .first()
    )
    if version is None or not can(user, "agreements.view_version", version):
        raise Http404
    return version


def agreement_for(user, pk) -> Agreement:
    agreement = Agreement.objects.select_related("helsefellesskap").filter(pk=parse_id(pk) or 0).first()
    if agreement is None or not can(user, "agreements.view_list", agreement.helsefellesskap):
        raise Http404
    return agreements_for(user, agreement.helsefellesskap).get(pk=agreement.pk)


@dataclass
class CoverageRow:
    point: int
    label: str
    clauses: list  # [(agreement, clause)]

    @property
    def covered(self) -> bool:
        return bool(self.clauses)


def coverage(agreements) -> list[CoverageRow]:
    """Every point 1–13 of § 6-2 against the clauses of each agreement's current version that cover it; an empty
    row is a gap."""
    rows = {point: CoverageRow(point, str(label), []) for point, label in LEGAL_POINTS.items()}
    for agreement in agreements:
        version = current_version(agreement)
        if version is None:
            continue
        for clause in version.clauses.all():
            for point in clause.legal_points:
                if point in rows:
                    rows[point].clauses.append((agreement, clause))
    return list(rows.values())


def approval_status(agreement: Agreement, version: AgreementVersion | None) -> list[tuple]:
    """(party, approval or None) for every party of the agreement, for the adopted version."""
    if version is None or version.status != VersionStatus.ADOPTED:
        return []
    approvals = {a.party_id: a for a in version.approvals.all()}
    return [(party, approvals.get(party.pk)) for party in agreement.parties.order_by("name")]


def diff_lines(earlier: AgreementVersion | None, version: AgreementVersion) -> list[tuple[str, str]]:
    """The changed lines between two versions' texts: ("+", line), ("-", line); unchanged lines are left out."""
    from .services import version_text

    if earlier is None:
        return []
    before, after = version_text(earlier).splitlines(), version_text(version).splitlines()
    return [(line[0], line[2:]) for line in difflib.ndiff(before, after) if line[:1] in "+-" and line[2:].strip()]


# --- Høringssvar ---------------------------------------------------------------------------------------------------


def consultations_for(user, community) -> QuerySet[Consultation]:
    """The community's consultations (every member reads them; the inputs only the invited and the secretariat)."""
    if not can(user, "agreements.view_consultations", community):
        return Consultation.objects.none()
    return Consultation.objects.filter(helsefellesskap=community).prefetch_related("questions")


def consultation_for(user, pk) -> Consultation:
    consultation = (
        Consultation.objects.select_related("helsefellesskap", "agenda_item").filter(pk=parse_id(pk) or 0).first()
    )
    if consultation is None or not can(user, "agreements.view_consultation", consultation):
        raise Http404
    return consultation


def questions_with_inputs(consultation: Consultation, user) -> list[Question]:
    """The questions, each with `shown_inputs` (every input for those who may read them, else none) and
    `own_input` (the user's own text, or "")."""
    may_read = can(user, "agreements.view_inputs", consultation)
    inputs = ConsultationInput.objects.select_related("author").order_by("created_at", "pk")
    questions = list(consultation.questions.prefetch_related(Prefetch("inputs", queryset=inputs)))
    for question in questions:
        every = list(question.inputs.all())
        question.shown_inputs = every if may_read else []
        question.own_input = next((i.text for i in every if i.author_id == getattr(user, "pk", None)), "")
    return questions
