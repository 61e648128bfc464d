"""The small-number rules: counts 1–4 hidden, and a count that a total and its neighbours would give away hidden
too, so no table (deviation reports, indicator dashboards) can be subtracted back to a small number."""

import pytest

from samhandling.core.disclosure import (
    DERIVED,
    SMALL,
    SMALL_DENOMINATOR,
    few_cases,
    is_small,
    rate_reason,
    suppress,
    suppressed,
)


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (4, True), (5, False), (4.5, True), (100, False)])
def test_only_counts_from_one_to_four_are_small(count, small):
    assert is_small(count) is small


def test_the_contract_rule_hides_small_numerators_and_small_denominators():
    assert suppressed(3, 100)
    assert suppressed(0, 4)
    assert not suppressed(0, 5)
    assert not suppressed(5, 5)
    assert rate_reason(10, 4) == SMALL_DENOMINATOR
    assert rate_reason(2, 40) == SMALL
    assert rate_reason(0, 40) == ""
    assert rate_reason(None, None) == ""


def test_the_contract_rule_works_on_arrays_too():
    import numpy as np

    assert list(suppressed(np.array([0, 2, 7, 7]), np.array([10, 10, 10, 3]))) == [False, True, False, True]


def test_few_cases():
    assert few_cases(4) and not few_cases(5) and not few_cases(None)


def test_a_lone_small_number_in_a_line_takes_its_smallest_neighbour_with_it():
    values = {"a": 3, "b": 10, "c": 20, "total": 33}
    reasons = suppress(values, [(["a", "b", "c"], "total")])
    assert reasons == {"a": SMALL, "b": DERIVED, "c": "", "total": ""}


def test_a_line_with_two_hidden_numbers_needs_nothing_more():
    values = {"a": 3, "b": 2, "c": 20, "total": 25}
    assert suppress(values, [(["a", "b", "c"], "total")]) == {"a": SMALL, "b": SMALL, "c": "", "total": ""}


def test_zero_is_hidden_only_when_nothing_else_is_left():
    values = {"a": 3, "b": 0, "c": 20, "total": 23}
    assert suppress(values, [(["a", "b", "c"], "total")])["c"] == DERIVED  # a non-zero part first
    values = {"a": 3, "b": 0, "total": 3}
    reasons = suppress(values, [(["a", "b"], "total")])
    assert reasons["total"] == SMALL and reasons["b"] == ""  # total 3 is itself small: two hidden, done


def test_a_hidden_total_with_every_part_shown_hides_a_part():
    values = {"a": 10, "b": 20, "total": 30}
    reasons = suppress(values, [(["a", "b"], "total")], hidden={"total": SMALL})
    assert reasons == {"a": DERIVED, "b": "", "total": SMALL}


def test_hiding_spreads_across_crossing_lines_until_none_gives_a_number_away():
    # A 2 × 2 table with row and column totals: hiding one cell forces a second in its row and its column.
    values = {"r1c1": 2, "r1c2": 9, "r2c1": 8, "r2c2": 30, "r1": 11, "r2": 38, "c1": 10, "c2": 39}
    lines = [(["r1c1", "r1c2"], "r1"), (["r2c1", "r2c2"], "r2"), (["r1c1", "r2c1"], "c1"), (["r1c2", "r2c2"], "c2")]
    reasons = suppress(values, lines)
    for parts, total in lines:
        assert sum(1 for key in (*parts, total) if reasons[key]) != 1
    assert reasons["r1c1"] == SMALL
