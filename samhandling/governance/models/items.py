"""Agenda items (saker) with their visibility and legal ground for exemption, outcomes, responsible people,
attachments, action points with their workflow, and recurring items."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.workflow import Action, Workflow

from .bodies import Body, BodyMember
from .meetings import Meeting


class ItemOrigin(models.TextChoices):
    """Where an item made from another module's document came from (its label reads "From projection: <name>")."""

    NONE = "", _("No origin")
    PROJECTION = "projection", _("From projection")
    DEVIATION_REPORT = "deviation_report", _("From the deviation statistics")
    PLAN_REPORT = "plan_report", _("From the action plan")
    CONSULTATION = "consultation", _("From the consultation")


class ItemKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    DECISION = "decision", _("Decision")
    DISCUSSION = "discussion", _("Discussion")
    APPROVAL = "approval", _("Approval")
    REPORT = "report", _("Item for the record")


class StandardItem(models.TextChoices):
    NONE = "", _("Ordinary item")
    APPROVE_NOTICE = "approve_notice", _("Approval of the notice and agenda")
    APPROVE_MINUTES = "approve_minutes", _("Approval of the minutes")
    ANY_OTHER_BUSINESS = "any_other_business", _("Any other business")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (everyone in the body and the secretariat)")
    CONFIDENTIAL = "confidential", _("Confidential (members and secretariat, not observers)")


class ExemptionBasis(models.TextChoices):
    """The legal ground for keeping an item out of the public archive (offentleglova, and the duty of confidentiality
    in forvaltningsloven that § 13 points to)."""

    NONE = "", _("No legal ground given")
    OFFL_13 = (
        "offl_13",
        _("Freedom of Information Act § 13 cf. Public Administration Act § 13 (1) no. 1 (confidential)"),
    )
    OFFL_14 = "offl_14", _("Freedom of Information Act § 14 (document for internal preparation)")
    OFFL_15 = "offl_15", _("Freedom of Information Act § 15 (obtained from outside for internal preparation)")
    OFFL_23 = "offl_23", _("Freedom of Information Act § 23 (negotiating position)")
    OFFL_24 = "offl_24", _("Freedom of Information Act § 24 (inspection, control, breaches of law)")


# The section of offentleglova (and what it points to) as printed after "Exempt from public access, cf. …".
EXEMPTION_SECTIONS = {
    ExemptionBasis.OFFL_13: "13",
    ExemptionBasis.OFFL_14: "14",
    ExemptionBasis.OFFL_15: "15",
    ExemptionBasis.OFFL_23: "23",
    ExemptionBasis.OFFL_24: "24",
}


# Not a status with a workflow: an outcome is what the minutes record, set and changed freely while the minutes are
# open; the meeting's workflow (record_minutes) is what guards it.
class Outcome(models.TextChoices):
    NONE = "", _("Not dealt with yet")
    DECIDED = "decided", _("Decided")
    NOTED = "noted", _("Noted")
    DEFERRED = "deferred", _("Deferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FORWARDED = "forwarded", _("Forwarded")


class AgendaItem(models.Model):
    """A sak. Without a meeting it waits in the body's queue; its number is claimed when the agenda is fixed
    (notice sent) and is never reused. A deferred item stays in its meeting's minutes and a copy waits in the
    queue with `deferred_from` set, so each meeting's record is unchanged when the item gets a new number."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="items")
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    number = models.CharField(_("case number"), max_length=20, blank=True, editable=False, db_index=True)
    position = models.PositiveSmallIntegerField(_("position on the agenda"), default=0)
    standard = models.CharField(
        _("standard item"), max_length=30, choices=StandardItem.choices, blank=True, default=StandardItem.NONE
    )
    kind = models.CharField(_("type"), max_length=20, choices=ItemKind.choices, default=ItemKind.INFORMATION)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("summary for the agenda"), blank=True)
    background = models.TextField(_("background"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    proposed_decision = models.TextField(_("proposed decision"), blank=True)
    proposed_conclusion = models.TextField(_("proposed conclusion"), blank=True)
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case_officer_name = models.CharField(_("case officer (name)"), max_length=200, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    exemption_basis = models.CharField(
        _("legal ground for exemption"), max_length=20, choices=ExemptionBasis.choices, blank=True, default=""
    )
    # Minutes.
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")
    conclusion = models.TextField(_("decision or conclusion"), blank=True)
    discussion = models.TextField(_("discussion (summary)"), blank=True)
    # Links.
    follows_up = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("forwarded from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forwarded_to",
    )
    forward_note = models.TextField(_("note from the forwarding body"), blank=True)
    deferred_from = models.ForeignKey(
        "self",
        verbose_name=_("deferred from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deferred_to",
    )
    # Made from another module's document (item_from_document): which module, the source's name and a link back.
    origin = models.CharField(_("origin"), max_length=30, choices=ItemOrigin.choices, blank=True, default="")
    origin_name = models.CharField(_("origin (name)"), max_length=300, blank=True)
    origin_url = models.CharField(_("origin (link)"), max_length=500, blank=True)
    recurring = models.ForeignKey(
        "RecurringItem",
        verbose_name=_("recurring item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    # For a standard "approval of the minutes" item: the meeting whose minutes it approves.
    approves_minutes_of = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="approval_items"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting__date", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        indexes = [models.Index(fields=["body", "meeting", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="governance_item_unique_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:item_detail", args=[self.pk])

    @property
    def is_in_queue(self) -> bool:
        return self.meeting_id is None

    @property
    def is_exempt(self) -> bool:
        """Kept out of the public archive (internal or confidential)."""
        return self.visibility != Visibility.PUBLIC

    @property
    def exemption_reference(self) -> str:
        """ "offl. § 14" (the short form used in the public archive), or "" without a legal ground."""
        section = EXEMPTION_SECTIONS.get(self.exemption_basis)
        return _("FOI Act § %(section)s") % {"section": section} if section else ""

    @property
    def case_officer_display(self) -> str:
        return str(self.case_officer) if self.case_officer_id else self.case_officer_name


class ItemResponsible(models.Model):
    """Who presents or answers for an item ("Ansvar"): a user, or a name with an organisation."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="responsibles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="governance_responsible_user_or_name"
            ),
        ]

    def __str__(self) -> str:
        who = str(self.user) if self.user_id else self.name
        return f"{who} ({self.organisation_name})" if self.organisation_name else who


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never carries the user's file name (which may say more than it should); it is kept in
    # `original_name` and given back on download.
    from uuid import uuid4

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"governance/{date.today():%Y}/{uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """A vedlegg of an item, checked by extension and content and served only through views that check access."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    order = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:attachment_download", args=[self.pk])


class ActionPointStatus(models.TextChoices):
    OPEN = "open", _("Not done yet")
    DONE = "done", _("Done")


class ActionPoint(models.Model):
    """Oppfølgingspunkt from a decision: an owner, a due date; in the owner's "Mine oppgaver" until done. The owner
    is a user, or a named member of the body without an account (`owner_member`, reached by e-mail if known)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="action_points")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_points",
    )
    owner_member = models.ForeignKey(
        BodyMember,
        verbose_name=_("owner without a user account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionPointStatus.choices, default=ActionPointStatus.OPEN, db_index=True
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action point")
        verbose_name_plural = _("action points")
        indexes = [models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(owner_member__isnull=False), name="governance_action_point_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def owner_display(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.username
        return self.owner_member.display_name if self.owner_member_id else ""

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionPointStatus.OPEN and self.due_date is not None and self.due_date < date.today()


def _action_point_history(point: "ActionPoint", *, previous: str, to: str, actor, text: str) -> None:
    # Not a history table: the done time is part of the row, set and cleared with the status.
    from django.utils import timezone

    point.done_at = timezone.now() if to == ActionPointStatus.DONE else None
    point.save(update_fields=["done_at"])


ACTION_POINT_WORKFLOW = Workflow(
    model=ActionPoint,
    statuses=ActionPointStatus,
    transitions={
        ActionPointStatus.OPEN: frozenset({ActionPointStatus.DONE}),
        ActionPointStatus.DONE: frozenset({ActionPointStatus.OPEN}),
    },
    audit_prefix="governance.action_point",
    history=_action_point_history,
    community=lambda point: point.item.body.helsefellesskap,
    tones={ActionPointStatus.OPEN: "warning", ActionPointStatus.DONE: "success"},
    actions=[
        Action("complete", "governance.complete_action_point", target=ActionPointStatus.DONE),
        Action("reopen", "governance.complete_action_point", target=ActionPointStatus.OPEN),
    ],
)


class RecurringItem(models.Model):
    """A fast post: a template item proposed on the agenda of every meeting held in one of its months."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="recurring_items")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=ItemKind.choices, default=ItemKind.INFORMATION)
    description = models.TextField(_("summary for the agenda"), blank=True)
    responsible_name = models.CharField(_("responsible"), max_length=200, blank=True)
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    months = models.JSONField(_("months"), default=list, help_text=_("Months (1–12) in which the item is proposed."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["body", "title"]
        verbose_name = _("recurring item")
        verbose_name_plural = _("recurring items")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.months or any(not isinstance(m, int) or not 1 <= m <= 12 for m in self.months):
            raise ValidationError({"months": _("Choose one or more months from 1 to 12.")})
