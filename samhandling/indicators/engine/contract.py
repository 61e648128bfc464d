"""The input data contract of ../shared/design/INDICATORS.md (version 1) as data: tables, columns, types and codes.

`dataset.prepare_dataset` validates and normalises against these specs, `synthetic` writes data that follows them,
and the engine reads the normalised tables whose columns and types are exactly the ones listed here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CONTRACT_VERSION = 1
REFERENCE_DIRECTORY = Path(__file__).resolve().parents[2] / "core" / "reference_data"

# Column types; the normalised Parquet types are given beside each.
STRING = "string"  # string
INT = "int"  # int64
TIMESTAMP = "timestamp"  # timestamp, naive local time (Europe/Oslo)
DATE = "date"  # date32

# Kinds of string column that get a check of their own beyond the type.
ID = "id"  # a record or person id: must not hold fødselsnumre
KOMMUNE = "kommune"  # 4-digit municipality code, 2024 codes or 2020–2023 codes (mapped)
BYDEL = "bydel"  # 6-digit city-district code belonging to the row's municipality
ICD10 = "icd10"  # ICD-10 code with or without the dot

SEX = ("K", "M")
FAGOMRADER = ("somatikk", "phv_voksne", "phv_bu", "tsb")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    min: int | None = None
    max: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    unique: str | None = None  # the column whose values must be unique in the table
    optional: bool = True  # every table may be left out; a data set needs at least one of DATA_TABLES
    year_columns: tuple[str, ...] = field(default=())  # the columns whose years the data set covers

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def id_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.kind == ID)

    def column(self, name: str) -> ColumnSpec:
        return next(column for column in self.columns if column.name == name)


def _person(age_max: int = 120) -> tuple[ColumnSpec, ...]:
    return (
        ColumnSpec("person_id", STRING, kind=ID),
        ColumnSpec("kjonn", STRING, allowed=SEX),
        ColumnSpec("alder", INT, min=0, max=age_max),
        ColumnSpec("kommune", STRING, kind=KOMMUNE),
        ColumnSpec("bydel", STRING, nullable=True, kind=BYDEL),
    )


TABLES: dict[str, TableSpec] = {
    "opphold": TableSpec(
        "opphold",
        (
            ColumnSpec("stay_id", STRING, kind=ID),
            *_person(),
            ColumnSpec("behandlende_hf", STRING),
            ColumnSpec("omsorgsniva", STRING, allowed=("dogn", "dag")),
            ColumnSpec("innleggelsesmate", STRING, allowed=("akutt", "elektiv")),
            ColumnSpec("fagomrade", STRING, allowed=FAGOMRADER),
            ColumnSpec("hovedtilstand", STRING, kind=ICD10),
            ColumnSpec("inn_tid", TIMESTAMP),
            ColumnSpec("ut_tid", TIMESTAMP),
            ColumnSpec("utskrivningsklar_tid", TIMESTAMP, nullable=True),
            ColumnSpec(
                "utskrevet_til",
                STRING,
                allowed=("hjem", "hjem_med_tjenester", "sykehjem", "annen_institusjon", "dod", "annet"),
            ),
            ColumnSpec("epikrise_sendt_tid", TIMESTAMP, nullable=True),
        ),
        unique="stay_id",
        year_columns=("ut_tid",),
    ),
    "kontakter": TableSpec(
        "kontakter",
        (
            ColumnSpec("contact_id", STRING, kind=ID),
            *_person(),
            ColumnSpec("behandlende_hf", STRING),
            ColumnSpec("fagomrade", STRING, allowed=FAGOMRADER),
            ColumnSpec("kontaktform", STRING, allowed=("fysisk", "video", "telefon")),
            ColumnSpec("tid", TIMESTAMP),
            # Outpatient contacts are not always coded with a diagnosis; an empty one is allowed.
            ColumnSpec("hovedtilstand", STRING, nullable=True, kind=ICD10),
        ),
        unique="contact_id",
        year_columns=("tid",),
    ),
    "iplos": TableSpec(
        "iplos",
        (
            *_person(),
            ColumnSpec("vurdert_dato", DATE),
            ColumnSpec("funksjonsgruppe", INT, nullable=True, min=1, max=4),
            ColumnSpec("tjeneste", STRING, allowed=("hjemmetjenester", "sykehjem", "annen")),
        ),
        year_columns=("vurdert_dato",),
    ),
    "befolkning": TableSpec(
        "befolkning",
        (
            ColumnSpec("aar", INT, min=1900, max=2100),
            ColumnSpec("kommune", STRING, kind=KOMMUNE),
            ColumnSpec("bydel", STRING, nullable=True, kind=BYDEL),
            ColumnSpec("kjonn", STRING, allowed=SEX),
            ColumnSpec("alder", INT, min=0, max=105),
            ColumnSpec("antall", INT, min=0, max=10_000_000),
        ),
    ),
}

# A data set holds at least one of these; the population is optional (the embedded one is used when absent).
DATA_TABLES = ("opphold", "kontakter", "iplos")


def read_reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIRECTORY / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def kommuner_2024() -> frozenset[str]:
    return frozenset(row["kommunenummer"] for row in read_reference("kommuner_2024.csv"))


@cache
def kommune_changes() -> tuple[tuple[str, str, float], ...]:
    """(2023 code, 2024 code, weight) for every 2020–2023 code whose 2024 code differs.

    Every code is 1:1 except 1507 Ålesund, which was divided between 1508 Ålesund and 1580 Haram (weights in the
    file); `dataset` assigns such a person to one of them by a stable hash of their id.
    """
    return tuple(
        (row["kode_2023"], row["kode_2024"], float(row["weighting"]))
        for row in read_reference("kommune_kodeendring_2023_til_2024.csv")
        if row["kode_2023"] != row["kode_2024"]
    )


@cache
def bydeler_2024() -> dict[str, str]:
    """City-district code → its municipality code."""
    return {row["bydelsnummer"]: row["kommunenummer"] for row in read_reference("bydeler_2024.csv")}
