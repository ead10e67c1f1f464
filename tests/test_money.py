"""Money: exact fen, parsing and formatting, arithmetic that refuses mixed currencies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import communitygov as cg

Money = cg.Money


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("2,590.00 元", 259_000),
        ("¥2590", 259_000),
        ("￥2,590", 259_000),
        ("2590", 259_000),
        ("12.5", 1_250),
        ("0.01元", 1),
        ("-3 元", -300),
        ("RMB 1,234,567.89", 123_456_789),
        ("１２３元", 12_300),  # full-width digits, as Chinese input gives them
    ],
)
def test_amounts_are_parsed_exactly(text: str, fen: int) -> None:
    assert Money.parse(text) == Money(fen, "CNY")


@pytest.mark.parametrize(
    "text",
    ["", "abc", "12.345", "2,59.00", "1,2345", "¥", "1.2.3", "3 $", "٣", "1٣", "३.५"],
)
def test_malformed_amounts_are_refused(text: str) -> None:
    with pytest.raises(cg.InvalidAmount) as caught:
        Money.parse(text)
    assert caught.value.value == text


@pytest.mark.parametrize("fen", [1.5, 2.0, True, "100", None])
def test_fen_must_be_an_int(fen: object) -> None:
    with pytest.raises(cg.InvalidAmount):
        Money(fen)  # type: ignore[arg-type]


def test_formatting_and_yuan() -> None:
    assert str(Money.yuan(2590)) == "2,590.00 元"
    assert str(Money(-5)) == "-0.05 元"
    assert str(Money(123, "USD")) == "1.23 USD"
    with pytest.raises(cg.InvalidAmount):
        Money.yuan(2.5)  # type: ignore[arg-type]


def test_an_amount_lines_up_in_a_report_column() -> None:
    amount = cg.Money.yuan(2590)
    assert f"{amount:>14}|" == "    2,590.00 元|"
    assert f"{amount:<14}|" == "2,590.00 元    |"
    assert f"{amount}" == str(amount) == "2,590.00 元"
    assert f"{amount:*^16}" == "***2,590.00 元***"
    # A number's spec, a precision or a zero would show another amount: refused.
    for spec in (",.2f", ".2", "014", "0<14", ">.6"):
        with pytest.raises(cg.NotApplicable) as refused:
            format(amount, spec)
        assert (refused.value.field, refused.value.value) == ("format spec", spec)


def test_mixed_currencies_never_mix() -> None:
    cny, usd = Money.yuan(1), Money(100, "USD")
    for operation in (lambda: cny + usd, lambda: cny - usd, lambda: cny < usd):
        with pytest.raises(cg.CurrencyMismatch) as caught:
            operation()
        assert (caught.value.expected, caught.value.got) == ("CNY", "USD")
    with pytest.raises(cg.CurrencyMismatch):
        sum([cny, usd])
    with pytest.raises(cg.CurrencyMismatch):
        cg.total([usd])


def test_positive_amounts() -> None:
    assert Money(1).require_positive() == Money(1)
    for fen in (0, -1):
        with pytest.raises(cg.InvalidAmount):
            Money(fen).require_positive()


@given(st.lists(st.integers(-(10**28), 10**28), max_size=20))
def test_sums_are_exact(fens: list[int]) -> None:
    # Twenty amounts of up to 10**28 fen stay within MAX_FEN, however they add up.
    amounts = [Money(fen) for fen in fens]
    assert sum(amounts, Money.zero()).fen == sum(fens)
    assert cg.total(amounts).fen == sum(fens)
    if amounts:
        assert sum(amounts).fen == sum(fens)  # type: ignore[attr-defined]


@given(st.integers(-(10**15), 10**15))
def test_formatting_parses_back(fen: int) -> None:
    assert Money.parse(str(Money(fen))) == Money(fen)


@given(st.integers(min_value=-3, max_value=3), st.sampled_from([1, -1]))
def test_an_amount_is_taken_exactly_up_to_its_bound(step: int, side: int) -> None:
    fen = side * (cg.MAX_FEN + step)
    if abs(fen) <= cg.MAX_FEN:
        assert cg.Money(fen).fen == fen
        assert Money.parse(str(cg.Money(fen))) == cg.Money(fen)  # written out, and read back
    else:
        with pytest.raises(cg.InvalidAmount):
            cg.Money(fen)


@pytest.mark.parametrize("currency", ["cny", "", "CN", "CNYY", " CNY", "人民币", None, 156])
def test_a_currency_is_its_iso_code(currency: object) -> None:
    # "cny" was taken, and made a fund that refused every amount in CNY as another currency.
    with pytest.raises(cg.InvalidAmount) as caught:
        cg.Money(100, currency)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.value) == ("currency", currency)
    assert cg.Money(100, "USD").currency == "USD"
