"""Every core view walked by every persona: who gets 200, who gets 403 or 404, and who is sent to log in.

The matrix must name every URL pattern of the project (test_every_url_pattern_is_in_the_matrix), so a view added
without deciding who may see it fails the suite.
"""

import pytest

from samhandling.core.models import Organisation, OrganisationType, User
from tests.conftest import PERSONAS
from tests.matrix import url_names, walk

ALL = set(PERSONAS)
MANAGERS = {"sigrid", "tove"}
ANON = "anonymous"


def _urls(demo) -> dict[str, str]:
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    bodo_unit = Organisation.objects.get(name="Hjemmetjenesten Bodø (demo)")
    return {
        "home": "/",
        "account": "/konto/",
        "password_change": "/konto/passord/",
        "directory": "/helsefellesskap/",
        "community": "/helsefellesskap/vestfold/",
        "other_community": "/helsefellesskap/nordland/",
        "municipality": "/kommuner/3905/",
        "district": "/bydeler/030101/",
        "organisation": f"/organisasjoner/{hospital.pk}/",
        "admin_organisations": "/administrasjon/organisasjoner/",
        "admin_organisation": f"/administrasjon/organisasjoner/{hospital.pk}/",
        "admin_organisation_other_community": f"/administrasjon/organisasjoner/{bodo_unit.pk}/",
        "admin_users": "/administrasjon/brukere/",
        "admin_user_create": "/administrasjon/brukere/ny/",
        "admin_user": f"/administrasjon/brukere/{demo.kari.pk}/",
        "admin_user_other_community": f"/administrasjon/brukere/{demo.ola.pk}/",
        "admin_audit_log": "/administrasjon/logg/",
    }


# name → {status: personas}; anyone not named gets the "else" status. Anonymous visitors are sent to log in (302).
MATRIX = {
    "home": {200: ALL},
    "account": {200: ALL},
    "password_change": {200: ALL},
    "directory": {200: ALL},
    "community": {200: ALL},
    "other_community": {200: ALL},
    "municipality": {200: ALL},
    "district": {200: ALL},
    "organisation": {200: ALL},
    "admin_organisations": {200: MANAGERS, "else": 403},
    "admin_organisation": {200: MANAGERS, "else": 403},
    "admin_organisation_other_community": {404: MANAGERS, "else": 403},
    "admin_users": {200: MANAGERS, "else": 403},
    "admin_user_create": {200: MANAGERS, "else": 403},
    "admin_user": {200: MANAGERS, "else": 403},
    "admin_user_other_community": {404: MANAGERS, "else": 403},
    "admin_audit_log": {200: MANAGERS, "else": 403},
}

# URL pattern names covered elsewhere in this file (public pages, POST-only actions, the auth flow).
COVERED_ELSEWHERE = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "accessibility",
    "core:switch_helsefellesskap",
    "oidc_start",  # tests/core/test_oidc.py, against a real provider
    "oidc_callback",
    "two_factor_verify",  # tests/core/test_twofactor.py
    "two_factor_setup",
    "two_factor_recovery_codes",
    "keep_alive",  # tests/core/test_sessions.py
    "health",  # tests/core/test_operations.py
}
PATTERN_OF = {
    "home": "home",
    "account": "account",
    "password_change": "password_change",
    "directory": "core:helsefellesskap_list",
    "community": "core:helsefellesskap",
    "municipality": "core:municipality",
    "district": "core:district",
    "organisation": "core:organisation",
    "admin_organisations": "core:admin_organisations",
    "admin_organisation": "core:admin_organisation",
    "admin_users": "core:admin_users",
    "admin_user_create": "core:admin_user_create",
    "admin_user": "core:admin_user",
    "admin_audit_log": "core:admin_audit_log",
}


def test_every_url_pattern_is_in_the_matrix():
    # Each module's own namespace is walked by its own matrix (tests/deviations/test_views.py …).
    core_and_root = {name for name in url_names() if ":" not in name or name.startswith("core:")}
    assert core_and_root == set(PATTERN_OF.values()) | COVERED_ELSEWHERE


def _expected(name: str, persona: str) -> int:
    if persona == ANON:
        return 302
    rule = MATRIX[name]
    for status, personas in rule.items():
        if status != "else" and persona in personas:
            return status
    return rule.get("else", 200)


@pytest.mark.parametrize("persona", [*PERSONAS, ANON])
def test_permission_matrix(demo, client, persona):
    urls = _urls(demo)
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    failures = walk(client, urls, lambda name: _expected(name, persona))
    assert not failures, "\n".join(failures)


def test_public_pages_open_without_log_in(client, demo):
    for url in ("/konto/logg-inn/", "/konto/passord/glemt/", "/tilgjengelighet/"):
        assert client.get(url).status_code == 200, url


def test_language_and_community_switches_refuse_get(client, demo):
    client.force_login(demo.kari)
    assert client.get("/sprak/").status_code == 405
    assert client.get("/fellesskap/velg/").status_code == 405


# --- what the pages show --------------------------------------------------------------------------------------------


def test_the_directory_lists_every_community_with_population(client, demo):
    client.force_login(demo.kari)
    response = client.get("/helsefellesskap/")
    assert response.context["summaries"][0].community.name
    vestfold = next(s for s in response.context["summaries"] if s.community.code == "VES")
    assert vestfold.municipality_count == 6
    assert set(vestfold.population) == {2024, 2025, 2026}
    assert "Sykehuset i Vestfold" in response.content.decode()


def test_the_municipality_page_has_a_chart_and_a_table_with_the_same_numbers(client, demo):
    client.force_login(demo.kari)
    response = client.get("/kommuner/3905/")
    bands = response.context["bands"]
    total = sum(band["K"] + band["M"] for band in bands)
    assert total == response.context["population"][2026]
    spec = response.context["chart"]
    chart_total = sum(row["count"] for row in spec["data"]["values"]) if "values" in spec["data"] else None
    if chart_total is None:
        chart_total = sum(row["count"] for dataset in spec["datasets"].values() for row in dataset)
    assert chart_total == total
    html = response.content.decode()
    assert 'data-vega-spec="population-spec"' in html
    assert "<table" in html
    assert "2\xa0026" not in html  # years are never written with a thousands separator


def test_oslo_lists_its_districts(client, demo):
    client.force_login(demo.kari)
    response = client.get("/kommuner/0301/")
    names = [row.area.name for row in response.context["districts"]]
    assert "Gamle Oslo" in names


def test_an_unknown_municipality_is_a_friendly_404(client, demo):
    client.force_login(demo.kari)
    response = client.get("/kommuner/9999/")
    assert response.status_code == 404
    assert "Samhandling" in response.content.decode()


# --- forms keep what was typed and say what is wrong at the field -------------------------------------------------


def test_creating_a_user_with_a_bad_username_keeps_the_other_fields(client, demo):
    client.force_login(demo.sigrid)
    office = Organisation.objects.get(name="Kaldnes legesenter (demo)")
    data = {
        "first_name": "Nina",
        "last_name": "Aas",
        "username": "nina aas",
        "email": "nina@example.org",
        "title": "Fastlege",
        "language": "nn",
        "organisation": office.pk,
        "role": "reporter",
    }
    response = client.post("/administrasjon/brukere/ny/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["username"]
    html = response.content.decode()
    assert 'value="nina@example.org"' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(email="nina@example.org").exists()


def test_a_secretary_cannot_give_a_role_in_another_community_by_editing_the_form(client, demo):
    client.force_login(demo.sigrid)
    bodo_unit = Organisation.objects.get(name="Hjemmetjenesten Bodø (demo)")
    response = client.post(
        f"/administrasjon/brukere/{demo.kari.pk}/",
        {"form": "membership", "membership-organisation": bodo_unit.pk, "membership-role": "reporter"},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["membership_form"].errors
    assert not demo.kari.memberships.filter(organisation=bodo_unit).exists()


def test_a_secretary_adds_a_unit_from_the_organisation_page(client, demo):
    client.force_login(demo.sigrid)
    tonsberg = Organisation.objects.get(municipality_number="3905", type=OrganisationType.KOMMUNE)
    response = client.post(
        f"/administrasjon/organisasjoner/{tonsberg.pk}/",
        {"form": "unit", "unit-name": "Legevakten i Tønsberg", "unit-type": "municipal_service"},
    )
    assert response.status_code == 302
    assert tonsberg.children.filter(name="Legevakten i Tønsberg").exists()


def test_the_audit_log_filters_by_action_and_rejects_a_reversed_date_range(client, demo):
    client.force_login(demo.sigrid)
    response = client.get("/administrasjon/logg/", {"action": "core.organisation.created"})
    events = list(response.context["page"])
    assert events and all(event.action == "core.organisation.created" for event in events)
    response = client.get("/administrasjon/logg/", {"date_from": "2026-11-20", "date_to": "2026-11-01"})
    assert "date_to" in response.context["form"].errors


def test_the_audit_log_shows_nothing_of_another_community(client, demo):
    client.force_login(demo.sigrid)
    response = client.get("/administrasjon/logg/")
    assert all(event.helsefellesskap.code == "VES" for event in response.context["page"])


def test_my_tasks_shows_what_a_module_provides_soonest_first(client, demo, monkeypatch):
    from datetime import date

    from samhandling.core import todo

    def provider(user):
        if user.username != "kari":
            return []
        return [
            todo.Todo(title="Svar på avvik VES-2026-00002", url="/a/2/", module="Avvik", due=date(2026, 12, 1)),
            todo.Todo(
                title="Svar på avvik VES-2026-00001", url="/a/1/", module="Avvik", due=date(2026, 11, 1), overdue=True
            ),
        ]

    monkeypatch.setattr(todo, "_PROVIDERS", [])
    todo.register_todo_provider(provider)
    client.force_login(demo.kari)
    html = client.get("/").content.decode()
    assert html.index("VES-2026-00001") < html.index("VES-2026-00002")
    assert "01.11.2026" in html
    client.force_login(demo.per)
    assert "VES-2026-00001" not in client.get("/").content.decode()
