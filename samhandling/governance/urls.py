"""URLs of møter og saker (Norwegian paths). The public archive lives under offentlig/ and needs no log-in."""

from django.urls import path

from .views import attachments, bodies, items, meetings, minutes, public, search

app_name = "governance"

urlpatterns = [
    path("", bodies.home, name="home"),
    path("innstillinger/", bodies.settings_view, name="settings"),
    path("sok/", search.search, name="search"),
    path("organer/", bodies.body_list, name="body_list"),
    path("organer/ny/", bodies.body_create, name="body_create"),
    path("organer/<int:pk>/", bodies.body_detail, name="body_detail"),
    path("organer/<int:pk>/rediger/", bodies.body_edit, name="body_edit"),
    path("organer/<int:pk>/medlemmer/ny/", bodies.member_add, name="member_add"),
    path("organer/<int:pk>/faste-saker/ny/", bodies.recurring_create, name="recurring_create"),
    path("organer/<int:pk>/moteplan/", bodies.body_plan, name="body_plan"),
    path("organer/<int:pk>/nytt-mote/", meetings.meeting_create, name="meeting_create"),
    path("organer/<int:pk>/ny-sak/", items.queue_item_create, name="queue_item_create"),
    path("medlemmer/<int:pk>/rediger/", bodies.member_edit, name="member_edit"),
    path("mote/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("mote/<int:pk>/rediger/", meetings.meeting_edit, name="meeting_edit"),
    path("mote/<int:pk>/ny-sak/", items.item_create, name="item_create"),
    path("mote/<int:pk>/flytt-sak/", items.item_move, name="item_move"),
    path("mote/<int:pk>/sett-opp-sak/", items.item_schedule, name="item_schedule"),
    path("mote/<int:pk>/avviksrapport/", meetings.deviation_report, name="deviation_report"),
    path("mote/<int:pk>/innkalling/", meetings.notice, name="notice"),
    path("mote/<int:pk>/innkalling/utkast.<str:fmt>", meetings.notice_preview, name="notice_preview"),
    path("mote/<int:pk>/kalender.ics", meetings.meeting_ics, name="meeting_ics"),
    path("mote/<int:pk>/referat/", minutes.minutes, name="minutes"),
    path("mote/<int:pk>/referat/lag/", minutes.minutes_draft, name="minutes_draft"),
    path("mote/<int:pk>/referat/rett/", minutes.minutes_correct, name="minutes_correct"),
    path("mote/<int:pk>/<slug:action>/", meetings.meeting_act, name="meeting_act"),
    path("dokument/<int:pk>.<str:fmt>", meetings.document_download, name="document_download"),
    path("sak/<int:pk>/", items.item_detail, name="item_detail"),
    path("sak/<int:pk>/rediger/", items.item_edit, name="item_edit"),
    path("sak/<int:pk>/vedlegg/", attachments.attachment_add, name="attachment_add"),
    path("sak/<int:pk>/videresend/", items.item_forward, name="item_forward"),
    path("sak/<int:pk>/utfall/", minutes.item_outcome, name="item_outcome"),
    path("sak/<int:pk>/oppfolgingspunkt/", minutes.action_point_add, name="action_point_add"),
    path("sak/<int:pk>/<slug:action>/", items.item_act, name="item_act"),
    path("vedlegg/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("vedlegg/<int:pk>/rediger/", attachments.attachment_edit, name="attachment_edit"),
    path("vedlegg/<int:pk>/fjern/", attachments.attachment_remove, name="attachment_remove"),
    path("oppfolgingspunkt/<int:pk>/<slug:action>/", items.action_point_act, name="action_point_act"),
    path("offentlig/", public.public_index, name="public_index"),
    path("offentlig/<slug:slug>/", public.public_archive, name="public_archive"),
    path("offentlig/<slug:slug>/mote/<int:pk>/", public.public_meeting, name="public_meeting"),
    path("offentlig/<slug:slug>/dokument/<int:pk>.<str:fmt>", public.public_document, name="public_document"),
    path("offentlig/<slug:slug>/vedlegg/<int:pk>/", public.public_attachment, name="public_attachment"),
    path("offentlig/<slug:slug>/organ/<int:pk>/moteplan.ics", public.body_calendar, name="body_calendar"),
]
