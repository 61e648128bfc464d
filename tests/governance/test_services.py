"""The meeting module's rules, through its services: numbering, standard items, notice and minutes versions,
carry-over, follow-ups, forwarding, attachments, action points, permissions and the public archive."""

import io
import threading
import zipfile
from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from samhandling.core.models import AuditEvent
from samhandling.core.permissions import can
from samhandling.core.todo import todo_for
from samhandling.core.workflow import TransitionError as InvalidTransition
from samhandling.governance import selectors, services
from samhandling.governance.access import forget_access
from samhandling.governance.models import (
    MEETING_TRANSITIONS,
    ActionPointStatus,
    AgendaItem,
    AttendanceStatus,
    DocumentKind,
    DocumentVersion,
    ImmutableError,
    ItemKind,
    MeetingStatus,
    Outcome,
    StandardItem,
    Visibility,
)

pytestmark = pytest.mark.usefixtures("fake_documents")

YEAR = (date.today() - timedelta(days=7)).year


def numbers(meeting) -> list[str]:
    return [item.number for item in meeting.items.order_by("position", "pk")]


def standards(meeting) -> list[str]:
    return [item.standard for item in meeting.items.order_by("position", "pk")]


def hold(gov, meeting=None):
    """Send the notice of a (past) meeting and mark it held."""
    meeting = meeting or gov.meeting
    services.meeting_send_notice(actor=gov.sigrid, meeting=meeting)
    services.meeting_mark_held(actor=gov.sigrid, meeting=meeting)
    return meeting


def decide_all(gov, meeting):
    for item in meeting.items.exclude(standard=StandardItem.ANY_OTHER_BUSINESS).filter(outcome=Outcome.NONE):
        services.item_record_outcome(actor=gov.sigrid, item=item, outcome=Outcome.NOTED)


def pdf_upload(name="vedlegg.pdf", content=b"%PDF-1.7\n%fake but sniffable\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office_file(main: str) -> bytes:
    """A minimal Office zip with fixed timestamps: the bytes are test ids, and pytest-xdist refuses to run when its
    workers collect different ids (a zip stamped with the current second differs between workers)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, text in (("[Content_Types].xml", "<Types/>"), (main, "<x/>")):
            archive.writestr(zipfile.ZipInfo(part, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


# --- standard items and numbering ----------------------------------------------------------------------------------


def test_it_adds_the_standard_items_first_and_any_other_business_last(gov):
    assert standards(gov.meeting) == [StandardItem.APPROVE_NOTICE, "", "", StandardItem.ANY_OTHER_BUSINESS]
    titles = [item.title for item in gov.meeting.items.order_by("position")]
    assert titles[1:3] == ["Digital hjemmeoppfølging", "Budsjettforhandlinger om felles stilling"]


def test_it_links_the_minutes_approval_item_to_the_previous_meeting(gov):
    later = gov.plan(days=30)
    approval = later.items.get(standard=StandardItem.APPROVE_MINUTES)
    assert approval.approves_minutes_of == gov.meeting
    assert standards(later)[:2] == [StandardItem.APPROVE_NOTICE, StandardItem.APPROVE_MINUTES]
    assert not gov.meeting.items.filter(standard=StandardItem.APPROVE_MINUTES).exists()


def test_it_numbers_the_agenda_in_order_when_the_notice_is_sent(gov):
    assert numbers(gov.meeting) == ["", "", "", ""]
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    assert numbers(gov.meeting) == [f"{YEAR}.{n}" for n in range(1, 5)]


def test_an_item_added_after_the_notice_is_numbered_at_once_before_any_other_business(gov):
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    late = services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=gov.meeting, title="Fastlegeordningen")
    assert late.number == f"{YEAR}.5"
    assert gov.meeting.items.order_by("position").last().standard == StandardItem.ANY_OTHER_BUSINESS


def test_a_number_is_never_reused_after_an_item_is_removed(gov):
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    late = services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=gov.meeting, title="Trekkes")
    services.item_remove(actor=gov.sigrid, item=late)
    late.refresh_from_db()
    assert late.outcome == Outcome.WITHDRAWN and late.number == f"{YEAR}.5"
    again = services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=gov.meeting, title="Ny sak")
    assert again.number == f"{YEAR}.6"


def test_an_unnumbered_item_is_simply_deleted(gov):
    services.item_remove(actor=gov.sigrid, item=gov.public_item)
    assert not AgendaItem.objects.filter(pk=gov.public_item.pk).exists()


def test_numbers_run_per_body_and_use_the_community_format(gov):
    services.settings_update(actor=gov.sigrid, community=gov.community, case_number_format="{seq:02d}-{yy}")
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    fsu_meeting = gov.plan(body=gov.fsu)
    services.meeting_send_notice(actor=gov.sigrid, meeting=fsu_meeting)
    yy = f"{YEAR % 100:02d}"
    assert numbers(gov.meeting)[0] == f"01-{yy}" and numbers(gov.meeting)[-1] == f"04-{yy}"
    assert numbers(fsu_meeting) == [f"01-{yy}", f"02-{yy}"]


def test_the_secretariat_can_fix_the_numbers_before_the_notice(gov):
    services.meeting_number_items(actor=gov.sigrid, meeting=gov.meeting)
    assert gov.meeting.items.filter(sequence__isnull=True).count() == 0
    late = services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=gov.meeting, title="Etter nummerering")
    assert late.sequence == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_item_creation_never_shares_a_number(gov):
    """Eight claims at the same moment, on a fresh counter and on an existing one: never the same number twice.

    Runs on both databases: PostgreSQL makes the claims wait on the counter row (and on the unique key while the
    row is being created); SQLite takes the write lock at BEGIN IMMEDIATE (settings), so the claims queue up."""
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    claimed: list[int] = []
    errors: list[Exception] = []

    def run_together(work) -> None:
        barrier = threading.Barrier(8)

        def run(index: int) -> None:
            from django.db import connections, transaction

            try:
                barrier.wait(timeout=10)
                with transaction.atomic():
                    work(index)
            except Exception as error:
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(index,)) for index in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    # A year nobody has numbered yet: the counter row itself is created under contention.
    run_together(lambda index: claimed.extend(services.allocate_item_numbers(gov.fsu, 2099, 2)))
    run_together(
        lambda index: services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=gov.meeting, title=f"Sak {index}")
    )
    assert not errors
    assert sorted(claimed) == list(range(1, 17))
    sequences = list(gov.ssu.items.exclude(sequence=None).values_list("sequence", flat=True))
    assert sorted(sequences) == list(range(1, 13))


# --- notice ---------------------------------------------------------------------------------------------------------


def test_the_notice_is_frozen_as_a_version_and_mailed_to_current_members_with_an_invitation(
    gov, fake_documents, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = services.meeting_send_notice(
            actor=gov.sigrid, meeting=gov.meeting, base_url="https://samhandling.example"
        )
    gov.meeting.refresh_from_db()
    assert gov.meeting.status == MeetingStatus.NOTICE_SENT and gov.meeting.notice_sent_at
    assert version.version == 1 and version.kind == DocumentKind.NOTICE
    assert bytes(version.pdf).startswith(b"%PDF-fake notice_pdf v1 public=False")
    assert b"public=True" in bytes(version.public_pdf)
    assert version.snapshot["items"][1]["number"] == f"{YEAR}.2"
    addresses = sorted(message.to[0] for message in mail.outbox)
    seats = (gov.seats.hilde, gov.seats.per, gov.seats.ingrid, gov.seats.lars, gov.seats.randi)
    assert addresses == sorted(seat.contact_email for seat in seats)
    assert "randi.brekke@example.invalid" in addresses
    message = mail.outbox[0]
    assert f"https://samhandling.example{gov.meeting.get_absolute_url()}" in message.body
    assert "Nøtterøy kulturhus" in message.body
    assert "innvilget midler" not in message.body and "Budsjett" not in message.body
    assert message.attachments[0][0] == "invitation.ics"


def test_a_new_notice_needs_a_reason_and_keeps_the_earlier_version(gov):
    first = services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    with pytest.raises(ValidationError) as error:
        services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    assert "reason" in error.value.message_dict
    second = services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting, reason="Nytt møterom")
    assert (first.version, second.version) == (1, 2)
    assert second.reason == "Nytt møterom"
    assert DocumentVersion.objects.filter(meeting=gov.meeting, kind=DocumentKind.NOTICE).count() == 2


def test_a_published_version_can_never_be_changed_or_deleted(gov):
    version = services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    version.reason = "endret i ettertid"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()
    assert DocumentVersion.objects.get(pk=version.pk).reason == ""


def test_the_notice_cannot_be_sent_once_the_meeting_is_held(gov):
    hold(gov)
    with pytest.raises(InvalidTransition):
        services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting, reason="for sent")


def test_a_meeting_cannot_be_held_before_its_day(gov):
    future = gov.plan(days=10)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(actor=gov.sigrid, meeting=future)


def test_the_meeting_must_end_after_it_starts(gov):
    with pytest.raises(ValidationError) as error:
        services.meeting_plan(actor=gov.sigrid, body=gov.ssu, date=date.today(), start_time=time(14), end_time=time(13))
    assert "end_time" in error.value.message_dict


def test_a_cancelled_meeting_sends_its_items_on_to_the_next_meeting(gov, django_capture_on_commit_callbacks):
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    later = gov.plan(days=20)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=gov.sigrid, meeting=gov.meeting, reason="Sykdom")
    gov.public_item.refresh_from_db()
    assert gov.public_item.meeting == later
    assert mail.outbox and mail.outbox[0].subject.startswith(("Avlyst", "Cancelled"))


# --- attendance and minutes -----------------------------------------------------------------------------------------


def test_a_substitute_must_be_named_and_a_bad_list_changes_nothing(gov):
    hold(gov)
    services.attendance_record(
        actor=gov.sigrid,
        meeting=gov.meeting,
        rows=[{"member": gov.seats.hilde, "status": AttendanceStatus.PRESENT}],
    )
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=gov.sigrid,
            meeting=gov.meeting,
            rows=[
                {"member": gov.seats.per, "status": AttendanceStatus.SUBSTITUTE},
                {"member": gov.seats.hilde, "status": AttendanceStatus.PRESENT},
            ],
        )
    assert [row.member for row in gov.meeting.attendance.all()] == [gov.seats.hilde]
    rows = services.attendance_record(
        actor=gov.sigrid,
        meeting=gov.meeting,
        rows=[
            {"member": gov.seats.per, "status": AttendanceStatus.SUBSTITUTE, "substitute": gov.seats.ingrid},
            {"name": "Gjest Gjestesen", "organisation_name": "Statsforvalteren", "status": AttendanceStatus.PRESENT},
        ],
    )
    assert [row.substitute_display for row in rows] == [str(gov.seats.ingrid), ""]


def test_an_outcome_cannot_be_recorded_before_the_meeting_has_taken_place(gov):
    future = gov.plan(days=10)
    item = services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=future, title="Fremtidig")
    with pytest.raises(ValidationError):
        services.item_record_outcome(actor=gov.sigrid, item=item, outcome=Outcome.NOTED)


def test_a_decision_needs_its_text(gov):
    hold(gov)
    with pytest.raises(ValidationError) as error:
        services.item_record_outcome(actor=gov.sigrid, item=gov.confidential_item, outcome=Outcome.DECIDED)
    assert "conclusion" in error.value.message_dict


def test_draft_minutes_need_an_outcome_for_every_item(gov):
    hold(gov)
    with pytest.raises(ValidationError):
        services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    gov.meeting.refresh_from_db()
    assert gov.meeting.status == MeetingStatus.HELD
    decide_all(gov, gov.meeting)
    draft = services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    assert draft.kind == DocumentKind.MINUTES and not draft.is_approved and not draft.is_public


def test_minutes_become_final_when_the_next_meeting_approves_them(gov):
    hold(gov)
    decide_all(gov, gov.meeting)
    services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    later = gov.plan(days=-1)
    hold(gov, later)
    approval = later.items.get(standard=StandardItem.APPROVE_MINUTES)
    services.item_record_outcome(
        actor=gov.sigrid, item=approval, outcome=Outcome.DECIDED, conclusion="Referatet godkjennes."
    )
    gov.meeting.refresh_from_db()
    assert gov.meeting.status == MeetingStatus.MINUTES_APPROVED
    assert gov.meeting.minutes_approved_by_item == approval
    final = selectors.latest_document(gov.sigrid, gov.meeting, DocumentKind.MINUTES)
    assert final.is_approved and final.version == 2
    with pytest.raises(ValidationError):
        services.item_record_outcome(actor=gov.sigrid, item=approval, outcome=Outcome.DEFERRED)


def test_approval_is_refused_while_the_earlier_minutes_are_not_drafted(gov):
    hold(gov)
    later = gov.plan(days=-1)
    hold(gov, later)
    approval = later.items.get(standard=StandardItem.APPROVE_MINUTES)
    with pytest.raises(ValidationError):
        services.item_record_outcome(actor=gov.sigrid, item=approval, outcome=Outcome.DECIDED, conclusion="Ok")


def test_approved_minutes_are_locked_and_corrected_as_a_new_version_with_a_reason(gov):
    hold(gov)
    decide_all(gov, gov.meeting)
    services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    approved = services.meeting_approve_minutes(actor=gov.sigrid, meeting=gov.meeting)
    with pytest.raises(ValidationError):
        services.item_update(actor=gov.sigrid, item=gov.public_item, title="Endret")
    with pytest.raises(ValidationError):
        services.minutes_correct(actor=gov.sigrid, meeting=gov.meeting, reason="", conclusions={})
    corrected = services.minutes_correct(
        actor=gov.sigrid,
        meeting=gov.meeting,
        reason="Feil i konklusjonen",
        conclusions={gov.public_item.pk: "Saken tas til orientering med merknad."},
    )
    assert corrected.version == approved.version + 1 and corrected.is_approved
    kept = DocumentVersion.objects.get(pk=approved.pk)
    assert kept.snapshot["items"][1]["conclusion"] != "Saken tas til orientering med merknad."
    assert corrected.snapshot["items"][1]["conclusion"] == "Saken tas til orientering med merknad."


def test_a_deferred_minutes_approval_goes_on_to_the_next_meeting_and_still_approves(gov):
    hold(gov)
    decide_all(gov, gov.meeting)
    services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    second = gov.plan(days=-3)
    third = gov.plan(days=10)
    hold(gov, second)
    approval = second.items.get(standard=StandardItem.APPROVE_MINUTES)
    services.item_record_outcome(actor=gov.sigrid, item=approval, outcome=Outcome.DEFERRED)
    carried = approval.deferred_to.get()
    assert carried.meeting == third and carried.approves_minutes_of == gov.meeting
    assert standards(third)[:3] == [StandardItem.APPROVE_NOTICE] + [StandardItem.APPROVE_MINUTES] * 2
    services.meeting_send_notice(actor=gov.sigrid, meeting=third)
    third.date = date.today()  # the meeting's day has come
    third.save()
    carried = AgendaItem.objects.get(pk=carried.pk)
    services.item_record_outcome(actor=gov.sigrid, item=carried, outcome=Outcome.DECIDED, conclusion="Godkjent.")
    gov.meeting.refresh_from_db()
    assert gov.meeting.status == MeetingStatus.MINUTES_APPROVED


def test_cancelling_a_meeting_hands_its_minutes_approval_to_the_next_meeting(gov):
    second = gov.plan(days=10)
    third = gov.plan(days=20)
    assert third.items.get(standard=StandardItem.APPROVE_MINUTES).approves_minutes_of == second
    services.meeting_cancel(actor=gov.sigrid, meeting=second, reason="For få påmeldte")
    assert third.items.get(standard=StandardItem.APPROVE_MINUTES).approves_minutes_of == gov.meeting


def test_the_status_moves_only_along_the_transition_table(gov):
    with pytest.raises(InvalidTransition):
        services.meeting_approve_minutes(actor=gov.sigrid, meeting=gov.meeting)
    assert set(MEETING_TRANSITIONS) == set(MeetingStatus.values)


# --- carry-over, follow-ups, recurring items -------------------------------------------------------------------------


def test_a_deferred_item_waits_in_the_queue_and_joins_the_next_meeting_with_a_new_number(gov):
    hold(gov)
    services.item_record_outcome(actor=gov.sigrid, item=gov.public_item, outcome=Outcome.DEFERRED)
    gov.public_item.refresh_from_db()
    copy = gov.public_item.deferred_to.get()
    assert copy.meeting is None and copy in selectors.queue_for(gov.sigrid, gov.ssu)
    assert gov.public_item.conclusion  # "deferred to the next meeting" stays in these minutes
    later = gov.plan(days=14)
    copy.refresh_from_db()
    assert copy.meeting == later
    services.meeting_send_notice(actor=gov.sigrid, meeting=later)
    copy.refresh_from_db()
    assert copy.number and copy.number != gov.public_item.number


def test_a_deferred_item_goes_straight_to_a_next_meeting_already_planned(gov):
    later = gov.plan(days=14)
    hold(gov)
    services.item_record_outcome(actor=gov.sigrid, item=gov.public_item, outcome=Outcome.DEFERRED)
    assert gov.public_item.deferred_to.get().meeting == later
    assert later.items.order_by("position").last().standard == StandardItem.ANY_OTHER_BUSINESS


def test_changing_a_deferral_back_removes_the_waiting_copy(gov):
    hold(gov)
    services.item_record_outcome(actor=gov.sigrid, item=gov.public_item, outcome=Outcome.DEFERRED)
    services.item_record_outcome(actor=gov.sigrid, item=gov.public_item, outcome=Outcome.NOTED)
    assert not gov.public_item.deferred_to.exists()


def test_a_follow_up_chain_is_visible_both_ways(gov):
    hold(gov)
    services.item_record_outcome(actor=gov.sigrid, item=gov.public_item, outcome=Outcome.NOTED)
    later = gov.plan(days=14)
    follow_up = services.item_create(
        actor=gov.sigrid, body=gov.ssu, meeting=later, title="Digital hjemmeoppfølging", follows_up=gov.public_item
    )
    earlier, after = selectors.follow_up_chain(gov.sigrid, follow_up)
    assert earlier == [gov.public_item] and after == []
    assert selectors.follow_up_chain(demo_user(gov, "per"), gov.public_item) == ([], [])  # agenda not out yet
    services.meeting_send_notice(actor=gov.sigrid, meeting=later)
    earlier, after = selectors.follow_up_chain(demo_user(gov, "per"), gov.public_item)
    assert earlier == [] and after == [follow_up]


def demo_user(gov, username):
    from samhandling.core.models import User

    return User.objects.get(username=username)


def test_recurring_items_are_proposed_in_their_months_once(gov):
    month = (date.today() + timedelta(days=40)).month
    services.recurring_item_create(
        actor=gov.sigrid,
        body=gov.ssu,
        title="Status for fastlegeordningen",
        months=[month],
        responsible_name="Kommuneoverlegen",
    )
    first = gov.plan(days=40)
    second = gov.plan(days=41) if (date.today() + timedelta(days=41)).month == month else gov.plan(days=39)
    other = gov.plan(days=100)
    titles = lambda m: [item.title for item in m.items.all()]  # noqa: E731
    assert "Status for fastlegeordningen" in titles(first)
    assert "Status for fastlegeordningen" not in titles(second)
    assert "Status for fastlegeordningen" not in titles(other)
    item = first.items.get(recurring__isnull=False)
    assert [str(person) for person in item.responsibles.all()] == ["Kommuneoverlegen"]


def test_recurring_items_need_valid_months(gov):
    with pytest.raises(ValidationError):
        services.recurring_item_create(actor=gov.sigrid, body=gov.ssu, title="Feil", months=[13])


# --- forwarding -----------------------------------------------------------------------------------------------------


def test_an_fsu_forwards_an_item_to_the_ssu_with_its_case_paper_and_attachments(gov):
    fsu_meeting = gov.plan(body=gov.fsu)
    item = services.item_create(
        actor=gov.sigrid,
        body=gov.fsu,
        meeting=fsu_meeting,
        title="Revidert prosedyre for samhandlingsavvik",
        kind=ItemKind.DECISION,
        background="Prosedyren er fra 2014.",
        responsibles=[{"name": "Leder FSU-KT"}],
    )
    services.attachment_add(actor=gov.sigrid, item=item, upload=pdf_upload("prosedyre.pdf"))
    hold(gov, fsu_meeting)
    later = gov.plan(days=14)
    services.item_record_outcome(
        actor=gov.sigrid,
        item=item,
        outcome=Outcome.FORWARDED,
        conclusion="Saken sendes til SSU for beslutning.",
        forward_to=gov.ssu,
        forward_note="FSU-KT anbefaler prosedyren.",
    )
    copy = item.forwarded_to.get()
    assert copy.body == gov.ssu and copy.meeting == later and copy.forwarded_from == item
    assert copy.background == "Prosedyren er fra 2014." and copy.forward_note == "FSU-KT anbefaler prosedyren."
    assert [a.original_name for a in copy.attachments.all()] == ["prosedyre.pdf"]
    assert copy.attachments.get().file.name != item.attachments.get().file.name
    assert [str(r) for r in copy.responsibles.all()] == ["Leder FSU-KT"]


def test_forwarding_to_a_body_not_allowed_is_refused(gov):
    with pytest.raises(ValidationError):
        services.item_forward(actor=gov.sigrid, item=gov.public_item, to_body=gov.fsu)


def test_the_deviation_half_year_report_becomes_an_information_item_with_the_report_attached(gov):
    item = services.item_from_deviation_report(actor=gov.sigrid, meeting=gov.meeting, year=YEAR, half=1)
    assert item.kind == ItemKind.INFORMATION and item.meeting == gov.meeting
    attachment = item.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.visibility == Visibility.PUBLIC
    with attachment.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def _actions_since(mark: int) -> list[str]:
    return list(AuditEvent.objects.filter(pk__gt=mark).order_by("pk").values_list("action", flat=True))


def _mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_deviation_report_item_records_its_origin_and_one_audit_event(gov):
    mark = _mark()
    item = services.item_from_deviation_report(actor=gov.sigrid, meeting=gov.meeting, year=YEAR, half=1)
    assert item.origin == "deviation_report" and item.origin_url.startswith("/")
    assert _actions_since(mark) == ["governance.item.added_from_document"]


PDF = b"%PDF-1.4\n..."


def _from_document(gov, **overrides):
    values = {
        "actor": gov.sigrid,
        "body": gov.partnership,
        "title": "Framskriving for Helsefellesskap Vestfold",
        "document": services.Document("framskriving.pdf", PDF, "Framskriving"),
        "origin": services.Origin("projection", "Hovedscenario", "/framskrivning/kjoringer/1/"),
    }
    return services.item_from_document(**{**values, **overrides})


def test_a_document_from_another_module_waits_in_the_bodys_queue_with_its_origin_and_attachment(gov):
    mark = _mark()
    item = _from_document(gov)
    assert item.meeting is None and item.body == gov.partnership and item in gov.partnership.items.all()
    assert (item.origin, item.origin_name, item.origin_url) == (
        "projection",
        "Hovedscenario",
        "/framskrivning/kjoringer/1/",
    )
    attachment = item.attachments.get()
    assert (attachment.title, attachment.content_type, attachment.visibility) == (
        "Framskriving",
        "application/pdf",
        Visibility.INTERNAL,
    )
    assert item.case_officer == gov.sigrid
    assert _actions_since(mark) == ["governance.item.added_from_document"]


def test_a_document_goes_on_a_chosen_meeting_of_the_same_body_only(gov):
    item = _from_document(gov, body=gov.ssu, meeting=gov.meeting)
    assert item.meeting == gov.meeting
    with pytest.raises(ValidationError) as refused:
        _from_document(gov, body=gov.partnership, meeting=gov.meeting)  # an SSU meeting
    assert "meeting" in refused.value.message_dict


def test_a_refused_document_leaves_no_item_behind(gov):
    before = AgendaItem.objects.count()
    with pytest.raises(ValidationError) as refused:
        _from_document(gov, document=services.Document("framskriving.pdf", b"not a pdf"))
    assert "file" in refused.value.message_dict
    assert AgendaItem.objects.count() == before
    assert not AuditEvent.objects.filter(action="governance.item.added_from_document").exists()


def test_only_who_runs_the_body_puts_a_document_on_its_agenda(gov, demo):
    with pytest.raises(PermissionDenied):
        _from_document(gov, actor=demo.anders)


def test_a_copy_of_an_item_keeps_its_origin(gov):
    item = _from_document(gov, body=gov.ssu, meeting=gov.meeting)
    services.item_record_outcome(actor=gov.sigrid, item=item, outcome=Outcome.DEFERRED)
    copy = item.deferred_to.get()
    assert (copy.origin, copy.origin_name, copy.origin_url) == (item.origin, item.origin_name, item.origin_url)


# --- attachments ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notat.pdf", b"%PDF-1.4\n..."),
        ("notat.docx", office_file("word/document.xml")),
        ("tall.xlsx", office_file("xl/workbook.xml")),
        ("bilde.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),
        ("bilde.JPG", b"\xff\xd8\xff\xe0" + b"\0" * 20),
    ],
)
def test_it_accepts_the_allowed_file_types(gov, name, content):
    attachment = services.attachment_add(
        actor=gov.sigrid, item=gov.public_item, upload=SimpleUploadedFile(name, content)
    )
    assert attachment.original_name == name and attachment.size == len(content)
    assert name not in attachment.file.name  # stored under a random name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\0"),
        ("notat.txt", b"hei"),
        ("forkledd.pdf", b"MZ\x90\0 not a pdf"),
        ("forkledd.docx", office_file("xl/workbook.xml")),
        ("tom.pdf", b""),
    ],
)
def test_it_refuses_other_types_and_content_that_does_not_match_the_name(gov, name, content):
    with pytest.raises(ValidationError) as error:
        services.attachment_add(actor=gov.sigrid, item=gov.public_item, upload=SimpleUploadedFile(name, content))
    assert "file" in error.value.message_dict
    assert not gov.public_item.attachments.exists()


def test_it_refuses_a_file_over_the_size_limit(gov, settings):
    settings.GOVERNANCE_MAX_ATTACHMENT_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            actor=gov.sigrid, item=gov.public_item, upload=pdf_upload(content=b"%PDF-" + b"x" * 200)
        )
    assert "file" in error.value.message_dict


def test_an_attachment_is_never_more_public_than_its_item(gov):
    attachment = services.attachment_add(
        actor=gov.sigrid, item=gov.confidential_item, upload=pdf_upload(), visibility=Visibility.PUBLIC
    )
    assert attachment.visibility == Visibility.CONFIDENTIAL
    public = services.attachment_add(actor=gov.sigrid, item=gov.public_item, upload=pdf_upload())
    services.item_update(actor=gov.sigrid, item=gov.public_item, visibility=Visibility.INTERNAL)
    public.refresh_from_db()
    assert public.visibility == Visibility.INTERNAL


# --- action points and "Mine oppgaver" --------------------------------------------------------------------------------


def test_an_action_point_is_in_the_owners_tasks_until_done(gov, demo):
    hold(gov)
    point = services.action_point_create(
        actor=gov.sigrid,
        item=gov.public_item,
        owner=demo.ingrid,
        description="Kartlegge håndtering av samhandlingsavvik i kommunene",
        due_date=date.today() + timedelta(days=30),
    )
    assert any("Kartlegge" in str(task.title) for task in todo_for(demo.ingrid))
    assert point in selectors.action_points_for(demo.ingrid)
    services.action_point_complete(actor=demo.ingrid, action_point=point, note="Gjort")
    assert point.status == ActionPointStatus.DONE
    assert not any("Kartlegge" in str(task.title) for task in todo_for(demo.ingrid))


def test_only_the_owner_or_the_secretariat_completes_an_action_point(gov, demo):
    point = services.action_point_create(actor=gov.sigrid, item=gov.public_item, owner=demo.ingrid, description="X")
    with pytest.raises(PermissionDenied):
        services.action_point_complete(actor=demo.per, action_point=point)
    services.action_point_complete(actor=gov.sigrid, action_point=point)
    services.action_point_reopen(actor=demo.ingrid, action_point=point)
    assert point.status == ActionPointStatus.OPEN


def test_the_secretariat_is_reminded_of_notices_and_minutes(gov, demo):
    soon = gov.plan(days=5)
    titles = [str(task.title) for task in todo_for(demo.sigrid)]
    assert any(str(soon) in title for title in titles)
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    titles = [str(task.title) for task in todo_for(demo.sigrid)]
    assert any(str(gov.meeting) in title for title in titles)  # the minutes are due
    assert not any(str(gov.meeting) in str(task.title) for task in todo_for(demo.per))


# --- permissions --------------------------------------------------------------------------------------------------


def test_members_see_their_bodys_meetings_and_nobody_else_does(gov, demo):
    meeting = gov.meeting
    assert can(demo.per, "governance.view_meeting", meeting)
    assert can(demo.sigrid, "governance.manage_meeting", meeting)
    assert can(demo.tove, "governance.manage_meeting", meeting)
    for outsider in (demo.kari, demo.ola, demo.anders, demo.turid):
        assert not can(outsider, "governance.view_meeting", meeting)
        with pytest.raises(Http404):
            selectors.meeting_for(outsider, meeting.pk)
    assert can(demo.kari, "governance.view_body", gov.fsu)
    assert list(selectors.meetings_for(demo.ola)) == []


def test_members_read_the_agenda_once_the_notice_has_gone_out(gov, demo):
    assert not can(demo.per, "governance.view_item", gov.public_item)
    assert selectors.agenda(demo.per, gov.meeting) == []
    assert gov.public_item in selectors.agenda(demo.sigrid, gov.meeting)
    queued = services.item_create(actor=gov.sigrid, body=gov.ssu, title="I køen")
    assert not can(demo.per, "governance.view_item", queued)
    assert list(selectors.queue_for(demo.per, gov.ssu)) == []
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    gov.meeting.refresh_from_db()
    assert can(demo.per, "governance.view_item", AgendaItem.objects.get(pk=gov.public_item.pk))


def test_confidential_items_are_for_members_and_the_secretariat_not_observers(gov, demo):
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    item = AgendaItem.objects.get(pk=gov.confidential_item.pk)
    gov.public_item = AgendaItem.objects.get(pk=gov.public_item.pk)
    assert can(demo.per, "governance.view_item", item)
    assert can(demo.sigrid, "governance.view_item", item)
    assert not can(demo.lars, "governance.view_item", item)  # observer
    assert can(demo.lars, "governance.view_item", gov.public_item)
    assert item not in selectors.agenda(demo.lars, gov.meeting)
    assert item in selectors.agenda(demo.per, gov.meeting)


def test_a_former_member_sees_only_the_meetings_of_their_period(gov, demo):
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    services.member_end(actor=gov.sigrid, member=gov.seats.per, valid_to=date.today() - timedelta(days=3))
    forget_access(demo.per)
    later = gov.plan(days=10)
    assert can(demo.per, "governance.view_meeting", gov.meeting)
    assert not can(demo.per, "governance.view_meeting", later)
    assert not can(demo.per, "governance.view_item", gov.confidential_item)


def test_only_the_secretariat_may_write(gov, demo):
    with pytest.raises(PermissionDenied):
        services.item_create(actor=demo.per, body=gov.ssu, title="Medlemmets sak")
    with pytest.raises(PermissionDenied):
        services.meeting_send_notice(actor=demo.hilde, meeting=gov.meeting)
    with pytest.raises(PermissionDenied):
        services.body_create(actor=demo.ola, community=gov.community, kind="ssu", name="Kapret")


def test_the_public_archive_shows_only_published_public_things(gov):
    assert list(selectors.public_meetings(gov.community)) == []
    with pytest.raises(Http404):
        selectors.public_meeting(gov.community, gov.meeting.pk)
    services.attachment_add(actor=gov.sigrid, item=gov.public_item, upload=pdf_upload(), visibility=Visibility.INTERNAL)
    services.attachment_add(actor=gov.sigrid, item=gov.public_item, upload=pdf_upload("offentlig.pdf"))
    hold(gov)
    assert selectors.public_meeting(gov.community, gov.meeting.pk) == gov.meeting
    items = list(selectors.public_items(gov.meeting))
    assert gov.public_item in items and gov.confidential_item not in items
    item = next(i for i in items if i.pk == gov.public_item.pk)
    assert [a.original_name for a in item.visible_attachments] == ["offentlig.pdf"]
    assert [d.kind for d in selectors.public_documents(gov.meeting)] == [DocumentKind.NOTICE]
    decide_all(gov, gov.meeting)
    draft = services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    with pytest.raises(Http404):
        selectors.public_document(gov.community, draft.pk)
    final = services.meeting_approve_minutes(actor=gov.sigrid, meeting=gov.meeting)
    assert selectors.public_document(gov.community, final.pk) == final
    assert [d.kind for d in selectors.public_documents(gov.meeting)] == [DocumentKind.NOTICE, DocumentKind.MINUTES]


def test_every_service_writes_an_audit_event(gov):
    hold(gov)
    actions = set(AuditEvent.objects.filter(action__startswith="governance.").values_list("action", flat=True))
    assert {"governance.body.created", "governance.meeting.planned", "governance.item.created"} <= actions
    assert {"governance.meeting.notice_published", "governance.meeting.held"} <= actions
    # That every action has a readable label is checked for all apps at once in tests/test_architecture.py.


# --- the demo ------------------------------------------------------------------------------------------------------


def test_the_demo_year_is_complete_and_running_it_again_changes_nothing(demo):
    from django.core.management import call_command

    from samhandling.governance.models import Body, Meeting

    call_command("demo_governance", stdout=io.StringIO())
    counts = (Body.objects.count(), Meeting.objects.count(), AgendaItem.objects.count())
    call_command("demo_governance", stdout=io.StringIO())
    assert (Body.objects.count(), Meeting.objects.count(), AgendaItem.objects.count()) == counts
    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert {MeetingStatus.MINUTES_APPROVED, MeetingStatus.MINUTES_DRAFTED, MeetingStatus.PLANNED} <= statuses
    assert AgendaItem.objects.filter(outcome=Outcome.DEFERRED).exists()
    assert AgendaItem.objects.filter(deferred_from__isnull=False, meeting__status=MeetingStatus.PLANNED).exists()
    assert AgendaItem.objects.filter(forwarded_from__isnull=False).exists()
    assert AgendaItem.objects.filter(follows_up__isnull=False).exists()
    assert AgendaItem.objects.filter(recurring__isnull=False).exists()
    assert all(meeting.date.weekday() in (1, 2, 3) for meeting in Meeting.objects.all())
