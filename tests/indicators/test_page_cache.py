"""The dashboard pages keep their whole body per run, choice, language and audience (views.dashboards._page_key):
a second visit builds neither choosers nor numbers, yet a new run, another language, another choice, a user's own
comparison groups and a renamed municipality each get a body of their own at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samhandling.core.models import Organisation, OrganisationType
from samhandling.indicators import services
from samhandling.indicators.models import Run, RunStatus

from .webfixtures import make_run

MAP = "/styringsinformasjon/offentlig/kart/?indikator=reinnleggelse_30d&fellesskap=Vestfold"
FUNNEL = "/styringsinformasjon/trakt/?indikator=reinnleggelse_30d"
AREA = "/styringsinformasjon/offentlig/kommuner/3905/"


@pytest.fixture
def run(demo):
    return make_run()


def _get(client, url: str, language: str = "nb"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    # The header's language form carries a CSRF token masked anew for every response.
    html = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', 'name="csrfmiddlewaretoken"', response.content.decode())
    return html, len(queries)


def _heading(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.mark.parametrize("url", [MAP, AREA, "/styringsinformasjon/offentlig/trakt/?indikator=reinnleggelse_30d"])
def test_a_second_visit_builds_nothing_and_shows_the_same_page(client, demo, run, url):
    first, first_queries = _get(client, url)
    second, second_queries = _get(client, url)
    assert second == first
    # Only the published run is asked for (the area itself is kept too); the numbers, the municipalities of the
    # community and the choosers' communities are not.
    assert second_queries == 1 < first_queries


def test_another_language_or_choice_gets_its_own_body(client, demo, run):
    bokmal, _ = _get(client, MAP)
    nynorsk, _ = _get(client, MAP, "nn")
    assert 'lang="nn"' in nynorsk and _heading(nynorsk) != _heading(bokmal)
    other, _ = _get(client, MAP + "&niva=helsefellesskap")
    assert other != bokmal and "Helsefellesskap" in other
    # A value the page does not offer falls back to the defaults, in a body of its own.
    bad, _ = _get(client, MAP + "&aar=abc")
    default, _ = _get(client, "/styringsinformasjon/offentlig/kart/")
    assert _heading(bad) == _heading(default) != _heading(bokmal)


def test_a_newly_published_run_is_shown_at_once(client, demo, run):
    before, _ = _get(client, MAP)
    newer = make_run(offset=40, published=False)
    services.run_publish(actor=demo.anders, run=newer)
    assert Run.objects.get(pk=run.pk).status == RunStatus.READY
    after, _ = _get(client, MAP)
    assert after != before
    services.run_unpublish(actor=demo.anders, run=Run.objects.get(pk=newer.pk))
    nothing, _ = _get(client, MAP)
    assert "No results have been published yet." in nothing or "Ingen resultat" in nothing


def test_a_users_own_groups_never_reach_another_users_page(client, demo, run):
    services.group_create(actor=demo.kari, name="Kari sine byer", municipalities=["3905", "3907"])
    client.force_login(demo.kari)
    karis, _ = _get(client, FUNNEL)
    assert "Kari sine byer" in karis
    client.force_login(demo.per)
    pers, _ = _get(client, FUNNEL)
    assert "Kari sine byer" not in pers
    client.force_login(demo.kari)
    again, _ = _get(client, FUNNEL)
    assert "Kari sine byer" in again
    services.group_create(actor=demo.kari, name="Kari sine andre", municipalities=["3909", "3907"])
    newer, _ = _get(client, FUNNEL)
    assert "Kari sine andre" in newer


def test_a_renamed_municipality_is_shown_at_once(client, demo, run):
    assert "Tønsberg" in _heading(_get(client, AREA)[0])
    municipality = Organisation.objects.get(type=OrganisationType.KOMMUNE, municipality_number="3905")
    municipality.name = "Tønsberg og Omegn"
    municipality.save()
    assert _heading(_get(client, AREA)[0]) == "Tønsberg og Omegn"
    # The map's table names it too.
    assert "Tønsberg og Omegn" in _get(client, MAP)[0]
