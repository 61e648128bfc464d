"""Language and current-community handling for every request.

`LanguageMiddleware` replaces Django's LocaleMiddleware: a browser that asks only for `no` (or `no-NO`) gets bokmål,
which Django alone would not give it. `UserLanguageMiddleware` then lets a logged-in user's own choice win.
`CurrentHelsefellesskapMiddleware` puts the community the user is working in on `request.helsefellesskap`.
"""

from django.conf import settings
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation.trans_real import parse_accept_lang_header

from .permissions import communities_of

SUPPORTED = {code for code, _name in settings.LANGUAGES}
ALIASES = {"no": "nb", "nb": "nb", "nn": "nn", "nob": "nb", "nno": "nn"}
SESSION_COMMUNITY_KEY = "samhandling_helsefellesskap"


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


def current_helsefellesskap(request):
    communities = communities_of(request.user)
    chosen = request.session.get(SESSION_COMMUNITY_KEY)
    if chosen is not None:
        community = communities.filter(pk=chosen).first()
        if community is not None:
            return community
    return communities.order_by("name").first()


class CurrentHelsefellesskapMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.helsefellesskap = SimpleLazyObject(lambda: current_helsefellesskap(request))
        return self.get_response(request)
