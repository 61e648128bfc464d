"""URLs of nyhetsbrev (Norwegian paths). The archive, issues, the feed, subscribing, confirming and unsubscribing
need no log-in."""

from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.index, name="index"),
    path("ny/", views.newsletter_create, name="newsletter_create"),
    path("innspill/", views.my_contributions, name="my_contributions"),
    path("innspill/nytt/", views.contribute, name="contribute"),
    path("bilde/<int:pk>/", views.contribution_image, name="contribution_image"),
    path("bekreft/<str:token>/", views.confirm, name="confirm"),
    path("avmeld/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("redaksjon/utgave/<int:pk>/", views.issue_edit, name="issue_edit"),
    path("redaksjon/utgave/<int:pk>/rekkefolge/", views.issue_arrange, name="issue_arrange"),
    path("redaksjon/utgave/<int:pk>/forhandsvis/<slug:fmt>/", views.issue_preview, name="issue_preview"),
    path("redaksjon/utgave/<int:pk>/<slug:action>/", views.issue_act, name="issue_act"),
    path("redaksjon/innspill/<int:pk>/", views.contribution_decide, name="contribution_decide"),
    path("redaksjon/<slug:slug>/", views.editor, name="editor"),
    path("redaksjon/<slug:slug>/seksjoner/", views.sections, name="sections"),
    path("redaksjon/<slug:slug>/abonnenter/", views.subscribers, name="subscribers"),
    path("<slug:slug>/", views.archive, name="archive"),
    path("<slug:slug>/abonner/", views.subscribe, name="subscribe"),
    path("<slug:slug>/feed.atom", views.feed, name="feed"),
    path("<slug:slug>/<slug:issue_slug>/", views.public_issue, name="public_issue"),
]
