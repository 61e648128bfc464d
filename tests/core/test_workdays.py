"""Working-day arithmetic across Norwegian public holidays, by example and by property."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from samhandling.core.workdays import (
    add_working_days,
    easter_sunday,
    is_working_day,
    public_holidays,
    working_days_between,
)

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


def test_easter_matches_the_calendar():
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2038) == date(2038, 4, 25)


def test_norway_has_twelve_public_holidays_in_2026():
    assert sorted(public_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 4, 2),  # skjærtorsdag
        date(2026, 4, 3),  # langfredag
        date(2026, 4, 5),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 14),  # Kristi himmelfartsdag
        date(2026, 5, 17),
        date(2026, 5, 24),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]


def test_five_working_days_over_easter_2026():
    # Reported Wednesday 1 April: Thursday to Monday are holidays or weekend.
    assert add_working_days(date(2026, 4, 1), 5) == date(2026, 4, 13)


def test_twenty_working_days_over_christmas():
    assert add_working_days(date(2026, 12, 18), 20) == date(2027, 1, 19)


@given(DATES, st.integers(min_value=0, max_value=60))
def test_the_deadline_is_a_working_day_exactly_n_working_days_later(start, days):
    deadline = add_working_days(start, days)
    assert working_days_between(start, deadline) == days
    if days:
        assert is_working_day(deadline)
        assert deadline > start


@given(DATES, st.integers(min_value=1, max_value=40))
def test_more_days_never_give_an_earlier_deadline(start, days):
    assert add_working_days(start, days) > add_working_days(start, days - 1)


@given(DATES)
def test_weekends_and_holidays_are_never_working_days(day):
    if day.weekday() >= 5 or day in public_holidays(day.year):
        assert not is_working_day(day)
    else:
        assert is_working_day(day)


@given(DATES, DATES)
def test_working_days_between_adds_up(a, b):
    start, end = min(a, b), max(a, b)
    middle = start + (end - start) // 2
    assert working_days_between(start, end) == working_days_between(start, middle) + working_days_between(middle, end)
    assert working_days_between(start, end) <= (end - start).days
    assert working_days_between(end, start) == 0
    assert working_days_between(start, start + timedelta(days=7)) in range(1, 6)
