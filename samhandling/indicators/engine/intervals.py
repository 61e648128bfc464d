"""Confidence intervals and the significance marking, in plain Python (no Django, no NumPy), as England's Fingertips
computes them (PHEindicatormethods; written from the published formulas, not from its GPL code):

- percentages: Wilson's score interval;
- counts and crude rates: Byar's approximation to the exact Poisson interval;
- directly age-standardised rates: Dobson's method (Dobson et al., Stat Med 1991;10:457–62) with Byar's limits for
  the total count, also for non-independent events (a person counted several times);
- the marking against a comparator (the country): the comparator outside the area's 95 % interval means a real
  difference, which is "better" or "worse" by the indicator's direction, and no marking where no direction is better.

Every function returns None where there is nothing to say (no denominator; fewer than 10 events for a DSR), never a
made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist

CONFIDENCE = 0.95
CONTROL_LIMITS = (0.95, 0.998)  # the funnel plot's two pairs of limits
DSR_MIN_COUNT = 10  # below this total count a directly standardised rate gets no value and no limits

BETTER, SIMILAR, WORSE = "better", "similar", "worse"
HIGHER, LOWER = "higher", "lower"  # where the interval lies, before the direction says which is better


def z_value(confidence: float = CONFIDENCE) -> float:
    """The two-sided normal quantile: 1.959964 for 95 %, 3.090232 for 99.8 %."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson(numerator: float, denominator: float, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Wilson's score interval of the proportion numerator/denominator (as a proportion, 0–1)."""
    if denominator is None or numerator is None or denominator <= 0 or numerator < 0 or numerator > denominator:
        return None
    z = z_value(confidence)
    x, n = float(numerator), float(denominator)
    centre = 2 * x + z * z
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    scale = 2 * (n + z * z)
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def byar(count: float, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Byar's limits for a Poisson count (accurate to the exact limits within a fraction of a per cent)."""
    if count is None or count < 0:
        return None
    z = z_value(confidence)
    o = float(count)
    lower = 0.0 if o == 0 else o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    above = o + 1
    upper = above * (1 - 1 / (9 * above) + z / (3 * math.sqrt(above))) ** 3
    return max(0.0, lower), upper


def rate(
    count: float, population: float, multiplier: float, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """Limits of a crude rate count/population × multiplier, from Byar's limits of the count."""
    if population is None or population <= 0:
        return None
    limits = byar(count, confidence)
    if limits is None:
        return None
    return limits[0] / population * multiplier, limits[1] / population * multiplier


def percentage(numerator: float, denominator: float, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Limits of a percentage (0–100) from Wilson's interval."""
    limits = wilson(numerator, denominator, confidence)
    return None if limits is None else (limits[0] * 100, limits[1] * 100)


def dobson(
    value: float | None, variance: float | None, count: float, multiplier: float, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """Dobson's limits of a directly standardised rate.

    `value` is the DSR (already × multiplier), `variance` the variance of the unscaled rate
    (Σᵢ Oᵢ·(wᵢ/nᵢ)² / (Σᵢwᵢ)²), `count` the total number of events O. None when O < 10."""
    if value is None or variance is None or count is None or count < DSR_MIN_COUNT or variance < 0:
        return None
    limits = byar(count, confidence)
    if limits is None:
        return None
    step = math.sqrt(variance / count) * multiplier
    return value + step * (limits[0] - count), value + step * (limits[1] - count)


def dsr_parts(
    counts: Sequence[float], populations: Sequence[float], weights: Sequence[float]
) -> tuple[float, float, float]:
    """(unscaled DSR, its variance, total count) over strata; a blank count is 0, a stratum without people adds
    nothing."""
    total_weight = float(sum(weights))
    value = variance = total = 0.0
    for count, population, weight in zip(counts, populations, weights, strict=True):
        count = float(count or 0)
        total += count
        if not population:
            continue
        share = float(weight) / float(population)
        value += count * share
        variance += count * share * share
    return value / total_weight, variance / (total_weight * total_weight), total


def dsr(
    counts: Sequence[float],
    populations: Sequence[float],
    weights: Sequence[float],
    *,
    multiplier: float = 100_000,
    confidence: float = CONFIDENCE,
) -> tuple[float, float, float] | None:
    """(DSR, lower, upper) by Dobson's method, or None when the total count is below 10."""
    value, variance, total = dsr_parts(counts, populations, weights)
    if total < DSR_MIN_COUNT:
        return None
    limits = dobson(value * multiplier, variance, total, multiplier, confidence)
    assert limits is not None
    return value * multiplier, limits[0], limits[1]


def dsr_non_independent(
    counts: Sequence[float],
    populations: Sequence[float],
    weights: Sequence[float],
    frequencies: dict[int, Sequence[float]],
    *,
    multiplier: float = 100_000,
    confidence: float = CONFIDENCE,
) -> tuple[float, float, float] | None:
    """As `dsr`, for events that are not independent: `frequencies[f]` holds, per stratum, the persons with f events.
    The variance is Σ_f f²·var_f, var_f the variance computed from the persons with f events."""
    value, _variance, total = dsr_parts(counts, populations, weights)
    if total < DSR_MIN_COUNT:
        return None
    variance = sum(f * f * dsr_parts(persons, populations, weights)[1] for f, persons in frequencies.items())
    limits = dobson(value * multiplier, variance, total, multiplier, confidence)
    assert limits is not None
    return value * multiplier, limits[0], limits[1]


def interval(
    unit: str, numerator: float, denominator: float, factor: float, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The interval of a crude value by its unit: Wilson for per cent, Byar for rates."""
    if unit == "percent":
        limits = wilson(numerator, denominator, confidence)
        return None if limits is None else (limits[0] * factor, limits[1] * factor)
    return rate(numerator, denominator, factor, confidence)


def position(limits: tuple[float | None, float | None] | None, comparator: float | None) -> str:
    """HIGHER or LOWER when the comparator lies outside the interval, SIMILAR inside, "" when unknown."""
    if limits is None or comparator is None or limits[0] is None or limits[1] is None:
        return ""
    if limits[0] > comparator:
        return HIGHER
    if limits[1] < comparator:
        return LOWER
    return SIMILAR


def significance(
    limits: tuple[float | None, float | None] | None, comparator: float | None, higher_is_better: bool | None
) -> str:
    """BETTER, SIMILAR or WORSE than the comparator by the indicator's direction; "" without a direction or data."""
    if higher_is_better is None:
        return ""
    where = position(limits, comparator)
    if where == HIGHER:
        return BETTER if higher_is_better else WORSE
    if where == LOWER:
        return WORSE if higher_is_better else BETTER
    return where


def funnel_limits(
    unit: str, centre: float, factor: float, populations: Iterable[float], confidences: Sequence[float] = CONTROL_LIMITS
) -> list[dict]:
    """Control limits around the centre value (the country's) for each denominator size: what an area of that size
    would show by chance alone. Per cent: Wilson around the centre proportion; rates: Byar around the expected
    count. One dict per size: {"denominator", "<confidence>_low", "<confidence>_high"}."""
    rows = []
    for n in populations:
        if n <= 0:
            continue
        row: dict = {"denominator": n}
        expected = centre / factor * n
        for confidence in confidences:
            key = f"{confidence * 100:g}".replace(".", "_")
            if unit == "percent":
                limits = wilson(min(max(expected, 0.0), n), n, confidence)
                low, high = (limits[0] * factor, limits[1] * factor) if limits else (None, None)
            else:
                limits = byar(expected, confidence)
                low, high = (limits[0] / n * factor, limits[1] / n * factor) if limits else (None, None)
            row[f"low_{key}"], row[f"high_{key}"] = low, high
        rows.append(row)
    return rows


def result_intervals(
    row: dict, country: dict | None, *, unit: str, factor: float, higher_is_better: bool | None
) -> dict:
    """What is stored with one result row when a run is loaded: the 95 % limits of the value (Wilson or Byar) and of
    the age-standardised value (Dobson), and the marking against the country's row of the same year and period.

    A suppressed row gets nothing (no limits, no marking): limits would tell the hidden number. The country itself is
    not marked. An age-standardised indicator is marked on its standardised value (age differences are not
    differences in the service); without a standardised interval (fewer than 10 events) it is not marked."""
    empty = {"ci_low": None, "ci_high": None, "std_ci_low": None, "std_ci_high": None, "significance": ""}
    if row.get("suppressed"):
        return empty
    numerator, denominator = row.get("numerator"), row.get("denominator")
    crude = interval(unit, numerator, denominator, factor) if numerator is not None and denominator else None
    std = None
    if row.get("value_std") is not None:
        std = dobson(row["value_std"], row.get("value_std_variance"), numerator, factor)
    result = {
        **empty,
        "ci_low": crude[0] if crude else None,
        "ci_high": crude[1] if crude else None,
        "std_ci_low": std[0] if std else None,
        "std_ci_high": std[1] if std else None,
    }
    if country is None or row.get("level") == "land":
        return result
    if row.get("value_std") is not None or country.get("value_std") is not None:
        result["significance"] = significance(std, country.get("value_std"), higher_is_better)
    else:
        result["significance"] = significance(crude, country.get("value"), higher_is_better)
    return result
