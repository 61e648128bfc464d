"""URLs of samhandlingsavvik (Norwegian paths)."""

from django.urls import path

from .views import cases, community, exports, imports, reports, webhooks

app_name = "deviations"

urlpatterns = [
    path("", cases.my_reports, name="mine"),
    path("ny/", cases.report, name="report"),
    path("innboks/", cases.inbox, name="inbox"),
    path("fra-mine-enheter/", cases.from_my_units, name="units"),
    path("statistikk/", community.statistics, name="statistics"),
    path("rapporter/", reports.reports_page, name="reports"),
    path("rapporter/last-ned/", reports.report_download, name="report_download"),
    path("innstillinger/", community.settings_view, name="settings"),
    path("eksport/csv/", exports.export_csv, name="export_csv"),
    path("eksport/xlsx/", exports.export_xlsx, name="export_xlsx"),
    path("fhir/", exports.fhir_bundle, name="fhir_bundle"),
    path("innstillinger/integrasjoner/", webhooks.integrations, name="integrations"),
    path("import/", imports.import_cases, name="import"),
    path("import/mal.xlsx", imports.import_template, name="import_template"),
    path("webhook/ekstern-id/", webhooks.webhook_callback, name="webhook_callback"),
    path("<int:pk>/", cases.detail, name="detail"),
    path("<int:pk>/rediger/", cases.edit, name="edit"),
    path("<int:pk>/pasient/", cases.reveal_patient, name="reveal_patient"),
    path("<int:pk>/fhir/", exports.fhir_case, name="fhir_case"),
    path("<int:pk>/skjema/<slug:action>/", cases.action_form, name="action_form"),
    path("<int:pk>/<slug:action>/", cases.act, name="act"),
]
