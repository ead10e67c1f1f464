"""Periods ("7 calendar days", "5 working days") and when they end, by the Civil Code.

Publicity and objection periods are stated as a number of days in an explicit unit; no national
rule fixes a default unit, so the unit is always part of a :class:`Period`. The end of a period
follows the Civil Code:

* Art. 201 — the day on which the period starts is not counted;
* Art. 203 — if the last day is a holiday (not a working day in the calendar given), the period
  ends on the first working day after it; a period ends at 24:00 of its last day.

:func:`last_day` gives that last day; :func:`period_end` gives the instant the period ends.
Which days are working days is the business of a :class:`~communitygov.kernel.calendars.Calendar`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from communitygov.errors import DefinitionError, PeriodOutOfRange, WrongType
from communitygov.kernel.calendars import (
    Calendar,
    CalendarDays,
    WeekdayCalendar,
    require_calendar,
)
from communitygov.kernel.checks import require_date
from communitygov.kernel.chinese_calendar import ChineseOfficialCalendar
from communitygov.kernel.timekeeping import KEPT_UNTIL, kept, require_aware

__all__ = ["Period", "PeriodUnit", "last_day", "period_end"]

_SEARCH_LIMIT = 366
"""How many consecutive days may pass without a working day before a calendar is rejected."""


class PeriodUnit(enum.Enum):
    """The unit a period is counted in."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"

    @property
    def label(self) -> str:
        """The English name of the unit, in the plural: ``"calendar days"``, ``"working days"``."""
        return _LABELS[self][1]

    @property
    def singular(self) -> str:
        """The English name of one such day: ``"calendar day"``, ``"working day"``."""
        return _LABELS[self][0]

    @property
    def zh(self) -> str:
        """The Chinese name of the unit: ``"自然日"`` or ``"工作日"``."""
        return _LABELS[self][2]


_LABELS: dict[PeriodUnit, tuple[str, str, str]] = {
    PeriodUnit.CALENDAR_DAYS: ("calendar day", "calendar days", "自然日"),
    PeriodUnit.WORKING_DAYS: ("working day", "working days", "工作日"),
}


def _check_count(instance: Period, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError("period", f"count must be a whole number, got {value!r}")
    if value < 1:
        raise DefinitionError("period", f"count must be at least 1, got {value}")


def _check_unit(instance: Period, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, PeriodUnit):
        raise DefinitionError("period", f"unit must be a PeriodUnit, got {value!r}")


@attrs.frozen
class Period:
    """A length of time: a whole number of calendar days or working days.

    >>> str(Period.days(7)), Period.days(7).zh
    ('7 calendar days', '7个自然日')
    >>> str(Period.working_days(1))
    '1 working day'

    Attributes:
        count: How many days; at least 1.
        unit: Calendar days or working days.

    Raises:
        DefinitionError: ``count`` is not a whole number of at least 1, or ``unit`` is not a
            :class:`PeriodUnit`.
    """

    count: int = attrs.field(validator=_check_count)
    unit: PeriodUnit = attrs.field(validator=_check_unit)

    @classmethod
    def days(cls, count: int) -> Period:
        """A period of ``count`` calendar days.

        Args:
            count: How many days; at least 1.

        Returns:
            The period.

        Raises:
            DefinitionError: ``count`` is less than 1.
        """
        return cls(count, PeriodUnit.CALENDAR_DAYS)

    @classmethod
    def working_days(cls, count: int) -> Period:
        """A period of ``count`` working days.

        Args:
            count: How many days; at least 1.

        Returns:
            The period.

        Raises:
            DefinitionError: ``count`` is less than 1.
        """
        return cls(count, PeriodUnit.WORKING_DAYS)

    @property
    def zh(self) -> str:
        """The period in Chinese, such as ``"7个自然日"`` or ``"5个工作日"``."""
        return f"{self.count}个{self.unit.zh}"

    def __str__(self) -> str:
        noun = self.unit.singular if self.count == 1 else self.unit.label
        return f"{self.count} {noun}"


def _first_working_day_from(day: date, calendar: Calendar) -> date:
    """Return ``day`` if it is a working day, otherwise the first working day after it.

    Raises:
        OverflowError: there is none before the last date Python holds.
    """
    for offset in range(_SEARCH_LIMIT):
        candidate = day + timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise DefinitionError(
        f"calendar {calendar.name!r}",
        f"no working day in the {_SEARCH_LIMIT} days from {day.isoformat()}",
    )


def last_day(start: date, period: Period, calendar: Calendar) -> date:
    """Return the last day of a period that starts on ``start``.

    The start day is not counted (Civil Code Art. 201). For calendar days the last day is
    ``start`` plus ``count`` days, moved to the next working day if it is not one (Art. 203).
    For working days it is the ``count``-th working day after ``start``.

    >>> from datetime import date
    >>> from communitygov.kernel.calendars import WEEKDAYS
    >>> last_day(date(2025, 9, 1), Period.days(7), WEEKDAYS)  # a Monday; ends the next Monday
    datetime.date(2025, 9, 8)
    >>> last_day(date(2025, 9, 1), Period.working_days(5), WEEKDAYS)
    datetime.date(2025, 9, 8)

    Args:
        start: The day the period starts (the day of posting, of notice …).
        period: How long the period lasts.
        calendar: Which days are working days.

    Returns:
        The last day of the period; always a working day in ``calendar`` and after ``start``.

    Raises:
        WrongType: ``start`` is not a date (a datetime, whose day depends on its zone, or a
            text), ``period`` is not a :class:`Period` or ``calendar`` is not a calendar.
        CalendarDataUnavailable: The calendar has no data for a year the period reaches.
        DefinitionError: The calendar has no working day within 366 consecutive days.
        PeriodOutOfRange: The period would end after the last date Python holds.
    """
    if type(start) is not date or type(period) is not Period or type(calendar) not in _SHIPPED:
        _require_arguments(start, period, calendar)
    try:
        if period.unit is PeriodUnit.CALENDAR_DAYS:
            return _first_working_day_from(start + timedelta(days=period.count), calendar)
        day = start
        for _ in range(period.count):
            day = _first_working_day_from(day + timedelta(days=1), calendar)
        return day
    except OverflowError:
        raise PeriodOutOfRange(start, str(period)) from None


_SHIPPED = frozenset({CalendarDays, WeekdayCalendar, ChineseOfficialCalendar})
"""The library's own calendars, known to be calendars by their class alone: the arguments
most often given are told right by three comparisons of classes."""


def _require_arguments(start: object, period: object, calendar: object) -> None:
    """Raises:
    WrongType: ``start`` is not a date, ``period`` not a :class:`Period` or ``calendar`` not a
        calendar.
    """
    require_date(start, "start")
    if not isinstance(period, Period):
        raise WrongType("period", period, "a Period")
    require_calendar(calendar)


def period_end(start: datetime, period: Period, calendar: Calendar) -> datetime:
    """Return the instant a period that starts at ``start`` ends: 24:00 of its last day.

    The start day is ``start.date()`` in ``start``'s own timezone, and the end is local
    midnight after the last day (see :func:`last_day`) in that same timezone.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from communitygov.kernel.calendars import CALENDAR_DAYS
    >>> shanghai = ZoneInfo("Asia/Shanghai")
    >>> period_end(datetime(2026, 3, 1, 15, 30, tzinfo=shanghai), Period.days(7), CALENDAR_DAYS)
    datetime.datetime(2026, 3, 9, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))

    Args:
        start: When the period starts; timezone-aware.
        period: How long the period lasts.
        calendar: Which days are working days.

    Returns:
        A timezone-aware datetime with ``start``'s tzinfo, at local midnight, after ``start``.

    Raises:
        NaiveDatetime: ``start`` has no timezone, or is not a datetime.
        WrongType: ``period`` is not a :class:`Period` or ``calendar`` is not a calendar.
        CalendarDataUnavailable: The calendar has no data for a year the period reaches.
        DefinitionError: The calendar has no working day within 366 consecutive days.
        PeriodOutOfRange: The period would end after the last time the library keeps
            (:data:`~communitygov.kernel.timekeeping.KEPT_UNTIL`).
    """
    require_aware(start, "start")
    day = start.date()
    last = last_day(day, period, calendar)
    if last >= KEPT_UNTIL.date():
        end = None
    else:
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=start.tzinfo)
    if end is None or not kept(end):
        raise PeriodOutOfRange(day, str(period))
    return end
