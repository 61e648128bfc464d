"""The open API's views: read-only GET, no log-in, the published run only, cached for five minutes by anyone, and
readable from any origin (analysts pull it into R, Python, Power BI or a browser notebook)."""

import hashlib
import json

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import api, selectors
from .common import page

CACHE = "public, max-age=300"
BODY_SECONDS = 3600  # a response body kept in the server's cache; its key changes when another run is published


def _open(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = CACHE
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _error(message: str, status: int) -> HttpResponse:
    return _open(JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False}))


def _etag(request: HttpRequest, run, kind: str) -> str:
    material = f"{run.pk}|{run.published_at}|{kind}|{get_language()}|{request.META.get('QUERY_STRING', '')}"
    return '"' + hashlib.sha256(material.encode()).hexdigest()[:32] + '"'


def _results(request: HttpRequest, kind: str) -> HttpResponse:
    run = selectors.published_run()
    if run is None:
        return _error(_("No results have been published yet."), 404)
    etag = _etag(request, run, kind)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return _open(response)
    # The body depends only on the published run and the query (the API is the same for everyone), so it is built
    # once per run and query: every municipality's JSON-stat cost 30 ms of Python and 10 ms of PostgreSQL a request.
    key = f"samhandling:indicators:api:{etag}"
    body = cache.get(key)
    if body is None:
        try:
            filters = api.parse_filters(request.GET)
            found = api.rows(run, filters)
            if kind == "json":
                body = json.dumps(api.jsonstat(run, filters, found), ensure_ascii=False, separators=(",", ":"))
            else:
                body = api.csv_text(found)
        except api.BadFilter as error:
            return _error(str(error), 400)
        cache.set(key, body, BODY_SECONDS)
    if kind == "json":
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="styringsinformasjon.csv"'
    response["ETag"] = etag
    return _open(response)


@require_GET
def results_json(request):
    return _results(request, "json")


@require_GET
def results_csv(request):
    return _results(request, "csv")


@require_GET
def indicators_json(request):
    return _open(JsonResponse(api.catalogue_json(), safe=False, json_dumps_params={"ensure_ascii": False}))


@require_GET
def openapi(request):
    base = request.build_absolute_uri(reverse("indicators:api_openapi")).rsplit("/", 1)[0]
    return _open(JsonResponse(api.openapi_schema(base), json_dumps_params={"ensure_ascii": False}))


@require_GET
def api_docs(request):
    """The API for people: what it offers, the filters, and examples to copy."""
    crumbs = [(_("Management information"), reverse("indicators:public_home")), (_("Open data (API)"), None)]
    context = page(request, "public", with_tabs=False, crumbs=crumbs)
    base = request.build_absolute_uri(reverse("indicators:api_openapi")).rsplit("/", 1)[0]
    context.update(
        base=base,
        json_url=reverse("indicators:api_results_json"),
        csv_url=reverse("indicators:api_results_csv"),
        indicators_url=reverse("indicators:api_indicators"),
        openapi_url=reverse("indicators:api_openapi"),
        run=selectors.published_run(),
    )
    return render(request, "indicators/api.html", context)
