"""Integration settings (the secretariat connects an organisation's own deviation system) and the signed callback
through which that system reports its own case id."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samhandling.core import crypto
from samhandling.core.forms import DesignsystemetMixin, apply_service_errors
from samhandling.core.http import parse_id
from samhandling.core.permissions import community_organisations, require

from ..models import Deviation, Webhook
from ..services import webhooks


class WebhookForm(DesignsystemetMixin, forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address of your deviation system's webhook"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("New and redirected deviations are sent here as signed JSON, without details."),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


@login_required
def integrations(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "deviations.configure", community)
    organisations = (
        community_organisations(community)
        .filter(parent__isnull=True, is_active=True)
        .exclude(type="secretariat")
        .order_by("type", "name")
    )
    hooks = {hook.organisation_id: hook for hook in Webhook.objects.filter(organisation__in=organisations)}
    chosen_id = parse_id(request.GET.get("org") or request.POST.get("organisation"))  # "abc" chooses none
    chosen = organisations.filter(pk=chosen_id).first() if chosen_id else None
    form, secret = None, ""
    if chosen is not None:
        hook = hooks.get(chosen.pk)
        form = WebhookForm(
            request.POST if request.POST.get("form") == "webhook" else None,
            initial={"url": hook.url, "active": hook.is_active} if hook else None,
        )
        # Not save_with(): a new secret is shown once, on this page, so a successful save does not always redirect.
        if request.method == "POST":
            try:
                if request.POST.get("form") == "webhook" and form.is_valid():
                    _hook, secret = webhooks.webhook_configure(
                        actor=request.user,
                        organisation=chosen,
                        url=form.cleaned_data["url"],
                        active=form.cleaned_data["active"],
                    )
                    messages.success(request, _("The webhook was saved."))
                elif request.POST.get("form") == "rotate" and hook is not None:
                    secret = webhooks.webhook_rotate_secret(actor=request.user, webhook=hook)
                    messages.success(request, _("A new secret was made. The old one no longer works."))
                if not secret and not form.errors:
                    return redirect(f"{request.path}?org={chosen.pk}")
            except ValidationError as error:
                apply_service_errors(form, error)
            hooks = {hook.organisation_id: hook for hook in Webhook.objects.filter(organisation__in=organisations)}
    rows = [(organisation, hooks.get(organisation.pk)) for organisation in organisations]
    return render(
        request,
        "deviations/integrations.html",
        {"community": community, "rows": rows, "chosen": chosen, "form": form, "secret": secret},
    )


@csrf_exempt
@require_POST
def webhook_callback(request: HttpRequest) -> HttpResponse:
    """The receiving system reports its own case id: JSON {reference, external_case_id}, signed with the secret."""
    try:
        data = json.loads(request.body or b"{}")
        reference, external = str(data["reference"]), str(data["external_case_id"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON with reference and external_case_id"}, status=400)
    case = get_object_or_404(Deviation.objects.select_related("receiver"), reference=reference)
    hook = webhooks.webhook_for(case.receiver)
    signature = request.headers.get(webhooks.SIGNATURE_HEADER, "")
    if hook is None or not webhooks.signature_matches(crypto.decrypt(hook.secret_encrypted), request.body, signature):
        return JsonResponse({"error": "signature does not match"}, status=403)
    if not webhooks.external_case_id_set(case=case, external_case_id=external, source=hook):
        return JsonResponse({"error": "the case already has another external id"}, status=409)
    return JsonResponse({"reference": reference, "external_case_id": external})
