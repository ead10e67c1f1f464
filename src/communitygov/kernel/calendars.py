"""Working-day calendars: which days count when a period is measured in working days.

A period of "7 working days", or a period whose last day falls on a holiday (Civil Code
Art. 203), can only be computed against a calendar. Calendars differ between countries, cities
and years, so the library asks for one small protocol, :class:`Calendar`, and ships three
implementations:

* :data:`CALENDAR_DAYS` — every day is a working day (no day is a holiday);
* :data:`WEEKDAYS` / :class:`WeekdayCalendar` — Monday to Friday, plus holidays and extra
  working days given as data;
* :class:`communitygov.kernel.chinese_calendar.ChineseOfficialCalendar` — the State Council's
  official calendar with its make-up working days (调休); it needs the ``cn`` extra.

A calendar that has no data for a year raises
:class:`~communitygov.errors.CalendarDataUnavailable` instead of guessing: a legal deadline is
never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol, cast, runtime_checkable

import attrs

from communitygov.errors import CalendarDataUnavailable, DefinitionError, WrongType
from communitygov.kernel.checks import collected, declared_types, require_date

__all__ = [
    "CALENDAR_DAYS",
    "WEEKDAYS",
    "Calendar",
    "CalendarDays",
    "WeekdayCalendar",
    "require_calendar",
]


@runtime_checkable
class Calendar(Protocol):
    """Anything that can say whether a day is a working day.

    Implement this to plug in your own calendar (a city's, a company's). Two members suffice:
    a readable ``name`` (used in error messages) and :meth:`is_working_day`. A calendar is
    used as a value inside procedure definitions, so make it immutable and comparable (a frozen
    attrs class or a frozen dataclass does both).

    Example, a calendar that knows one city's 2025 and nothing else:

    >>> from datetime import date
    >>> import attrs
    >>> from communitygov.errors import CalendarDataUnavailable
    >>> @attrs.frozen
    ... class Shenzhen2025:
    ...     name: str = "Shenzhen 2025"
    ...     def is_working_day(self, day: date) -> bool:
    ...         if day.year != 2025:
    ...             raise CalendarDataUnavailable(self.name, day.year, known=(2025, 2025))
    ...         return day.weekday() < 5 and day != date(2025, 9, 10)
    >>> isinstance(Shenzhen2025(), Calendar)
    True
    >>> Shenzhen2025().is_working_day(date(2025, 9, 10))
    False

    For a calendar described purely as data, :class:`WeekdayCalendar` is usually enough.
    """

    @property
    def name(self) -> str:
        """A short readable name, such as ``"weekdays"`` or ``"official Chinese"``."""
        ...

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a working day.

        Args:
            day: The day asked about.

        Returns:
            ``True`` for a working day, ``False`` for a rest day or holiday.

        Raises:
            CalendarDataUnavailable: The calendar has no data for ``day.year``.
        """
        ...


@attrs.frozen
class CalendarDays:
    """The calendar in which every day counts: no day is a holiday.

    With it, a period in calendar days ends exactly ``count`` days after its start and a period
    in working days is the same as one in calendar days.
    """

    @property
    def name(self) -> str:
        """``"calendar days"``."""
        return "calendar days"

    def is_working_day(self, day: date) -> bool:
        """Return ``True``: every day is a working day.

        Args:
            day: The day asked about.

        Returns:
            Always ``True``.

        Raises:
            WrongType: ``day`` is not a date (a datetime, a text, ``None``).
        """
        if type(day) is not date:
            require_date(day, "day")
        return True


def _days(value: Iterable[date]) -> frozenset[date]:
    return collected(frozenset, value)


def _years(value: tuple[int, int] | list[int] | None) -> tuple[int, int] | None:
    return collected(tuple, value)


@attrs.frozen(field_transformer=declared_types)
class WeekdayCalendar:
    """Monday to Friday are working days, adjusted by data.

    Describe a local calendar without writing code: list its ``holidays`` (days off that would
    otherwise be weekdays) and its ``extra_working_days`` (weekend days that are worked).

    >>> from datetime import date
    >>> cal = WeekdayCalendar(
    ...     name="town hall",
    ...     holidays=[date(2025, 5, 1)],
    ...     extra_working_days=[date(2025, 4, 27)],
    ...     known_years=(2025, 2025),
    ... )
    >>> cal.is_working_day(date(2025, 5, 1)), cal.is_working_day(date(2025, 4, 27))
    (False, True)

    Attributes:
        name: A readable name for messages; ``"weekdays"`` by default.
        holidays: Days that are not working days even though they fall Monday to Friday.
        extra_working_days: Days that are working days even though they fall on a weekend.
        known_years: If given, the first and last year the data covers (inclusive); a day
            outside them raises :class:`~communitygov.errors.CalendarDataUnavailable` rather
            than being guessed. ``None`` (the default) means the data holds for every year.

    Raises:
        WrongType: A field holds a value of another type (a datetime among the days, a
            ``known_years`` that is not a pair of whole numbers).
        DefinitionError: A day is listed both as a holiday and as an extra working day, or
            ``known_years`` starts after it ends.
    """

    name: str = "weekdays"
    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_days)
    extra_working_days: frozenset[date] = attrs.field(default=frozenset(), converter=_days)
    known_years: tuple[int, int] | None = attrs.field(default=None, converter=_years)

    def __attrs_post_init__(self) -> None:
        both = self.holidays & self.extra_working_days
        if both:
            days = ", ".join(sorted(day.isoformat() for day in both))
            raise DefinitionError(
                f"calendar {self.name!r}",
                f"{days} listed both as holiday and as extra working day",
            )
        if self.known_years is not None and self.known_years[0] > self.known_years[1]:
            raise DefinitionError(
                f"calendar {self.name!r}",
                f"known_years {self.known_years} starts after it ends",
            )

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a working day in this calendar.

        Args:
            day: The day asked about.

        Returns:
            ``True`` for an extra working day, ``False`` for a holiday, otherwise whether
            ``day`` falls Monday to Friday.

        Raises:
            WrongType: ``day`` is not a date (a datetime, a text, ``None``).
            CalendarDataUnavailable: ``known_years`` is set and ``day`` lies outside it.
        """
        if type(day) is not date:
            require_date(day, "day")
        if self.known_years is not None and not (
            self.known_years[0] <= day.year <= self.known_years[1]
        ):
            raise CalendarDataUnavailable(self.name, day.year, known=self.known_years)
        if day in self.extra_working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


CALENDAR_DAYS = CalendarDays()
"""Every day counts; the default for periods in calendar days."""

WEEKDAYS = WeekdayCalendar()
"""Monday to Friday, with no holidays."""


def require_calendar(value: object, field: str = "calendar") -> Calendar:
    """``value``, once it is known to be a calendar: an object (not a class) with a ``name``
    and an ``is_working_day`` method, as :class:`Calendar` asks. (Cheaper than ``isinstance``
    with the protocol, which takes microseconds.)

    Raises:
        WrongType: it is anything else (``None``, a text, a calendar's class).
    """
    if (
        not isinstance(value, type)
        and hasattr(value, "name")
        and callable(getattr(value, "is_working_day", None))
    ):
        return cast(Calendar, value)
    raise WrongType(field, value, "a Calendar")
