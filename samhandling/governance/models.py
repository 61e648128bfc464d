"""Møter og saker: the partnership bodies of a helsefellesskap, their members, meetings, numbered agenda items with
case papers and attachments, attendance, outcomes, action points, and the published (immutable) notice and minutes.

Every write goes through `services/`; the models hold the data, the invariants that the database can enforce and,
next to each status enum, its `Workflow` (transition table and the actions offered in each status)."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap, Organisation
from samhandling.core.workflow import Action, Workflow

DEFAULT_CASE_NUMBER_FORMAT = "{year}.{seq}"
# The formats seen in real minutes: 2022.21, 2022/21, 21-22, 21/22.
CASE_NUMBER_FORMATS = [
    ("{year}.{seq}", "2022.21"),
    ("{year}/{seq}", "2022/21"),
    ("{seq:02d}-{yy}", "21-22"),
    ("{seq}/{yy}", "21/22"),
]


def format_case_number(fmt: str, year: int, seq: int) -> str:
    return fmt.format(year=year, yy=f"{year % 100:02d}", seq=seq)


class GovernanceSettings(models.Model):
    """Per-community settings of the meeting module."""

    helsefellesskap = models.OneToOneField(
        Helsefellesskap, on_delete=models.CASCADE, related_name="governance_settings"
    )
    case_number_format = models.CharField(
        _("case number format"),
        max_length=20,
        choices=CASE_NUMBER_FORMATS,
        default=DEFAULT_CASE_NUMBER_FORMAT,
    )

    def __str__(self) -> str:
        return f"{self.helsefellesskap}"


class BodyKind(models.TextChoices):
    PARTNERSHIP_MEETING = "partnership_meeting", _("Partnership meeting")
    SSU = "ssu", _("Strategic collaboration committee (SSU)")
    FSU = "fsu", _("Professional collaboration committee (FSU)")
    OTHER = "other", _("Other body")


class Body(models.Model):
    """A partnerskapsmøte, SSU, FSU or other body of one community. Case numbers run per body and year."""

    helsefellesskap = models.ForeignKey(
        Helsefellesskap, verbose_name=_("health community"), on_delete=models.PROTECT, related_name="bodies"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=30, blank=True, help_text=_("For example FSU-KT."))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    mandate = models.TextField(_("mandate"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    may_forward_to = models.ManyToManyField(
        "self",
        verbose_name=_("may forward items to"),
        symmetrical=False,
        blank=True,
        related_name="receives_from",
    )
    meetings_per_year = models.PositiveSmallIntegerField(_("planned meetings per year"), default=4)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["helsefellesskap__name", "kind", "name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.UniqueConstraint(fields=["helsefellesskap", "name"], name="governance_body_unique_name"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body_detail", args=[self.pk])


class ItemCounter(models.Model):
    """The last case number used per body and year; claimed with one conditional UPDATE (never reused)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="governance_counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.body} {self.year}: {self.last_number}"


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Chair")
    DEPUTY_LEADER = "deputy_leader", _("Deputy chair")
    MEMBER = "member", _("Member")
    DEPUTY = "deputy", _("Deputy member")
    OBSERVER = "observer", _("Observer")
    SECRETARY = "secretary", _("Secretary")


# Roles that read confidential items (observers do not).
CONFIDENTIAL_ROLES = frozenset(
    {MemberRole.LEADER, MemberRole.DEPUTY_LEADER, MemberRole.MEMBER, MemberRole.DEPUTY, MemberRole.SECRETARY}
)


class BodyMember(models.Model):
    """A seat in a body for a period. A person without a user account is kept by name and e-mail."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="body_memberships",
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Only when the person has no user."))
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("represents"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="body_seats",
    )
    represents_text = models.CharField(
        _("represents (other)"),
        max_length=200,
        blank=True,
        help_text=_("For example the user committee or a union, when not an organisation in the register."),
    )
    valid_from = models.DateField(_("from"), default=date.today)
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["body", "role", "name", "user__first_name"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="governance_member_user_or_name"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="governance_member_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def display_organisation(self) -> str:
        return self.organisation.name if self.organisation_id else self.represents_text

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")

    def is_current(self, on: date | None = None) -> bool:
        on = on or date.today()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


def current_members_q(on: date, prefix: str = "") -> Q:
    """Q for seats valid on a day (prefix e.g. "members__" when filtering bodies)."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTICE_SENT = "notice_sent", _("Notice sent")
    HELD = "held", _("Held")
    MINUTES_DRAFTED = "minutes_drafted", _("Minutes drafted")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One meeting of a body. The status moves through `MEETING_WORKFLOW` only (minutes states are meeting states)."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Leave empty for body and date."))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    minute_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minute taker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minute_taker_name = models.CharField(_("minute taker (name)"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED, db_index=True
    )
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    # The item of a later meeting at which these minutes were approved (empty when approved otherwise).
    minutes_approved_by_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["body", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(end_time__gt=models.F("start_time")),
                name="governance_meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.body} {formats.date_format(self.date, 'SHORT_DATE_FORMAT')}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", args=[self.pk])

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def minute_taker_display(self) -> str:
        return str(self.minute_taker) if self.minute_taker_id else self.minute_taker_name

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_minutes_final(self) -> bool:
        return self.status == MeetingStatus.MINUTES_APPROVED

    def actions_for(self, user):
        return MEETING_WORKFLOW.actions_for(user, self)


MS = MeetingStatus
# from-status → the statuses it may move to. The only place the meeting workflow is defined.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MS.PLANNED: frozenset({MS.NOTICE_SENT, MS.HELD, MS.CANCELLED}),
    MS.NOTICE_SENT: frozenset({MS.HELD, MS.CANCELLED}),
    MS.HELD: frozenset({MS.MINUTES_DRAFTED}),
    MS.MINUTES_DRAFTED: frozenset({MS.MINUTES_APPROVED}),
    MS.MINUTES_APPROVED: frozenset(),
    MS.CANCELLED: frozenset({MS.PLANNED}),
}
# Until the meeting is held its agenda may change; from then on the record of it may (until approved).
BEFORE_MEETING = frozenset({MS.PLANNED, MS.NOTICE_SENT})
MINUTES_OPEN = frozenset({MS.HELD, MS.MINUTES_DRAFTED})
MINUTES_PUBLISHED = frozenset({MS.MINUTES_DRAFTED, MS.MINUTES_APPROVED})

MEETING_WORKFLOW = Workflow(
    model=Meeting,
    statuses=MeetingStatus,
    transitions=MEETING_TRANSITIONS,
    audit_prefix="governance.meeting",
    community=lambda meeting: meeting.body.helsefellesskap,
    tones={
        MS.CANCELLED: "danger",
        MS.MINUTES_APPROVED: "success",
        MS.PLANNED: "neutral",
        MS.NOTICE_SENT: "info",
        MS.HELD: "info",
        MS.MINUTES_DRAFTED: "info",
    },
    actions=[
        Action("edit", "governance.manage_meeting", source=BEFORE_MEETING),
        Action("number_items", "governance.manage_meeting", source=frozenset({MS.PLANNED})),
        Action("send_notice", "governance.manage_meeting", source=frozenset({MS.PLANNED}), target=MS.NOTICE_SENT),
        Action("resend_notice", "governance.manage_meeting", source=frozenset({MS.NOTICE_SENT})),
        Action("manage_notice", "governance.manage_meeting", source=BEFORE_MEETING),
        Action("mark_held", "governance.manage_meeting", source=frozenset({MS.NOTICE_SENT}), target=MS.HELD),
        # Attendance and outcomes are recorded once the notice is out; saving them marks the meeting held (not
        # before its day). The minutes page also shows approved minutes, for corrections.
        Action("record_minutes", "governance.manage_meeting", source=frozenset({MS.NOTICE_SENT}) | MINUTES_OPEN),
        Action("minutes_page", "governance.manage_meeting", source=BEFORE_MEETING | MINUTES_PUBLISHED | MINUTES_OPEN),
        # Before the meeting the secretary may draft conclusions and the discussion (no outcome yet).
        Action("prepare_minutes", "governance.manage_meeting", source=BEFORE_MEETING),
        Action("draft_minutes", "governance.manage_meeting", source=MINUTES_OPEN),
        Action(
            "approve_minutes",
            "governance.manage_meeting",
            source=frozenset({MS.MINUTES_DRAFTED}),
            target=MS.MINUTES_APPROVED,
        ),
        Action("correct_minutes", "governance.manage_meeting", source=frozenset({MS.MINUTES_APPROVED})),
        Action("read_minutes", "governance.view_meeting", source=frozenset({MS.MINUTES_APPROVED})),
        Action("schedule_items", "governance.manage_meeting", source=BEFORE_MEETING),
        Action("cancel", "governance.manage_meeting", source=BEFORE_MEETING, target=MS.CANCELLED),
        Action("reinstate", "governance.manage_meeting", source=frozenset({MS.CANCELLED}), target=MS.PLANNED),
        Action("show_cancelled_reason", "governance.view_meeting", source=frozenset({MS.CANCELLED})),
        # Items and attachments of approved minutes or a cancelled meeting are frozen.
        Action("edit_items", "governance.manage_meeting", source=BEFORE_MEETING | MINUTES_OPEN),
    ],
)


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


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    SUBSTITUTE = "substitute", _("Substitute attended")


class Attendance(models.Model):
    """Frammøte: one row per member (or guest) of a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(BodyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For guests who are not members."))
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    substitute = models.ForeignKey(
        BodyMember,
        verbose_name=_("substitute"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    substitute_name = models.CharField(_("substitute (name)"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="governance_attendance_once_per_member",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(name=""), name="governance_attendance_member_or_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.get_status_display()}"

    @property
    def display_name(self) -> str:
        return self.member.display_name if self.member_id else self.name

    @property
    def substitute_display(self) -> str:
        return self.substitute.display_name if self.substitute_id else self.substitute_name


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


class DocumentKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    MINUTES = "minutes", _("Minutes")


class ImmutableError(Exception):
    pass


class DocumentVersion(models.Model):
    """A published notice or minutes: the generated PDF and DOCX bytes, frozen. Never updated or deleted; a change
    is a new version with a reason. The bytes live in the database so that a rolled-back transaction never leaves a
    file behind and nobody can overwrite a published file on disk."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.TextField(_("reason for the new version"), blank=True)
    # Minutes: False for the draft sent to members, True once approved (only approved minutes are public).
    is_approved = models.BooleanField(default=False)
    pdf = models.BinaryField()
    docx = models.BinaryField()
    # The same document without confidential items, for observers (who read internal items but not confidential).
    restricted_pdf = models.BinaryField(default=b"")
    restricted_docx = models.BinaryField(default=b"")
    # The same document without internal and confidential items, for the public archive.
    public_pdf = models.BinaryField()
    public_docx = models.BinaryField()
    # The agenda as it was (numbers, titles, outcomes), so versions can be compared without opening the files.
    snapshot = models.JSONField(default=dict)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "kind", "-version"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "version"], name="governance_document_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.meeting} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableError("A published document version is never changed; publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A published document version is never deleted.")

    @property
    def is_public(self) -> bool:
        return self.kind == DocumentKind.NOTICE or self.is_approved


class MailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")


class MailDelivery(models.Model):
    """One e-mail to one member about one version of a meeting's notice, cancellation or draft minutes; claimed
    before it is sent and marked after, so a task run again never mails anybody twice (see `services.mail`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="mail_deliveries")
    kind = models.CharField(max_length=20)
    version = models.PositiveSmallIntegerField(default=0)
    member = models.ForeignKey(BodyMember, on_delete=models.CASCADE, related_name="+")
    base_url = models.CharField(max_length=200, blank=True)
    # Not a workflow status: it belongs to the sending machinery, moved only by conditional UPDATEs in services.mail.
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "version", "member"], name="governance_mail_once_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version} {self.member} ({self.status})"
