"""A scenario applied to demographically projected activity: change factors per service, their uncertainty by
seeded Monte Carlo (median and 80 % interval) and the capacity the activity needs.

A change factor is a yearly percentage, m(t) = (1 + v/100)^(t − t0), or a target-year value reached linearly,
m(t) = 1 + v/100 · min(1, (t − t0)/(T − t0)); t0 is the last base year. Its range [low, high] is read as an 80 %
interval: v is drawn from a two-piece normal with median v and its 10th/90th percentiles at low/high. A service's
multiplier is the product of its factors' m(t). Since every area shares the scenario's factors, an area's quantiles
are its demographic activity times the multiplier's quantiles (a positive scale keeps quantiles), so the draws run
per service × year, never per area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .need import BEDS, BY_ID, FTE, ROOMS

YEARLY = "yearly"
TARGET = "target"
Z80 = 1.2815515655446004  # the standard normal's 90th percentile
DEFAULT_OCCUPANCY = 0.85
DEFINITION_VERSION = "1"
DEFAULT_DRAWS = 1000
QUANTILES = (0.1, 0.5, 0.9)

RESULT_SCHEMA = pa.schema(
    [
        ("level", pa.string()),
        ("area", pa.string()),
        ("service", pa.string()),
        ("aar", pa.int64()),
        ("demo", pa.float64()),
        ("base_count", pa.float64()),
        ("value", pa.float64()),
        ("p10", pa.float64()),
        ("p50", pa.float64()),
        ("p90", pa.float64()),
        ("capacity_kind", pa.string()),
        ("capacity", pa.float64()),
        ("capacity_p10", pa.float64()),
        ("capacity_p90", pa.float64()),
    ]
)


@dataclass(frozen=True)
class Factor:
    service: str
    category: str
    kind: str
    value: float
    low: float | None = None
    high: float | None = None
    target_year: int | None = None

    def __post_init__(self) -> None:
        if self.service not in BY_ID:
            raise ValueError(f"unknown service {self.service!r}")
        if self.kind not in (YEARLY, TARGET):
            raise ValueError(f"unknown factor kind {self.kind!r}")
        if self.kind == TARGET and self.target_year is None:
            raise ValueError("a target-year factor needs its target year")
        low, high = self.bounds
        if not low <= self.value <= high:
            raise ValueError("the range must contain the factor's value")
        if self.kind == YEARLY and low <= -100:
            raise ValueError("a yearly change cannot be −100 % or less")

    @property
    def bounds(self) -> tuple[float, float]:
        low = self.value if self.low is None else self.low
        high = self.value if self.high is None else self.high
        return low, high

    def multiplier(self, values: np.ndarray, years: np.ndarray, base_year: int) -> np.ndarray:
        """m(t) for each value (rows) and year (columns)."""
        values = np.asarray(values, dtype=float)[:, None]
        elapsed = (np.asarray(years) - base_year)[None, :]
        if self.kind == YEARLY:
            return (1 + values / 100) ** elapsed
        span = max(int(self.target_year) - base_year, 1)
        return 1 + values / 100 * np.clip(elapsed / span, 0, 1)

    def draw(self, rng: np.random.Generator, draws: int) -> np.ndarray:
        low, high = self.bounds
        z = rng.standard_normal(draws)
        # A yearly change drawn at or below −100 % would flip signs; it is held just above.
        drawn = self.value + np.where(z < 0, (self.value - low), (high - self.value)) / Z80 * z
        return np.maximum(drawn, -99.9) if self.kind == YEARLY else drawn


@dataclass(frozen=True)
class Capacity:
    occupancy: float = DEFAULT_OCCUPANCY  # target bed occupancy
    room_days: float = 230.0  # outpatient days a room is open per year
    room_hours: float = 8.0  # opening hours per day
    contact_minutes: float = 45.0  # room time per outpatient contact
    fte_per_user: dict[str, float] = field(default_factory=dict)  # årsverk per municipal user, per service

    def __post_init__(self) -> None:
        if not 0 < self.occupancy <= 1:
            raise ValueError("the occupancy must be above 0 and at most 1")
        if min(self.room_days, self.room_hours, self.contact_minutes) <= 0:
            raise ValueError("opening days, hours and minutes per contact must be positive")
        if any(value < 0 for value in self.fte_per_user.values()):
            raise ValueError("årsverk per user cannot be negative")

    def per_unit(self, service: str) -> tuple[str | None, float | None]:
        """What one unit of the service's volume needs: (kind, amount), or (None, None)."""
        kind = BY_ID[service].capacity
        if kind == BEDS:
            return kind, 1 / (365 * self.occupancy)
        if kind == ROOMS:
            return kind, self.contact_minutes / (60 * self.room_hours * self.room_days)
        if kind == FTE and service in self.fte_per_user:
            return kind, self.fte_per_user[service]
        return None, None


@dataclass(frozen=True)
class Scenario:
    base_year: int
    factors: tuple[Factor, ...] = ()
    capacity: Capacity = field(default_factory=Capacity)
    draws: int = DEFAULT_DRAWS
    seed: int = 1

    def multipliers(self, services: list[str], years: list[int]) -> dict[str, dict[str, np.ndarray]]:
        """Per service: the deterministic multiplier and its 10th/50th/90th percentiles, each an array over years.

        Draws come from one generator seeded with `seed`, factor by factor in the scenario's order, so the same
        scenario gives the same numbers on any machine.
        """
        rng = np.random.default_rng(self.seed)
        year_array = np.asarray(years)
        central = {s: np.ones(len(years)) for s in services}
        drawn = {s: np.ones((self.draws, len(years))) for s in services}
        for factor in self.factors:
            values = factor.draw(rng, self.draws)
            if factor.service not in central:
                continue
            central[factor.service] = (
                central[factor.service] * factor.multiplier(np.array([factor.value]), year_array, self.base_year)[0]
            )
            drawn[factor.service] = drawn[factor.service] * factor.multiplier(values, year_array, self.base_year)
        out = {}
        for service in services:
            quantiles = np.quantile(drawn[service], QUANTILES, axis=0)
            out[service] = {"value": central[service], "p10": quantiles[0], "p50": quantiles[1], "p90": quantiles[2]}
        return out


def apply(demand: pa.Table, scenario: Scenario) -> pa.Table:
    """The scenario's activity and capacity for every row of `demand` (need.DEMAND_SCHEMA) → RESULT_SCHEMA."""
    if demand.num_rows == 0:
        return RESULT_SCHEMA.empty_table()
    services = sorted(set(demand["service"].to_pylist()))
    years = sorted(set(demand["aar"].to_pylist()))
    factors = scenario.multipliers(services, years)
    service_index = {s: i for i, s in enumerate(services)}
    year_index = {y: i for i, y in enumerate(years)}
    rows_service = np.array([service_index[s] for s in demand["service"].to_pylist()])
    rows_year = np.array([year_index[y] for y in demand["aar"].to_pylist()])
    demo = demand["demo"].to_numpy(zero_copy_only=False).astype(float)
    columns = {}
    for name in ("value", "p10", "p50", "p90"):
        table = np.stack([factors[s][name] for s in services])
        columns[name] = demo * table[rows_service, rows_year]
    kinds, amounts = zip(*(scenario.capacity.per_unit(s) for s in services), strict=True)
    per_unit = np.array([np.nan if a is None else a for a in amounts])[rows_service]
    kind = pa.array([kinds[i] for i in rows_service], pa.string())

    def capacity(values: np.ndarray) -> pa.Array:
        result = values * per_unit
        return pa.array(result, pa.float64(), mask=np.isnan(result))

    return pa.Table.from_arrays(
        [
            demand["level"],
            demand["area"],
            demand["service"],
            demand["aar"],
            demand["demo"],
            demand["base_count"] if "base_count" in demand.column_names else pa.nulls(demand.num_rows, pa.float64()),
            pa.array(columns["value"]),
            pa.array(columns["p10"]),
            pa.array(columns["p50"]),
            pa.array(columns["p90"]),
            kind,
            capacity(columns["value"]),
            capacity(columns["p10"]),
            capacity(columns["p90"]),
        ],
        schema=RESULT_SCHEMA,
    )
