"""Every write in framskrivning that a person starts: computing the built-in population, importing an SSB file
(both queued as tasks on commit), creating and changing scenarios, starting a run, and entering today's capacity.
What a worker writes (claims, stored results) is in `work`."""

import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.permissions import require
from samhandling.indicators.jobstate import storage_root

from . import tasks
from .engine import need as need_engine
from .engine import population as population_engine
from .models import CapacityKind, CurrentCapacity, PopulationSource, Scenario, ScenarioRun, SourceKind, WorkStatus

SSB_SUFFIXES = (".json", ".csv")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024

audit.register_actions(
    {
        "projections.population.started": gettext_lazy("Started a population projection"),
        "projections.population.import_started": gettext_lazy("Started an import of an SSB projection"),
        "projections.scenario.created": gettext_lazy("Created a projection scenario"),
        "projections.scenario.changed": gettext_lazy("Changed a projection scenario"),
        "projections.run.started": gettext_lazy("Started a scenario run"),
        "projections.capacity.set": gettext_lazy("Entered today's capacity"),
        "projections.report.to_agenda": gettext_lazy("Put a projection report on an agenda"),
        "projections.run.published": gettext_lazy("Published a projection"),
        "projections.run.unpublished": gettext_lazy("Withdrew a published projection"),
    }
)


def projections_root() -> Path:
    return storage_root() / "projections"


# --- populations ------------------------------------------------------------------------------------------------


@transaction.atomic
def population_compute_start(
    *, actor, name: str, base_years: list[int], to_year: int, shrinkage: float = population_engine.DEFAULT_SHRINKAGE
) -> PopulationSource:
    """Queue the built-in projection from the embedded population."""
    require(actor, "projections.analyse")
    try:
        population_engine.Settings(base_years=tuple(base_years), to_year=to_year, shrinkage=shrinkage)
    except ValueError:
        raise ValidationError(
            {"base_first": _("The base years must be at least two years in a row, before the last year.")}
        ) from None
    source = PopulationSource.objects.create(
        name=name,
        kind=SourceKind.BUILTIN,
        parameters={"base_years": list(base_years), "to_year": to_year, "shrinkage": shrinkage},
        created_by=actor,
    )
    audit.record(actor=actor, action="projections.population.started", target=source, data=source.parameters)
    tasks.enqueue_source(source)
    return source


@transaction.atomic
def population_import_start(*, actor, name: str, alternative: str, upload) -> PopulationSource:
    """Store the uploaded SSB file and queue its validation; nothing becomes a population unless all of it reads."""
    require(actor, "projections.analyse")
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SSB_SUFFIXES:
        raise ValidationError({"upload": _("Choose the file SSB gave you as JSON-stat 2.0 (.json) or CSV (.csv).")})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"upload": _("The file is larger than 200 MB.")})
    folder = projections_root() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{suffix}"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    source = PopulationSource.objects.create(
        name=name,
        kind=SourceKind.SSB,
        alternative=alternative.strip().upper(),
        parameters={"file": Path(upload.name).name[:200], "bytes": upload.size},
        upload_path=str(stored.relative_to(storage_root())),
        created_by=actor,
    )
    audit.record(actor=actor, action="projections.population.import_started", target=source, data=source.parameters)
    tasks.enqueue_source(source)
    return source


# --- scenarios --------------------------------------------------------------------------------------------------

SCENARIO_FIELDS = (
    "name",
    "description",
    "helsefellesskap",
    "population",
    "dataset",
    "base_first",
    "base_last",
    "to_year",
    "factors",
    "occupancy",
    "room_days",
    "room_hours",
    "contact_minutes",
    "fte_per_user",
    "draws",
    "seed",
)


def _check_scenario(values: dict) -> None:
    errors = {}
    population = values["population"]
    if population.status != WorkStatus.DONE:
        errors["population"] = _("The population is not ready yet.")
    try:
        need_engine.NeedSettings(
            base_years=tuple(range(values["base_first"], values["base_last"] + 1)), to_year=values["to_year"]
        )
    except ValueError:
        errors["base_last"] = _("The base window is one to three years in a row, before the year projected to.")
    dataset_years = values["dataset"].period_years
    if dataset_years and not set(range(values["base_first"], values["base_last"] + 1)) <= set(dataset_years):
        errors["base_first"] = _("The data set covers %(first)s–%(last)s; choose base years within them.") % {
            "first": dataset_years[0],
            "last": dataset_years[-1],
        }
    if population.status == WorkStatus.DONE and not (
        population.first_year <= values["base_last"] and values["to_year"] <= population.last_year
    ):
        errors["to_year"] = _("The population covers %(first)s–%(last)s.") % {
            "first": population.first_year,
            "last": population.last_year,
        }
    if errors:
        raise ValidationError(errors)


def _changes(scenario: Scenario, values: dict) -> dict:
    return {key: str(values[key]) for key in SCENARIO_FIELDS if str(getattr(scenario, key)) != str(values[key])}


@transaction.atomic
def scenario_create(*, actor, **values) -> Scenario:
    require(actor, "projections.analyse")
    _check_scenario(values)
    scenario = Scenario.objects.create(created_by=actor, **{key: values[key] for key in SCENARIO_FIELDS})
    audit.record(
        actor=actor,
        action="projections.scenario.created",
        target=scenario,
        helsefellesskap=scenario.helsefellesskap,
        data={"name": scenario.name},
    )
    return scenario


@transaction.atomic
def scenario_update(*, actor, scenario: Scenario, **values) -> Scenario:
    require(actor, "projections.analyse")
    _check_scenario(values)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    changed = _changes(scenario, values)
    for key in SCENARIO_FIELDS:
        setattr(scenario, key, values[key])
    scenario.save()
    audit.record(
        actor=actor,
        action="projections.scenario.changed",
        target=scenario,
        helsefellesskap=scenario.helsefellesskap,
        data={"changed": sorted(changed)},
    )
    return scenario


def scenario_inputs(scenario: Scenario) -> dict:
    """Everything a run depends on, frozen when it starts."""
    from .engine import scenario as scenario_engine

    population, dataset = scenario.population, scenario.dataset
    return {
        "population": {
            "id": population.pk,
            "name": population.name,
            "kind": population.kind,
            "alternative": population.alternative,
            "version": population.version,
        },
        "dataset": {"id": dataset.pk, "name": dataset.name, "version": dataset.version, "synthetic": dataset.synthetic},
        "scenario": {
            "id": scenario.pk,
            "name": scenario.name,
            "base_years": scenario.base_years,
            "to_year": scenario.to_year,
            "factors": scenario.factors,
            "capacity": {
                "occupancy": scenario.occupancy,
                "room_days": scenario.room_days,
                "room_hours": scenario.room_hours,
                "contact_minutes": scenario.contact_minutes,
                "fte_per_user": scenario.fte_per_user,
            },
        },
        "seed": scenario.seed,
        "draws": scenario.draws,
        "engine": "duckdb",
        "definition_version": {
            "need": need_engine.DEFINITION_VERSION,
            "population": population_engine.DEFINITION_VERSION,
            "scenario": scenario_engine.DEFINITION_VERSION,
        },
    }


@transaction.atomic
def run_start(*, actor, scenario: Scenario) -> ScenarioRun:
    require(actor, "projections.analyse")
    scenario = Scenario.objects.select_related("population", "dataset").get(pk=scenario.pk)
    if scenario.population.status != WorkStatus.DONE:
        raise ValidationError(_("The scenario's population is not ready yet."))
    run = ScenarioRun.objects.create(
        scenario=scenario, inputs=scenario_inputs(scenario), synthetic=scenario.dataset.synthetic, created_by=actor
    )
    audit.record(
        actor=actor,
        action="projections.run.started",
        target=run,
        helsefellesskap=scenario.helsefellesskap,
        data={"scenario": scenario.pk, "seed": scenario.seed, "draws": scenario.draws},
    )
    tasks.enqueue_run(run)
    return run


@transaction.atomic
def run_publish(*, actor, run: ScenarioRun, publish: bool = True) -> ScenarioRun:
    """Put a finished run on the public pages (small numbers hidden there), or take it off."""
    from django.utils import timezone

    require(actor, "projections.analyse")
    run = ScenarioRun.objects.select_for_update().get(pk=run.pk)
    if publish and run.status != WorkStatus.DONE:
        raise ValidationError(_("The run is not done."))
    run.published_at = timezone.now() if publish else None
    run.save(update_fields=["published_at"])
    audit.record(
        actor=actor,
        action="projections.run.published" if publish else "projections.run.unpublished",
        target=run,
        helsefellesskap=run.scenario.helsefellesskap,
    )
    return run


# --- today's capacity -------------------------------------------------------------------------------------------


@transaction.atomic
def capacity_set(*, actor, level: str, area: str, kind: str, value: float) -> CurrentCapacity:
    require(actor, "projections.set_capacity")
    if kind not in CapacityKind.values:
        raise ValidationError({"kind": _("Choose beds, outpatient rooms or full-time equivalents.")})
    if value < 0:
        raise ValidationError({"value": _("Capacity cannot be negative.")})
    capacity, _created = CurrentCapacity.objects.update_or_create(
        level=level, area=area, kind=kind, defaults={"value": value, "updated_by": actor}
    )
    audit.record(
        actor=actor,
        action="projections.capacity.set",
        target=capacity,
        data={"level": level, "area": area, "kind": kind, "value": value},
    )
    return capacity


# --- the report on an agenda ------------------------------------------------------------------------------------


def agenda_bodies(actor, community=None):
    """The partnership meetings and SSUs the user may put items on: of `community` when the report has one,
    else of every community whose bodies the user runs."""
    from samhandling.governance import selectors as governance_selectors
    from samhandling.governance.models import BodyKind

    bodies = governance_selectors.managed_bodies(actor).filter(
        kind__in=[BodyKind.PARTNERSHIP_MEETING, BodyKind.SSU], is_active=True
    )
    if community is not None:
        bodies = bodies.filter(helsefellesskap=community)
    return bodies.order_by("helsefellesskap__name", "kind", "name")


def agenda_meetings(actor, community=None):
    """Upcoming meetings (not yet held) of those bodies."""
    from samhandling.governance import selectors as governance_selectors
    from samhandling.governance.models.meetings import BEFORE_MEETING

    return governance_selectors.meetings_for(actor, upcoming=True).filter(
        body__in=agenda_bodies(actor, community), status__in=BEFORE_MEETING
    )


def report_community(run: ScenarioRun, area):
    """The community a report belongs to: the area's own (a community, or that of a municipality or district), else
    the scenario's; None for the country in a scenario made for no community."""
    from samhandling.core.models import Helsefellesskap

    community_area = area if area.level == "helsefellesskap" else getattr(area, "community", None)
    if community_area is not None and community_area.slug:
        found = Helsefellesskap.objects.filter(slug=community_area.slug).first()
        if found is not None:
            return found
    return run.scenario.helsefellesskap


@transaction.atomic
def report_to_agenda(*, actor, run: ScenarioRun, area, body, meeting=None):
    """The report "Framskriving for <area>" (PDF) as an information item in `body`'s queue or on one of its upcoming
    meetings, through the meeting module's one path for documents from other modules (its permission check,
    numbering and audit apply), with a link back to the run."""
    from django.utils.http import urlencode

    from samhandling.governance import services as governance
    from samhandling.governance.models import ItemKind, ItemOrigin, Visibility

    from . import reports

    require(actor, "projections.view")
    if run.status != WorkStatus.DONE:
        raise ValidationError(_("The run is not done."))
    community = report_community(run, area)
    if body is None or not agenda_bodies(actor, community).filter(pk=body.pk).exists():
        raise ValidationError({"body": _("Choose the partnership meeting or SSU of the community, that you run.")})
    if meeting is not None and not agenda_meetings(actor, community).filter(pk=meeting.pk, body=body).exists():
        raise ValidationError({"meeting": _("Choose an upcoming meeting of the chosen body, or none for the queue.")})
    built = reports.build(run, area, actor)
    item = governance.item_from_document(
        actor=actor,
        body=body,
        meeting=meeting,
        kind=ItemKind.INFORMATION,
        title=built.title,
        description=_(
            "The projection “%(scenario)s” for %(area)s, with population change, change factors and "
            "capacity. The report is attached."
        )
        % {"scenario": run.scenario.name, "area": area.name},
        proposed_conclusion=_("The projection is noted."),
        visibility=Visibility.INTERNAL,
        document=governance.Document(f"framskriving-{run.pk}-{area.code}.pdf", reports.render_pdf(built), built.title),
        origin=governance.Origin(
            ItemOrigin.PROJECTION, run.scenario.name, f"{run.get_absolute_url()}?{urlencode({'omrade': area.key})}"
        ),
        data={"run": run.pk, "area": area.key},
    )
    audit.record(
        actor=actor,
        action="projections.report.to_agenda",
        target=run,
        helsefellesskap=body.helsefellesskap,
        data={"item": item.pk, "body": body.pk, "meeting": meeting.pk if meeting else None, "area": area.key},
    )
    return item
