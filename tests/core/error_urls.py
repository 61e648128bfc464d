"""A URL configuration for the log-hygiene tests: the project's URLs plus one view that fails with a long message
(as an exception that quotes what a user typed would)."""

from django.urls import path

from samhandling.urls import urlpatterns as project_urlpatterns

LONG_INPUT = "pasient " * 2000
END_MARKER = "-".join(["END", "OF", "INPUT"])  # spelt apart so the traceback's source line does not hold it


def fail(request):
    raise ValueError(f"could not parse {LONG_INPUT}{END_MARKER}")


urlpatterns = [path("test-feil/", fail), *project_urlpatterns]
handler403 = "samhandling.core.views.error_403"
handler404 = "samhandling.core.views.error_404"
handler500 = "samhandling.core.views.error_500"
