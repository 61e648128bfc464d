"""Synthetic indicator data following the contract: residents drawn from the embedded population, plausible rates.

Everything is vectorised with one numpy Generator per table and year (seeded from the seed), so the same seed gives
byte-identical files, and scale 1.0 (about one year of Norway) for two years takes minutes. The data are invented:
every file says so, and `dataset.json` marks the folder as synthetic for the import.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import contract

# 2: the data set carries its own population (the embedded one × scale), so rates per 1 000 are right at any scale.
# 3: emergency admissions calibrated to Norway's rates (city districts had implausible numbers).
GENERATOR_VERSION = 3
POPULATION_YEARS = (2024, 2025, 2026)
CITIES = ("0301", "1103", "4601", "5001")  # municipalities with city districts (bydeler)

# Yearly volumes at scale 1.0, about one year of Norway.
INPATIENT_STAYS = 900_000
DAY_STAYS = 1_000_000
CONTACTS = 8_000_000
ASSESSMENTS = 700_000

CHUNK = 2_000_000  # contacts generated at a time, to keep memory well below a few GB at scale 1.0
OLD_CODE_SHARE = 0.03  # rows of a renumbered municipality that still carry its 2020–2023 code
NORTH = ("18", "55", "56")  # Nordland, Troms, Finnmark: more overliggerdøgn (about 3 × the south, Hdir 2022)

SOMATIC_CODES = (
    "I21.9", "I50.9", "J18.9", "J44.1", "S72.0", "N39.0", "E86", "K59.0", "A09.9", "D50.9", "M10.9", "I63.9",
    "R07.4", "K35.8", "C34.9", "I48.9", "K80.2", "Z51.1", "R10.4", "G40.9",
)  # fmt: skip
SEVERE_MENTAL_CODES = ("F20.0", "F21", "F25.0", "F30.1", "F31.1", "F32.1", "F33.1", "F60.3", "F61")
OTHER_MENTAL_CODES = ("F41.1", "F43.1", "F43.2", "F42.0", "F90.0", "F50.0", "F84.0")
SUBSTANCE_CODES = ("F10.2", "F11.2", "F12.2", "F15.2", "F19.2")


@dataclass
class Strata:
    """Residents on 1 January by area (municipality or city district), sex and age."""

    kommune: np.ndarray  # index into Codes.kommuner
    bydel: np.ndarray  # index into Codes.bydeler, -1 outside the cities
    sex: np.ndarray  # 0 = K, 1 = M
    age: np.ndarray
    pop: np.ndarray
    area: np.ndarray  # a number per area, stable across years (part of the person id)


class Codes:
    """The code lists the generator draws from, read from the embedded reference data."""

    def __init__(self):
        self.kommuner = sorted(contract.kommuner_2024())
        self.kommune_index = {code: i for i, code in enumerate(self.kommuner)}
        districts = contract.bydeler_2024()
        self.bydeler = sorted(districts)
        self.bydel_index = {code: i for i, code in enumerate(self.bydeler)}
        # The 2020–2023 code of each renumbered municipality (1:1 changes only: a divided one cannot be written).
        old = {}
        for code_2023, code_2024, weight in contract.kommune_changes():
            if weight == 1:
                old[code_2024] = code_2023
        self.all_kommune_codes = self.kommuner + sorted(old.values())
        self.old_code = np.array(
            [self.all_kommune_codes.index(old[code]) if code in old else -1 for code in self.kommuner]
        )
        self.north = np.array([code[:2] in NORTH for code in self.kommuner])
        hospitals = {}
        for row in contract.read_reference("helseforetak_opptaksomrader_2024.csv"):
            hospitals[row["kode"]] = row["opptaksomrade_somatikk"]
        self.hospitals = sorted(set(hospitals.values()))
        index = {name: i for i, name in enumerate(self.hospitals)}
        self.kommune_hospital = np.array([index[hospitals.get(code, "OUS")] for code in self.kommuner])
        self.bydel_hospital = np.array(
            [index[hospitals.get(code, hospitals.get(districts[code], "OUS"))] for code in self.bydeler]
        )


def _read_population(name: str) -> pa.Table:
    return pacsv.read_csv(
        contract.REFERENCE_DIRECTORY / name,
        convert_options=pacsv.ConvertOptions(
            column_types={"kommunenummer": pa.string(), "bydelsnummer": pa.string(), "kjonn": pa.string()}
        ),
    )


def strata_for(year: int, codes: Codes) -> Strata:
    """Population strata for `year` (the nearest embedded year outside 2024–2026).

    City residents are drawn by district; residents the district statistics miss go to the city's "unknown
    district" code (xxxx99), so every city row carries a bydel, as in NPR.
    """
    population_year = min(max(year, POPULATION_YEARS[0]), POPULATION_YEARS[-1])
    kommune = _read_population("befolkning_kommune_kjonn_alder_2024_2026.csv")
    kommune = kommune.filter(pc.equal(kommune["aar"], population_year))
    bydel = _read_population("befolkning_bydel_kjonn_alder_2024_2026.csv")
    bydel = bydel.filter(pc.equal(bydel["aar"], population_year))

    k_index = np.array([codes.kommune_index[c] for c in kommune["kommunenummer"].to_pylist()])
    k_sex = (np.array(kommune["kjonn"].to_pylist()) == "M").astype(np.int64)
    k_age = kommune["alder"].to_numpy().astype(np.int64)
    k_pop = kommune["antall"].to_numpy().astype(np.int64)

    b_codes = bydel["bydelsnummer"].to_pylist()
    b_index = np.array([codes.bydel_index[c] for c in b_codes])
    b_kommune = np.array([codes.kommune_index[c[:4]] for c in b_codes])
    b_sex = (np.array(bydel["kjonn"].to_pylist()) == "M").astype(np.int64)
    b_age = bydel["alder"].to_numpy().astype(np.int64)
    b_pop = bydel["antall"].to_numpy().astype(np.int64)

    # Residual city residents (kommune count minus the districts' sum) per sex and age → the unknown district.
    city = np.isin(k_index, [codes.kommune_index[c] for c in CITIES])
    cell = (b_kommune * 2 + b_sex) * 106 + np.minimum(b_age, 105)
    district_sum = np.bincount(cell, weights=b_pop, minlength=len(codes.kommuner) * 2 * 106)
    k_cell = (k_index * 2 + k_sex) * 106 + np.minimum(k_age, 105)
    residual = np.where(city, np.maximum(k_pop - district_sum[k_cell].astype(np.int64), 0), 0)
    unknown = np.array([codes.bydel_index[codes.kommuner[i] + "99"] for i in k_index[city]])

    kommune_part = ~city
    return Strata(
        kommune=np.concatenate([k_index[kommune_part], b_kommune, k_index[city]]),
        bydel=np.concatenate([np.full(kommune_part.sum(), -1), b_index, unknown]),
        sex=np.concatenate([k_sex[kommune_part], b_sex, k_sex[city]]),
        age=np.concatenate([k_age[kommune_part], b_age, k_age[city]]),
        pop=np.concatenate([k_pop[kommune_part], b_pop, residual[city]]),
        area=np.concatenate([k_index[kommune_part], 400 + b_index, 400 + unknown]),
    )


def population_table(year: int, scale: float) -> pa.Table:
    """The `befolkning` rows for `year`: the embedded population (nearest embedded year) × `scale`.

    Residents are drawn from the whole population but only `scale` of a year's events are made, so without a
    matching population every rate per 1 000 would come out `scale` times too small."""
    population_year = min(max(year, POPULATION_YEARS[0]), POPULATION_YEARS[-1])
    parts = []
    for name, code_column in (
        ("befolkning_kommune_kjonn_alder_2024_2026.csv", "kommunenummer"),
        ("befolkning_bydel_kjonn_alder_2024_2026.csv", "bydelsnummer"),
    ):
        table = _read_population(name)
        table = table.filter(pc.equal(table["aar"], population_year))
        codes = table[code_column]
        # Systematic rounding (differences of the rounded running sum) keeps every total within one person, where
        # rounding each small age cell on its own would lose most people at small scales.
        running = np.floor(np.cumsum(table["antall"].to_numpy().astype(np.float64) * scale) + 0.5).astype(np.int64)
        count = np.diff(running, prepend=0)
        is_bydel = code_column == "bydelsnummer"
        parts.append(
            pa.table(
                {
                    "aar": pa.array(np.full(table.num_rows, year, dtype=np.int64)),
                    "kommune": pc.utf8_slice_codeunits(codes, 0, 4) if is_bydel else codes,
                    "bydel": codes if is_bydel else pa.nulls(table.num_rows, pa.string()),
                    "kjonn": table["kjonn"],
                    "alder": pa.array(table["alder"].to_numpy().astype(np.int64)),
                    "antall": pa.array(count),
                }
            )
        )
    return pa.concat_tables(parts)


# --- helpers ------------------------------------------------------------------------------------------------------


def _hex_ids(prefix: str, values: np.ndarray, digits: int) -> pa.Array:
    """Strings `prefix` + `digits` hex digits of `values`, built as one byte buffer (no Python loop over rows)."""
    values = values.astype(np.uint64)
    head = np.frombuffer(prefix.encode(), np.uint8)
    width = len(head) + digits
    buffer = np.empty((len(values), width), np.uint8)
    buffer[:, : len(head)] = head
    lookup = np.frombuffer(b"0123456789abcdef", np.uint8)
    for position in range(digits):
        shift = np.uint64(4 * (digits - 1 - position))
        buffer[:, len(head) + position] = lookup[((values >> shift) & np.uint64(0xF)).astype(np.intp)]
    offsets = np.arange(0, (len(values) + 1) * width, width, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(buffer)).cast(pa.string())


def _scramble(values: np.ndarray, key: int, bits: int = 40) -> np.ndarray:
    """A bijection on `bits`-bit integers, so distinct inputs keep distinct, unguessable-looking ids."""
    mask = np.uint64((1 << bits) - 1)
    x = values.astype(np.uint64) & mask
    with np.errstate(over="ignore"):
        x = (x * np.uint64(0x9E3779B97F4A7C15 & ((1 << bits) - 1) | 1)) & mask
        x ^= np.uint64(key) & mask
        x ^= x >> np.uint64(bits // 2)
        x = (x * np.uint64(0xBF58476D1CE4E5B9 & ((1 << bits) - 1) | 1)) & mask
    return x


def _person_ids(strata: Strata, stratum: np.ndarray, member: np.ndarray, year: int, seed: int) -> pa.Array:
    """Pseudonymous ids "P" + 10 hex digits; a person is a member number within area, sex and birth year."""
    birth = (year - strata.age[stratum] - 1800).astype(np.uint64)  # 9 bits
    area, sex = strata.area[stratum].astype(np.uint64), strata.sex[stratum].astype(np.uint64)  # 9 bits, 1 bit
    raw = (((area * np.uint64(2) + sex) * np.uint64(512) + birth) << np.uint64(20)) | member.astype(np.uint64)
    return _hex_ids("P", _scramble(raw, seed * 7919 + 11), 10)


def _take(values: list[str], index: np.ndarray) -> pa.Array:
    """values[index] as a string array; a negative index gives null."""
    mask = index < 0
    return pc.take(pa.array(values, pa.string()), pa.array(np.where(mask, 0, index), mask=mask))


def _pick(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row from a (rows × categories) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    draw = rng.random(len(probabilities))[:, None] * cumulative[:, -1:]
    return (draw > cumulative).sum(axis=1)


def _diagnoses(rng: np.random.Generator, fagomrade: np.ndarray, age: np.ndarray) -> pa.Array:
    """ICD-10 codes by fagområde; F-diagnoses for mental health, about a third written without the dot."""
    lists = [SOMATIC_CODES, SEVERE_MENTAL_CODES + OTHER_MENTAL_CODES, OTHER_MENTAL_CODES, SUBSTANCE_CODES]
    offsets = np.cumsum([0] + [len(codes) for codes in lists])
    sizes = np.array([len(codes) for codes in lists])
    index = offsets[fagomrade] + (rng.random(len(fagomrade)) * sizes[fagomrade]).astype(np.int64)
    dotted = [code for codes in lists for code in codes]
    index = np.where(rng.random(len(index)) < 0.33, index + len(dotted), index)
    return _take(dotted + [code.replace(".", "") for code in dotted], index)


def _fagomrade(rng: np.random.Generator, age: np.ndarray, mental: float, children: float, substance: float):
    """0 somatikk, 1 phv_voksne, 2 phv_bu, 3 tsb (the order of contract.FAGOMRADER)."""
    u = rng.random(len(age))
    adult = age >= 18
    result = np.zeros(len(age), np.int64)
    result[adult & (u < mental)] = 1
    result[adult & (u >= mental) & (u < mental + substance)] = 3
    result[~adult & (u < children)] = 2
    return result


def _year_bounds(year: int) -> tuple[int, int]:
    # Naive local times are written as they are, so seconds are counted as if local time were UTC.
    return int(dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp()), int(
        dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC).timestamp()
    )


def _timestamps(seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]"), pa.timestamp("s"), mask=missing).cast(pa.timestamp("us"))


def _residence(rng: np.random.Generator, codes: Codes, strata: Strata, stratum: np.ndarray):
    """kommune and bydel columns; a few rows of renumbered municipalities keep their 2020–2023 code."""
    kommune = strata.kommune[stratum]
    old = codes.old_code[kommune]
    written = np.where((old >= 0) & (rng.random(len(kommune)) < OLD_CODE_SHARE), old, kommune)
    return _take(codes.all_kommune_codes, written), _take(codes.bydeler, strata.bydel[stratum])


def _hospital(rng: np.random.Generator, codes: Codes, strata: Strata, stratum: np.ndarray) -> pa.Array:
    """The local hospital of the residence; one in twenty goes elsewhere (regional and private hospitals)."""
    bydel = strata.bydel[stratum]
    local = np.where(
        bydel >= 0, codes.bydel_hospital[np.maximum(bydel, 0)], codes.kommune_hospital[strata.kommune[stratum]]
    )
    elsewhere = rng.random(len(stratum)) < 0.05
    other = rng.integers(0, len(codes.hospitals), len(stratum))
    return _take(codes.hospitals, np.where(elsewhere, other, local))


def _draw(rng: np.random.Generator, strata: Strata, weight: np.ndarray, count: int) -> np.ndarray:
    """`count` stratum numbers with probability proportional to population × weight."""
    expected = strata.pop * weight
    cumulative = np.cumsum(expected)
    return np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right").clip(0, len(expected) - 1)


# --- the tables ---------------------------------------------------------------------------------------------------


def _stays(rng, *, codes: Codes, strata: Strata, year: int, last_year: int, scale: float, seed: int) -> pa.Table:
    start, end = _year_bounds(year)
    _, data_end = _year_bounds(last_year)
    age = strata.age.astype(float)
    # Inpatient admissions per person-year rise steeply with age; newborns are admitted too.
    # Calibrated (generator version 3) so that emergency admissions come out near Norway's: about 420 per 1 000
    # aged 80+ and 75 per 1 000 aged 0–79, with the 80+ still about a sixth of the inpatient stays. Version 2 gave
    # 640 per 1 000 aged 80+, so a city district of 23 residents aged 80+ had 23 admissions.
    inpatient_weight = 0.05 + 0.8 * np.exp((age - 100) / 15) + np.where(age == 0, 0.25, 0)
    day_weight = 0.08 + 0.004 * age
    base_inpatient = round(INPATIENT_STAYS * scale / 1.1)  # readmissions below add about a tenth
    day = round(DAY_STAYS * scale)
    stratum = np.concatenate(
        [_draw(rng, strata, inpatient_weight, base_inpatient), _draw(rng, strata, day_weight, day)]
    )
    inpatient = np.arange(len(stratum)) < base_inpatient
    member = (rng.random(len(stratum)) * np.maximum(strata.pop[stratum], 1)).astype(np.int64)
    discharge = start + rng.integers(0, (end - start) // 86400, len(stratum)) * 86400
    discharge += rng.integers(9 * 3600, 17 * 3600, len(stratum))

    # Readmissions: a follow-up acute stay of the same person, 8 hours plus an exponential gap (mean 8 days) after
    # an inpatient discharge; about one in five for the elderly, one in ten for the others.
    s_age = strata.age[stratum]
    readmit = inpatient & (rng.random(len(stratum)) < np.where(s_age >= 67, 0.19, 0.1))
    gap = (8 * 3600 + rng.exponential(8 * 86400, readmit.sum())).astype(np.int64)
    stratum = np.concatenate([stratum, stratum[readmit]])
    member = np.concatenate([member, member[readmit]])
    inpatient = np.concatenate([inpatient, np.ones(readmit.sum(), bool)])
    follow_up = np.arange(len(stratum)) >= len(readmit)
    n = len(stratum)
    s_age = strata.age[stratum]

    fagomrade = np.where(
        inpatient,
        _fagomrade(rng, s_age, np.where(s_age < 70, 0.06, 0.02), 0.04, np.where(s_age < 70, 0.02, 0.005)),
        _fagomrade(rng, s_age, 0.03, 0.03, 0.01),
    )
    fagomrade[follow_up & (rng.random(n) < 0.9)] = 0
    acute = np.where(inpatient, rng.random(n) < np.where(s_age >= 67, 0.6, 0.4), rng.random(n) < 0.05)
    acute[follow_up] = True

    # Length of stay in hours; mental health stays are long, day stays a few hours.
    los = np.where(fagomrade == 0, rng.lognormal(np.log(2.5 + s_age / 40), 0.8, n), rng.lognormal(np.log(18), 0.9, n))
    los_hours = np.where(inpatient, np.maximum(los * 24, 14), rng.uniform(1, 7, n)).astype(np.int64) * 3600

    # Ready for discharge (somatic inpatients, mostly the elderly); some wait for a municipal place.
    north = codes.north[strata.kommune[stratum]]
    ready = inpatient & (fagomrade == 0) & (rng.random(n) < np.select([s_age >= 80, s_age >= 67], [0.3, 0.15], 0.02))
    waits = ready & (rng.random(n) < np.where(north, 0.5, 0.2))
    waiting_days = np.where(waits, rng.geometric(1 / 3.4, n), 0)
    los_hours = np.maximum(los_hours, (waiting_days + 1) * 86400)
    ready_back = np.where(waits, waiting_days * 86400 + rng.integers(0, 4 * 3600, n), rng.integers(0, 6 * 3600, n))

    ut = np.concatenate([discharge, np.zeros(readmit.sum(), np.int64)])
    inn = ut - los_hours
    inn[follow_up] = discharge[readmit] + gap
    ut[follow_up] = inn[follow_up] + los_hours[follow_up]
    ready_at = np.maximum(ut - ready_back, inn)

    dies = inpatient & (rng.random(n) < np.select([s_age >= 80, s_age >= 67], [0.05, 0.02], 0.003))
    dies[: len(readmit)] &= ~readmit  # a person readmitted later did not die at the first discharge
    older = s_age >= 67
    destination = np.where(
        ready[:, None],
        [0.05, 0.45, 0.4, 0.1, 0.0, 0.0],
        np.where(older[:, None], [0.6, 0.25, 0.05, 0.05, 0.0, 0.05], [0.9, 0.03, 0.0, 0.04, 0.0, 0.03]),
    )
    destination = _pick(rng, destination)
    destination[dies] = 4

    # Discharge letters: mostly the same or the next day, some late, a few never sent.
    delay_days = _pick(rng, np.tile([0.52, 0.2, 0.18, 0.06, 0.04], (n, 1)))
    delay = np.select(
        [delay_days == 0, delay_days == 1, delay_days == 2, delay_days == 3],
        [0, 1, rng.integers(2, 8, n), rng.integers(8, 31, n)],
        -1,
    )
    letter_missing = (delay < 0) | (dies & (rng.random(n) < 0.5))
    letter = (ut // 86400 + np.maximum(delay, 0)) * 86400 + rng.integers(8 * 3600, 16 * 3600, n)
    letter = np.maximum(letter, ut)

    keep = ut < data_end  # the data end with the last year: later readmissions are not yet in the register
    order = np.flatnonzero(keep)
    stratum, member, n = stratum[order], member[order], len(order)
    kommune, bydel = _residence(rng, codes, strata, stratum)
    return pa.table(
        {
            "stay_id": _hex_ids("O", _scramble(np.arange(n) + (year % 100) * (1 << 28), seed * 31 + 7), 10),
            "person_id": _person_ids(strata, stratum, member, year, seed),
            "kjonn": _take(list(contract.SEX), strata.sex[stratum]),
            "alder": pa.array(strata.age[stratum], pa.int64()),
            "kommune": kommune,
            "bydel": bydel,
            "behandlende_hf": _hospital(rng, codes, strata, stratum),
            "omsorgsniva": _take(["dag", "dogn"], inpatient[order].astype(np.int64)),
            "innleggelsesmate": _take(["elektiv", "akutt"], acute[order].astype(np.int64)),
            "fagomrade": _take(list(contract.FAGOMRADER), fagomrade[order]),
            "hovedtilstand": _diagnoses(rng, fagomrade[order], strata.age[stratum]),
            "inn_tid": _timestamps(inn[order]),
            "ut_tid": _timestamps(ut[order]),
            "utskrivningsklar_tid": _timestamps(ready_at[order], ~ready[order]),
            "utskrevet_til": _take(
                ["hjem", "hjem_med_tjenester", "sykehjem", "annen_institusjon", "dod", "annet"], destination[order]
            ),
            "epikrise_sendt_tid": _timestamps(letter[order], letter_missing[order]),
        }
    )


def _contacts(rng, *, codes: Codes, strata: Strata, year: int, n: int, first: int, seed: int) -> pa.Table:
    """`n` contacts of `year`, numbered from `first` (the year is written in parts to bound memory)."""
    start, end = _year_bounds(year)
    stratum = _draw(rng, strata, 1.0 + 0.03 * strata.age, n)
    age = strata.age[stratum]
    fagomrade = _fagomrade(rng, age, 0.12, 0.12, 0.03)
    # Mental-health patients are a small group with many contacts each: only the first tenth of each stratum's
    # members can be one, so the share of adults with a severe diagnosis stays plausible (a few per cent).
    share = np.where(fagomrade == 0, 1.0, 0.1)
    member = (rng.random(n) * np.maximum(strata.pop[stratum], 1) * share).astype(np.int64)
    remote_share = np.select([fagomrade == 0, fagomrade == 3], [0.15, 0.3], 0.35)
    form = np.where(rng.random(n) < remote_share, np.where(rng.random(n) < 0.4, 1, 2), 0)
    moment = start + rng.integers(0, (end - start) // 86400, n) * 86400 + rng.integers(8 * 3600, 16 * 3600, n)
    kommune, bydel = _residence(rng, codes, strata, stratum)
    diagnosis = _diagnoses(rng, fagomrade, age)
    diagnosis = pc.if_else(pa.array(rng.random(n) < 0.03), pa.scalar(None, pa.string()), diagnosis)
    return pa.table(
        {
            "contact_id": _hex_ids("K", _scramble(first + np.arange(n) + (year % 100) * (1 << 28), seed * 37 + 5), 10),
            "person_id": _person_ids(strata, stratum, member, year, seed),
            "kjonn": _take(list(contract.SEX), strata.sex[stratum]),
            "alder": pa.array(age, pa.int64()),
            "kommune": kommune,
            "bydel": bydel,
            "behandlende_hf": _hospital(rng, codes, strata, stratum),
            "fagomrade": _take(list(contract.FAGOMRADER), fagomrade),
            "kontaktform": _take(["fysisk", "video", "telefon"], form),
            "tid": _timestamps(moment),
            "hovedtilstand": diagnosis,
        }
    )


def _assessments(rng, *, codes: Codes, strata: Strata, year: int, scale: float, seed: int) -> pa.Table:
    start, _end = _year_bounds(year)
    days = (_end - start) // 86400
    age = strata.age
    # Share of each age group with municipal care (KPR 2021: home services 90+ 746, 80–89 365, 67–79 103 per 1 000).
    users_share = np.select([age >= 90, age >= 80, age >= 67, age >= 50], [0.75, 0.37, 0.1, 0.02], 0.005)
    per_user = 1.4
    factor = ASSESSMENTS * scale / (per_user * float((strata.pop * users_share).sum()))
    users = rng.binomial(strata.pop, np.minimum(users_share * factor, 1.0))
    stratum = np.repeat(np.arange(len(users)), users)
    member = np.arange(len(stratum)) - np.repeat(np.cumsum(users) - users, users)  # the first members are users
    repeats = 1 + rng.poisson(per_user - 1, len(stratum))
    stratum, member = np.repeat(stratum, repeats), np.repeat(member, repeats)
    n = len(stratum)
    a = age[stratum]
    day = rng.integers(0, days, n)
    # Some persons are assessed twice on the same day: ties the "latest assessment" rule must break.
    same_day = np.r_[False, (member[1:] == member[:-1]) & (stratum[1:] == stratum[:-1])] & (rng.random(n) < 0.05)
    day[same_day] = day[np.flatnonzero(same_day) - 1]
    older = np.clip((a - 60) / 40, 0, 1)[:, None]
    group = _pick(rng, (1 - older) * [0.3, 0.35, 0.2, 0.1, 0.05] + older * [0.08, 0.22, 0.28, 0.25, 0.17])
    nursing_home = rng.random(n) < np.where(a >= 80, 0.2, 0.06)
    group[nursing_home] = np.where(rng.random(nursing_home.sum()) < 0.7, 4, 3)
    service = np.where(nursing_home, 1, np.where(rng.random(n) < 0.1, 2, 0))
    kommune, bydel = _residence(rng, codes, strata, stratum)
    return pa.table(
        {
            "person_id": _person_ids(strata, stratum, member, year, seed),
            "kjonn": _take(list(contract.SEX), strata.sex[stratum]),
            "alder": pa.array(a, pa.int64()),
            "kommune": kommune,
            "bydel": bydel,
            "vurdert_dato": pa.array((start // 86400 + day).astype("datetime64[D]"), pa.date32()),
            "funksjonsgruppe": pa.array(group, pa.int64(), mask=group == 0),
            "tjeneste": _take(["hjemmetjenester", "sykehjem", "annen"], service),
        }
    )


# --- writing ------------------------------------------------------------------------------------------------------


class _Writer:
    """Appends year chunks to one Parquet or CSV file per table."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt, self.writer = path, fmt, None

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            if self.fmt == "parquet":
                self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            else:
                self.writer = pacsv.CSVWriter(self.path, table.schema)
        if self.fmt == "parquet":
            self.writer.write_table(table, row_group_size=1_000_000)
        else:
            self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


README = """SYNTETISKE DATA – IKKE EKTE PASIENTDATA

Denne mappen er laget av `python manage.py synthetic_data` (Samhandling, generatorversjon {version}).
Alle personer, opphold, kontakter og vurderinger er oppdiktet. Bosted, kjønn og alder er trukket fra
befolkningstallene (SSB), og ratene er omtrentlige og satt for å se troverdige ut. Tallene sier ingenting om
virkelige kommuner, sykehus eller pasienter og skal aldri brukes eller publiseres som styringsinformasjon.

SYNTHETIC DATA – NOT REAL PATIENT DATA. Seed {seed}, scale {scale}, years {years}.
"""


def generate(
    out: Path,
    *,
    scale: float,
    years: list[int],
    seed: int,
    fmt: str = "parquet",
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write opphold, kontakter, iplos and befolkning for `years` to the folder `out`; returns {table: rows}."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(fmt)
    if scale <= 0 or not years:
        raise ValueError("scale must be positive and at least one year given")
    years = sorted(set(years))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda message: None)
    codes = Codes()
    rows = {"opphold": 0, "kontakter": 0, "iplos": 0, "befolkning": 0}
    writers = {name: _Writer(out / f"{name}.{fmt}", fmt) for name in rows}
    try:
        for year in years:
            strata = strata_for(year, codes)
            contacts = round(CONTACTS * scale)
            parts = [
                ("opphold", partial(_stays, codes=codes, strata=strata, year=year, last_year=years[-1], scale=scale)),
                *(
                    (
                        "kontakter",
                        partial(
                            _contacts,
                            codes=codes,
                            strata=strata,
                            year=year,
                            first=first,
                            n=min(CHUNK, contacts - first),
                        ),
                    )
                    for first in range(0, contacts, CHUNK)
                ),
                ("iplos", partial(_assessments, codes=codes, strata=strata, year=year, scale=scale)),
                ("befolkning", lambda _rng, seed, year=year: population_table(year, scale)),
            ]
            for number, (name, make) in enumerate(parts):
                say(f"{name} {year} …")
                table = make(np.random.default_rng([seed, year, number]), seed=seed)
                writers[name].write(table)
                rows[name] += table.num_rows
                del table
    finally:
        for writer in writers.values():
            writer.close()
    description = {
        "synthetic": True,
        "seed": seed,
        "scale": scale,
        "years": years,
        "generator_version": GENERATOR_VERSION,
        "format": fmt,
        "tables": rows,
    }
    (out / "dataset.json").write_text(json.dumps(description, indent=2) + "\n", encoding="utf-8")
    (out / "README.txt").write_text(
        README.format(version=GENERATOR_VERSION, seed=seed, scale=scale, years=", ".join(map(str, years))),
        encoding="utf-8",
    )
    return rows
