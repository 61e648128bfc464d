"""Arrangementer: events published by a community (or the national level), and registrations for them.

An event's status and a registration's status each move through their `Workflow` only. Registration settings live on
the event (Indico's registration form fields, without a separate table: one form per event is all we need)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap, Language
from samhandling.core.workflow import Action, Workflow

DEFAULT_RETENTION_DAYS = 90


class EventKind(models.TextChoices):
    FAGDAG = "fagdag", _("Professional day")
    KONFERANSE = "konferanse", _("Conference")
    WEBINAR = "webinar", _("Webinar")
    DIALOGMOTE = "dialogmote", _("Dialogue meeting")
    KURS = "kurs", _("Course")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    PROFESSIONALS = "professionals", _("Health and care personnel")
    LEADERS = "leaders", _("Leaders and decision makers")
    PARTNERS = "partners", _("Members of the health communities")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Event(models.Model):
    """An event. `helsefellesskap` is the organiser; empty means the national level."""

    helsefellesskap = models.ForeignKey(
        Helsefellesskap,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.BOKMAL)
    summary = models.TextField(_("summary"), max_length=2000)
    programme = models.TextField(_("programme"), blank=True, max_length=10000)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    # Registration settings.
    registration_required = models.BooleanField(_("registration needed"), default=False)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    moderation = models.BooleanField(_("the organiser approves each registration"), default=False)
    login_required = models.BooleanField(_("registration needs log-in"), default=False)
    questions = models.JSONField(_("questions"), default=list, blank=True)
    retention_days = models.PositiveSmallIntegerField(_("days kept after the event"), default=DEFAULT_RETENTION_DAYS)
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    registrations_purged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", args=[self.pk])

    @property
    def organiser_name(self) -> str:
        return self.helsefellesskap.name if self.helsefellesskap_id else str(_("National"))


def _event_community(event: Event):
    return event.helsefellesskap


EVENT_WORKFLOW = Workflow(
    model=Event,
    statuses=EventStatus,
    transitions={
        EventStatus.DRAFT: {EventStatus.PUBLISHED},
        EventStatus.PUBLISHED: {EventStatus.CANCELLED},
        EventStatus.CANCELLED: set(),
    },
    actions=[
        Action("edit", "events.manage_event", frozenset({EventStatus.DRAFT, EventStatus.PUBLISHED}), None, _("Edit")),
        Action("publish", "events.manage_event", frozenset({EventStatus.DRAFT}), EventStatus.PUBLISHED, _("Publish")),
        Action("cancel", "events.manage_event", frozenset({EventStatus.PUBLISHED}), EventStatus.CANCELLED, _("Cancel")),
    ],
    audit_prefix="events.event",
    community=_event_community,
    tones={EventStatus.PUBLISHED: "success", EventStatus.CANCELLED: "danger", EventStatus.DRAFT: "neutral"},
)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Declined")


# A pending registration holds its seat while the organiser decides, so approving never overfills the event.
SEAT_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


class Registration(models.Model):
    """One person's registration. Personal data (name, e-mail, answers) is deleted by the retention purge."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    consent_at = models.DateTimeField()
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.BOKMAL)
    # The address links in this person's e-mails point to (the site they registered on).
    base_url = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices, db_index=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return str(_("Registration %(number)s") % {"number": self.pk})


def _registration_community(registration: Registration):
    return registration.event.helsefellesskap


REGISTRATION_WORKFLOW = Workflow(
    model=Registration,
    statuses=RegistrationStatus,
    transitions={
        RegistrationStatus.PENDING: {
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.REJECTED,
            RegistrationStatus.WITHDRAWN,
        },
        RegistrationStatus.WAITLISTED: {
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.PENDING,
            RegistrationStatus.WITHDRAWN,
            RegistrationStatus.REJECTED,
        },
        RegistrationStatus.CONFIRMED: {RegistrationStatus.WITHDRAWN},
        RegistrationStatus.WITHDRAWN: set(),
        RegistrationStatus.REJECTED: set(),
    },
    actions=[
        Action(
            "approve",
            "events.manage_registrations",
            frozenset({RegistrationStatus.PENDING}),
            RegistrationStatus.CONFIRMED,
            _("Approve"),
        ),
        Action(
            "reject",
            "events.manage_registrations",
            frozenset({RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED}),
            RegistrationStatus.REJECTED,
            _("Decline"),
        ),
        Action(
            "withdraw",
            "events.manage_registrations",
            frozenset({RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}),
            RegistrationStatus.WITHDRAWN,
            _("Withdraw"),
        ),
        Action(
            "check_in",
            "events.manage_registrations",
            frozenset({RegistrationStatus.CONFIRMED}),
            None,
            _("Check in"),
        ),
    ],
    audit_prefix="events.registration",
    community=_registration_community,
    tones={
        RegistrationStatus.CONFIRMED: "success",
        RegistrationStatus.WAITLISTED: "warning",
        RegistrationStatus.PENDING: "info",
        RegistrationStatus.REJECTED: "danger",
        RegistrationStatus.WITHDRAWN: "neutral",
    },
)


class MailKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmation")
    WAITLISTED = "waitlisted", _("Waiting list")
    PENDING = "pending", _("Received, awaiting approval")
    PROMOTED = "promoted", _("Moved up from the waiting list")
    REJECTED = "rejected", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawal")
    REMINDER = "reminder", _("Reminder")
    CANCELLED = "cancelled", _("Event cancelled")


class MailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")


class EventMail(models.Model):
    """One e-mail to one registrant, claimed before it is sent (decision 28's pattern): a reminder or a confirmation
    run twice never mails anybody twice."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(max_length=20, choices=MailKind.choices)
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=models.Q(kind="reminder"),
                name="events_one_reminder_per_registration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.registration_id} ({self.status})"


EVENT_MAIL_WORKFLOW = Workflow(
    model=EventMail,
    statuses=MailStatus,
    transitions={
        MailStatus.PENDING: {MailStatus.SENDING},
        MailStatus.SENDING: {MailStatus.SENT, MailStatus.PENDING, MailStatus.SENDING},
        MailStatus.SENT: set(),
    },
)
