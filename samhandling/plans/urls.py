"""URLs of the action plans (Norwegian paths). The public pages live under offentlig/ and need no log-in."""

from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("ny/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/rediger/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/godkjenn/", views.plan_approve, name="plan_approve"),
    path("<int:pk>/pa-sakskartet/", views.plan_report_to_agenda, name="plan_report_to_agenda"),
    path("<int:pk>/statusrapport.<str:fmt>", views.status_report, name="status_report"),
    path("<int:pk>/nytt-tema/", views.theme_create, name="theme_create"),
    path("<int:pk>/<slug:action>/", views.plan_act, name="plan_act"),
    path("tema/<int:pk>/rediger/", views.theme_edit, name="theme_edit"),
    path("tema/<int:pk>/nytt-mal/", views.goal_create, name="goal_create"),
    path("mal/<int:pk>/rediger/", views.goal_edit, name="goal_edit"),
    path("mal/<int:pk>/nytt-tiltak/", views.measure_create, name="measure_create"),
    path("tiltak/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("tiltak/<int:pk>/rediger/", views.measure_edit, name="measure_edit"),
    path("<slug:kind>/<int:pk>/fjern/", views.part_remove, name="part_remove"),
    path("offentlig/<slug:slug>/", views.public_list, name="public_list"),
    path("offentlig/<slug:slug>/<int:pk>/", views.public_detail, name="public_detail"),
]
