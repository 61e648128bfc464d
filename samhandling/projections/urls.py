"""URLs of framskrivning (Norwegian paths)."""

from django.urls import path

from . import views

app_name = "projections"

urlpatterns = [
    path("", views.home, name="home"),
    path("befolkning/", views.sources, name="sources"),
    path("befolkning/<int:pk>/", views.source_detail, name="source"),
    path("scenarioer/", views.scenarios, name="scenarios"),
    path("scenarioer/ny/", views.scenario_create, name="scenario_create"),
    path("scenarioer/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarioer/<int:pk>/endre/", views.scenario_edit, name="scenario_edit"),
    path("scenarioer/<int:pk>/kjor/", views.scenario_run, name="scenario_run"),
    path("kjoringer/<int:pk>/", views.run_detail, name="run"),
    path("kjoringer/<int:pk>/kapasitet/", views.capacity_set, name="capacity_set"),
    path("kjoringer/<int:pk>/eksport.<str:fmt>", views.export, name="export"),
    path("kjoringer/<int:pk>/rapport.<str:fmt>", views.report, name="report"),
    path("kjoringer/<int:pk>/til-sak/", views.report_to_agenda, name="report_to_agenda"),
    path("kjoringer/<int:pk>/publiser/", views.run_publish, name="run_publish"),
    path("sammenlign/", views.compare, name="compare"),
    path("offentlig/", views.public_home, name="public_home"),
    path("offentlig/kjoringer/<int:pk>/", views.public_run, name="public_run"),
]
