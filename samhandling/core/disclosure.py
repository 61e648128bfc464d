"""The small-number rules, once, in plain Python: the deviation reports, the indicator engine and the selectors all
ask here whether a number may be shown. Imports nothing from Django, so the engine can use it on a Spark cluster.

Two rules:
- a count from 1 to 4, or a rate whose denominator is below 5, is hidden (`is_small`, `suppressed`);
- a count that could be worked out from a total and the numbers shown beside it is hidden too (`suppress`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

SMALL_NUMBER_LIMIT = 5  # counts below this (and above zero) are hidden
SUPPRESS_NUMERATOR_MAX = SMALL_NUMBER_LIMIT - 1  # numerators 1 … 4
SUPPRESS_DENOMINATOR_BELOW = SMALL_NUMBER_LIMIT  # denominators 0 … 4

# Why a number is hidden ("" when it is shown).
SMALL = "small"  # a count from 1 to 4
DERIVED = "derived"  # could be worked out from a total and the numbers shown beside it
FEW_CASES = "few_cases"  # a share or median computed from fewer than 5 cases
SMALL_DENOMINATOR = "small_denominator"  # a rate whose denominator is below 5


def is_small(count: float) -> bool:
    """A count from 1 to 4."""
    return 0 < count < SMALL_NUMBER_LIMIT


def suppressed(numerator: Any, denominator: Any) -> Any:
    """The indicator contract's rule: hidden when the numerator is 1–4 or the denominator below 5.

    Works on plain numbers (returns bool), on NumPy/pandas arrays and on Ibis columns alike, so the engine and the
    web side apply the very same rule.
    """
    return ((numerator >= 1) & (numerator <= SUPPRESS_NUMERATOR_MAX)) | (denominator < SUPPRESS_DENOMINATOR_BELOW)


def rate_reason(numerator: float | None, denominator: float | None) -> str:
    """Why a rate is hidden under the contract's rule (SMALL_DENOMINATOR, SMALL or "")."""
    if denominator is not None and denominator < SUPPRESS_DENOMINATOR_BELOW:
        return SMALL_DENOMINATOR
    if numerator is not None and 1 <= numerator <= SUPPRESS_NUMERATOR_MAX:
        return SMALL
    return ""


def few_cases(base: int | None) -> bool:
    """A share or a median computed from fewer than 5 cases says too much about each of them."""
    return base is not None and base < SMALL_NUMBER_LIMIT


def suppress(
    values: Mapping[Hashable, float],
    lines: Iterable[tuple[Sequence[Hashable], Hashable]] = (),
    *,
    hidden: Mapping[Hashable, str] | None = None,
) -> dict[Hashable, str]:
    """Why each count is hidden ("" when it is shown).

    Every count from 1 to 4 is hidden (SMALL); 0 and 5 or more are shown. `lines` are the sums a reader can check:
    (parts, total) with the parts adding up to the total. A line with exactly one hidden number would give it away,
    so the smallest shown part (a non-zero one first) is hidden as well (DERIVED), until no line has exactly one.
    `hidden` gives numbers already hidden elsewhere (the period totals), so every table hides them alike.
    """
    reasons = {key: SMALL if is_small(value) else "" for key, value in values.items()}
    for key, reason in (hidden or {}).items():
        if reason and key in reasons and not reasons[key]:
            reasons[key] = reason
    checked = [(list(parts), total) for parts, total in lines]
    changed = True
    while changed:
        changed = False
        for parts, total in checked:
            if sum(1 for key in (*parts, total) if reasons[key]) != 1:
                continue
            shown = [key for key in parts if not reasons[key]]
            if shown:
                candidates = [key for key in shown if values[key]] or shown
                pick = min(candidates, key=lambda key: values[key])
            else:
                pick = total
            reasons[pick] = DERIVED
            changed = True
    return reasons
