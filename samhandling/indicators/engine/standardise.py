"""Direct age standardisation (domain notes §6.1) as Ibis expressions, so DuckDB and Spark compute it alike.

DSR_k = Σ_g (x_kg / n_kg) · W_g / Σ_g W_g · M over the strata g (5-year age band × sex); strata where the area has
no population contribute nothing, since their rate is undefined.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
from ibis.expr.types import IntegerValue, Table

BAND_WIDTH = 5
TOP_BAND_AGE = 90  # the last band is 90+


def age_band(age: IntegerValue) -> IntegerValue:
    """The lower bound of the 5-year band (0, 5, …, 85, 90 for 90+) that an age in whole years falls in."""
    capped = ibis.least(age, TOP_BAND_AGE)
    return (capped - capped % BAND_WIDTH).cast("int64")


def dsr(
    cells: Table,
    standard: Table,
    *,
    by: Sequence[str],
    strata: Sequence[str] = ("kjonn", "band"),
    events: str = "x",
    population: str = "n",
    weight: str = "w",
    multiplier: float = 1000.0,
) -> Table:
    """Directly standardised rate per group `by`.

    `cells` holds one row per group × stratum with the events and the population at risk; `standard` one row per
    stratum with the standard population's weight. Returns `by` + `dsr` (null when no stratum has a population) +
    `dsr_var`, the variance of the unscaled rate Σ x·(w/n)² / (Σw)² that Dobson's confidence limits need.
    """
    strata = list(strata)
    total = standard.aggregate(w_total=standard[weight].cast("float64").sum())
    joined = cells.inner_join(standard, strata).cross_join(total)
    rate = ibis.ifelse(
        joined[population] > 0,
        joined[events].cast("float64") / joined[population].cast("float64"),
        ibis.null("float64"),
    )
    share = ibis.ifelse(
        joined[population] > 0,
        joined[weight].cast("float64") / joined[population].cast("float64") / joined.w_total,
        ibis.null("float64"),
    )
    contribution = rate * joined[weight].cast("float64") / joined.w_total
    return (
        joined.mutate(_contribution=contribution, _variance=joined[events].cast("float64") * share * share)
        .group_by(list(by))
        .aggregate(dsr=ibis._["_contribution"].sum() * multiplier, dsr_var=ibis._["_variance"].sum())
    )
