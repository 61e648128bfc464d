"""The national deviation statistics: the numbers of a small hand-built data set, small counts hidden (never as zero)
in every cell of the page and the CSV, no line of a table that gives a hidden count away, a fixed number of queries
whatever the number of communities, and who may see the page."""

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from samhandling.core.selectors import population_by_community
from samhandling.deviations import national
from samhandling.deviations.models import Deviation, Status
from samhandling.deviations.reports.structure import COUNT

from .nationaldata import YEAR, community, demo_places, make_cases, small_world, vestfold_cases

URL = "/styringsinformasjon/nasjonalt/avvik/"
CSV_URL = "/styringsinformasjon/nasjonalt/avvik.csv"


@pytest.fixture
def places(demo):
    return demo_places()


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def cells_by_label(table, label: str) -> dict[str, object]:
    row = table.total if label == "country" else next(r for r in table.rows if r.labels[0] == label)
    return dict(zip(table.value_headers, row.cells, strict=True))


def test_the_numbers_match_a_hand_built_data_set(demo, places):
    vestfold, nordland = community("VES"), community("NOR")
    make_cases(vestfold, places, vestfold_cases())
    make_cases(nordland, places, [{"category": "EPI"}] * 6)
    make_cases(nordland, places, [{"category": "EPI", "status": Status.DUPLICATE}] * 3)  # left out
    with translation.override("nb"):
        stats = national.national_deviations(YEAR, "year")
    key = cells_by_label(stats.key_figures, vestfold.name)
    values = [cell.value for cell in key.values()]
    population = population_by_community()[vestfold.pk][stats.population_year]
    assert values[0] == 12 and values[2] == 10
    assert values[1] == pytest.approx(12 * 10_000 / population)
    assert values[3] == pytest.approx(10 / 12) and values[4] == pytest.approx(8 / 10)
    assert values[5] == 5.5 and values[6] == 8  # median and 80th percentile of 1 … 10
    north = [cell.value for cell in cells_by_label(stats.key_figures, nordland.name).values()]
    assert north[0] == 6 and north[2] == 0 and north[3] == 0
    assert north[4] is None and north[5] is None  # nothing answered: no share of the answered, no median
    country = [cell.value for cell in cells_by_label(stats.key_figures, "country").values()]
    assert country[0] == 18 and country[2] == 10
    # Per 10,000 inhabitants of the two communities that record deviations here, not of all 19.
    people = population_by_community()
    both = sum(people.get(c.pk, {}).get(stats.population_year, 0) for c in (vestfold, nordland))
    assert country[1] == pytest.approx(18 * 10_000 / both)

    category, direction, harm = stats.tables
    by_code = {h.split(" – ")[0]: c.value for h, c in cells_by_label(category, vestfold.name).items()}
    assert by_code["EPI"] == 7 and by_code["LM"] == 5 and by_code["INN"] == 0 and by_code["Totalt"] == 12
    assert cells_by_label(category, "country")[category.value_headers[-1]].value == 18
    by_direction = {h: c.value for h, c in cells_by_label(direction, vestfold.name).items()}
    assert by_direction == {"Kommune → Helseforetak": 7, "Helseforetak → Kommune": 5, "Totalt": 12}
    by_harm = {h: c.value for h, c in cells_by_label(harm, "country").items()}
    assert by_harm["Ingen skade"] == 12 and by_harm["Lav"] == 6 and by_harm["Totalt"] == 18

    # A community without a single deviation in Samhandling has no numbers at all, not zeros.
    assert [row.community for row in stats.communities if row.in_use] == [nordland, vestfold]
    bergen = cells_by_label(stats.key_figures, "Helsefellesskap Bergen")
    assert all(cell.value is None and not cell.hidden for cell in bergen.values())


def test_the_half_years_split_the_year(demo, places):
    vestfold = community("VES")
    make_cases(vestfold, places, [{"month": 3}] * 6 + [{"month": 9}] * 7)
    first, second = national.national_deviations(YEAR, "1"), national.national_deviations(YEAR, "2")
    assert cells_by_label(first.key_figures, vestfold.name)[first.key_figures.value_headers[0]].value == 6
    assert cells_by_label(second.key_figures, vestfold.name)[second.key_figures.value_headers[0]].value == 7
    assert (first.start, first.end, second.start, second.end) == (
        date(YEAR, 1, 1),
        date(YEAR, 6, 30),
        date(YEAR, 7, 1),
        date(YEAR, 12, 31),
    )


def test_the_percentile_is_the_nearest_rank():
    assert national.percentile_of(dict.fromkeys(range(1, 11), 1), 0.8) == 8
    assert national.percentile_of({0: 4, 9: 1}, 0.8) == 0
    assert national.percentile_of({0: 3, 9: 2}, 0.8) == 9
    assert national.percentile_of({}, 0.8) is None


# --- suppression --------------------------------------------------------------------------------------------------


def test_every_count_is_zero_or_five_and_more_and_no_line_gives_a_hidden_one_away(demo, places):
    small_world(places)
    stats = national.national_deviations(YEAR, "year")
    count_columns = {0, 2}  # the key figures' counts: deviations and answered
    seen_hidden = 0
    for table in stats.all_tables():
        rows = [*table.rows, table.total]
        for row in rows:
            for index, cell in enumerate(row.cells):
                is_count = table.key != "key_figures" or index in count_columns
                if cell.hidden:
                    seen_hidden += 1
                    assert cell.value is None, (table.key, row.labels, index)
                elif is_count and cell.value is not None:
                    assert cell.kind == COUNT and not 1 <= cell.value <= 4, (table.key, row.labels, index)
        if table.key == "key_figures":
            continue
        for row in rows:  # a community's row adds up to its total (the last column)
            assert sum(1 for cell in row.cells if cell.hidden) != 1, (table.key, row.labels)
        for index in range(len(table.value_headers)):  # a column adds up to the country's
            assert sum(1 for row in rows if row.cells[index].hidden) != 1, (table.key, index)
    assert seen_hidden >= 6
    totals = [row.cells[0] for row in [*stats.key_figures.rows, stats.key_figures.total]]
    assert sum(1 for cell in totals if cell.hidden) != 1


def test_a_share_or_a_rate_never_gives_a_hidden_count_away(demo, places):
    _vestfold, nordland, _oslo = small_world(places)
    stats = national.national_deviations(YEAR, "year")
    north = list(cells_by_label(stats.key_figures, nordland.name).values())
    assert north[0].hidden == "small" and str(north[0]) == "<5"
    # Per 10,000 inhabitants, the shares and the medians of 3 cases: all hidden.
    assert all(cell.hidden and cell.value is None for cell in north[1:])


class _Cells(HTMLParser):
    """The text of every table cell on a page, table by table (caption id) and row by row."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.table = self.row = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self.table = dict(attrs).get("id")
            self.tables[self.table] = []
        elif tag == "tr" and self.table:
            self.row = []
            self.tables[self.table].append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


SMALL = re.compile(r"^\s*[1-4]\s*$")


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_page_and_the_csv_show_no_small_count_and_no_hidden_zero(client, demo, places, language):
    small_world(places)
    client.force_login(demo.sigrid)
    client.cookies.load({"django_language": language})
    response = client.get(URL, {"aar": YEAR, "periode": "year"})
    assert response.status_code == 200
    html = response.content.decode()
    parser = _Cells()
    parser.feed(html)
    assert set(parser.tables) == {"key_figures-caption", "category-caption", "direction-caption", "harm-caption"}
    hidden_words = {"<5", "skjult"}  # "skjult" in both bokmål and nynorsk
    markers = re.findall(r'<span class="hidden-value">([^<]*(?:<5)?)</span>', html.replace("&lt;", "<"))
    assert markers and set(markers) <= hidden_words
    for caption, rows in parser.tables.items():
        for row in rows[1:]:  # the header row holds no numbers
            values = row[1:] if caption != "key_figures-caption" else [row[1], row[3]]
            for text in values:
                assert not SMALL.match(text), f"{caption} {row}"

    data = client.get(CSV_URL, {"aar": YEAR, "periode": "year"}).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(data)))
    assert len(lines) > 1 + 19 * 4
    hidden_rows = [line for line in lines[1:] if line[5]]
    assert hidden_rows and all(line[4] == "" and line[5] in hidden_words for line in hidden_rows)
    for line in lines[1:]:
        is_share_or_days = "(%)" in line[3] or "virke" in line[3] or "10 000" in line[3] or "10\xa0000" in line[3]
        if not is_share_or_days:
            assert not SMALL.match(line[4]), line
    # No reference, no text and no unit below the type of organisation anywhere.
    for text in (html, data):
        assert "VES-2025" not in text and "Ikke med i statistikken" not in text and "Medisinsk klinikk" not in text


def test_the_query_count_does_not_grow_with_the_number_of_communities(demo, places):
    vestfold = community("VES")
    make_cases(vestfold, places, vestfold_cases())
    with CaptureQueriesContext(connection) as one:
        national.national_deviations(YEAR, "year")
    cache.clear()
    for code in ("NOR", "OSL", "BER", "AHU", "FIN"):
        make_cases(community(code), places, vestfold_cases())
    with CaptureQueriesContext(connection) as six:
        stats = national.national_deviations(YEAR, "year")
    assert len(stats.communities_in_use) == 6
    assert len(six.captured_queries) == len(one.captured_queries) <= 8
    with CaptureQueriesContext(connection) as cached:
        national.national_deviations(YEAR, "year")
    assert len(cached.captured_queries) == 1  # only the change stamp


def test_a_change_to_any_case_refreshes_the_cached_figures(demo, places):
    vestfold = community("VES")
    make_cases(vestfold, places, vestfold_cases())
    before = national.national_deviations(YEAR, "year")
    case = Deviation.objects.filter(helsefellesskap=vestfold).first()
    Deviation.objects.filter(pk=case.pk).update(status=Status.DUPLICATE, updated_at=timezone.now())
    after = national.national_deviations(YEAR, "year")
    assert before.key_figures.total.cells[0].value == 12 and after.key_figures.total.cells[0].value == 11


# --- the page -----------------------------------------------------------------------------------------------------

ALLOWED = {"sigrid", "tove", "anders"}


@pytest.mark.parametrize(
    "persona", ["kari", "ingrid", "lars", "per", "hilde", "turid", "sigrid", "anders", "tove", "ola"]
)
def test_only_analysts_and_secretariats_see_the_national_deviation_statistics(client, demo, persona):
    client.force_login(getattr(demo, persona))
    want = 200 if persona in ALLOWED else 403
    assert client.get(URL).status_code == want
    assert client.get(CSV_URL).status_code == want
    national_page = client.get("/styringsinformasjon/nasjonalt/").content.decode()
    assert (URL in national_page) == (persona in ALLOWED)


def test_anonymous_is_sent_to_log_in_and_there_is_no_public_page(client, demo):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/konto/logg-inn/")
    assert client.get("/styringsinformasjon/offentlig/nasjonalt/avvik/").status_code == 404
    assert URL not in client.get("/styringsinformasjon/offentlig/nasjonalt/").content.decode()


def test_a_bad_period_is_told_at_its_field_and_the_default_is_shown(client, demo):
    client.force_login(demo.sigrid)
    response = client.get(URL, {"aar": "1999", "periode": "3"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"aar", "periode"}
    today = timezone.localdate()
    assert response.context["stats"].year == (today.year if today.month > 6 else today.year - 1)


def test_the_csv_has_the_same_hidden_cells_as_the_page(client, demo, places):
    small_world(places)
    client.force_login(demo.anders)
    with translation.override("nb"):
        stats = national.national_deviations(YEAR, "year")
    hidden_on_page = sum(
        1 for table in stats.all_tables() for r in [*table.rows, table.total] for c in r.cells if c.hidden
    )
    data = client.get(CSV_URL, {"aar": YEAR, "periode": "year"}).content.decode("utf-8-sig")
    hidden_in_csv = [line for line in csv.reader(io.StringIO(data)) if len(line) == 6 and line[5]][1:]
    assert len(hidden_in_csv) == hidden_on_page
