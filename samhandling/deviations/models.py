"""Samhandlingsavvik: a failure in the hand-over between organisations, reported by one party, handled by the other,
answered back to the reporter. Patient identity lives encrypted in its own fields and is never decrypted on load."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap, Organisation
from samhandling.core.workflow import Action, Workflow

EXEMPT_MARKING = _(
    "Exempt from public access, cf. the Freedom of Information Act § 13 and the Public Administration Act § 13 "
    "first paragraph no. 1"
)


class DeviationSettings(models.Model):
    """Per-community rules: whether the leader completes reports, and the deadlines in working days."""

    helsefellesskap = models.OneToOneField(Helsefellesskap, on_delete=models.CASCADE, related_name="deviation_settings")
    leader_completion_required = models.BooleanField(
        _("the reporter's leader completes the report before it is sent"), default=False
    )
    acknowledge_days = models.PositiveSmallIntegerField(_("deadline for acknowledgement (working days)"), default=5)
    answer_days = models.PositiveSmallIntegerField(_("deadline for the answer (working days)"), default=20)

    def __str__(self) -> str:
        return f"{self.helsefellesskap}"


class Category(models.Model):
    """A kind of deviation (INN, UT, EPI …), editable per community."""

    helsefellesskap = models.ForeignKey(Helsefellesskap, on_delete=models.CASCADE, related_name="deviation_categories")
    code = models.CharField(_("code"), max_length=12)
    name_nb = models.CharField(_("name (bokmål)"), max_length=200)
    name_nn = models.CharField(_("name (nynorsk)"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["helsefellesskap", "code"], name="category_unique_code")]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_nn if get_language() == "nn" else self.name_nb


class ReferenceCounter(models.Model):
    """The last sequence number used per community and year; incremented with a single conditional UPDATE."""

    helsefellesskap = models.ForeignKey(Helsefellesskap, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["helsefellesskap", "year"], name="counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.helsefellesskap.code}-{self.year}: {self.last_number}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_LEADER = "awaiting_leader", _("Awaiting the leader")
    SUBMITTED = "submitted", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    UNDER_REVIEW = "under_review", _("Under review")
    NEEDS_INFO = "needs_info", _("Needs more information")
    UPDATED = "updated", _("Information given")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REDIRECTED = "redirected", _("Sent on to another organisation")
    NOT_DEVIATION = "not_deviation", _("Not a samhandlingsavvik")
    DUPLICATE = "duplicate", _("Duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REOPENED = "reopened", _("Reopened")


S = Status
# from-status → the statuses it may move to. The only place the workflow is defined; `WORKFLOW` below performs it.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_LEADER, S.SUBMITTED, S.WITHDRAWN}),
    S.AWAITING_LEADER: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE, S.WITHDRAWN}),
    S.REDIRECTED: frozenset({S.ACKNOWLEDGED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE, S.WITHDRAWN}),
    S.ACKNOWLEDGED: frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.ANSWERED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE}),
    S.UNDER_REVIEW: frozenset({S.NEEDS_INFO, S.ANSWERED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE}),
    S.NEEDS_INFO: frozenset({S.UPDATED, S.WITHDRAWN}),
    S.UPDATED: frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.ANSWERED}),
    S.ANSWERED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.ANSWERED}),
    S.NOT_DEVIATION: frozenset({S.REOPENED}),
    S.DUPLICATE: frozenset({S.REOPENED}),
    S.WITHDRAWN: frozenset(),
}

# Statuses in which the receiver still owes the reporter something.
OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.REDIRECTED,
        Status.ACKNOWLEDGED,
        Status.UNDER_REVIEW,
        Status.NEEDS_INFO,
        Status.UPDATED,
        Status.REOPENED,
    }
)
OPEN_STATUS_VALUES = sorted(str(status) for status in OPEN_STATUSES)
AWAITING_ACKNOWLEDGEMENT = frozenset({Status.SUBMITTED, Status.REDIRECTED})
# Cases left out of statistics: not real samhandlingsavvik, counted twice, or never sent.
EXCLUDED_FROM_STATISTICS = frozenset(
    {Status.DRAFT, Status.AWAITING_LEADER, Status.REDIRECTED, Status.NOT_DEVIATION, Status.DUPLICATE, Status.WITHDRAWN}
)


class EventType(models.TextChoices):
    INCIDENT = "incident", _("Incident (something happened)")
    NEAR_MISS = "near_miss", _("Near miss (it could have happened)")
    UNSAFE_CONDITION = "unsafe_condition", _("Unsafe condition")


class PhysicalHarm(models.TextChoices):
    NONE = "none", _("No harm")
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    FATAL = "fatal", _("Fatal")
    UNKNOWN = "unknown", _("Don't know")


class PsychologicalHarm(models.TextChoices):
    NONE = "none", _("No harm")
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    UNKNOWN = "unknown", _("Don't know")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Don't know")


class Deviation(models.Model):
    helsefellesskap = models.ForeignKey(Helsefellesskap, on_delete=models.PROTECT, related_name="deviations")
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)

    # Empty only for cases imported from the secretariat's old spreadsheet (source = import).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_deviations",
    )
    source = models.CharField(
        max_length=10, choices=[("platform", "platform"), ("import", "import")], default="platform"
    )
    import_batch = models.ForeignKey(
        "ImportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="deviations"
    )
    reporter_unit = models.ForeignKey(
        Organisation, verbose_name=_("where you work"), on_delete=models.PROTECT, related_name="sent_deviations"
    )
    reporter_hidden = models.BooleanField(_("hide my name from the other organisation"), default=False)
    reporter_hidden_reason = models.TextField(_("why your name should be hidden"), blank=True)

    receiver = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation or unit it concerns"),
        on_delete=models.PROTECT,
        related_name="received_deviations",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="handled_deviations"
    )

    occurred_on = models.DateField(_("date of the event"))
    occurred_time = models.TimeField(_("time (if known)"), null=True, blank=True)
    description = models.TextField(_("what happened"))
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    # The clause of a cooperation agreement in force that the case breaks (offered through core.clauses, so this
    # module never imports the agreements app). PROTECT: an adopted version's clauses are never changed, and one a
    # deviation names must not vanish with the evidence for the next revision.
    clause = models.ForeignKey(
        "agreements.Clause",
        verbose_name=_("agreement clause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
    )
    agreement_clause = models.CharField(_("agreement clause breached"), max_length=200, blank=True)
    immediate_action = models.TextField(_("immediate action taken"), blank=True)
    event_type = models.CharField(_("type of event"), max_length=20, choices=EventType.choices)
    harm_physical = models.CharField(_("physical harm"), max_length=10, choices=PhysicalHarm.choices)
    harm_psychological = models.CharField(_("psychological harm"), max_length=10, choices=PsychologicalHarm.choices)
    patient_involved = models.CharField(_("is a patient involved?"), max_length=10, choices=YesNoUnknown.choices)
    # Encrypted with core.crypto; decrypted only by services.deviation_reveal_patient (audit-logged).
    patient_id_encrypted = models.TextField(blank=True, editable=False)
    patient_name_encrypted = models.TextField(blank=True, editable=False)

    answer = models.TextField(_("answer to the reporter"), blank=True)
    acknowledge_deadline = models.DateField(null=True, blank=True)
    answer_deadline = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Facts fixed when they happen, so statistics are plain SQL aggregates even over hundreds of thousands of cases.
    days_to_acknowledge = models.PositiveSmallIntegerField(null=True, blank=True)
    days_to_answer = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_in_time = models.BooleanField(null=True, blank=True)
    external_case_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["receiver", "status"]),
            models.Index(fields=["reporter_unit", "status"]),
            models.Index(fields=["helsefellesskap", "status", "submitted_at"]),
            models.Index(fields=["helsefellesskap", "submitted_at"], name="deviation_period"),
            # The newest change in a community: the statistics cache key (one index look-up).
            models.Index(fields=["helsefellesskap", "updated_at"], name="deviation_change_stamp"),
            # The newest change to any case: the inbox cache key (one index look-up).
            models.Index(fields=["updated_at"], name="deviation_newest_change"),
            # The inbox: open cases by party, and open cases by deadline (partial, so they stay small).
            models.Index(
                fields=["receiver", "handler"],
                condition=Q(status__in=OPEN_STATUS_VALUES),
                name="deviation_open_parties",
            ),
            models.Index(
                fields=["answer_deadline", "submitted_at"],
                condition=Q(status__in=OPEN_STATUS_VALUES),
                name="deviation_open_by_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deviations:detail", args=[self.pk])

    @property
    def title(self) -> str:
        """The neutral title: never the description, never the patient."""
        if self.reference:
            return f"Samhandlingsavvik {self.reference}"
        if self.status == Status.AWAITING_LEADER:
            return str(_("Deviation awaiting the leader"))
        return str(_("Draft deviation"))

    @property
    def has_patient_identity(self) -> bool:
        return bool(self.patient_id_encrypted or self.patient_name_encrypted)

    @property
    def next_deadline(self) -> date | None:
        """The deadline the receiver works to now: acknowledgement until acknowledged, then the answer."""
        if self.status in AWAITING_ACKNOWLEDGEMENT:
            return self.acknowledge_deadline
        if self.status in (Status.ANSWERED, Status.CLOSED):
            return None
        return self.answer_deadline

    def is_overdue(self, today: date | None = None) -> bool:
        """Computed from the deadlines and the status; never stored."""
        today = today or timezone.localdate()
        if self.status in AWAITING_ACKNOWLEDGEMENT and self.acknowledge_deadline:
            return today > self.acknowledge_deadline
        if self.status in OPEN_STATUSES and self.answer_deadline:
            return today > self.answer_deadline
        return False


class EventKind(models.TextChoices):
    STATUS = "status", _("Status changed")
    COMMENT = "comment", _("Note")
    INFO_REQUEST = "info_request", _("Question to the reporter")
    INFO_RESPONSE = "info_response", _("Answer from the reporter")
    ADDENDUM = "addendum", _("Addendum")
    MEASURE = "measure", _("Measure")
    ASSIGNMENT = "assignment", _("Handler assigned")
    ANSWER = "answer", _("Answer")


class CaseEvent(models.Model):
    """The case's history. Corrections are addenda: the original text is never overwritten."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.deviation} {self.kind}"


def _write_case_event(case: "Deviation", *, previous: str, to: str, actor, text: str = "") -> None:
    CaseEvent.objects.create(
        deviation=case, kind=EventKind.STATUS, actor=actor, from_status=previous, to_status=to, text=text
    )


# The case actions and the permission each needs. Handling actions lead to a status, so the transition table also
# decides when they are offered; send leads to the leader or the receiver depending on the community's rules.
WORKFLOW = Workflow(
    model=Deviation,
    statuses=Status,
    transitions=TRANSITIONS,
    actions=[
        Action("send", "deviations.edit_draft", source=frozenset({S.DRAFT})),
        Action("complete", "deviations.complete", target=S.SUBMITTED),
        Action("reply", "deviations.reply", target=S.UPDATED),
        Action("acknowledge", "deviations.handle", target=S.ACKNOWLEDGED),
        Action("review", "deviations.handle", target=S.UNDER_REVIEW),
        Action("request_info", "deviations.handle", target=S.NEEDS_INFO),
        Action("answer", "deviations.handle", target=S.ANSWERED),
        Action("close", "deviations.handle", target=S.CLOSED),
        Action("reopen", "deviations.handle", target=S.REOPENED),
        Action("redirect", "deviations.handle", target=S.REDIRECTED),
        Action("classify", "deviations.handle", target=S.NOT_DEVIATION),
        Action("measure", "deviations.handle", source=frozenset(OPEN_STATUSES)),
        Action("addendum", "deviations.add_addendum"),
        # A draft is not withdrawn from the case page: it was never sent (the reporter just leaves it).
        Action("withdraw", "deviations.withdraw", source=frozenset(set(Status) - {S.DRAFT}), target=S.WITHDRAWN),
        Action("reveal_patient", "deviations.reveal_patient"),
    ],
    audit_prefix="deviations.case",
    history=_write_case_event,
    community=lambda case: case.helsefellesskap,
    tones={
        S.DRAFT: "neutral",
        S.AWAITING_LEADER: "warning",
        S.SUBMITTED: "info",
        S.REDIRECTED: "info",
        S.ACKNOWLEDGED: "info",
        S.UNDER_REVIEW: "info",
        S.NEEDS_INFO: "warning",
        S.UPDATED: "info",
        S.REOPENED: "info",
        S.ANSWERED: "success",
        S.CLOSED: "success",
        S.NOT_DEVIATION: "neutral",
        S.DUPLICATE: "neutral",
        S.WITHDRAWN: "neutral",
    },
)


class Measure(models.Model):
    """A corrective or preventive action (tiltak) the receiver records."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="measures")
    description = models.TextField(_("measure"))
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description[:60]


class ImportBatch(models.Model):
    """One all-or-nothing import of earlier cases from the spreadsheet a secretariat kept."""

    helsefellesskap = models.ForeignKey(Helsefellesskap, on_delete=models.PROTECT, related_name="deviation_imports")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.row_count})"


class Webhook(models.Model):
    """Where an organisation's own deviation system (Synergi, EQS, Compilo, Landax …) takes in new cases."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="deviation_webhook")
    url = models.URLField(_("address"), max_length=500)
    # Shared secret for the HMAC signature, encrypted with core.crypto.
    secret_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.url}"


class WebhookDelivery(models.Model):
    """One event to deliver to a webhook; claimed and retried by the periodic task or the `deviation_webhooks`
    command (the same service)."""

    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.CharField(max_length=40)
    status = models.CharField(max_length=10, default=PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"


class ReminderLog(models.Model):
    """Every e-mail claimed before it is sent (reminders, digests, status e-mails), so running a task or the command
    twice sends nothing twice."""

    deviation = models.ForeignKey(Deviation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=60)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key"], name="reminder_sent_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
