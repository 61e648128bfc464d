"""The per-user answers kept between requests (core/access_cache.py): pages reuse them, and no change to roles,
organisations or communities is ever answered from an outdated entry."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samhandling.core.models import Helsefellesskap, Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def tables_asked(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    return [sql.split(" FROM ")[1].split()[0] for sql in statements if " FROM " in sql]


def test_a_second_page_view_asks_the_database_only_about_the_page(client, demo, sent_case):
    client.force_login(demo.per)
    first = tables_asked(client, sent_case.get_absolute_url())
    second = tables_asked(client, sent_case.get_absolute_url())
    # The memberships, the communities and their members come from the cache the second time; the case, its
    # history and what its forms offer are read again.
    for table in ('"core_membership"', '"core_helsefellesskap"'):
        assert table in first and table not in second
    assert '"deviations_deviation"' in second and '"deviations_caseevent"' in second
    assert len(second) <= len(first) - 4


def test_a_role_taken_away_is_refused_on_the_next_request(client, demo, sent_case):
    client.force_login(demo.per)
    assert client.get(sent_case.get_absolute_url()).status_code == 200
    assert ">Innboks<" in client.get("/avvik/").content.decode()
    Membership.objects.filter(user=demo.per, role=Role.DEVIATION_CONTACT).delete()
    assert client.get(sent_case.get_absolute_url()).status_code == 404
    # with no role left he has no community either: the module's pages still answer (they crashed on the tabs)
    page = client.get("/avvik/")
    assert page.status_code == 200 and ">Innboks<" not in page.content.decode()


def test_a_role_given_shows_in_the_tabs_on_the_next_request(client, demo):
    client.force_login(demo.kari)
    assert ">Innboks<" not in client.get("/avvik/").content.decode()
    unit = Membership.objects.filter(user=demo.kari).first().organisation
    Membership.objects.create(user=demo.kari, organisation=unit, role=Role.DEVIATION_CONTACT)
    assert ">Innboks<" in client.get("/avvik/").content.decode()


def test_a_deactivated_unit_takes_its_roles_away_at_once(client, demo, sent_case):
    client.force_login(demo.per)
    assert client.get(sent_case.get_absolute_url()).status_code == 200
    for membership in Membership.objects.filter(user=demo.per).select_related("organisation"):
        membership.organisation.is_active = False
        membership.organisation.save()
    assert client.get(sent_case.get_absolute_url()).status_code == 404


def test_a_community_without_its_secretariat_leaves_the_administration_menu_at_once(client, demo):
    client.force_login(demo.sigrid)
    assert ">Administrasjon<" in client.get("/").content.decode()
    community = Helsefellesskap.objects.get(code="VES")
    community.secretariat = None
    community.save()
    assert ">Administrasjon<" not in client.get("/").content.decode()


def test_a_new_unit_raises_the_version_of_those_with_roles_in_its_organisation_only(demo):
    before = dict(User.objects.values_list("pk", "access_version"))
    clinic = Organisation.objects.get(name="Medisinsk klinikk (demo)")
    Organisation.objects.create(name="Ny enhet (demo)", parent=clinic, type=clinic.type)
    after = dict(User.objects.values_list("pk", "access_version"))
    raised = {pk for pk in after if after[pk] > before[pk]}
    assert demo.per.pk in raised  # contact point of the clinic's hospital: the new unit is now under him
    assert demo.kari.pk not in raised  # a municipality's nurse: nothing changed for her


def test_a_new_handler_sees_the_inbox_at_once(client, demo, sent_case):
    from samhandling.deviations import services

    handler = User.objects.create_user("ny", password="x")
    ward = Organisation.objects.get(name="Medisinsk sengepost (demo)")
    Membership.objects.create(user=handler, organisation=ward, role=Role.REPORTER)
    client.force_login(handler)
    assert ">Innboks<" not in client.get("/avvik/").content.decode()
    services.deviation_acknowledge(actor=demo.per, case=sent_case, handler=handler)
    assert ">Innboks<" in client.get("/avvik/").content.decode()
