"""URLs of møter og saker (Norwegian paths). The public archive lives under offentlig/ and needs no log-in."""

from django.urls import path

from . import views, views_meetings, views_public

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("innstillinger/", views.settings_view, name="settings"),
    path("sok/", views.search, name="search"),
    path("organer/", views.body_list, name="body_list"),
    path("organer/ny/", views.body_create, name="body_create"),
    path("organer/<int:pk>/", views.body_detail, name="body_detail"),
    path("organer/<int:pk>/rediger/", views.body_edit, name="body_edit"),
    path("organer/<int:pk>/medlemmer/ny/", views.member_add, name="member_add"),
    path("organer/<int:pk>/faste-saker/ny/", views.recurring_create, name="recurring_create"),
    path("organer/<int:pk>/moteplan/", views.body_plan, name="body_plan"),
    path("organer/<int:pk>/nytt-mote/", views_meetings.meeting_create, name="meeting_create"),
    path("organer/<int:pk>/ny-sak/", views_meetings.queue_item_create, name="queue_item_create"),
    path("medlemmer/<int:pk>/rediger/", views.member_edit, name="member_edit"),
    path("mote/<int:pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("mote/<int:pk>/rediger/", views_meetings.meeting_edit, name="meeting_edit"),
    path("mote/<int:pk>/ny-sak/", views_meetings.item_create, name="item_create"),
    path("mote/<int:pk>/flytt-sak/", views_meetings.item_move, name="item_move"),
    path("mote/<int:pk>/sett-opp-sak/", views_meetings.item_schedule, name="item_schedule"),
    path("mote/<int:pk>/avviksrapport/", views_meetings.deviation_report, name="deviation_report"),
    path("mote/<int:pk>/innkalling/", views_meetings.notice, name="notice"),
    path("mote/<int:pk>/innkalling/utkast.<str:fmt>", views_meetings.notice_preview, name="notice_preview"),
    path("mote/<int:pk>/kalender.ics", views_meetings.meeting_ics, name="meeting_ics"),
    path("mote/<int:pk>/referat/", views_meetings.minutes, name="minutes"),
    path("mote/<int:pk>/referat/lag/", views_meetings.minutes_draft, name="minutes_draft"),
    path("mote/<int:pk>/referat/rett/", views_meetings.minutes_correct, name="minutes_correct"),
    path("mote/<int:pk>/<slug:action>/", views_meetings.meeting_act, name="meeting_act"),
    path("dokument/<int:pk>.<str:fmt>", views_meetings.document_download, name="document_download"),
    path("sak/<int:pk>/", views_meetings.item_detail, name="item_detail"),
    path("sak/<int:pk>/rediger/", views_meetings.item_edit, name="item_edit"),
    path("sak/<int:pk>/vedlegg/", views_meetings.attachment_add, name="attachment_add"),
    path("sak/<int:pk>/videresend/", views_meetings.item_forward, name="item_forward"),
    path("sak/<int:pk>/utfall/", views_meetings.item_outcome, name="item_outcome"),
    path("sak/<int:pk>/oppfolgingspunkt/", views_meetings.action_point_add, name="action_point_add"),
    path("sak/<int:pk>/<slug:action>/", views_meetings.item_act, name="item_act"),
    path("vedlegg/<int:pk>/", views_meetings.attachment_download, name="attachment_download"),
    path("vedlegg/<int:pk>/rediger/", views_meetings.attachment_edit, name="attachment_edit"),
    path("vedlegg/<int:pk>/fjern/", views_meetings.attachment_remove, name="attachment_remove"),
    path("oppfolgingspunkt/<int:pk>/<slug:action>/", views.action_point_act, name="action_point_act"),
    path("offentlig/", views_public.public_index, name="public_index"),
    path("offentlig/<slug:slug>/", views_public.public_archive, name="public_archive"),
    path("offentlig/<slug:slug>/mote/<int:pk>/", views_public.public_meeting, name="public_meeting"),
    path("offentlig/<slug:slug>/dokument/<int:pk>.<str:fmt>", views_public.public_document, name="public_document"),
    path("offentlig/<slug:slug>/vedlegg/<int:pk>/", views_public.public_attachment, name="public_attachment"),
    path("offentlig/<slug:slug>/organ/<int:pk>/moteplan.ics", views_public.body_calendar, name="body_calendar"),
]
