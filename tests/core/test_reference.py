"""The reference data loader: the real files load completely, a second run changes nothing, and a malformed file
is refused with the file, row and column named while nothing at all is written."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from samhandling.core.models import (
    AuditEvent,
    CatchmentArea,
    Helsefellesskap,
    MunicipalityCodeChange,
    Organisation,
    OrganisationType,
    PopulationCount,
)
from samhandling.core.reference import ReferenceDataError, load


def _replace_cell(path, row: int, column: str, value: str) -> None:
    """Overwrite one cell of a CSV file; row counts lines with the header as row 1."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def broken_dir(small_reference_dir, tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(small_reference_dir, target)
    return target


def _counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Helsefellesskap.objects.count(),
        PopulationCount.objects.count(),
        int(PopulationCount.objects.aggregate(total=Sum("count"))["total"] or 0),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_it_loads_the_whole_country_and_a_second_run_changes_nothing():
    first = load()
    assert Organisation.objects.filter(type=OrganisationType.KOMMUNE).count() == 357
    assert Organisation.objects.filter(type=OrganisationType.BYDEL).count() == 42
    assert Helsefellesskap.objects.count() == 19
    assert Organisation.objects.filter(type=OrganisationType.RHF).count() == 4
    national = {
        row["year"]: row["total"]
        for row in PopulationCount.objects.filter(area__type=OrganisationType.KOMMUNE)
        .values("year")
        .annotate(total=Sum("count"))
    }
    assert national == {2024: 5_550_203, 2025: 5_594_340, 2026: 5_627_400}
    assert MunicipalityCodeChange.objects.count() == 357
    assert CatchmentArea.objects.count() == 374 * 3
    assert first.changes > 200_000  # the test database already holds a small slice

    counts_before = (Organisation.objects.count(), PopulationCount.objects.count(), AuditEvent.objects.count())
    second = load()
    assert second.changes == 0
    assert (Organisation.objects.count(), PopulationCount.objects.count(), AuditEvent.objects.count()) == counts_before


@pytest.mark.django_db
def test_every_municipality_belongs_to_exactly_one_community_and_oslo_has_its_four_hospitals():
    load()
    municipalities = Organisation.objects.filter(type=OrganisationType.KOMMUNE)
    for municipality in municipalities:
        assert municipality.helsefellesskap.count() == 1, municipality.name
    oslo = Helsefellesskap.objects.get(code="OSL")
    hospitals = set(oslo.members.exclude(type=OrganisationType.KOMMUNE).values_list("short_name", flat=True))
    assert hospitals == {"OUS", "Lovisenberg", "Diakonhjemmet", "Ahus"}
    vestfold = Helsefellesskap.objects.get(code="VES")
    assert vestfold.regional_health_authority.name == "Helse Sør-Øst RHF"
    assert vestfold.members.filter(type=OrganisationType.KOMMUNE).count() == 6
    assert vestfold.secretariat.type == OrganisationType.SECRETARIAT


def test_it_refuses_a_malformed_cell_naming_file_row_and_column(demo, broken_dir):
    before = _counts()
    _replace_cell(broken_dir / "befolkning_kommune_kjonn_alder_2024_2026.csv", 17, "antall", "mange")
    with pytest.raises(ReferenceDataError) as error:
        load(broken_dir)
    assert error.value.file == "befolkning_kommune_kjonn_alder_2024_2026.csv"
    assert error.value.row == 17
    assert error.value.column == "antall"
    assert "mange" in str(error.value)
    assert _counts() == before


def test_it_refuses_a_population_row_for_an_unknown_municipality(demo, broken_dir):
    before = _counts()
    _replace_cell(broken_dir / "befolkning_kommune_kjonn_alder_2024_2026.csv", 5, "kommunenummer", "9999")
    with pytest.raises(ReferenceDataError, match=r'row 5, column "kommunenummer": unknown value'):
        load(broken_dir)
    assert _counts() == before


def test_it_refuses_a_file_without_a_required_column(db, broken_dir):
    path = broken_dir / "sentralitet_2024.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("sentralitetsklasse", "klasse", 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r'sentralitet_2024\.csv, row 1, column "sentralitetsklasse"'):
        load(broken_dir)


def test_a_failure_late_in_the_load_leaves_an_earlier_load_untouched(demo, broken_dir):
    before = _counts()
    _replace_cell(broken_dir / "kommune_kodeendring_2023_til_2024.csv", 3, "weighting", "2.5")
    _replace_cell(broken_dir / "befolkning_kommune_kjonn_alder_2024_2026.csv", 2, "antall", "1")
    with pytest.raises(ReferenceDataError, match=r"kommune_kodeendring_2023_til_2024\.csv, row 3"):
        load(broken_dir)
    assert _counts() == before


def test_a_changed_count_is_updated_in_place(demo, broken_dir):
    _replace_cell(broken_dir / "befolkning_kommune_kjonn_alder_2024_2026.csv", 2, "antall", "12345")
    summary = load(broken_dir)
    assert summary.updated["population count"] == 1
    assert summary.changes == 1


def test_the_command_reports_a_refusal_and_a_second_run(demo, broken_dir, small_reference_dir):
    _replace_cell(broken_dir / "kommuner_2024.csv", 3, "kommunenummer", "12a4")
    with pytest.raises(CommandError, match=r'kommuner_2024.csv, row 3, column "kommunenummer"'):
        call_command("load_reference_data", directory=broken_dir, stdout=StringIO())
    out = StringIO()
    call_command("load_reference_data", directory=small_reference_dir, stdout=out)
    call_command("load_reference_data", directory=small_reference_dir, stdout=out)
    assert "nothing changed" in out.getvalue()


# --- community slugs (issue 15) ----------------------------------------------------------------------------------


def test_community_slugs_keep_norwegian_letters_readable(reference):
    from samhandling.core.models import community_slug

    assert community_slug("Førde") == "forde"
    assert community_slug("Østfold") == "ostfold"
    assert community_slug("Møre og Romsdal") == "more-og-romsdal"
    assert community_slug("Sørlandet") == "sorlandet"
    assert community_slug("Nord-Trøndelag") == "nord-trondelag"
    assert community_slug("Æ Å") == "ae-a"
    slugs = set(Helsefellesskap.objects.values_list("slug", flat=True))
    assert {"forde", "ostfold", "more-og-romsdal", "sorlandet", "nord-trondelag"} <= slugs
    assert not slugs & {"frde", "stfold", "mre-og-romsdal"}


def test_an_old_slug_redirects_permanently_to_the_new_one(demo, client):
    forde = Helsefellesskap.objects.get(slug="forde")
    forde.previous_slugs = ["frde"]
    forde.save()
    client.force_login(demo.kari)
    response = client.get("/helsefellesskap/frde/?fane=1")
    assert response.status_code == 301
    assert response["Location"] == "/helsefellesskap/forde/?fane=1"
    assert client.get("/helsefellesskap/forde/").status_code == 200
    assert client.get("/helsefellesskap/finnes-ikke/").status_code == 404


def test_reloading_reference_data_renames_an_old_slug_and_keeps_it(reference, small_reference_dir):
    Helsefellesskap.objects.filter(slug="ostfold").update(slug="stfold", previous_slugs=[])
    load(small_reference_dir)
    ostfold = Helsefellesskap.objects.get(reference_key="Østfold")
    assert ostfold.slug == "ostfold"
    assert ostfold.previous_slugs == ["stfold"]
    load(small_reference_dir)  # idempotent: nothing more to rename
    assert Helsefellesskap.objects.get(pk=ostfold.pk).previous_slugs == ["stfold"]
