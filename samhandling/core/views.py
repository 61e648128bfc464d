"""Thin views for the core: front page, account, the community directory and the administration pages.

Views read through selectors and write through services; permission is checked with `core.permissions`.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import audit, selectors, services, sessions, signin_views, twofactor
from .charts import population_pyramid
from .forms import (
    AuditFilterForm,
    LanguageForm,
    LoginForm,
    MembershipForm,
    OrganisationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreateForm,
    UserUpdateForm,
    apply_service_errors,
)
from .http import community_by_slug_or_redirect, id_or_404
from .middleware import SESSION_COMMUNITY_KEY
from .models import Helsefellesskap, Membership, Organisation, OrganisationType, Role, User
from .permissions import (
    can,
    communities_of,
    communities_of_organisation,
    community_organisations,
    managed_communities,
    require,
)
from .todo import todo_for


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- front page and account ---------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"todo": todo_for(request.user)})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.SAMHANDLING_PASSWORD_LOGIN:
            raise PermissionDenied  # this installation signs in through its identity providers only
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            providers=signin_views.login_providers(self.request),
            password_login=settings.SAMHANDLING_PASSWORD_LOGIN,
            **kwargs,
        )


class LogoutView(auth_views.LogoutView):
    """Log out here, and at the identity provider when the person signed in through one."""

    def post(self, request, *args, **kwargs):
        if request.GET.get("reason") == "idle" and request.user.is_authenticated:
            # The page's own idle time-out: log out here only, and say why on the log-in page.
            sessions.log_out_for(request, "idle")
            return HttpResponseRedirect(reverse("login"))
        signed_in_with = request.session.get(signin_views.SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        provider_url = signin_views.provider_logout_url(request, signed_in_with)
        if not provider_url:
            return response
        # A page that moves on by itself, not a redirect: the CSP's form-action 'self' stops a form post from being
        # redirected to another origin, and the provider's end-session address is not known when the CSP is set.
        context = {"provider_url": provider_url, "provider_label": signin_views.provider_label(signed_in_with)}
        return render(request, "registration/logged_out_provider.html", context)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_change_password(actor=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("account")
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": selectors.user_memberships(request.user),
        "two_factor": twofactor.has_two_factor(request.user),
    }
    return render(request, "core/account.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch between bokmål and nynorsk: stored on the user when logged in, and in a cookie for everyone."""
    form = LanguageForm(request.POST)
    next_url = _safe_next(request, reverse("home"))
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(actor=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
    return response


@login_required
@require_POST
def switch_helsefellesskap(request: HttpRequest) -> HttpResponse:
    community = communities_of(request.user).filter(pk=id_or_404(request.POST.get("helsefellesskap"))).first()
    if community is None:
        raise Http404
    request.session[SESSION_COMMUNITY_KEY] = community.pk
    messages.success(request, _("You are now working in %(name)s.") % {"name": community.name})
    return HttpResponseRedirect(_safe_next(request, reverse("home")))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def dispatch(self, request, *args, **kwargs):
        if not settings.SAMHANDLING_PASSWORD_LOGIN:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


# --- the community directory --------------------------------------------------------------------------------------


@login_required
def helsefellesskap_list(request: HttpRequest) -> HttpResponse:
    summaries = selectors.community_directory()
    years = selectors.population_years()
    totals = {year: sum(s.population.get(year, 0) for s in summaries) for year in years}
    return render(
        request,
        "core/helsefellesskap_list.html",
        {
            "summaries": summaries,
            "years": years,
            "totals": totals,
            "municipality_total": sum(s.municipality_count for s in summaries),
        },
    )


@login_required
def helsefellesskap_detail(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_by_slug_or_redirect(
        request, slug, Helsefellesskap.objects.select_related("regional_health_authority")
    )
    context = {"community": community, **selectors.community_detail(community)}
    return render(request, "core/helsefellesskap_detail.html", context)


def _area_page(request: HttpRequest, area: Organisation) -> HttpResponse:
    profile = selectors.area_profile(area)
    chart = None
    if profile["bands"]:
        chart = population_pyramid(
            profile["bands"],
            title=_("Residents of %(area)s by age and sex, 1 January %(year)s")
            % {"area": area.name, "year": profile["latest_year"]},
        )
    return render(request, "core/area_detail.html", {"area": area, "chart": chart, **profile})


@login_required
def municipality_detail(request: HttpRequest, number: str) -> HttpResponse:
    area = get_object_or_404(Organisation, type=OrganisationType.KOMMUNE, municipality_number=number)
    return _area_page(request, area)


@login_required
def district_detail(request: HttpRequest, number: str) -> HttpResponse:
    area = get_object_or_404(
        Organisation.objects.select_related("parent"), type=OrganisationType.BYDEL, district_number=number
    )
    return _area_page(request, area)


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("parent", "root"), pk=pk)
    if organisation.type in (OrganisationType.KOMMUNE, OrganisationType.BYDEL):
        return redirect(organisation)
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "units": selectors.organisation_tree(organisation),
            "communities": communities_of_organisation(organisation).order_by("name"),
            "can_manage": can(request.user, "core.manage_organisation", organisation),
        },
    )


# --- administration: organisations, users, audit log --------------------------------------------------------------


def _managed_current(request: HttpRequest) -> Helsefellesskap:
    """The community the user is working in, if they manage it; 403 otherwise."""
    community = request.helsefellesskap
    if not community or not can(request.user, "core.manage_community", community):
        other = managed_communities(request.user).order_by("name").first()
        if other is None:
            raise PermissionDenied
        community = other
    return community


def _organisation_in(community: Helsefellesskap, pk: int) -> Organisation:
    """An organisation of the managed community, or 404: another community's units are not even named."""
    return get_object_or_404(community_organisations(community).select_related("parent", "root"), pk=pk)


@login_required
def admin_organisations(request: HttpRequest) -> HttpResponse:
    community = _managed_current(request)
    query = request.GET.get("q", "").strip()
    form = OrganisationForm(request.POST or None, parent=None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=request.user, helsefellesskap=community, parent=None, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": organisation.name})
            return redirect("core:admin_organisation", pk=organisation.pk)
    organisations = (
        selectors.organisations_for_management(community, query=query)
        if query
        else selectors.top_level_organisations(community)
    )
    return render(
        request,
        "admin_area/organisations.html",
        {"community": community, "organisations": organisations, "query": query, "form": form},
    )


@login_required
def admin_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    community = _managed_current(request)
    organisation = _organisation_in(community, pk)
    unit_form = OrganisationForm(
        request.POST if request.POST.get("form") == "unit" else None, parent=organisation, prefix="unit"
    )
    edit_form = None
    if not organisation.is_reference:
        edit_form = OrganisationForm(
            request.POST if request.POST.get("form") == "edit" else None,
            parent=organisation.parent,
            editing=True,
            prefix="edit",
            initial={f: getattr(organisation, f) for f in services.EDITABLE_ORGANISATION_FIELDS},
        )
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "unit" and unit_form.is_valid():
                unit = services.organisation_create(
                    actor=request.user, helsefellesskap=community, parent=organisation, **unit_form.cleaned_data
                )
                messages.success(request, _("%(name)s was added.") % {"name": unit.name})
                return redirect("core:admin_organisation", pk=organisation.pk)
            if action == "edit" and edit_form is not None and edit_form.is_valid():
                services.organisation_update(actor=request.user, organisation=organisation, **edit_form.cleaned_data)
                messages.success(request, _("The changes were saved."))
                return redirect("core:admin_organisation", pk=organisation.pk)
            if action in ("deactivate", "reactivate"):
                services.organisation_set_active(
                    actor=request.user, organisation=organisation, active=action == "reactivate"
                )
                messages.success(request, _("The changes were saved."))
                return redirect("core:admin_organisation", pk=organisation.pk)
        except ValidationError as error:
            apply_service_errors(unit_form if action == "unit" else edit_form or unit_form, error)
    members = Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__first_name")
    return render(
        request,
        "admin_area/organisation.html",
        {
            "community": community,
            "organisation": organisation,
            "units": selectors.organisation_tree(organisation),
            "unit_form": unit_form if unit_form.fields["type"].choices else None,
            "edit_form": edit_form,
            "members": members,
        },
    )


@login_required
def admin_users(request: HttpRequest) -> HttpResponse:
    community = _managed_current(request)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    users = selectors.users_for_management(community, query=query, role=role)
    page = Paginator(users, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "admin_area/users.html",
        {"community": community, "page": page, "query": query, "role": role, "roles": Role.choices},
    )


@login_required
def admin_user_create(request: HttpRequest) -> HttpResponse:
    community = _managed_current(request)
    organisations = community_organisations(community).filter(is_active=True).order_by("root__name", "name")
    form = UserCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user, base_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied:
            form.add_error("role", _("You may not give this role."))
        else:
            messages.success(
                request, _("%(name)s was created and has been sent an e-mail to choose a password.") % {"name": user}
            )
            return redirect("core:admin_user", pk=user.pk)
    return render(request, "admin_area/user_create.html", {"community": community, "form": form})


@login_required
def admin_user(request: HttpRequest, pk: int) -> HttpResponse:
    community = _managed_current(request)
    user = get_object_or_404(selectors.users_for_management(community), pk=pk)
    require(request.user, "core.manage_user", user)
    organisations = community_organisations(community).filter(is_active=True).order_by("root__name", "name")
    action = request.POST.get("form")
    edit_form = UserUpdateForm(request.POST if action == "edit" else None, instance=user, prefix="edit")
    membership_form = MembershipForm(
        request.POST if action == "membership" else None, organisations=organisations, prefix="membership"
    )
    if request.method == "POST":
        try:
            if action == "edit" and edit_form.is_valid():
                user.refresh_from_db()
                services.user_update(actor=request.user, user=user, **edit_form.cleaned_data)
                messages.success(request, _("The changes were saved."))
                return redirect("core:admin_user", pk=user.pk)
            if action == "membership" and membership_form.is_valid():
                services.membership_grant(actor=request.user, user=user, **membership_form.cleaned_data)
                messages.success(request, _("The role was given."))
                return redirect("core:admin_user", pk=user.pk)
            if action == "revoke":
                membership = get_object_or_404(
                    Membership.objects.filter(organisation__in=organisations),
                    pk=id_or_404(request.POST.get("membership")),
                    user=user,
                )
                services.membership_revoke(actor=request.user, membership=membership)
                messages.success(request, _("The role was removed."))
                return redirect("core:admin_user", pk=user.pk)
            if action in ("deactivate", "reactivate"):
                services.user_set_active(actor=request.user, user=user, active=action == "reactivate")
                messages.success(request, _("The changes were saved."))
                return redirect("core:admin_user", pk=user.pk)
            if action == "reset_two_factor":
                twofactor.two_factor_reset(actor=request.user, user=user)
                messages.success(request, _("Two-factor log-in was removed. The user sets it up again."))
                return redirect("core:admin_user", pk=user.pk)
            if action == "unbind_identity":
                services.user_unbind_identity(actor=request.user, user=user)
                messages.success(request, _("The log-in identity was released. The next log-in binds again."))
                return redirect("core:admin_user", pk=user.pk)
        except ValidationError as error:
            if action in ("revoke", "deactivate", "reactivate"):
                for message in error.messages:
                    messages.error(request, message)
                return redirect("core:admin_user", pk=user.pk)
            apply_service_errors(edit_form if action == "edit" else membership_form, error)
        except PermissionDenied:
            membership_form.add_error("role", _("You may not give this role."))
        if request.method == "POST" and action == "edit":
            user = User.objects.get(pk=user.pk)
    return render(
        request,
        "admin_area/user.html",
        {
            "community": community,
            "person": user,
            "memberships": selectors.user_memberships(user),
            "edit_form": edit_form,
            "membership_form": membership_form,
            "managed_org_ids": set(organisations.values_list("pk", flat=True)),
            "two_factor": twofactor.has_two_factor(user),
        },
    )


@login_required
def admin_audit_log(request: HttpRequest) -> HttpResponse:
    community = _managed_current(request)
    require(request.user, "core.view_audit_log", community)
    form = AuditFilterForm(
        request.GET or None, actors=selectors.audit_actors(community), actions=audit.action_choices()
    )
    filters = selectors.AuditFilter()
    if form.is_bound and form.is_valid():
        filters = selectors.AuditFilter(**form.cleaned_data)
    events = selectors.audit_events(request.user, community, filters)
    page = Paginator(events, 50).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "admin_area/audit_log.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


# --- errors -------------------------------------------------------------------------------------------------------


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return TemplateResponse(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return TemplateResponse(request, "403.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors or database: the 500 page must render even when the database is the problem.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)
