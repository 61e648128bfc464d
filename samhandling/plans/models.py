"""Handlingsplan: a community's action plan for a period, its themes (the priority groups by default), goals (some
measured by an indicator from the catalogue) and measures, each measure with a responsible body, an owner and a
status whose every change is kept.

Every write goes through `services.py`; next to each status enum is its `Workflow`."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap
from samhandling.core.workflow import Action, Workflow


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class PriorityGroup(models.TextChoices):
    """The themes of the real Vestfold plan (the national priority groups plus the two cross-cutting areas)."""

    NONE = "", _("Other theme")
    CHILDREN = "children", _("Children and young people")
    MENTAL_HEALTH = "mental_health", _("Severe mental illness and substance abuse")
    ELDERLY = "elderly", _("Frail elderly and people with several chronic conditions")
    ACUTE = "acute", _("The acute medical chain")
    QUALITY = "quality", _("Quality and service development")


DEFAULT_THEMES = [
    PriorityGroup.CHILDREN,
    PriorityGroup.MENTAL_HEALTH,
    PriorityGroup.ELDERLY,
    PriorityGroup.ACUTE,
    PriorityGroup.QUALITY,
]


class ActionPlan(models.Model):
    """One community's action plan for one or more years."""

    helsefellesskap = models.ForeignKey(
        Helsefellesskap, verbose_name=_("health community"), on_delete=models.PROTECT, related_name="action_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    introduction = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    approved_by_item = models.ForeignKey(
        "governance.AgendaItem",
        verbose_name=_("approved in agenda item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_year", "-end_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["helsefellesskap", "start_year", "end_year"], name="plans_one_plan_per_period"
            ),
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")), name="plans_period"),
        ]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


PLAN_WORKFLOW = Workflow(
    model=ActionPlan,
    statuses=PlanStatus,
    transitions={
        PlanStatus.DRAFT: [PlanStatus.APPROVED],
        # An approved plan goes back to draft when the body asks for changes before it is published.
        PlanStatus.APPROVED: [PlanStatus.PUBLISHED, PlanStatus.DRAFT],
        PlanStatus.PUBLISHED: [],
    },
    actions=[
        Action("edit", "plans.manage_plan", frozenset({PlanStatus.DRAFT}), label=_("Edit")),
        Action("approve", "plans.manage_plan", target=PlanStatus.APPROVED, label=_("Record the approval")),
        Action("reopen", "plans.manage_plan", target=PlanStatus.DRAFT, label=_("Back to draft")),
        Action("publish", "plans.manage_plan", target=PlanStatus.PUBLISHED, label=_("Publish")),
        Action("copy", "plans.manage_plan", label=_("Copy to the next year")),
        Action("report", "plans.manage_plan", label=_("Status report")),
    ],
    audit_prefix="plans.plan",
    community=lambda plan: plan.helsefellesskap,
    tones={PlanStatus.DRAFT: "warning", PlanStatus.APPROVED: "info", PlanStatus.PUBLISHED: "success"},
)


class Theme(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="themes")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    priority_group = models.CharField(
        _("priority group"), max_length=20, choices=PriorityGroup.choices, blank=True, default=""
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("theme")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.plan.get_absolute_url()}#tema-{self.pk}"


class Goal(models.Model):
    """A goal of a theme, optionally measured by an indicator of the catalogue in chosen areas."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("goal"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    indicator = models.CharField(_("indicator"), max_length=64, blank=True)
    # Area keys as the indicator module names them ("helsefellesskap:VES", "kommune:3905").
    areas = models.JSONField(_("areas"), default=list, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.FloatField(_("target value"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("goal")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.theme.plan.get_absolute_url()}#mal-{self.pk}"


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")


UNFINISHED = frozenset({MeasureStatus.NOT_STARTED, MeasureStatus.IN_PROGRESS, MeasureStatus.DELAYED})


class Measure(models.Model):
    """A tiltak: what is done, by whom, by when, and how it stands."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("measure"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    responsible_body = models.ForeignKey(
        "governance.Body",
        verbose_name=_("responsible body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_measures",
    )
    owner_name = models.CharField(
        _("owner (name)"), max_length=200, blank=True, help_text=_("Only when the owner has no user account.")
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.NOT_STARTED
    )
    status_text = models.TextField(_("result and status"), blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    agenda_items = models.ManyToManyField(
        "governance.AgendaItem", verbose_name=_("agenda items"), blank=True, related_name="plan_measures"
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to", editable=False
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("measure")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:measure_detail", args=[self.pk])

    @property
    def plan(self) -> ActionPlan:
        return self.goal.theme.plan

    @property
    def owner_display(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.username
        return self.owner_name


class MeasureStatusEntry(models.Model):
    """One status report for a measure: every one is kept, the newest is the measure's status."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=MeasureStatus.choices)
    to_status = models.CharField(_("status"), max_length=12, choices=MeasureStatus.choices)
    text = models.TextField(_("result and status"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.measure}: {self.get_to_status_display()}"


def _measure_history(measure: Measure, *, previous: str, to: str, actor, text: str) -> None:
    name = (actor.get_full_name() or actor.username) if actor is not None else ""
    MeasureStatusEntry.objects.create(
        measure=measure, from_status=previous, to_status=to, text=text, by=actor, by_name=name
    )


_OPEN = [MeasureStatus.NOT_STARTED, MeasureStatus.IN_PROGRESS, MeasureStatus.DELAYED]

MEASURE_WORKFLOW = Workflow(
    model=Measure,
    statuses=MeasureStatus,
    # Each meeting gets a new report, so a measure may report the status it already has (with a new text).
    transitions={
        MeasureStatus.NOT_STARTED: [*_OPEN, MeasureStatus.COMPLETED, MeasureStatus.CLOSED],
        MeasureStatus.IN_PROGRESS: [*_OPEN[1:], MeasureStatus.COMPLETED, MeasureStatus.CLOSED],
        MeasureStatus.DELAYED: [*_OPEN[1:], MeasureStatus.COMPLETED, MeasureStatus.CLOSED],
        MeasureStatus.COMPLETED: [MeasureStatus.COMPLETED, MeasureStatus.IN_PROGRESS],
        MeasureStatus.CLOSED: [],
    },
    actions=[Action("report", "plans.report_status", frozenset(set(MeasureStatus) - {MeasureStatus.CLOSED}))],
    audit_prefix="plans.measure",
    history=_measure_history,
    community=lambda measure: measure.goal.theme.plan.helsefellesskap,
    tones={
        MeasureStatus.NOT_STARTED: "neutral",
        MeasureStatus.IN_PROGRESS: "info",
        MeasureStatus.DELAYED: "warning",
        MeasureStatus.COMPLETED: "success",
        MeasureStatus.CLOSED: "neutral",
    },
)
