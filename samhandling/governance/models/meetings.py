"""Meetings with their status workflow (minutes states are meeting states), attendance, the frozen notice and
minutes versions, and the per-member delivery rows of the e-mails about them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from samhandling.core.workflow import Action, Workflow

from .bodies import Body, BodyMember


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
    # Moved only by MAIL_WORKFLOW.claim() (conditional UPDATEs) in services.mail.
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


# A delivery is claimed (pending → sending), then sent, or put back when the mail server fails; a claim left by a
# worker that died is taken again after a while (sending → sending).
MAIL_WORKFLOW = Workflow(
    model=MailDelivery,
    statuses=MailStatus,
    transitions={
        MailStatus.PENDING: {MailStatus.SENDING},
        MailStatus.SENDING: {MailStatus.SENT, MailStatus.PENDING, MailStatus.SENDING},
        MailStatus.SENT: set(),
    },
)
