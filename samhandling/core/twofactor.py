"""Two-factor log-in for password accounts: a TOTP app (django-otp's TOTP device) and ten single-use recovery codes
(a static device). Required for the secretariat, admin and analyst roles when SAMHANDLING_REQUIRE_2FA is on; people
who signed in through OpenID Connect have had their second factor checked by the provider.

The services here write the devices and the audit log; `TwoFactorMiddleware` keeps a signed-in but unverified
session on the pages that finish the log-in.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import Membership, Role, User
from .permissions import require

ROLES_NEEDING_TWO_FACTOR = (Role.SECRETARIAT, Role.ADMIN, Role.ANALYST)
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "app"
OIDC_SESSION_KEY = "samhandling_oidc"  # set by signin_views after a sign-in through a provider
NOT_NEEDED_SESSION_KEY = "samhandling_2fa_not_needed"  # checked once per session, not on every request


def requires_two_factor(user: User) -> bool:
    if not settings.SAMHANDLING_REQUIRE_2FA:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role__in=ROLES_NEEDING_TWO_FACTOR).exists()


def has_two_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device an enrolment shows as a QR code (made once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enable(*, actor: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a first code; returns the new recovery codes (shown once), or None for a wrong code."""
    if device.user_id != actor.pk or device.confirmed:
        return None
    if not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()  # one app at a time
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, action="core.user.two_factor_enabled", target=actor)
    return codes


@transaction.atomic
def two_factor_new_recovery_codes(*, actor: User) -> list[str]:
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, action="core.user.recovery_codes_renewed", target=actor)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> None:
    """The secretariat removes a user's app and recovery codes (a lost phone); the user sets up a new app at the
    next password log-in where their role needs one."""
    require(actor, "core.manage_user", user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="core.user.two_factor_reset", target=user)


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def two_factor_verify(*, request: HttpRequest, code: str) -> bool:
    """Check a code from the app or a recovery code (used up) for the signed-in user, and mark the session
    verified. Both kinds are throttled per device by django-otp; every attempt is audited."""
    user = request.user
    token = _digits(code).lower()
    verified, method = None, ""
    for device in devices_for_user(user, confirmed=True):
        kind = "totp" if isinstance(device, TOTPDevice) else "recovery_code"
        if (kind == "totp") != token.isdigit():
            continue
        verified = otp_verify_token(user, device.persistent_id, token)
        if verified is not None:
            method = kind
            break
    with transaction.atomic():
        if verified is None:
            audit.record(actor=None, action="core.user.login_failed", target=user, data={"reason": "wrong_code"})
            return False
        otp_login(request, verified)
        audit.record(actor=user, action="core.user.two_factor_verified", target=user, data={"method": method})
    return True


# Pages an unverified session may open: finishing the log-in, logging out, the language switch, static files.
OPEN_URL_NAMES = ("two_factor_verify", "two_factor_setup", "logout", "set_language", "keep_alive")


class TwoFactorMiddleware:
    """After the password, a user with an app must give a code; a user whose role needs one must set one up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        session = request.session
        if session.get(OIDC_SESSION_KEY) or session.get(NOT_NEEDED_SESSION_KEY):
            return self.get_response(request)
        if request.path.startswith(settings.STATIC_URL) or request.path in {reverse(n) for n in OPEN_URL_NAMES}:
            return self.get_response(request)
        if has_two_factor(user):
            target = "two_factor_verify"
        elif requires_two_factor(user):
            target = "two_factor_setup"
        else:
            session[NOT_NEEDED_SESSION_KEY] = True
            return self.get_response(request)
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
