"""The application's URLs plus /bench/trivial/, a view that does nothing, as a floor to compare pages against.

The trivial view still runs through the whole middleware stack (sessions, authentication, CSP, axes ...).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from samhandling import urls as app_urls


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("samhandling.urls")),
]

handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500
