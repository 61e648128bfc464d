"""Events in "Mine oppgaver": registrations waiting for the organiser's approval, one line per event."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.permissions import is_active_user
from samhandling.core.todo import Todo, register_todo_provider

from .models import RegistrationStatus
from .selectors import events_organised_by

MODULE = _("Events")


def events_todo(user) -> list[Todo]:
    if not is_active_user(user):
        return []
    waiting = (
        events_organised_by(user)
        .filter(moderation=True, ends_at__gte=timezone.now())
        .annotate(pending=Count("registrations", filter=Q(registrations__status=RegistrationStatus.PENDING)))
        .filter(pending__gt=0)
    )
    return [
        Todo(
            title=_("Approve registrations for %(event)s (%(count)s)") % {"event": event.title, "count": event.pending},
            url=f"{event.get_absolute_url()}deltakere/",
            module=MODULE,
            due=timezone.localtime(event.starts_at).date(),
        )
        for event in waiting[:50]
    ]


register_todo_provider(events_todo)
