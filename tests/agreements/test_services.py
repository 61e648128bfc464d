"""Cooperation agreements: clauses parsed from the text with every error named, versions that are immutable once
adopted and replaced by the next, the § 6-2 coverage table with gaps, and approval per party."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from samhandling.agreements import selectors, services
from samhandling.agreements.models import AgreementVersion, VersionStatus
from samhandling.core.models import AuditEvent
from samhandling.core.workflow import TransitionError

from .conftest import TEXT_V1

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_clauses_are_read_from_the_numbered_text(ag):
    clauses = list(ag.v1.clauses.values_list("number", "heading", "legal_points"))
    assert clauses == [
        ("1", "Formål", []),
        ("2", "Ansvars- og oppgavefordeling", [1]),
        ("3", "Innleggelse, utskrivning og rehabilitering", [2, 3, 5]),
    ]
    assert services.version_text(ag.v1).startswith("1 Formål\nAvtalen skal")


def test_every_error_in_the_text_is_named_with_its_line():
    with pytest.raises(ValidationError) as error:
        services.parse_clauses("Innledning uten nummer\n1 Formål\n§ 6-2: 4, 14, x\n")
    messages = error.value.message_dict["text"]
    assert len(messages) == 3
    assert any(m.startswith("Linje 1:") for m in messages)


def test_an_adopted_version_is_never_changed_and_the_next_one_replaces_it(ag):
    with pytest.raises(ValidationError):
        services.version_update(actor=ag.sigrid, version=ag.v1, text="1 Endret")
    with pytest.raises(ValidationError) as error:
        services.version_create(actor=ag.sigrid, agreement=ag.overarching, text=TEXT_V1)
    assert "reason" in error.value.message_dict
    v2 = services.version_create(
        actor=ag.sigrid,
        agreement=ag.overarching,
        text=TEXT_V1 + "4 Barn og unge med sammensatte behov\n§ 6-2: 12, 13\n",
        reason="Nye punkter 12 og 13 fra 2022.",
    )
    assert v2.number == 2 and v2.status == VersionStatus.DRAFT
    services.version_move(actor=ag.sigrid, version=v2, to=VersionStatus.HEARING)
    services.version_adopt(actor=ag.sigrid, version=v2, valid_from=date(2024, 1, 1))
    statuses = dict(AgreementVersion.objects.filter(agreement=ag.overarching).values_list("number", "status"))
    assert statuses == {1: VersionStatus.REPLACED, 2: VersionStatus.ADOPTED}
    assert ag.v1.clauses.count() == 3  # the replaced version keeps its text
    assert selectors.diff_lines(ag.v1, v2) == [
        ("+", "4 Barn og unge med sammensatte behov"),
        ("+", "§ 6-2: 12, 13"),
    ]
    assert AuditEvent.objects.filter(action="agreements.version.replaced").exists()
    with pytest.raises(TransitionError):
        services.version_adopt(actor=ag.sigrid, version=v2, valid_from=date(2024, 1, 1))


def test_the_coverage_table_shows_each_point_and_the_gaps(ag, demo):
    agreements = list(selectors.agreements_for(ag.sigrid, ag.community))
    rows = {row.point: row for row in selectors.coverage(agreements)}
    assert len(rows) == 13
    assert [c.number for _a, c in rows[2].clauses] == ["3"]
    assert [a.title for a, _c in rows[9].clauses] == ["Delavtale om IKT"]  # the draft, for the secretariat
    assert not rows[12].covered and not rows[13].covered
    members = {row.point: row for row in selectors.coverage(list(selectors.agreements_for(demo.kari, ag.community)))}
    assert not members[9].covered  # members never read drafts


def test_approvals_per_party_show_who_has_not_approved(ag):
    upload = SimpleUploadedFile("signert.pdf", PDF, content_type="application/pdf")
    services.approval_record(
        actor=ag.sigrid,
        version=ag.v1,
        party=ag.tonsberg,
        approved_by="Kommunestyret",
        approved_on=date(2023, 2, 14),
        upload=upload,
    )
    status = dict(selectors.approval_status(ag.overarching, ag.v1))
    assert status[ag.tonsberg].approved_by == "Kommunestyret" and status[ag.tonsberg].signed_copy
    assert status[ag.hospital] is None and status[ag.larvik] is None
    with pytest.raises(ValidationError) as error:
        services.approval_record(actor=ag.sigrid, version=ag.v1, party=ag.tonsberg, approved_by="", approved_on=None)
    assert set(error.value.message_dict) == {"party", "approved_by", "approved_on"}


def test_a_draft_takes_no_approvals_and_a_disguised_file_is_refused(ag):
    with pytest.raises(TransitionError):
        services.approval_record(
            actor=ag.sigrid, version=ag.draft, party=ag.hospital, approved_by="Styret", approved_on=date(2024, 1, 1)
        )
    fake = SimpleUploadedFile("signert.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.approval_record(
            actor=ag.sigrid,
            version=ag.v1,
            party=ag.hospital,
            approved_by="Styret",
            approved_on=date(2023, 3, 1),
            upload=fake,
        )
    assert "signed_copy" in error.value.message_dict
    assert not ag.v1.approvals.exists()


def test_only_the_secretariat_writes_agreements(ag, demo):
    for persona in ("kari", "hilde", "ola"):
        user = getattr(demo, persona)
        with pytest.raises(PermissionDenied):
            services.version_create(actor=user, agreement=ag.overarching, text=TEXT_V1, reason="x")
        with pytest.raises(PermissionDenied):
            services.agreement_create(actor=user, community=ag.community, kind="sub", title="X", parties=[ag.hospital])


def test_the_demo_agreements_command_runs_twice_and_creates_once(demo):
    import io

    from django.core.management import call_command

    from samhandling.agreements.models import Agreement

    call_command("demo_agreements", stdout=io.StringIO())
    call_command("demo_agreements", stdout=io.StringIO())
    from samhandling.agreements.models import Consultation, ConsultationInput

    consultation = Consultation.objects.get()  # the demo consultation, once
    assert ConsultationInput.objects.filter(question__consultation=consultation).count() == 3
    assert consultation.questions.exclude(response="").count() == 1
    agreements = list(selectors.agreements_for(demo.sigrid, Agreement.objects.first().helsefellesskap))
    assert len(agreements) == 3
    rows = {row.point: row for row in selectors.coverage(agreements)}
    assert all(row.covered for row in rows.values())
    overarching = next(a for a in agreements if a.kind == "overarching")
    missing = [
        party
        for party, approval in selectors.approval_status(overarching, selectors.current_version(overarching))
        if approval is None
    ]
    assert len(missing) == 2  # two municipal councils have not approved yet


def test_the_review_date_reminds_the_secretariat_and_a_revision_goes_to_the_body_queue(ag, demo):
    from datetime import timedelta

    from django.utils import timezone

    from samhandling.agreements.todo import agreements_todo
    from samhandling.governance import services as governance

    assert agreements_todo(ag.sigrid) == []  # the review is more than three months away
    ag.overarching.review_date = timezone.localdate() + timedelta(days=30)
    ag.overarching.save()
    todo = agreements_todo(ag.sigrid)
    assert [t.due for t in todo] == [ag.overarching.review_date] and not todo[0].overdue
    assert agreements_todo(demo.kari) == []
    ssu = governance.body_create(actor=ag.sigrid, community=ag.community, kind="ssu", name="SSU", short_name="SSU")
    with pytest.raises(PermissionDenied):
        services.agreement_start_revision(actor=demo.hilde, agreement=ag.overarching, body=ssu)
    item = services.agreement_start_revision(actor=ag.sigrid, agreement=ag.overarching, body=ssu)
    assert item.body == ssu and item.meeting is None and ag.overarching.title in item.title
    assert AuditEvent.objects.filter(action="agreements.agreement.revision_started").exists()
