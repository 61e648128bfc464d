"""URLs of the cooperation agreements (Norwegian paths). The public pages live under offentlig/."""

from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("ny/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/revisjon/", views.agreement_revision, name="agreement_revision"),
    path("<int:pk>/ny-versjon/", views.version_create, name="version_create"),
    path("versjon/<int:pk>/", views.version_detail, name="version_detail"),
    path("versjon/<int:pk>/rediger/", views.version_edit, name="version_edit"),
    path("versjon/<int:pk>/vedta/", views.version_adopt, name="version_adopt"),
    path("versjon/<int:pk>/godkjenning/", views.approval_add, name="approval_add"),
    path("versjon/<int:pk>/paminn/", views.approval_remind, name="approval_remind"),
    path("versjon/<int:pk>/<slug:action>/", views.version_act, name="version_act"),
    path("godkjenning/<int:pk>/signert.pdf", views.signed_copy, name="signed_copy"),
    path("offentlig/<slug:slug>/", views.public_list, name="public_list"),
    path("horinger/", views.consultation_list, name="consultation_list"),
    path("horinger/ny/", views.consultation_create, name="consultation_create"),
    path("horinger/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("horinger/<int:pk>/rediger/", views.consultation_edit, name="consultation_edit"),
    path("horinger/<int:pk>/innspill/", views.consultation_input, name="consultation_input"),
    path("horinger/<int:pk>/svar/", views.consultation_compose, name="consultation_compose"),
    path("horinger/<int:pk>/sak/", views.consultation_to_agenda, name="consultation_to_agenda"),
    path("horinger/<int:pk>/dokument/", views.consultation_document, name="consultation_document"),
    path("horinger/<int:pk>/horingssvar.<str:fmt>", views.consultation_export, name="consultation_export"),
    path("horinger/<int:pk>/<slug:action>/", views.consultation_act, name="consultation_act"),
]
