"""Pages of the cooperation agreements: the community's agreements with the § 6-2 coverage table, an agreement with
its versions and who has approved, a version with its clauses and what changed, the secretariat's forms, and the
public page of adopted agreements. Thin: reads through selectors, writes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core.forms import apply_service_errors
from samhandling.core.http import community_by_slug_or_redirect, save_with
from samhandling.core.permissions import can, community_organisations, require

from . import selectors, services
from .access import invited
from .forms import (
    AdoptForm,
    AgreementForm,
    ApprovalForm,
    ConsultationAgendaForm,
    ConsultationForm,
    QuestionsForm,
    RevisionForm,
    VersionForm,
)
from .models import CONSULTATION_WORKFLOW, VERSION_WORKFLOW, Approval, ConsultationStatus, VersionStatus


def _form_page(request, form, *, title: str, cancel: str, submit: str, crumbs, multipart: bool = False) -> HttpResponse:
    response = render(
        request,
        "agreements/form_page.html",
        {"form": form, "title": title, "cancel": cancel, "submit": submit, "crumbs": crumbs, "multipart": multipart},
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


def _crumbs(*extra):
    return [(_("Agreements"), reverse("agreements:agreement_list")), *extra]


def _parties(community):
    return community_organisations(community).filter(parent__isnull=True).order_by("name")


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "agreements.view_list", community)
    agreements = list(selectors.agreements_for(request.user, community))
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "community": community,
            "rows": [(a, selectors.current_version(a)) for a in agreements],
            "coverage": selectors.coverage(agreements),
            "can_create": can(request.user, "agreements.manage", community),
            "crumbs": [],
        },
    )


@login_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "agreements.manage", community)
    form = AgreementForm(request.POST or None, parties=_parties(community))
    if request.method == "POST":
        response = save_with(
            request,
            form,
            lambda data: services.agreement_create(actor=request.user, community=community, **data),
            success=_("The agreement was registered. Write its first version."),
            redirect_to=lambda agreement: reverse("agreements:version_create", args=[agreement.pk]),
        )
        if response is not None:
            return response
    return _form_page(
        request,
        form,
        title=_("New agreement"),
        cancel=reverse("agreements:agreement_list"),
        submit=_("Register the agreement"),
        crumbs=_crumbs(),
    )


def _bodies(agreement):
    from samhandling.governance.models import Body

    return Body.objects.filter(helsefellesskap=agreement.helsefellesskap, is_active=True).order_by("kind", "name")


def _approval_context(request: HttpRequest, agreement, version) -> dict:
    """Who has approved the version, who has not (and when they were reminded), and whether the user may remind."""
    approvals = selectors.approval_overview(agreement, version)
    return {
        "approvals": approvals,
        "approval_version": version,
        "can_remind": bool(version)
        and "remind" in VERSION_WORKFLOW.actions_for(request.user, version)
        and any(approval is None for _party, approval, _day in approvals),
    }


def _clause_context(request: HttpRequest, version) -> dict:
    """How often each clause of an adopted or replaced version was reported broken, and whether the user may open
    the deviation list filtered by a clause (the inbox: contact points see their own cases there)."""
    if version is None or version.status not in selectors.PUBLIC_STATUSES:
        return {"clause_reports": []}
    return {
        "clause_reports": selectors.clause_reports(version),
        "may_list_deviations": can(request.user, "deviations.view_inbox", None),
        "reported_version": version,
    }


@login_required
def agreement_detail(request: HttpRequest, pk: int, revision_form=None, status: int = 200) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, pk)
    current = selectors.current_version(agreement)
    manages = can(request.user, "agreements.manage_agreement", agreement)
    response = render(
        request,
        "agreements/agreement_detail.html",
        {
            "revision_form": (revision_form or RevisionForm(bodies=_bodies(agreement), prefix="revision"))
            if manages
            else None,
            "agreement": agreement,
            "current": current,
            "versions": agreement.shown_versions,
            **_approval_context(request, agreement, current),
            "remind_back": "agreement",
            **_clause_context(request, current),
            "manages": manages,
            "crumbs": _crumbs(),
        },
    )
    response.status_code = status
    return response


@login_required
@require_POST
def agreement_revision(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, pk)
    require(request.user, "agreements.manage_agreement", agreement)
    form = RevisionForm(request.POST, bodies=_bodies(agreement), prefix="revision")
    if form.is_valid():
        try:
            item = services.agreement_start_revision(
                actor=request.user, agreement=agreement, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The revision case is in the body's queue for its next meeting."))
            return redirect(item)
    return agreement_detail(request, pk, revision_form=form, status=400)


@login_required
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, pk)
    require(request.user, "agreements.manage_agreement", agreement)
    latest = agreement.versions.order_by("-number").first()
    form = VersionForm(request.POST or None, initial={"text": services.version_text(latest)} if latest else None)
    if request.method == "POST":
        response = save_with(
            request,
            form,
            lambda data: services.version_create(actor=request.user, agreement=agreement, **data),
            success=_("The version was saved as a draft."),
        )
        if response is not None:
            return response
    return _form_page(
        request,
        form,
        title=_("New version of “%(agreement)s”") % {"agreement": agreement.title},
        cancel=agreement.get_absolute_url(),
        submit=_("Save the draft"),
        crumbs=_crumbs((agreement.title, agreement.get_absolute_url())),
    )


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(request.user, pk)
    require(request.user, "agreements.manage_agreement", version)
    if not version.is_editable:
        messages.error(request, _("Only a draft can be changed: write a new version instead."))
        return redirect(version)
    form = VersionForm(request.POST or None, initial={"text": services.version_text(version), "reason": version.reason})
    if request.method == "POST":
        response = save_with(
            request,
            form,
            lambda data: services.version_update(actor=request.user, version=version, **data),
            success=_("The draft was saved."),
        )
        if response is not None:
            return response
    return _form_page(
        request,
        form,
        title=_("Edit version %(number)s") % {"number": version.number},
        cancel=version.get_absolute_url(),
        submit=_("Save the draft"),
        crumbs=_crumbs((version.agreement.title, version.agreement.get_absolute_url())),
    )


def _version_page(request, version, status=200, **forms) -> HttpResponse:
    manages = can(request.user, "agreements.manage_agreement", version)
    earlier = (
        version.agreement.versions.filter(
            number__lt=version.number,
            status__in=selectors.visible_statuses(request.user, version.agreement.helsefellesskap),
        )
        .order_by("-number")
        .first()
    )
    context = {
        "version": version,
        "agreement": version.agreement,
        "clauses": version.clauses.all(),
        "earlier": earlier,
        "diff": selectors.diff_lines(earlier, version),
        "actions": VERSION_WORKFLOW.actions_for(request.user, version),
        "manages": manages,
        **_approval_context(request, version.agreement, version),
        **_clause_context(request, version),
        "crumbs": _crumbs((version.agreement.title, version.agreement.get_absolute_url())),
    }
    if manages:
        parties = version.agreement.parties.exclude(pk__in=version.approvals.values("party")).order_by("name")
        context["adopt_form"] = forms.get("adopt_form") or AdoptForm(prefix="adopt")
        context["approval_form"] = forms.get("approval_form") or ApprovalForm(parties=parties, prefix="approval")
    response = render(request, "agreements/version_detail.html", context)
    response.status_code = status
    return response


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_page(request, selectors.version_for(request.user, pk))


@login_required
@require_POST
def version_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    version = selectors.version_for(request.user, pk)
    require(request.user, "agreements.manage_agreement", version)
    targets = {"til-horing": VersionStatus.HEARING, "til-utkast": VersionStatus.DRAFT}
    return _move_and_return(
        request, version, targets, action, lambda to: services.version_move(actor=request.user, version=version, to=to)
    )


def _move_and_return(request: HttpRequest, obj, targets: dict, action: str, move) -> HttpResponse:
    """A workflow button: the action's word in the address names the target status; the service's refusal is shown
    as a message on the object's page, where the user pressed it."""
    if action not in targets:
        raise Http404
    try:
        move(targets[action])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect(obj)


@login_required
@require_POST
def version_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(request.user, pk)
    require(request.user, "agreements.manage_agreement", version)
    form = AdoptForm(request.POST, prefix="adopt")
    if form.is_valid():
        try:
            services.version_adopt(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The adoption was recorded."))
            return redirect(version)
    return _version_page(request, version, 400, adopt_form=form)


@login_required
@require_POST
def approval_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for(request.user, pk)
    require(request.user, "agreements.manage_agreement", version)
    form = ApprovalForm(request.POST, request.FILES, parties=version.agreement.parties.all(), prefix="approval")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.approval_record(
                actor=request.user,
                version=version,
                party=data["party"],
                approved_by=data["approved_by"],
                approved_on=data["approved_on"],
                upload=data.get("signed_copy"),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The approval was recorded."))
            return redirect(version)
    return _version_page(request, version, 400, approval_form=form)


@login_required
@require_POST
def approval_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind every party that has not approved the adopted version (once a day per party)."""
    version = selectors.version_for(request.user, pk)
    require(request.user, "agreements.manage_agreement", version)
    try:
        made = services.approval_remind(actor=request.user, version=version, base_url=request.build_absolute_uri("/"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if made:
            names = ", ".join(reminder.party.name for reminder in made)
            messages.success(
                request, _("The parties that have not approved were reminded: %(parties)s.") % {"parties": names}
            )
            nobody = [reminder.party.name for reminder in made if not reminder.recipients.exists()]
            if nobody:
                messages.warning(
                    request,
                    _("Nobody could be reminded at %(parties)s: register a leader or a seat in a body for the party.")
                    % {"parties": ", ".join(nobody)},
                )
        else:
            messages.info(request, _("The parties that have not approved were already reminded today."))
    return redirect(version.agreement if request.POST.get("back") == "agreement" else version)


def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's adopted agreements in full, with earlier versions (as Helsedirektoratet expects)."""
    community = community_by_slug_or_redirect(request, slug)
    return render(
        request,
        "agreements/public_list.html",
        {"community": community, "agreements": selectors.agreements_for(None, community, public=True)},
    )


@login_required
def signed_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed copy of a party's approval, for whoever may read the version."""
    approval = Approval.objects.select_related("version__agreement__helsefellesskap").filter(pk=pk).first()
    if (
        approval is None
        or not approval.signed_copy
        or not can(request.user, "agreements.view_version", approval.version)
    ):
        raise Http404
    response = FileResponse(
        approval.signed_copy.open("rb"), as_attachment=True, filename=f"signert-{approval.party_id}-{approval.pk}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Høringssvar ---------------------------------------------------------------------------------------------------


def _consultation_crumbs(*extra):
    return [(_("Consultations"), reverse("agreements:consultation_list")), *extra]


def _invitable_bodies(community):
    from samhandling.governance.models import Body

    return Body.objects.filter(helsefellesskap=community, is_active=True).order_by("kind", "name")


def _consultation_meetings(consultation):
    """Upcoming meetings of the community's SSU and partnership meeting: where the response is approved (the same
    meetings the action plan's status report goes to)."""
    from samhandling.governance.selectors import upcoming_steering_meetings

    return upcoming_steering_meetings(consultation.helsefellesskap)


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "agreements.view_consultations", community)
    return render(
        request,
        "agreements/consultation_list.html",
        {
            "community": community,
            "consultations": selectors.consultations_for(request.user, community),
            "can_create": can(request.user, "agreements.manage_consultations", community),
            "crumbs": [],
        },
    )


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "agreements.manage_consultations", community)
    form = ConsultationForm(
        request.POST or None,
        request.FILES or None,
        bodies=_invitable_bodies(community),
        organisations=_parties(community),
    )
    if request.method == "POST":
        response = save_with(
            request,
            form,
            lambda data: services.consultation_create(actor=request.user, community=community, **data),
            success=_("The consultation is open for input."),
        )
        if response is not None:
            return response
    return _form_page(
        request,
        form,
        title=_("New consultation"),
        cancel=reverse("agreements:consultation_list"),
        submit=_("Open the consultation"),
        crumbs=_consultation_crumbs(),
        multipart=True,
    )


@login_required
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for(request.user, pk)
    require(request.user, "agreements.manage_consultation", consultation)
    if not CONSULTATION_WORKFLOW.allows(request.user, consultation, "edit"):
        messages.error(request, _("A sent or archived response is not changed."))
        return redirect(consultation)
    fields = ("title", "external_body", "document_url", "external_deadline", "internal_deadline")
    initial = {name: getattr(consultation, name) for name in fields}
    initial["invited_bodies"] = list(consultation.invited_bodies.all())
    initial["invited_organisations"] = list(consultation.invited_organisations.all())
    community = consultation.helsefellesskap
    form = ConsultationForm(
        request.POST or None,
        bodies=_invitable_bodies(community),
        organisations=_parties(community),
        editing=consultation,
        initial=initial,
    )
    if request.method == "POST":
        response = save_with(
            request,
            form,
            lambda data: services.consultation_update(actor=request.user, consultation=consultation, **data),
            success=_("The consultation was saved."),
        )
        if response is not None:
            return response
    return _form_page(
        request,
        form,
        title=_("Edit the consultation"),
        cancel=consultation.get_absolute_url(),
        submit=_("Save"),
        crumbs=_consultation_crumbs((consultation.title, consultation.get_absolute_url())),
    )


def _consultation_page(request, consultation, status: int = 200, **forms) -> HttpResponse:
    questions = selectors.questions_with_inputs(consultation, request.user)
    actions = CONSULTATION_WORKFLOW.actions_for(request.user, consultation)
    may_read = can(request.user, "agreements.view_inputs", consultation)
    context = {
        "consultation": consultation,
        "questions": questions,
        "actions": actions,
        "may_read_inputs": may_read,
        # The response being composed is read by those who read the inputs; once sent, by every member.
        "show_response": may_read or consultation.status != ConsultationStatus.OPEN,
        "invited": invited(request.user, consultation),
        "has_response": any(q.response for q in questions),
        "crumbs": _consultation_crumbs(),
    }
    if actions.give_input:
        context["input_form"] = forms.get("input_form") or QuestionsForm(
            questions=questions,
            label=_("Your input"),
            initial={f"q{q.pk}": q.own_input for q in questions},
            prefix="input",
        )
    if actions.agenda:
        context["agenda_form"] = forms.get("agenda_form") or ConsultationAgendaForm(
            meetings=_consultation_meetings(consultation), prefix="agenda"
        )
    response = render(request, "agreements/consultation_detail.html", context)
    response.status_code = status
    return response


@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _consultation_page(request, selectors.consultation_for(request.user, pk))


@login_required
@require_POST
def consultation_input(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for(request.user, pk)
    CONSULTATION_WORKFLOW.require(request.user, consultation, "give_input")
    form = QuestionsForm(request.POST, questions=list(consultation.questions.all()), label="", prefix="input")
    if form.is_valid():
        try:
            services.consultation_give_input(actor=request.user, consultation=consultation, answers=form.texts())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your input was saved. You can change it until the deadline."))
            return redirect(consultation)
    return _consultation_page(request, consultation, 400, input_form=form)


@login_required
def consultation_compose(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for(request.user, pk)
    require(request.user, "agreements.manage_consultation", consultation)
    if not CONSULTATION_WORKFLOW.allows(request.user, consultation, "compose"):
        messages.error(request, _("A sent or archived response is not changed."))
        return redirect(consultation)
    questions = selectors.questions_with_inputs(consultation, request.user)
    form = QuestionsForm(
        request.POST or None,
        questions=questions,
        label=_("The joint response"),
        initial={f"q{q.pk}": q.response for q in questions},
    )
    if request.method == "POST":
        response = save_with(
            request,
            form,
            lambda data: services.consultation_compose(
                actor=request.user, consultation=consultation, responses=form.texts()
            ),
            success=_("The joint response was saved."),
        )
        if response is not None:
            return response
    response = render(
        request,
        "agreements/consultation_compose.html",
        {
            "consultation": consultation,
            "rows": [(question, form[f"q{question.pk}"]) for question in questions],
            "form": form,
            "crumbs": _consultation_crumbs((consultation.title, consultation.get_absolute_url())),
        },
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


@login_required
@require_POST
def consultation_to_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_for(request.user, pk)
    require(request.user, "agreements.manage_consultation", consultation)
    form = ConsultationAgendaForm(request.POST, meetings=_consultation_meetings(consultation), prefix="agenda")
    if form.is_valid():
        try:
            item = services.consultation_to_agenda(
                actor=request.user,
                consultation=consultation,
                meeting=form.cleaned_data["meeting"],
                fmt=form.cleaned_data["fmt"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The response was put on the agenda as a decision item."))
            return redirect(item)
    return _consultation_page(request, consultation, 400, agenda_form=form)


@login_required
@require_POST
def consultation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    consultation = selectors.consultation_for(request.user, pk)
    require(request.user, "agreements.manage_consultation", consultation)
    targets = {"sendt": ConsultationStatus.SENT, "arkiver": ConsultationStatus.ARCHIVED}
    return _move_and_return(
        request,
        consultation,
        targets,
        action,
        lambda to: services.consultation_move(actor=request.user, consultation=consultation, to=to),
    )


@login_required
def consultation_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The document consulted on, for whoever may read the consultation."""
    consultation = selectors.consultation_for(request.user, pk)
    if not consultation.document:
        raise Http404
    extension = consultation.document.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        consultation.document.open("rb"), as_attachment=True, filename=f"horingsdokument-{consultation.pk}.{extension}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def consultation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The joint response as PDF or DOCX: the secretariat and the invited while it is composed, every member of the
    community once it is sent."""
    from . import documents

    consultation = selectors.consultation_for(request.user, pk)
    if fmt not in documents.FORMATS:
        raise Http404
    if consultation.status == ConsultationStatus.OPEN:
        require(request.user, "agreements.view_inputs", consultation)
    response = HttpResponse(
        documents.consultation_response(consultation, fmt), content_type=documents.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{documents.response_filename(consultation, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response
