"""A scenario applied to demographically projected activity: change factors per service, their uncertainty by
seeded Monte Carlo (median and 80 % interval) and the capacity the activity needs.

A change factor is a yearly percentage, m(t) = (1 + v/100)^(t − t0), or a target-year value reached linearly,
m(t) = 1 + v/100 · min(1, (t − t0)/(T − t0)); t0 is the last base year. Its range [low, high] is read as an 80 %
interval: v is drawn from a two-piece normal with median v and its 10th/90th percentiles at low/high. A service's
multiplier is the product of its factors' m(t). Since every area shares the scenario's factors, an area's quantiles
are its demographic activity times the multiplier's quantiles (a positive scale keeps quantiles), so the draws run
per service × year, never per area.

A shift factor moves a share of one service's activity (A, in its unit) to another (B): one bed-day becoming
`ratio` day stays, say. The share moved is s(t) = 1 − (1 − v/100)^(t − t0) for v % of what remains each year, or
s(t) = v/100 · min(1, (t − t0)/(T − t0)) by a target year; v and its range lie within 0–100 and are drawn like the
other factors. Shifts act on the activity after the services' own factors, in the scenario's order:

    A'(t) = A(t) · (1 − s(t))        B'(t) = B(t) + ratio · s(t) · A(t)

Every service's activity stays a linear combination of the services' demographic activity, with one coefficient
per draw and year. A service that receives activity has more than one term, so its quantiles are taken per area
(the draws × years coefficients applied to that area's terms); every other service keeps the per-service shortcut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .need import BEDS, BY_ID, FTE, ROOMS

YEARLY = "yearly"
TARGET = "target"
Z80 = 1.2815515655446004  # the standard normal's 90th percentile
DEFAULT_OCCUPANCY = 0.85
DEFINITION_VERSION = "2"  # 2: shift factors
DEFAULT_DRAWS = 1000
QUANTILES = (0.1, 0.5, 0.9)
AREA_CHUNK = 256  # areas whose draws are held in memory at once when a service receives a shift

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
    to_service: str | None = None  # set for a shift: the service that takes the activity over
    ratio: float = 1.0  # units of `to_service` per unit of `service` moved

    def __post_init__(self) -> None:
        if self.service not in BY_ID:
            raise ValueError(f"unknown service {self.service!r}")
        if self.is_shift:
            if self.to_service not in BY_ID:
                raise ValueError(f"unknown service {self.to_service!r}")
            if self.to_service == self.service:
                raise ValueError("a shift moves activity to another service")
            if not self.ratio > 0:
                raise ValueError("the conversion ratio must be above 0")
        if self.kind not in (YEARLY, TARGET):
            raise ValueError(f"unknown factor kind {self.kind!r}")
        if self.kind == TARGET and self.target_year is None:
            raise ValueError("a target-year factor needs its target year")
        low, high = self.bounds
        if not low <= self.value <= high:
            raise ValueError("the range must contain the factor's value")
        if self.kind == YEARLY and low <= -100:
            raise ValueError("a yearly change cannot be −100 % or less")
        if self.is_shift and not 0 <= low <= high <= 100:
            raise ValueError("a shift moves between 0 and 100 % of the activity")

    @property
    def is_shift(self) -> bool:
        return self.to_service is not None

    @property
    def bounds(self) -> tuple[float, float]:
        low = self.value if self.low is None else self.low
        high = self.value if self.high is None else self.high
        return low, high

    def multiplier(self, values: np.ndarray, years: np.ndarray, base_year: int) -> np.ndarray:
        """m(t) for each value (rows) and year (columns); for a shift, the share moved s(t)."""
        values = np.asarray(values, dtype=float)[:, None]
        elapsed = (np.asarray(years) - base_year)[None, :]
        if self.is_shift:
            elapsed = np.maximum(elapsed, 0)
            if self.kind == YEARLY:
                return 1 - (1 - values / 100) ** elapsed
            span = max(int(self.target_year) - base_year, 1)
            return values / 100 * np.clip(elapsed / span, 0, 1)
        if self.kind == YEARLY:
            return (1 + values / 100) ** elapsed
        span = max(int(self.target_year) - base_year, 1)
        return 1 + values / 100 * np.clip(elapsed / span, 0, 1)

    def draw(self, rng: np.random.Generator, draws: int) -> np.ndarray:
        low, high = self.bounds
        z = rng.standard_normal(draws)
        # A yearly change drawn at or below −100 % would flip signs; it is held just above.
        drawn = self.value + np.where(z < 0, (self.value - low), (high - self.value)) / Z80 * z
        if self.is_shift:  # a share: never below nothing or above all of it
            return np.clip(drawn, 0, 100)
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

    def services_with(self, services: list[str]) -> list[str]:
        """The services a result has: those with demographic activity, and those a shift moves activity to."""
        found = set(services)
        for factor in self.factors:
            if factor.is_shift and factor.service in found:
                found.add(factor.to_service)
        return sorted(found)

    def coefficients(self, services: list[str], years: list[int]) -> tuple[dict, dict]:
        """Per service, its activity as {source service: coefficient} over the sources' demographic activity: the
        deterministic coefficients (arrays over years) and the drawn ones (draws × years).

        Draws come from one generator seeded with `seed`, factor by factor in the scenario's order, so the same
        scenario gives the same numbers on any machine.
        """
        rng = np.random.default_rng(self.seed)
        year_array = np.asarray(years)
        central = {s: {s: np.ones(len(years))} for s in services}
        drawn = {s: {s: np.ones((self.draws, len(years)))} for s in services}
        shifts = []
        for factor in self.factors:
            values = factor.draw(rng, self.draws)
            if factor.service not in central:
                continue
            if factor.is_shift:
                shifts.append((factor, values))
                continue
            own_central = factor.multiplier(np.array([factor.value]), year_array, self.base_year)[0]
            own_drawn = factor.multiplier(values, year_array, self.base_year)
            for source in central[factor.service]:
                central[factor.service][source] = central[factor.service][source] * own_central
                drawn[factor.service][source] = drawn[factor.service][source] * own_drawn
        for factor, values in shifts:
            share_central = factor.multiplier(np.array([factor.value]), year_array, self.base_year)[0]
            share_drawn = factor.multiplier(values, year_array, self.base_year)
            giver, taker = factor.service, factor.to_service
            for source in list(central[giver]):
                moved_central = central[giver][source] * share_central
                moved_drawn = drawn[giver][source] * share_drawn
                central[taker][source] = central[taker].get(source, 0) + factor.ratio * moved_central
                drawn[taker][source] = drawn[taker].get(source, 0) + factor.ratio * moved_drawn
                central[giver][source] = central[giver][source] - moved_central
                drawn[giver][source] = drawn[giver][source] - moved_drawn
        return central, drawn

    def multipliers(self, services: list[str], years: list[int]) -> dict[str, dict[str, np.ndarray]]:
        """Per service whose activity comes from itself only: the deterministic multiplier and its 10th/50th/90th
        percentiles, each an array over years."""
        central, drawn = self.coefficients(services, years)
        out = {}
        for service in services:
            if set(central[service]) != {service}:
                continue
            quantiles = np.quantile(drawn[service][service], QUANTILES, axis=0)
            out[service] = {
                "value": central[service][service],
                "p10": quantiles[0],
                "p50": quantiles[1],
                "p90": quantiles[2],
            }
        return out


def _with_capacity(scenario: Scenario, base: dict, services: list[str]) -> pa.Table:
    """RESULT_SCHEMA rows from the base columns (level, area, service, aar, demo, base_count as Arrow arrays; value,
    p10, p50, p90 as NumPy arrays), the capacity worked out per service."""
    kinds = {}
    amounts = {}
    for service in services:
        kinds[service], amount = scenario.capacity.per_unit(service)
        amounts[service] = np.nan if amount is None else amount
    row_services = base["service"].to_pylist()
    per_unit = np.array([amounts[s] for s in row_services], dtype=float)
    kind = pa.array([kinds[s] for s in row_services], pa.string())

    def capacity(values: np.ndarray) -> pa.Array:
        result = values * per_unit
        return pa.array(result, pa.float64(), mask=np.isnan(result))

    return pa.Table.from_arrays(
        [
            base["level"],
            base["area"],
            base["service"],
            base["aar"],
            base["demo"],
            base["base_count"],
            pa.array(base["value"], pa.float64()),
            pa.array(base["p10"], pa.float64()),
            pa.array(base["p50"], pa.float64()),
            pa.array(base["p90"], pa.float64()),
            kind,
            capacity(base["value"]),
            capacity(base["p10"]),
            capacity(base["p90"]),
        ],
        schema=RESULT_SCHEMA,
    )


def _receiver_rows(demand: pa.Table, service: str, central: dict, drawn: dict, years: list[int]) -> dict:
    """The rows of a service that takes activity over from others: per area, the sum over its sources of their
    demographic activity times their coefficients, the quantiles taken over that area's draws."""
    sources = sorted(central)
    columns = demand.select(["level", "area", "service", "aar", "demo"]).to_pydict()
    base_counts = demand["base_count"].to_pylist() if "base_count" in demand.column_names else None
    year_index = {y: i for i, y in enumerate(years)}
    keys: dict[tuple[str, str], int] = {}
    present: set[tuple[int, int]] = set()
    own_base: dict[tuple[int, int], float | None] = {}
    least_base: dict[tuple[int, int], float] = {}
    matrices = {source: {} for source in sources}
    for row, (level, area, row_service, year, demo) in enumerate(
        zip(columns["level"], columns["area"], columns["service"], columns["aar"], columns["demo"], strict=True)
    ):
        if row_service not in matrices:
            continue
        index = keys.setdefault((level, area), len(keys))
        cell = (index, year_index[year])
        matrices[row_service][cell] = float(demo or 0.0)
        present.add(cell)
        if base_counts is not None:
            count = base_counts[row]
            if row_service == service:
                own_base[cell] = count
            if count:
                least_base[cell] = min(count, least_base.get(cell, count))
    demos = {}
    for source in sources:
        matrix = np.zeros((len(keys), len(years)))
        for (index, year), value in matrices[source].items():
            matrix[index, year] = value
        demos[source] = matrix
    value = sum(demos[source] * central[source][None, :] for source in sources)
    quantiles = np.empty((len(QUANTILES), len(keys), len(years)))
    for start in range(0, len(keys), AREA_CHUNK):
        chunk = slice(start, start + AREA_CHUNK)
        total = sum(demos[source][chunk, None, :] * drawn[source][None, :, :] for source in sources)
        quantiles[:, chunk, :] = np.quantile(total, QUANTILES, axis=1)
    cells = sorted(present)
    names = list(keys)
    rows_area, rows_year = np.array([c[0] for c in cells], dtype=int), np.array([c[1] for c in cells], dtype=int)
    return {
        "level": pa.array([names[c[0]][0] for c in cells], pa.string()),
        "area": pa.array([names[c[0]][1] for c in cells], pa.string()),
        "service": pa.array([service] * len(cells), pa.string()),
        "aar": pa.array([years[c[1]] for c in cells], pa.int64()),
        "demo": pa.array(demos[service][rows_area, rows_year] if service in demos else np.zeros(len(cells))),
        # The smallest count the numbers rest on, its sources' included, so the small-number rule covers them too.
        "base_count": pa.array([least_base.get(c, own_base.get(c)) for c in cells], pa.float64()),
        "value": value[rows_area, rows_year],
        "p10": quantiles[0][rows_area, rows_year],
        "p50": quantiles[1][rows_area, rows_year],
        "p90": quantiles[2][rows_area, rows_year],
    }


def apply(demand: pa.Table, scenario: Scenario) -> pa.Table:
    """The scenario's activity and capacity for every row of `demand` (need.DEMAND_SCHEMA) → RESULT_SCHEMA; a service
    that a shift moves activity to gets a row wherever one of its sources has one."""
    if demand.num_rows == 0:
        return RESULT_SCHEMA.empty_table()
    services = scenario.services_with(sorted(set(demand["service"].to_pylist())))
    years = sorted(set(demand["aar"].to_pylist()))
    central, drawn = scenario.coefficients(services, years)
    simple = [s for s in services if set(central[s]) == {s}]
    year_index = {y: i for i, y in enumerate(years)}
    mine = demand.filter(pc.is_in(demand["service"], pa.array(simple, pa.string())))
    parts = []
    if mine.num_rows:
        service_index = {s: i for i, s in enumerate(simple)}
        rows_service = np.array([service_index[s] for s in mine["service"].to_pylist()])
        rows_year = np.array([year_index[y] for y in mine["aar"].to_pylist()])
        demo = mine["demo"].to_numpy(zero_copy_only=False).astype(float)
        base = {
            "level": mine["level"],
            "area": mine["area"],
            "service": mine["service"],
            "aar": mine["aar"],
            "demo": mine["demo"],
            "base_count": mine["base_count"]
            if "base_count" in mine.column_names
            else pa.nulls(mine.num_rows, pa.float64()),
        }
        table = np.stack([central[s][s] for s in simple])
        base["value"] = demo * table[rows_service, rows_year]
        quantiles = np.stack([np.quantile(drawn[s][s], QUANTILES, axis=0) for s in simple], axis=1)
        for position, name in enumerate(("p10", "p50", "p90")):
            base[name] = demo * quantiles[position][rows_service, rows_year]
        parts.append(_with_capacity(scenario, base, simple))
    for service in services:
        if service not in simple:
            rows = _receiver_rows(demand, service, central[service], drawn[service], years)
            parts.append(_with_capacity(scenario, rows, [service]))
    return pa.concat_tables(parts) if len(parts) > 1 else parts[0]
