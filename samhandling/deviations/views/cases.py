"""The case and its lists: report and edit a draft, my reports, the inbox, cases from my units, the case page with
the actions the deviation workflow offers this user now, and the patient identity on click (audit-logged)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samhandling.core import clauses
from samhandling.core.http import save_with
from samhandling.core.models import Helsefellesskap, Organisation, User
from samhandling.core.permissions import can, require

from .. import selectors, services
from ..access import access_for, with_units
from ..forms import (
    AcknowledgeForm,
    ClassifyForm,
    InboxFilterForm,
    MeasureForm,
    RedirectForm,
    ReportForm,
    TextForm,
)
from ..models import WORKFLOW, CaseEvent, Category, Deviation, EventKind, Status


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# What the case page and its actions read of the four organisations joined in (name, place in the tree, type): the
# organisations' other ten columns each were a third of the query's columns, fetched and converted for nothing.
# Another field read from them would cost a query of its own; the case page tests count the queries for every role.
# (PostgreSQL's planning of the seven-table query, about 1.2 ms, barely changes: it is the join search, not the
# columns, and the joins are needed.)
CASE_UNIT_FIELDS = ("name", "short_name", "type", "parent_id", "root_id", "is_active")
CASE_UNITS = ("reporter_unit", "reporter_unit__parent", "receiver", "receiver__parent")


def case_queryset():
    """Cases with what the case page shows of them: the two organisations and their parents, the category and the
    community (the people come in a second, trivial query: eight joins cost more to plan than to run)."""
    return Deviation.objects.select_related(
        "reporter_unit__parent", "receiver__parent", "category", "helsefellesskap"
    ).only(
        *(field.name for field in Deviation._meta.concrete_fields),
        *(f"{unit}__{field}" for unit in CASE_UNITS for field in CASE_UNIT_FIELDS),
        *(f"category__{field.name}" for field in Category._meta.concrete_fields),
        *(f"helsefellesskap__{field.name}" for field in Helsefellesskap._meta.concrete_fields),
    )


def visible_case_or_404(request: HttpRequest, pk: int) -> Deviation:
    """The case if the user may see it; 404 otherwise (its existence is not revealed)."""
    case = get_object_or_404(case_queryset(), pk=pk)
    if not can(request.user, "deviations.view", case):
        raise Http404
    people = User.objects.in_bulk({pk for pk in (case.reporter_id, case.handler_id) if pk})
    if case.reporter_id:
        case.reporter = people[case.reporter_id]
    if case.handler_id:
        case.handler = people[case.handler_id]
    return case


# --- reporting ------------------------------------------------------------------------------------------------------


def _report_form(request: HttpRequest, case: Deviation | None, data=None) -> ReportForm:
    access = access_for(request.user)
    units = Organisation.objects.filter(pk__in=access.member_units, is_active=True).select_related("parent")
    community = case.helsefellesskap if case else request.helsefellesskap
    if not community:
        raise PermissionDenied
    services.settings_for(community)  # makes sure the community's starting categories exist
    initial = {}
    offered = clauses.clauses_for(community)
    if case is not None:
        initial = {name: getattr(case, name) for name in services.REPORT_FIELDS}
        initial["clause"] = case.clause_id
        if case.clause_id and case.clause_id not in {ref.pk for ref in offered}:
            offered += clauses.describe([case.clause_id]).values()  # named before a newer version replaced it
    elif units.count() == 1:
        initial["reporter_unit"] = units.first()
    receivers = selectors.receivers_for(community)
    own_roots = set(units.values_list("root_id", flat=True))
    if len(own_roots) == 1:  # a deviation is about another organisation: one's own units are not offered
        receivers = receivers.exclude(pk__in=with_units(own_roots))
    return ReportForm(
        data,
        initial=initial,
        units=units.order_by("root__name", "name"),
        receivers=receivers,
        categories=selectors.categories_for(community),
        has_patient=bool(case and case.has_patient_identity),
        clauses=offered,
    )


def _sent_message(case: Deviation) -> str:
    if case.status == Status.AWAITING_LEADER:
        return _("The report was sent to your leader to be completed.")
    return _("The deviation %(reference)s was sent to %(receiver)s.") % {
        "reference": case.reference,
        "receiver": case.receiver.name,
    }


def _save_report(request: HttpRequest, case: Deviation | None) -> HttpResponse:
    form = _report_form(request, case, request.POST or None)
    sending = "send" in request.POST

    def save(data: dict) -> Deviation:
        saved = services.deviation_save_draft(actor=request.user, data=data, case=case)
        if sending:
            saved = services.deviation_send(actor=request.user, case=saved, base_url=_base_url(request))
        return saved

    if request.method == "POST":
        response = save_with(
            request,
            form,
            save,
            success=_sent_message if sending else _("The draft was saved. It has not been sent."),
        )
        if response is not None:
            return response
    return render(request, "deviations/report.html", {"form": form, "case": case, "tab": "report"})


@login_required
def report(request: HttpRequest) -> HttpResponse:
    require(request.user, "deviations.report", None)
    return _save_report(request, None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case_or_404(request, pk)
    require(request.user, "deviations.edit_draft", case)
    return _save_report(request, case)


# --- lists ----------------------------------------------------------------------------------------------------------


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_reports(request.user), 25).get_page(request.GET.get("side"))
    return render(request, "deviations/list.html", {"page": page, "tab": "mine", "today": timezone.localdate()})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, "deviations.view_inbox", None)
    community = request.helsefellesskap
    categories = selectors.categories_for(community) if community else None
    clause_refs = clauses.clauses_for(community, in_force_only=False)
    filters = None
    chosen: dict = {}
    if request.GET:
        filters = _inbox_filter_form(request, categories, clause_refs)
        filters.is_valid()  # a value that is not offered is refused at its field; the valid ones still filter
        chosen = filters.cleaned_data
    filters_html = _inbox_filters(request, filters, categories, clause_refs)
    status = chosen["status"] if "status" in request.GET and "status" in chosen else "open"
    cases = selectors.inbox(
        request.user,
        status=status,
        overdue_only=bool(chosen.get("overdue")),
        query=chosen.get("q", ""),
        category=chosen.get("category"),
        clause=chosen.get("clause"),
        direction=chosen.get("direction", ""),
        start=chosen.get("start"),
        end=chosen.get("end"),
        order=chosen.get("order", ""),
    )
    # The filters and sort order stay in the pagination links.
    query = request.GET.copy()
    query.pop("side", None)
    query = query.urlencode()
    side = request.GET.get("side", "")
    key = selectors.inbox_cache_key(request.user, f"{get_language()}|{query}|{side}")
    table = cache.get(key)
    if table is None:
        context = {
            "page": Paginator(cases, 25).get_page(side),
            "tab": "inbox",
            "today": timezone.localdate(),
            "query": query,
        }
        table = render_to_string("deviations/_case_table.html", context, request=request)
        cache.set(key, table, selectors.INBOX_CACHE_SECONDS)
    return render(request, "deviations/list.html", {"table": table, "tab": "inbox", "filters_html": filters_html})


def _inbox_filter_form(request: HttpRequest, categories, clause_refs) -> InboxFilterForm:
    return InboxFilterForm(request.GET or None, initial={"status": "open"}, categories=categories, clauses=clause_refs)


def _inbox_filters(request: HttpRequest, filters: InboxFilterForm | None, categories, clause_refs) -> str:
    """The filters' HTML, kept per community's choices, language and query: rendering them was a third of the
    inbox's CPU. The key holds everything they show (the categories and clauses as they are now, the query as
    typed, errors included), so a renamed category or a new clause is shown at once. The form is built only when
    the user filtered (its values decide the cases) or the HTML is missing."""
    offered = (
        list(categories.values_list("pk", "code", "name_nb", "name_nn", "order")) if categories is not None else None,
        [(ref.pk, ref.agreement, ref.label) for ref in clause_refs],
    )
    query = sorted((name, values) for name, values in request.GET.lists() if name != "side")
    key = "deviations-inbox-filters:" + hashlib.sha256(repr((get_language(), offered, query)).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        form = filters or _inbox_filter_form(request, categories, clause_refs)
        html = render_to_string("deviations/_inbox_filters.html", {"filters": form}, request=request)
        cache.set(key, html, selectors.INBOX_CACHE_SECONDS)
    return html


@login_required
def from_my_units(request: HttpRequest) -> HttpResponse:
    require(request.user, "deviations.view_units", None)
    page = Paginator(selectors.sent_from_my_units(request.user), 25).get_page(request.GET.get("side"))
    return render(request, "deviations/list.html", {"page": page, "tab": "units", "today": timezone.localdate()})


# --- the case page and its actions ----------------------------------------------------------------------------------


def _handlers_for(case: Deviation):
    return User.objects.filter(
        memberships__organisation__in=with_units({case.receiver.root_id}), is_active=True
    ).distinct()


def _redirect_targets(case: Deviation):
    return selectors.receivers_for(case.helsefellesskap).exclude(pk=case.receiver_id)


def _no_fields(data=None, **kwargs) -> forms.Form:
    return forms.Form(data, **kwargs)


@dataclass(frozen=True)
class CaseAction:
    """How the case page offers one workflow action: its form, the service it calls and what it tells the user."""

    form: Callable[..., forms.BaseForm]
    perform: Callable[[HttpRequest, Deviation, dict], Any]
    done: Callable[[Deviation, Any], str]
    label: Any = None  # the text field's label, for the actions that use TextForm
    optional_text: bool = False
    main: bool = True  # main actions are shown open; the others are folded and loaded when opened


def _reference(case: Deviation) -> dict:
    return {"reference": case.reference or case.title}


CASE_ACTIONS: dict[str, CaseAction] = {
    "complete": CaseAction(
        TextForm,
        lambda r, c, d: services.deviation_complete(
            actor=r.user, case=c, addendum=d.get("text", ""), base_url=_base_url(r)
        ),
        lambda c, result: _("The deviation %(reference)s was completed and sent to %(receiver)s.")
        % {**_reference(result), "receiver": result.receiver.name},
        label=gettext_lazy("Addendum from the leader"),
        optional_text=True,
    ),
    "reply": CaseAction(
        TextForm,
        lambda r, c, d: services.deviation_give_information(
            actor=r.user, case=c, text=d["text"], base_url=_base_url(r)
        ),
        lambda c, result: _("Your answer was sent to %(receiver)s.") % {"receiver": result.receiver.name},
        label=gettext_lazy("Your answer to the receiver"),
    ),
    "acknowledge": CaseAction(
        AcknowledgeForm,
        lambda r, c, d: services.deviation_acknowledge(
            actor=r.user, case=c, handler=d.get("handler"), base_url=_base_url(r)
        ),
        lambda c, result: _("The deviation is acknowledged as received and assigned to %(handler)s.")
        % {"handler": result.handler},
    ),
    "review": CaseAction(
        _no_fields,
        lambda r, c, d: services.deviation_start_review(actor=r.user, case=c),
        lambda c, result: _("The deviation is marked as under review."),
    ),
    "request_info": CaseAction(
        TextForm,
        lambda r, c, d: services.deviation_request_information(
            actor=r.user, case=c, question=d["text"], base_url=_base_url(r)
        ),
        lambda c, result: _("Your question was sent to the reporter. The case waits for the answer."),
        label=gettext_lazy("What do you need to know?"),
    ),
    "answer": CaseAction(
        TextForm,
        lambda r, c, d: services.deviation_answer(actor=r.user, case=c, answer=d["text"], base_url=_base_url(r)),
        lambda c, result: _("The answer was sent to the reporter."),
        label=gettext_lazy("Answer to the reporter"),
    ),
    "close": CaseAction(
        _no_fields,
        lambda r, c, d: services.deviation_close(actor=r.user, case=c, base_url=_base_url(r)),
        lambda c, result: _("The deviation is closed."),
    ),
    "reopen": CaseAction(
        TextForm,
        lambda r, c, d: services.deviation_reopen(actor=r.user, case=c, reason=d["text"]),
        lambda c, result: _("The deviation is reopened."),
        label=gettext_lazy("Why is it reopened?"),
        main=False,
    ),
    "redirect": CaseAction(
        RedirectForm,
        lambda r, c, d: services.deviation_redirect(
            actor=r.user, case=c, receiver=d["receiver"], reason=d["text"], base_url=_base_url(r)
        ),
        lambda c, result: _("The deviation was sent on to %(receiver)s.") % {"receiver": result.receiver.name},
        main=False,
    ),
    "classify": CaseAction(
        ClassifyForm,
        lambda r, c, d: services.deviation_classify(
            actor=r.user, case=c, status=d["status"], reason=d["text"], base_url=_base_url(r)
        ),
        lambda c, result: _("The deviation is marked “%(status)s” and left out of the statistics.")
        % {"status": result.get_status_display()},
        main=False,
    ),
    "measure": CaseAction(
        MeasureForm,
        lambda r, c, d: services.deviation_add_measure(actor=r.user, case=c, **d),
        lambda c, result: _("The measure was recorded."),
        main=False,
    ),
    "addendum": CaseAction(
        TextForm,
        lambda r, c, d: services.deviation_add_addendum(actor=r.user, case=c, text=d["text"]),
        lambda c, result: _("The addendum was added to the case."),
        label=gettext_lazy("Addendum"),
        main=False,
    ),
    "withdraw": CaseAction(
        TextForm,
        lambda r, c, d: services.deviation_withdraw(actor=r.user, case=c, reason=d["text"]),
        lambda c, result: _("The deviation is withdrawn."),
        label=gettext_lazy("Why is it withdrawn?"),
        main=False,
    ),
    "send": CaseAction(
        _no_fields,
        lambda r, c, d: services.deviation_send(actor=r.user, case=c, base_url=_base_url(r)),
        lambda c, result: _sent_message(result),
    ),
}
# Offered on the case page in this order; "send" lives in the draft box.
PAGE_ACTIONS = [name for name in CASE_ACTIONS if name != "send"]


def _action_form(name: str, case: Deviation, data=None) -> forms.BaseForm:
    action = CASE_ACTIONS[name]
    kwargs: dict[str, Any] = {"prefix": name}
    if action.form is AcknowledgeForm:
        kwargs["handlers"] = _handlers_for(case)
    if action.form is RedirectForm:
        kwargs["receivers"] = _redirect_targets(case)
    if action.form is TextForm and action.label:
        kwargs["label"] = action.label
    form = action.form(data, **kwargs)
    if action.optional_text:
        form.fields["text"].required = False
    return form


# An empty main form that offers no choices of the case's (every one but acknowledge's handlers) is the same HTML for
# every case: it is rendered once per action and language in each process (it was a tenth of the case page's CPU).
_RENDERED_FORMS: dict[tuple[str, str], str] = {}


def _main_form(name: str, case: Deviation) -> forms.BaseForm | str:
    """The form of a main action, empty: the form, or its HTML where it does not depend on the case."""
    if CASE_ACTIONS[name].form in (AcknowledgeForm, RedirectForm):
        return _action_form(name, case)
    key = (name, get_language())
    if key not in _RENDERED_FORMS:
        _RENDERED_FORMS[key] = _action_form(name, case).render()
    return _RENDERED_FORMS[key]


def _offered(request: HttpRequest, case: Deviation, bound: dict | None = None) -> list[tuple[str, Any, bool]]:
    """(action, form or None, main?) for the actions the workflow offers this user now. The main actions come with
    their forms; the folded ones get theirs when opened (htmx), unless one was just posted with errors."""
    bound = bound or {}
    allowed = WORKFLOW.actions_for(request.user, case)
    offered = []
    for name in PAGE_ACTIONS:
        if name not in allowed:
            continue
        action = CASE_ACTIONS[name]
        if name in bound:
            form = bound[name]
        elif action.main:
            form = _main_form(name, case)
        else:
            form = None  # loaded on demand
        offered.append((name, form, action.main))
    return offered


def _case_context(request: HttpRequest, case: Deviation, bound: dict | None = None) -> dict:
    access = access_for(request.user)
    actions = WORKFLOW.actions_for(request.user, case)
    show_reporter = not case.reporter_hidden or access.is_reporter(case) or access.is_leader(case)
    # The history shows each actor's name and the organisation's: only those columns (planning grows with them).
    events = list(
        case.events.select_related("actor", "organisation").only(
            *(field.name for field in CaseEvent._meta.concrete_fields),
            "actor__first_name",
            "actor__last_name",
            "actor__username",
            "organisation__name",
        )
    )
    # The receiver's open question stands at the top of the page, with the reply box under it.
    question = next((e for e in reversed(events) if e.kind == EventKind.INFO_REQUEST), None) if actions.reply else None
    offered = _offered(request, case, bound)
    forms_by_action = {name: form for name, form, _main in offered}  # None until a folded one is opened
    if question is not None:  # the reply box goes under the question, not among the other actions
        offered = [entry for entry in offered if entry[0] != "reply"]
    clause = clauses.describe([case.clause_id]).get(case.clause_id) if case.clause_id else None
    return {
        "clause_label": clause.label if clause else "",
        "case": case,
        "actions": actions,
        "events": events,
        "measures": case.measures.all(),
        "offered": offered,
        "forms": forms_by_action,
        "reply_form": forms_by_action.get("reply") if question is not None else None,
        "open_question": question,
        "show_reporter": show_reporter,
        "can_reveal": case.has_patient_identity and actions.reveal_patient,
        "can_edit": actions.send,
        "overdue": case.is_overdue(),
        "crumbs": [(_("Deviations"), "/avvik/"), (case.title, "")],
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case_or_404(request, pk)
    return render(request, "deviations/detail.html", _case_context(request, case))


@login_required
@require_GET
def action_form(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The form of one folded action, fetched when the user opens it (so the case page renders fast)."""
    case = visible_case_or_404(request, pk)
    if action not in PAGE_ACTIONS or action not in WORKFLOW.actions_for(request.user, case):
        raise Http404
    form = _action_form(action, case)
    if not request.htmx:  # without JavaScript: the case page with this form open
        return render(request, "deviations/detail.html", _case_context(request, case, {action: form}))
    return render(
        request,
        "deviations/_action_form.html",
        {"case": case, "action": action, "form": form, "main": CASE_ACTIONS[action].main},
    )


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One endpoint for the case's actions; the service decides whether the user may."""
    case = visible_case_or_404(request, pk)
    if action not in CASE_ACTIONS:
        raise Http404
    handler = CASE_ACTIONS[action]
    form = _action_form(action, case, request.POST)
    if not form.fields:
        # Nothing to type: a refusal is a message on the case page, not a form to correct.
        try:
            result = handler.perform(request, case, {})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, handler.done(case, result))
        return redirect(case)
    done: list[str] = []

    def perform(data: dict) -> Deviation:
        result = handler.perform(request, case, data)
        done.append(handler.done(case, result))
        return case

    response = save_with(request, form, perform, success=lambda _case: done[0])
    if response is not None:
        return response
    case.refresh_from_db()
    response = render(request, "deviations/detail.html", _case_context(request, case, {action: form}))
    response.status_code = 400
    return response


@login_required
@require_POST
def reveal_patient(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case_or_404(request, pk)
    identity = services.deviation_reveal_patient(actor=request.user, case=case)
    if request.htmx:
        response = render(request, "deviations/_patient.html", {"identity": identity, "case": case})
    else:
        response = render(request, "deviations/detail.html", {**_case_context(request, case), "identity": identity})
    response["Cache-Control"] = "no-store"
    return response
