"""Adversarial numbers: extreme literals in .nfg files, JSON documents and game parameters.

Every literal below used to hang (``Fraction("1e999999999")`` builds a billion-digit integer), raise a raw
OverflowError, or be read as a number although it is not one (non-ASCII digits). Each must now give one clear error
of the documented type, naming the bound, within a fraction of a second.
"""

import time
from fractions import Fraction

import pytest

from stackelberg._validation import (
    MAX_LITERAL_DIGITS,
    MAX_LITERAL_EXPONENT,
    check_exact_magnitude,
    parse_exact_literal,
)
from stackelberg.errors import JsonFormatError, NfgFormatError
from stackelberg.games.catalog import get_game, penalty
from stackelberg.games.io import read_json, read_nfg

HUGE = ["1e999999999", "-1e999999999", "1e-999999999", "1e400", "9" * 400, "1/" + "7" * 2000]
NOT_NUMBERS = ["\u0661", "\u0661\u0662", "1_000", "\uff11", "\u00b2", "1e", "0x10", "nan", "inf"]


def _nfg(payoff: str, kind: str = "R") -> str:
    return f'NFG 1 {kind} "" {{ "A" "B" }} {{ 1 1 }} {payoff} 0'


def _json(payoff: str) -> str:
    return '{"format_version": 1, "payoffs": [[[%s]], [[0]]]}' % payoff


@pytest.mark.parametrize("literal", HUGE)
@pytest.mark.parametrize("kind", ["R", "D"])
def test_huge_nfg_literals_are_refused_quickly_naming_the_bound(literal, kind):
    start = time.perf_counter()
    with pytest.raises(NfgFormatError, match=r"bad number in a payoff: .*(MAX_LITERAL|largest float)") as caught:
        read_nfg(_nfg(literal, kind))
    assert time.perf_counter() - start < 1.0
    assert caught.value.line == 1


def test_tiny_literals_within_the_exponent_bound_are_exact():
    game = read_nfg(_nfg("1e-400"))
    assert game.payoffs[0][0, 0] == 0.0
    assert game.pure_payoffs((0, 0), exact=True)[0] == Fraction(1, 10**400)


@pytest.mark.parametrize("literal", NOT_NUMBERS)
def test_non_ascii_digits_are_not_numbers_in_nfg(literal):
    with pytest.raises(NfgFormatError, match="bad number in a payoff"):
        read_nfg(_nfg(literal))


@pytest.mark.parametrize("literal", [f'"{text}"' for text in HUGE] + ["9" * 400, "9" * 5000, "1e400"])
def test_huge_json_numbers_are_refused_quickly(literal):
    start = time.perf_counter()
    with pytest.raises(JsonFormatError, match=r"MAX_LITERAL|largest float") as caught:
        read_json(_json(literal))
    assert time.perf_counter() - start < 1.0
    assert "payoffs[0][0][0]" in str(caught.value) or "JSON integer" in str(caught.value)


@pytest.mark.parametrize("literal", NOT_NUMBERS)
def test_non_ascii_digits_are_not_numbers_in_json_strings(literal):
    with pytest.raises(JsonFormatError, match=r"payoffs\[0\]\[0\]\[0\] must be an integer, a decimal or a rational"):
        read_json(_json(f'"{literal}"'))


@pytest.mark.parametrize("value", ["-1e999999999", "-1e400", "-" + "9" * 400, "-1/" + "3" * 1001])
def test_game_parameters_are_bounded(value):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"argument value in 'penalty:.*(MAX_LITERAL|largest float)"):
        get_game(f"penalty:{value}")
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("value", ["-\u0661", "-1_0", "-\uff11"])
def test_game_parameters_take_ascii_digits_only(value):
    with pytest.raises(ValueError, match=r"is not a number \(integer, decimal or a/b with ASCII digits\)"):
        get_game(f"penalty:{value}")


def test_exact_parameters_beyond_the_largest_float_are_refused():
    with pytest.raises(ValueError, match="k: an exact number of magnitude about 1e\\+400"):
        penalty(-(10**400))


def test_the_bounds_are_the_documented_ones():
    assert (MAX_LITERAL_DIGITS, MAX_LITERAL_EXPONENT) == (1000, 1000)
    assert parse_exact_literal("x", "1" + "0" * 300) == 10**300
    assert parse_exact_literal("x", "0." + "0" * 999 + "e1000") == 0
    with pytest.raises(ValueError, match="x: .* has more than 1000 digits"):
        parse_exact_literal("x", "1." + "0" * 1000)
    with pytest.raises(ValueError, match="beyond \\+-1000"):
        parse_exact_literal("x", "1e1001")
    assert check_exact_magnitude("x", Fraction(1, 10**300)) == Fraction(1, 10**300)
    with pytest.raises(ValueError, match="more than 1000 digits"):
        check_exact_magnitude("x", Fraction(1, 10**1200))
