"""The newsletter in "Mine oppgaver": contributions waiting for the editor's decision, one line per newsletter, due
by the deadline of the first issue still open for contributions."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.todo import Todo, register_todo_provider

from .models import ContributionStatus
from .selectors import edited_newsletters, open_issues

MODULE = _("Newsletter")


def newsletter_todo(user) -> list[Todo]:
    newsletters = edited_newsletters(user).annotate(
        waiting=Count("contributions", filter=Q(contributions__status=ContributionStatus.SUBMITTED))
    )
    items = []
    for newsletter in newsletters.filter(waiting__gt=0)[:20]:
        first = open_issues(newsletter).exclude(input_deadline=None).order_by("input_deadline").first()
        items.append(
            Todo(
                title=_("Decide %(count)s contributions to %(newsletter)s")
                % {"count": newsletter.waiting, "newsletter": newsletter.name},
                url=reverse("newsletter:editor", args=[newsletter.slug]),
                module=MODULE,
                due=first.input_deadline if first else None,
            )
        )
    return items


register_todo_provider(newsletter_todo)
