"""URLs of arrangementer (Norwegian paths). The calendar, the feeds, an event's page and the personal registration
page need no log-in."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("kalender.ics", views.calendar_feed, name="feed"),
    path("kalender/<slug:slug>.ics", views.calendar_feed, name="community_feed"),
    path("mine/", views.organiser_list, name="organiser_list"),
    path("ny/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/kalender.ics", views.event_calendar_file, name="event_ics"),
    path("<int:pk>/rediger/", views.event_edit, name="event_edit"),
    path("<int:pk>/deltakere/", views.participants, name="participants"),
    path("<int:pk>/deltakere.<str:fmt>", views.participants_export, name="participants_export"),
    path("<int:pk>/handling/<slug:action>/", views.event_act, name="event_act"),
    path("pamelding/<str:token>/", views.withdraw, name="withdraw"),
    path("deltaker/<int:pk>/<slug:action>/", views.registration_act, name="registration_act"),
]
