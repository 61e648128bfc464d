"""Every meeting-module view × every persona and anonymous: allowed, refused (403) or hidden (404); then the
behaviour of the forms: errors in Norwegian at the field, nothing typed is lost, and the public archive never shows
internal or confidential items.

The world (see conftest.py): sigrid (secretariat) and tove (admin) manage Vestfold's bodies; hilde (chair), per
(member), ingrid (deputy) and lars (observer) sit in the SSU; kari sits in an FSU only; turid, anders and ola (another
community) have no seat. The SSU met a week ago (notice sent, one outcome recorded, an action point for per) and meets
again in two weeks (planned).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samhandling.governance import services
from samhandling.governance.models import MeetingStatus, Outcome
from tests.matrix import LOGIN_REDIRECT, url_names

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "lars", "per", "hilde", "turid", "sigrid", "anders", "tove", "ola", ANON]
MANAGERS = {"sigrid", "tove"}
SSU = {"hilde", "per", "ingrid", "lars"}
CONFIDENTIAL_READERS = {"hilde", "per", "ingrid"}  # observers do not read confidential items
CONFIDENTIAL_SEERS = MANAGERS | CONFIDENTIAL_READERS
EVERYONE = set(PERSONAS)
REDIRECT = "redirect"  # a 302 to somewhere other than the log-in page
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str = "brosjyre.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world(gov, fake_documents, settings, tmp_path, monkeypatch):
    """gov's SSU meeting with its notice sent, attachments, an outcome and an action point; a planned next meeting."""
    settings.MEDIA_ROOT = tmp_path
    sigrid = gov.sigrid
    notice = services.meeting_send_notice(actor=sigrid, meeting=gov.meeting)
    public_file = services.attachment_add(actor=sigrid, item=gov.public_item, upload=upload(), title="Brosjyre")
    secret_file = services.attachment_add(
        actor=sigrid, item=gov.confidential_item, upload=upload("budsjett.pdf"), title="Budsjettutkast"
    )
    services.item_record_outcome(
        actor=sigrid, item=gov.public_item, outcome=Outcome.NOTED, conclusion="SSU tar saken til orientering."
    )
    point = services.action_point_create(
        actor=sigrid, item=gov.public_item, owner=gov.seats.per.user, description="Lage en plan for spredning."
    )
    upcoming = gov.plan(days=14)
    gov.meeting.refresh_from_db()
    return gov, notice, public_file, secret_file, point, upcoming


def _expect(view: str, persona: str):
    public = {
        "public_index",
        "public_archive",
        "public_meeting",
        "public_document",
        "public_attachment",
        "body_calendar",
    }
    if view in public:
        return 200
    if view == "public_secret_attachment":
        return 404
    if persona == ANON:
        return 302
    manage_ssu = {200: MANAGERS, 403: SSU, "else": 404}
    table = {
        "home": {200: EVERYONE},
        "search": {200: EVERYONE},
        "body_list": {200: EVERYONE},
        "settings": {200: MANAGERS, "else": 403},
        "body_create": {200: MANAGERS, "else": 403},
        "body_detail": {200: MANAGERS | SSU, "else": 404},
        "body_plan": {200: MANAGERS | SSU, "else": 404},
        "body_edit": manage_ssu,
        "member_add": manage_ssu,
        "member_edit": manage_ssu,
        "recurring_create": manage_ssu,
        "meeting_create": manage_ssu,
        "queue_item_create": manage_ssu,
        "meeting_detail": {200: MANAGERS | SSU, "else": 404},
        "meeting_edit": manage_ssu,
        "item_create": manage_ssu,
        "item_move": {400: MANAGERS, 403: SSU, "else": 404},
        "item_schedule": {400: MANAGERS, 403: SSU, "else": 404},
        "deviation_report": {400: MANAGERS, 403: SSU, "else": 404},
        "notice": {200: MANAGERS | SSU, "else": 404},
        "notice_send_again": {400: MANAGERS, 403: SSU, "else": 404},
        "notice_preview": manage_ssu,
        "meeting_ics": {200: MANAGERS | SSU, "else": 404},
        "minutes": manage_ssu,
        # Only approved minutes are corrected: the managers are sent back to the meeting (notice sent only).
        "minutes_correct": {REDIRECT: MANAGERS, 403: SSU, "else": 404},
        "meeting_act": {404: MANAGERS, 403: SSU, "else": 404},
        "document_download": {200: MANAGERS | SSU, "else": 404},
        "item_detail": {200: MANAGERS | SSU, "else": 404},
        "confidential_item": {200: MANAGERS | CONFIDENTIAL_READERS, "else": 404},
        "item_edit": manage_ssu,
        "attachment_add": manage_ssu,
        "item_forward": {400: MANAGERS, 403: SSU, "else": 404},
        "item_outcome": {400: MANAGERS, 403: SSU, "else": 404},
        "action_point_add": {400: MANAGERS, 403: SSU, "else": 404},
        "item_act": {404: MANAGERS, 403: SSU, "else": 404},
        "attachment_download": {200: MANAGERS | SSU, "else": 404},
        "attachment_edit": manage_ssu,
        "secret_attachment": {200: MANAGERS | CONFIDENTIAL_READERS, "else": 404},
        "action_point_act": {404: MANAGERS | {"per"}, 403: SSU - {"per"}, "else": 404},
        # Writes that succeed redirect back to the page; they run last, since they change the world.
        "attachment_remove": {REDIRECT: MANAGERS, 403: SSU, "else": 404},
        "minutes_draft": {400: MANAGERS, 403: SSU, "else": 404},  # outcomes are missing
    }[view]
    for status, people in table.items():
        if status != "else" and persona in people:
            return status
    return table.get("else", 200)


COVERED_URL_NAMES = {
    "home",
    "settings",
    "search",
    "body_list",
    "body_create",
    "body_detail",
    "body_edit",
    "member_add",
    "recurring_create",
    "body_plan",
    "meeting_create",
    "queue_item_create",
    "member_edit",
    "meeting_detail",
    "meeting_edit",
    "item_create",
    "item_move",
    "item_schedule",
    "deviation_report",
    "notice",
    "notice_preview",
    "meeting_ics",
    "minutes",
    "minutes_draft",
    "minutes_correct",
    "meeting_act",
    "document_download",
    "item_detail",
    "item_edit",
    "attachment_add",
    "item_forward",
    "item_outcome",
    "action_point_add",
    "item_act",
    "attachment_download",
    "attachment_edit",
    "attachment_remove",
    "action_point_act",
    "public_index",
    "public_archive",
    "public_meeting",
    "public_document",
    "public_attachment",
    "body_calendar",
}


def test_every_governance_url_is_in_the_matrix():
    assert url_names("governance") == COVERED_URL_NAMES


def _walk(client, requests: dict, persona: str) -> list[str]:
    """Like tests.matrix.walk, but a successful write may redirect to its page (REDIRECT)."""
    failures = []
    for view, (method, url) in requests.items():
        response = getattr(client, method)(url)
        want = _expect(view, persona)
        location = response.get("Location", "")
        if want == REDIRECT:
            if response.status_code != 302 or location.startswith(LOGIN_REDIRECT):
                failures.append(f"{view} {method.upper()} {url}: expected a redirect, got {response.status_code}")
        elif response.status_code != want:
            failures.append(f"{view} {method.upper()} {url}: expected {want}, got {response.status_code}")
        elif want == 302 and not location.startswith(LOGIN_REDIRECT):
            failures.append(f"{view}: redirected to {location}, not to the log-in page")
        elif want == 200 and method == "get" and (view.startswith("public") or persona not in CONFIDENTIAL_SEERS):
            body = b"".join(response) if response.streaming else response.content
            if b"Budsjettforhandlinger" in body or b"Budsjettutkast" in body:
                failures.append(f"{view}: shows the confidential item to {persona}")
    return failures


@pytest.mark.parametrize("persona", PERSONAS)
def test_governance_permission_matrix(client, demo, world, persona):
    gov, notice, public_file, secret_file, point, upcoming = world
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    meeting, item, slug = gov.meeting, gov.public_item, gov.community.slug
    requests = {
        "home": ("get", "/moter/"),
        "search": ("get", "/moter/sok/?q=hjemmeoppfølging"),
        "body_list": ("get", "/moter/organer/"),
        "settings": ("get", "/moter/innstillinger/"),
        "body_create": ("get", "/moter/organer/ny/"),
        "body_detail": ("get", f"/moter/organer/{gov.ssu.pk}/"),
        "body_plan": ("get", f"/moter/organer/{gov.ssu.pk}/moteplan/"),
        "body_edit": ("get", f"/moter/organer/{gov.ssu.pk}/rediger/"),
        "member_add": ("get", f"/moter/organer/{gov.ssu.pk}/medlemmer/ny/"),
        "member_edit": ("get", f"/moter/medlemmer/{gov.seats.per.pk}/rediger/"),
        "recurring_create": ("get", f"/moter/organer/{gov.ssu.pk}/faste-saker/ny/"),
        "meeting_create": ("get", f"/moter/organer/{gov.ssu.pk}/nytt-mote/"),
        "queue_item_create": ("get", f"/moter/organer/{gov.ssu.pk}/ny-sak/"),
        "meeting_detail": ("get", f"/moter/mote/{meeting.pk}/"),
        "meeting_edit": ("get", f"/moter/mote/{upcoming.pk}/rediger/"),
        "item_create": ("get", f"/moter/mote/{upcoming.pk}/ny-sak/"),
        "item_move": ("post", f"/moter/mote/{upcoming.pk}/flytt-sak/"),
        "item_schedule": ("post", f"/moter/mote/{upcoming.pk}/sett-opp-sak/"),
        "deviation_report": ("post", f"/moter/mote/{upcoming.pk}/avviksrapport/"),
        "notice": ("get", f"/moter/mote/{meeting.pk}/innkalling/"),
        "notice_send_again": ("post", f"/moter/mote/{meeting.pk}/innkalling/"),
        "notice_preview": ("get", f"/moter/mote/{upcoming.pk}/innkalling/utkast.pdf"),
        "meeting_ics": ("get", f"/moter/mote/{meeting.pk}/kalender.ics"),
        "minutes": ("get", f"/moter/mote/{meeting.pk}/referat/"),
        "minutes_correct": ("get", f"/moter/mote/{meeting.pk}/referat/rett/"),
        "meeting_act": ("post", f"/moter/mote/{meeting.pk}/ukjent/"),
        "document_download": ("get", f"/moter/dokument/{notice.pk}.pdf"),
        "item_detail": ("get", f"/moter/sak/{item.pk}/"),
        "confidential_item": ("get", f"/moter/sak/{gov.confidential_item.pk}/"),
        "item_edit": ("get", f"/moter/sak/{item.pk}/rediger/"),
        "attachment_add": ("get", f"/moter/sak/{item.pk}/vedlegg/"),
        "item_forward": ("post", f"/moter/sak/{item.pk}/videresend/"),
        "item_outcome": ("post", f"/moter/sak/{item.pk}/utfall/"),
        "action_point_add": ("post", f"/moter/sak/{item.pk}/oppfolgingspunkt/"),
        "item_act": ("post", f"/moter/sak/{item.pk}/ukjent/"),
        "attachment_download": ("get", f"/moter/vedlegg/{public_file.pk}/"),
        "secret_attachment": ("get", f"/moter/vedlegg/{secret_file.pk}/"),
        "attachment_edit": ("get", f"/moter/vedlegg/{public_file.pk}/rediger/"),
        "action_point_act": ("post", f"/moter/oppfolgingspunkt/{point.pk}/ukjent/"),
        "public_index": ("get", "/moter/offentlig/"),
        "public_archive": ("get", f"/moter/offentlig/{slug}/"),
        "public_meeting": ("get", f"/moter/offentlig/{slug}/mote/{meeting.pk}/"),
        "public_document": ("get", f"/moter/offentlig/{slug}/dokument/{notice.pk}.pdf"),
        "public_attachment": ("get", f"/moter/offentlig/{slug}/vedlegg/{public_file.pk}/"),
        "public_secret_attachment": ("get", f"/moter/offentlig/{slug}/vedlegg/{secret_file.pk}/"),
        "body_calendar": ("get", f"/moter/offentlig/{slug}/organ/{gov.ssu.pk}/moteplan.ics"),
        "attachment_remove": ("post", f"/moter/vedlegg/{public_file.pk}/fjern/"),
        "minutes_draft": ("post", f"/moter/mote/{meeting.pk}/referat/lag/"),
    }
    failures = _walk(client, requests, persona)
    assert not failures, "\n".join(failures)


# --- behaviour of the pages ------------------------------------------------------------------------------------------

REQUIRED_NB = "Feltet er påkrevet."  # Django's own bokmål message: errors come in the user's language


def test_it_keeps_everything_typed_when_a_planned_meeting_has_errors(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    response = client.post(
        f"/moter/organer/{gov.ssu.pk}/nytt-mote/",
        {"date": "", "start_time": "14:00", "end_time": "13:00", "title": "Ekstraordinært SSU-møte"},
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"date", "end_time", "place"}
    assert form.errors["date"] == [REQUIRED_NB]
    html = response.content.decode()
    assert 'value="Ekstraordinært SSU-møte"' in html and 'value="14:00"' in html and 'value="13:00"' in html
    assert 'id="id_date_error"' in html and 'aria-invalid="true"' in html
    assert gov.ssu.meetings.count() == 2


def test_it_plans_a_meeting_with_the_standard_items(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    response = client.post(
        f"/moter/organer/{gov.ssu.pk}/nytt-mote/",
        {"date": "2031-03-04", "start_time": "09:00", "end_time": "11:00", "place": "Tønsberg rådhus"},
    )
    meeting = gov.ssu.meetings.get(date="2031-03-04")
    assert response.status_code == 302 and response["Location"] == f"/moter/mote/{meeting.pk}/"
    standards = list(meeting.items.exclude(standard="").values_list("standard", flat=True))
    assert standards[0] == "approve_notice" and standards[-1] == "any_other_business"


def test_it_refuses_a_disguised_attachment_at_the_file_field(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    response = client.post(
        f"/moter/sak/{gov.public_item.pk}/vedlegg/",
        {"file": upload("rapport.pdf", b"MZ\x90\x00 not a pdf"), "title": "Rapport", "visibility": "public"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["file"]
    assert 'value="Rapport"' in response.content.decode()
    assert gov.public_item.attachments.count() == 1


def test_it_adds_an_attachment_and_offers_it_for_download(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    response = client.post(
        f"/moter/sak/{gov.public_item.pk}/vedlegg/",
        {"file": upload("plan.pdf"), "title": "Plan for spredning", "visibility": "public"},
    )
    assert response.status_code == 302
    attachment = gov.public_item.attachments.get(title="Plan for spredning")
    client.force_login(gov.seats.per.user)
    download = client.get(f"/moter/vedlegg/{attachment.pk}/")
    assert b"".join(download).startswith(b"%PDF") and "plan.pdf" in download["Content-Disposition"]


def test_a_substitute_without_a_name_is_an_error_at_that_row(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    data = {f"m{seat.pk}-member": seat.pk for seat in vars(gov.seats).values() if seat.body_id == gov.ssu.pk}
    data |= {f"m{seat_pk}-status": "present" for seat_pk in data.values()}
    data[f"m{gov.seats.per.pk}-status"] = "substitute"
    data[f"m{gov.seats.hilde.pk}-note"] = "Gikk kl. 15"
    response = client.post(f"/moter/mote/{gov.meeting.pk}/referat/", data)
    assert response.status_code == 400
    rows = dict(response.context["attendance"])
    assert list(rows[gov.seats.per].errors) == ["substitute_name"]
    assert 'value="Gikk kl. 15"' in response.content.decode()
    data[f"m{gov.seats.per.pk}-substitute_name"] = "Anne Vara"
    assert client.post(f"/moter/mote/{gov.meeting.pk}/referat/", data).status_code == 302
    assert gov.meeting.attendance.get(member=gov.seats.per).substitute_display == "Anne Vara"


def test_a_decision_needs_its_text_and_keeps_the_discussion(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    item = gov.confidential_item
    response = client.post(
        f"/moter/sak/{item.pk}/utfall/",
        {f"i{item.pk}-outcome": "decided", f"i{item.pk}-conclusion": "", f"i{item.pk}-discussion": "Lang debatt."},
    )
    assert response.status_code == 400
    section = next(s for s in response.context["sections"] if s["item"].pk == item.pk)
    assert list(section["form"].errors) == ["conclusion"]
    assert "Lang debatt." in response.content.decode()
    client.post(
        f"/moter/sak/{item.pk}/utfall/",
        {f"i{item.pk}-outcome": "decided", f"i{item.pk}-conclusion": "SSU går inn for stillingen."},
    )
    item.refresh_from_db()
    assert item.outcome == "decided" and item.conclusion == "SSU går inn for stillingen."


def test_an_item_moves_down_with_htmx_and_the_agenda_comes_back(client, world):
    gov, upcoming = world[0], world[5]
    client.force_login(gov.sigrid)
    first = services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=upcoming, title="Første sak")
    second = services.item_create(actor=gov.sigrid, body=gov.ssu, meeting=upcoming, title="Andre sak")
    response = client.post(
        f"/moter/mote/{upcoming.pk}/flytt-sak/", {"item": first.pk, "retning": "ned"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="agenda"')
    assert html.index("Andre sak") < html.index("Første sak")
    ordinary = list(upcoming.items.filter(standard="").order_by("position").values_list("pk", flat=True))
    assert ordinary.index(second.pk) < ordinary.index(first.pk)


def test_search_marks_the_words_found(client, world):
    gov = world[0]
    client.force_login(gov.seats.per.user)
    response = client.get("/moter/sok/", {"q": "hjemmeoppfølging"})
    html = response.content.decode()
    assert "<mark>hjemmeoppfølging</mark>" in html.lower()
    assert f"/moter/sak/{gov.public_item.pk}/" in html


def test_search_never_finds_confidential_items_for_an_observer(client, world):
    gov = world[0]
    client.force_login(gov.seats.lars.user)
    assert "Budsjettforhandlinger" not in client.get("/moter/sok/", {"q": "stilling"}).content.decode()
    client.force_login(gov.seats.hilde.user)
    assert "Budsjettforhandlinger" in client.get("/moter/sok/", {"q": "stilling"}).content.decode()


def test_forwarding_without_a_body_is_an_error_at_the_field(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    response = client.post(f"/moter/sak/{gov.public_item.pk}/videresend/", {"forward-note": "Til orientering"})
    assert response.status_code == 400
    assert list(response.context["forward_form"].errors) == ["to_body"]
    assert "Til orientering" in response.content.decode()
    response = client.post(
        f"/moter/sak/{gov.public_item.pk}/videresend/",
        {"forward-to_body": gov.partnership.pk, "forward-note": "Til orientering"},
    )
    assert response.status_code == 302
    assert gov.partnership.items.filter(forwarded_from=gov.public_item).exists()


def test_the_whole_year_through_the_web_ends_in_the_public_archive(client, world):
    """Notice, outcomes, draft minutes, approval at the next meeting, and the public archive shows the minutes."""
    gov = world[0]
    client.force_login(gov.sigrid)
    meeting, upcoming = gov.meeting, gov.plan(days=0)  # the next meeting is held today
    for item in meeting.items.filter(outcome=""):
        client.post(
            f"/moter/sak/{item.pk}/utfall/",
            {f"i{item.pk}-outcome": "noted", f"i{item.pk}-conclusion": "Tatt til orientering."},
        )
    assert client.post(f"/moter/mote/{meeting.pk}/referat/lag/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_DRAFTED
    # Sending e-mails every member: the confirmation step posts `confirmed` (issue 15).
    assert client.post(f"/moter/mote/{upcoming.pk}/innkalling/", {"confirmed": "1"}).status_code == 302
    upcoming.refresh_from_db()
    approval = upcoming.items.get(standard="approve_minutes")
    assert approval.approves_minutes_of == meeting
    client.post(
        f"/moter/sak/{approval.pk}/utfall/",
        {f"i{approval.pk}-outcome": "decided", f"i{approval.pk}-conclusion": "Godkjent."},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    client.logout()
    archive = client.get(f"/moter/offentlig/{gov.community.slug}/").content.decode()
    minutes = meeting.documents.get(kind="minutes", is_approved=True)
    assert f"/moter/offentlig/{gov.community.slug}/dokument/{minutes.pk}.pdf" in archive
    page = client.get(f"/moter/offentlig/{gov.community.slug}/mote/{meeting.pk}/").content.decode()
    assert "Digital hjemmeoppfølging" in page and "Tatt til orientering." in page
    assert "Budsjettforhandlinger" not in page and "Budsjettutkast" not in page
    document = client.get(f"/moter/offentlig/{gov.community.slug}/dokument/{minutes.pk}.pdf")
    assert document.status_code == 200 and b"public=True" in document.content


def test_draft_minutes_are_not_in_the_public_archive(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    for item in gov.meeting.items.filter(outcome=""):
        services.item_record_outcome(actor=gov.sigrid, item=item, outcome="noted", conclusion="Notert.")
    draft = services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    client.logout()
    assert client.get(f"/moter/offentlig/{gov.community.slug}/dokument/{draft.pk}.pdf").status_code == 404
    assert "Notert." not in client.get(f"/moter/offentlig/{gov.community.slug}/mote/{gov.meeting.pk}/").content.decode()


def test_the_deviation_report_becomes_an_information_item_with_the_report(client, world):
    gov, upcoming = world[0], world[5]
    client.force_login(gov.sigrid)
    response = client.post(f"/moter/mote/{upcoming.pk}/avviksrapport/", {"report-year": "2025", "report-half": "2"})
    item = upcoming.items.get(kind="information", attachments__isnull=False)
    assert response.status_code == 302 and response["Location"] == f"/moter/sak/{item.pk}/"
    assert item.attachments.get().content_type == "application/pdf"


def test_the_deviation_report_needs_the_half_year(client, world):
    gov, upcoming = world[0], world[5]
    client.force_login(gov.sigrid)
    response = client.post(f"/moter/mote/{upcoming.pk}/avviksrapport/", {"report-year": "2025"})
    assert response.status_code == 400
    assert list(response.context["report_form"].errors) == ["half"]


def test_the_case_number_format_is_a_community_setting(client, world):
    gov = world[0]
    client.force_login(gov.sigrid)
    response = client.post("/moter/innstillinger/", {"case_number_format": "{seq}/{yy}"})
    assert response.status_code == 302
    assert services.settings_for(gov.community).case_number_format == "{seq}/{yy}"
    assert client.post("/moter/innstillinger/", {"case_number_format": "{seq}"}).status_code == 400


def test_the_calendar_downloads_are_icalendar(client, world):
    gov = world[0]
    client.force_login(gov.seats.per.user)
    response = client.get(f"/moter/mote/{gov.meeting.pk}/kalender.ics")
    assert response["Content-Type"].startswith("text/calendar") and response.content.startswith(b"BEGIN:VCALENDAR")
    client.logout()
    feed = client.get(f"/moter/offentlig/{gov.community.slug}/organ/{gov.ssu.pk}/moteplan.ics")
    assert feed["Content-Type"].startswith("text/calendar")


# --- corrections of approved minutes and attachment details ---------------------------------------------------------


@pytest.fixture
def approved(world):
    """World's SSU meeting with every outcome recorded, draft minutes, and the minutes approved (version 2)."""
    gov = world[0]
    for item in gov.meeting.items.filter(outcome=""):
        services.item_record_outcome(actor=gov.sigrid, item=item, outcome=Outcome.NOTED, conclusion="Notert.")
    services.meeting_draft_minutes(actor=gov.sigrid, meeting=gov.meeting)
    approved = services.meeting_approve_minutes(actor=gov.sigrid, meeting=gov.meeting)
    return gov, approved


def _correction(gov, reason: str, conclusion: str) -> dict:
    """The correction form as posted: every item's conclusion as it stands, the public item's changed."""
    data = {f"conclusion_{item.pk}": item.conclusion for item in gov.meeting.items.all()}
    data[f"conclusion_{gov.public_item.pk}"] = conclusion
    return data | {"reason": reason}


def test_it_corrects_approved_minutes_as_a_new_version_and_keeps_the_old(client, approved):
    gov, old = approved
    client.force_login(gov.sigrid)
    page = client.get(f"/moter/mote/{gov.meeting.pk}/referat/rett/").content.decode()
    assert "SSU tar saken til orientering." in page  # prefilled with the conclusion in force
    response = client.post(
        f"/moter/mote/{gov.meeting.pk}/referat/rett/",
        _correction(gov, "Feil i konklusjonen i sak 2", "SSU tar saken til orientering og ber om ny sak i juni."),
    )
    assert response.status_code == 302 and response["Location"].startswith(f"/moter/mote/{gov.meeting.pk}/")
    new = gov.meeting.documents.get(kind="minutes", version=old.version + 1)
    assert new.is_approved and new.reason == "Feil i konklusjonen i sak 2"
    gov.public_item.refresh_from_db()
    assert gov.public_item.conclusion == "SSU tar saken til orientering og ber om ny sak i juni."
    earlier = client.get(f"/moter/dokument/{old.pk}.pdf")
    assert earlier.status_code == 200 and f"v{old.version} ".encode() in earlier.content
    meeting_page = client.get(f"/moter/mote/{gov.meeting.pk}/").content.decode()
    assert "Feil i konklusjonen i sak 2" in meeting_page and str(gov.sigrid) in meeting_page
    for version in (old, new):
        assert (
            f"/moter/dokument/{version.pk}.pdf" in meeting_page and f"/moter/dokument/{version.pk}.docx" in meeting_page
        )


def test_a_correction_without_a_reason_is_an_error_at_the_field_and_keeps_the_conclusions(client, approved):
    gov, old = approved
    client.force_login(gov.sigrid)
    response = client.post(
        f"/moter/mote/{gov.meeting.pk}/referat/rett/",
        _correction(gov, "", "Ny tekst som ikke skal gå tapt."),
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": [REQUIRED_NB]}
    html = response.content.decode()
    assert "Ny tekst som ikke skal gå tapt." in html and 'id="id_reason_error"' in html
    assert gov.meeting.documents.filter(kind="minutes").count() == old.version
    gov.public_item.refresh_from_db()
    assert gov.public_item.conclusion == "SSU tar saken til orientering."


def test_a_correction_that_changes_nothing_is_refused(client, approved):
    gov, old = approved
    client.force_login(gov.sigrid)
    response = client.post(
        f"/moter/mote/{gov.meeting.pk}/referat/rett/",
        _correction(gov, "Ingen endring", "SSU tar saken til orientering."),
    )
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert "Ingen endring" in response.content.decode()  # the reason typed is kept
    assert gov.meeting.documents.filter(kind="minutes").count() == old.version


def test_it_changes_an_attachments_title_and_who_may_read_it(client, world):
    gov, public_file = world[0], world[2]
    client.force_login(gov.sigrid)
    url = f"/moter/vedlegg/{public_file.pk}/rediger/"
    response = client.post(url, {"title": "", "visibility": "internal"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 400
    assert response.context["form"].errors == {"title": [REQUIRED_NB]}
    assert 'value="internal" id="id_visibility_1" checked' in response.content.decode()
    response = client.post(url, {"title": "Brosjyre, revidert", "visibility": "internal"})
    assert response.status_code == 302
    public_file.refresh_from_db()
    assert public_file.title == "Brosjyre, revidert" and public_file.visibility == "internal"
    client.logout()
    assert client.get(f"/moter/offentlig/{gov.community.slug}/vedlegg/{public_file.pk}/").status_code == 404


def test_an_attachment_is_never_offered_more_public_than_its_item(client, world):
    gov, secret_file = world[0], world[3]
    client.force_login(gov.sigrid)
    url = f"/moter/vedlegg/{secret_file.pk}/rediger/"
    form = client.get(url).context["form"]
    assert [value for value, _label in form.fields["visibility"].choices] == ["confidential"]
    response = client.post(url, {"title": "Budsjettutkast", "visibility": "public"})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["visibility"]
    secret_file.refresh_from_db()
    assert secret_file.visibility == "confidential"


def test_it_gives_observers_the_notice_without_confidential_items_and_members_the_whole_notice(world, client):
    gov, notice, *_ = world
    url = reverse("governance:document_download", args=[notice.pk, "pdf"])
    client.force_login(gov.seats.lars.user)  # observer
    assert b"confidential=False" in client.get(url).content
    client.force_login(gov.seats.per.user)  # member
    assert b"public=False confidential=True" in client.get(url).content
    client.force_login(gov.sigrid)
    assert b"public=False confidential=True" in client.get(url).content
