"""Sign-in through OpenID Connect: start at a provider, come back with a code, and sign out at the provider too.

Authlib validates the provider's answer (`core.oidc`); `services.user_sign_in_external` decides who that is. Every
refusal is audited and shown as a plain Norwegian page; nothing of the token is shown or logged.
"""

import logging
from urllib.parse import quote

import requests
from authlib.common.errors import AuthlibBaseError
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from . import oidc, services, twofactor
from .forms import TwoFactorCodeForm

log = logging.getLogger(__name__)

NEXT_KEY = "samhandling_oidc_next"
SESSION_KEY = "samhandling_oidc"  # {"provider": name, "id_token": …}, kept for signing out at the provider
PROTOCOL_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, KeyError, ValueError)


def _provider_or_404(name: str) -> oidc.Provider:
    entry = oidc.provider(name)
    if entry is None:
        raise Http404
    return entry


def _refused(request: HttpRequest, entry: oidc.Provider, reason: str, status: int) -> HttpResponse:
    services.user_sign_in_failed(provider=entry, reason=reason)
    return render(request, "registration/oidc_refused.html", {"provider": entry, "reason": reason}, status=status)


def oidc_start(request: HttpRequest, name: str) -> HttpResponse:
    entry = _provider_or_404(name)
    if request.user.is_authenticated:
        return redirect("home")
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    request.session[NEXT_KEY] = target if safe and target else reverse("home")
    redirect_uri = request.build_absolute_uri(reverse("oidc_callback", args=[entry.name]))
    try:
        return oidc.client(entry).authorize_redirect(request, redirect_uri, **oidc.authorize_params(entry))
    except PROTOCOL_ERRORS as error:
        log.warning("could not start a sign-in at %s: %s", entry.name, type(error).__name__)
        return _refused(request, entry, "provider_unavailable", 503)


def oidc_callback(request: HttpRequest, name: str) -> HttpResponse:
    entry = _provider_or_404(name)
    if request.GET.get("error"):
        # The person cancelled at the provider, or the provider refused them.
        return _refused(request, entry, "provider_error", 400)
    try:
        token = oidc.client(entry).authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            return _refused(request, entry, "no_id_token", 400)
    except PROTOCOL_ERRORS as error:
        # A forged, expired, replayed or misaddressed ID token, or a callback whose state this browser never sent.
        log.warning("refused a sign-in answer from %s: %s", entry.name, type(error).__name__)
        return _refused(request, entry, "invalid_response", 400)
    try:
        user = services.user_sign_in_external(provider=entry, claims=claims)
    except services.SignInRefused as refusal:
        return _refused(request, entry, refusal.reason, 403)
    target = request.session.pop(NEXT_KEY, "") or reverse("home")
    request.samhandling_login_method = entry.name
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = {"provider": entry.name, "id_token": token.get("id_token", "")}
    return HttpResponseRedirect(target)


def provider_logout_url(request: HttpRequest, signed_in_with: dict | None) -> str | None:
    """Where to send the browser after a local log-out so that it signs out at the provider too (RP-initiated
    logout), or None when the person signed in with a password or the provider has no end-session endpoint."""
    if not signed_in_with:
        return None
    entry = oidc.provider(signed_in_with.get("provider", ""))
    if entry is None:
        return None
    try:
        result = oidc.client(entry).create_logout_url(
            post_logout_redirect_uri=request.build_absolute_uri(reverse("login")),
            id_token_hint=signed_in_with.get("id_token") or None,
            client_id=entry.client_id,
        )
    except (RuntimeError, *PROTOCOL_ERRORS) as error:
        log.warning("no sign-out at %s: %s", entry.name, type(error).__name__)
        return None
    return result["url"]


def provider_label(signed_in_with: dict) -> str:
    entry = oidc.provider(signed_in_with.get("provider", ""))
    return entry.label if entry else ""


def login_providers(request: HttpRequest) -> list[dict]:
    """The buttons on the log-in page, one per configured provider."""
    target = request.GET.get("next", "")
    suffix = f"?next={quote(target, safe='/')}" if target else ""
    return [
        {"label": entry.label, "url": reverse("oidc_start", args=[entry.name]) + suffix}
        for entry in oidc.providers().values()
    ]


# --- two-factor log-in (password accounts) --------------------------------------------------------------------------


def _next_or_home(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if safe and target else reverse("home")


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a password log-in: a code from the app, or a recovery code."""
    if request.user.is_verified() or not twofactor.has_two_factor(request.user):
        return HttpResponseRedirect(_next_or_home(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.two_factor_verify(request=request, code=form.cleaned_data["code"]):
            return HttpResponseRedirect(_next_or_home(request))
        form.add_error("code", _("The code is wrong or too old. Try the newest code from the app, or a recovery code."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_or_home(request)})


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up the app: scan the QR code (or type the key), confirm with a code, write down the recovery codes."""
    device = twofactor.pending_totp_device(request.user)
    form = TwoFactorCodeForm(request.POST or None)
    form.fields["code"].help_text = _("The six digits the app shows now.")
    if request.method == "POST" and form.is_valid():
        codes = twofactor.two_factor_enable(actor=request.user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            twofactor.otp_login(request, device)
            return render(
                request, "registration/two_factor_codes.html", {"codes": codes, "next": _next_or_home(request)}
            )
        form.add_error("code", _("The code does not match. Check that the app shows Samhandling and try again."))
    context = {
        "form": form,
        "next": _next_or_home(request),
        "already_enabled": twofactor.has_two_factor(request.user),
        "required": twofactor.requires_two_factor(request.user),
        "qr": twofactor.qr_data_uri(device),
        "secret": twofactor.secret_text(device),
    }
    return render(request, "registration/two_factor_setup.html", context)


@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a verified user with the app."""
    if request.method != "POST" or not twofactor.has_two_factor(request.user):
        return redirect("account")
    codes = twofactor.two_factor_new_recovery_codes(actor=request.user)
    messages.success(request, _("You have new recovery codes. The old ones no longer work."))
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": reverse("account")})
