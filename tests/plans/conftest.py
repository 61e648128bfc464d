"""Fixtures for the action plans: Vestfold's bodies and SSU meeting from the meeting module's fixtures, and a plan
for next year drafted through the services as the secretariat would, with a goal measured by an indicator and
measures owned by kari (a user) and by a named person without an account."""

from datetime import date
from types import SimpleNamespace

import pytest

from samhandling.plans import services
from samhandling.plans.models import MeasureStatus
from tests.governance.conftest import _media_in_tmp, fake_documents, gov  # noqa: F401  (shared fixtures)
from tests.indicators.webfixtures import make_run

YEAR = date.today().year + 1


@pytest.fixture
def run(reference):
    return make_run()


@pytest.fixture
def pl(gov, demo):  # noqa: F811  (gov is the meeting module's fixture)
    sigrid = gov.sigrid
    plan = services.plan_create(
        actor=sigrid, community=gov.community, title=f"Handlingsplan {YEAR}", start_year=YEAR, end_year=YEAR
    )
    children, mental, elderly, acute, quality = plan.themes.all()
    community_key = f"helsefellesskap:{gov.community.reference_key}"
    goal = services.goal_create(
        actor=sigrid,
        theme=elderly,
        title="Færre reinnleggelser innen 30 dager",
        indicator="reinnleggelse_30d",
        areas=[community_key, "kommune:3905", "kommune:3911"],
        baseline_year=2024,
        target_value=10.0,
    )
    plain_goal = services.goal_create(
        actor=sigrid, theme=children, title="En samhandlingsmodell for unge 13–25 år innen våren 2027"
    )
    vitality = services.measure_create(
        actor=sigrid,
        goal=goal,
        title="Prosjekt Vitality",
        target_group="Skrøpelige eldre og personer med flere kroniske lidelser",
        responsible_body=gov.ssu,
        owner=demo.kari,
        start_date=date(YEAR, 1, 1),
        due_date=date(YEAR, 12, 31),
    )
    ung_arena = services.measure_create(
        actor=sigrid,
        goal=plain_goal,
        title="Ung Arena+ Vestfold",
        responsible_body=gov.fsu,
        owner_name="Guro Eksempel",
        due_date=date(YEAR, 6, 30),
    )
    lar = services.measure_create(
        actor=sigrid, goal=plain_goal, title="Pasientforløp legemiddelassistert rusbehandling", owner=demo.per
    )
    services.measure_report_status(
        actor=sigrid, measure=lar, status=MeasureStatus.COMPLETED, text="Det er utarbeidet en tjenestemodell."
    )
    return SimpleNamespace(
        plan=plan,
        themes=SimpleNamespace(children=children, mental=mental, elderly=elderly, acute=acute, quality=quality),
        goal=goal,
        plain_goal=plain_goal,
        vitality=vitality,
        ung_arena=ung_arena,
        lar=lar,
        gov=gov,
        sigrid=sigrid,
    )
