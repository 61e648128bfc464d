"""Root URL configuration."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from samhandling.core import health, sessions, signin_views
from samhandling.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("konto/logg-inn/", core_views.LoginView.as_view(), name="login"),
    path("konto/logg-inn/via/<slug:name>/", signin_views.oidc_start, name="oidc_start"),
    path("konto/logg-inn/via/<slug:name>/svar/", signin_views.oidc_callback, name="oidc_callback"),
    path("konto/logg-inn/kode/", signin_views.two_factor_verify, name="two_factor_verify"),
    path("konto/tofaktor/", signin_views.two_factor_setup, name="two_factor_setup"),
    path("konto/tofaktor/reservekoder/", signin_views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("konto/aktiv/", sessions.keep_alive, name="keep_alive"),
    path("konto/logg-ut/", core_views.LogoutView.as_view(), name="logout"),
    path("konto/", core_views.account, name="account"),
    path("konto/passord/", core_views.password_change, name="password_change"),
    path("konto/passord/glemt/", core_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "konto/passord/glemt/sendt/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "konto/passord/ny/<uidb64>/<token>/",
        core_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/passord/ny/ferdig/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("helse/", health.health, name="health"),
    path("sprak/", core_views.set_language, name="set_language"),
    path("tilgjengelighet/", TemplateView.as_view(template_name="core/accessibility.html"), name="accessibility"),
    path("avvik/", include("samhandling.deviations.urls")),
    path("moter/", include("samhandling.governance.urls")),
    path("styringsinformasjon/", include("samhandling.indicators.urls")),
    path("framskrivning/", include("samhandling.projections.urls")),
    path("arrangementer/", include("samhandling.events.urls")),
    path("nyhetsbrev/", include("samhandling.newsletter.urls")),
    path("handlingsplan/", include("samhandling.plans.urls")),
    path("avtaler/", include("samhandling.agreements.urls")),
    path("", include("samhandling.core.urls")),
    # After core: core's fellesskap/velg/ (the community switcher) is matched before a community's public page.
    path("fellesskap/", include("samhandling.hub.urls")),
]

handler403 = "samhandling.core.views.error_403"
handler404 = "samhandling.core.views.error_404"
handler500 = "samhandling.core.views.error_500"
