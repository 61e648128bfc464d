"""Every deviation view × every persona: allowed or refused, and whether the patient's identity can appear.

The case: kari (home nursing, Tønsberg) reports to the hospital's medical clinic; per is the clinic's contact point
and hands it to hilde (ward leader in the same clinic); turid is Tønsberg municipality's contact point (the sending
side); ingrid is kari's leader. sigrid (secretariat) sees statistics only; lars (GP office, same community) and ola
(another community) see nothing.
"""

import pytest

from samhandling.deviations import services
from samhandling.deviations.models import Status
from tests.matrix import url_names, walk

from .conftest import PATIENT_ID

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "turid", "per", "hilde", "sigrid", "tove", "lars", "anders", "ola", ANON]
CASE_PEOPLE = {"kari", "ingrid", "turid", "per", "hilde"}
LEADERS_AND_CONTACTS = {"ingrid", "turid", "per", "hilde", "lars"}


@pytest.fixture
def case(demo, sent_case):
    return services.deviation_acknowledge(actor=demo.per, case=sent_case, handler=demo.hilde)


@pytest.fixture
def draft(demo, report_data):
    return services.deviation_save_draft(actor=demo.kari, data=report_data())


def _expect(view: str, persona: str) -> int:
    if persona == ANON:
        return 302
    table = {
        "mine": {200: set(PERSONAS)},
        "report": {200: set(PERSONAS)},
        "inbox": {200: {"turid", "per", "hilde"}, "else": 403},
        "units": {200: LEADERS_AND_CONTACTS, "else": 403},
        "statistics": {200: LEADERS_AND_CONTACTS | {"sigrid", "tove"}, "else": 403},
        "settings": {200: {"sigrid", "tove"}, "else": 403},
        "detail": {200: CASE_PEOPLE, "else": 404},
        "draft": {200: {"kari"}, "else": 404},
        "edit_draft": {200: {"kari"}, "else": 404},
        "reveal": {200: {"turid", "per", "hilde"}, 403: {"kari", "ingrid"}, "else": 404},
        "acknowledge_again": {400: {"per", "hilde"}, 403: CASE_PEOPLE - {"per", "hilde"}, "else": 404},
    }[view]
    for status, people in table.items():
        if status != "else" and persona in people:
            return status
    return table.get("else", 200)


# URL names this file's matrix walks. Other test modules in this folder that add views declare their own
# COVERED_URL_NAMES next to their own matrix; together they must name every URL of the namespace.
COVERED_URL_NAMES = {
    "mine",
    "report",
    "inbox",
    "units",
    "statistics",
    "settings",
    "detail",
    "edit",
    "reveal_patient",
    "act",
}


def test_every_deviation_url_is_in_a_matrix():
    import importlib
    import pkgutil

    import tests.deviations as package

    covered = set()
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("test_"):
            covered |= getattr(importlib.import_module(f"tests.deviations.{module.name}"), "COVERED_URL_NAMES", set())
    assert url_names("deviations") == covered


@pytest.mark.parametrize("persona", PERSONAS)
def test_deviation_permission_matrix(client, demo, case, draft, persona):
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    requests = {
        "mine": ("get", "/avvik/"),
        "report": ("get", "/avvik/ny/"),
        "inbox": ("get", "/avvik/innboks/"),
        "units": ("get", "/avvik/fra-mine-enheter/"),
        "statistics": ("get", "/avvik/statistikk/"),
        "settings": ("get", "/avvik/innstillinger/"),
        "detail": ("get", f"/avvik/{case.pk}/"),
        "draft": ("get", f"/avvik/{draft.pk}/"),
        "edit_draft": ("get", f"/avvik/{draft.pk}/rediger/"),
        "reveal": ("post", f"/avvik/{case.pk}/pasient/"),
        "acknowledge_again": ("post", f"/avvik/{case.pk}/acknowledge/"),
    }

    def patient_identity(view, response, status):
        body = response.content.decode() if status == 200 else ""
        if view == "reveal" and status == 200 and PATIENT_ID not in body:
            return ["reveal: the identity is missing"]
        if view != "reveal" and PATIENT_ID in body:
            return [f"{view}: the patient's identity appears without a click"]
        return []

    failures = walk(client, requests, lambda view: _expect(view, persona), patient_identity)
    assert not failures, "\n".join(failures)


def test_lists_never_show_the_patient_or_the_description(client, demo, case):
    client.force_login(demo.per)
    html = client.get("/avvik/innboks/").content.decode()
    assert case.reference in html
    assert PATIENT_ID not in html and "Ola Testpasient" not in html and "epikrise og uten" not in html


def test_a_hidden_reporter_is_not_named_to_the_receiver(client, demo, report_data):
    case = services.deviation_save_draft(
        actor=demo.kari, data=report_data(reporter_hidden=True, reporter_hidden_reason="Frykter reaksjoner")
    )
    case = services.deviation_send(actor=demo.kari, case=case)
    client.force_login(demo.per)
    html = client.get(f"/avvik/{case.pk}/").content.decode()
    assert "Kari Nordmann" not in html
    assert "Hjemmetjenesten Tønsberg sentrum" in html  # the organisation is never hidden
    client.force_login(demo.ingrid)
    assert "Kari Nordmann" in client.get(f"/avvik/{case.pk}/").content.decode()


def test_the_case_page_carries_the_exemption_marking_and_a_neutral_title(client, demo, case):
    client.force_login(demo.per)
    html = client.get(f"/avvik/{case.pk}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Unntatt offentlighet" in html
    assert f"<title>Samhandlingsavvik {case.reference}" in html


def test_reporting_with_a_bad_fodselsnummer_keeps_everything_typed(client, demo, vestfold, units):
    client.force_login(demo.kari)
    from samhandling.deviations.models import Category

    data = {
        "reporter_unit": units["home_nursing"].pk,
        "receiver": units["clinic"].pk,
        "occurred_on": "2026-11-20",
        "description": "Manglende epikrise ved hjemkomst.",
        "category": Category.objects.get(helsefellesskap=vestfold, code="EPI").pk,
        "event_type": "incident",
        "harm_physical": "none",
        "harm_psychological": "none",
        "patient_involved": "yes",
        "patient_id": "15108695089",
        "send": "1",
    }
    response = client.post("/avvik/ny/", data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["patient_id"]
    html = response.content.decode()
    assert "Manglende epikrise ved hjemkomst." in html
    assert 'value="15108695089"' in html


def test_the_whole_loop_through_the_web(client, demo, vestfold, units):
    from samhandling.deviations.models import Category, Deviation

    client.force_login(demo.kari)
    response = client.post(
        "/avvik/ny/",
        {
            "reporter_unit": units["home_nursing"].pk,
            "receiver": units["clinic"].pk,
            "occurred_on": "2026-11-20",
            "description": "Manglende epikrise.",
            "category": Category.objects.get(helsefellesskap=vestfold, code="EPI").pk,
            "event_type": "incident",
            "harm_physical": "none",
            "harm_psychological": "unknown",
            "patient_involved": "no",
            "send": "1",
        },
    )
    case = Deviation.objects.get(description="Manglende epikrise.")
    assert response["Location"] == f"/avvik/{case.pk}/"
    client.force_login(demo.per)
    client.post(f"/avvik/{case.pk}/acknowledge/", {"acknowledge-handler": ""})
    client.post(f"/avvik/{case.pk}/request_info/", {"request_info-text": "Når kom pasienten hjem?"})
    client.force_login(demo.kari)
    client.post(f"/avvik/{case.pk}/reply/", {"reply-text": "Torsdag kveld."})
    client.force_login(demo.per)
    response = client.post(f"/avvik/{case.pk}/answer/", {"answer-text": ""})
    assert response.status_code == 400 and "text" in response.context["forms"]["answer"].errors
    client.post(f"/avvik/{case.pk}/answer/", {"answer-text": "Beklager, rutinen er endret."})
    client.post(f"/avvik/{case.pk}/close/")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    client.force_login(demo.kari)
    assert "Beklager, rutinen er endret." in client.get(f"/avvik/{case.pk}/").content.decode()


def test_the_contact_point_sees_the_case_in_mine_oppgaver(client, demo, sent_case):
    client.force_login(demo.per)
    assert sent_case.reference in client.get("/").content.decode()


def test_statistics_leave_out_duplicates_and_count_answers(client, demo, sent_case, report_data):
    services.deviation_acknowledge(actor=demo.per, case=sent_case)
    services.deviation_answer(actor=demo.per, case=sent_case, answer="Svar")
    second = services.deviation_send(
        actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
    )
    services.deviation_classify(actor=demo.per, case=second, status="duplicate", reason="Samme som første")
    client.force_login(demo.sigrid)
    response = client.get("/avvik/statistikk/", {"start": "2020-01-01", "end": "2030-12-31"})
    stats = response.context["stats"]
    assert stats.total == 1
    assert stats.share_reporters_answered == 1
    html = response.content.decode()
    assert PATIENT_ID not in html and "Kari Nordmann" not in html


def test_leaders_and_contact_points_get_statistics_for_their_own_scope(client, demo, sent_case, report_data, units):
    from samhandling.core.models import Organisation

    tonsberg = Organisation.objects.get(municipality_number="3905", type="kommune")
    other = services.deviation_save_draft(
        actor=demo.lars, data=report_data(reporter_unit=units["gp"], receiver=tonsberg, patient_id="", patient_name="")
    )
    services.deviation_send(actor=demo.lars, case=other)
    period = {"start": "2020-01-01", "end": "2030-12-31"}
    client.force_login(demo.per)
    assert client.get("/avvik/statistikk/", period).context["stats"].total == 1
    client.force_login(demo.turid)
    assert client.get("/avvik/statistikk/", period).context["stats"].total == 2
    client.force_login(demo.sigrid)
    assert client.get("/avvik/statistikk/", period).context["stats"].total == 2
