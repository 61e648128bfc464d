"""Fixtures for the cooperation agreements: Vestfold's overarching agreement between the hospital and two
municipalities, version 1 adopted, and a delavtale with a draft only; and a consultation (`hr`)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samhandling.agreements import services
from samhandling.core.models import Helsefellesskap, Organisation
from tests.governance.conftest import gov  # noqa: F401  (the meeting module's bodies and members)

TEXT_V1 = """1 Formål
Avtalen skal bidra til helhetlige tjenester.
2 Ansvars- og oppgavefordeling
§ 6-2: 1
Partene har ansvar for sine tjenester.
3 Innleggelse, utskrivning og rehabilitering
§ 6-2: 2, 3, 5
Partene følger felles retningslinjer.
"""


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def ag(demo):
    community = Helsefellesskap.objects.get(code="VES")
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    tonsberg = Organisation.objects.get(reference_key="kommune:3905")
    larvik = Organisation.objects.get(reference_key="kommune:3909")
    sigrid = demo.sigrid
    overarching = services.agreement_create(
        actor=sigrid,
        community=community,
        kind="overarching",
        title="Overordnet samarbeidsavtale",
        parties=[hospital, tonsberg, larvik],
        review_date=date(2027, 6, 1),
    )
    v1 = services.version_create(actor=sigrid, agreement=overarching, text=TEXT_V1)
    v1 = services.version_adopt(actor=sigrid, version=v1, valid_from=date(2023, 1, 1))
    sub = services.agreement_create(
        actor=sigrid, community=community, kind="sub", title="Delavtale om IKT", parties=[hospital, tonsberg]
    )
    draft = services.version_create(actor=sigrid, agreement=sub, text="1 IKT-samarbeid\n§ 6-2: 9\nFelles løsninger.")
    return SimpleNamespace(
        community=community,
        hospital=hospital,
        tonsberg=tonsberg,
        larvik=larvik,
        sigrid=sigrid,
        overarching=overarching,
        v1=v1,
        sub=sub,
        draft=draft,
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUESTIONS = (
    "1. Støtter dere forslaget?\n2. Hvilke konsekvenser får forslaget for tjenestene?\n\n"
    "Andre innspill og tilbakemeldinger?"
)


@pytest.fixture
def hr(gov, demo):  # noqa: F811
    """The Ministry's consultation opened by the secretariat with three questions, inviting Vestfold's SSU (hilde,
    per, ingrid, lars) and Tønsberg kommune (kari and ingrid through their unit, turid), with an upcoming SSU
    meeting to take the response."""
    tonsberg = Organisation.objects.get(reference_key="kommune:3905")
    today = date.today()
    consultation = services.consultation_create(
        actor=gov.sigrid,
        community=gov.community,
        title="Høring – Nasjonal helse- og samhandlingsplan",
        external_body="Helse- og omsorgsdepartementet",
        external_deadline=today + timedelta(days=40),
        internal_deadline=today + timedelta(days=20),
        questions=QUESTIONS,
        document=SimpleUploadedFile("horingsnotat.pdf", PDF),
        invited_bodies=[gov.ssu],
        invited_organisations=[tonsberg],
    )
    first, second, other = consultation.questions.all()
    return SimpleNamespace(
        gov=gov,
        community=gov.community,
        sigrid=gov.sigrid,
        tonsberg=tonsberg,
        consultation=consultation,
        first=first,
        second=second,
        other=other,
        meeting=gov.plan(days=14),
    )
