"""Helpers for the indicator-engine tests: write small, hand-made prepared data sets (Parquet + manifest) with pyarrow.

Kept independent of the synthetic-data generator so the engine's tests only depend on the agreed folder format.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from samhandling.indicators.engine.run import run_indicators

TS = pa.timestamp("us")
SCHEMAS = {
    "opphold": pa.schema(
        [
            ("stay_id", pa.string()),
            ("person_id", pa.string()),
            ("kjonn", pa.string()),
            ("alder", pa.int64()),
            ("kommune", pa.string()),
            ("bydel", pa.string()),
            ("behandlende_hf", pa.string()),
            ("omsorgsniva", pa.string()),
            ("innleggelsesmate", pa.string()),
            ("fagomrade", pa.string()),
            ("hovedtilstand", pa.string()),
            ("inn_tid", TS),
            ("ut_tid", TS),
            ("utskrivningsklar_tid", TS),
            ("utskrevet_til", pa.string()),
            ("epikrise_sendt_tid", TS),
        ]
    ),
    "kontakter": pa.schema(
        [
            ("contact_id", pa.string()),
            ("person_id", pa.string()),
            ("kjonn", pa.string()),
            ("alder", pa.int64()),
            ("kommune", pa.string()),
            ("bydel", pa.string()),
            ("behandlende_hf", pa.string()),
            ("fagomrade", pa.string()),
            ("kontaktform", pa.string()),
            ("tid", TS),
            ("hovedtilstand", pa.string()),
        ]
    ),
    "iplos": pa.schema(
        [
            ("person_id", pa.string()),
            ("kjonn", pa.string()),
            ("alder", pa.int64()),
            ("kommune", pa.string()),
            ("bydel", pa.string()),
            ("vurdert_dato", pa.date32()),
            ("funksjonsgruppe", pa.int64()),
            ("tjeneste", pa.string()),
        ]
    ),
    "befolkning": pa.schema(
        [
            ("aar", pa.int64()),
            ("kommune", pa.string()),
            ("bydel", pa.string()),
            ("kjonn", pa.string()),
            ("alder", pa.int64()),
            ("antall", pa.int64()),
        ]
    ),
}


def ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class DataBuilder:
    """Collects rows; `write(folder)` turns them into a prepared data set folder."""

    def __init__(self):
        self.rows: dict[str, list[dict]] = {name: [] for name in SCHEMAS}

    def stay(
        self,
        *,
        person: str = "p1",
        inn: str = "2024-03-01T10:00",
        ut: str = "2024-03-05T10:00",
        kommune: str = "3905",
        bydel: str | None = None,
        kjonn: str = "K",
        alder: int = 50,
        omsorgsniva: str = "dogn",
        innleggelsesmate: str = "elektiv",
        fagomrade: str = "somatikk",
        hovedtilstand: str = "I219",
        klar: str | None = None,
        til: str = "hjem",
        epikrise: str | None = None,
        stay_id: str | None = None,
    ) -> DataBuilder:
        self.rows["opphold"].append(
            {
                "stay_id": stay_id or f"s{len(self.rows['opphold']) + 1:04d}",
                "person_id": person,
                "kjonn": kjonn,
                "alder": alder,
                "kommune": kommune,
                "bydel": bydel,
                "behandlende_hf": "SiV",
                "omsorgsniva": omsorgsniva,
                "innleggelsesmate": innleggelsesmate,
                "fagomrade": fagomrade,
                "hovedtilstand": hovedtilstand,
                "inn_tid": ts(inn),
                "ut_tid": ts(ut),
                "utskrivningsklar_tid": ts(klar),
                "utskrevet_til": til,
                "epikrise_sendt_tid": ts(epikrise),
            }
        )
        return self

    def contact(
        self,
        *,
        person: str = "p1",
        tid: str = "2024-03-01T10:00",
        kontaktform: str = "fysisk",
        kommune: str = "3905",
        bydel: str | None = None,
        kjonn: str = "K",
        alder: int = 50,
        fagomrade: str = "somatikk",
        hovedtilstand: str = "I219",
        contact_id: str | None = None,
    ) -> DataBuilder:
        self.rows["kontakter"].append(
            {
                "contact_id": contact_id or f"c{len(self.rows['kontakter']) + 1:04d}",
                "person_id": person,
                "kjonn": kjonn,
                "alder": alder,
                "kommune": kommune,
                "bydel": bydel,
                "behandlende_hf": "SiV",
                "fagomrade": fagomrade,
                "kontaktform": kontaktform,
                "tid": ts(tid),
                "hovedtilstand": hovedtilstand,
            }
        )
        return self

    def assessment(
        self,
        *,
        person: str = "p1",
        dato: str = "2024-03-01",
        gruppe: int | None = 3,
        kommune: str = "3905",
        bydel: str | None = None,
        kjonn: str = "K",
        alder: int = 80,
        tjeneste: str = "hjemmetjenester",
    ) -> DataBuilder:
        self.rows["iplos"].append(
            {
                "person_id": person,
                "kjonn": kjonn,
                "alder": alder,
                "kommune": kommune,
                "bydel": bydel,
                "vurdert_dato": date.fromisoformat(dato),
                "funksjonsgruppe": gruppe,
                "tjeneste": tjeneste,
            }
        )
        return self

    def people(
        self,
        antall: int,
        *,
        kommune: str = "3905",
        bydel: str | None = None,
        year: int = 2024,
        kjonn: str = "K",
        alder: int = 50,
    ) -> DataBuilder:
        self.rows["befolkning"].append(
            {"aar": year, "kommune": kommune, "bydel": bydel, "kjonn": kjonn, "alder": alder, "antall": antall}
        )
        return self

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        counts = {}
        for name, rows in self.rows.items():
            if rows or name != "befolkning":
                pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[name]), folder / f"{name}.parquet")
                counts[name] = len(rows)
        manifest = {"version": "test0001", "tables": counts, "synthetic": True, "source": "tests", "created": ""}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        return folder


def run(builder: DataBuilder, tmp_path: Path, **options) -> list[dict]:
    """Write the data set, run the engine on it and return the result rows as dicts."""
    data = builder.write(tmp_path / "data")
    summary = run_indicators(data, tmp_path / "out", **options)
    return pq.read_table(summary.results_path).to_pylist()


def row(results: list[dict], indicator: str, level: str, area: str, year: int = 2024, period: str = "1y") -> dict:
    """The single result row asked for (AssertionError when there is none)."""
    found = [
        r
        for r in results
        if (r["indicator"], r["level"], r["area"], r["year"], r["period"]) == (indicator, level, area, year, period)
    ]
    assert len(found) == 1, f"expected one row for {indicator}/{level}/{area}/{year}/{period}, found {len(found)}"
    return found[0]


def areas_of(results: list[dict], indicator: str, level: str) -> set[str]:
    return {r["area"] for r in results if r["indicator"] == indicator and r["level"] == level}
