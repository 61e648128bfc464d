"""URLs of samhandlingsavvik (Norwegian paths)."""

from django.urls import path

from . import views, views_exports, views_import, views_reports, views_webhooks

app_name = "deviations"

urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("ny/", views.report, name="report"),
    path("innboks/", views.inbox, name="inbox"),
    path("fra-mine-enheter/", views.from_my_units, name="units"),
    path("statistikk/", views.statistics, name="statistics"),
    path("rapporter/", views_reports.reports_page, name="reports"),
    path("rapporter/last-ned/", views_reports.report_download, name="report_download"),
    path("innstillinger/", views.settings_view, name="settings"),
    path("eksport/csv/", views_exports.export_csv, name="export_csv"),
    path("eksport/xlsx/", views_exports.export_xlsx, name="export_xlsx"),
    path("fhir/", views_exports.fhir_bundle, name="fhir_bundle"),
    path("innstillinger/integrasjoner/", views_webhooks.integrations, name="integrations"),
    path("import/", views_import.import_cases, name="import"),
    path("import/mal.xlsx", views_import.import_template, name="import_template"),
    path("webhook/ekstern-id/", views_webhooks.webhook_callback, name="webhook_callback"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rediger/", views.edit, name="edit"),
    path("<int:pk>/pasient/", views.reveal_patient, name="reveal_patient"),
    path("<int:pk>/fhir/", views_exports.fhir_case, name="fhir_case"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
