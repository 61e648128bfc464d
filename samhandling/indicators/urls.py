"""URLs of styringsinformasjon (Norwegian paths): the dashboards for logged-in users, the same dashboards for the
public under offentlig/, and the analysts' pages for data sets, imports, jobs and runs."""

from django.urls import path

from . import views
from .views import api as api_views
from .views import deviations as deviation_views

app_name = "indicators"

_DASHBOARDS = [
    ("", views.home, "home"),
    ("indikatorer/<slug:indicator_id>/", views.indicator, "indicator"),
    ("helsefellesskap/<slug:slug>/", views.community, "community"),
    ("kommuner/<str:number>/", views.municipality, "municipality"),
    ("bydeler/<str:number>/", views.district, "district"),
    ("eksport.<str:fmt>", views.export, "export"),
    ("kart/", views.map_view, "map"),
    ("trakt/", views.funnel, "funnel"),
    ("nasjonalt/", views.national, "national"),
]

urlpatterns = [
    *(path(route, view, name=name) for route, view, name in _DASHBOARDS),
    *(path(f"offentlig/{route}", view, {"public": True}, name=f"public_{name}") for route, view, name in _DASHBOARDS),
    path("nasjonalt/avvik/", deviation_views.national_deviations, name="national_deviations"),
    path("nasjonalt/avvik.csv", deviation_views.national_deviations_csv, name="national_deviations_csv"),
    path("grupper/", views.groups, name="groups"),
    path("grupper/<int:pk>/slett/", views.group_delete, name="group_delete"),
    path("api/", api_views.api_docs, name="api_docs"),
    path("api/v1/resultater.json", api_views.results_json, name="api_results_json"),
    path("api/v1/resultater.csv", api_views.results_csv, name="api_results_csv"),
    path("api/v1/indikatorer.json", api_views.indicators_json, name="api_indicators"),
    path("api/v1/openapi.json", api_views.openapi, name="api_openapi"),
    path("datasett/", views.datasets, name="datasets"),
    path("datasett/importer/", views.dataset_import, name="dataset_import"),
    path("datasett/<int:pk>/", views.dataset_detail, name="dataset"),
    path("datasett/<int:pk>/periode/", views.dataset_period, name="dataset_period"),
    path("jobber/<int:pk>/", views.job_detail, name="job"),
    path("kjoringer/", views.runs, name="runs"),
    path("kjoringer/ny/", views.run_start, name="run_start"),
    path("kjoringer/<int:pk>/", views.run_detail, name="run"),
    path("kjoringer/<int:pk>/publiser/", views.run_publish, name="run_publish"),
    path("kjoringer/<int:pk>/avpubliser/", views.run_unpublish, name="run_unpublish"),
]
