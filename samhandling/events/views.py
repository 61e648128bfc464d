"""Pages of the events module: the public calendar and its feeds, an event's page with the registration form, the
personal registration page (status and withdrawal, no log-in), and the organisers' pages (events, participants,
export, moderation, check-in)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core.http import community_by_slug_or_redirect, id_or_404
from samhandling.core.http import save_with as core_save_with
from samhandling.core.models import Helsefellesskap
from samhandling.core.permissions import can, require

from . import selectors, services
from .access import organiser_communities
from .forms import CalendarFilterForm, EventForm, RegistrationForm
from .ical import event_ics, feed_ics
from .models import EVENT_WORKFLOW, REGISTRATION_WORKFLOW, Event, RegistrationStatus

NATIONAL = "nasjonalt"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- public -----------------------------------------------------------------------------------------------------------


def calendar(request: HttpRequest) -> HttpResponse:
    communities = selectors.organiser_communities_with_events()
    from samhandling.governance.selectors import public_communities

    choices = (communities | public_communities()).distinct().order_by("name")
    form = CalendarFilterForm(request.GET or None, communities=choices, topics=selectors.topics())
    filters = form.cleaned_data if form.is_valid() else {}
    organiser = filters.get("organiser", "")
    community = choices.filter(slug=organiser).first() if organiser and organiser != NATIONAL else None
    entries = selectors.calendar(
        community=community,
        national=organiser == NATIONAL,
        kind=filters.get("kind", ""),
        audience=filters.get("audience", ""),
        topic=filters.get("topic", ""),
    )
    return render(
        request,
        "events/calendar.html",
        {
            "form": form,
            "entries": entries[:200],
            "community": community,
            "organiser": organiser,
            "feed_communities": choices,
            "organises": can(request.user, "events.organise"),
        },
    )


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def calendar_feed(request: HttpRequest, slug: str = "") -> HttpResponse:
    """All events and public meetings from today on, or one organiser's (a community, or `nasjonalt`)."""
    if not slug:
        entries = selectors.calendar()
        name = _("Events in the health communities")
    elif slug == NATIONAL:
        entries = selectors.calendar(national=True)
        name = _("National events for the health communities")
    else:
        community = community_by_slug_or_redirect(request, slug, Helsefellesskap.objects.all())
        entries = selectors.calendar(community=community)
        name = _("Events: %(community)s") % {"community": community.name}
    return _ics_response(feed_ics(entries, name=name, base_url=_base_url(request)), f"{slug or 'alle'}.ics")


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk)
    form = None
    window = services.registration_window(event)
    if window == "open" and (not event.login_required or request.user.is_authenticated):
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.get_full_name(), "email": request.user.email}
        form = RegistrationForm(request.POST or None, event=event, initial=initial)
        if request.method == "POST":
            response = core_save_with(
                request,
                form,
                lambda data: services.registration_create(
                    event=event,
                    name=data["name"],
                    email=data["email"],
                    organisation=data["organisation"],
                    answers=form.answers(),
                    consent=data["consent"],
                    user=request.user,
                    language=get_language(),
                    base_url=_base_url(request),
                ),
                redirect_to=lambda registration: reverse(
                    "events:withdraw", args=[services.withdraw_token(registration)]
                ),
            )
            if response is not None:
                return response
    elif request.method == "POST":
        messages.error(
            request, _("Log in to register for this event.") if window == "open" else _("Registration is closed.")
        )
        return redirect(event)
    response = render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "form": form,
            "window": window,
            "seats_left": services.seats_left(event) if event.registration_required else None,
            "actions": EVENT_WORKFLOW.actions_for(request.user, event),
            "cancelled": EVENT_WORKFLOW.is_final(event),
            "manages": can(request.user, "events.manage_registrations", event),
            "programme": [line for line in event.programme.splitlines() if line.strip()],
        },
    )
    if request.method == "POST":
        response.status_code = 400
    return response


def event_calendar_file(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk)
    return _ics_response(event_ics(event, base_url=_base_url(request)), f"arrangement-{event.pk}.ics")


def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The registrant's own page from the link in every e-mail: the status, and withdrawal with one button."""
    registration = services.registration_from_token(token)
    if registration is None:
        return render(request, "events/link_expired.html", status=404)
    if request.method == "POST":
        services.registration_withdraw(registration=registration, actor=request.user)
        messages.success(request, _("Your registration is withdrawn."))
        return redirect("events:withdraw", token=token)
    return render(
        request,
        "events/registration.html",
        {
            "registration": registration,
            "event": registration.event,
            "position": selectors.waiting_position(registration),
            "active": registration.status
            in (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED),
        },
    )


# --- organisers -----------------------------------------------------------------------------------------------------


def _organisers(user) -> list[tuple[str, str]]:
    choices = [(str(c.pk), c.name) for c in organiser_communities(user).order_by("name")]
    if user.is_superuser:
        choices.insert(0, (NATIONAL, str(_("National"))))
    return choices


def _organiser_of(value: str) -> Helsefellesskap | None:
    return None if value == NATIONAL else Helsefellesskap.objects.filter(pk=id_or_404(value)).first()


@login_required
def organiser_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "events.organise")
    return render(request, "events/organiser_list.html", {"events": selectors.events_organised_by(request.user)})


def _event_form_page(request, form, *, title, cancel, status=200):
    return render(request, "events/event_form.html", {"form": form, "title": title, "cancel": cancel}, status=status)


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "events.organise")
    form = EventForm(request.POST or None, organisers=_organisers(request.user))
    if request.method == "POST":

        def perform(data):
            organiser = _organiser_of(data.pop("organiser"))
            return services.event_create(actor=request.user, community=organiser, **data)

        response = core_save_with(request, form, perform, success=_("The event is saved as a draft."))
        if response is not None:
            return response
    return _event_form_page(
        request,
        form,
        title=_("New event"),
        cancel=reverse("events:organiser_list"),
        status=400 if request.method == "POST" else 200,
    )


def _initial(event: Event) -> dict:
    local = {
        name: timezone.localtime(getattr(event, name)) if getattr(event, name) else None
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
    }
    return {
        "organiser": str(event.helsefellesskap_id) if event.helsefellesskap_id else NATIONAL,
        **{name: getattr(event, name) for name in services.EVENT_FIELDS},
        **local,
        "questions": "\n".join(event.questions),
    }


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_organiser(request.user, pk)
    EVENT_WORKFLOW.require(request.user, event, "edit")
    organiser = str(event.helsefellesskap_id) if event.helsefellesskap_id else NATIONAL
    form = EventForm(
        request.POST or None,
        organisers=[(organiser, event.organiser_name)],
        initial=_initial(event),
    )
    if request.method == "POST":

        def perform(data):
            data.pop("organiser")
            return services.event_update(actor=request.user, event=event, **data)

        response = core_save_with(request, form, perform, success=_("The event is saved."))
        if response is not None:
            return response
    return _event_form_page(
        request,
        form,
        title=_("Change the event"),
        cancel=event.get_absolute_url(),
        status=400 if request.method == "POST" else 200,
    )


EVENT_ACTIONS = {
    "publiser": lambda request, event: services.event_publish(actor=request.user, event=event),
    "avlys": lambda request, event: services.event_cancel(actor=request.user, event=event),
}


@login_required
@require_POST
def event_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    event = selectors.event_for_organiser(request.user, pk)
    if action not in EVENT_ACTIONS:
        raise Http404
    try:
        EVENT_ACTIONS[action](request, event)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect(event)


@login_required
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_organiser(request.user, pk)
    registrations = list(selectors.registrations_for(request.user, event))
    rows = [(r, REGISTRATION_WORKFLOW.actions_for(request.user, r)) for r in registrations]
    counts = {status: sum(1 for r in registrations if r.status == status) for status in RegistrationStatus.values}
    return render(
        request,
        "events/participants.html",
        {
            "event": event,
            "rows": rows,
            "counts": counts,
            "checked_in": sum(1 for r in registrations if r.checked_in_at),
            "seats_left": services.seats_left(event),
        },
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def participants_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    event = selectors.event_for_organiser(request.user, pk)
    if fmt not in EXPORT_TYPES:
        raise Http404
    content = services.registrations_export(actor=request.user, event=event, fmt=fmt)
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="deltakere-{event.pk}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


REGISTRATION_ACTIONS = {
    "godkjenn": lambda request, r: services.registration_approve(actor=request.user, registration=r),
    "avvis": lambda request, r: services.registration_reject(actor=request.user, registration=r),
    "meld-av": lambda request, r: services.registration_withdraw_for(actor=request.user, registration=r),
    "sjekk-inn": lambda request, r: services.registration_check_in(actor=request.user, registration=r),
    "angre-innsjekk": lambda request, r: services.registration_check_in(actor=request.user, registration=r, undo=True),
}


@login_required
@require_POST
def registration_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    registration = selectors.registration_for(request.user, pk)
    if action not in REGISTRATION_ACTIONS:
        raise Http404
    try:
        REGISTRATION_ACTIONS[action](request, registration)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect(reverse("events:participants", args=[registration.event_id]) + f"#r{registration.pk}")
