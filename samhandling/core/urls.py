"""URLs of the core: the community directory and the administration pages (Norwegian paths)."""

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("helsefellesskap/", views.helsefellesskap_list, name="helsefellesskap_list"),
    path("helsefellesskap/<slug:slug>/", views.helsefellesskap_detail, name="helsefellesskap"),
    path("kommuner/<str:number>/", views.municipality_detail, name="municipality"),
    path("bydeler/<str:number>/", views.district_detail, name="district"),
    path("organisasjoner/<int:pk>/", views.organisation_detail, name="organisation"),
    path("fellesskap/velg/", views.switch_helsefellesskap, name="switch_helsefellesskap"),
    path("administrasjon/organisasjoner/", views.admin_organisations, name="admin_organisations"),
    path("administrasjon/organisasjoner/<int:pk>/", views.admin_organisation, name="admin_organisation"),
    path("administrasjon/brukere/", views.admin_users, name="admin_users"),
    path("administrasjon/brukere/ny/", views.admin_user_create, name="admin_user_create"),
    path("administrasjon/brukere/<int:pk>/", views.admin_user, name="admin_user"),
    path("administrasjon/logg/", views.admin_audit_log, name="admin_audit_log"),
]
