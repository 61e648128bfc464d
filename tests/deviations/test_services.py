"""The deviation workflow: report, route, handle and answer, through the services and their one transition table."""

import threading
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from samhandling.core.models import AuditEvent, Role
from samhandling.deviations import services
from samhandling.deviations.models import CaseEvent, Deviation, DeviationSettings, EventKind, Status
from samhandling.deviations.services import TRANSITIONS, InvalidTransition

from .conftest import PATIENT_ID


def test_a_sent_case_gets_a_reference_deadlines_and_reaches_the_contact_point(
    demo, sent_case, django_capture_on_commit_callbacks
):
    assert sent_case.status == Status.SUBMITTED
    assert sent_case.reference.startswith(f"VES-{sent_case.submitted_at.year}-")
    assert sent_case.acknowledge_deadline > sent_case.submitted_at.date()
    assert sent_case.answer_deadline > sent_case.acknowledge_deadline
    assert str(sent_case) == f"Samhandlingsavvik {sent_case.reference}"


def test_the_contact_point_is_mailed_the_reference_status_and_link_only(
    demo, report_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.deviation_save_draft(actor=demo.kari, data=report_data())
        services.deviation_send(actor=demo.kari, case=case, base_url="https://samhandling.example/")
    case.refresh_from_db()
    assert [message.to for message in mail.outbox] == [[demo.per.email]]
    message = mail.outbox[0]
    assert case.reference in message.subject
    assert f"https://samhandling.example/avvik/{case.pk}/" in message.body
    for secret in (PATIENT_ID, "Ola Testpasient", "epikrise", "Ringte"):
        assert secret not in message.subject + message.body


def test_patient_identity_is_stored_encrypted(demo, sent_case):
    raw = Deviation.objects.filter(pk=sent_case.pk).values_list("patient_id_encrypted", "patient_name_encrypted")[0]
    assert PATIENT_ID not in raw[0] and "Ola" not in raw[1]
    assert services.deviation_reveal_patient(actor=demo.per, case=sent_case) == {
        "id": PATIENT_ID,
        "name": "Ola Testpasient",
    }
    assert AuditEvent.objects.filter(action="deviations.patient.shown", actor=demo.per).count() == 1


def test_the_reporter_and_the_secretariat_cannot_see_the_patient(demo, sent_case):
    for person in (demo.kari, demo.sigrid, demo.hilde):
        with pytest.raises(PermissionDenied):
            services.deviation_reveal_patient(actor=person, case=sent_case)
    assert AuditEvent.objects.filter(action="deviations.patient.refused").count() == 3


def test_an_invalid_fodselsnummer_is_refused_and_nothing_is_saved(demo, report_data):
    with pytest.raises(ValidationError):
        services.deviation_save_draft(actor=demo.kari, data=report_data(patient_id="15108695089"))
    assert not Deviation.objects.exists()


def test_a_case_cannot_be_sent_to_the_reporters_own_organisation(demo, report_data, units):
    tonsberg = units["home_nursing"].parent
    with pytest.raises(ValidationError) as error:
        services.deviation_save_draft(actor=demo.kari, data=report_data(receiver=tonsberg))
    assert "receiver" in error.value.error_dict


def test_a_case_cannot_be_sent_to_another_community(demo, report_data, units):
    with pytest.raises(ValidationError) as error:
        services.deviation_save_draft(actor=demo.kari, data=report_data(receiver=units["bodo"]))
    assert "receiver" in error.value.error_dict


def test_hiding_the_name_needs_a_reason(demo, report_data):
    with pytest.raises(ValidationError) as error:
        services.deviation_save_draft(actor=demo.kari, data=report_data(reporter_hidden=True))
    assert "reporter_hidden_reason" in error.value.error_dict


def test_the_full_loop_from_report_to_answer(demo, sent_case):
    case = services.deviation_acknowledge(actor=demo.per, case=sent_case)
    assert case.handler == demo.per and case.acknowledged_at
    case = services.deviation_request_information(
        actor=demo.per, case=case, question="Hvilken dato ble pasienten utskrevet?"
    )
    assert case.status == Status.NEEDS_INFO
    case = services.deviation_give_information(actor=demo.kari, case=case, text="19. november.")
    assert case.status == Status.UPDATED
    services.deviation_add_measure(
        actor=demo.per, case=case, description="Sjekkliste for utskrivning", responsible="Avdelingsleder"
    )
    case = services.deviation_answer(
        actor=demo.per, case=case, answer="Epikrisen ble forsinket. Vi har innført sjekkliste."
    )
    assert case.status == Status.ANSWERED and case.answered_at
    case = services.deviation_close(actor=demo.per, case=case)
    assert case.status == Status.CLOSED
    statuses = list(case.events.filter(kind=EventKind.STATUS).values_list("to_status", flat=True))
    assert statuses == ["submitted", "acknowledged", "needs_info", "updated", "answered", "closed"]
    actions = AuditEvent.objects.filter(target_id=str(case.pk), action__startswith="deviations.case.").order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        "deviations.case.drafted",
        "deviations.case.submitted",
        "deviations.case.acknowledged",
        "deviations.case.needs_info",
        "deviations.case.updated",
        "deviations.case.measure_added",
        "deviations.case.answered",
        "deviations.case.closed",
    ]


def test_the_reporter_and_her_leader_are_told_when_it_is_answered(demo, sent_case, django_capture_on_commit_callbacks):
    services.deviation_acknowledge(actor=demo.per, case=sent_case)
    with django_capture_on_commit_callbacks(execute=True):
        services.deviation_answer(actor=demo.per, case=sent_case, answer="Svar")
    assert {tuple(m.to) for m in mail.outbox} == {(demo.kari.email,), (demo.ingrid.email,)}


def test_only_the_receiver_may_handle(demo, sent_case):
    for outsider in (demo.kari, demo.ingrid, demo.turid, demo.sigrid, demo.ola, demo.lars):
        with pytest.raises(PermissionDenied):
            services.deviation_acknowledge(actor=outsider, case=sent_case)


def test_a_transition_outside_the_table_is_refused(demo, sent_case):
    with pytest.raises(InvalidTransition):
        services.deviation_answer(actor=demo.per, case=sent_case, answer="Uten å kvittere først")
    sent_case.refresh_from_db()
    assert sent_case.status == Status.SUBMITTED
    assert not sent_case.answer


def test_every_status_is_in_the_transition_table():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status.values)


def test_redirect_moves_the_case_with_fresh_deadlines(demo, sent_case, units):
    case = services.deviation_redirect(actor=demo.per, case=sent_case, receiver=units["gp"], reason="Gjelder fastlegen")
    assert case.status == Status.REDIRECTED and case.receiver == units["gp"] and case.handler is None
    event = case.events.filter(kind=EventKind.STATUS).latest("id")
    assert event.organisation == units["clinic"]
    with pytest.raises(PermissionDenied):
        services.deviation_acknowledge(actor=demo.per, case=case)
    with pytest.raises(PermissionDenied):  # lars leads the GP office but is not its contact point
        services.deviation_acknowledge(actor=demo.lars, case=case)


def test_redirect_reaches_the_new_receivers_contact_point(demo, sent_case, units):
    office = units["gp"]
    from samhandling.core import services as core_services

    core_services.membership_grant(actor=demo.sigrid, user=demo.lars, organisation=office, role=Role.DEVIATION_CONTACT)
    demo.lars.refresh_from_db()
    case = services.deviation_redirect(actor=demo.per, case=sent_case, receiver=office, reason="Gjelder fastlegen")
    case = services.deviation_acknowledge(actor=demo.lars, case=case)
    assert case.status == Status.ACKNOWLEDGED and case.handler == demo.lars


def test_leader_completion_when_the_community_requires_it(demo, vestfold, report_data):
    DeviationSettings.objects.filter(helsefellesskap=vestfold).update(leader_completion_required=True)
    case = services.deviation_save_draft(actor=demo.kari, data=report_data())
    case = services.deviation_send(actor=demo.kari, case=case)
    assert case.status == Status.AWAITING_LEADER and case.reference is None
    with pytest.raises(PermissionDenied):
        services.deviation_acknowledge(actor=demo.per, case=case)
    case = services.deviation_complete(actor=demo.ingrid, case=case, addendum="Bekreftet av leder.")
    assert case.status == Status.SUBMITTED and case.reference
    assert case.events.filter(kind=EventKind.ADDENDUM, actor=demo.ingrid).exists()


def test_addenda_never_overwrite_the_original_text(demo, sent_case):
    original = sent_case.description
    services.deviation_add_addendum(actor=demo.kari, case=sent_case, text="Rettelse: det var 19. november.")
    sent_case.refresh_from_db()
    assert sent_case.description == original
    assert CaseEvent.objects.filter(deviation=sent_case, kind=EventKind.ADDENDUM).count() == 1


def test_a_sent_case_can_no_longer_be_edited_as_a_draft(demo, sent_case, report_data):
    with pytest.raises(PermissionDenied):
        services.deviation_save_draft(actor=demo.kari, data=report_data(description="Endret"), case=sent_case)


def test_overdue_is_computed_from_the_deadlines(demo, sent_case):
    assert not sent_case.is_overdue(sent_case.acknowledge_deadline)
    assert sent_case.is_overdue(date.fromordinal(sent_case.acknowledge_deadline.toordinal() + 1))
    services.deviation_acknowledge(actor=demo.per, case=sent_case)
    sent_case.refresh_from_db()
    assert not sent_case.is_overdue(date.fromordinal(sent_case.acknowledge_deadline.toordinal() + 1))
    assert sent_case.is_overdue(date.fromordinal(sent_case.answer_deadline.toordinal() + 1))


def test_reference_numbers_count_up_per_community_and_year(demo, report_data):
    references = []
    for _ in range(3):
        case = services.deviation_save_draft(actor=demo.kari, data=report_data())
        references.append(services.deviation_send(actor=demo.kari, case=case).reference)
    numbers = [int(reference.rsplit("-", 1)[1]) for reference in references]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_share_a_number(demo, report_data):
    """Eight threads send at the same moment; each gets its own number (on PostgreSQL and SQLite alike)."""
    drafts = [services.deviation_save_draft(actor=demo.kari, data=report_data()) for _ in range(8)]
    barrier = threading.Barrier(len(drafts))
    errors: list[Exception] = []

    def send(case):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            services.deviation_send(actor=demo.kari, case=case)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(case,)) for case in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    references = list(Deviation.objects.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == 8 and len(set(references)) == 8
