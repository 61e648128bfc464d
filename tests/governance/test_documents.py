"""The notice, case papers and minutes as PDF and DOCX, and the invitation and meeting plan as iCalendar.

The PDFs are read back with pypdf and the Word files with python-docx, so the tests check what a reader gets: the
agenda table, the case numbers, the headings, the attachment list, attendance and decisions, and that the public
variant leaves confidential case papers out. Labels are compared with their translation in the active language.
"""

import io
import re
from datetime import date, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from icalendar import Calendar
from pypdf import PdfReader, PdfWriter

from samhandling.governance import documents, services
from samhandling.governance.models import AttendanceStatus, ItemKind, Outcome, StandardItem, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bokmaal():
    with translation.override("nb"):
        yield


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    # Lines wrap where the layout wraps them: compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_counter(page, pages) -> str:
    return _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def a_pdf(name: str) -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


@pytest.fixture
def pack(gov):
    """The fixture meeting with a case paper, attachments (one internal) and a video link, its agenda numbered."""
    sigrid = gov.sigrid
    services.meeting_update(
        actor=sigrid, meeting=gov.meeting, video_link="https://video.example.invalid/ssu", minute_taker=sigrid
    )
    services.item_update(
        actor=sigrid,
        item=gov.public_item,
        assessment="Sekretariatet anbefaler at arbeidet fortsetter:\n- spredning til alle kommuner\n- felles opplæring",
        proposed_decision="Saken tas til orientering.",
        case_officer_name="Guro Eksempel",
    )
    services.attachment_add(actor=sigrid, item=gov.public_item, upload=a_pdf("plan.pdf"), title="Prosjektplan")
    services.attachment_add(
        actor=sigrid,
        item=gov.public_item,
        upload=a_pdf("notat.pdf"),
        title="Internt notat om økonomi",
        visibility=Visibility.INTERNAL,
    )
    services.item_update(
        actor=sigrid,
        item=gov.confidential_item,
        background="Forhandlingene om finansiering pågår.",
        assessment="Partene står langt fra hverandre.",
    )
    services.attachment_add(
        actor=sigrid, item=gov.confidential_item, upload=a_pdf("tilbud.pdf"), title="Forhandlingsnotat"
    )
    services.meeting_number_items(actor=sigrid, meeting=gov.meeting)
    gov.meeting.refresh_from_db()
    gov.public_item.refresh_from_db()
    gov.confidential_item.refresh_from_db()
    return gov


def numbers(gov) -> list[str]:
    return [item.number for item in gov.meeting.items.order_by("position", "pk")]


# --- content -----------------------------------------------------------------------------------------------------


def test_it_turns_dashed_lines_into_a_bulleted_list():
    blocks = documents.text_blocks("Innledning\n- første\n- andre\n\nAvslutning\nsiste linje")
    assert [block.text for block in blocks if not block.is_list] == ["Innledning", "Avslutning\nsiste linje"]
    assert [block.items for block in blocks if block.is_list] == [["første", "andre"]]


def test_it_marks_confidential_and_internal_items(gov):
    assert documents.exemption_marking(gov.confidential_item) == _("Exempt from public access")
    gov.public_item.visibility = Visibility.INTERNAL
    assert documents.exemption_marking(gov.public_item) == _("Internal – not for publication")
    gov.public_item.visibility = Visibility.PUBLIC
    assert documents.exemption_marking(gov.public_item) == ""


# --- the notice as PDF ---------------------------------------------------------------------------------------------


def test_it_puts_the_head_the_agenda_table_and_every_item_number_in_the_notice_pdf(pack):
    text = pdf_text(documents.notice_pdf(pack.meeting))
    assert _("Notice %(body)s") % {"body": "SSU"} in text
    assert "Strategisk samarbeidsutvalg" in text
    for label in (_("Date/place"), _("Minute taker"), _("Item no."), _("Item"), _("Responsible"), _("Agenda")):
        assert label in text
    assert "Nøtterøy kulturhus, Lillesalen" in text
    assert "https://video.example.invalid/ssu" in text
    assert "Hilde Strand" in text  # the chair, under "To"
    for number in numbers(pack):
        assert number and number in text
    for item in pack.meeting.items.all():
        assert item.title in text
    assert re.search(page_counter(1, r"\d+"), text)
    assert "Guro Eksempel (Larvik kommune)" in text


def test_it_lists_the_attachments_numbered_with_their_item(pack):
    text = pdf_text(documents.notice_pdf(pack.meeting))
    listed = _("Item %(number)s") % {"number": pack.public_item.number}
    assert f"1. {listed}: Prosjektplan" in text
    assert "Prosjektplan" in text
    assert "Forhandlingsnotat" in text
    assert _("Internal – not for publication") in text


def test_it_gives_each_case_paper_its_own_page_with_the_header_table_and_sections(pack):
    pages = pdf_pages(documents.notice_pdf(pack.meeting))
    paper = next(page for page in pages if _("Case paper").upper() in page or _("Case paper") in page)
    assert pack.public_item.number in paper
    for label in (_("Item no."), _("Meeting body"), _("Type of item"), _("Case officer")):
        assert label in paper
    for heading in (_("Background"), _("Assessment"), _("Proposed decision")):
        assert heading in paper
    assert "Guro Eksempel" in paper
    assert "spredning til alle kommuner" in paper
    # The paper starts a page: the agenda table is not on it.
    assert _("Agenda") not in paper.split(_("Case paper").upper())[0]


def test_it_marks_the_confidential_case_paper_in_the_members_notice(pack):
    text = pdf_text(documents.notice_pdf(pack.meeting))
    assert "Partene står langt fra hverandre." in text
    assert _("Exempt from public access") in text


def test_it_leaves_confidential_items_and_internal_attachments_out_of_the_public_notice(pack):
    text = pdf_text(documents.notice_pdf(pack.meeting, public=True))
    assert pack.confidential_item.title not in text
    assert "Partene står langt fra hverandre." not in text
    assert "Forhandlingsnotat" not in text
    assert "Internt notat om økonomi" not in text
    assert pack.confidential_item.number not in text.split()
    assert pack.public_item.number in text
    assert "Prosjektplan" in text
    assert _("Public version: items and attachments exempt from public access are left out.") in text


def test_it_leaves_only_confidential_items_out_of_the_observers_notice(pack):
    text = pdf_text(documents.notice_pdf(pack.meeting, confidential=False))
    assert pack.confidential_item.title not in text
    assert "Forhandlingsnotat" not in text
    assert "Internt notat om økonomi" in text
    assert _("Confidential items are left out of this version.") in text


def test_it_writes_the_notice_in_the_active_language(pack):
    pack.meeting.date = date(2026, 9, 22)  # a Tuesday
    with translation.override("nn"):
        nynorsk = pdf_text(documents.notice_pdf(pack.meeting))
    bokmaal = pdf_text(documents.notice_pdf(pack.meeting))
    assert "tysdag 22. september 2026" in nynorsk
    assert "tirsdag 22. september 2026" in bokmaal


def test_it_shows_the_version_and_reason_of_a_changed_notice(pack):
    text = pdf_text(documents.notice_pdf(pack.meeting, version=2, reason="Nytt møtested"))
    assert (
        _("Version %(version)s. Reason for the new version: %(reason)s")
        % {
            "version": 2,
            "reason": "Nytt møtested",
        }
        in text
    )


# --- the notice as DOCX --------------------------------------------------------------------------------------------


def docx_of(content: bytes):
    return Document(io.BytesIO(content))


def test_it_builds_the_word_notice_with_real_headings_and_a_real_agenda_table(pack):
    word = docx_of(documents.notice_docx(pack.meeting))
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", _("Notice %(body)s") % {"body": "SSU"}) in headings
    assert ("Heading 2", _("Agenda")) in headings
    assert ("Heading 2", _("Attachments")) in headings
    assert ("Heading 2", pack.public_item.title) in headings  # the case paper
    assert ("Heading 3", _("Background")) in headings
    agenda = next(
        t for t in word.tables if [c.text for c in t.rows[0].cells] == [_("Item no."), _("Item"), _("Responsible")]
    )
    first_lines = [row.cells[0].text.split("\n")[0] for row in agenda.rows[1:]]
    assert first_lines == numbers(pack)
    listed = [p.text for p in word.paragraphs if p.style.name == "List Number"]
    assert any("Prosjektplan" in line and pack.public_item.number in line for line in listed)
    kickers = [p for p in word.paragraphs if p.text.startswith(_("Case paper"))]
    assert len(kickers) == 2 and all(p.paragraph_format.page_break_before for p in kickers)
    header_table = next(t for t in word.tables if t.rows[0].cells[0].text == _("Item no.") and len(t.columns) == 4)
    assert header_table.rows[1].cells[0].text == pack.public_item.number
    assert word.core_properties.author == pack.community.name
    footer = word.sections[0].footer.paragraphs[0]
    assert _("Page %(page)s of %(pages)s").split("%(page)s")[0] in footer.text
    assert 'w:instr="NUMPAGES"' in footer._p.xml


def test_it_leaves_the_confidential_case_paper_out_of_the_public_word_notice(pack):
    word = docx_of(documents.notice_docx(pack.meeting, public=True))
    text = "\n".join(p.text for p in word.paragraphs) + "\n".join(
        cell.text for table in word.tables for row in table.rows for cell in row.cells
    )
    assert pack.confidential_item.title not in text
    assert "Forhandlingsnotat" not in text
    assert pack.public_item.title in text


# --- minutes -------------------------------------------------------------------------------------------------------


@pytest.fixture
def held(pack, fake_documents):
    """The meeting after the notice, with attendance, outcomes and an action point recorded (draft minutes)."""
    sigrid, seats = pack.sigrid, pack.seats
    services.meeting_send_notice(actor=sigrid, meeting=pack.meeting)
    services.attendance_record(
        actor=sigrid,
        meeting=pack.meeting,
        rows=[
            {"member": seats.hilde, "status": AttendanceStatus.PRESENT},
            {"member": seats.per, "status": AttendanceStatus.ABSENT, "note": "sykdom"},
            {"member": seats.randi, "status": AttendanceStatus.SUBSTITUTE, "substitute_name": "Odd Vara"},
        ],
    )
    approve_notice = pack.meeting.items.get(standard=StandardItem.APPROVE_NOTICE)
    services.item_record_outcome(
        actor=sigrid, item=approve_notice, outcome=Outcome.DECIDED, conclusion="Innkalling og dagsorden godkjennes."
    )
    services.item_record_outcome(
        actor=sigrid,
        item=pack.public_item,
        outcome=Outcome.NOTED,
        discussion="Flere kommuner ønsker å delta.",
        conclusion="Saken tas til orientering.",
    )
    services.item_record_outcome(
        actor=sigrid,
        item=pack.confidential_item,
        outcome=Outcome.DECIDED,
        conclusion="SSU går inn for en felles stilling fra 2027.",
    )
    services.action_point_create(
        actor=sigrid,
        item=pack.public_item,
        owner=pack.seats.per.user,
        description="Kartlegge kommunenes behov",
        due_date=date(2026, 12, 1),
    )
    services.meeting_draft_minutes(actor=sigrid, meeting=pack.meeting)
    pack.meeting.refresh_from_db()
    return pack


def test_it_shows_attendance_decisions_and_action_points_in_the_draft_minutes(held):
    text = pdf_text(documents.minutes_pdf(held.meeting))
    assert _("Minutes %(body)s") % {"body": "SSU"} in text
    for label in (_("Present"), _("Apologies"), _("Substitutes"), _("Minute taker")):
        assert label in text
    assert "Hilde Strand" in text
    assert "sykdom" in text
    assert _("%(substitute)s for %(member)s") % {"substitute": "Odd Vara", "member": "Randi Brekke"} in text
    assert f"{_('Resolution')}:" in text
    assert "SSU går inn for en felles stilling fra 2027." in text
    assert f"{_('Conclusion')}:" in text
    assert _("Noted") in text
    assert "Flere kommuner ønsker å delta." in text
    assert "Kartlegge kommunenes behov" in text
    assert "Per Hansen" in text
    assert "01.12.2026" in text
    assert _("Not approved (draft)") in text


def test_it_leaves_confidential_decisions_out_of_the_public_minutes(held):
    text = pdf_text(documents.minutes_pdf(held.meeting, public=True))
    assert "SSU går inn for en felles stilling fra 2027." not in text
    assert held.public_item.number in text


def test_it_shows_deferred_items_and_what_they_were_deferred_to(held, fake_documents):
    later = held.plan(days=30)
    item = services.item_create(
        actor=held.sigrid, body=held.ssu, meeting=held.meeting, title="Ung arena+", kind=ItemKind.INFORMATION
    )
    services.item_record_outcome(actor=held.sigrid, item=item, outcome=Outcome.DEFERRED)
    text = pdf_text(documents.minutes_pdf(held.meeting))
    assert _("Deferred to %(meeting)s") % {"meeting": f"SSU {later.date:%d.%m.%Y}"} in text


def test_it_lists_the_draft_minutes_among_the_attachments_of_the_next_notice(held):
    later = held.plan(days=30)
    approval = later.items.get(standard=StandardItem.APPROVE_MINUTES)
    services.meeting_number_items(actor=held.sigrid, meeting=later)
    approval.refresh_from_db()
    minutes = _("Minutes %(meeting)s") % {"meeting": f"SSU {held.meeting.date:%d.%m.%Y}"}
    listed = _("Item %(number)s") % {"number": approval.number}
    assert f"1. {listed}: {minutes}" in pdf_text(documents.notice_pdf(later))
    # Draft minutes are not public: the public notice does not offer them.
    assert minutes not in pdf_text(documents.notice_pdf(later, public=True))


def test_it_marks_minutes_approved_at_the_next_meeting_with_that_meeting_and_item(held, fake_documents):
    later = held.plan(days=-1)
    services.meeting_send_notice(actor=held.sigrid, meeting=later)
    approval = later.items.get(standard=StandardItem.APPROVE_MINUTES)
    services.item_record_outcome(actor=held.sigrid, item=approval, outcome=Outcome.DECIDED, conclusion="Godkjent.")
    held.meeting.refresh_from_db()
    approval.refresh_from_db()
    text = pdf_text(documents.minutes_pdf(held.meeting))
    assert _("Not approved (draft)") not in text
    expected = _("Approved at the meeting on %(date)s") % {"date": f"{later.date:%d.%m.%Y}"}
    assert f"{expected}, {_('item %(number)s') % {'number': approval.number}}" in text


def test_it_marks_approved_minutes_and_a_correction_with_its_reason(held, fake_documents):
    services.meeting_approve_minutes(actor=held.sigrid, meeting=held.meeting)
    held.meeting.refresh_from_db()
    approved = pdf_text(documents.minutes_pdf(held.meeting))
    assert _("Not approved (draft)") not in approved
    assert _("Approved on %(date)s") % {"date": date.today().strftime("%d.%m.%Y")} in approved

    word = docx_of(documents.minutes_docx(held.meeting, version=3, reason="Rettet navn i sak 2"))
    text = "\n".join(p.text for p in word.paragraphs)
    assert (
        _("Version %(version)s. Reason for the new version: %(reason)s")
        % {
            "version": 3,
            "reason": "Rettet navn i sak 2",
        }
        in text
    )


def test_it_builds_the_word_minutes_with_attendance_and_the_items_table(held):
    word = docx_of(documents.minutes_docx(held.meeting))
    head = word.tables[0]
    labels = [row.cells[0].text for row in head.rows]
    assert _("Present") in labels and _("Apologies") in labels
    items = next(t for t in word.tables if t.rows[0].cells[0].text == _("Item no."))
    cells = "\n".join(cell.text for row in items.rows for cell in row.cells)
    assert "SSU går inn for en felles stilling fra 2027." in cells
    assert held.public_item.number in cells
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings and headings[0].startswith(_("Minutes %(body)s") % {"body": "SSU"})


def test_it_names_files_after_the_document_body_and_date(gov):
    with translation.override("en"):
        name = documents.document_filename(gov.meeting, documents.NOTICE, "pdf", public=True)
    assert name == f"notice-ssu-{gov.meeting.date:%Y-%m-%d}-public.pdf"


# --- iCalendar -----------------------------------------------------------------------------------------------------


def parse(content: bytes) -> Calendar:
    calendar = Calendar.from_ical(content)
    calendar.validate()
    return calendar


def test_it_makes_an_invitation_with_timezone_organizer_and_attendee(pack, fake_documents):
    services.meeting_send_notice(actor=pack.sigrid, meeting=pack.meeting)
    calendar = parse(documents.meeting_invitation_ics(pack.meeting, pack.seats.per, base_url="https://s.example"))
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["PRODID"] and calendar["VERSION"] == "2.0"
    [event] = calendar.events
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "URL", "SEQUENCE"):
        assert required in event, required
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("DTSTART").hour == 13 and event.decoded("DTSTART").minute == 30
    assert event.decoded("DTEND").hour == 15
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert event["LOCATION"] == "Nøtterøy kulturhus, Lillesalen"
    assert str(event["URL"]) == "https://s.example" + pack.meeting.get_absolute_url()
    assert str(event["ATTENDEE"]) == f"mailto:{pack.seats.per.contact_email}"
    assert event["ATTENDEE"].params["CN"] == "Per Hansen"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert event.decoded("SEQUENCE") == 0


def test_it_keeps_the_uid_and_counts_up_the_sequence_for_each_new_notice(pack, fake_documents):
    services.meeting_send_notice(actor=pack.sigrid, meeting=pack.meeting)
    first = parse(documents.meeting_invitation_ics(pack.meeting, pack.seats.hilde)).events[0]
    services.meeting_send_notice(actor=pack.sigrid, meeting=pack.meeting, reason="Nytt rom")
    second = parse(documents.meeting_invitation_ics(pack.meeting, pack.seats.hilde)).events[0]
    assert first["UID"] == second["UID"]
    assert second.decoded("SEQUENCE") == first.decoded("SEQUENCE") + 1


def test_it_cancels_the_invitation_of_a_cancelled_meeting(pack, fake_documents):
    services.meeting_send_notice(actor=pack.sigrid, meeting=pack.meeting)
    services.meeting_cancel(actor=pack.sigrid, meeting=pack.meeting, reason="For få påmeldte")
    calendar = parse(documents.meeting_invitation_ics(pack.meeting, pack.seats.hilde))
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.events[0]["STATUS"] == "CANCELLED"
    assert calendar.events[0].decoded("SEQUENCE") == 1


def test_it_publishes_the_yearly_meeting_plan_as_a_feed_with_cancelled_meetings_marked(gov):
    year = date.today().year + 1
    plan = services.meeting_plan_year(
        actor=gov.sigrid,
        body=gov.ssu,
        dates=[date(year, 2, 10), date(year, 5, 12), date(year, 9, 22)],
        start_time=time(13, 30),
        end_time=time(15, 30),
        place="SiV, møterom 028",
    )
    services.meeting_cancel(actor=gov.sigrid, meeting=plan[1], reason="Flyttet")
    calendar = parse(documents.body_calendar_ics(gov.ssu, year))
    assert calendar["METHOD"] == "PUBLISH"
    assert str(year) in calendar["X-WR-CALNAME"] and "Strategisk samarbeidsutvalg" in calendar["X-WR-CALNAME"]
    events = calendar.events
    assert len(events) == 3
    assert len({event["UID"] for event in events}) == 3
    assert [event["STATUS"] for event in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert all(event["DTSTART"].params["TZID"] == "Europe/Oslo" for event in events)
    assert "ATTENDEE" not in events[0]


def test_the_public_meeting_plan_never_carries_the_video_link_but_the_invitation_does(gov):
    gov.meeting.video_link = "https://video.example.invalid/ssu-hemmelig-rom"
    gov.meeting.save()

    def texts(content: bytes) -> str:  # unfolded, so a long link split over lines is still found
        events = parse(content).events
        return " ".join(str(event.get(key, "")) for event in events for key in ("DESCRIPTION", "LOCATION"))

    assert "ssu-hemmelig-rom" not in texts(documents.body_calendar_ics(gov.ssu, gov.meeting.date.year))
    assert "ssu-hemmelig-rom" in texts(documents.meeting_invitation_ics(gov.meeting))


def test_it_gives_a_meeting_without_an_end_time_two_hours(gov):
    gov.meeting.end_time = None
    event = parse(documents.meeting_invitation_ics(gov.meeting)).events[0]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    assert "ATTENDEE" not in event and "ORGANIZER" not in event
