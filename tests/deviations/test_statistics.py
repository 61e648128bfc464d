"""Statistics: medians from histograms equal the plain median, and the cache never serves stale figures."""

import statistics as plain

from hypothesis import given
from hypothesis import strategies as st

from samhandling.deviations import selectors, services


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=200))
def test_the_median_from_a_histogram_is_the_median(values):
    histogram: dict[int, int] = {}
    for value in values:
        histogram[value] = histogram.get(value, 0) + 1
    assert selectors._median_of(histogram) == plain.median(values)


def test_an_empty_histogram_has_no_median():
    assert selectors._median_of({}) is None


def test_cached_statistics_follow_every_change(demo, vestfold, sent_case, django_assert_num_queries):
    from datetime import date

    start, end = date(2020, 1, 1), date(2030, 12, 31)
    before = selectors.statistics(vestfold, start, end)
    assert before.total == 1 and before.share_reporters_answered == 0
    with django_assert_num_queries(1):  # only the change stamp: the figures themselves come from the cache
        again = selectors.statistics(vestfold, start, end)
    assert again == before
    services.deviation_acknowledge(actor=demo.per, case=sent_case)
    services.deviation_answer(actor=demo.per, case=sent_case, answer="Svar")
    after = selectors.statistics(vestfold, start, end)
    assert after.share_reporters_answered == 1
    assert after.median_days_to_answer == 0
    assert [row["status"] for row in after.by_status] == ["answered"]
