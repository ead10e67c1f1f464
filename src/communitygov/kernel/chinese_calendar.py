"""The State Council's official working-day calendar, with its make-up working days (调休).

China moves working days around public holidays: some Saturdays and Sundays are working days
(2025-01-26, 2025-10-11, …) and some weekdays are not. Publicity periods counted in working
days, and periods whose last day is a holiday (Civil Code Art. 203), need this calendar.

The data comes from the ``chinesecalendar`` package (the ``cn`` extra), imported only when a
day is first asked about, so the library imports, and procedures on this calendar are
defined, without it. The
package knows only the years whose holidays the State Council has announced; for any other year
this calendar raises :class:`~communitygov.errors.CalendarDataUnavailable` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

from communitygov.errors import CalendarDataUnavailable, MissingExtra
from communitygov.kernel.checks import require_date

__all__ = ["OFFICIAL", "ChineseOfficialCalendar"]

_NAME = "official Chinese"


@cache
def _data() -> tuple[Callable[[date], bool], tuple[int, int]]:
    """The package's working-day test and the first and last year its data covers.

    Raises:
        MissingExtra: the package is not installed.
    """
    try:
        import chinese_calendar
    except ImportError as exc:
        raise MissingExtra(
            "counting periods on the official Chinese calendar (the shipped procedures count "
            "on it; give a procedure another with with_calendar)",
            "cn",
        ) from exc
    # The package itself accepts exactly the years spanned by its holiday table.
    years = [day.year for day in chinese_calendar.holidays]
    return chinese_calendar.is_workday, (min(years), max(years))


_ANSWERS: dict[date, bool] = {}
"""The days asked about last, and whether each is a working day: a period is counted day by
day, and the same days again and again (every notice posted in one week)."""

_ANSWERS_KEPT = 4096
"""How many answers :data:`_ANSWERS` keeps before it starts afresh."""


class ChineseOfficialCalendar:
    """The official Chinese working-day calendar (国务院办公厅 holiday notices), with 调休.

    All instances are equal: the calendar has no settings. The data is read when a day is
    first asked about, so a procedure that counts on this calendar can be defined, stored and
    named without the ``cn`` extra; counting a period on it needs the extra.

    >>> from datetime import date
    >>> cal = ChineseOfficialCalendar()
    >>> cal.is_working_day(date(2025, 10, 11))  # a Saturday made a working day
    True
    >>> cal.is_working_day(date(2025, 10, 1))  # National Day
    False
    """

    __slots__ = ()

    @property
    def known_years(self) -> tuple[int, int]:
        """The first and last year the installed data covers (inclusive).

        Raises:
            MissingExtra: The ``chinesecalendar`` package is not installed
                (``pip install 'communitygov[cn]'``).
        """
        return _data()[1]

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
            WrongType: ``day`` is not a date (a datetime, a text, ``None``).
            CalendarDataUnavailable: The installed data does not cover ``day.year``.
            MissingExtra: The ``chinesecalendar`` package is not installed
                (``pip install 'communitygov[cn]'``).
        """
        if type(day) is not date:
            require_date(day, "day")
        answer = _ANSWERS.get(day)
        if answer is not None:
            return answer
        is_workday, known = _data()
        if not known[0] <= day.year <= known[1]:
            raise CalendarDataUnavailable(_NAME, day.year, known=known)
        try:
            answer = bool(is_workday(day))
        except NotImplementedError as exc:
            raise CalendarDataUnavailable(_NAME, day.year, known=known) from exc
        if len(_ANSWERS) >= _ANSWERS_KEPT:
            _ANSWERS.clear()
        _ANSWERS[day] = answer
        return answer

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChineseOfficialCalendar):
            return True
        return NotImplemented

    def __hash__(self) -> int:
        return hash(ChineseOfficialCalendar)

    def __repr__(self) -> str:
        return "ChineseOfficialCalendar()"


OFFICIAL = ChineseOfficialCalendar()
"""The official Chinese calendar, on which the shipped procedures count their periods."""
