"""Reads that views share: the community directory with population, organisation trees, people and the audit log,
each already filtered by what the user may see."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .models import (
    AuditEvent,
    CatchmentArea,
    CatchmentService,
    Helsefellesskap,
    Membership,
    Organisation,
    OrganisationType,
    PopulationCount,
    User,
)
from .permissions import community_organisations, managed_communities
from .reference import POPULATION_CACHE_KEY

AGE_BAND_WIDTH = 5
OLDEST_BAND_START = 90


def population_totals() -> dict[int, dict[int, int]]:
    """area id → year → residents, for every municipality and district (cached; reference loads clear it)."""
    totals = cache.get(POPULATION_CACHE_KEY)
    if totals is None:
        totals = defaultdict(dict)
        rows = PopulationCount.objects.values("area_id", "year").annotate(total=Sum("count")).order_by()
        for row in rows:
            totals[row["area_id"]][row["year"]] = row["total"]
        totals = dict(totals)
        cache.set(POPULATION_CACHE_KEY, totals, 60 * 60)
    return totals


def population_years() -> list[int]:
    years = {year for by_year in population_totals().values() for year in by_year}
    return sorted(years)


@dataclass
class CommunitySummary:
    community: Helsefellesskap
    hospitals: list[Organisation]
    municipality_count: int
    population: dict[int, int]


def _hospitals_by_community() -> dict[int, list[Organisation]]:
    through = Helsefellesskap.members.through.objects.filter(
        organisation__type__in=[OrganisationType.HF, OrganisationType.PRIVATE_HOSPITAL]
    ).select_related("organisation")
    result: dict[int, list[Organisation]] = defaultdict(list)
    for row in through.order_by("organisation__name"):
        result[row.helsefellesskap_id].append(row.organisation)
    return result


def _municipalities_by_community() -> dict[int, list[int]]:
    municipalities = Helsefellesskap.members.through.objects.filter(
        organisation__type=OrganisationType.KOMMUNE
    ).values_list("helsefellesskap_id", "organisation_id")
    members: dict[int, list[int]] = defaultdict(list)
    for community_id, organisation_id in municipalities:
        members[community_id].append(organisation_id)
    return members


def _population_of(municipality_ids: list[int], totals: dict[int, dict[int, int]]) -> dict[int, int]:
    population: dict[int, int] = defaultdict(int)
    for organisation_id in municipality_ids:
        for year, count in totals.get(organisation_id, {}).items():
            population[year] += count
    return dict(population)


def population_by_community() -> dict[int, dict[int, int]]:
    """community id → year → residents of its member municipalities (one query; the totals are cached)."""
    totals = population_totals()
    return {community_id: _population_of(ids, totals) for community_id, ids in _municipalities_by_community().items()}


def community_directory() -> list[CommunitySummary]:
    """All 19 communities with hospitals, municipality count and population per year."""
    totals = population_totals()
    members = _municipalities_by_community()
    hospitals = _hospitals_by_community()
    summaries = []
    for community in Helsefellesskap.objects.select_related("regional_health_authority").order_by("name"):
        population = _population_of(members[community.pk], totals)
        summaries.append(CommunitySummary(community, hospitals[community.pk], len(members[community.pk]), population))
    return summaries


@dataclass
class AreaRow:
    area: Organisation
    population: dict[int, int]
    hospital: Organisation | None = None


def community_detail(community: Helsefellesskap) -> dict:
    totals = population_totals()
    municipalities = list(community.members.filter(type=OrganisationType.KOMMUNE).order_by("name"))
    districts = list(
        Organisation.objects.filter(type=OrganisationType.BYDEL, parent__in=municipalities)
        .select_related("parent")
        .order_by("district_number")
    )
    somatic = dict(
        CatchmentArea.objects.filter(
            service=CatchmentService.SOMATIC, area__in=[*municipalities, *districts]
        ).values_list("area_id", "hospital__short_name")
    )
    population: dict[int, int] = defaultdict(int)
    for municipality in municipalities:
        for year, count in totals.get(municipality.pk, {}).items():
            population[year] += count
    return {
        "hospitals": _hospitals_by_community()[community.pk],
        "municipalities": [AreaRow(m, totals.get(m.pk, {}), somatic.get(m.pk)) for m in municipalities],
        "districts": [AreaRow(d, totals.get(d.pk, {}), somatic.get(d.pk)) for d in districts],
        "population": dict(population),
        "years": population_years(),
    }


def age_band_label(start: int) -> str:
    return f"{start}+" if start >= OLDEST_BAND_START else f"{start}–{start + AGE_BAND_WIDTH - 1}"


def population_by_age_band(area: Organisation, year: int) -> list[dict]:
    """Residents by five-year age band and sex for one year: rows {band, start, K, M}."""
    bands: dict[int, dict[str, int]] = defaultdict(lambda: {"K": 0, "M": 0})
    for row in PopulationCount.objects.filter(area=area, year=year).values("age", "sex", "count"):
        start = min(row["age"] // AGE_BAND_WIDTH * AGE_BAND_WIDTH, OLDEST_BAND_START)
        bands[start][row["sex"]] += row["count"]
    return [
        {"band": age_band_label(start), "start": start, "K": values["K"], "M": values["M"]}
        for start, values in sorted(bands.items())
    ]


def area_profile(area: Organisation) -> dict:
    every_area = population_totals()
    totals = every_area.get(area.pk, {})
    years = sorted(totals)
    latest = years[-1] if years else None
    municipality = area if area.type == OrganisationType.KOMMUNE else area.parent
    return {
        "population": totals,
        "years": years,
        "latest_year": latest,
        "bands": population_by_age_band(area, latest) if latest else [],
        "communities": list(Helsefellesskap.objects.filter(members=municipality).order_by("name")),
        "catchment": list(CatchmentArea.objects.filter(area=area).select_related("hospital").order_by("service")),
        "districts": [
            AreaRow(d, every_area.get(d.pk, {}))
            for d in area.children.filter(type=OrganisationType.BYDEL).order_by("district_number")
        ]
        if area.type == OrganisationType.KOMMUNE
        else [],
        "municipality": municipality,
    }


# --- administration (already scoped to what the user manages) -------------------------------------------------


def organisations_for_management(community: Helsefellesskap, *, query: str = "") -> QuerySet[Organisation]:
    organisations = community_organisations(community).select_related("parent", "root")
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query) | Q(short_name__icontains=query) | Q(municipality_number=query)
        )
    return organisations.annotate(unit_count=Count("children", distinct=True)).order_by("root__name", "name")


def top_level_organisations(community: Helsefellesskap) -> QuerySet[Organisation]:
    return (
        community_organisations(community)
        .filter(parent__isnull=True)
        .annotate(unit_count=Count("children", distinct=True), member_count=Count("memberships__user", distinct=True))
        .order_by("type", "name")
    )


def organisation_tree(organisation: Organisation) -> list[tuple[Organisation, int]]:
    """The organisation's units, depth-first, each with its depth below `organisation` (1 = direct unit)."""
    children_of: dict[int, list[Organisation]] = defaultdict(list)
    for unit in Organisation.objects.filter(root_id=organisation.root_id).exclude(pk=organisation.root_id):
        children_of[unit.parent_id].append(unit)
    result: list[tuple[Organisation, int]] = []

    def walk(node_id: int, depth: int) -> None:
        for child in sorted(children_of.get(node_id, []), key=lambda o: o.name):
            result.append((child, depth))
            walk(child.pk, depth + 1)

    walk(organisation.pk, 1)
    return result


def users_for_management(community: Helsefellesskap, *, query: str = "", role: str = "") -> QuerySet[User]:
    memberships = Membership.objects.filter(organisation__in=community_organisations(community))
    if role:
        memberships = memberships.filter(role=role)
    users = User.objects.filter(pk__in=memberships.values("user_id"))
    if query:
        users = users.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(username__icontains=query)
            | Q(email__icontains=query)
        )
    return users.order_by("first_name", "last_name", "username")


def user_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation", "organisation__parent")


@dataclass
class AuditFilter:
    actor: User | None = None
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_events(user: User, community: Helsefellesskap, filters: AuditFilter) -> QuerySet[AuditEvent]:
    """Audit events of a community the user manages, filtered; a superuser also sees events with no community."""
    if not managed_communities(user).filter(pk=community.pk).exists():
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor", "helsefellesskap")
    scope = Q(helsefellesskap=community)
    if user.is_superuser:
        scope |= Q(helsefellesskap__isnull=True)
    events = events.filter(scope)
    if filters.actor is not None:
        events = events.filter(actor=filters.actor)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id:
        events = events.filter(target_id=filters.target_id)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        events = events.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        events = events.filter(created_at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    return events


def audit_actors(community: Helsefellesskap) -> QuerySet[User]:
    return User.objects.filter(pk__in=AuditEvent.objects.filter(helsefellesskap=community).values("actor_id")).order_by(
        "first_name", "last_name"
    )
