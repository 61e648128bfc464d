"""Framskrivning: versioned populations (the built-in projection or an imported SSB file), scenarios with their
parameters, and scenario runs whose stored results record every input they came from."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.workflow import Workflow


class WorkStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


W = WorkStatus
# Work is claimed by a worker with a conditional UPDATE (queued → running); a run whose worker died goes back to the
# queue and is claimed again (running → queued), so a task run twice does its work once.
WORK_TRANSITIONS = {
    W.QUEUED: {W.RUNNING, W.FAILED},
    W.RUNNING: {W.DONE, W.FAILED, W.QUEUED},
    W.DONE: set(),
    W.FAILED: set(),
}
WORK_TONES = {W.QUEUED: "info", W.RUNNING: "info", W.DONE: "success", W.FAILED: "danger"}


class SourceKind(models.TextChoices):
    BUILTIN = "builtin", _("Built-in projection")
    SSB = "ssb", _("Imported SSB projection")


class PopulationSource(models.Model):
    """One version of a projected population by area × sex × single-year age × year, stored as Parquet."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=SourceKind.choices)
    alternative = models.CharField(
        _("alternative"), max_length=12, blank=True, help_text=_("SSB's alternative, for example MMMM or LLML.")
    )
    version = models.CharField(_("version"), max_length=80, blank=True)
    # Built-in: base years, target year, shrinkage, engine, definition version. Imported: the file's name and size.
    parameters = models.JSONField(default=dict, blank=True)
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=WorkStatus.choices, default=WorkStatus.QUEUED)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    total_errors = models.PositiveIntegerField(default=0)
    # Relative to the storage root: the uploaded file while queued, then the stored population.
    upload_path = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)  # the worker (django-tasks worker id) running it
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("population source")
        verbose_name_plural = _("population sources")

    def __str__(self) -> str:
        suffix = f" {self.alternative}" if self.alternative else ""
        return f"{self.name}{suffix} ({self.version or self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("projections:source", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status == WorkStatus.DONE

    @property
    def is_finished(self) -> bool:
        return self.status in (WorkStatus.DONE, WorkStatus.FAILED)

    @property
    def years(self) -> list[int]:
        if self.first_year is None or self.last_year is None:
            return []
        return list(range(self.first_year, self.last_year + 1))


SOURCE_WORKFLOW = Workflow(
    model=PopulationSource,
    statuses=WorkStatus,
    transitions=WORK_TRANSITIONS,
    # Moved only by worker claims (no audit per move); services audit what a person started.
    tones=WORK_TONES,
)


class Scenario(models.Model):
    """A named set of assumptions: which population, which data set's base rates, change factors, capacity."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    helsefellesskap = models.ForeignKey(
        "core.Helsefellesskap",
        verbose_name=_("health community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The community the scenario is made for (its results cover every area)."),
    )
    population = models.ForeignKey(
        PopulationSource, verbose_name=_("population"), on_delete=models.PROTECT, related_name="scenarios"
    )
    dataset = models.ForeignKey(
        "indicators.Dataset", verbose_name=_("data set"), on_delete=models.PROTECT, related_name="+"
    )
    base_first = models.PositiveSmallIntegerField(_("first base year"))
    base_last = models.PositiveSmallIntegerField(_("last base year"))
    to_year = models.PositiveSmallIntegerField(_("projected to"), default=2040)
    # [{"service", "category", "kind", "value", "low", "high", "target_year"}] — engine.scenario.Factor's fields.
    factors = models.JSONField(default=list, blank=True)
    occupancy = models.FloatField(_("target bed occupancy (%)"), default=85.0)
    room_days = models.FloatField(_("outpatient days per year"), default=230.0)
    room_hours = models.FloatField(_("opening hours per day"), default=8.0)
    contact_minutes = models.FloatField(_("room minutes per outpatient contact"), default=45.0)
    fte_per_user = models.FloatField(
        _("municipal full-time equivalents per user"),
        default=0.35,
        help_text=_("Årsverk per municipal user, set for the community."),
    )
    draws = models.PositiveIntegerField(_("Monte Carlo draws"), default=1000)
    seed = models.PositiveIntegerField(_("seed"), default=2026)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projections:scenario", args=[self.pk])

    @property
    def base_years(self) -> list[int]:
        return list(range(self.base_first, self.base_last + 1))


class ScenarioRun(models.Model):
    """One computation of a scenario. `inputs` records everything it came from; results are stored as Parquet."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(_("status"), max_length=12, choices=WorkStatus.choices, default=WorkStatus.QUEUED)
    # Population source and version, data set and version, the scenario's parameters, seed, draws, engine and the
    # definition versions: frozen when the run is started, so a later edit of the scenario changes nothing here.
    inputs = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, blank=True)
    synthetic = models.BooleanField(_("synthetic data"), default=False)
    message = models.TextField(blank=True)
    results_path = models.CharField(max_length=300, blank=True)
    # Set when an analyst publishes the run: it is then on the public pages, small numbers hidden.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)  # the worker (django-tasks worker id) running it
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scenario run")
        verbose_name_plural = _("scenario runs")

    def __str__(self) -> str:
        return f"{self.scenario.name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("projections:run", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status == WorkStatus.DONE

    @property
    def is_finished(self) -> bool:
        return self.status in (WorkStatus.DONE, WorkStatus.FAILED)


RUN_WORKFLOW = Workflow(
    model=ScenarioRun,
    statuses=WorkStatus,
    transitions=WORK_TRANSITIONS,
    tones=WORK_TONES,
)


class CapacityKind(models.TextChoices):
    BEDS = "beds", _("Beds")
    ROOMS = "rooms", _("Outpatient rooms")
    FTE = "fte", _("Municipal full-time equivalents")


class CurrentCapacity(models.Model):
    """Today's capacity in an area, entered by the secretariat or an analyst; results show the gap to the need."""

    level = models.CharField(max_length=16)
    area = models.CharField(max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=CapacityKind.choices)
    value = models.FloatField(_("today's capacity"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "area", "kind"], name="projections_one_capacity")]
        verbose_name = _("today's capacity")
        verbose_name_plural = _("today's capacity")

    def __str__(self) -> str:
        return f"{self.level}:{self.area} {self.kind} {self.value:g}"
