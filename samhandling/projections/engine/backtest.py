"""Back-testing a population projection against the population that came: the national error and the spread of the
municipal errors of the total population (the figures the issue states for plain Hamilton–Perry)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Plain Hamilton–Perry, 2024→2025 projected to 2026 (issue 10): the figures to beat.
PLAIN_HAMILTON_PERRY = {"national": 0.26, "median": 0.67, "p90": 2.5, "worst": 26.0}


@dataclass(frozen=True)
class BacktestResult:
    year: int
    municipalities: int
    national: float  # signed error of the national total, in %
    median: float  # median absolute municipal error, in %
    p90: float  # 90th percentile of the absolute municipal errors, in %
    worst: float  # largest absolute municipal error, in %
    worst_municipality: str

    def beats(self, reference: dict[str, float]) -> bool:
        return all(abs(getattr(self, key)) < value for key, value in reference.items())


def _totals(table: pa.Table, year: int, code: str, value: str) -> dict[str, float]:
    rows = table.filter(pc.equal(table["aar"], year))
    grouped = rows.group_by(code).aggregate([(value, "sum")])
    return dict(zip(grouped[code].to_pylist(), grouped[f"{value}_sum"].to_pylist(), strict=True))


def backtest(projected: pa.Table, actual: pa.Table, *, year: int) -> BacktestResult:
    """Compare municipal totals in `year`: `projected` and `actual` both have kommunenummer, aar and antall."""
    ours = _totals(projected, year, "kommunenummer", "antall")
    real = _totals(actual, year, "kommunenummer", "antall")
    codes = sorted(set(ours) & set(real))
    if not codes:
        raise ValueError(f"no municipality has both a projected and an actual population in {year}")
    p = np.array([ours[c] for c in codes], dtype=float)
    a = np.array([real[c] for c in codes], dtype=float)
    errors = np.abs(p - a) / a * 100
    worst = int(np.argmax(errors))
    return BacktestResult(
        year=year,
        municipalities=len(codes),
        national=float((p.sum() - a.sum()) / a.sum() * 100),
        median=float(np.median(errors)),
        p90=float(np.quantile(errors, 0.9)),
        worst=float(errors[worst]),
        worst_municipality=codes[worst],
    )
