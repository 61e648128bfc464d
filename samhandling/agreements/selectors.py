"""Reads of the cooperation agreements, filtered by what the user may see: the agreements with their current
version, the § 6-2 coverage table, the parties still to approve (and when they were reminded), a readable diff between
versions, the clauses other modules refer to (core.clauses) and how often each clause was reported broken."""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core import disclosure
from samhandling.core.clauses import ClauseRef
from samhandling.core.http import parse_id
from samhandling.core.permissions import can
from samhandling.plans.access import manages

from .models import (
    LEGAL_POINTS,
    Agreement,
    AgreementVersion,
    ApprovalReminder,
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


def approval_overview(agreement: Agreement, version: AgreementVersion | None) -> list[tuple]:
    """(party, approval or None, the day the party was last reminded or None) for every party of the agreement, for
    the adopted version: the overview of who has not approved yet."""
    rows = approval_status(agreement, version)
    if not rows:
        return []
    reminded: dict[int, date] = {}
    for party_id, day in ApprovalReminder.objects.filter(version=version).values_list("party_id", "day"):
        reminded[party_id] = max(day, reminded.get(party_id, day))
    return [(party, approval, None if approval else reminded.get(party.pk)) for party, approval in rows]


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


# --- the clauses deviations are reported against (core.clauses) ------------------------------------------------------


def _clause_ref(clause: Clause) -> ClauseRef:
    version = clause.version
    agreement = version.agreement
    label = _("%(agreement)s, clause %(number)s – %(heading)s") % {
        "agreement": agreement.title,
        "number": clause.number,
        "heading": clause.heading,
    }
    in_force = version.status == VersionStatus.ADOPTED
    if not in_force:
        label += " " + _("(version %(number)s, no longer in force)") % {"number": version.number}
    return ClauseRef(
        pk=clause.pk,
        community_id=agreement.helsefellesskap_id,
        agreement=agreement.title,
        label=label,
        in_force=in_force,
        order=(agreement.kind, agreement.title, agreement.pk, -version.number, clause.position, clause.pk),
    )


def _clauses():
    return Clause.objects.select_related("version__agreement")


def clause_refs(community, in_force_only: bool) -> list[ClauseRef]:
    """The community's clauses of adopted versions (and of replaced ones unless `in_force_only`): what a deviation
    may be reported against. Drafts and versions on hearing are never offered."""
    statuses = [VersionStatus.ADOPTED] if in_force_only else list(PUBLIC_STATUSES)
    clauses = _clauses().filter(version__agreement__helsefellesskap=community, version__status__in=statuses)
    return [_clause_ref(clause) for clause in clauses]


def describe_clauses(ids: Iterable[int]) -> dict[int, ClauseRef]:
    return {clause.pk: _clause_ref(clause) for clause in _clauses().filter(pk__in=list(ids))}


REPORTED_RECENTLY_DAYS = 365


@dataclass
class ClauseReports:
    """How often one clause was reported broken: in the last 12 months and in total, each with the reason it is
    hidden ("" when shown), and the clause's filter in the deviation list."""

    clause: Clause
    recent: int
    total: int
    recent_hidden: str
    total_hidden: str

    @property
    def recent_shown(self) -> str:
        return f"<{disclosure.SMALL_NUMBER_LIMIT}" if self.recent_hidden else str(self.recent)

    @property
    def total_shown(self) -> str:
        return f"<{disclosure.SMALL_NUMBER_LIMIT}" if self.total_hidden else str(self.total)


def clause_reports(version: AgreementVersion, today: date | None = None) -> list[ClauseReports]:
    """Deviations reported against each clause of the version, counted as the deviation statistics count them (sent
    cases; drafts, withdrawn cases, duplicates and the like left out), across the whole community. Every member of
    the community reads these, so a count from 1 to 4 is hidden (core.disclosure), as in the published reports."""
    from samhandling.deviations.selectors import clause_counts

    clauses = list(version.clauses.all())
    community = version.agreement.helsefellesskap
    today = today or timezone.localdate()
    ids = [clause.pk for clause in clauses]
    totals = clause_counts(community, ids)
    recent = clause_counts(community, ids, since=today - timedelta(days=REPORTED_RECENTLY_DAYS))
    rows = []
    for clause in clauses:
        values = {"recent": recent.get(clause.pk, 0), "total": totals.get(clause.pk, 0)}
        reasons = disclosure.suppress(values)
        rows.append(ClauseReports(clause, values["recent"], values["total"], reasons["recent"], reasons["total"]))
    return rows
