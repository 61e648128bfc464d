"""URLs of samhandlingsavvik (Norwegian paths)."""

from django.urls import path

from . import views, views_webhooks

app_name = "deviations"

urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("ny/", views.report, name="report"),
    path("innboks/", views.inbox, name="inbox"),
    path("fra-mine-enheter/", views.from_my_units, name="units"),
    path("statistikk/", views.statistics, name="statistics"),
    path("innstillinger/", views.settings_view, name="settings"),
    path("innstillinger/integrasjoner/", views_webhooks.integrations, name="integrations"),
    path("webhook/ekstern-id/", views_webhooks.webhook_callback, name="webhook_callback"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rediger/", views.edit, name="edit"),
    path("<int:pk>/pasient/", views.reveal_patient, name="reveal_patient"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
