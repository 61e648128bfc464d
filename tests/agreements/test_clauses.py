"""Deviations refer to agreement clauses: the report form offers the clauses in force, the service refuses any other,
the statistics and the half-year report count per clause (small numbers hidden where the rule says), and the
agreement page shows how often each clause was reported broken, with a link to the inbox filtered by the clause."""

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from samhandling.agreements import selectors
from samhandling.agreements import services as agreements
from samhandling.core import clauses
from samhandling.core.models import Helsefellesskap
from samhandling.deviations import reports, services
from samhandling.deviations import selectors as deviation_selectors
from samhandling.deviations.models import Deviation, Status
from tests.deviations.conftest import report_data, units, vestfold  # noqa: F401  (the deviation fixtures)

from .conftest import TEXT_V1

TITLE = "Overordnet samarbeidsavtale"
REFERENCES = itertools.count(8000)


def _clause(version, number: str):
    return version.clauses.get(number=number)


def _copies(case: Deviation, count: int, *, clause=None, free_text: str = "", sent: datetime | None = None):
    """`count` copies of a sent case naming `clause` (or only the free text), sent at `sent`."""
    case = Deviation.objects.get(pk=case.pk)  # the caller's object stays the original
    for _number in range(count):
        case.pk = None
        case.reference = f"VES-2026-{next(REFERENCES):05d}"
        case.clause = clause
        case.agreement_clause = free_text
        case.submitted_at = sent or case.submitted_at
        case.save()


@pytest.fixture
def sent(demo, ag, report_data):  # noqa: F811
    """kari's deviation against clause 3 of the adopted version 1, sent."""
    case = services.deviation_save_draft(
        actor=demo.kari, data=report_data(clause=_clause(ag.v1, "3").pk, agreement_clause="")
    )
    return services.deviation_send(actor=demo.kari, case=case)


# --- the form and the service --------------------------------------------------------------------------------------


def test_the_report_form_offers_the_clauses_in_force_grouped_by_agreement(client, demo, ag):
    client.force_login(demo.kari)
    html = client.get("/avvik/ny/").content.decode()
    assert f'<optgroup label="{TITLE}">' in html
    assert f"{TITLE}, punkt 3 – Innleggelse, utskrivning og rehabilitering" in html
    assert "Ikke i listen / annet" in html
    assert "IKT-samarbeid" not in html  # a draft's clause is never offered
    assert "Annen avtale eller annet punkt (hvis det ikke er i listen)" in html


def test_the_form_offers_the_free_text_alone_when_no_agreement_is_in_force(client, demo, vestfold):  # noqa: F811
    client.force_login(demo.kari)
    html = client.get("/avvik/ny/").content.decode()
    assert "<optgroup" not in html.split('name="receiver"')[1].split("</select>")[1]
    assert 'name="clause"' not in html
    assert 'name="agreement_clause"' in html


def test_a_deviation_names_a_clause_in_force(sent, ag):
    assert sent.clause == _clause(ag.v1, "3")
    assert sent.clause.deviations.get() == sent


def test_a_clause_of_a_draft_is_refused_at_the_field(demo, ag, report_data):  # noqa: F811
    draft_clause = ag.draft.clauses.get()
    with pytest.raises(ValidationError) as refused, translation.override("nb"):
        services.deviation_save_draft(actor=demo.kari, data=report_data(clause=draft_clause.pk))
    assert refused.value.message_dict["clause"] == [
        "Velg et punkt i en avtale som gjelder i helsefellesskapet avviket hører til."
    ]


def test_a_clause_of_another_community_is_refused(demo, ag, report_data):  # noqa: F811
    from samhandling.core.models import User
    from samhandling.core.permissions import community_organisations

    root = User.objects.create_superuser("root", "root@samhandling.test", "x")
    other = Helsefellesskap.objects.exclude(pk=ag.community.pk).order_by("code").first()
    party = community_organisations(other).filter(parent__isnull=True).first()
    foreign = agreements.agreement_create(actor=root, community=other, kind="sub", title="Nord", parties=[party])
    version = agreements.version_create(actor=root, agreement=foreign, text="1 Utskrivning\nTekst.")
    agreements.version_adopt(actor=root, version=version, valid_from=date(2024, 1, 1))
    with pytest.raises(ValidationError) as refused:
        services.deviation_save_draft(actor=demo.kari, data=report_data(clause=version.clauses.get().pk))
    assert "clause" in refused.value.message_dict


def test_a_tampered_clause_in_the_form_is_refused_at_the_field(client, demo, ag):
    client.force_login(demo.kari)
    response = client.post("/avvik/ny/", {"clause": str(ag.draft.clauses.get().pk)})
    assert "clause" in response.context["form"].errors


def test_a_draft_keeps_its_clause_after_the_version_is_replaced_but_a_new_report_cannot_choose_it(
    demo,
    ag,
    report_data,  # noqa: F811
):
    old_clause = _clause(ag.v1, "3")
    draft = services.deviation_save_draft(actor=demo.kari, data=report_data(clause=old_clause.pk))
    v2 = agreements.version_create(actor=ag.sigrid, agreement=ag.overarching, text=TEXT_V1, reason="Ny versjon.")
    agreements.version_adopt(actor=ag.sigrid, version=v2, valid_from=date(2025, 1, 1))
    kept = services.deviation_save_draft(actor=demo.kari, case=draft, data=report_data(clause=old_clause.pk))
    assert kept.clause_id == old_clause.pk
    with pytest.raises(ValidationError):
        services.deviation_save_draft(actor=demo.kari, data=report_data(clause=old_clause.pk))
    assert _clause(v2, "3").pk in {ref.pk for ref in clauses.clauses_for(ag.community)}


def test_a_clause_named_by_a_deviation_cannot_be_deleted(sent):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        sent.clause.delete()


def test_the_case_page_names_the_clause(client, demo, sent):
    client.force_login(demo.per)
    html = client.get(f"/avvik/{sent.pk}/").content.decode()
    assert f"{TITLE}, punkt 3 – Innleggelse, utskrivning og rehabilitering" in html


# --- counts per clause ----------------------------------------------------------------------------------------------


def test_the_agreement_page_counts_per_clause_and_hides_small_numbers(client, demo, ag, sent):
    clause_2, clause_3 = _clause(ag.v1, "2"), _clause(ag.v1, "3")
    long_ago = timezone.now() - timedelta(days=500)
    _copies(sent, 5, clause=clause_2)  # 5 in the last 12 months
    _copies(sent, 2, clause=clause_2, sent=long_ago)  # and 2 before: 7 in total
    _copies(sent, 2, clause=clause_3)  # 3 in all (with kari's)
    withdrawn = Deviation.objects.filter(clause=clause_3).first()
    _copies(withdrawn, 4, clause=clause_3)
    Deviation.objects.filter(pk__in=Deviation.objects.filter(clause=clause_3).order_by("-pk")[:4]).update(
        status=Status.WITHDRAWN
    )  # left out, as in the statistics
    rows = {row.clause.number: row for row in selectors.clause_reports(ag.v1)}
    assert (rows["2"].recent, rows["2"].total) == (5, 7)
    assert (rows["2"].recent_shown, rows["2"].total_shown) == ("5", "7")
    assert (rows["3"].recent, rows["3"].total) == (3, 3)
    assert (rows["3"].recent_shown, rows["3"].total_shown) == ("<5", "<5")
    assert (rows["1"].recent_shown, rows["1"].total_shown) == ("0", "0")

    client.force_login(demo.ingrid)  # a member who sees no inbox
    html = client.get(f"/avtaler/{ag.overarching.pk}/").content.decode()
    assert "Avvik meldt mot punktene i versjon 1" in html
    assert "&lt;5" in html
    assert "clause=" not in html
    client.force_login(demo.per)  # the hospital's contact point: a link to the inbox filtered by the clause
    html = client.get(f"/avtaler/versjon/{ag.v1.pk}/").content.decode()
    assert f"/avvik/innboks/?status=&amp;clause={clause_2.pk}" in html


def test_the_inbox_filters_by_clause(client, demo, ag, sent):
    clause_2 = _clause(ag.v1, "2")
    _copies(sent, 1, clause=clause_2)
    other = Deviation.objects.filter(clause=clause_2).get()
    client.force_login(demo.per)
    html = client.get(f"/avvik/innboks/?status=&clause={clause_2.pk}").content.decode()
    assert other.reference in html and sent.reference not in html
    html = client.get("/avvik/innboks/?status=").content.decode()
    assert other.reference in html and sent.reference in html


def test_the_statistics_count_per_clause_with_a_row_for_free_text(client, demo, ag, sent):
    _copies(sent, 2, free_text="Tjenesteavtale 5")
    _copies(sent, 1)  # neither a clause nor a free text
    stats = deviation_selectors.statistics(ag.community, date(2000, 1, 1), timezone.localdate())
    counts = {deviation_selectors.clause_key(row): row["count"] for row in stats.by_clause}
    assert counts == {_clause(ag.v1, "3").pk: 1, deviation_selectors.FREE_TEXT: 2, deviation_selectors.NO_CLAUSE: 1}
    client.force_login(demo.sigrid)
    html = client.get("/avvik/statistikk/?start=2000-01-01&end=" + timezone.localdate().isoformat()).content.decode()
    section = html.split('id="clause-heading"')[1].split("</section>")[0]
    assert TITLE in section and "punkt 3 – Innleggelse" in section
    assert "Et annet punkt, skrevet som fritekst" in section
    assert "Tjenesteavtale 5" not in section  # the free text itself is never shown in statistics


def _half_year_cases(sent, ag):
    """In the first half of 2025: 6 against clause 3, 2 against clause 2, 1 with a free text only."""
    day = timezone.make_aware(datetime(2025, 3, 10, 10))
    _copies(sent, 5, clause=_clause(ag.v1, "3"), sent=day)
    Deviation.objects.filter(pk=sent.pk).update(submitted_at=day)
    _copies(sent, 2, clause=_clause(ag.v1, "2"), sent=day)
    _copies(sent, 1, free_text="Tjenesteavtale 5", sent=day)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_half_year_report_has_a_section_per_clause(ag, sent, fmt):
    from tests.deviations.test_reports import _docx_xml, _pdf_text

    _half_year_cases(sent, ag)
    with translation.override("nb"):
        report = reports.build_report(ag.community, "half_year", 2025, 1, "published")
    table = next(t for t in report.tables if t.key == "clause")
    cells = {row.labels[1]: str(row.cells[0]) for row in table.rows}
    assert cells[f"{TITLE}, punkt 3 – Innleggelse, utskrivning og rehabilitering"] == "6"
    assert cells[f"{TITLE}, punkt 2 – Ansvars- og oppgavefordeling"] == "<5"
    assert cells["Et annet punkt, skrevet som fritekst"] in ("<5", "skjult")

    _name, content, _type = reports.generate_report(ag.community, "half_year", 2025, 1, "published", fmt, language="nb")
    text = _docx_xml(content) if fmt == "docx" else _pdf_text(content, ag.community, version="published")
    assert "Avvik per avtalepunkt" in text
    assert "punkt 3 – Innleggelse" in " ".join(text.split())
    assert "Tjenesteavtale 5" not in text


# --- the approval reminder -----------------------------------------------------------------------------------------


@pytest.fixture
def seats(gov, ag):
    """The SSU seats of the gov fixture: hilde and per for the hospital, ingrid for Tønsberg; Larvik has none."""
    return gov


def test_the_reminder_run_twice_reminds_once(django_capture_on_commit_callbacks, ag, seats, demo):
    from django.core import mail

    from samhandling.core.models import AuditEvent

    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        made = agreements.approval_remind(actor=ag.sigrid, version=ag.v1, base_url="https://samhandling.test/")
    assert sorted(r.party.name for r in made) == sorted([ag.hospital.name, ag.tonsberg.name, ag.larvik.name])
    first = {m.to[0] for m in mail.outbox}
    assert {demo.hilde.email, demo.per.email, demo.ingrid.email} <= first
    assert all("/avtaler/versjon/" in m.body for m in mail.outbox)
    sent_once = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = agreements.approval_remind(actor=ag.sigrid, version=ag.v1, base_url="https://samhandling.test/")
    assert again == []
    assert len(mail.outbox) == sent_once
    assert AuditEvent.objects.filter(action="agreements.approval.reminded").count() == 3
    # the task run again (a dead worker's) sends nothing twice
    assert agreements.send_approval_reminder(reminder_id=made[0].pk, base_url="") == 0


def test_a_party_that_has_approved_is_not_reminded(ag, seats):
    agreements.approval_record(
        actor=ag.sigrid, version=ag.v1, party=ag.hospital, approved_by="Styret", approved_on=date(2023, 2, 1)
    )
    made = agreements.approval_remind(actor=ag.sigrid, version=ag.v1)
    assert ag.hospital.pk not in {r.party_id for r in made}


def test_only_the_secretariat_reminds_and_only_an_adopted_version(ag, demo):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        agreements.approval_remind(actor=demo.per, version=ag.v1)
    with pytest.raises(ValidationError):
        agreements.approval_remind(actor=ag.sigrid, version=ag.draft)


def test_the_overview_shows_who_was_reminded_and_the_contact_sees_it_in_mine_oppgaver(client, ag, seats, demo):
    from samhandling.core.todo import todo_for

    client.force_login(ag.sigrid)
    response = client.post(f"/avtaler/versjon/{ag.v1.pk}/paminn/", {"back": "agreement"})
    assert response.status_code == 302 and response["Location"] == f"/avtaler/{ag.overarching.pk}/"
    html = client.get(f"/avtaler/{ag.overarching.pk}/").content.decode()
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert html.count(f"påminnet {today}") == 3
    titles = [str(item.title) for item in todo_for(demo.ingrid)]
    assert any("Overordnet samarbeidsavtale" in title and ag.tonsberg.name in title for title in titles)
    assert not [t for t in todo_for(demo.turid) if "Overordnet" in str(t.title)]


ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "lars", "per", "hilde", "turid", "sigrid", "anders", "tove", "ola", ANON]


@pytest.mark.parametrize("persona", PERSONAS)
def test_approval_remind_permission_matrix(client, demo, ag, persona):
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    response = client.post(f"/avtaler/versjon/{ag.v1.pk}/paminn/")
    if persona == ANON:
        assert response.status_code == 302 and response["Location"].startswith("/konto/logg-inn/")
    elif persona in {"sigrid", "tove"}:
        assert response.status_code == 302 and response["Location"] == f"/avtaler/versjon/{ag.v1.pk}/"
    elif persona == "ola":
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    assert client.get(f"/avtaler/versjon/{ag.v1.pk}/paminn/").status_code == (302 if persona == ANON else 405)
