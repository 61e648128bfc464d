"""Fixtures for the meeting module: Vestfold's SSU, an FSU and the partnership meeting with members drawn from the
personas, and an SSU meeting with two ordinary items (one public, one confidential) besides the standard items.

`gov` is built through the services, as a secretariat would; `fake_documents` replaces `documents.render()` (the one
way to a PDF, DOCX or ICS) with small stand-ins so service tests stay fast (the document tests use the real ones)."""

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest

from samhandling.core.models import Helsefellesskap, Organisation
from samhandling.governance import documents, services
from samhandling.governance.models import BodyKind, ItemKind, MemberRole, Visibility

PAST = timedelta(days=7)


def _fake_render(calls: list):
    """A stand-in for `documents.render`: small bytes that say what was asked for, each call recorded."""

    def render(
        kind,
        fmt="pdf",
        audience="members",
        *,
        meeting=None,
        body=None,
        seat=None,
        year=None,
        base_url="",
        version=None,
        reason="",
    ):
        if fmt == "ics":
            calls.append(("ics", meeting.pk if meeting else None, {"recipient": seat.pk if seat else None}))
            uid = f"meeting-{meeting.pk}" if meeting else f"body-{body.pk}"
            return f"BEGIN:VCALENDAR\r\nUID:{uid}\r\nEND:VCALENDAR\r\n".encode()
        public, confidential = audience == "public", audience == "members"
        calls.append(
            (
                f"{kind}_{fmt}",
                meeting.pk,
                {"public": public, "confidential": confidential, "version": version, "reason": reason},
            )
        )
        numbers = " ".join(item.number or "-" for item in meeting.items.order_by("position", "pk"))
        variant = f"public={public} confidential={confidential}"
        return f"%PDF-fake {kind}_{fmt} v{version} {variant} status={meeting.status} [{numbers}]".encode()

    return render


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Attachments written by a test go to its own directory, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def fake_documents(monkeypatch):
    """Stand-in for the one entry point `samhandling.governance.documents.render` (each call recorded in
    `fake_documents.calls`); everything else in the documents package stays real."""
    fake = SimpleNamespace(calls=[])
    monkeypatch.setattr(documents, "render", _fake_render(fake.calls))
    return fake


def org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


@pytest.fixture
def gov(demo):
    """Vestfold's bodies and an SSU meeting a week ago (planned, notice not sent) with two ordinary items."""
    community = Helsefellesskap.objects.get(code="VES")
    sigrid = demo.sigrid
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    tonsberg = Organisation.objects.get(reference_key="kommune:3905")
    start = date.today() - timedelta(days=400)
    partnership = services.body_create(
        actor=sigrid,
        community=community,
        kind=BodyKind.PARTNERSHIP_MEETING,
        name="Partnerskapsmøtet",
        short_name="Partnerskapsmøtet",
        meetings_per_year=1,
    )
    ssu = services.body_create(
        actor=sigrid,
        community=community,
        kind=BodyKind.SSU,
        name="Strategisk samarbeidsutvalg",
        short_name="SSU",
        parent=partnership,
        may_forward_to=[partnership],
        meetings_per_year=5,
    )
    fsu = services.body_create(
        actor=sigrid,
        community=community,
        kind=BodyKind.FSU,
        name="Faglig samarbeidsutvalg for kvalitet og tjenesteutvikling",
        short_name="FSU-KT",
        topic="Kvalitet og tjenesteutvikling",
        parent=ssu,
        may_forward_to=[ssu],
        meetings_per_year=6,
    )
    seats = SimpleNamespace(
        hilde=services.member_add(
            actor=sigrid, body=ssu, role=MemberRole.LEADER, user=demo.hilde, organisation=hospital, valid_from=start
        ),
        per=services.member_add(
            actor=sigrid, body=ssu, role=MemberRole.MEMBER, user=demo.per, organisation=hospital, valid_from=start
        ),
        ingrid=services.member_add(
            actor=sigrid, body=ssu, role=MemberRole.DEPUTY, user=demo.ingrid, organisation=tonsberg, valid_from=start
        ),
        lars=services.member_add(
            actor=sigrid,
            body=ssu,
            role=MemberRole.OBSERVER,
            user=demo.lars,
            represents_text="Fastlegene (praksiskonsulent)",
            valid_from=start,
        ),
        randi=services.member_add(
            actor=sigrid,
            body=ssu,
            role=MemberRole.MEMBER,
            name="Randi Brekke",
            email="randi.brekke@example.invalid",
            represents_text="Brukerutvalget",
            valid_from=start,
        ),
        kari=services.member_add(
            actor=sigrid, body=fsu, role=MemberRole.MEMBER, user=demo.kari, organisation=tonsberg, valid_from=start
        ),
    )

    def plan(body=ssu, days: int = -7, **kwargs):
        return services.meeting_plan(
            actor=sigrid,
            body=body,
            date=date.today() + timedelta(days=days),
            start_time=time(13, 30),
            end_time=time(15, 30),
            place="Nøtterøy kulturhus, Lillesalen",
            **kwargs,
        )

    meeting = plan()
    public_item = services.item_create(
        actor=sigrid,
        body=ssu,
        meeting=meeting,
        title="Digital hjemmeoppfølging",
        kind=ItemKind.INFORMATION,
        description="Status for spredning og implementering av digital hjemmeoppfølging.",
        background="Kommunene har fått innvilget midler til spredning av digital hjemmeoppfølging.",
        proposed_conclusion="Saken tas til orientering.",
        responsibles=[{"name": "Guro Eksempel", "organisation_name": "Larvik kommune"}],
    )
    confidential_item = services.item_create(
        actor=sigrid,
        body=ssu,
        meeting=meeting,
        title="Budsjettforhandlinger om felles stilling",
        kind=ItemKind.DECISION,
        visibility=Visibility.CONFIDENTIAL,
        proposed_decision="SSU går inn for en felles stilling.",
    )
    return SimpleNamespace(
        community=community,
        partnership=partnership,
        ssu=ssu,
        fsu=fsu,
        seats=seats,
        meeting=meeting,
        public_item=public_item,
        confidential_item=confidential_item,
        plan=plan,
        sigrid=sigrid,
    )
