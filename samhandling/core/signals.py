"""Log-in, log-out and failed log-ins come from Django's auth signals; they go to the audit log like any change.

A failed attempt records only the username tried, never the password."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    method = getattr(request, "samhandling_login_method", "password") if request is not None else "password"
    audit.record(actor=user, action="core.user.logged_in", target=user, data={"method": method})


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "samhandling_logout_reason", "") if request is not None else ""
        audit.record(actor=user, action="core.user.logged_out", target=user, data={"reason": reason} if reason else {})


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        actor=None, action="core.user.login_failed", data={"username": str(credentials.get("username", ""))[:150]}
    )
