"""The public page of a health community at /fellesskap/<slug>/: open to everyone, read-only, built from the other
modules' public selectors: members, bodies with their current members (never their e-mail addresses), upcoming and
published meetings (never an unpublished one), the published indicators with small numbers hidden."""

from datetime import date, timedelta

import pytest

from samhandling.governance import services
from samhandling.governance.models import MemberRole
from tests.governance.conftest import gov  # noqa: F401 - the governance world, used as a fixture
from tests.indicators.webfixtures import HIDDEN_TEXT, make_run
from tests.matrix import url_names

PERSONAS = ["kari", "ingrid", "sigrid", "anders", "ola", "anonymous"]


def test_the_hub_has_one_url():
    assert url_names("hub") == {"community"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_may_read_the_hub_and_nobody_may_post(client, demo, persona):
    if persona != "anonymous":
        client.force_login(getattr(demo, persona))
    assert client.get("/fellesskap/vestfold/").status_code == 200
    assert client.post("/fellesskap/vestfold/").status_code == 405
    assert client.get("/fellesskap/finnes-ikke/").status_code == 404


def test_the_community_switcher_keeps_its_address(client, demo):
    # core's /fellesskap/velg/ comes before the hub's /fellesskap/<slug>/.
    assert client.get("/fellesskap/velg/").resolver_match.namespace == "core"


def test_the_hub_shows_members_and_bodies_but_no_e_mail_and_no_unpublished_meeting(client, gov):  # noqa: F811
    html = client.get("/fellesskap/vestfold/").content.decode()
    assert "Tønsberg" in html and "Strategisk samarbeidsutvalg" in html
    assert "Randi Brekke" in html and "Brukerutvalget" in html
    assert "randi.brekke@example.invalid" not in html and "@" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    # The SSU meeting a week ago was planned but its notice never sent: not in the published list.
    assert "Digital hjemmeoppfølging" not in html and "Budsjettforhandlinger" not in html
    assert gov.meeting.date.strftime("%Y") not in html.split('id="hub-meetings"', 1)[1].split("</section>", 1)[0]


def test_an_upcoming_meeting_is_listed_with_its_place(client, gov):  # noqa: F811
    gov.plan(days=10)
    section = client.get("/fellesskap/vestfold/").content.decode().split('id="hub-meetings"', 1)[1]
    assert "Nøtterøy kulturhus, Lillesalen" in section.split("</ul>", 1)[0]


def test_a_member_whose_seat_has_ended_is_not_listed(client, gov, demo):  # noqa: F811
    body = gov.seats.randi.body
    services.member_add(
        actor=demo.sigrid,
        body=body,
        role=MemberRole.MEMBER,
        name="Gammel Representant",
        represents_text="Tidligere",
        valid_from=date.today() - timedelta(days=800),
        valid_to=date.today() - timedelta(days=400),
    )
    assert "Gammel Representant" not in client.get("/fellesskap/vestfold/").content.decode()


def test_the_hub_shows_the_published_indicators_with_small_numbers_hidden(client, demo):
    make_run()
    html = client.get("/fellesskap/vestfold/").content.decode()
    assert 'class="tiles"' in html and HIDDEN_TEXT not in html
    assert "/styringsinformasjon/offentlig/helsefellesskap/vestfold/?indikator=" in html
