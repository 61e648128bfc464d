"""Fixtures for the cooperation agreements: Vestfold's overarching agreement between the hospital and two
municipalities, version 1 adopted, and a delavtale with a draft only."""

from datetime import date
from types import SimpleNamespace

import pytest

from samhandling.agreements import services
from samhandling.core.models import Helsefellesskap, Organisation

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
