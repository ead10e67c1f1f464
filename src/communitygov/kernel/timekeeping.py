"""Time as an argument: every command takes a timezone-aware ``at`` and refuses to go back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import timezone as tz_fixed
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from communitygov.errors import (
    NaiveDatetime,
    TimeOutOfRange,
    TimeWentBackwards,
    UnknownReference,
    WrongType,
)

__all__ = [
    "KEPT_FROM",
    "KEPT_UNTIL",
    "earlier",
    "in_zone",
    "kept",
    "local_date",
    "minute_text",
    "require_aware",
    "require_in_order",
    "require_kept",
    "zone",
]


KEPT_FROM = datetime(1, 1, 2, tzinfo=UTC)
"""The first instant the library keeps: a day inside the years Python holds, so that any time
from here on can be told in any zone (every store keeps times from here)."""

KEPT_UNTIL = datetime(9999, 12, 30, tzinfo=UTC)
"""The last instant the library keeps, a day inside the years Python holds."""


def kept(moment: datetime) -> bool:
    """Whether the aware ``moment`` lies from :data:`KEPT_FROM` to :data:`KEPT_UNTIL`."""
    if 1 < moment.year < 9999:
        return True
    try:
        return KEPT_FROM <= moment <= KEPT_UNTIL
    except OverflowError:  # told in UTC, it is outside the years Python holds
        return False


def zone(name: str) -> ZoneInfo:
    """The IANA timezone called ``name`` (such as ``"Asia/Shanghai"``).

    Raises:
        WrongType: ``name`` is not a text.
        UnknownReference: no timezone of that name is installed (a region such as ``"Asia"``
            included), or it is ``"localtime"``, the zone of whichever machine reads it.
    """
    if not isinstance(name, str):
        raise WrongType("timezone", name, "a text naming an IANA timezone")
    return _zone(name)


_MACHINE_ZONE = "localtime"
"""Not an IANA name: the zone of whichever machine reads it, so a deadline counted in it would
move with the machine."""


@cache
def _zone(name: str) -> ZoneInfo:
    if name == _MACHINE_ZONE:
        raise UnknownReference("timezone", name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, a name too long
        raise UnknownReference("timezone", name) from None


_ALWAYS_AWARE = (ZoneInfo, tz_fixed)
"""Zones that give every time an offset: a time in one of them needs no further check."""


def in_zone(at: datetime, timezone: str) -> datetime:
    """The instant ``at`` told in the IANA timezone ``timezone``.

    Raises:
        NaiveDatetime: ``at`` carries no timezone (it would be read in the machine's own), or
            is not a datetime.
        UnknownReference: no timezone of that name is installed.
        TimeOutOfRange: it lies before :data:`KEPT_FROM` or after :data:`KEPT_UNTIL`.
    """
    if type(at) is not datetime or type(at.tzinfo) not in _ALWAYS_AWARE:
        require_aware(at)  # else read in the machine's own zone
    target = _zone(timezone) if type(timezone) is str else zone(timezone)
    if at.tzinfo is target:  # told there already (the common case)
        told = at
    else:
        try:
            told = at.astimezone(target)
        except OverflowError:
            raise TimeOutOfRange(at, timezone) from None
    if not 1 < told.year < 9999 and not kept(told):
        raise TimeOutOfRange(at, timezone)
    return told


def local_date(at: datetime, timezone: str) -> date:
    """The calendar date of the instant ``at`` in the IANA timezone ``timezone``.

    Raises:
        NaiveDatetime: ``at`` carries no timezone, or is not a datetime.
        UnknownReference: no timezone of that name is installed.
        TimeOutOfRange: it lies before :data:`KEPT_FROM` or after :data:`KEPT_UNTIL`.
    """
    return in_zone(at, timezone).date()


def require_aware(value: datetime, field: str = "at") -> datetime:
    """Return ``value`` if it is a datetime that carries a timezone.

    Raises:
        NaiveDatetime: ``value`` has no timezone (or one that gives no offset, or no valid
            one: a day or more, or not a ``timedelta``), or is not a datetime at all (a date,
            a text).
    """
    if type(value) is datetime and type(value.tzinfo) in _ALWAYS_AWARE:
        return value  # such a zone gives every time an offset
    try:
        aware = (
            isinstance(value, datetime)
            and value.tzinfo is not None
            and value.utcoffset() is not None
        )
    except (ValueError, TypeError):  # the tzinfo's offset is out of range or not a timedelta
        aware = False
    if not aware:
        raise NaiveDatetime(field, value)
    return value


def minute_text(moment: datetime) -> str:
    """``moment`` to the minute as people read it, ``2020-06-01 10:00``; the year always has
    four digits (``strftime("%Y")`` writes the year 1 as ``1`` on some systems)."""
    return f"{moment.year:04d}-{moment:%m-%d %H:%M}"


def earlier(first: datetime, second: datetime) -> bool:
    """Whether the instant ``first`` comes before the instant ``second`` (both aware).

    Python compares two times of the same ``tzinfo`` by their clock readings and ignores
    ``fold``, so in the hour a daylight-saving zone repeats, 01:45 (the first time) is taken as
    later than 01:30 (the second time), though it is 45 minutes earlier; two times of
    different zones are compared as instants. This compares instants wherever a ``fold``
    tells two passes through an hour apart, and leaves Python's comparison where it is right:
    different zones, or neither time in a second pass (times that do not exist, skipped when
    the clocks go forward, compare by their clocks).
    """
    if first.tzinfo is not second.tzinfo or not (first.fold or second.fold):
        return first < second
    offset, other = first.utcoffset(), second.utcoffset()
    if offset == other:
        return first < second
    clock = first.replace(tzinfo=None) - second.replace(tzinfo=None)
    return clock - (offset - other) < _NO_TIME  # type: ignore[operator]


_NO_TIME = timedelta(0)


def require_kept(value: datetime, field: str = "at") -> datetime:
    """Return ``value`` if it is a datetime that carries a timezone and lies from
    :data:`KEPT_FROM` to :data:`KEPT_UNTIL`.

    Raises:
        NaiveDatetime: ``value`` has no timezone, or is not a datetime.
        TimeOutOfRange: it lies outside those times.
    """
    require_aware(value, field)
    if not 1 < value.year < 9999 and not kept(value):
        raise TimeOutOfRange(value)
    return value


def require_in_order(at: datetime, last: datetime | None) -> datetime:
    """Check that ``at`` is timezone-aware, kept and not before ``last`` (the latest record).

    Raises:
        NaiveDatetime: ``at`` has no timezone.
        TimeOutOfRange: ``at`` lies outside the times the library keeps.
        TimeWentBackwards: ``at`` is earlier than ``last``.
    """
    require_kept(at)
    if last is not None and earlier(at, last):
        raise TimeWentBackwards(at, last)
    return at
