"""Høringssvar through the services: who is invited, input kept and editable until the internal deadline, the joint
response composed, put on the SSU agenda as a decision item with the response attached, marked sent (then never
changed), "Mine oppgaver", and the response as PDF (text extracted) and DOCX (headings and table read)."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from docx import Document
from pypdf import PdfReader

from samhandling.agreements import documents, services
from samhandling.agreements.access import invited
from samhandling.agreements.models import Consultation, ConsultationInput, ConsultationStatus
from samhandling.agreements.todo import consultations_todo
from samhandling.core.models import AuditEvent
from samhandling.core.workflow import TransitionError
from samhandling.governance.models import Attachment, ItemKind


def _refresh(user):
    user.__dict__.pop("_samhandling_consultation_invited", None)
    return user


def test_questions_are_one_a_line_without_list_marks(hr):
    assert [q.text for q in hr.consultation.questions.all()] == [
        "Støtter dere forslaget?",
        "Hvilke konsekvenser får forslaget for tjenestene?",
        "Andre innspill og tilbakemeldinger?",
    ]
    assert hr.consultation.document.name.endswith(".pdf")


def test_the_invited_are_the_bodys_current_members_and_the_organisations_people(hr, demo):
    for name in ("hilde", "per", "ingrid", "lars", "kari", "turid"):
        assert invited(getattr(demo, name), hr.consultation), name
    for name in ("sigrid", "anders", "ola"):
        assert not invited(getattr(demo, name), hr.consultation), name


def test_a_new_consultation_checks_every_field_at_once(hr):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(
            actor=hr.sigrid,
            community=hr.community,
            title="",
            external_body="",
            external_deadline=date(2027, 1, 1),
            internal_deadline=date(2027, 2, 1),
            questions=" \n ",
            document=SimpleUploadedFile("notat.txt", b"hello"),
            invited_bodies=[hr.gov.ssu],
        )
    fields = set(error.value.message_dict)
    assert fields == {"title", "external_body", "internal_deadline", "questions", "document"}
    with pytest.raises(ValidationError) as error:
        services.consultation_create(
            actor=hr.sigrid,
            community=hr.community,
            title="Uten lenke",
            external_body="Helsedirektoratet",
            external_deadline=date(2027, 2, 1),
            internal_deadline=date(2027, 1, 1),
            questions="Innspill?",
        )
    assert set(error.value.message_dict) == {"document"}
    assert Consultation.objects.count() == 1


def test_only_the_secretariat_opens_a_consultation(hr, demo):
    with pytest.raises(PermissionDenied):
        services.consultation_create(
            actor=demo.hilde,
            community=hr.community,
            title="Høring",
            external_body="Helsedirektoratet",
            external_deadline=date(2027, 2, 1),
            internal_deadline=date(2027, 1, 1),
            questions="Innspill?",
            document_url="https://www.regjeringen.no/no/dokumenter/horing/",
            invited_bodies=[hr.gov.ssu],
        )


def test_input_is_kept_per_member_and_question_and_editable_until_the_deadline(hr, demo, monkeypatch):
    services.consultation_give_input(
        actor=demo.kari, consultation=hr.consultation, answers={hr.first.pk: "Ja.", hr.other.pk: "Mer tid."}
    )
    services.consultation_give_input(
        actor=demo.kari, consultation=hr.consultation, answers={hr.first.pk: "Ja, med forbehold."}
    )
    services.consultation_give_input(actor=demo.hilde, consultation=hr.consultation, answers={hr.first.pk: "Nei."})
    assert sorted(ConsultationInput.objects.values_list("author__username", "text")) == [
        ("hilde", "Nei."),
        ("kari", "Ja, med forbehold."),
        ("kari", "Mer tid."),
    ]
    services.consultation_give_input(actor=demo.kari, consultation=hr.consultation, answers={hr.other.pk: ""})
    assert not ConsultationInput.objects.filter(author=demo.kari, question=hr.other).exists()
    with pytest.raises(PermissionDenied):
        services.consultation_give_input(actor=demo.anders, consultation=hr.consultation, answers={hr.first.pk: "x"})
    with pytest.raises(PermissionDenied):
        services.consultation_give_input(actor=demo.sigrid, consultation=hr.consultation, answers={hr.first.pk: "x"})
    Consultation.objects.filter(pk=hr.consultation.pk).update(internal_deadline=date.today() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.consultation_give_input(
            actor=_refresh(demo.kari), consultation=hr.consultation, answers={hr.first.pk: "Sent"}
        )
    assert ConsultationInput.objects.get(author=demo.kari).text == "Ja, med forbehold."


def test_the_response_goes_on_the_ssu_agenda_as_a_decision_item_with_the_response_attached(hr):
    with pytest.raises(ValidationError):  # nothing composed yet
        services.consultation_to_agenda(actor=hr.sigrid, consultation=hr.consultation, meeting=hr.meeting)
    services.consultation_compose(
        actor=hr.sigrid, consultation=hr.consultation, responses={hr.first.pk: "Helsefellesskapet støtter forslaget."}
    )
    item = services.consultation_to_agenda(
        actor=hr.sigrid, consultation=hr.consultation, meeting=hr.meeting, fmt="docx"
    )
    assert item.meeting == hr.meeting and item.body == hr.gov.ssu and item.kind == ItemKind.DECISION
    assert "Helse- og omsorgsdepartementet" in item.proposed_decision
    attachment = Attachment.objects.get(item=item)
    assert attachment.original_name.endswith(".docx") and attachment.size > 1000
    hr.consultation.refresh_from_db()
    assert hr.consultation.agenda_item == item
    assert AuditEvent.objects.filter(action="agreements.consultation.on_agenda").exists()


def test_only_managers_compose_and_put_on_an_agenda(hr, demo):
    with pytest.raises(PermissionDenied):
        services.consultation_compose(actor=demo.hilde, consultation=hr.consultation, responses={hr.first.pk: "x"})
    with pytest.raises(PermissionDenied):
        services.consultation_to_agenda(actor=demo.hilde, consultation=hr.consultation, meeting=hr.meeting)


def test_a_sent_response_is_never_changed(hr, demo):
    with pytest.raises(ValidationError):  # nothing to send yet
        services.consultation_move(actor=hr.sigrid, consultation=hr.consultation, to=ConsultationStatus.SENT)
    services.consultation_compose(actor=hr.sigrid, consultation=hr.consultation, responses={hr.first.pk: "Ja."})
    sent = services.consultation_move(actor=hr.sigrid, consultation=hr.consultation, to=ConsultationStatus.SENT)
    assert sent.status == ConsultationStatus.SENT and sent.sent_at is not None
    for attempt in (
        lambda: services.consultation_compose(actor=hr.sigrid, consultation=sent, responses={hr.first.pk: "Nei."}),
        lambda: services.consultation_give_input(
            actor=_refresh(demo.kari), consultation=sent, answers={hr.first.pk: "x"}
        ),
        lambda: services.consultation_to_agenda(actor=hr.sigrid, consultation=sent, meeting=hr.meeting),
        lambda: services.consultation_move(actor=hr.sigrid, consultation=sent, to=ConsultationStatus.SENT),
    ):
        with pytest.raises((TransitionError, PermissionDenied)):
            attempt()
    hr.first.refresh_from_db()
    assert hr.first.response == "Ja."
    archived = services.consultation_move(actor=hr.sigrid, consultation=sent, to=ConsultationStatus.ARCHIVED)
    assert archived.status == ConsultationStatus.ARCHIVED
    assert AuditEvent.objects.filter(action="agreements.consultation.sent").exists()


def test_mine_oppgaver_shows_the_open_consultation_until_every_question_has_ones_input(hr, demo):
    todo = consultations_todo(demo.kari)
    assert [t.url for t in todo] == [hr.consultation.get_absolute_url() + "#input-heading"]
    assert todo[0].due == hr.consultation.internal_deadline
    assert consultations_todo(demo.anders) == [] and consultations_todo(demo.sigrid) == []
    services.consultation_give_input(
        actor=demo.kari,
        consultation=hr.consultation,
        answers={hr.first.pk: "Ja.", hr.second.pk: "Ingen.", hr.other.pk: "Nei."},
    )
    assert consultations_todo(demo.kari) == []
    Consultation.objects.filter(pk=hr.consultation.pk).update(internal_deadline=date.today() - timedelta(days=1))
    assert [t.url for t in consultations_todo(demo.sigrid)] == [f"/avtaler/horinger/{hr.consultation.pk}/svar/"]


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _composed(hr, demo):
    services.consultation_give_input(
        actor=demo.kari, consultation=hr.consultation, answers={hr.first.pk: "INNSPILL-KARI"}
    )
    services.consultation_compose(
        actor=hr.sigrid,
        consultation=hr.consultation,
        responses={hr.first.pk: "Helsefellesskapet støtter forslaget.", hr.second.pk: "Kommunene trenger midler."},
    )


def test_the_pdf_has_the_title_the_body_and_each_question_with_its_response(hr, demo):
    _composed(hr, demo)
    with translation.override("nb"):
        content = documents.consultation_response(hr.consultation, "pdf")
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert "Høringssvar: Høring – Nasjonal helse- og samhandlingsplan" in text
    assert "Helse- og omsorgsdepartementet" in text
    assert "1. Støtter dere forslaget?" in text and "Helsefellesskapet støtter forslaget." in text
    assert "3. Andre innspill og tilbakemeldinger?" in text and "Ikke noe svar på dette spørsmålet." in text
    assert "INNSPILL-KARI" not in text  # the inputs are working material, not the response


def test_the_docx_has_a_heading_per_question_and_the_facts_table_in_nynorsk(hr, demo):
    _composed(hr, demo)
    with translation.override("nn"):
        word = Document(io.BytesIO(documents.consultation_response(hr.consultation, "docx")))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Høyringssvar: Høring – Nasjonal helse- og samhandlingsplan",
        "1. Støtter dere forslaget?",
        "2. Hvilke konsekvenser får forslaget for tjenestene?",
        "3. Andre innspill og tilbakemeldinger?",
    ]
    facts = {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}
    assert facts["Sendt på høyring av"] == "Helse- og omsorgsdepartementet"
    assert any(p.text == "Kommunene trenger midler." for p in word.paragraphs)
