"""Idle time-out and a maximum session age, as health-sector security norms expect.

The page warns before the idle time-out (static/js/idle-timeout.js, a keyboard-usable dialog) and logs out itself
when it runs out; `SessionTimeoutMiddleware` is the server's backstop for a closed tab or a browser without script.
Activity is written to the session at most once a minute, so the backstop may allow up to a minute more.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

LAST_ACTIVITY_KEY = "samhandling_last_activity"
STARTED_KEY = "samhandling_session_started"
TOUCH_EVERY_SECONDS = 60


def expired_reason(session, now: float) -> str | None:
    last = session.get(LAST_ACTIVITY_KEY)
    started = session.get(STARTED_KEY)
    if last is not None and now - last > settings.SAMHANDLING_IDLE_TIMEOUT + TOUCH_EVERY_SECONDS:
        return "idle"
    if started is not None and now - started > settings.SAMHANDLING_MAX_SESSION_AGE:
        return "max_age"
    return None


def log_out_for(request: HttpRequest, reason: str) -> None:
    """Log out because time ran out, say why on the log-in page, and let the audit event carry the reason."""
    request.samhandling_logout_reason = reason
    minutes = settings.SAMHANDLING_IDLE_TIMEOUT // 60
    logout(request)
    if reason == "idle":
        messages.info(
            request, _("You were logged out after %(minutes)s minutes without activity.") % {"minutes": minutes}
        )
    else:
        messages.info(request, _("You were logged out because the session reached its longest allowed time."))


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            reason = expired_reason(session, now)
            if reason:
                log_out_for(request, reason)
                target = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204, headers={"HX-Redirect": target})
                return HttpResponseRedirect(target)
            if STARTED_KEY not in session:
                session[STARTED_KEY] = now
            if now - session.get(LAST_ACTIVITY_KEY, 0) >= TOUCH_EVERY_SECONDS:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The warning's "stay logged in": counts as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"logged_in": False}, status=401)
    request.session[LAST_ACTIVITY_KEY] = time.time()
    return JsonResponse({"logged_in": True, "idle_seconds": settings.SAMHANDLING_IDLE_TIMEOUT})
