"""Rendering and sending newsletter e-mail.

An issue is rendered once per language (HTML with its CSS inlined by css-inline, and a plain-text part); each
subscriber's message differs only in the unsubscribe address, put in by string replacement, so 20 000 messages do
not render 20 000 templates. Every message carries RFC 8058 one-click unsubscribe headers, a stable Message-ID and a
link to the web version. Deliveries are claimed one by one (decision 28); a sender killed with SIGKILL and started
again sends what is still pending, and a message left in flight goes again with the same Message-ID."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import css_inline
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samhandling.core import audit

from . import selectors
from .content import to_text
from .models import (
    DELIVERY_WORKFLOW,
    ISSUE_WORKFLOW,
    Contribution,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_MARK = "__SAMHANDLING_UNSUBSCRIBE_URL__"
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    html: str
    text: str
    web_url: str


def _base(issue: Issue, base_url: str = "") -> str:
    return (base_url or issue.base_url or settings.SAMHANDLING_BASE_URL).rstrip("/")


def issue_context(issue: Issue, *, base: str) -> dict:
    return {
        "issue": issue,
        "newsletter": issue.newsletter,
        "layout": selectors.issue_layout(issue),
        "dates": selectors.important_date_lines(issue),
        "web_url": base + issue.get_public_url(),
        "archive_url": base + issue.newsletter.get_absolute_url(),
        "image_base": base,
    }


def render_issue(issue: Issue, *, language: str | None = None, base_url: str = "", test: bool = False) -> RenderedIssue:
    """The issue as e-mail in `language` (the issue's own by default); the unsubscribe address is a mark."""
    base = _base(issue, base_url)
    with translation.override(language or issue.language):
        context = {**issue_context(issue, base=base), "unsubscribe_url": UNSUBSCRIBE_MARK, "test": test}
        html = css_inline.inline(render_to_string("newsletter/email.html", context))
        text = _plain_text(issue, context)
        subject = (_("[TEST] %(title)s") if test else "%(title)s") % {
            "title": f"{issue.newsletter.name}: {issue.title}"
        }
    return RenderedIssue(subject=subject, html=html, text=text, web_url=context["web_url"])


def _plain_text(issue: Issue, context: dict) -> str:
    parts = [
        f"{issue.newsletter.name}: {issue.title}",
        "",
        _("Read it in your browser: %(url)s") % {"url": context["web_url"]},
    ]
    if issue.intro:
        parts += ["", to_text(issue.intro)]
    for group in context["layout"]:
        if group.section is not None:
            parts += ["", group.section.title.upper(), "=" * len(group.section.title)]
        for contribution in group.contributions:
            parts += ["", contribution.title, "-" * len(contribution.title)]
            if contribution.image and contribution.image_alt:
                parts.append(_("[Picture: %(description)s]") % {"description": contribution.image_alt})
            parts.append(to_text(contribution.body))
            if contribution.link:
                parts.append(f"{contribution.link_text or _('Read more')}: {contribution.link}")
    if context["dates"]:
        heading = _("Important dates")
        parts += ["", heading.upper(), "=" * len(heading)]
        parts += [f"- {text}" + (f" ({link})" if link else "") for text, link in context["dates"]]
    parts += [
        "",
        "--",
        _("You get this newsletter because you subscribed to it."),
        _("Unsubscribe: %(url)s") % {"url": UNSUBSCRIBE_MARK},
        _("Archive: %(url)s") % {"url": context["archive_url"]},
    ]
    return "\n".join(parts) + "\n"


def message_id(issue: Issue, subscriber_pk: int) -> str:
    domain = getattr(settings, "GOVERNANCE_MESSAGE_ID_DOMAIN", "samhandling.invalid")
    return f"<newsletter-{issue.pk}-{subscriber_pk}@{domain}>"


def build_message(issue: Issue, subscriber: Subscriber, rendered: RenderedIssue, *, base: str, test=False):
    from .services import unsubscribe_token

    if test:
        unsubscribe_url = base + issue.newsletter.get_absolute_url()
    else:
        unsubscribe_url = base + reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber)])
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text.replace(UNSUBSCRIBE_MARK, unsubscribe_url),
        _from(issue),
        [subscriber.email],
    )
    message.attach_alternative(rendered.html.replace(UNSUBSCRIBE_MARK, unsubscribe_url), "text/html")
    if not test:
        message.extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.extra_headers["Message-ID"] = message_id(issue, subscriber.pk)
    message.extra_headers["List-Id"] = f"{issue.newsletter.name} <{issue.newsletter.slug}.samhandling>"
    message.extra_headers["Content-Language"] = issue.language
    return message


def _from(issue: Issue) -> str:
    from email.utils import formataddr, parseaddr

    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((issue.newsletter.sender_name or issue.newsletter.name or name, address))


def _claimable(now=None) -> Q:
    now = now or timezone.now()
    return Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)


def rate_per_second() -> float:
    return float(getattr(settings, "NEWSLETTER_MESSAGES_PER_SECOND", 10))


def send_pending(issue_pk: int, *, rate: float | None = None, now=None) -> int:
    """Send the issue's pending deliveries, at most `rate` a second (0: no limit); returns how many went. Safe to run
    twice or in two workers at once. When nothing is left, the issue is marked sent."""
    issue = Issue.objects.select_related("newsletter__helsefellesskap").get(pk=issue_pk)
    if issue.status != IssueStatus.SENDING:
        return 0
    rate = rate_per_second() if rate is None else rate
    interval = 1.0 / rate if rate > 0 else 0.0
    base = _base(issue)
    rendered: dict[str, RenderedIssue] = {}
    sent = 0
    connection = get_connection()
    connection.open()
    _fast_commits(True)
    try:
        while True:
            batch = list(
                Delivery.objects.filter(_claimable(now), issue_id=issue.pk)
                .select_related("subscriber")
                .order_by("pk")[:500]
            )
            if not batch:
                break
            for delivery in batch:
                started = time.monotonic()
                if not DELIVERY_WORKFLOW.claim(
                    delivery,
                    DeliveryStatus.SENDING,
                    where=_claimable(now),
                    claimed_at=timezone.now(),
                    attempts=delivery.attempts + 1,
                ):
                    continue  # another worker has it
                subscriber = delivery.subscriber
                language = issue.language
                if language not in rendered:
                    rendered[language] = render_issue(issue, language=language, base_url=base)
                try:
                    message = build_message(issue, subscriber, rendered[language], base=base)
                    message.connection = connection
                    message.send()
                except Exception:
                    DELIVERY_WORKFLOW.claim(delivery, DeliveryStatus.PENDING, claimed_at=None)
                    logger.exception("Could not send issue %s to subscriber %s", issue.pk, subscriber.pk)
                    raise
                DELIVERY_WORKFLOW.claim(delivery, DeliveryStatus.SENT, sent_at=timezone.now())
                sent += 1
                if interval:
                    time.sleep(max(0.0, interval - (time.monotonic() - started)))
    finally:
        _fast_commits(False)
        connection.close()
    _finish(issue)
    return sent


def _fast_commits(on: bool) -> None:
    """On PostgreSQL, the sender's claims commit without waiting for the disk flush (`synchronous_commit = off`):
    two commits a message otherwise wait for two fsyncs. A killed sender loses nothing (the server has the commits);
    only a crash of the database server itself can forget the last fraction of a second of "sent" marks, and those
    few messages go again with the same Message-ID. Reset afterwards, as the worker's connection runs other tasks."""
    from django.db import connection as db

    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def _finish(issue: Issue) -> None:
    """Mark the issue sent once no delivery is pending or in flight (claimed, so only one worker records it)."""
    if Delivery.objects.filter(issue_id=issue.pk).exclude(status=DeliveryStatus.SENT).exists():
        return
    with transaction.atomic():
        if ISSUE_WORKFLOW.claim(issue, IssueStatus.SENT, sent_at=timezone.now()):
            audit.record(
                actor=None,
                action="newsletter.issue.sent",
                target=issue,
                helsefellesskap=issue.newsletter.helsefellesskap,
                data={"deliveries": Delivery.objects.filter(issue_id=issue.pk).count()},
            )


def issues_being_sent() -> list[int]:
    return list(Issue.objects.filter(status=IssueStatus.SENDING).values_list("pk", flat=True))


def send_test(issue_pk: int, email: str, language: str, base_url: str = "") -> None:
    issue = Issue.objects.select_related("newsletter").get(pk=issue_pk)
    rendered = render_issue(issue, language=language, base_url=base_url, test=True)
    subscriber = Subscriber(pk=0, newsletter=issue.newsletter, email=email, language=language)
    build_message(issue, subscriber, rendered, base=_base(issue, base_url), test=True).send()


def send_confirmation(subscriber_pk: int, base_url: str = "") -> None:
    from .services import confirm_token

    subscriber = Subscriber.objects.select_related("newsletter").filter(pk=subscriber_pk).first()
    if subscriber is None or subscriber.status != "unconfirmed":
        return
    base = (base_url or settings.SAMHANDLING_BASE_URL).rstrip("/")
    link = base + reverse("newsletter:confirm", args=[confirm_token(subscriber)])
    with translation.override(subscriber.language):
        subject = _("Confirm your subscription: %(name)s") % {"name": subscriber.newsletter.name}
        body = "\n".join(
            [
                _("Someone (we hope it was you) asked to subscribe this address to %(name)s.")
                % {"name": subscriber.newsletter.name},
                "",
                _("Confirm the subscription here (the link works for 7 days): %(link)s") % {"link": link},
                "",
                _("If you did not ask for it, ignore this e-mail: nothing more will be sent."),
            ]
        )
    EmailMessage(subject, body, None, [subscriber.email]).send()


def send_contribution_decision(contribution_pk: int) -> None:
    contribution = Contribution.objects.select_related("author", "newsletter", "issue").get(pk=contribution_pk)
    author = contribution.author
    if author is None or not author.email:
        return
    with translation.override(author.language):
        decision = {
            "accepted": _("Your contribution “%(title)s” is accepted for %(issue)s."),
            "held": _("Your contribution “%(title)s” is held for a later issue."),
            "declined": _("Your contribution “%(title)s” is declined."),
        }[contribution.status] % {"title": contribution.title, "issue": contribution.issue or ""}
        lines = [decision]
        if contribution.editor_message:
            lines += ["", _("Message from the editor:"), contribution.editor_message]
        subject = _("Your contribution to %(name)s") % {"name": contribution.newsletter.name}
    EmailMessage(subject, "\n".join(lines), None, [author.email]).send()
