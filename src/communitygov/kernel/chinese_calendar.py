"""The State Council's official working-day calendar, with its make-up working days (调休).

China moves working days around public holidays: some Saturdays and Sundays are working days
(2025-01-26, 2025-10-11, …) and some weekdays are not. Publicity periods counted in working
days, and periods whose last day is a holiday (Civil Code Art. 203), need this calendar.

The data comes from the ``chinesecalendar`` package (the ``cn`` extra), imported only when a
:class:`ChineseOfficialCalendar` is built, so the rest of the library imports without it. The
package knows only the years whose holidays the State Council has announced; for any other year
this calendar raises :class:`~communitygov.errors.CalendarDataUnavailable` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from communitygov.errors import CalendarDataUnavailable, MissingExtra

__all__ = ["ChineseOfficialCalendar"]

_NAME = "official Chinese"


class ChineseOfficialCalendar:
    """The official Chinese working-day calendar (国务院办公厅 holiday notices), with 调休.

    All instances are equal: the calendar has no settings.

    >>> from datetime import date
    >>> cal = ChineseOfficialCalendar()
    >>> cal.is_working_day(date(2025, 10, 11))  # a Saturday made a working day
    True
    >>> cal.is_working_day(date(2025, 10, 1))  # National Day
    False

    Raises:
        MissingExtra: The ``chinesecalendar`` package is not installed
            (``pip install 'communitygov[cn]'``).
    """

    __slots__ = ("_is_workday", "known_years")

    _is_workday: Callable[[date], bool]
    known_years: tuple[int, int]
    """The first and last year the installed data covers (inclusive)."""

    def __init__(self) -> None:
        try:
            import chinese_calendar
        except ImportError as exc:
            raise MissingExtra("the official Chinese calendar", "cn") from exc
        # The package itself accepts exactly the years spanned by its holiday table.
        years = [day.year for day in chinese_calendar.holidays]
        self.known_years = (min(years), max(years))
        self._is_workday = chinese_calendar.is_workday

    @property
    def name(self) -> str:
        """``"official Chinese"``."""
        return _NAME

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a working day on the official calendar.

        Args:
            day: The day asked about.

        Returns:
            ``True`` for a working day (including a weekend day worked in lieu, 调休),
            ``False`` for a weekend day or public holiday.

        Raises:
            CalendarDataUnavailable: The installed data does not cover ``day.year``.
        """
        first, last = self.known_years
        if not first <= day.year <= last:
            raise CalendarDataUnavailable(_NAME, day.year, known=self.known_years)
        try:
            return self._is_workday(day)
        except NotImplementedError as exc:
            raise CalendarDataUnavailable(_NAME, day.year, known=self.known_years) from exc

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChineseOfficialCalendar):
            return True
        return NotImplemented

    def __hash__(self) -> int:
        return hash(ChineseOfficialCalendar)

    def __repr__(self) -> str:
        return "ChineseOfficialCalendar()"
