"""Money: exact amounts in whole fen (分) with a currency, never floats.

>>> Money.parse("2,590.00 元") == Money.parse("¥2590") == Money.yuan(2590)
True
>>> str(Money.parse("¥2590"))
'2,590.00 元'
>>> str(sum([Money.yuan(3), Money(fen=50)], Money.zero()))
'3.50 元'

Amounts in different currencies never mix: adding, subtracting or comparing them raises
:class:`~communitygov.errors.CurrencyMismatch`. Python integers do not overflow, so sums are
exact; a float, a bool or any other non-integer number of fen is refused, and so is an amount
beyond :data:`MAX_FEN` (10³⁰ fen), which no real account holds and which could otherwise grow
past the digits Python agrees to write out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from communitygov.errors import CurrencyMismatch, InvalidAmount, InvalidCount, NotApplicable

__all__ = ["CNY", "MAX_FEN", "Money", "require_currency_code", "require_fen", "total"]

_LAYOUT = re.compile(r"(?:(?P<fill>.)?[<>^])?(?:[1-9][0-9]*)?", re.DOTALL)
"""The format specs an amount takes: an optional fill and alignment, and a width."""

CNY = "CNY"
"""The currency code of the renminbi, the default currency."""

_UNITS = {CNY: "元"}
_DIGIT = "[0-9０-９]"
"""A digit as amounts are written: ASCII or full width (０-９, as Chinese input gives them);
not the digits of other scripts, which a regular expression's ``\\d`` takes too."""
_AMOUNT = re.compile(
    rf"""^\s*(?P<sign>[-−])?\s*(?:[¥￥]|RMB|CNY)?\s*
    (?P<whole>{_DIGIT}{{1,3}}(?:,{_DIGIT}{{3}})+|{_DIGIT}+)(?:\.(?P<cents>{_DIGIT}{{1,2}}))?
    \s*(?:元|块|yuan|RMB|CNY)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


MAX_FEN = 10**30
"""The largest amount, in fen, either way: 10²⁸ units."""


def require_fen(value: object, field: str) -> int:
    """``value``, once it is known to be an amount in fen that a notice or record may give:
    a whole number of 0 or more, at most :data:`MAX_FEN`.

    Raises:
        InvalidCount: it is not an ``int`` (a float or a bool is refused) or is below 0.
        InvalidAmount: it is above :data:`MAX_FEN`.
    """
    if type(value) is not int or value < 0:
        raise InvalidCount(field, value)
    if value > MAX_FEN:
        raise InvalidAmount(field, value, "at most 10**30 fen")
    return value


def _whole_fen(instance: Money, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int:
        raise InvalidAmount("fen", value, "an amount is a whole number of fen (an int)")
    if not -MAX_FEN <= value <= MAX_FEN:
        raise InvalidAmount(
            "fen", value, "an amount is at most 10**30 fen either way (no account holds more)"
        )


_CODE = re.compile(r"[A-Z]{3}")


def require_currency_code(value: object, field: str = "currency") -> str:
    """``value``, once it is known to be a currency's ISO 4217 code: three capital letters,
    such as ``"CNY"`` (a code in small letters would never match the amounts given in it).

    Raises:
        InvalidAmount: it is not.
    """
    if not isinstance(value, str) or _CODE.fullmatch(value) is None:
        raise InvalidAmount(
            field, value, "a currency is its ISO 4217 code, three capital letters such as 'CNY'"
        )
    return value


def _currency(instance: Money, attribute: attrs.Attribute[str], value: object) -> None:
    require_currency_code(value)


@attrs.frozen(order=False)
class Money:
    """An exact amount: a whole number of fen (1/100 of the unit) in a currency.

    Attributes:
        fen: the amount in fen; negative for a difference or a deficit.
        currency: the ISO 4217 code; ``"CNY"`` by default.

    Raises:
        InvalidAmount: ``fen`` is not an ``int`` (a float or a bool is refused) or lies beyond
            :data:`MAX_FEN` either way, or ``currency`` is not an ISO 4217 code (three
            capital letters).
    """

    fen: int = attrs.field(validator=_whole_fen)
    currency: str = attrs.field(default=CNY, validator=_currency)

    @classmethod
    def zero(cls, currency: str = CNY) -> Money:
        """No money, in ``currency``."""
        return cls(0, currency)

    @classmethod
    def yuan(cls, amount: int, currency: str = CNY) -> Money:
        """``amount`` whole units (yuan), such as ``Money.yuan(2590)``.

        Raises:
            InvalidAmount: ``amount`` is not an ``int``.
        """
        if type(amount) is not int:
            raise InvalidAmount("yuan", amount, "give whole yuan as an int, or use parse()")
        return cls(amount * 100, currency)

    @classmethod
    def parse(cls, text: str) -> Money:
        """The amount written in ``text``: ``"2,590.00 元"``, ``"¥2590"``, ``"12.5"``, ``"-3 元"``.

        Thousands separators must be in the right places, and there are at most two decimals
        (an amount finer than a fen is refused, never rounded). Digits are ASCII or full width
        (``"１２３元"``); those of other scripts are refused. The currency is CNY.

        Args:
            text: the amount as written.

        Returns:
            The exact amount.

        Raises:
            InvalidAmount: ``text`` is not a string or not an amount of that form.
        """
        if not isinstance(text, str):
            raise InvalidAmount("amount", text, "give the amount as text, such as '2,590.00 元'")
        match = _AMOUNT.match(text)
        if match is None:
            raise InvalidAmount(
                "amount", text, "write it as 2590, 2,590.00, ¥2590 or 2590 元, to the fen"
            )
        digits = match["whole"].replace(",", "").lstrip("0")
        if len(digits) > 29:  # beyond MAX_FEN whatever the cents (read no further)
            raise InvalidAmount(
                "amount", text, "an amount is at most 10**30 fen either way (no account holds more)"
            )
        whole = int(digits or "0")
        cents = int((match["cents"] or "0").ljust(2, "0"))
        fen = whole * 100 + cents
        return cls(-fen if match["sign"] else fen, CNY)

    def require_positive(self, field: str = "amount") -> Money:
        """This amount, once it is known to be above zero.

        Raises:
            InvalidAmount: it is zero or negative.
        """
        if self.fen <= 0:
            raise InvalidAmount(field, str(self), "it must be more than zero")
        return self

    def require_currency(self, currency: str) -> Money:
        """This amount, once it is known to be in ``currency``.

        Raises:
            CurrencyMismatch: it is in another currency.
        """
        if self.currency != currency:
            raise CurrencyMismatch(currency, self.currency)
        return self

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen + other.require_currency(self.currency).fen, self.currency)

    def __radd__(self, other: object) -> Money:
        # ``sum()`` starts from the int 0; only that start is accepted.
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen - other.require_currency(self.currency).fen, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.fen, self.currency)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.fen < other.require_currency(self.currency).fen

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.fen <= other.require_currency(self.currency).fen

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.fen > other.require_currency(self.currency).fen

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.fen >= other.require_currency(self.currency).fen

    def __bool__(self) -> bool:
        return self.fen != 0

    def __str__(self) -> str:
        sign = "-" if self.fen < 0 else ""
        whole, cents = divmod(abs(self.fen), 100)
        unit = _UNITS.get(self.currency, self.currency)
        return f"{sign}{whole:,}.{cents:02d} {unit}"

    def __format__(self, spec: str) -> str:
        """The amount as :meth:`__str__` writes it, laid out by a text's format ``spec``
        (``f"{amount:>14}"`` for a column of a report).

        Raises:
            NotApplicable: ``spec`` is not a text's (a number's, such as ``",.2f"``).
        """
        layout = _LAYOUT.fullmatch(spec)
        if layout is None or (layout["fill"] or "").isdigit():
            raise NotApplicable(
                "format spec",
                spec,
                "an amount is laid out by a fill, an alignment and a width alone (such as "
                "'>14'): a precision or a zero would change the amount shown",
            )
        return format(str(self), spec)


def total(amounts: Iterable[Money], currency: str = CNY) -> Money:
    """The sum of ``amounts`` in ``currency`` (zero when there are none).

    Raises:
        CurrencyMismatch: an amount is in another currency.
    """
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
