"""Loads the public reference data in `reference_data/` (see its SOURCE.md) into the core tables.

Every file is read and checked completely before anything is written; then everything is written in one
transaction, comparing with what is already there so that a second run changes nothing. A malformed file is refused
with the file, row and column named.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.cache import cache
from django.db import models, transaction
from django.utils.text import slugify

from . import audit
from .models import (
    CatchmentArea,
    CatchmentService,
    Helsefellesskap,
    MunicipalityCodeChange,
    Organisation,
    OrganisationType,
    PopulationCount,
    community_slug,
)

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "reference_data"
POPULATION_CACHE_KEY = "core.population.totals.v1"

# The adult-psychiatry column spells two catchment areas differently from the other columns.
CATCHMENT_ALIASES = {"Akershus": "Ahus", "St. Olav": "St. Olavs"}
CATCHMENT_COLUMNS = {
    "opptaksomrade_somatikk": CatchmentService.SOMATIC,
    "opptaksomrade_bup": CatchmentService.CHILD_PSYCHIATRY,
    "opptaksomrade_voksenpsykiatri": CatchmentService.ADULT_PSYCHIATRY,
}


class ReferenceDataError(Exception):
    """A file that does not follow its format; names the file, the row (1 = header) and the column."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str):
        self.file, self.row, self.column, self.message = file, row, column, message
        where = file
        if row is not None:
            where += f", row {row}"
        if column:
            where += f', column "{column}"'
        super().__init__(f"{where}: {message}")


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deleted: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())

    def lines(self) -> list[str]:
        names = sorted(set(self.created) | set(self.updated) | set(self.deleted))
        return [
            f"{name}: {self.created.get(name, 0)} created, {self.updated.get(name, 0)} updated, "
            f"{self.deleted.get(name, 0)} deleted"
            for name in names
        ]


# --- reading and checking -------------------------------------------------------------------------------------


def _pattern(regex: str, description: str) -> Callable[[str], str]:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"expected {description}, got {value!r}")
        return value

    return check


def _digits(n: int) -> Callable[[str], str]:
    return _pattern(rf"\d{{{n}}}", f"{n} digits")


def _integer(low: int, high: int) -> Callable[[str], int]:
    def check(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r}") from None
        if not low <= number <= high:
            raise ValueError(f"expected a number from {low} to {high}, got {number}")
        return number

    return check


def _one_of(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return value

    return check


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _optional_text(value: str) -> str:
    return value.strip()


def _decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"expected a decimal number, got {value!r}") from None
    if not 0 <= number <= 1:
        raise ValueError(f"expected a weight from 0 to 1, got {value}")
    return number


MUNICIPALITY = _digits(4)
DISTRICT = _digits(6)
YEAR = _integer(1900, 2100)
AGE = _integer(0, 105)
COUNT = _integer(0, 10_000_000)
SEX = _one_of("K", "M")

SCHEMAS: dict[str, dict[str, Callable[[str], object]]] = {
    "kommuner_2024.csv": {
        "kommunenummer": MUNICIPALITY,
        "kommunenavn": _text,
        "fylkesnummer": _digits(2),
        "fylkesnavn": _text,
        "kommunenavn_norsk_2023": _optional_text,
    },
    "bydeler_2024.csv": {
        "bydelsnummer": DISTRICT,
        "bydelsnavn": _text,
        "kommunenummer": MUNICIPALITY,
        "type": _one_of("bydel", "ekstra_bydel", "uoppgitt"),
    },
    "sentralitet_2024.csv": {
        "kommunenummer": MUNICIPALITY,
        "sentralitetsklasse": _integer(1, 6),
        "sentralitetsindeks": _integer(0, 1000),
        "klassenavn": _text,
    },
    "sykehus.csv": {
        "opptaksomrade": _text,
        "navn": _text,
        "kortnavn": _text,
        "type": _one_of(OrganisationType.HF.value, OrganisationType.PRIVATE_HOSPITAL.value),
        "rhf": _text,
    },
    "helsefellesskap_19.csv": {
        "helsefellesskap": _text,
        "kode": _pattern(r"[A-ZÆØÅ]{3}", "three capital letters"),
        "navn": _text,
        "rhf": _text,
    },
    "helsefellesskap_kommune_2024.csv": {
        "kommunenummer": MUNICIPALITY,
        "kommunenavn": _text,
        "helsefellesskap": _text,
    },
    "helseforetak_opptaksomrader_2024.csv": {
        "kode": _pattern(r"\d{4}|\d{6}", "a 4-digit municipality or 6-digit district number"),
        "navn": _text,
        "nivaa": _one_of("kommune", "bydel"),
        "opptaksomrade_somatikk": _text,
        "opptaksomrade_bup": _text,
        "opptaksomrade_voksenpsykiatri": _text,
    },
    "befolkning_kommune_kjonn_alder_2024_2026.csv": {
        "aar": YEAR,
        "kommunenummer": MUNICIPALITY,
        "kjonn": SEX,
        "alder": AGE,
        "antall": COUNT,
    },
    "befolkning_bydel_kjonn_alder_2024_2026.csv": {
        "aar": YEAR,
        "bydelsnummer": DISTRICT,
        "kjonn": SEX,
        "alder": AGE,
        "antall": COUNT,
    },
    "kommune_kodeendring_2023_til_2024.csv": {
        "kode_2023": MUNICIPALITY,
        "navn_2023": _text,
        "kode_2024": MUNICIPALITY,
        "navn_2024": _text,
        "weighting": _decimal,
    },
}


def read_table(directory: Path, name: str) -> list[dict[str, object]]:
    """Read one CSV file and check every cell against its schema."""
    schema = SCHEMAS[name]
    path = directory / name
    if not path.exists():
        raise ReferenceDataError(name, None, None, "file is missing")
    rows: list[dict[str, object]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ReferenceDataError(name, 1, None, "file is empty")
        missing = [column for column in schema if column not in header]
        if missing:
            raise ReferenceDataError(name, 1, missing[0], "column is missing from the header")
        positions = {column: header.index(column) for column in schema}
        for line_number, cells in enumerate(reader, start=2):
            if len(cells) != len(header):
                raise ReferenceDataError(name, line_number, None, f"expected {len(header)} cells, found {len(cells)}")
            row: dict[str, object] = {}
            for column, check in schema.items():
                try:
                    row[column] = check(cells[positions[column]])
                except ValueError as error:
                    raise ReferenceDataError(name, line_number, column, str(error)) from None
            row["_line"] = line_number
            rows.append(row)
    if not rows:
        raise ReferenceDataError(name, 2, None, "file has no data rows")
    return rows


def _require_known(name: str, rows: Iterable[dict], column: str, known: set[str]) -> None:
    for row in rows:
        if row[column] not in known:
            raise ReferenceDataError(name, row["_line"], column, f"unknown value {row[column]!r}")


@dataclass
class ReferenceTables:
    municipalities: list[dict]
    districts: list[dict]
    centrality: dict[str, dict]
    hospitals: list[dict]
    communities: list[dict]
    community_of_municipality: dict[str, str]
    catchment: list[dict]
    population_municipality: list[dict]
    population_district: list[dict]
    code_changes: list[dict]


def read_all(directory: Path = DEFAULT_DIRECTORY) -> ReferenceTables:
    """Read and cross-check every file; raises ReferenceDataError on the first problem, before any write."""
    tables = {name: read_table(directory, name) for name in SCHEMAS}
    municipalities = tables["kommuner_2024.csv"]
    municipality_numbers = {row["kommunenummer"] for row in municipalities}
    districts = tables["bydeler_2024.csv"]
    district_numbers = {row["bydelsnummer"] for row in districts}
    _require_known("bydeler_2024.csv", districts, "kommunenummer", municipality_numbers)
    _require_known("sentralitet_2024.csv", tables["sentralitet_2024.csv"], "kommunenummer", municipality_numbers)
    hospitals = tables["sykehus.csv"]
    hospital_keys = {row["opptaksomrade"] for row in hospitals}
    communities = tables["helsefellesskap_19.csv"]
    community_keys = {row["helsefellesskap"] for row in communities}
    membership = tables["helsefellesskap_kommune_2024.csv"]
    _require_known("helsefellesskap_kommune_2024.csv", membership, "kommunenummer", municipality_numbers)
    _require_known("helsefellesskap_kommune_2024.csv", membership, "helsefellesskap", community_keys)
    catchment = tables["helseforetak_opptaksomrader_2024.csv"]
    for row in catchment:
        known = municipality_numbers if row["nivaa"] == "kommune" else district_numbers
        _require_known("helseforetak_opptaksomrader_2024.csv", [row], "kode", known)
        for column in CATCHMENT_COLUMNS:
            row[column] = CATCHMENT_ALIASES.get(row[column], row[column])
            _require_known("helseforetak_opptaksomrader_2024.csv", [row], column, hospital_keys)
    population_municipality = tables["befolkning_kommune_kjonn_alder_2024_2026.csv"]
    _require_known(
        "befolkning_kommune_kjonn_alder_2024_2026.csv",
        population_municipality,
        "kommunenummer",
        municipality_numbers,
    )
    population_district = tables["befolkning_bydel_kjonn_alder_2024_2026.csv"]
    _require_known("befolkning_bydel_kjonn_alder_2024_2026.csv", population_district, "bydelsnummer", district_numbers)
    code_changes = tables["kommune_kodeendring_2023_til_2024.csv"]
    _require_known("kommune_kodeendring_2023_til_2024.csv", code_changes, "kode_2024", municipality_numbers)
    return ReferenceTables(
        municipalities=municipalities,
        districts=districts,
        centrality={row["kommunenummer"]: row for row in tables["sentralitet_2024.csv"]},
        hospitals=hospitals,
        communities=communities,
        community_of_municipality={row["kommunenummer"]: row["helsefellesskap"] for row in membership},
        catchment=catchment,
        population_municipality=population_municipality,
        population_district=population_district,
        code_changes=code_changes,
    )


# --- writing ----------------------------------------------------------------------------------------------------


def _sync_organisations(desired: dict[str, dict], summary: LoadSummary) -> dict[str, Organisation]:
    """Create or update reference organisations by reference_key; never deletes (others may point at them)."""
    existing = {org.reference_key: org for org in Organisation.objects.filter(reference_key__in=desired)}
    result: dict[str, Organisation] = {}
    for key, fields in desired.items():
        org = existing.get(key)
        if org is None:
            org = Organisation(reference_key=key, **fields)
            org.save()
            summary.created["organisation"] += 1
        else:
            changed = {name: value for name, value in fields.items() if getattr(org, name) != value}
            if changed:
                for name, value in changed.items():
                    setattr(org, name, value)
                org.save()
                summary.updated["organisation"] += 1
        result[key] = org
    return result


def _sync_rows(
    model: type[models.Model],
    key_fields: tuple[str, ...],
    desired: dict[tuple, dict],
    summary: LoadSummary,
    label: str,
) -> None:
    """Make `model`'s rows equal `desired` (natural key → other fields) with as few writes as possible."""
    value_fields = list(next(iter(desired.values())).keys()) if desired else []
    existing = {
        tuple(row[f] for f in key_fields): row
        for row in model.objects.values("pk", *key_fields, *value_fields).iterator(chunk_size=10_000)
    }
    to_create, to_update = [], []
    for key, values in desired.items():
        row = existing.pop(key, None)
        if row is None:
            to_create.append(model(**dict(zip(key_fields, key, strict=True)), **values))
        elif any(row[f] != v for f, v in values.items()):
            to_update.append(model(pk=row["pk"], **dict(zip(key_fields, key, strict=True)), **values))
    if to_create:
        model.objects.bulk_create(to_create, batch_size=5000)
    if to_update:
        model.objects.bulk_update(to_update, value_fields, batch_size=5000)
    if existing:
        stale = [row["pk"] for row in existing.values()]
        for start in range(0, len(stale), 5000):
            model.objects.filter(pk__in=stale[start : start + 5000]).delete()
    summary.created[label] += len(to_create)
    summary.updated[label] += len(to_update)
    summary.deleted[label] += len(existing)


@transaction.atomic
def load(directory: Path = DEFAULT_DIRECTORY, *, actor=None) -> LoadSummary:
    tables = read_all(directory)
    summary = LoadSummary()

    rhf_names = sorted({row["rhf"] for row in tables.hospitals} | {row["rhf"] for row in tables.communities})
    rhfs = _sync_organisations(
        {f"rhf:{slugify(name)}": {"name": name, "type": OrganisationType.RHF} for name in rhf_names}, summary
    )
    rhf_by_name = {org.name: org for org in rhfs.values()}
    hospitals = _sync_organisations(
        {
            f"hospital:{row['opptaksomrade']}": {
                "name": row["navn"],
                "short_name": row["kortnavn"],
                "type": row["type"],
            }
            for row in tables.hospitals
        },
        summary,
    )
    municipalities = _sync_organisations(
        {
            f"kommune:{row['kommunenummer']}": {
                "name": row["kommunenavn"],
                "type": OrganisationType.KOMMUNE,
                "municipality_number": row["kommunenummer"],
                "county_number": row["fylkesnummer"],
                "county_name": row["fylkesnavn"],
                "centrality_class": tables.centrality.get(row["kommunenummer"], {}).get("sentralitetsklasse"),
                "centrality_index": tables.centrality.get(row["kommunenummer"], {}).get("sentralitetsindeks"),
            }
            for row in tables.municipalities
        },
        summary,
    )
    districts = _sync_organisations(
        {
            f"bydel:{row['bydelsnummer']}": {
                "name": row["bydelsnavn"],
                "type": OrganisationType.BYDEL,
                "parent": municipalities[f"kommune:{row['kommunenummer']}"],
                "municipality_number": row["kommunenummer"],
                "district_number": row["bydelsnummer"],
            }
            for row in tables.districts
        },
        summary,
    )
    areas = {org.municipality_number: org for org in municipalities.values()} | {
        org.district_number: org for org in districts.values()
    }

    catchment: dict[tuple, dict] = {}
    hospitals_of_community: dict[str, set[int]] = defaultdict(set)
    for row in tables.catchment:
        area = areas[row["kode"]]
        for column, service in CATCHMENT_COLUMNS.items():
            hospital = hospitals[f"hospital:{row[column]}"]
            catchment[(area.pk, service.value)] = {"hospital_id": hospital.pk}
            if service == CatchmentService.SOMATIC:
                community_key = tables.community_of_municipality[area.municipality_number]
                hospitals_of_community[community_key].add(hospital.pk)
    _sync_rows(CatchmentArea, ("area_id", "service"), catchment, summary, "catchment area")

    for row in tables.communities:
        key, code = row["helsefellesskap"], row["kode"]
        community = Helsefellesskap.objects.filter(reference_key=key).first()
        fields = {"code": code, "regional_health_authority": rhf_by_name[row["rhf"]]}
        slug = community_slug(key)
        if community is None:
            community = Helsefellesskap.objects.create(reference_key=key, name=row["navn"], slug=slug, **fields)
            summary.created["helsefellesskap"] += 1
        elif community.slug != slug or any(getattr(community, name) != value for name, value in fields.items()):
            if community.slug != slug:  # an older loader's slug keeps working as a redirect
                community.previous_slugs = [*community.previous_slugs, community.slug]
                community.slug = slug
            for name, value in fields.items():
                setattr(community, name, value)
            community.save()
            summary.updated["helsefellesskap"] += 1
        if community.secretariat_id is None:
            community.secretariat = Organisation.objects.create(
                name=f"Sekretariatet for {community.name}",
                short_name=f"Sekretariat {code}",
                type=OrganisationType.SECRETARIAT,
                reference_key=f"secretariat:{code}",
            )
            community.save(update_fields=["secretariat"])
            summary.created["organisation"] += 1
        wanted = {
            org.pk
            for number, org in areas.items()
            if len(number) == 4 and tables.community_of_municipality[number] == key
        } | hospitals_of_community[key]
        reference_members = set(community.members.exclude(reference_key__isnull=True).values_list("pk", flat=True))
        if reference_members != wanted:
            community.members.remove(*(reference_members - wanted))
            community.members.add(*(wanted - reference_members))
            summary.updated["helsefellesskap members"] += 1

    population: dict[tuple, dict] = {}
    for rows, column in (
        (tables.population_municipality, "kommunenummer"),
        (tables.population_district, "bydelsnummer"),
    ):
        for row in rows:
            population[(areas[row[column]].pk, row["aar"], row["kjonn"], row["alder"])] = {"count": row["antall"]}
    _sync_rows(PopulationCount, ("area_id", "year", "sex", "age"), population, summary, "population count")

    code_changes = {
        (row["kode_2023"], row["kode_2024"]): {
            "name_2023": row["navn_2023"],
            "name_2024": row["navn_2024"],
            "weight": row["weighting"],
        }
        for row in tables.code_changes
    }
    _sync_rows(MunicipalityCodeChange, ("code_2023", "code_2024"), code_changes, summary, "code change")

    if summary.changes:
        audit.record(actor=actor, action="core.reference_data.loaded", data={"changes": summary.lines()})
        transaction.on_commit(lambda: cache.delete(POPULATION_CACHE_KEY))
    return summary
