"""Pages of the newsletter: the public index, archive, issue and Atom feed; subscribing, confirming and
unsubscribing (no log-in; one-click per RFC 8058); contributions from members; and the editors' pages (issues,
contributions, layout, previews, test send, scheduling and sending, subscribers)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import feedgenerator, timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samhandling.core import audit
from samhandling.core.http import parse_id
from samhandling.core.http import save_with as core_save_with
from samhandling.core.permissions import can, require

from . import mail, selectors, services
from .forms import (
    ContributionForm,
    DecisionForm,
    IssueEditForm,
    IssueForm,
    NewsletterForm,
    ScheduleForm,
    SubscribeForm,
    TestSendForm,
)
from .models import CONTRIBUTION_WORKFLOW, ISSUE_WORKFLOW, ContributionStatus, Issue


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- public ---------------------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "newsletter/index.html",
        {
            "newsletters": selectors.public_newsletters(),
            "edited": selectors.edited_newsletters(request.user),
            "contributes": can(request.user, "newsletter.contribute"),
            "creates": bool(_creatable(request.user)),
        },
    )


def archive(request: HttpRequest, slug: str, form: SubscribeForm | None = None, status: int = 200) -> HttpResponse:
    newsletter = selectors.public_newsletter(slug)
    form = form or SubscribeForm(initial={"language": newsletter.default_language})
    return render(
        request,
        "newsletter/archive.html",
        {"newsletter": newsletter, "issues": selectors.sent_issues(newsletter), "form": form},
        status=status,
    )


@require_POST
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = selectors.public_newsletter(slug)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return archive(request, slug, form=form, status=400)
    services.subscribe(newsletter=newsletter, base_url=_base_url(request), **form.cleaned_data)
    messages.success(
        request, _("Thank you. Check your e-mail and confirm the subscription with the link we have sent.")
    )
    return redirect(newsletter)


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: a page with a button (a link checker that opens the URL confirms nothing)."""
    subscriber = services.subscriber_from_confirm_token(token)
    if subscriber is None:
        return render(request, "newsletter/link_expired.html", status=404)
    if request.method == "POST":
        services.subscription_confirm(subscriber=subscriber)
        messages.success(request, _("Your subscription is confirmed."))
        return redirect(subscriber.newsletter)
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber, "newsletter": subscriber.newsletter})


@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The unsubscribe link of every issue. A POST unsubscribes at once: mail programs send RFC 8058's one-click
    POST ("List-Unsubscribe=One-Click") without a session or a CSRF token; a GET shows the button."""
    subscriber = services.subscriber_from_unsubscribe_token(token)
    if subscriber is None:
        return render(request, "newsletter/link_expired.html", status=404)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        services.unsubscribe(subscriber=subscriber, via="one_click" if one_click else "link")
        if one_click:
            return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
        messages.success(request, _("You are unsubscribed and get no more issues."))
        return redirect(subscriber.newsletter)
    return render(
        request, "newsletter/unsubscribe.html", {"subscriber": subscriber, "newsletter": subscriber.newsletter}
    )


def _render_issue_page(request, issue: Issue, *, preview: bool = False, language: str | None = None) -> HttpResponse:
    # The page is in the issue's language, chrome included, so that lang="nb" or lang="nn" is true of all of it.
    with translation.override(language or issue.language):
        context = {**mail.issue_context(issue, base=""), "preview": preview}
        return render(request, "newsletter/issue.html", context)


def public_issue(request: HttpRequest, slug: str, issue_slug: str) -> HttpResponse:
    newsletter = selectors.public_newsletter(slug)
    return _render_issue_page(request, selectors.public_issue(newsletter, issue_slug))


def feed(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = selectors.public_newsletter(slug)
    base = _base_url(request).rstrip("/")
    atom = feedgenerator.Atom1Feed(
        title=newsletter.name,
        link=base + newsletter.get_absolute_url(),
        description=newsletter.description,
        language=newsletter.default_language,
        feed_url=base + request.path,
    )
    for issue in selectors.sent_issues(newsletter)[:50]:
        atom.add_item(
            title=issue.title,
            link=base + issue.get_public_url(),
            description=issue.intro or issue.title,
            pubdate=issue.sent_at,
            unique_id=base + issue.get_public_url(),
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    atom.write(response, "utf-8")
    return response


NATIONAL = "nasjonalt"


def _creatable(user) -> list[tuple[str, str]]:
    """The communities (and the national level, for platform operators) the user may start a newsletter for."""
    from samhandling.core.permissions import is_active_user, managed_communities

    if not is_active_user(user):
        return []
    choices = [(str(c.pk), c.name) for c in managed_communities(user).order_by("name")]
    if user.is_superuser:
        choices.insert(0, (NATIONAL, str(_("National"))))
    return choices


@login_required
def newsletter_create(request: HttpRequest) -> HttpResponse:
    from samhandling.core.models import Helsefellesskap

    choices = _creatable(request.user)
    if not choices:
        raise PermissionDenied
    form = NewsletterForm(request.POST or None, communities=choices)

    def perform(data):
        value = data.pop("community")
        community = None if value == NATIONAL else Helsefellesskap.objects.filter(pk=parse_id(value)).first()
        return services.newsletter_create(actor=request.user, community=community, **data)

    if request.method == "POST":
        response = core_save_with(
            request,
            form,
            perform,
            success=_("The newsletter is started."),
            redirect_to=lambda n: reverse("newsletter:editor", args=[n.slug]),
        )
        if response is not None:
            return response
    return render(
        request, "newsletter/newsletter_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


# --- contributions ----------------------------------------------------------------------------------------------------


@login_required
def contribute(request: HttpRequest) -> HttpResponse:
    require(request.user, "newsletter.contribute")
    from .models import Issue as IssueModel

    newsletters = selectors.public_newsletters()
    open_issue_ids = [pk for n in newsletters for pk in selectors.open_issues(n).values_list("pk", flat=True)]
    issues = IssueModel.objects.filter(pk__in=open_issue_ids).select_related("newsletter").order_by("newsletter__name")
    initial = {}
    chosen = newsletters.filter(slug=request.GET.get("nyhetsbrev", "")).first()
    if chosen:
        initial["newsletter"] = chosen
    form = ContributionForm(
        request.POST or None, request.FILES or None, newsletters=newsletters, issues=issues, initial=initial
    )
    if request.method == "POST":
        response = core_save_with(
            request,
            form,
            lambda data: services.contribution_submit(actor=request.user, **data),
            success=_("Thank you. The editor will answer you by e-mail."),
            redirect_to=lambda _c: reverse("newsletter:my_contributions"),
        )
        if response is not None:
            return response
    return render(
        request, "newsletter/contribute.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def contribution_image(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_image(request.user, pk)
    response = FileResponse(contribution.image.open("rb"))
    public = contribution.issue is not None and contribution.issue.status == "sent"
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


@login_required
def my_contributions(request: HttpRequest) -> HttpResponse:
    return render(
        request, "newsletter/my_contributions.html", {"contributions": selectors.my_contributions(request.user)}
    )


# --- editors ----------------------------------------------------------------------------------------------------------


@login_required
def editor(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = selectors.newsletter_for_editor(request.user, slug)
    form = IssueForm(request.POST or None, initial={"language": newsletter.default_language})
    if request.method == "POST":
        response = core_save_with(
            request,
            form,
            lambda data: services.issue_create(actor=request.user, newsletter=newsletter, **data),
            success=_("The issue is created."),
        )
        if response is not None:
            return response
    return render(
        request,
        "newsletter/editor.html",
        {
            "newsletter": newsletter,
            "issues": newsletter.issues.all(),
            "undecided": selectors.undecided_contributions(newsletter),
            "counts": selectors.subscriber_counts(newsletter),
            "sections": newsletter.sections.all(),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def sections(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = selectors.newsletter_for_editor(request.user, slug)
    rows = [
        (
            section.pk,
            request.POST.get(f"title_{section.pk}", section.title)[:120],
            parse_id(request.POST.get(f"position_{section.pk}")) or 0,
        )
        for section in newsletter.sections.all()
    ]
    try:
        services.sections_update(
            actor=request.user, newsletter=newsletter, rows=rows, new_title=request.POST.get("new_title", "")[:120]
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The sections are saved."))
    return redirect(reverse("newsletter:editor", args=[newsletter.slug]) + "#sections-heading")


def _issue_page(request, issue: Issue, *, form=None, status=200) -> HttpResponse:
    initial = {name: getattr(issue, name) for name in services.ISSUE_FIELDS}
    form = form or IssueEditForm(initial=initial)
    return render(
        request,
        "newsletter/issue_edit.html",
        {
            "issue": issue,
            "newsletter": issue.newsletter,
            "form": form,
            "actions": ISSUE_WORKFLOW.actions_for(request.user, issue),
            "contributions": selectors.issue_contributions(issue).order_by("section__position", "position", "pk"),
            "sections": issue.newsletter.sections.all(),
            "schedule_form": ScheduleForm(),
            "test_form": TestSendForm(initial={"email": request.user.email, "language": issue.language}),
            "confirmed": selectors.subscriber_counts(issue.newsletter)["confirmed"],
            "sent": issue.deliveries.filter(status="sent").count(),
        },
        status=status,
    )


@login_required
def issue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.issue_for_editor(request.user, pk)
    if request.method != "POST":
        return _issue_page(request, issue)
    ISSUE_WORKFLOW.require(request.user, issue, "edit")
    form = IssueEditForm(request.POST)
    response = core_save_with(
        request,
        form,
        lambda data: services.issue_update(actor=request.user, issue=issue, **data),
        success=_("The issue is saved."),
    )
    return response or _issue_page(request, issue, form=form, status=400)


@login_required
@require_POST
def issue_arrange(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.issue_for_editor(request.user, pk)
    layout = []
    for contribution in selectors.issue_contributions(issue):
        section = parse_id(request.POST.get(f"section_{contribution.pk}"))
        position = parse_id(request.POST.get(f"position_{contribution.pk}")) or 0
        layout.append((contribution.pk, section, position))
    try:
        services.issue_arrange(actor=request.user, issue=issue, layout=layout)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The order is saved."))
    return redirect(issue)


@login_required
@require_POST
def issue_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    issue = selectors.issue_for_editor(request.user, pk)
    base = _base_url(request)
    try:
        if action == "datoer":
            services.issue_generate_dates(actor=request.user, issue=issue)
        elif action == "send":
            services.issue_send(actor=request.user, issue=issue, base_url=base)
        elif action == "avbryt-planlegging":
            services.issue_unschedule(actor=request.user, issue=issue)
        elif action == "avlys":
            services.issue_cancel(actor=request.user, issue=issue)
        elif action == "planlegg":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["send_at"])
            services.issue_schedule(
                actor=request.user, issue=issue, send_at=form.cleaned_data["send_at"], base_url=base
            )
        elif action == "test":
            form = TestSendForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.issue_send_test(actor=request.user, issue=issue, base_url=base, **form.cleaned_data)
        else:
            raise Http404
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Done."))
    return redirect(issue)


@login_required
def issue_preview(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The issue as e-mail (HTML or plain text) or as the web page, in bokmål or nynorsk (?sprak=)."""
    issue = selectors.issue_for_editor(request.user, pk)
    language = request.GET.get("sprak", issue.language)
    language = language if language in ("nb", "nn") else issue.language
    if fmt == "nett":
        return _render_issue_page(request, issue, preview=True, language=language)
    rendered = mail.render_issue(issue, language=language, base_url=_base_url(request))
    if fmt == "e-post":
        return HttpResponse(rendered.html.replace(mail.UNSUBSCRIBE_MARK, "#"))
    if fmt == "tekst":
        return HttpResponse(rendered.text.replace(mail.UNSUBSCRIBE_MARK, "…"), content_type="text/plain; charset=utf-8")
    raise Http404


@login_required
def contribution_decide(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_editor(request.user, pk)
    CONTRIBUTION_WORKFLOW.require(request.user, contribution, "decide")
    newsletter = contribution.newsletter
    issues = newsletter.issues.filter(status__in=["draft", "scheduled"])
    initial = {
        "title": contribution.title,
        "body": contribution.body,
        "link": contribution.link,
        "link_text": contribution.link_text,
        "issue": contribution.issue or issues.first(),
        "section": contribution.section or newsletter.sections.first(),
        "message": contribution.editor_message,
    }
    form = DecisionForm(request.POST or None, issues=issues, sections=newsletter.sections.all(), initial=initial)
    if request.method == "POST":
        response = core_save_with(
            request,
            form,
            lambda data: services.contribution_decide(actor=request.user, contribution=contribution, **data),
            success=_("The decision is saved, and the contributor is told."),
            redirect_to=lambda c: c.issue.get_absolute_url()
            if c.status == ContributionStatus.ACCEPTED
            else reverse("newsletter:editor", args=[newsletter.slug]),
        )
        if response is not None:
            return response
    return render(
        request,
        "newsletter/decide.html",
        {"contribution": contribution, "newsletter": newsletter, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def subscribers(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = selectors.newsletter_for_editor(request.user, slug)
    rows = selectors.subscribers_for(request.user, newsletter)
    if request.GET.get("format") == "csv":
        audit.record(
            actor=request.user,
            action="newsletter.subscribers.exported",
            target=newsletter,
            helsefellesskap=newsletter.helsefellesskap,
            data={"rows": rows.count()},
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([_("E-mail"), _("Name"), _("Language"), _("Status"), _("Subscribed")])
        for s in rows:
            name = "'" + s.name if s.name[:1] in ("=", "+", "-", "@") else s.name
            confirmed = timezone.localtime(s.confirmed_at).strftime("%d.%m.%Y") if s.confirmed_at else ""
            writer.writerow([s.email, name, s.language, s.get_status_display(), confirmed])
        response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="abonnenter-{newsletter.slug}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "newsletter/subscribers.html",
        {"newsletter": newsletter, "subscribers": rows.prefetch_related("history")[:500], "language": get_language()},
    )
