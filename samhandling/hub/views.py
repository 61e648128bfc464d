"""The public hub of a health community: who it is (its member organisations, its bodies and their members), its
upcoming meetings and latest published notices and minutes, its published indicators, and the accessibility
statement. Read-only and open to anyone; everything comes from the other modules' public selectors, so nothing
internal or confidential is shown (no e-mail addresses, no unpublished meetings, small numbers hidden)."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from samhandling.core.http import community_by_slug_or_redirect
from samhandling.core.models import Helsefellesskap, OrganisationType
from samhandling.governance import selectors as governance
from samhandling.governance.models import DocumentKind, current_members_q
from samhandling.indicators import selectors as indicators


@require_GET
def community(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_by_slug_or_redirect(request, slug, Helsefellesskap.objects.all())
    today = timezone.localdate()
    members = community.members.order_by("type", "name")
    bodies = [
        (
            body,
            body.members.filter(current_members_q(today))
            .select_related("user", "organisation")
            .order_by("role", "name", "user__first_name"),
        )
        for body in governance.public_bodies(community)
    ]
    latest = []
    for meeting in governance.public_meetings(community)[:6]:
        documents = governance.public_documents(meeting)
        notice = next((d for d in documents if d.kind == DocumentKind.NOTICE), None)
        minutes = next((d for d in documents if d.kind == DocumentKind.MINUTES), None)
        latest.append((meeting, notice, minutes))
    run = indicators.published_run()
    area = indicators.community_area(community)
    dashboard = indicators.area_dashboard(run, area, raw=False) if run is not None else None
    context = {
        "community": community,
        "municipalities": [m for m in members if m.type == OrganisationType.KOMMUNE],
        "others": [m for m in members if m.type != OrganisationType.KOMMUNE],
        "bodies": bodies,
        "upcoming": governance.public_upcoming_meetings(community, today)[:5],
        "latest": latest,
        "run": run,
        "dashboard": dashboard,
        "language": get_language(),
        "public": True,
        "dashboard_url": reverse("indicators:public_community", args=[community.slug]),
        # What the overview tiles (indicators/_tiles.html) link to from here.
        "area": area,
        "tile_base": reverse("indicators:public_community", args=[community.slug]),
        "map_url": reverse("indicators:public_map") + "?" + urlencode({"fellesskap": area.code}),
        "funnel_url": reverse("indicators:public_funnel") + "?" + urlencode({"fellesskap": area.code}),
        "national_url": reverse("indicators:public_national"),
        "archive_url": reverse("governance:public_archive", args=[community.slug])
        if governance.public_communities().filter(pk=community.pk).exists()
        else "",
    }
    return render(request, "hub/community.html", context)
