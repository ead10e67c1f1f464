"""Tests for the working-day calendars: the protocol, the built-ins and the official Chinese one."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from communitygov.errors import CalendarDataUnavailable, DefinitionError, WrongType
from communitygov.kernel.calendars import (
    CALENDAR_DAYS,
    WEEKDAYS,
    Calendar,
    CalendarDays,
    WeekdayCalendar,
)
from communitygov.kernel.chinese_calendar import ChineseOfficialCalendar

CN = ChineseOfficialCalendar()


# --- the protocol ------------------------------------------------------------------------


@attrs.frozen
class _OneYearCalendar:
    """A user calendar, written the way the Calendar docstring suggests."""

    name: str = "one year"

    def is_working_day(self, day: date) -> bool:
        if day.year != 2025:
            raise CalendarDataUnavailable(self.name, day.year, known=(2025, 2025))
        return day.weekday() < 5


@pytest.mark.parametrize(
    "calendar", [CALENDAR_DAYS, WEEKDAYS, CN, WeekdayCalendar(name="x"), _OneYearCalendar()]
)
def test_every_calendar_satisfies_the_protocol(calendar: Calendar) -> None:
    assert isinstance(calendar, Calendar)
    assert isinstance(calendar.name, str)
    assert calendar.name


def test_builtin_names() -> None:
    assert CALENDAR_DAYS.name == "calendar days"
    assert WEEKDAYS.name == "weekdays"
    assert CN.name == "official Chinese"


def test_calendars_are_values() -> None:
    assert CalendarDays() == CALENDAR_DAYS
    assert WeekdayCalendar() == WEEKDAYS
    assert ChineseOfficialCalendar() == CN
    assert hash(ChineseOfficialCalendar()) == hash(CN)
    assert CN != WEEKDAYS
    assert len({CALENDAR_DAYS, WEEKDAYS, CN, ChineseOfficialCalendar()}) == 3
    assert repr(CN) == "ChineseOfficialCalendar()"


# --- what is not a day -------------------------------------------------------------------

SHIPPED = [CALENDAR_DAYS, WEEKDAYS, WeekdayCalendar(name="town", known_years=(2025, 2026)), CN]

# A datetime is a date to Python, but its day depends on the zone it is told in.
not_days = st.one_of(
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.dates().map(date.isoformat),
    st.none(),
    st.integers(),
    st.lists(st.dates(), max_size=2),  # not even hashable
)


@pytest.mark.parametrize("calendar", SHIPPED, ids=repr)
@pytest.mark.parametrize(
    "value", [datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01", None]
)
def test_a_calendar_refuses_what_is_not_a_day(calendar: Calendar, value: object) -> None:
    with pytest.raises(WrongType) as refused:
        calendar.is_working_day(value)  # type: ignore[arg-type]
    assert refused.value.field == "day"
    assert refused.value.value is value
    assert refused.value.expected == "a date (a datetime.date, not a datetime)"


@given(st.sampled_from(SHIPPED), not_days)
def test_a_calendar_answers_only_for_a_day(calendar: Calendar, value: object) -> None:
    with pytest.raises(WrongType) as refused:
        calendar.is_working_day(value)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("day", value)


# --- CalendarDays and WeekdayCalendar ----------------------------------------------------


@given(st.dates())
def test_calendar_days_count_every_day(day: date) -> None:
    assert CALENDAR_DAYS.is_working_day(day) is True


@given(st.dates())
def test_weekdays_are_monday_to_friday(day: date) -> None:
    assert WEEKDAYS.is_working_day(day) is (day.weekday() < 5)


def test_weekday_calendar_with_a_holiday_and_an_extra_working_day() -> None:
    labour_day = date(2025, 5, 1)  # a Thursday
    worked_sunday = date(2025, 4, 27)
    town = WeekdayCalendar(
        name="town", holidays=frozenset({labour_day}), extra_working_days=frozenset({worked_sunday})
    )
    assert WEEKDAYS.is_working_day(labour_day)
    assert not town.is_working_day(labour_day)
    assert not WEEKDAYS.is_working_day(worked_sunday)
    assert town.is_working_day(worked_sunday)
    assert town.is_working_day(date(2025, 5, 2))  # an ordinary Friday
    assert not town.is_working_day(date(2025, 5, 3))  # an ordinary Saturday


def test_weekday_calendar_accepts_any_iterable_of_dates() -> None:
    town = WeekdayCalendar(holidays=[date(2025, 5, 1)], extra_working_days=(date(2025, 4, 27),))
    assert town.holidays == frozenset({date(2025, 5, 1)})
    assert town.extra_working_days == frozenset({date(2025, 4, 27)})
    assert hash(town) == hash(
        WeekdayCalendar(holidays={date(2025, 5, 1)}, extra_working_days=[date(2025, 4, 27)])
    )


def test_weekday_calendar_rejects_a_day_both_off_and_worked() -> None:
    day = date(2025, 5, 1)
    with pytest.raises(DefinitionError, match="2025-05-01"):
        WeekdayCalendar(name="town", holidays=[day], extra_working_days=[day])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"holidays": None}, "holidays"),
        ({"holidays": "2025-05-01"}, "holidays"),
        ({"extra_working_days": [datetime(2025, 4, 27)]}, "extra_working_days"),
        ({"known_years": (2025,)}, "known_years"),  # was an IndexError when first asked
        ({"known_years": (2025, "2026")}, "known_years"),
        ({"known_years": 2025}, "known_years"),
        ({"name": None}, "name"),
    ],
)
def test_weekday_calendar_refuses_values_of_another_type(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(WrongType) as caught:
        WeekdayCalendar(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_weekday_calendar_takes_known_years_as_any_pair() -> None:
    assert WeekdayCalendar(known_years=[2025, 2026]).known_years == (2025, 2026)


def test_weekday_calendar_rejects_backwards_known_years() -> None:
    with pytest.raises(DefinitionError, match="known_years"):
        WeekdayCalendar(known_years=(2026, 2025))


@given(st.dates())
def test_weekday_calendar_with_known_years_refuses_to_guess(day: date) -> None:
    town = WeekdayCalendar(name="town", known_years=(2025, 2026))
    if 2025 <= day.year <= 2026:
        assert town.is_working_day(day) is (day.weekday() < 5)
    else:
        with pytest.raises(CalendarDataUnavailable) as info:
            town.is_working_day(day)
        assert info.value.year == day.year
        assert info.value.known == (2025, 2026)


# --- the official Chinese calendar -------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [date(2025, 1, 26), date(2025, 10, 11), date(2026, 1, 4), date(2026, 10, 10)],
)
def test_make_up_working_days_are_working_days(day: date) -> None:
    assert day.weekday() >= 5  # a weekend day …
    assert CN.is_working_day(day)  # … worked in lieu (调休)


@pytest.mark.parametrize(
    "day",
    [date(2025, 10, 1), date(2025, 10, 8), date(2025, 1, 28), date(2026, 1, 1)],
)
def test_public_holidays_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5
    assert not CN.is_working_day(day)


def test_known_years_come_from_the_data() -> None:
    first, last = CN.known_years
    assert first <= 2004
    assert last >= 2026


@pytest.mark.parametrize("year", [2027, 2003])
def test_years_without_data_raise(year: int) -> None:
    with pytest.raises(CalendarDataUnavailable) as info:
        CN.is_working_day(date(year, 6, 1))
    assert info.value.year == year
    assert info.value.calendar == "official Chinese"
    assert info.value.known == CN.known_years
    assert str(year) in str(info.value)
    assert "official Chinese" in str(info.value)


@given(st.dates())
def test_chinese_calendar_answers_or_refuses_never_anything_else(day: date) -> None:
    first, last = CN.known_years
    if first <= day.year <= last:
        assert isinstance(CN.is_working_day(day), bool)
    else:
        with pytest.raises(CalendarDataUnavailable) as info:
            CN.is_working_day(day)
        assert info.value.year == day.year


def test_without_the_extra_counting_on_the_official_calendar_names_it() -> None:
    # The shipped procedures count on the official calendar, which reads its data only when a
    # day is asked about: without the cn extra the library imports, a procedure is defined,
    # and counting a period names the extra to install and how to count on another calendar.
    code = """
import sys
sys.modules["chinese_calendar"] = None  # makes the import fail
from datetime import date
import communitygov as cg

shipped = cg.ONE_SOLICITATION_THREE_DELIBERATIONS
assert shipped.calendar == cg.ChineseOfficialCalendar()
for ask in (
    lambda: shipped.calendar.is_working_day(date(2025, 10, 1)),
    lambda: shipped.calendar.known_years,
    lambda: cg.last_day(date(2025, 9, 30), cg.Period.days(1), shipped.calendar),
):
    try:
        ask()
    except cg.MissingExtra as error:
        assert error.extra == "cn" and isinstance(error, ImportError), error
        assert "pip install 'communitygov[cn]'" in str(error), error
        assert "with_calendar" in str(error), error
    else:
        raise SystemExit("no MissingExtra")
on_weekdays = shipped.with_calendar(cg.WEEKDAYS)
assert cg.last_day(date(2025, 9, 30), cg.Period.days(1), on_weekdays.calendar) == date(2025, 10, 1)
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
