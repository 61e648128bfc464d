"""Agreements in "Mine oppgaver": the secretariat is reminded of an agreement whose review date is near or past;
an invited member sees each open consultation until its deadline for input (until every question has their input),
and the secretariat the open consultations whose deadline for input has passed (the response to compose). A party's
leaders and administrators see the secretariat's reminder to approve an adopted version until it is approved."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.permissions import managed_communities
from samhandling.core.todo import Todo, register_todo_provider

from .access import invited
from .models import (
    Agreement,
    ApprovalReminder,
    Consultation,
    ConsultationInput,
    ConsultationStatus,
    VersionStatus,
)

MODULE = _("Agreements")
CONSULTATION_MODULE = _("Consultations")
REVIEW_NOTICE_DAYS = 90  # a revision takes months: the reminder starts a quarter before the review date


def agreements_todo(user) -> list[Todo]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    due = Agreement.objects.filter(
        helsefellesskap__in=managed_communities(user),
        review_date__isnull=False,
        review_date__lte=today + timedelta(days=REVIEW_NOTICE_DAYS),
    ).order_by("review_date")[:50]
    return [
        Todo(
            title=_("Review “%(agreement)s”") % {"agreement": agreement.title},
            url=agreement.get_absolute_url() + "#revision-heading",
            module=MODULE,
            due=agreement.review_date,
            overdue=agreement.review_date < today,
        )
        for agreement in due
    ]


register_todo_provider(agreements_todo)


def consultations_todo(user) -> list[Todo]:
    from samhandling.core.permissions import communities_of

    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    managed = set(managed_communities(user).values_list("pk", flat=True))
    items = []
    for consultation in (
        Consultation.objects.filter(helsefellesskap__in=communities_of(user), status=ConsultationStatus.OPEN)
        .prefetch_related("questions")
        .order_by("internal_deadline")[:50]
    ):
        if consultation.internal_deadline >= today and invited(user, consultation):
            questions = len(consultation.questions.all())
            given = ConsultationInput.objects.filter(question__consultation=consultation, author=user).count()
            if given < questions:
                items.append(
                    Todo(
                        title=_("Give input to “%(title)s”") % {"title": consultation.title},
                        url=consultation.get_absolute_url() + "#input-heading",
                        module=CONSULTATION_MODULE,
                        due=consultation.internal_deadline,
                        overdue=False,
                    )
                )
        elif consultation.internal_deadline < today and consultation.helsefellesskap_id in managed:
            items.append(
                Todo(
                    title=_("Compose the response to “%(title)s”") % {"title": consultation.title},
                    url=reverse("agreements:consultation_compose", args=[consultation.pk]),
                    module=CONSULTATION_MODULE,
                    due=consultation.external_deadline,
                    overdue=consultation.external_deadline < today,
                )
            )
    return items


register_todo_provider(consultations_todo)


APPROVAL_REMINDER_DAYS = 60  # a reminder stays in the list this long (a council meets about once a month)


def approval_todo(user) -> list[Todo]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    reminders = (
        ApprovalReminder.objects.filter(
            recipients=user,
            day__gte=today - timedelta(days=APPROVAL_REMINDER_DAYS),
            version__status=VersionStatus.ADOPTED,
        )
        .select_related("version__agreement", "party")
        .order_by("-day")
    )
    items, seen = [], set()
    for reminder in reminders[:50]:
        key = (reminder.version_id, reminder.party_id)
        if key in seen or reminder.version.approvals.filter(party=reminder.party_id).exists():
            continue
        seen.add(key)
        items.append(
            Todo(
                title=_("Have “%(agreement)s” approved (%(party)s)")
                % {"agreement": reminder.version.agreement.title, "party": reminder.party.name},
                url=reminder.version.get_absolute_url() + "#approvals-heading",
                module=MODULE,
                due=reminder.day,
                overdue=False,
            )
        )
    return items


register_todo_provider(approval_todo)
