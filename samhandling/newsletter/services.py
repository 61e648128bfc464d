"""Every write of the newsletter module: newsletters and issues, contributions and their editorial decisions,
"Viktige datoer", subscriptions (double opt-in, unsubscribe), test sends and sending.

Sending writes one `Delivery` row per confirmed subscriber in the same transaction that moves the issue to
"sending", and enqueues `tasks.send_issue` on commit; `mail.send_pending` claims the rows one by one."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap
from samhandling.core.permissions import communities_of, require
from samhandling.core.queue import enqueue_on_commit

from .content import sanitise
from .models import (
    CONTRIBUTION_WORKFLOW,
    ISSUE_WORKFLOW,
    SUBSCRIBER_WORKFLOW,
    Contribution,
    ContributionStatus,
    Delivery,
    Issue,
    IssueStatus,
    Newsletter,
    Section,
    Subscriber,
    SubscriptionStatus,
)

audit.register_actions(
    {
        "newsletter.newsletter.created": gettext_lazy("Started a newsletter"),
        "newsletter.issue.created": gettext_lazy("Created a newsletter issue"),
        "newsletter.issue.updated": gettext_lazy("Changed a newsletter issue"),
        "newsletter.issue.dates_generated": gettext_lazy("Generated the important dates of an issue"),
        "newsletter.issue.test_sent": gettext_lazy("Sent a test of a newsletter issue"),
        "newsletter.issue.draft": gettext_lazy("Took a newsletter issue off the schedule"),
        "newsletter.issue.scheduled": gettext_lazy("Scheduled a newsletter issue"),
        "newsletter.issue.sending": gettext_lazy("Started sending a newsletter issue"),
        "newsletter.issue.sent": gettext_lazy("Sent a newsletter issue to every subscriber"),
        "newsletter.issue.cancelled": gettext_lazy("Cancelled a newsletter issue"),
        "newsletter.contribution.submitted": gettext_lazy("Sent a contribution to a newsletter"),
        "newsletter.contribution.accepted": gettext_lazy("Accepted a contribution"),
        "newsletter.contribution.held": gettext_lazy("Held a contribution for a later issue"),
        "newsletter.contribution.declined": gettext_lazy("Declined a contribution"),
        "newsletter.subscriber.unconfirmed": gettext_lazy("Newsletter subscription awaits confirmation"),
        "newsletter.subscriber.confirmed": gettext_lazy("Confirmed a newsletter subscription"),
        "newsletter.subscriber.unsubscribed": gettext_lazy("Unsubscribed from a newsletter"),
        "newsletter.subscribers.exported": gettext_lazy("Exported a newsletter's subscribers"),
        "newsletter.sections.updated": gettext_lazy("Changed a newsletter's sections"),
    }
)

# Paths of the module itself, which a newsletter's address must not shadow.
RESERVED_SLUGS = {"innspill", "bekreft", "avmeld", "redaksjon", "ny"}
CONFIRM_SALT = "samhandling.newsletter.confirm"
UNSUBSCRIBE_SALT = "samhandling.newsletter.unsubscribe"
# A confirmation link works this long; an unsubscribe link works as long as the subscription exists (RFC 8058: the
# link in an old e-mail must still work).
CONFIRM_MAX_AGE = timedelta(days=7)

DEFAULT_SECTIONS = {
    "nb": ["Nytt fra helsefellesskapene", "Nasjonalt", "Nytt fra KS, RHF-ene og e-helse"],
    "nn": ["Nytt frå helsefellesskapa", "Nasjonalt", "Nytt frå KS, RHF-a og e-helse"],
}


# --- newsletters and issues ---------------------------------------------------------------------------------------


@transaction.atomic
def newsletter_create(
    *,
    actor,
    community: Helsefellesskap | None,
    name: str,
    slug: str = "",
    default_language: str = "nb",
    description: str = "",
    sender_name: str = "",
) -> Newsletter:
    require(actor, "newsletter.create", community)
    slug = slugify(slug or name)[:50]
    if slug in RESERVED_SLUGS or Newsletter.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Another newsletter has this address.")})
    newsletter = Newsletter.objects.create(
        helsefellesskap=community,
        name=name.strip(),
        slug=slug,
        default_language=default_language,
        description=description.strip(),
        sender_name=sender_name.strip(),
    )
    for position, title in enumerate(DEFAULT_SECTIONS[default_language]):
        Section.objects.create(newsletter=newsletter, title=title, position=position)
    audit.record(actor=actor, action="newsletter.newsletter.created", target=newsletter, helsefellesskap=community)
    return newsletter


def _unique_slug(newsletter: Newsletter, title: str, exclude: int | None = None) -> str:
    base = slugify(title.replace("æ", "ae").replace("ø", "o").replace("å", "a"))[:70] or "utgave"
    slug, number = base, 2
    while newsletter.issues.filter(slug=slug).exclude(pk=exclude).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"period_end": _("The period must end on or after its first day.")})


@transaction.atomic
def issue_create(
    *,
    actor,
    newsletter: Newsletter,
    title: str,
    language: str,
    period_start: date,
    period_end: date,
    input_deadline: date | None = None,
    intro: str = "",
) -> Issue:
    require(actor, "newsletter.edit", newsletter)
    _check_period(period_start, period_end)
    issue = Issue.objects.create(
        newsletter=newsletter,
        title=title.strip(),
        slug=_unique_slug(newsletter, title),
        language=language,
        period_start=period_start,
        period_end=period_end,
        input_deadline=input_deadline,
        intro=sanitise(intro),
        created_by=actor,
    )
    issue.important_dates = generate_important_dates(issue)
    issue.save(update_fields=["important_dates"])
    audit.record(
        actor=actor, action="newsletter.issue.created", target=issue, helsefellesskap=newsletter.helsefellesskap
    )
    return issue


ISSUE_FIELDS = ("title", "language", "intro", "input_deadline", "period_start", "period_end", "important_dates")


@transaction.atomic
def issue_update(*, actor, issue: Issue, **fields: Any) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    ISSUE_WORKFLOW.require(actor, issue, "edit")
    unknown = set(fields) - set(ISSUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown issue fields {sorted(unknown)}")
    for name, value in fields.items():
        setattr(issue, name, value.strip() if isinstance(value, str) else value)
    if "intro" in fields:
        issue.intro = sanitise(issue.intro)
    _check_period(issue.period_start, issue.period_end)
    if "title" in fields:
        issue.slug = _unique_slug(issue.newsletter, issue.title, exclude=issue.pk)
    issue.save()
    audit.record(
        actor=actor,
        action="newsletter.issue.updated",
        target=issue,
        helsefellesskap=issue.newsletter.helsefellesskap,
        data={"fields": sorted(fields)},
    )
    return issue


def generate_important_dates(issue: Issue) -> str:
    """ "Viktige datoer" for the issue's period: the events (published, in the newsletter's community and national
    ones for a community newsletter; all for the national one) and the public meetings, one line each, written in
    the issue's language. The editor may change the text afterwards."""
    from samhandling.events import selectors as events

    community = issue.newsletter.helsefellesskap
    entries = events.calendar(start=issue.period_start, end=issue.period_end, community=community)
    if community is not None:
        entries += [
            e for e in events.calendar(start=issue.period_start, end=issue.period_end, national=True) if e.event
        ]
        entries.sort(key=lambda e: (e.starts_at, e.title))
    base = issue.base_url.rstrip("/") or _site_url()
    lines = []
    with translation.override(issue.language):
        for entry in entries:
            if entry.cancelled:
                continue
            day = formats.date_format(timezone.localtime(entry.starts_at), "j. F")
            text = f"{day} – {entry.title} ({entry.organiser})"
            lines.append(f"{text} | {base}{entry.url}" if base else text)
    return "\n".join(lines)


def _site_url() -> str:
    from django.conf import settings

    return settings.SAMHANDLING_BASE_URL.rstrip("/")


@transaction.atomic
def issue_generate_dates(*, actor, issue: Issue) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    ISSUE_WORKFLOW.require(actor, issue, "edit")
    issue.important_dates = generate_important_dates(issue)
    issue.save(update_fields=["important_dates", "updated_at"])
    audit.record(
        actor=actor,
        action="newsletter.issue.dates_generated",
        target=issue,
        helsefellesskap=issue.newsletter.helsefellesskap,
    )
    return issue


@transaction.atomic
def issue_arrange(*, actor, issue: Issue, layout: list[tuple[int, int | None, int]]) -> None:
    """Put the issue's accepted contributions in sections and order: (contribution pk, section pk, position)."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    ISSUE_WORKFLOW.require(actor, issue, "edit")
    sections = set(issue.newsletter.sections.values_list("pk", flat=True))
    for pk, section_pk, position in layout:
        if section_pk is not None and section_pk not in sections:
            raise ValidationError(_("Choose one of the newsletter's sections."))
        issue.contributions.filter(pk=pk, status=ContributionStatus.ACCEPTED).update(
            section_id=section_pk, position=max(0, min(position, 999))
        )
    audit.record(
        actor=actor,
        action="newsletter.issue.updated",
        target=issue,
        helsefellesskap=issue.newsletter.helsefellesskap,
        data={"fields": ["layout"]},
    )


@transaction.atomic
def issue_schedule(*, actor, issue: Issue, send_at: datetime, base_url: str = "") -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    ISSUE_WORKFLOW.require(actor, issue, "schedule")
    if send_at <= timezone.now():
        raise ValidationError({"send_at": _("Choose a time in the future.")})
    issue.send_at, issue.base_url = send_at, base_url[:200] or issue.base_url
    ISSUE_WORKFLOW.move(issue, IssueStatus.SCHEDULED, actor=actor, data={"send_at": send_at.isoformat()})
    return issue


@transaction.atomic
def issue_unschedule(*, actor, issue: Issue) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    ISSUE_WORKFLOW.require(actor, issue, "unschedule")
    issue.send_at = None
    ISSUE_WORKFLOW.move(issue, IssueStatus.DRAFT, actor=actor)
    return issue


@transaction.atomic
def issue_cancel(*, actor, issue: Issue) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    ISSUE_WORKFLOW.require(actor, issue, "cancel")
    ISSUE_WORKFLOW.move(issue, IssueStatus.CANCELLED, actor=actor)
    return issue


def _start_sending(issue: Issue, actor) -> int:
    """Move the (locked) issue to sending and write one delivery per confirmed subscriber; the task goes on commit."""
    from . import tasks

    ISSUE_WORKFLOW.move(issue, IssueStatus.SENDING, actor=actor)
    confirmed = issue.newsletter.subscribers.filter(status=SubscriptionStatus.CONFIRMED).values_list("pk", flat=True)
    batch: list[Delivery] = []
    count = 0
    for pk in confirmed.iterator(chunk_size=2000):
        batch.append(Delivery(issue_id=issue.pk, subscriber_id=pk))
        if len(batch) >= 2000:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            count, batch = count + len(batch), []
    Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    count += len(batch)
    issue.to_send = count
    issue.save(update_fields=["to_send", "base_url", "updated_at"])
    enqueue_on_commit(tasks.send_issue, issue.pk)
    return count


@transaction.atomic
def issue_send(*, actor, issue: Issue, base_url: str = "") -> Issue:
    """Send now: every confirmed subscriber gets the issue once, through the task (rate-limited, resumable)."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    ISSUE_WORKFLOW.require(actor, issue, "send")
    issue.base_url = base_url[:200] or issue.base_url
    _start_sending(issue, actor)
    return issue


def start_scheduled_issues(now: datetime | None = None) -> list[int]:
    """Start the scheduled issues whose time has come; each one is claimed once (periodic task)."""
    now = now or timezone.now()
    started = []
    for pk in Issue.objects.filter(status=IssueStatus.SCHEDULED, send_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            issue = Issue.objects.select_for_update().filter(pk=pk, status=IssueStatus.SCHEDULED).first()
            if issue is None:
                continue
            _start_sending(issue, None)
            started.append(pk)
    return started


@transaction.atomic
def issue_send_test(*, actor, issue: Issue, email: str, language: str, base_url: str = "") -> None:
    """One message to the editor's address, marked as a test; no delivery rows, nothing counted."""
    from . import tasks

    require(actor, "newsletter.edit", issue)
    audit.record(
        actor=actor,
        action="newsletter.issue.test_sent",
        target=issue,
        helsefellesskap=issue.newsletter.helsefellesskap,
        data={"language": language},
    )
    enqueue_on_commit(tasks.send_test, issue.pk, email, language, base_url[:200])


@transaction.atomic
def sections_update(
    *, actor, newsletter: Newsletter, rows: list[tuple[int, str, int]], new_title: str = ""
) -> list[Section]:
    """Rename and reorder the newsletter's sections ((pk, title, position) each; an empty title removes the section,
    and its contributions keep their place without a section) and add one when `new_title` is given."""
    require(actor, "newsletter.edit", newsletter)
    sections = {section.pk: section for section in newsletter.sections.select_for_update()}
    titles = []
    for pk, title, position in rows:
        section = sections.get(pk)
        if section is None:
            continue
        if not title.strip():
            section.delete()
            continue
        section.title, section.position = title.strip()[:120], max(0, min(position, 99))
        titles.append(section.title.lower())
    if new_title.strip():
        titles.append(new_title.strip().lower())
    if len(titles) != len(set(titles)):
        raise ValidationError(_("Two sections cannot have the same title."))
    for pk, title, _position in rows:
        if pk in sections and title.strip():
            sections[pk].save(update_fields=["title", "position"])
    if new_title.strip():
        last = max([s.position for s in sections.values()] + [-1])
        Section.objects.create(newsletter=newsletter, title=new_title.strip()[:120], position=last + 1)
    audit.record(
        actor=actor,
        action="newsletter.sections.updated",
        target=newsletter,
        helsefellesskap=newsletter.helsefellesskap,
    )
    return list(newsletter.sections.all())


# --- contributions ------------------------------------------------------------------------------------------------


def _author_community(user) -> Helsefellesskap | None:
    return communities_of(user).order_by("name").first()


@transaction.atomic
def contribution_submit(
    *,
    actor,
    newsletter: Newsletter,
    title: str,
    body: str,
    issue: Issue | None = None,
    link: str = "",
    link_text: str = "",
    image=None,
    image_alt: str = "",
) -> Contribution:
    require(actor, "newsletter.contribute", newsletter)
    from .selectors import open_issues

    if issue is not None and not open_issues(newsletter).filter(pk=issue.pk).exists():
        raise ValidationError({"issue": _("The deadline for this issue has passed. Choose another issue.")})
    text = sanitise(body)
    if not text:
        raise ValidationError({"body": _("Write the text of your contribution.")})
    contribution = Contribution.objects.create(
        newsletter=newsletter,
        issue=issue,
        author=actor,
        helsefellesskap=_author_community(actor),
        title=title.strip(),
        body=text,
        link=link.strip(),
        link_text=link_text.strip(),
        image_alt=image_alt.strip(),
    )
    if image is not None:
        if not contribution.image_alt:
            raise ValidationError({"image_alt": _("Describe the picture for those who cannot see it.")})
        contribution.image.save(f"innspill-{contribution.pk}{_suffix(image.name)}", image, save=True)
    audit.record(
        actor=actor,
        action="newsletter.contribution.submitted",
        target=contribution,
        helsefellesskap=newsletter.helsefellesskap,
    )
    return contribution


def _suffix(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix if suffix in (".png", ".jpg", ".jpeg", ".webp") else ""


DECISIONS = {
    "accept": ContributionStatus.ACCEPTED,
    "hold": ContributionStatus.HELD,
    "decline": ContributionStatus.DECLINED,
}


@transaction.atomic
def contribution_decide(
    *,
    actor,
    contribution: Contribution,
    decision: str,
    message: str = "",
    title: str | None = None,
    body: str | None = None,
    link: str | None = None,
    link_text: str | None = None,
    issue: Issue | None = None,
    section: Section | None = None,
) -> Contribution:
    """Accept (into an issue being prepared, with the editor's changes), hold for a later issue, or decline; the
    contributor gets the decision and the editor's message by e-mail."""
    from . import tasks

    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    CONTRIBUTION_WORKFLOW.require(actor, contribution, "decide")
    target = DECISIONS[decision]
    if title is not None:
        contribution.title = title.strip() or contribution.title
    if body is not None:
        contribution.body = sanitise(body) or contribution.body
    if link is not None:
        contribution.link = link.strip()
    if link_text is not None:
        contribution.link_text = link_text.strip()
    if section is not None and section.newsletter_id != contribution.newsletter_id:
        raise ValidationError({"section": _("Choose one of the newsletter's sections.")})
    contribution.section = section or contribution.section
    if target == ContributionStatus.ACCEPTED:
        issue = issue or contribution.issue
        if (
            issue is None
            or issue.newsletter_id != contribution.newsletter_id
            or issue.status
            not in (
                IssueStatus.DRAFT,
                IssueStatus.SCHEDULED,
            )
        ):
            raise ValidationError({"issue": _("Choose an issue that is being prepared.")})
        contribution.issue = issue
    elif target == ContributionStatus.HELD:
        contribution.issue = None
    contribution.editor_message = message.strip()
    CONTRIBUTION_WORKFLOW.move(contribution, target, actor=actor)
    if contribution.author_id and contribution.author.email:
        enqueue_on_commit(tasks.send_contribution_decision, contribution.pk)
    return contribution


# --- subscriptions ------------------------------------------------------------------------------------------------


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=CONFIRM_SALT, compress=True)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def _subscriber_from(token: str, salt: str, max_age: timedelta | None) -> Subscriber | None:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, signing.SignatureExpired):
        return None
    pk = payload.get("s") if isinstance(payload, dict) else None
    if not isinstance(pk, int):
        return None
    subscriber = Subscriber.objects.select_related("newsletter").filter(pk=pk).first()
    if subscriber is None or ("e" in payload and payload["e"] != subscriber.email):
        return None
    return subscriber


def subscriber_from_confirm_token(token: str) -> Subscriber | None:
    """The subscriber a confirmation link names; None when forged or older than CONFIRM_MAX_AGE."""
    return _subscriber_from(token, CONFIRM_SALT, CONFIRM_MAX_AGE)


def subscriber_from_unsubscribe_token(token: str) -> Subscriber | None:
    return _subscriber_from(token, UNSUBSCRIBE_SALT, None)


@transaction.atomic
def subscribe(*, newsletter: Newsletter, email: str, name: str = "", language: str = "", base_url: str = "") -> None:
    """Ask for a subscription: a confirmation e-mail goes out (double opt-in). The answer is the same whether or not
    the address was known, so the form tells nobody who subscribes."""
    from . import tasks

    email = email.strip().lower()
    language = language if language in ("nb", "nn") else newsletter.default_language
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(
        newsletter=newsletter, email=email, defaults={"name": name.strip(), "language": language}
    )
    if created:
        SUBSCRIBER_WORKFLOW.history(subscriber, previous="", to=SubscriptionStatus.UNCONFIRMED, actor=None, text="form")
    elif subscriber.status == SubscriptionStatus.CONFIRMED:
        return
    elif subscriber.status == SubscriptionStatus.UNSUBSCRIBED:
        subscriber.language = language
        SUBSCRIBER_WORKFLOW.move(subscriber, SubscriptionStatus.UNCONFIRMED, actor=None, text="form")
    enqueue_on_commit(tasks.send_confirmation, subscriber.pk, base_url[:200])


@transaction.atomic
def subscription_confirm(*, subscriber: Subscriber) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == SubscriptionStatus.UNCONFIRMED:
        subscriber.confirmed_at = timezone.now()
        SUBSCRIBER_WORKFLOW.move(subscriber, SubscriptionStatus.CONFIRMED, actor=None, text="link")
    return subscriber


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber, via: str = "link") -> Subscriber:
    """Stop the subscription (from the link in any issue, by one click, without logging in); pending deliveries of
    an issue being sent are dropped."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status != SubscriptionStatus.UNSUBSCRIBED:
        subscriber.unsubscribed_at = timezone.now()
        SUBSCRIBER_WORKFLOW.move(subscriber, SubscriptionStatus.UNSUBSCRIBED, actor=None, text=via)
        Delivery.objects.filter(subscriber=subscriber, status="pending").delete()
    return subscriber
