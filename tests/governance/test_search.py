"""Search in agenda items and decisions: by text (full-text with Norwegian stemming on PostgreSQL, a plain
fallback on SQLite), body, year, type and person, never showing what the user may not see."""

from datetime import date, timedelta

import pytest
from django.db import connection

from samhandling.governance import services
from samhandling.governance.models import ItemKind, Outcome
from samhandling.governance.search import search_items, uses_full_text

pytestmark = pytest.mark.usefixtures("fake_documents")

YEAR = (date.today() - timedelta(days=7)).year


@pytest.fixture
def decided(gov):
    """The SSU meeting held, with a decision on the public item."""
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    services.item_record_outcome(
        actor=gov.sigrid,
        item=gov.public_item,
        outcome=Outcome.DECIDED,
        conclusion="SSU stiller seg bak søknaden om midler til velferdsteknologi.",
    )
    gov.public_item.refresh_from_db()
    return gov


def test_it_uses_full_text_search_on_postgresql_only():
    assert uses_full_text() == (connection.vendor == "postgresql")


def test_it_finds_an_item_by_a_word_in_its_decision(decided):
    found = list(search_items(decided.sigrid, text="velferdsteknologi"))
    assert found == [decided.public_item]


def test_it_finds_an_item_by_a_word_in_its_case_paper_and_needs_every_word(decided):
    assert decided.public_item in search_items(decided.sigrid, text="innvilget midler")
    assert list(search_items(decided.sigrid, text="innvilget sjiraff")) == []


def test_it_finds_an_item_by_its_number(decided):
    assert list(search_items(decided.sigrid, text=decided.public_item.number)) == [decided.public_item]


def test_it_finds_inflected_forms_on_postgresql_and_only_the_written_form_on_sqlite(decided):
    # "søknaden" (the application) in the decision: PostgreSQL's norwegian configuration stems "søknader"
    # (applications) to the same word; the plain SQLite fallback matches the text as written.
    found = decided.public_item in search_items(decided.sigrid, text="søknader")
    assert found is (connection.vendor == "postgresql")
    assert decided.public_item in search_items(decided.sigrid, text="søknaden")


def test_it_filters_by_body_year_and_type(decided):
    sigrid = decided.sigrid
    assert decided.public_item in search_items(sigrid, body=decided.ssu, year=YEAR, kind=ItemKind.INFORMATION)
    assert decided.public_item not in search_items(sigrid, body=decided.fsu)
    assert decided.public_item not in search_items(sigrid, year=YEAR - 3)
    assert decided.public_item not in search_items(sigrid, kind=ItemKind.DECISION)
    assert decided.confidential_item in search_items(sigrid, kind=ItemKind.DECISION)


def test_it_filters_by_person_responsible_or_case_officer(decided, demo):
    assert list(search_items(decided.sigrid, person="Guro Eksempel")) == [decided.public_item]
    services.item_update(actor=decided.sigrid, item=decided.confidential_item, case_officer=demo.hilde)
    assert list(search_items(decided.sigrid, person="Strand")) == [decided.confidential_item]


def test_it_never_finds_what_the_user_may_not_see(decided, demo):
    assert decided.confidential_item in search_items(demo.per, text="felles stilling")
    assert list(search_items(demo.lars, text="felles stilling")) == []  # observer
    assert list(search_items(demo.ola, text="hjemmeoppfølging")) == []
    assert list(search_items(demo.kari, text="hjemmeoppfølging")) == []  # FSU member, not SSU


def test_the_public_search_finds_only_public_items_of_published_meetings(gov):
    assert list(search_items(None, text="hjemmeoppfølging", public_only=True)) == []
    services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    assert list(search_items(None, text="hjemmeoppfølging", public_only=True)) == [gov.public_item]
    assert list(search_items(None, text="felles stilling", public_only=True)) == []
