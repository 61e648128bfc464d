"""Deviation fixtures: a report from kari (home nursing, Tønsberg) to the hospital's medical clinic, where per is the
contact point; hilde leads a ward in the same clinic; turid is the municipality's own contact point."""

from datetime import date

import pytest

from samhandling.core.models import Helsefellesskap, Organisation
from samhandling.deviations import services
from samhandling.deviations.models import Category

PATIENT_ID = "15108695088"


@pytest.fixture
def vestfold(demo):
    community = Helsefellesskap.objects.get(code="VES")
    services.settings_for(community)
    return community


@pytest.fixture
def units(demo):
    names = {
        "home_nursing": "Hjemmetjenesten Tønsberg sentrum (demo)",
        "clinic": "Medisinsk klinikk (demo)",
        "ward": "Medisinsk sengepost (demo)",
        "gp": "Kaldnes legesenter (demo)",
        "bodo": "Hjemmetjenesten Bodø (demo)",
    }
    return {key: Organisation.objects.get(name=name) for key, name in names.items()}


@pytest.fixture
def report_data(vestfold, units):
    def make(**overrides):
        data = {
            "reporter_unit": units["home_nursing"],
            "receiver": units["clinic"],
            "occurred_on": date(2026, 11, 20),
            "occurred_time": None,
            "description": "Pasienten kom hjem uten epikrise og uten oppdatert legemiddelliste.",
            "category": Category.objects.get(helsefellesskap=vestfold, code="EPI"),
            "agreement_clause": "Tjenesteavtale 5",
            "immediate_action": "Ringte sengeposten.",
            "event_type": "incident",
            "harm_physical": "none",
            "harm_psychological": "none",
            "patient_involved": "yes",
            "reporter_hidden": False,
            "reporter_hidden_reason": "",
            "patient_id": PATIENT_ID,
            "patient_name": "Ola Testpasient",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def sent_case(demo, report_data):
    case = services.deviation_save_draft(actor=demo.kari, data=report_data())
    return services.deviation_send(actor=demo.kari, case=case)
