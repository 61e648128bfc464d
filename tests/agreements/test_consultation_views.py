"""Every consultation view × every persona and anonymous, then the pages: the form keeps what was typed, input given
and changed by an invited member, the response composed with the inputs beside it, put on the agenda, marked sent,
and the exports."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from samhandling.agreements import services
from samhandling.agreements.models import ConsultationStatus
from tests.agreements.conftest import PDF
from tests.matrix import url_names, walk

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "lars", "per", "hilde", "turid", "sigrid", "anders", "tove", "ola", ANON]
MANAGERS = {"sigrid", "tove"}
VESTFOLD = set(PERSONAS) - {"ola", ANON}
INVITED = {"kari", "ingrid", "lars", "per", "hilde", "turid"}
CONSULTATION_VIEWS = {
    "consultation_list",
    "consultation_create",
    "consultation_edit",
    "consultation_detail",
    "consultation_input",
    "consultation_compose",
    "consultation_to_agenda",
    "consultation_document",
    "consultation_export",
    "consultation_act",
}


def _expect(view: str, persona: str):
    if persona == ANON:
        return 302
    table = {
        "consultation_list": {200: set(PERSONAS)},  # ola sees Bodø's (empty) list
        "consultation_create": {200: MANAGERS, "else": 403},
        "consultation_detail": {200: VESTFOLD},
        "consultation_edit": {200: MANAGERS, 403: VESTFOLD},
        "consultation_input": {400: INVITED, 403: VESTFOLD},
        "consultation_compose": {200: MANAGERS, 403: VESTFOLD},
        "consultation_to_agenda": {400: MANAGERS, 403: VESTFOLD},
        "consultation_document": {200: VESTFOLD},
        "consultation_export": {200: MANAGERS | INVITED, 403: VESTFOLD},
        "consultation_act": {404: MANAGERS, 403: VESTFOLD},
    }[view]
    for status, people in table.items():
        if status != "else" and persona in people:
            return status
    return table.get("else", 404)


def test_every_consultation_url_is_in_the_matrix():
    assert {name for name in url_names("agreements") if name.startswith("consultation")} == CONSULTATION_VIEWS


@pytest.mark.parametrize("persona", PERSONAS)
def test_consultations_permission_matrix(client, demo, hr, persona):
    services.consultation_give_input(
        actor=demo.kari, consultation=hr.consultation, answers={hr.first.pk: "KARIS-INNSPILL"}
    )
    services.consultation_compose(actor=hr.sigrid, consultation=hr.consultation, responses={hr.first.pk: "Vi støtter."})
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    pk = hr.consultation.pk
    requests = {
        "consultation_list": "/avtaler/horinger/",
        "consultation_create": "/avtaler/horinger/ny/",
        "consultation_detail": f"/avtaler/horinger/{pk}/",
        "consultation_edit": f"/avtaler/horinger/{pk}/rediger/",
        "consultation_input": ("post", f"/avtaler/horinger/{pk}/innspill/"),
        "consultation_compose": f"/avtaler/horinger/{pk}/svar/",
        "consultation_to_agenda": ("post", f"/avtaler/horinger/{pk}/sak/"),
        "consultation_document": f"/avtaler/horinger/{pk}/dokument/",
        "consultation_export": f"/avtaler/horinger/{pk}/horingssvar.docx",
        "consultation_act": ("post", f"/avtaler/horinger/{pk}/ukjent/"),
    }

    def no_leaks(view, response, status):
        if response.streaming:
            body = b"".join(response.streaming_content)
            return [] if body.startswith(b"%PDF") else [f"{view}: not the document"]
        if status == 200 and persona not in MANAGERS | INVITED and b"KARIS-INNSPILL" in response.content:
            return [f"{view} shows the inputs to {persona}"]
        return []

    failures = walk(client, requests, lambda view: _expect(view, persona), no_leaks)
    assert not failures, "\n".join(failures)


def test_the_form_keeps_what_was_typed_and_opens_the_consultation(client, hr):
    client.force_login(hr.sigrid)
    data = {
        "title": "Høring om legevakt",
        "external_body": "Helsedirektoratet",
        "external_deadline": "2027-03-01",
        "internal_deadline": "2027-04-01",
        "questions": "Støtter dere forslaget?",
        "invited_bodies": [str(hr.gov.fsu.pk)],
    }
    response = client.post("/avtaler/horinger/ny/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Høring om legevakt" in text and "Støtter dere forslaget?" in text
    assert "Fristen for innspill må være før fristen for høringen." in text
    assert "Last opp dokumentet det er høring om, eller oppgi en lenke til det." in text
    data["internal_deadline"] = "2027-02-01"
    data["document"] = SimpleUploadedFile("notat.pdf", PDF)
    response = client.post("/avtaler/horinger/ny/", data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Høring om legevakt" in page and "Faglig samarbeidsutvalg for kvalitet og tjenesteutvikling" in page


def test_an_invited_member_gives_and_changes_input_which_the_others_read(client, hr, demo):
    client.force_login(demo.kari)
    page = client.get(f"/avtaler/horinger/{hr.consultation.pk}/").content.decode()
    assert "Ditt innspill" in page
    url = f"/avtaler/horinger/{hr.consultation.pk}/innspill/"
    assert client.post(url, {f"input-q{hr.first.pk}": "Første tanke."}).status_code == 302
    assert client.post(url, {f"input-q{hr.first.pk}": "Endret tanke."}).status_code == 302
    client.force_login(demo.hilde)
    page = client.get(f"/avtaler/horinger/{hr.consultation.pk}/").content.decode()
    assert "Endret tanke." in page and "Første tanke." not in page and "Kari Nordmann" in page
    client.force_login(demo.anders)
    page = client.get(f"/avtaler/horinger/{hr.consultation.pk}/").content.decode()
    assert "Endret tanke." not in page and "Ditt innspill" not in page


def test_the_secretariat_composes_beside_the_inputs_puts_it_on_the_agenda_and_sends_it(client, hr, demo):
    services.consultation_give_input(actor=demo.per, consultation=hr.consultation, answers={hr.second.pk: "Pers syn."})
    client.force_login(hr.sigrid)
    url = f"/avtaler/horinger/{hr.consultation.pk}/svar/"
    page = client.get(url).content.decode()
    assert "Pers syn." in page
    assert client.post(url, {f"q{hr.second.pk}": "Felles svar på spørsmål to."}).status_code == 302
    response = client.post(
        f"/avtaler/horinger/{hr.consultation.pk}/sak/", {"agenda-meeting": str(hr.meeting.pk), "agenda-fmt": "pdf"}
    )
    assert response.status_code == 302
    assert client.post(f"/avtaler/horinger/{hr.consultation.pk}/sendt/").status_code == 302
    hr.consultation.refresh_from_db()
    assert hr.consultation.status == ConsultationStatus.SENT and hr.consultation.agenda_item.meeting == hr.meeting
    assert client.get(url).status_code == 302  # a sent response is not changed
    client.force_login(demo.anders)  # not invited: reads the sent response, not the inputs
    page = client.get(f"/avtaler/horinger/{hr.consultation.pk}/").content.decode()
    assert "Felles svar på spørsmål to." in page and "Pers syn." not in page
    response = client.get(f"/avtaler/horinger/{hr.consultation.pk}/horingssvar.docx")
    assert response.status_code == 200
    word = Document(io.BytesIO(response.content))
    assert any(p.text == "Felles svar på spørsmål to." for p in word.paragraphs)


def test_an_input_with_a_fodselsnummer_is_refused_at_its_field_and_kept(client, hr, demo):
    from tests.core.test_hardening import FNR, FNR_MESSAGE_NB

    client.force_login(demo.kari)
    text = f"Pasient {FNR} ble skrevet ut for tidlig."
    response = client.post(f"/avtaler/horinger/{hr.consultation.pk}/innspill/", {f"input-q{hr.first.pk}": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert FNR_MESSAGE_NB in page and "ble skrevet ut for tidlig." in page
    assert not hr.first.inputs.exists()


def test_the_secretariat_moves_the_deadline_for_input_and_keeps_the_questions(client, hr, demo):
    from datetime import timedelta

    client.force_login(hr.sigrid)
    url = f"/avtaler/horinger/{hr.consultation.pk}/rediger/"
    later = hr.consultation.internal_deadline + timedelta(days=7)
    data = {
        "title": hr.consultation.title,
        "external_body": "Helse- og omsorgsdepartementet",
        "external_deadline": hr.consultation.external_deadline.isoformat(),
        "internal_deadline": (hr.consultation.external_deadline + timedelta(days=1)).isoformat(),
        "invited_bodies": [str(hr.gov.ssu.pk)],
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Fristen for innspill må være før fristen for høringen." in response.content.decode()
    data["internal_deadline"] = later.isoformat()
    assert client.post(url, data).status_code == 302
    hr.consultation.refresh_from_db()
    assert hr.consultation.internal_deadline == later and hr.consultation.questions.count() == 3
    assert list(hr.consultation.invited_organisations.all()) == []
    assert client.get(f"/avtaler/horinger/{hr.consultation.pk}/").status_code == 200
    services.consultation_compose(actor=hr.sigrid, consultation=hr.consultation, responses={hr.first.pk: "Ja."})
    services.consultation_move(actor=hr.sigrid, consultation=hr.consultation, to=ConsultationStatus.SENT)
    assert client.get(url).status_code == 302  # a sent consultation is not changed
