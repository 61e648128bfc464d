"""Language and current-community handling for every request, and the one gate for control characters.

`RejectControlCharactersMiddleware` answers 400 to a path, query string or form value holding NUL or another C0
control character (tab, line feed and carriage return are text), before any view or database sees it.

`LanguageMiddleware` replaces Django's LocaleMiddleware: a browser that asks only for `no` (or `no-NO`) gets bokmål,
which Django alone would not give it. `UserLanguageMiddleware` then lets a logged-in user's own choice win.
`CurrentHelsefellesskapMiddleware` puts the community the user is working in on `request.helsefellesskap`.
"""

import logging
import re

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation.trans_real import parse_accept_lang_header

from .access_cache import mark_request_user
from .permissions import user_communities

SUPPORTED = {code for code, _name in settings.LANGUAGES}
ALIASES = {"no": "nb", "nb": "nb", "nn": "nn", "nob": "nb", "nno": "nn"}
SESSION_COMMUNITY_KEY = "samhandling_helsefellesskap"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

log = logging.getLogger(__name__)


def _has_control_characters(request) -> bool:
    if CONTROL_CHARACTERS.search(request.path) or CONTROL_CHARACTERS.search(request.META.get("QUERY_STRING", "")):
        return True
    # The raw query string is percent-encoded; the decoded values are what views read.
    values = [value for key in request.GET for value in [key, *request.GET.getlist(key)]]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        values += [value for key in request.POST for value in [key, *request.POST.getlist(key)]]
        values += [upload.name or "" for upload in request.FILES.values()]
    return any(CONTROL_CHARACTERS.search(value) for value in values)


class RejectControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_control_characters(request):
            log.warning("refused a request with control characters: %s %s", request.method, request.path[:200])
            language = language_for_request(request)
            with translation.override(language):
                body = render_to_string("400.html", {"reason": "control_characters"})
            return HttpResponseBadRequest(body)
        return self.get_response(request)


def language_from_accept_header(header: str) -> str | None:
    for code, _quality in parse_accept_lang_header(header or ""):
        primary = code.lower().split("-")[0]
        if primary in ALIASES:
            return ALIASES[primary]
    return None


def language_for_request(request) -> str:
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    return language_from_accept_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        vary = response.headers.get("Vary", "")
        if "Accept-Language" not in vary:
            response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
        return response


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def request_communities(request) -> list:
    """The user's communities by name, read once per request (the switcher and the current community share it)."""
    return user_communities(request.user)


def current_helsefellesskap(request):
    communities = request_communities(request)
    chosen = request.session.get(SESSION_COMMUNITY_KEY)
    return next((c for c in communities if c.pk == chosen), None) or (communities[0] if communities else None)


class CurrentHelsefellesskapMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mark_request_user(getattr(request, "user", None))
        request.helsefellesskap = SimpleLazyObject(lambda: current_helsefellesskap(request))
        return self.get_response(request)
