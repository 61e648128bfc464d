"""Agreements in "Mine oppgaver": the secretariat is reminded of an agreement whose review date is near or past;
an invited member sees each open consultation until its deadline for input (until every question has their input),
and the secretariat the open consultations whose deadline for input has passed (the response to compose)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.permissions import managed_communities
from samhandling.core.todo import Todo, register_todo_provider

from .access import invited
from .models import Agreement, Consultation, ConsultationInput, ConsultationStatus

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
