"""URLs of styringsinformasjon (Norwegian paths)."""

from django.urls import path  # noqa: F401

app_name = "indicators"

urlpatterns = []
