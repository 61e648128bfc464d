"""Every write of the events module: events (create, change, publish, cancel) and registrations (sign up, the waiting
list, moderation, withdrawal, check-in, export, the retention purge, reminders).

Capacity is kept by locking the event row (`select_for_update`) for every change that takes or frees a seat, so
concurrent sign-ups never overfill an event and the waiting list keeps its order. E-mails are `EventMail` rows written
in the same transaction and sent by a task on commit (see `mail.py`)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap
from samhandling.core.permissions import require
from samhandling.core.queue import enqueue_on_commit

from .models import (
    EVENT_WORKFLOW,
    REGISTRATION_WORKFLOW,
    SEAT_STATUSES,
    Event,
    EventMail,
    EventStatus,
    MailKind,
    Registration,
    RegistrationStatus,
)

audit.register_actions(
    {
        "events.event.created": gettext_lazy("Created an event"),
        "events.event.updated": gettext_lazy("Changed an event"),
        "events.event.published": gettext_lazy("Published an event"),
        "events.event.cancelled": gettext_lazy("Cancelled an event"),
        "events.registration.created": gettext_lazy("Registered for an event"),
        "events.registration.confirmed": gettext_lazy("Confirmed a registration"),
        "events.registration.pending": gettext_lazy("Registration awaits approval"),
        "events.registration.withdrawn": gettext_lazy("Withdrew a registration"),
        "events.registration.rejected": gettext_lazy("Declined a registration"),
        "events.registration.checked_in": gettext_lazy("Checked in a participant"),
        "events.registrations.exported": gettext_lazy("Exported an event's participant list"),
        "events.registrations.purged": gettext_lazy("Deleted an event's registrations (retention period)"),
    }
)

EVENT_FIELDS = (
    "title",
    "kind",
    "audience",
    "topic",
    "language",
    "summary",
    "programme",
    "starts_at",
    "ends_at",
    "place",
    "video_link",
    "registration_required",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "moderation",
    "login_required",
    "questions",
    "retention_days",
)

WITHDRAW_SALT = "samhandling.events.withdraw"
# Reminders go out this long before an event starts.
REMINDER_BEFORE = timedelta(days=1)


# --- events ----------------------------------------------------------------------------------------------------------


def _assign(event: Event, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields {sorted(unknown)}")
    for name, value in fields.items():
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    event.questions = [q.strip() for q in (event.questions or []) if q and q.strip()][:10]


def _validate(event: Event) -> None:
    errors: dict[str, str] = {}
    if not event.title:
        errors["title"] = _("Write a title.")
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if not event.place and not event.video_link:
        errors["place"] = _("Give a place, a video link or both.")
    if event.registration_required:
        opens, closes = event.registration_opens_at, event.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        elif closes and event.ends_at and closes > event.ends_at:
            errors["registration_closes_at"] = _("Registration must close before the event ends.")
        if event.capacity == 0:
            errors["capacity"] = _("Give a capacity of at least 1, or leave it empty for no limit.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(*, actor, community: Helsefellesskap | None, **fields: Any) -> Event:
    require(actor, "events.create_event", community)
    event = Event(helsefellesskap=community, created_by=actor)
    _assign(event, fields)
    _validate(event)
    event.save()
    audit.record(actor=actor, action="events.event.created", target=event, helsefellesskap=community)
    return event


@transaction.atomic
def event_update(*, actor, event: Event, **fields: Any) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    EVENT_WORKFLOW.require(actor, event, "edit")
    _assign(event, fields)
    _validate(event)
    if event.registration_required and event.capacity is not None and event.capacity < _seats_taken(event):
        raise ValidationError(
            {
                "capacity": _("%(count)s people already have a seat: the capacity cannot be lower.")
                % {"count": _seats_taken(event)}
            }
        )
    event.save()
    audit.record(
        actor=actor,
        action="events.event.updated",
        target=event,
        helsefellesskap=event.helsefellesskap,
        data={"fields": sorted(fields)},
    )
    # A larger capacity frees seats for the waiting list.
    _promote(event)
    return event


@transaction.atomic
def event_publish(*, actor, event: Event) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    EVENT_WORKFLOW.require(actor, event, "publish")
    EVENT_WORKFLOW.move(event, EventStatus.PUBLISHED, actor=actor)
    return event


@transaction.atomic
def event_cancel(*, actor, event: Event, base_url: str = "") -> Event:
    """Cancel a published event and tell everyone registered (confirmed, waiting or awaiting approval)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    EVENT_WORKFLOW.require(actor, event, "cancel")
    EVENT_WORKFLOW.move(event, EventStatus.CANCELLED, actor=actor)
    active = event.registrations.filter(status__in=[*SEAT_STATUSES, RegistrationStatus.WAITLISTED]).values_list(
        "pk", flat=True
    )
    _queue_mails(list(active), MailKind.CANCELLED)
    return event


# --- registration ----------------------------------------------------------------------------------------------------


def registration_window(event: Event, now: datetime | None = None) -> str:
    """ "open", "not_yet", "closed" or "none" (no registration on this event)."""
    now = now or timezone.now()
    if not event.registration_required or event.status != EventStatus.PUBLISHED:
        return "none"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        return "closed"
    return "open"


def _seats_taken(event: Event) -> int:
    return event.registrations.filter(status__in=SEAT_STATUSES).count()


def seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(0, event.capacity - _seats_taken(event))


def _seat_status(event: Event) -> str:
    return RegistrationStatus.PENDING if event.moderation else RegistrationStatus.CONFIRMED


@transaction.atomic
def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    organisation: str = "",
    answers: dict[str, str] | None = None,
    consent: bool,
    user=None,
    language: str = "nb",
    base_url: str = "",
    now: datetime | None = None,
) -> Registration:
    """Sign someone up: a seat when one is free (awaiting approval under moderation), else the waiting list."""
    # The lock serialises sign-ups per event: the count below and the insert are one step for everyone else.
    event = Event.objects.select_for_update().get(pk=event.pk)
    window = registration_window(event, now)
    if window == "not_yet":
        raise ValidationError(_("Registration has not opened yet."))
    if window != "open":
        raise ValidationError(_("Registration is closed."))
    if event.login_required and (user is None or not user.is_authenticated):
        raise ValidationError(_("Log in to register for this event."))
    if not consent:
        raise ValidationError({"consent": _("You must accept the privacy notice to register.")})
    email = email.strip().lower()
    if event.registrations.filter(email=email, status__in=[*SEAT_STATUSES, RegistrationStatus.WAITLISTED]).exists():
        raise ValidationError({"email": _("This e-mail address is already registered for the event.")})
    answers = {q: (answers or {}).get(q, "").strip()[:500] for q in event.questions}
    full = event.capacity is not None and _seats_taken(event) >= event.capacity
    registration = Registration.objects.create(
        event=event,
        user=user if user is not None and user.is_authenticated else None,
        name=name.strip(),
        email=email,
        organisation=organisation.strip(),
        answers=answers,
        consent_at=timezone.now(),
        language=language if language in ("nb", "nn") else "nb",
        base_url=base_url[:200],
        status=RegistrationStatus.WAITLISTED if full else _seat_status(event),
    )
    # The audit event names the registration by number only: no name or e-mail in the log.
    audit.record(
        actor=user,
        action="events.registration.created",
        target=registration,
        helsefellesskap=event.helsefellesskap,
        data={"status": registration.status},
    )
    _queue_mails([registration.pk], registration.status)
    return registration


def _promote(event: Event) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served, and tell each one. Call with the event row
    locked."""
    if event.capacity is None:
        waiting = list(event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk"))
    else:
        free = event.capacity - _seats_taken(event)
        if free <= 0:
            return []
        waiting = list(
            event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk")[:free]
        )
    for registration in waiting:
        REGISTRATION_WORKFLOW.move(registration, _seat_status(event), actor=None, data={"from_waiting_list": True})
    _queue_mails([r.pk for r in waiting], MailKind.PROMOTED)
    return waiting


def _locked(registration: Registration) -> tuple[Event, Registration]:
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    return event, Registration.objects.select_related("event").get(pk=registration.pk)


@transaction.atomic
def registration_withdraw(*, registration: Registration, actor=None) -> Registration:
    """The registrant withdraws (by the personal link, no log-in); a freed seat goes to the first one waiting."""
    event, registration = _locked(registration)
    if registration.status in (RegistrationStatus.WITHDRAWN, RegistrationStatus.REJECTED):
        return registration
    REGISTRATION_WORKFLOW.move(registration, RegistrationStatus.WITHDRAWN, actor=actor)
    _queue_mails([registration.pk], MailKind.WITHDRAWN)
    _promote(event)
    return registration


def registration_withdraw_for(*, actor, registration: Registration) -> Registration:
    """The organiser withdraws someone (who phoned, say); the same as the personal link, with the organiser's check."""
    REGISTRATION_WORKFLOW.require(actor, registration, "withdraw")
    return registration_withdraw(registration=registration, actor=actor)


@transaction.atomic
def registration_approve(*, actor, registration: Registration) -> Registration:
    _event, registration = _locked(registration)
    REGISTRATION_WORKFLOW.require(actor, registration, "approve")
    REGISTRATION_WORKFLOW.move(registration, RegistrationStatus.CONFIRMED, actor=actor)
    _queue_mails([registration.pk], MailKind.CONFIRMED)
    return registration


@transaction.atomic
def registration_reject(*, actor, registration: Registration) -> Registration:
    event, registration = _locked(registration)
    REGISTRATION_WORKFLOW.require(actor, registration, "reject")
    REGISTRATION_WORKFLOW.move(registration, RegistrationStatus.REJECTED, actor=actor)
    _queue_mails([registration.pk], MailKind.REJECTED)
    _promote(event)
    return registration


@transaction.atomic
def registration_check_in(*, actor, registration: Registration, undo: bool = False) -> Registration:
    _event, registration = _locked(registration)
    REGISTRATION_WORKFLOW.require(actor, registration, "check_in")
    registration.checked_in_at = None if undo else timezone.now()
    registration.save(update_fields=["checked_in_at", "updated_at"])
    audit.record(
        actor=actor,
        action="events.registration.checked_in",
        target=registration,
        helsefellesskap=registration.event.helsefellesskap,
        data={"undo": undo},
    )
    return registration


# --- the personal withdrawal link ------------------------------------------------------------------------------------


def withdraw_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=WITHDRAW_SALT, compress=True)


def registration_from_token(token: str, now: datetime | None = None) -> Registration | None:
    """The registration a withdrawal link names, or None when the link is forged, unknown or expired (the link works
    until the event ends)."""
    try:
        payload = signing.loads(token, salt=WITHDRAW_SALT)
    except signing.BadSignature:
        return None
    pk = payload.get("r") if isinstance(payload, dict) else None
    registration = Registration.objects.select_related("event").filter(pk=pk).first() if isinstance(pk, int) else None
    if registration is None or registration.event.ends_at <= (now or timezone.now()):
        return None
    return registration


# --- export, retention, reminders ------------------------------------------------------------------------------------


def _export_rows(event: Event) -> tuple[list[str], list[list[str]]]:
    header = [_("Name"), _("E-mail"), _("Organisation"), _("Status"), _("Registered"), _("Checked in")]
    header += list(event.questions)
    rows = []
    for registration in event.registrations.order_by("created_at", "pk"):
        local = timezone.localtime(registration.created_at).strftime("%d.%m.%Y %H:%M")
        checked = (
            timezone.localtime(registration.checked_in_at).strftime("%d.%m.%Y %H:%M")
            if registration.checked_in_at
            else ""
        )
        row = [
            registration.name,
            registration.email,
            registration.organisation,
            str(registration.get_status_display()),
            local,
            checked,
        ]
        row += [registration.answers.get(q, "") for q in event.questions]
        rows.append(row)
    return [str(h) for h in header], rows


def _safe_cell(value: str) -> str:
    # A cell that starts like a formula is shown as text in spreadsheets (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@transaction.atomic
def registrations_export(*, actor, event: Event, fmt: str) -> bytes:
    """The participant list as CSV or XLSX, for the organiser only; every export is written to the audit log."""
    require(actor, "events.manage_registrations", event)
    header, rows = _export_rows(event)
    audit.record(
        actor=actor,
        action="events.registrations.exported",
        target=event,
        helsefellesskap=event.helsefellesskap,
        data={"format": fmt, "rows": len(rows)},
    )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        writer.writerows([[_safe_cell(cell) for cell in row] for row in rows])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([_safe_cell(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def purge_expired_registrations(now: datetime | None = None) -> int:
    """Delete the registrations of events whose retention period has run out; returns how many were deleted. Safe
    to run twice: each event is claimed with a conditional UPDATE before its rows go."""
    now = now or timezone.now()
    deleted = 0
    candidates = Event.objects.filter(registrations_purged_at__isnull=True, ends_at__lt=now)
    for event in candidates.only("pk", "ends_at", "retention_days", "helsefellesskap"):
        if event.ends_at + timedelta(days=event.retention_days) > now:
            continue
        with transaction.atomic():
            if not Event.objects.filter(pk=event.pk, registrations_purged_at__isnull=True).update(
                registrations_purged_at=now
            ):
                continue
            rows = Registration.objects.filter(event_id=event.pk)
            count = rows.count()
            rows.delete()
            audit.record(
                actor=None,
                action="events.registrations.purged",
                target=event,
                helsefellesskap=event.helsefellesskap,
                data={"retention_days": event.retention_days, "deleted": count},
            )
            deleted += count
    return deleted


def queue_reminders(now: datetime | None = None) -> int:
    """Write a reminder for each confirmed participant of the events starting within REMINDER_BEFORE; each event is
    claimed once (a conditional UPDATE), and one reminder per registration is all the table allows."""
    now = now or timezone.now()
    events = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_BEFORE,
    )
    queued = 0
    for event in events:
        with transaction.atomic():
            if not Event.objects.filter(pk=event.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            pks = list(event.registrations.filter(status=RegistrationStatus.CONFIRMED).values_list("pk", flat=True))
            queued += _queue_mails(pks, MailKind.REMINDER)
    return queued


def _queue_mails(registration_pks: list[int], kind: str) -> int:
    from . import tasks

    if not registration_pks:
        return 0
    EventMail.objects.bulk_create(
        [EventMail(registration_id=pk, kind=kind) for pk in registration_pks], ignore_conflicts=True
    )
    enqueue_on_commit(tasks.send_event_mail)
    return len(registration_pks)
