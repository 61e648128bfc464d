"""Root URL configuration."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from samhandling.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("konto/logg-inn/", core_views.LoginView.as_view(), name="login"),
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
    path("sprak/", core_views.set_language, name="set_language"),
    path("tilgjengelighet/", TemplateView.as_view(template_name="core/accessibility.html"), name="accessibility"),
    path("avvik/", include("samhandling.deviations.urls")),
    path("moter/", include("samhandling.governance.urls")),
    path("styringsinformasjon/", include("samhandling.indicators.urls")),
    path("handlingsplan/", include("samhandling.plans.urls")),
    path("avtaler/", include("samhandling.agreements.urls")),
    path("", include("samhandling.core.urls")),
]

handler403 = "samhandling.core.views.error_403"
handler404 = "samhandling.core.views.error_404"
handler500 = "samhandling.core.views.error_500"
