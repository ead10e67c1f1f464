"""Tests for periods and their ends: Civil Code Arts. 201 and 203 on several calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg
from communitygov.errors import (
    CalendarDataUnavailable,
    DefinitionError,
    NaiveDatetime,
    WrongType,
)
from communitygov.kernel.calendars import CALENDAR_DAYS, WEEKDAYS, Calendar, WeekdayCalendar
from communitygov.kernel.chinese_calendar import ChineseOfficialCalendar
from communitygov.kernel.periods import Period, PeriodUnit, last_day, period_end

CN = ChineseOfficialCalendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = timedelta(days=1)

# Starts late enough in the last known year still leave room for the longest generated period.
CN_FIRST = date(CN.known_years[0], 1, 1)
CN_LAST_START = date(CN.known_years[1], 10, 31)
MAX_COUNT = 20


# --- strategies --------------------------------------------------------------------------


@st.composite
def weekday_calendars(draw: st.DrawFn) -> WeekdayCalendar:
    """Local calendars whose holidays and extra working days cluster around 2025."""
    days = st.dates(date(2024, 12, 1), date(2025, 4, 30))
    holidays = draw(st.frozensets(days, max_size=40))
    extra = draw(st.frozensets(days, max_size=10)) - holidays
    return WeekdayCalendar(name="local", holidays=holidays, extra_working_days=extra)


# Each pairs a calendar with the start days it has data for, far from the data's end.
calendars_and_starts = st.one_of(
    st.tuples(st.just(CALENDAR_DAYS), st.dates(date(1900, 1, 1), date(2200, 12, 31))),
    st.tuples(st.just(WEEKDAYS), st.dates(date(1900, 1, 1), date(2200, 12, 31))),
    st.tuples(weekday_calendars(), st.dates(date(2024, 12, 1), date(2025, 4, 30))),
    st.tuples(st.just(CN), st.dates(CN_FIRST, CN_LAST_START)),
)
units = st.sampled_from(PeriodUnit)
counts = st.integers(min_value=1, max_value=MAX_COUNT)
periods = st.builds(Period, counts, units)


def _working_days_between(calendar: Calendar, after: date, until: date) -> int:
    """How many working days lie in (after, until]."""
    total = 0
    day = after + ONE_DAY
    while day <= until:
        total += calendar.is_working_day(day)
        day += ONE_DAY
    return total


# --- Period and PeriodUnit ---------------------------------------------------------------


def test_units_have_english_and_chinese_labels() -> None:
    assert PeriodUnit.CALENDAR_DAYS.value == "calendar_days"
    assert PeriodUnit.WORKING_DAYS.value == "working_days"
    assert PeriodUnit.CALENDAR_DAYS.label == "calendar days"
    assert PeriodUnit.WORKING_DAYS.label == "working days"
    assert PeriodUnit.CALENDAR_DAYS.zh == "自然日"
    assert PeriodUnit.WORKING_DAYS.zh == "工作日"


def test_period_constructors_and_text() -> None:
    assert Period.days(7) == Period(7, PeriodUnit.CALENDAR_DAYS)
    assert Period.working_days(5) == Period(5, PeriodUnit.WORKING_DAYS)
    assert str(Period.days(7)) == "7 calendar days"
    assert str(Period.working_days(5)) == "5 working days"
    assert str(Period.days(1)) == "1 calendar day"
    assert str(Period.working_days(1)) == "1 working day"
    assert Period.days(7).zh == "7个自然日"
    assert Period.working_days(5).zh == "5个工作日"


def test_periods_are_frozen_values() -> None:
    period = Period.days(7)
    assert hash(period) == hash(Period.days(7))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        period.count = 8  # type: ignore[misc]


@given(st.integers(max_value=0), units)
def test_count_below_one_is_a_definition_error(count: int, unit: PeriodUnit) -> None:
    with pytest.raises(DefinitionError) as info:
        Period(count, unit)
    assert str(count) in str(info.value)


@pytest.mark.parametrize("count", [True, 1.0, "7"])
def test_count_must_be_a_whole_number(count: object) -> None:
    with pytest.raises(DefinitionError):
        Period(count, PeriodUnit.CALENDAR_DAYS)  # type: ignore[arg-type]


def test_unit_must_be_a_period_unit() -> None:
    with pytest.raises(DefinitionError):
        Period(7, "calendar_days")  # type: ignore[arg-type]


@given(st.integers(max_value=0))
def test_helpers_reject_count_below_one(count: int) -> None:
    with pytest.raises(DefinitionError):
        Period.days(count)
    with pytest.raises(DefinitionError):
        Period.working_days(count)


# --- known facts -------------------------------------------------------------------------


def test_five_working_days_across_national_day_2025() -> None:
    # 2025-09-26 is a Friday; 09-28 (Sunday) is worked, 10-01..10-08 are off, 10-11 is worked.
    assert last_day(date(2025, 9, 26), Period.working_days(5), CN) == date(2025, 10, 10)


def test_seven_calendar_days_ending_in_a_holiday_move_past_it() -> None:
    # The nominal last day, 2025-10-03, falls in the National Day holiday (Art. 203).
    assert last_day(date(2025, 9, 26), Period.days(7), CN) == date(2025, 10, 9)


def test_seven_calendar_days_from_a_monday_end_the_next_monday() -> None:
    monday = date(2025, 9, 1)
    assert last_day(monday, Period.days(7), WEEKDAYS) == date(2025, 9, 8)


def test_a_last_day_on_saturday_moves_to_monday() -> None:
    monday = date(2025, 9, 1)
    assert monday + timedelta(days=5) == date(2025, 9, 6)  # a Saturday
    assert last_day(monday, Period.days(5), WEEKDAYS) == date(2025, 9, 8)


def test_working_days_on_weekdays_skip_the_weekend() -> None:
    friday = date(2025, 9, 5)
    assert last_day(friday, Period.working_days(1), WEEKDAYS) == date(2025, 9, 8)
    assert last_day(friday, Period.working_days(5), WEEKDAYS) == date(2025, 9, 12)


def test_a_start_on_a_holiday_still_starts_the_period() -> None:
    saturday = date(2025, 9, 6)
    assert last_day(saturday, Period.working_days(1), WEEKDAYS) == date(2025, 9, 8)
    assert last_day(saturday, Period.days(1), WEEKDAYS) == date(2025, 9, 8)


def test_seven_calendar_days_from_1_march_2026_end_at_midnight_on_the_9th() -> None:
    start = datetime(2026, 3, 1, 15, 30, tzinfo=SHANGHAI)
    end = period_end(start, Period.days(7), CALENDAR_DAYS)
    assert end == datetime(2026, 3, 9, 0, 0, tzinfo=SHANGHAI)
    assert end.tzinfo is SHANGHAI


def test_the_start_day_is_the_local_date() -> None:
    # The same instant is 2026-03-02 in Shanghai and 2026-03-01 in UTC; each counts from its
    # own date.
    local = datetime(2026, 3, 2, 7, 30, tzinfo=SHANGHAI)
    assert period_end(local, Period.days(7), CALENDAR_DAYS) == datetime(
        2026, 3, 10, tzinfo=SHANGHAI
    )
    utc = local.astimezone(UTC)
    assert period_end(utc, Period.days(7), CALENDAR_DAYS) == datetime(2026, 3, 9, tzinfo=UTC)


def test_a_local_calendar_given_as_data() -> None:
    town = WeekdayCalendar(
        name="town",
        holidays=frozenset({date(2025, 5, 1), date(2025, 5, 2)}),
        extra_working_days=frozenset({date(2025, 4, 27)}),
    )
    friday = date(2025, 4, 25)
    # Sunday 04-27 is worked, so the first working day after Friday is that Sunday.
    assert last_day(friday, Period.working_days(1), town) == date(2025, 4, 27)
    # Mon 28, Tue 29, Wed 30 are working days; Thu 1 and Fri 2 May are holidays.
    assert last_day(friday, Period.working_days(5), town) == date(2025, 5, 5)
    # Nominal last day 2025-05-01 is a holiday: the period ends on Monday 05-05.
    assert last_day(date(2025, 4, 24), Period.days(7), town) == date(2025, 5, 5)


@pytest.mark.parametrize(("start", "year"), [(date(2026, 12, 28), 2027), (date(2003, 12, 1), 2003)])
def test_periods_reaching_years_without_data_raise(start: date, year: int) -> None:
    with pytest.raises(CalendarDataUnavailable) as info:
        last_day(start, Period.working_days(10), CN)
    assert info.value.year == year
    assert str(year) in str(info.value)


def test_2027_is_refused_even_for_calendar_days() -> None:
    with pytest.raises(CalendarDataUnavailable) as info:
        period_end(datetime(2026, 12, 30, tzinfo=SHANGHAI), Period.days(7), CN)
    assert info.value.year == 2027


@attrs.frozen
class _NeverWorks:
    name: str = "never"

    def is_working_day(self, day: date) -> bool:
        return False


def test_a_calendar_without_working_days_is_a_definition_error() -> None:
    for period in (Period.days(7), Period.working_days(1)):
        with pytest.raises(DefinitionError, match="never"):
            last_day(date(2025, 1, 1), period, _NeverWorks())


def test_a_period_past_the_last_date_is_out_of_range() -> None:
    near_the_end = date.max - timedelta(days=3)
    for period in (Period.days(7), Period.working_days(7)):
        with pytest.raises(cg.PeriodOutOfRange) as refused:
            last_day(near_the_end, period, CALENDAR_DAYS)
        assert (refused.value.start, refused.value.period) == (near_the_end, str(period))
        assert isinstance(refused.value, cg.CommandRejected)
    with pytest.raises(cg.PeriodOutOfRange):
        period_end(
            datetime.combine(date.max, time(12), tzinfo=UTC),
            Period.days(1),
            CALENDAR_DAYS,
        )


@pytest.mark.parametrize(
    ("days", "offset", "ends"),
    [
        (9, 0, datetime(9999, 12, 30, tzinfo=UTC)),  # the last time kept
        (10, 0, None),
        (9, 8, datetime(9999, 12, 30, tzinfo=timezone(timedelta(hours=8)))),
        (9, -1, None),  # 9999-12-30 00:00-01:00 is 01:00 UTC
    ],
)
def test_a_period_ends_at_the_latest_at_the_last_time_the_library_keeps(
    days: int, offset: int, ends: datetime | None
) -> None:
    start = datetime(9999, 12, 20, 9, tzinfo=timezone(timedelta(hours=offset)))
    if ends is not None:
        assert period_end(start, Period.days(days), CALENDAR_DAYS) == ends
    else:
        with pytest.raises(cg.PeriodOutOfRange) as refused:
            period_end(start, Period.days(days), CALENDAR_DAYS)
        assert str(refused.value) == (
            f"a period of {days} calendar days from 9999-12-20 would end after the last time "
            "the library keeps, 9999-12-30 00:00 UTC"
        )


# --- arguments of another type -----------------------------------------------------------


class _Saturdays:
    """A calendar of one's own that is neither attrs nor a dataclass: only the protocol."""

    name = "Saturdays"

    def is_working_day(self, day: date) -> bool:
        return day.weekday() == 5


def test_a_calendar_of_ones_own_needs_only_the_protocol() -> None:
    monday = date(2026, 3, 2)
    assert last_day(monday, Period.working_days(1), _Saturdays()) == date(2026, 3, 7)
    assert period_end(
        datetime.combine(monday, time(9), tzinfo=SHANGHAI), Period.days(1), _Saturdays()
    ) == datetime(2026, 3, 8, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "start",
    [datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), datetime(2026, 3, 2), "2026-03-02", None, 20260302],
    ids=repr,
)
def test_last_day_counts_from_a_day_only(start: object) -> None:
    with pytest.raises(WrongType) as refused:
        last_day(start, Period.days(7), WEEKDAYS)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("start", start)
    assert refused.value.expected == "a date (a datetime.date, not a datetime)"


@pytest.mark.parametrize("start", [date(2026, 3, 2), "2026-03-02T09:00+08:00", None], ids=repr)
def test_period_end_counts_from_an_aware_datetime_only(start: object) -> None:
    with pytest.raises(NaiveDatetime) as refused:
        period_end(start, Period.days(7), WEEKDAYS)  # type: ignore[arg-type]
    assert refused.value.field == "start"


_COUNTS = {
    "last_day": lambda period, calendar: last_day(date(2026, 3, 2), period, calendar),
    "period_end": lambda period, calendar: period_end(
        datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), period, calendar
    ),
}


@pytest.mark.parametrize("count", _COUNTS.values(), ids=_COUNTS.keys())
@pytest.mark.parametrize(
    "period", [None, 7, "7 calendar days", PeriodUnit.CALENDAR_DAYS, (7, "days")], ids=repr
)
def test_a_period_that_is_not_a_period_is_refused(count: Any, period: object) -> None:
    with pytest.raises(WrongType) as refused:
        count(period, WEEKDAYS)
    assert (refused.value.field, refused.value.value) == ("period", period)
    assert refused.value.expected == "a Period"


@pytest.mark.parametrize("count", _COUNTS.values(), ids=_COUNTS.keys())
@pytest.mark.parametrize(
    "calendar",
    [None, "weekdays", WeekdayCalendar, ChineseOfficialCalendar, object(), CN.name],
    ids=repr,
)
def test_a_calendar_that_is_not_a_calendar_is_refused(count: Any, calendar: object) -> None:
    with pytest.raises(WrongType) as refused:
        count(Period.working_days(5), calendar)
    assert refused.value.field == "calendar"
    assert refused.value.value is calendar
    assert refused.value.expected == "a Calendar"


@given(st.datetimes(timezones=st.none() | st.just(UTC)), periods)
def test_a_datetime_is_never_taken_for_its_day(start: datetime, period: Period) -> None:
    # A datetime is a date to Python, but which day it falls on depends on the zone.
    with pytest.raises(WrongType) as refused:
        last_day(start, period, CALENDAR_DAYS)
    assert (refused.value.field, refused.value.value) == ("start", start)


# --- properties --------------------------------------------------------------------------


@given(calendars_and_starts, periods)
def test_the_start_day_is_never_counted(cal_start: tuple[Calendar, date], period: Period) -> None:
    calendar, start = cal_start
    assert last_day(start, period, calendar) > start


@given(calendars_and_starts, periods)
def test_the_last_day_is_a_working_day(cal_start: tuple[Calendar, date], period: Period) -> None:
    calendar, start = cal_start
    assert calendar.is_working_day(last_day(start, period, calendar))


@given(calendars_and_starts, units, counts, counts)
def test_last_day_is_monotonic_in_count(
    cal_start: tuple[Calendar, date], unit: PeriodUnit, a: int, b: int
) -> None:
    calendar, start = cal_start
    shorter, longer = sorted((a, b))
    first = last_day(start, Period(shorter, unit), calendar)
    second = last_day(start, Period(longer, unit), calendar)
    assert first <= second
    if unit is PeriodUnit.WORKING_DAYS and shorter < longer:
        assert first < second


@given(calendars_and_starts, counts)
def test_working_days_count_exactly_in_the_half_open_interval(
    cal_start: tuple[Calendar, date], count: int
) -> None:
    calendar, start = cal_start
    last = last_day(start, Period.working_days(count), calendar)
    assert _working_days_between(calendar, start, last) == count


@given(calendars_and_starts, counts)
def test_calendar_days_end_on_the_first_working_day_from_the_nominal_end(
    cal_start: tuple[Calendar, date], count: int
) -> None:
    calendar, start = cal_start
    nominal = start + timedelta(days=count)
    last = last_day(start, Period.days(count), calendar)
    assert last >= nominal
    assert _working_days_between(calendar, nominal - ONE_DAY, last) == 1


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), periods)
def test_on_calendar_days_both_units_agree(start: date, period: Period) -> None:
    assert last_day(start, period, CALENDAR_DAYS) == start + timedelta(days=period.count)


aware_starts = st.datetimes(
    min_value=datetime.combine(CN_FIRST, time(0)),
    max_value=datetime.combine(CN_LAST_START, time(0)),
    timezones=st.one_of(
        st.timezones(),
        st.builds(
            timezone,
            st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)),
        ),
    ),
)


@given(aware_starts, periods, st.sampled_from([CALENDAR_DAYS, WEEKDAYS, CN]))
def test_period_end_is_local_midnight_after_the_last_day(
    start: datetime, period: Period, calendar: Calendar
) -> None:
    end = period_end(start, period, calendar)
    assert end.tzinfo is start.tzinfo
    assert end.utcoffset() is not None
    assert end.time() == time(0)
    assert end.date() == last_day(start.date(), period, calendar) + ONE_DAY
    assert end > start


@given(st.datetimes(), periods)
def test_a_naive_start_is_refused(start: datetime, period: Period) -> None:
    with pytest.raises(NaiveDatetime) as info:
        period_end(start, period, CALENDAR_DAYS)
    assert info.value.field == "start"
