"""Styringsinformasjon: versioned data sets, the background jobs that import them and run the indicator catalogue,
the runs with their versions and publication state, and the result rows the dashboards read (never raw records)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samhandling.core.workflow import Action, Workflow


class Dataset(models.Model):
    """A validated data set, stored as Parquet under INDICATOR_STORAGE_ROOT; never changed once stored."""

    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=80)
    manifest = models.JSONField(default=dict, blank=True)
    # Relative to settings.INDICATOR_STORAGE_ROOT, so the storage root can move without touching rows.
    path = models.CharField(max_length=300)
    synthetic = models.BooleanField(_("synthetic data"), default=False)
    row_counts = models.JSONField(default=dict, blank=True)
    # The whole years the data set covers (detected at import, editable by an analyst). A run covers only these
    # years; records outside them are follow-up context (a readmission in January after a December discharge).
    period_start = models.PositiveSmallIntegerField(_("first year covered"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("last year covered"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def total_rows(self) -> int:
        return sum(int(count) for count in self.row_counts.values())

    @property
    def period_years(self) -> list[int]:
        """The whole years covered, oldest first (empty when the period is unknown)."""
        if self.period_start is None or self.period_end is None:
            return []
        return list(range(self.period_start, self.period_end + 1))


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import of a data set")
    RUN = "run", _("Indicator run")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long piece of work an analyst started. Claimed by one worker with a conditional UPDATE (queued → running)."""

    kind = models.CharField(_("kind"), max_length=12, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.TextField(blank=True)
    # The first 100 errors of a refused import: {"table", "row", "column", "code", "params", "message"}.
    errors = models.JSONField(default=list, blank=True)
    total_errors = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    run = models.ForeignKey("Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def is_queued(self) -> bool:
        return self.status == JobStatus.QUEUED

    @property
    def is_done(self) -> bool:
        return self.status == JobStatus.DONE

    @property
    def percent(self) -> int:
        return round(max(0.0, min(1.0, self.progress)) * 100)


J = JobStatus
# A running job whose worker died goes back to the queue (or is taken over by the task run again in its place).
JOB_WORKFLOW = Workflow(
    model=Job,
    statuses=JobStatus,
    transitions={
        J.QUEUED: {J.RUNNING, J.FAILED},
        J.RUNNING: {J.DONE, J.FAILED, J.QUEUED},
        J.DONE: set(),
        J.FAILED: set(),
    },
    # Jobs move only by worker claims (no audit per move); what a person started and how it ended is audited by the
    # services (indicators.import.*, indicators.run.*).
    tones={J.QUEUED: "info", J.RUNNING: "info", J.DONE: "success", J.FAILED: "danger"},
)


class RunStatus(models.TextChoices):
    READY = "ready", _("Not published")
    PUBLISHED = "published", _("Published")


class Engine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    SPARK = "spark", "PySpark"


class Run(models.Model):
    """One computation of the catalogue on one data set; its results are what dashboards and exports show."""

    dataset = models.ForeignKey(Dataset, verbose_name=_("data set"), on_delete=models.PROTECT, related_name="runs")
    definition_version = models.CharField(_("definition version"), max_length=40)
    dataset_version = models.CharField(_("data set version"), max_length=80)
    engine = models.CharField(_("engine"), max_length=12, choices=Engine.choices, default=Engine.DUCKDB)
    years = models.JSONField(default=list)
    synthetic = models.BooleanField(_("synthetic data"), default=False)
    # What the engine reported (rows, seconds …) plus the time it took to load the results.
    summary = models.JSONField(default=dict, blank=True)
    results_path = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.READY)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one run is public at a time: the public pages never have to choose.
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="published"), name="indicators_one_published_run"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.dataset.name if self.dataset_id else ''}".strip()

    @property
    def is_published(self) -> bool:
        return self.status == RunStatus.PUBLISHED


R = RunStatus
# Publishing a run withdraws the run published before it (services.run_publish); at most one is public.
RUN_WORKFLOW = Workflow(
    model=Run,
    statuses=RunStatus,
    transitions={R.READY: {R.PUBLISHED}, R.PUBLISHED: {R.READY}},
    actions=[
        Action("publish", "indicators.publish_run", source=frozenset({R.READY}), target=R.PUBLISHED),
        Action("unpublish", "indicators.publish_run", source=frozenset({R.PUBLISHED}), target=R.READY),
    ],
    audit_prefix="indicators.run",
    tones={R.READY: "neutral", R.PUBLISHED: "success"},
)


class Level(models.TextChoices):
    LAND = "land", _("Country")
    HELSEFELLESSKAP = "helsefellesskap", _("Health community")
    KOMMUNE = "kommune", _("Municipality")
    BYDEL = "bydel", _("City district")


class Significance(models.TextChoices):
    """The area against the country, from the 95 % interval and the indicator's direction (engine/intervals.py)."""

    BETTER = "better", _("Better than the country")
    SIMILAR = "similar", _("No clear difference from the country")
    WORSE = "worse", _("Worse than the country")


class Result(models.Model):
    """One row of results.parquet: indicator × level × area × year × period, raw numbers and the suppression flag,
    with the 95 % confidence limits and the marking against the country computed when the run was stored (none for
    a suppressed row)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    indicator = models.CharField(max_length=64)
    level = models.CharField(max_length=16, choices=Level.choices)
    area = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=2, default="1y")
    numerator = models.FloatField()
    denominator = models.FloatField()
    value = models.FloatField(null=True)
    value_std = models.FloatField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    std_ci_low = models.FloatField(null=True, blank=True)
    std_ci_high = models.FloatField(null=True, blank=True)
    significance = models.CharField(max_length=8, choices=Significance.choices, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["run", "level", "area"], name="indicators_result_area"),
            models.Index(fields=["run", "indicator", "level", "year"], name="indicators_result_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.level}:{self.area} {self.year} {self.period}"


class ComparisonGroup(models.Model):
    """A named group of municipalities a user builds to compare with (as DHIS2's user-chosen groups); only its owner
    sees and uses it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="indicator_groups")
    name = models.CharField(_("name"), max_length=100)
    municipalities = models.JSONField(default=list)  # 4-digit municipality numbers
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="indicators_group_unique_name")]
        verbose_name = _("comparison group")
        verbose_name_plural = _("comparison groups")

    def __str__(self) -> str:
        return self.name
