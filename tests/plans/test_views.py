"""Every action plan view × every persona and anonymous: allowed, refused (403) or hidden (404); then the forms:
every error at once in Norwegian at its field with what was typed kept, status entry by the owner, the approval and
the report on the agenda, and the public pages that show published plans only.

The world: sigrid (secretariat) and tove (admin) manage Vestfold's plans; kari owns "Prosjekt Vitality" and per owns
a completed measure in the draft plan; everyone else in Vestfold reads the published plan only; ola (Nordland) sees
nothing of Vestfold's plans but the public pages."""

import pytest

from samhandling.plans import services
from samhandling.plans.models import Measure, MeasureStatus, PlanStatus
from tests.matrix import LOGIN_REDIRECT, url_names, walk

from .conftest import YEAR

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "lars", "per", "hilde", "turid", "sigrid", "anders", "tove", "ola", ANON]
MANAGERS = {"sigrid", "tove"}
OWNERS = {"kari", "per"}
VESTFOLD = set(PERSONAS) - {"ola", ANON}


@pytest.fixture
def published(pl):
    plan = services.plan_create(
        actor=pl.sigrid,
        community=pl.gov.community,
        title=f"Handlingsplan {YEAR - 1}",
        start_year=YEAR - 1,
        end_year=YEAR - 1,
        default_themes=False,
    )
    plan = services.plan_approve(actor=pl.sigrid, plan=plan, item=pl.gov.public_item)
    return services.plan_publish(actor=pl.sigrid, plan=plan)


def _expect(view: str, persona: str) -> int:
    if view in {"public_list", "public_detail"}:
        return 200
    if view == "public_draft":
        return 404
    if persona == ANON:
        return 302
    manage = {200: MANAGERS, 403: OWNERS}
    table = {
        "plan_list": {200: set(PERSONAS)},
        "plan_create": {200: MANAGERS, "else": 403},
        "plan_detail": {200: MANAGERS | OWNERS},
        "published_detail": {200: VESTFOLD},
        "plan_edit": manage,
        "theme_create": manage,
        "theme_edit": manage,
        "goal_create": manage,
        "goal_edit": manage,
        "measure_create": manage,
        "measure_edit": manage,
        "status_report": {200: MANAGERS | OWNERS},
        "measure_detail": {200: MANAGERS | OWNERS},
        "measure_status": {400: MANAGERS | {"kari"}, 403: {"per"}},
        "plan_approve": {400: MANAGERS, 403: OWNERS},
        "plan_report_to_agenda": {400: MANAGERS, 403: OWNERS},
        "plan_act": {404: MANAGERS, 403: OWNERS},
    }[view]
    for status, people in table.items():
        if status != "else" and persona in people:
            return status
    return table.get("else", 404)


COVERED = {
    "plan_list",
    "plan_create",
    "plan_detail",
    "plan_edit",
    "plan_approve",
    "plan_report_to_agenda",
    "status_report",
    "theme_create",
    "plan_act",
    "theme_edit",
    "goal_create",
    "goal_edit",
    "measure_create",
    "measure_detail",
    "measure_edit",
    "public_list",
    "public_detail",
    "part_remove",
}


def test_every_plans_url_is_in_the_matrix():
    assert url_names("plans") == COVERED


@pytest.mark.parametrize("persona", PERSONAS)
def test_plans_permission_matrix(client, demo, pl, published, persona):
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    plan, slug = pl.plan, pl.gov.community.slug
    requests = {
        "plan_list": "/handlingsplan/",
        "plan_create": "/handlingsplan/ny/",
        "plan_detail": f"/handlingsplan/{plan.pk}/",
        "published_detail": f"/handlingsplan/{published.pk}/",
        "plan_edit": f"/handlingsplan/{plan.pk}/rediger/",
        "theme_create": f"/handlingsplan/{plan.pk}/nytt-tema/",
        "theme_edit": f"/handlingsplan/tema/{pl.themes.acute.pk}/rediger/",
        "goal_create": f"/handlingsplan/tema/{pl.themes.acute.pk}/nytt-mal/",
        "goal_edit": f"/handlingsplan/mal/{pl.goal.pk}/rediger/",
        "measure_create": f"/handlingsplan/mal/{pl.goal.pk}/nytt-tiltak/",
        "measure_edit": f"/handlingsplan/tiltak/{pl.vitality.pk}/rediger/",
        "status_report": f"/handlingsplan/{plan.pk}/statusrapport.docx",
        "measure_detail": f"/handlingsplan/tiltak/{pl.vitality.pk}/",
        "measure_status": ("post", f"/handlingsplan/tiltak/{pl.vitality.pk}/"),
        "plan_approve": ("post", f"/handlingsplan/{plan.pk}/godkjenn/"),
        "plan_report_to_agenda": ("post", f"/handlingsplan/{plan.pk}/pa-sakskartet/"),
        "plan_act": ("post", f"/handlingsplan/{plan.pk}/ukjent/"),
        "public_list": f"/handlingsplan/offentlig/{slug}/",
        "public_detail": f"/handlingsplan/offentlig/{slug}/{published.pk}/",
        "public_draft": f"/handlingsplan/offentlig/{slug}/{plan.pk}/",
    }

    def no_drafts_in_public(view, response, status):
        if view.startswith("public") and status == 200 and f"Handlingsplan {YEAR}<".encode() in response.content:
            return [f"{view} shows the draft plan"]
        return []

    failures = walk(client, requests, lambda view: _expect(view, persona), no_drafts_in_public)
    # Last, as it changes the world: removing a measure (the secretariat is sent back to the plan).
    response = client.post(f"/handlingsplan/tiltak/{pl.ung_arena.pk}/fjern/")
    want = {"redirect": MANAGERS, 403: OWNERS, 302: {ANON}}
    expected = next((status for status, people in want.items() if persona in people), 404)
    if expected == "redirect":
        ok = response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    else:
        ok = response.status_code == expected and (expected != 302 or response["Location"].startswith(LOGIN_REDIRECT))
    if not ok:
        failures.append(f"part_remove: expected {expected}, got {response.status_code}")
    assert Measure.objects.filter(pk=pl.ung_arena.pk).exists() == (persona not in MANAGERS)
    assert not failures, "\n".join(failures)


# --- behaviour -------------------------------------------------------------------------------------------------------


def test_the_plan_form_shows_every_error_at_once_and_keeps_what_was_typed(client, pl):
    client.force_login(pl.sigrid)
    response = client.post(
        "/handlingsplan/ny/", {"title": "Min plan", "start_year": str(YEAR), "end_year": str(YEAR - 2)}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Det siste året kan ikke komme før det første året." in text
    assert 'value="Min plan"' in text
    response = client.post("/handlingsplan/ny/", {"title": "", "start_year": "tjuetjue", "end_year": str(YEAR)})
    text = response.content.decode()
    assert "Feltet er påkrevet." in text and "Skriv et år med fire sifre." in text


def test_the_goal_form_names_each_missing_indicator_field(client, pl):
    client.force_login(pl.sigrid)
    response = client.post(
        f"/handlingsplan/tema/{pl.themes.acute.pk}/nytt-mal/",
        {"title": "Kortere ventetid", "indicator": "reinnleggelse_30d", "target_value": "tolv"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Velg minst ett område målet gjelder for." in text
    assert "Skriv et tall, for eksempel 12,5." in text
    assert 'value="Kortere ventetid"' in text


def test_the_secretariat_adds_a_goal_with_an_indicator_in_norwegian_number_format(client, pl):
    client.force_login(pl.sigrid)
    key = f"helsefellesskap:{pl.gov.community.reference_key}"
    response = client.post(
        f"/handlingsplan/tema/{pl.themes.acute.pk}/nytt-mal/",
        {"title": "Færre reinnleggelser", "indicator": "reinnleggelse_30d", "areas": [key], "target_value": "12,5"},
    )
    assert response.status_code == 302
    goal = pl.themes.acute.goals.get()
    assert (goal.indicator, goal.areas, goal.target_value) == ("reinnleggelse_30d", [key], 12.5)


def test_the_owner_reports_status_on_the_measure_page(client, demo, pl):
    client.force_login(demo.kari)
    response = client.post(f"/handlingsplan/tiltak/{pl.vitality.pk}/", {"status": "delayed", "text": ""})
    assert response.status_code == 400
    assert "Si kort hvorfor." in response.content.decode()
    response = client.post(
        f"/handlingsplan/tiltak/{pl.vitality.pk}/", {"status": "delayed", "text": "Venter på finansiering"}
    )
    assert response.status_code == 302
    measure = Measure.objects.get(pk=pl.vitality.pk)
    assert measure.status == MeasureStatus.DELAYED
    page = client.get(f"/handlingsplan/tiltak/{pl.vitality.pk}/").content.decode()
    assert "Venter på finansiering" in page and "Kari Nordmann" in page


def test_the_plan_page_shows_the_indicator_with_hidden_values_hidden(client, demo, pl, run):
    from tests.indicators.webfixtures import HIDDEN_TEXT

    client.force_login(pl.sigrid)
    text = client.get(f"/handlingsplan/{pl.plan.pk}/").content.decode()
    assert "reinnleggelse_30d" in text
    assert "Skjult (små tall)" in text
    assert HIDDEN_TEXT not in text


def test_approval_publish_and_the_public_page(client, pl):
    client.force_login(pl.sigrid)
    response = client.post(f"/handlingsplan/{pl.plan.pk}/godkjenn/", {"approve-item": ""})
    assert response.status_code == 400
    assert "Velg saken der planen ble godkjent." in response.content.decode()
    response = client.post(f"/handlingsplan/{pl.plan.pk}/godkjenn/", {"approve-item": str(pl.gov.public_item.pk)})
    assert response.status_code == 302
    client.post(f"/handlingsplan/{pl.plan.pk}/publiser/")
    pl.plan.refresh_from_db()
    assert pl.plan.status == PlanStatus.PUBLISHED
    client.logout()
    public = client.get(f"/handlingsplan/offentlig/{pl.gov.community.slug}/{pl.plan.pk}/").content.decode()
    assert "Prosjekt Vitality" in public and "/handlingsplan/tiltak/" not in public


def test_the_report_button_puts_an_item_on_the_next_ssu_meeting(client, pl, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upcoming = pl.gov.plan(days=14)
    client.force_login(pl.sigrid)
    response = client.post(
        f"/handlingsplan/{pl.plan.pk}/pa-sakskartet/", {"agenda-meeting": str(upcoming.pk), "agenda-fmt": "pdf"}
    )
    assert response.status_code == 302
    item = upcoming.items.get(title__startswith="Status")
    assert response["Location"] == item.get_absolute_url()
    assert item.attachments.get().original_name.endswith(".pdf")


def test_copy_to_next_year_from_the_page(client, pl):
    client.force_login(pl.sigrid)
    response = client.post(f"/handlingsplan/{pl.plan.pk}/kopier/")
    assert response.status_code == 302
    copy = pl.plan.copies.get()
    assert response["Location"] == copy.get_absolute_url()


def test_the_forms_of_an_approved_plan_send_the_secretariat_back_to_the_plan(client, demo, pl, published):
    theme = services.theme_create(actor=pl.sigrid, plan=pl.plan, title="Fastlegesituasjonen")
    services.plan_approve(actor=pl.sigrid, plan=pl.plan, item=pl.gov.public_item)
    urls = [
        f"/handlingsplan/{pl.plan.pk}/rediger/",
        f"/handlingsplan/{pl.plan.pk}/nytt-tema/",
        f"/handlingsplan/tema/{theme.pk}/rediger/",
        f"/handlingsplan/tema/{theme.pk}/nytt-mal/",
        f"/handlingsplan/mal/{pl.goal.pk}/rediger/",
        f"/handlingsplan/mal/{pl.goal.pk}/nytt-tiltak/",
        f"/handlingsplan/tiltak/{pl.vitality.pk}/rediger/",
    ]
    client.force_login(pl.sigrid)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == pl.plan.get_absolute_url(), url
        assert client.post(url, {"title": "Endret"}).status_code == 302
    assert not pl.plan.themes.filter(title="Endret").exists()
    page = client.get(pl.plan.get_absolute_url()).content.decode()
    assert "Planen er godkjent: sett den tilbake til utkast" in page
    client.force_login(demo.hilde)  # reads the approved plan, changes nothing
    assert all(client.get(url).status_code == 403 for url in urls)
    # Approving twice is an error at the form, not a crash.
    client.force_login(pl.sigrid)
    response = client.post(f"/handlingsplan/{pl.plan.pk}/godkjenn/", {"approve-item": str(pl.gov.public_item.pk)})
    assert response.status_code == 400


def test_removing_a_theme_takes_its_goals_and_measures_and_is_audited(client, pl):
    from samhandling.core.models import AuditEvent

    client.force_login(pl.sigrid)
    page = client.get(f"/handlingsplan/tema/{pl.themes.elderly.pk}/rediger/").content.decode()
    assert f'action="/handlingsplan/tema/{pl.themes.elderly.pk}/fjern/"' in page
    response = client.post(f"/handlingsplan/tema/{pl.themes.elderly.pk}/fjern/")
    assert response.status_code == 302
    assert not Measure.objects.filter(pk=pl.vitality.pk).exists()
    assert pl.plan.themes.count() == 4
    assert AuditEvent.objects.filter(action="plans.theme.removed").exists()
    assert client.post(f"/handlingsplan/ukjent/{pl.goal.pk}/fjern/").status_code == 404
