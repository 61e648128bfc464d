"""The public page of each health community ("felles nettside"), at /fellesskap/<slug>/ (no log-in)."""

from django.urls import path

from . import views

app_name = "hub"

urlpatterns = [path("<slug:slug>/", views.community, name="community")]
