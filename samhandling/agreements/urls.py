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
    path("versjon/<int:pk>/<slug:action>/", views.version_act, name="version_act"),
    path("godkjenning/<int:pk>/signert.pdf", views.signed_copy, name="signed_copy"),
    path("offentlig/<slug:slug>/", views.public_list, name="public_list"),
]
