"""The twelve indicators of INDICATORS.md version 1: metadata (bokmål/nynorsk names, definitions, unit, target) and
their definitions as Ibis expressions over the prepared tables, which DuckDB and PySpark both execute.

A definition returns *units*: one row per counted record with the columns the runner aggregates (see `Kind`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ibis
from ibis.expr.types import Table

DEFINITION_VERSION = "1"

PER_1000 = "per_1000"
PERCENT = "percent"
FACTORS = {PER_1000: 1000.0, PERCENT: 100.0}

# What a definition's units mean to the runner:
# RATIO   — year, kommune, bydel, num, den: a share of records; no population involved.
# EVENTS  — year, kommune, bydel, kjonn, alder, num: events (or days) over the population in the age range.
# PERSONS — year, kommune, bydel, kjonn, alder, person_id, first_time, first_id: distinct persons per area and year
#           over the population; the person's first qualifying record (first_time, then first_id) gives age and sex.
# Every definition also gives `tertial` (1 = January–April, 2 = May–August, 3 = September–December) from the very
# date its year comes from; the runner uses it only for indicators with `tertials` (docs/decisions.md).
RATIO = "ratio"
EVENTS = "events"
PERSONS = "persons"

SEVERE_MENTAL_ILLNESS_CODES = ("F20", "F21", "F25", "F30", "F31", "F32", "F33", "F60", "F61")
READMISSION_AFTER = ibis.interval(hours=8)
READMISSION_WITHIN = ibis.interval(days=30)


@dataclass(frozen=True)
class Sources:
    """The prepared tables of one data set as Ibis tables (None when the data set lacks the table)."""

    opphold: Table | None = None
    kontakter: Table | None = None
    iplos: Table | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name_nb: str
    name_nn: str
    description_nb: str
    description_nn: str
    unit: str
    group: str
    age_min: int | None
    age_max: int | None
    standardised: bool
    target: float | None
    higher_is_better: bool | None
    kind: str = RATIO
    source: str = "opphold"  # the table the definition needs; the indicator is skipped without it
    # Whether tertial values (T1–T3) are computed besides the yearly ones: events dated by one record date, yes;
    # person prevalences over the whole year (latest assessment of the year, treated prevalence), no.
    tertials: bool = True
    units: Callable[[Sources], Table] | None = field(default=None, repr=False, compare=False)

    def name(self, language: str) -> str:
        return self.name_nn if (language or "").startswith("nn") else self.name_nb

    def description(self, language: str) -> str:
        return self.description_nn if (language or "").startswith("nn") else self.description_nb

    @property
    def factor(self) -> float:
        return FACTORS[self.unit]


# --- building blocks -------------------------------------------------------------------------------------------


def _place(t: Table, when) -> dict:
    """The year and the tertial of the record's date `when`, and its municipality and district."""
    return {"year": when.year().cast("int64"), "tertial": tertial_of(when), "kommune": t.kommune, "bydel": t.bydel}


def tertial_of(when):
    """1 for January–April, 2 for May–August, 3 for September–December."""
    return ((when.month() - 1) // 4 + 1).cast("int64")


def _person(t: Table) -> dict:
    return {"kjonn": t.kjonn, "alder": t.alder.cast("int64")}


def _inpatient(t: Table) -> Table:
    return t.filter(t.omsorgsniva == "dogn")


def _ready(t: Table) -> Table:
    """Inpatient stays declared ready for discharge."""
    stays = _inpatient(t)
    return stays.filter(stays.utskrivningsklar_tid.notnull())


def _not_died(t: Table):
    return t.utskrevet_til.fill_null("") != "dod"


def _days_between(later, earlier):
    """Calendar-date difference in days (`date(later) − date(earlier)`), not hours."""
    return later.date().delta(earlier.date(), unit="day").cast("int64")


def _bed_days_after_ready(t: Table):
    return ibis.greatest(_days_between(t.ut_tid, t.utskrivningsklar_tid), 0)


def _ratio(t: Table, when, numerator) -> Table:
    return t.select(**_place(t, when), num=numerator.cast("int64"), den=ibis.literal(1, "int64"))


# --- definitions -------------------------------------------------------------------------------------------------


def _utskrivningsklare_pasienter(s: Sources) -> Table:
    t = _ready(s.opphold)
    return t.select(
        **_place(t, t.ut_tid), **_person(t), person_id=t.person_id, first_time=t.inn_tid, first_id=t.stay_id
    )


def _overliggerdogn(s: Sources) -> Table:
    t = _ready(s.opphold)
    return t.select(**_place(t, t.ut_tid), **_person(t), num=_bed_days_after_ready(t))


def _andel_med_overliggerdogn(s: Sources) -> Table:
    t = _ready(s.opphold)
    return _ratio(t, t.ut_tid, _bed_days_after_ready(t) >= 1)


def _readmissions(s: Sources, *, ready_only: bool) -> Table:
    """Index stays (counted in den) and those followed by an acute inpatient admission (counted in num).

    Readmissions are looked for in the whole table, so an index stay late in a year is followed into next year's
    records when they are present; the runner keeps only the index stays of the years asked for.
    """
    stays = s.opphold
    index = _inpatient(stays)
    index = index.filter(index.fagomrade == "somatikk", _not_died(index))
    if ready_only:
        index = index.filter(index.utskrivningsklar_tid.notnull())
    acute = _inpatient(stays)
    acute = acute.filter(acute.innleggelsesmate == "akutt").select(r_person=acute.person_id, r_inn=acute.inn_tid)
    readmitted = index.semi_join(
        acute,
        [
            index.person_id == acute.r_person,
            acute.r_inn > index.ut_tid + READMISSION_AFTER,
            acute.r_inn <= index.ut_tid + READMISSION_WITHIN,
        ],
    )
    place = _place(index, index.ut_tid)
    denominators = index.select(**place, num=ibis.literal(0, "int64"), den=ibis.literal(1, "int64"))
    numerators = readmitted.select(
        **_place(readmitted, readmitted.ut_tid), num=ibis.literal(1, "int64"), den=ibis.literal(0, "int64")
    )
    return denominators.union(numerators)


def _epikrise(s: Sources) -> Table:
    t = _inpatient(s.opphold)
    t = t.filter(_not_died(t))
    on_time = t.epikrise_sendt_tid.notnull() & (_days_between(t.epikrise_sendt_tid, t.ut_tid) <= 1)
    # A missing letter counts as late: fill_null keeps the comparison's null out of the numerator.
    return _ratio(t, t.ut_tid, on_time.fill_null(False))


def _video_telefon(s: Sources) -> Table:
    t = s.kontakter
    return _ratio(t, t.tid, t.kontaktform.isin(["video", "telefon"]))


def _akutte_innleggelser(s: Sources) -> Table:
    t = _inpatient(s.opphold)
    t = t.filter(t.innleggelsesmate == "akutt")
    # Admissions belong to the year of admission, unlike the other stay indicators.
    return t.select(**_place(t, t.inn_tid), **_person(t), num=ibis.literal(1, "int64"))


def _latest_assessment_in(groups: tuple[int, ...]) -> Callable[[Sources], Table]:
    def units(s: Sources) -> Table:
        t = s.iplos.mutate(year=s.iplos.vurdert_dato.year().cast("int64"))
        # Latest date wins; on equal dates the highest group (no group = no reduced function, the lowest). The last
        # keys only make the choice deterministic on both engines.
        order = [
            t.vurdert_dato.desc(),
            t.funksjonsgruppe.fill_null(0).desc(),
            t.kommune.asc(),
            t.bydel.asc(),
            t.alder.asc(),
        ]
        latest = t.mutate(_rank=ibis.row_number().over(group_by=[t.person_id, t.year], order_by=order))
        latest = latest.filter(latest._rank == 0, latest.funksjonsgruppe.isin(list(groups)))
        return latest.select(**_place(latest, latest.vurdert_dato), **_person(latest), num=ibis.literal(1, "int64"))

    return units


def _alvorlig_psykisk_lidelse(s: Sources) -> Table:
    parts = []
    if s.opphold is not None:
        t = s.opphold
        t = t.filter(t.fagomrade == "phv_voksne", t.hovedtilstand.substr(0, 3).isin(SEVERE_MENTAL_ILLNESS_CODES))
        parts.append(
            t.select(
                **_place(t, t.ut_tid),
                **_person(t),
                person_id=t.person_id,
                first_time=t.inn_tid,
                first_id=t.stay_id,
            )
        )
    if s.kontakter is not None:
        t = s.kontakter
        t = t.filter(t.fagomrade == "phv_voksne", t.hovedtilstand.substr(0, 3).isin(SEVERE_MENTAL_ILLNESS_CODES))
        parts.append(
            t.select(**_place(t, t.tid), **_person(t), person_id=t.person_id, first_time=t.tid, first_id=t.contact_id)
        )
    return parts[0] if len(parts) == 1 else parts[0].union(parts[1])


# --- the catalogue -----------------------------------------------------------------------------------------------

CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        id="utskrivningsklare_pasienter",
        name_nb="Utskrivningsklare pasienter",
        name_nn="Utskrivingsklare pasientar",
        description_nb=(
            "Personer med minst ett døgnopphold i sykehus der de ble meldt utskrivningsklare, per 1 000 innbyggere. "
            "En person telles én gang per område og år, og oppholdet telles i året for utskrivning. "
            "Kilder: sykehusopphold og befolkningen per 1. januar."
        ),
        description_nn=(
            "Personar med minst eitt døgnopphald i sjukehus der dei vart melde utskrivingsklare, per 1 000 "
            "innbyggjarar. Ein person blir talt éin gong per område og år, og opphaldet blir talt i året for "
            "utskriving. Kjelder: sjukehusopphald og folketalet per 1. januar."
        ),
        unit=PER_1000,
        group="utskrivning",
        age_min=None,
        age_max=None,
        standardised=True,
        target=None,
        higher_is_better=False,
        kind=PERSONS,
        units=_utskrivningsklare_pasienter,
    ),
    Indicator(
        id="overliggerdogn",
        name_nb="Overliggerdøgn",
        name_nn="Overliggjardøgn",
        description_nb=(
            "Summen av døgn fra pasienten ble meldt utskrivningsklar til pasienten ble skrevet ut (utskrivningsdato "
            "minus datoen for utskrivningsklar, aldri under null), for døgnopphold, per 1 000 innbyggere. "
            "Kilder: sykehusopphold og befolkningen per 1. januar."
        ),
        description_nn=(
            "Summen av døgn frå pasienten vart meld utskrivingsklar til pasienten vart skriven ut (utskrivingsdato "
            "minus datoen for utskrivingsklar, aldri under null), for døgnopphald, per 1 000 innbyggjarar. "
            "Kjelder: sjukehusopphald og folketalet per 1. januar."
        ),
        unit=PER_1000,
        group="utskrivning",
        age_min=None,
        age_max=None,
        standardised=True,
        target=None,
        higher_is_better=False,
        kind=EVENTS,
        units=_overliggerdogn,
    ),
    Indicator(
        id="andel_utskrivningsklare_med_overliggerdogn",
        name_nb="Andel utskrivningsklare med overliggerdøgn",
        name_nn="Del utskrivingsklare med overliggjardøgn",
        description_nb=(
            "Døgnopphold der pasienten ble meldt utskrivningsklar og hadde minst ett overliggerdøgn, i prosent av "
            "alle døgnopphold der pasienten ble meldt utskrivningsklar. Kilde: sykehusopphold."
        ),
        description_nn=(
            "Døgnopphald der pasienten vart meld utskrivingsklar og hadde minst eitt overliggjardøgn, i prosent av "
            "alle døgnopphald der pasienten vart meld utskrivingsklar. Kjelde: sjukehusopphald."
        ),
        unit=PERCENT,
        group="utskrivning",
        age_min=None,
        age_max=None,
        standardised=False,
        target=None,
        higher_is_better=False,
        kind=RATIO,
        units=_andel_med_overliggerdogn,
    ),
    Indicator(
        id="reinnleggelse_30d",
        name_nb="Reinnleggelser innen 30 dager",
        name_nn="Reinnleggingar innan 30 dagar",
        description_nb=(
            "Somatiske døgnopphold der pasienten ikke døde, som ble fulgt av en akutt innleggelse til døgnopphold "
            "mer enn 8 timer og høyst 30 dager etter utskrivning, i prosent av alle slike opphold. Innleggelser i "
            "alle fagområder teller som reinnleggelse. Kilde: sykehusopphold."
        ),
        description_nn=(
            "Somatiske døgnopphald der pasienten ikkje døydde, som vart følgde av ei akutt innlegging til "
            "døgnopphald meir enn 8 timar og høgst 30 dagar etter utskriving, i prosent av alle slike opphald. "
            "Innleggingar i alle fagområde tel som reinnlegging. Kjelde: sjukehusopphald."
        ),
        unit=PERCENT,
        group="reinnleggelse",
        age_min=None,
        age_max=None,
        standardised=False,
        target=None,
        higher_is_better=False,
        kind=RATIO,
        units=lambda s: _readmissions(s, ready_only=False),
    ),
    Indicator(
        id="reinnleggelse_30d_utskrivningsklare",
        name_nb="Reinnleggelser innen 30 dager for utskrivningsklare",
        name_nn="Reinnleggingar innan 30 dagar for utskrivingsklare",
        description_nb=(
            "Som reinnleggelser innen 30 dager, men bare for opphold der pasienten ble meldt utskrivningsklar. "
            "Kilde: sykehusopphold."
        ),
        description_nn=(
            "Som reinnleggingar innan 30 dagar, men berre for opphald der pasienten vart meld utskrivingsklar. "
            "Kjelde: sjukehusopphald."
        ),
        unit=PERCENT,
        group="reinnleggelse",
        age_min=None,
        age_max=None,
        standardised=False,
        target=None,
        higher_is_better=False,
        kind=RATIO,
        units=lambda s: _readmissions(s, ready_only=True),
    ),
    Indicator(
        id="epikrise_innen_1_dag",
        name_nb="Epikrise sendt innen 1 dag",
        name_nn="Epikrise send innan 1 dag",
        description_nb=(
            "Døgnopphold der pasienten ikke døde, der epikrisen ble sendt senest dagen etter utskrivningsdatoen, "
            "i prosent av alle slike opphold. Opphold uten sendt epikrise teller som for sene. Målet er minst "
            "70 prosent. Kilde: sykehusopphold."
        ),
        description_nn=(
            "Døgnopphald der pasienten ikkje døydde, der epikrisen vart send seinast dagen etter utskrivingsdatoen, "
            "i prosent av alle slike opphald. Opphald utan send epikrise tel som for seine. Målet er minst "
            "70 prosent. Kjelde: sjukehusopphald."
        ),
        unit=PERCENT,
        group="epikrise",
        age_min=None,
        age_max=None,
        standardised=False,
        target=70.0,
        higher_is_better=True,
        kind=RATIO,
        units=_epikrise,
    ),
    Indicator(
        id="andel_video_telefon",
        name_nb="Andel video- og telefonkonsultasjoner",
        name_nn="Del video- og telefonkonsultasjonar",
        description_nb=(
            "Polikliniske kontakter gjennomført på video eller telefon, i prosent av alle polikliniske kontakter. "
            "Målet er minst 15 prosent. Kilde: polikliniske kontakter."
        ),
        description_nn=(
            "Polikliniske kontaktar gjennomførte på video eller telefon, i prosent av alle polikliniske kontaktar. "
            "Målet er minst 15 prosent. Kjelde: polikliniske kontaktar."
        ),
        unit=PERCENT,
        group="digital",
        age_min=None,
        age_max=None,
        standardised=False,
        target=15.0,
        higher_is_better=True,
        kind=RATIO,
        source="kontakter",
        units=_video_telefon,
    ),
    Indicator(
        id="akutte_innleggelser_0_79",
        name_nb="Akutte innleggelser, 0–79 år",
        name_nn="Akutte innleggingar, 0–79 år",
        description_nb=(
            "Akutte innleggelser til døgnopphold for pasienter 0–79 år, per 1 000 innbyggere 0–79 år. "
            "Innleggelsen telles i året den skjedde. Kilder: sykehusopphold og befolkningen per 1. januar."
        ),
        description_nn=(
            "Akutte innleggingar til døgnopphald for pasientar 0–79 år, per 1 000 innbyggjarar 0–79 år. "
            "Innlegginga blir talt i året ho skjedde. Kjelder: sjukehusopphald og folketalet per 1. januar."
        ),
        unit=PER_1000,
        group="akutt",
        age_min=0,
        age_max=79,
        standardised=True,
        target=None,
        higher_is_better=False,
        kind=EVENTS,
        units=_akutte_innleggelser,
    ),
    Indicator(
        id="akutte_innleggelser_80_pluss",
        name_nb="Akutte innleggelser, 80 år og eldre",
        name_nn="Akutte innleggingar, 80 år og eldre",
        description_nb=(
            "Akutte innleggelser til døgnopphold for pasienter 80 år og eldre, per 1 000 innbyggere 80 år og eldre. "
            "Innleggelsen telles i året den skjedde. Kilder: sykehusopphold og befolkningen per 1. januar."
        ),
        description_nn=(
            "Akutte innleggingar til døgnopphald for pasientar 80 år og eldre, per 1 000 innbyggjarar 80 år og "
            "eldre. Innlegginga blir talt i året ho skjedde. Kjelder: sjukehusopphald og folketalet per 1. januar."
        ),
        unit=PER_1000,
        group="akutt",
        age_min=80,
        age_max=None,
        standardised=True,
        target=None,
        higher_is_better=False,
        kind=EVENTS,
        units=_akutte_innleggelser,
    ),
    Indicator(
        id="skropelige_eldre",
        name_nb="Skrøpelige eldre",
        name_nn="Skrøpelege eldre",
        description_nb=(
            "Personer 75 år og eldre der den siste IPLOS-vurderingen i året har funksjonsgruppe 3 eller 4, per "
            "1 000 innbyggere 75 år og eldre. Har en person flere vurderinger samme dag, gjelder den høyeste "
            "gruppen. Kilder: IPLOS-vurderinger i kommunen og befolkningen per 1. januar."
        ),
        description_nn=(
            "Personar 75 år og eldre der den siste IPLOS-vurderinga i året har funksjonsgruppe 3 eller 4, per "
            "1 000 innbyggjarar 75 år og eldre. Har ein person fleire vurderingar same dag, gjeld den høgaste "
            "gruppa. Kjelder: IPLOS-vurderingar i kommunen og folketalet per 1. januar."
        ),
        unit=PER_1000,
        group="eldre",
        age_min=75,
        age_max=None,
        standardised=True,
        target=None,
        higher_is_better=None,
        kind=EVENTS,
        source="iplos",
        tertials=False,
        units=_latest_assessment_in((3, 4)),
    ),
    Indicator(
        id="noe_skropelige_eldre",
        name_nb="Noe skrøpelige eldre",
        name_nn="Noko skrøpelege eldre",
        description_nb=(
            "Personer 75 år og eldre der den siste IPLOS-vurderingen i året har funksjonsgruppe 1 eller 2, per "
            "1 000 innbyggere 75 år og eldre. Har en person flere vurderinger samme dag, gjelder den høyeste "
            "gruppen. Kilder: IPLOS-vurderinger i kommunen og befolkningen per 1. januar."
        ),
        description_nn=(
            "Personar 75 år og eldre der den siste IPLOS-vurderinga i året har funksjonsgruppe 1 eller 2, per "
            "1 000 innbyggjarar 75 år og eldre. Har ein person fleire vurderingar same dag, gjeld den høgaste "
            "gruppa. Kjelder: IPLOS-vurderingar i kommunen og folketalet per 1. januar."
        ),
        unit=PER_1000,
        group="eldre",
        age_min=75,
        age_max=None,
        standardised=True,
        target=None,
        higher_is_better=None,
        kind=EVENTS,
        source="iplos",
        tertials=False,
        units=_latest_assessment_in((1, 2)),
    ),
    Indicator(
        id="alvorlig_psykisk_lidelse",
        name_nb="Personer med alvorlig psykisk lidelse",
        name_nn="Personar med alvorleg psykisk liding",
        description_nb=(
            "Personer 18 år og eldre med sykehusopphold eller poliklinisk kontakt i psykisk helsevern for voksne "
            "med hovedtilstand F20, F21, F25, F30, F31, F32, F33, F60 eller F61, i prosent av innbyggerne 18 år og "
            "eldre. En person telles én gang per område og år. Kilder: sykehusopphold, polikliniske kontakter og "
            "befolkningen per 1. januar."
        ),
        description_nn=(
            "Personar 18 år og eldre med sjukehusopphald eller poliklinisk kontakt i psykisk helsevern for vaksne "
            "med hovudtilstand F20, F21, F25, F30, F31, F32, F33, F60 eller F61, i prosent av innbyggjarane 18 år "
            "og eldre. Ein person blir talt éin gong per område og år. Kjelder: sjukehusopphald, polikliniske "
            "kontaktar og folketalet per 1. januar."
        ),
        unit=PERCENT,
        group="psykisk",
        age_min=18,
        age_max=None,
        standardised=False,
        target=None,
        higher_is_better=None,
        kind=PERSONS,
        source="opphold|kontakter",
        tertials=False,
        units=_alvorlig_psykisk_lidelse,
    ),
)

_BY_ID = {indicator.id: indicator for indicator in CATALOGUE}


def get(indicator_id: str) -> Indicator:
    """The indicator with this id; KeyError when there is none."""
    return _BY_ID[indicator_id]
