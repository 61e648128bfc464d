"""Reads of the newsletter module: the public archive (sent issues only), what an editor may open, a member's own
contributions, and "Viktige datoer" from the events calendar."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from samhandling.core.permissions import is_active_user, managed_communities, require

from .models import (
    Contribution,
    ContributionStatus,
    Issue,
    IssueStatus,
    Newsletter,
    Section,
    Subscriber,
    SubscriptionStatus,
)


def public_newsletters() -> QuerySet[Newsletter]:
    return Newsletter.objects.filter(is_active=True).select_related("helsefellesskap").order_by("name")


def public_newsletter(slug: str) -> Newsletter:
    found = public_newsletters().filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


def sent_issues(newsletter: Newsletter) -> QuerySet[Issue]:
    return newsletter.issues.filter(status=IssueStatus.SENT).order_by("-sent_at", "-pk")


def public_issue(newsletter: Newsletter, slug: str) -> Issue:
    found = sent_issues(newsletter).filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


def edited_newsletters(user) -> QuerySet[Newsletter]:
    if not is_active_user(user):
        return Newsletter.objects.none()
    if user.is_superuser:
        return Newsletter.objects.all()
    return Newsletter.objects.filter(Q(editors=user) | Q(helsefellesskap__in=managed_communities(user))).distinct()


def newsletter_for_editor(user, slug: str) -> Newsletter:
    found = edited_newsletters(user).filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


def issue_for_editor(user, pk) -> Issue:
    issue = Issue.objects.select_related("newsletter__helsefellesskap").filter(pk=pk).first()
    if issue is None or not edited_newsletters(user).filter(pk=issue.newsletter_id).exists():
        raise Http404
    return issue


def contribution_for_editor(user, pk) -> Contribution:
    contribution = Contribution.objects.select_related("newsletter", "issue", "author").filter(pk=pk).first()
    if contribution is None or not edited_newsletters(user).filter(pk=contribution.newsletter_id).exists():
        raise Http404
    return contribution


def subscriber_counts(newsletter: Newsletter) -> dict[str, int]:
    counts = dict(newsletter.subscribers.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in SubscriptionStatus.values}


def subscribers_for(user, newsletter: Newsletter) -> QuerySet[Subscriber]:
    """Subscribers' addresses: personal data, for the newsletter's editors only."""
    require(user, "newsletter.edit", newsletter)
    return newsletter.subscribers.order_by("email")


def open_issues(newsletter: Newsletter) -> QuerySet[Issue]:
    """Issues a contribution can still be wished for: being prepared, deadline not passed."""
    today = timezone.localdate()
    return newsletter.issues.filter(status__in=[IssueStatus.DRAFT, IssueStatus.SCHEDULED]).filter(
        Q(input_deadline__isnull=True) | Q(input_deadline__gte=today)
    )


def undecided_contributions(newsletter: Newsletter) -> QuerySet[Contribution]:
    return newsletter.contributions.filter(
        status__in=[ContributionStatus.SUBMITTED, ContributionStatus.HELD]
    ).select_related("author", "issue", "helsefellesskap")


def issue_contributions(issue: Issue) -> QuerySet[Contribution]:
    return issue.contributions.filter(status=ContributionStatus.ACCEPTED).select_related("section", "helsefellesskap")


def my_contributions(user) -> QuerySet[Contribution]:
    return Contribution.objects.filter(author=user).select_related("newsletter", "issue").order_by("-created_at")


@dataclass
class IssueSection:
    section: Section | None
    contributions: list[Contribution]


def issue_layout(issue: Issue) -> list[IssueSection]:
    """The issue's accepted contributions grouped by section, in the newsletter's section order (those without a
    section last)."""
    contributions = list(issue_contributions(issue).order_by("position", "pk"))
    groups = []
    for section in issue.newsletter.sections.all():
        items = [c for c in contributions if c.section_id == section.pk]
        if items:
            groups.append(IssueSection(section, items))
    rest = [c for c in contributions if c.section_id is None]
    if rest:
        groups.append(IssueSection(None, rest))
    return groups


def important_date_lines(issue: Issue) -> list[tuple[str, str]]:
    """The issue's "Viktige datoer" as (text, link) pairs; a line "text | https://…" carries a link."""
    lines = []
    for line in issue.important_dates.splitlines():
        text, _sep, link = line.partition(" | ")
        if text.strip():
            link = link.strip()
            lines.append((text.strip(), link if link.startswith(("https://", "http://")) else ""))
    return lines


def contribution_image(user, pk) -> Contribution:
    """A contribution's picture: public once its issue is sent; before that for the editors and the author."""
    contribution = Contribution.objects.select_related("issue", "newsletter").filter(pk=pk).exclude(image="").first()
    if contribution is None:
        raise Http404
    published = (
        contribution.status == ContributionStatus.ACCEPTED
        and contribution.issue is not None
        and contribution.issue.status == IssueStatus.SENT
    )
    if published or (is_active_user(user) and contribution.author_id == user.pk):
        return contribution
    if edited_newsletters(user).filter(pk=contribution.newsletter_id).exists():
        return contribution
    raise Http404
