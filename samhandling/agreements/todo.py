"""Agreements in "Mine oppgaver": the secretariat is reminded of an agreement whose review date is near or past."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.permissions import managed_communities
from samhandling.core.todo import Todo, register_todo_provider

from .models import Agreement

MODULE = _("Agreements")
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
