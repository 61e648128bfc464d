"""Fixtures for the indicator web tests: a run with result rows made directly (no engine), covering the country,
every community, Vestfold's municipalities and Oslo's first districts, with one small number that must stay hidden.

Each test module of the web side wraps `make_run()` in its own fixture."""

from samhandling.core.models import Helsefellesskap
from samhandling.indicators.jobstate import result_intervals
from samhandling.indicators.models import Dataset, Result, Run, RunStatus

YEARS = (2024, 2025)
VESTFOLD_MUNICIPALITIES = ("3901", "3903", "3905", "3907", "3909", "3911")
# Færder (3911) has 3 readmissions in 2025: hidden for everyone but analysts. Its raw value is this distinctive number.
HIDDEN_MUNICIPALITY, HIDDEN_VALUE, HIDDEN_TEXT = "3911", 27.2727, "27,3"
INDICATORS = {
    # id: (unit factor, has value_std)
    "reinnleggelse_30d": (100.0, False),
    "overliggerdogn": (1000.0, True),
    "epikrise_innen_1_dag": (100.0, False),
}


def _row(run, indicator, level, area, year, numerator, denominator, *, period="1y") -> Result:
    factor, standardised = INDICATORS[indicator]
    value = numerator / denominator * factor
    suppressed = 0 < numerator < 5 or denominator < 5
    return Result(
        run=run,
        indicator=indicator,
        level=level,
        area=area,
        year=year,
        period=period,
        numerator=numerator,
        denominator=denominator,
        value=value,
        value_std=value * 0.95 if standardised else None,
        suppressed=suppressed,
    )


def make_run(*, synthetic: bool = True, published: bool = True, offset: int = 0) -> Run:
    dataset = Dataset.objects.create(
        name="Testdata", version=f"v{offset}", path="datasets/test", synthetic=synthetic, row_counts={"opphold": 10}
    )
    run = Run.objects.create(
        dataset=dataset,
        definition_version="1",
        dataset_version=dataset.version,
        years=list(YEARS),
        synthetic=synthetic,
        status=RunStatus.PUBLISHED if published else RunStatus.READY,
    )
    rows = []
    for indicator in INDICATORS:
        for year in YEARS:
            bump = (year - 2024) * 5 + offset
            rows.append(_row(run, indicator, "land", "NO", year, 50_000 + bump, 400_000))
            for index, key in enumerate(Helsefellesskap.objects.values_list("reference_key", flat=True)):
                rows.append(_row(run, indicator, "helsefellesskap", key, year, 2_000 + 37 * index + bump, 16_000))
            for index, number in enumerate(VESTFOLD_MUNICIPALITIES):
                if number == HIDDEN_MUNICIPALITY and indicator == "reinnleggelse_30d" and year == 2025:
                    rows.append(_row(run, indicator, "kommune", number, year, 3, 11))
                else:
                    rows.append(_row(run, indicator, "kommune", number, year, 200 + 11 * index + bump, 1_600))
            rows.append(_row(run, indicator, "bydel", "030101", year, 120 + bump, 900))
            rows.append(_row(run, indicator, "bydel", "030102", year, 4, 700))
    annotate(rows)
    Result.objects.bulk_create(rows)
    return run


def annotate(rows: list[Result]) -> None:
    """The limits and the marking the loader stores (jobstate.result_intervals), for rows made directly. No variance
    is made up for the standardised values, so they carry no interval here."""
    fields = ("indicator", "level", "area", "year", "period", "numerator", "denominator", "value", "value_std")

    def as_dict(row: Result) -> dict:
        return {**{name: getattr(row, name) for name in fields}, "suppressed": row.suppressed}

    countries = {(r.indicator, r.year, r.period): as_dict(r) for r in rows if r.level == "land"}
    for row in rows:
        for name, value in result_intervals(as_dict(row), countries.get((row.indicator, row.year, row.period))).items():
            setattr(row, name, value)


# Tertial rows (period T1–T3, stored with the run like the yearly ones). Færder's T1 2025 readmissions (2 of 7) are
# hidden with a distinctive raw value; Oslo's second district has 0 of 3 (a hidden zero: never shown as "0").
TERTIAL_INDICATORS = ("reinnleggelse_30d", "overliggerdogn")
TERTIAL_PERIODS = {2024: ("T1", "T2", "T3"), 2025: ("T1",)}  # 2025 stops after April: no partial T2
HIDDEN_TERTIAL_VALUE, HIDDEN_TERTIAL_TEXT = 28.5714, "28,6"


def add_tertials(run: Run) -> list[Result]:
    rows = []
    for indicator in TERTIAL_INDICATORS:
        for year, periods in TERTIAL_PERIODS.items():
            for index, period in enumerate(periods):
                bump = index * 3 + (year - 2024)
                rows.append(_row(run, indicator, "land", "NO", year, 16_000 + bump, 400_000, period=period))
                for key in Helsefellesskap.objects.values_list("reference_key", flat=True):
                    rows.append(_row(run, indicator, "helsefellesskap", key, year, 700 + bump, 16_000, period=period))
                for number in VESTFOLD_MUNICIPALITIES:
                    if number == HIDDEN_MUNICIPALITY and indicator == "reinnleggelse_30d" and year == 2025:
                        rows.append(_row(run, indicator, "kommune", number, year, 2, 7, period=period))
                    else:
                        rows.append(_row(run, indicator, "kommune", number, year, 60 + bump, 1_600, period=period))
                rows.append(_row(run, indicator, "bydel", "030102", year, 0, 3, period=period))
    annotate(rows)
    Result.objects.bulk_create(rows)
    return rows


def deferred(value):
    """A context value the map and funnel views defer until the template asks (a callable), or a plain value."""
    return value() if callable(value) else value
