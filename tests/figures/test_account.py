"""The verdict rule of the figure reports: derived per row from the paper's and our numbers."""

import math

import pytest

from stackelberg.figures._account import CLOSE, MATCH, Row, fmt, verdict


@pytest.mark.parametrize(
    ("paper", "ours", "scale", "expected"),
    [
        (9.0, 9.0 * (1 - MATCH) + 0.01, None, "match"),  # just inside the match threshold
        (9.0, 9.0 * (1 - MATCH) - 0.01, None, "close"),
        (9.0, 9.0 * (1 + CLOSE) - 0.01, None, "close"),
        (9.0, 9.0 * (1 - CLOSE) - 0.01, None, "differs"),
        (0.72, 0.7, None, "match"),  # |paper| < 1: the difference is taken against 1
        (0.72, 0.1, None, "differs"),
        (0.0, 0.04, None, "match"),
        (93.0, 80.0, 100.0, "close"),  # percentages: 13 points of 100
        (37.0, 100.0, 100.0, "differs"),
        ((0.0, 10.0), (0.0, 9.0), None, "close"),  # tuples: the worst entry, against max |paper| = 10
        ((1.62, 1.82), (1.95, 1.95), None, "close"),  # 0.33 / 1.82
        ((1.62, 1.82), (0.0, 0.0), None, "differs"),
        ((0.0, 10.0), (0.0,), None, "differs"),  # a tuple of the wrong length never matches
        (9.0, math.nan, None, "differs"),
        ("< 0", -1.95, None, "match"),
        ("< 0", 0.0, None, "differs"),
        ("<= 0.5", 0.5, None, "match"),
        ("> 0", 2.0, None, "match"),
        (">= 1", 0.99, None, "differs"),
        ("< 0", True, None, "differs"),  # a bound needs a number
        (True, True, None, "match"),
        (False, True, None, "differs"),
        (True, 1.0, None, "differs"),  # a yes/no claim is not met by a number
        ("DC", "DC", None, "match"),
        ("DC", "CC", None, "differs"),
    ],
)
def test_verdict_rule(paper, ours, scale, expected):
    row = Row("item", paper=paper, ours=ours, full=ours, scale=scale)
    assert verdict(row, quick=False) == expected
    assert verdict(row, quick=False, full_scale=True) == expected


def test_quick_rows_that_depend_on_the_budget_are_not_compared():
    row = Row("LIO return", paper=9.0, ours=0.29, full=8.96)
    assert verdict(row, quick=True) == "quick-only"
    assert verdict(row, quick=True, full_scale=True) == "match"  # the recorded full-scale number is compared
    assert verdict(row, quick=False) == "differs"  # the same number in a full run is a real difference
    exact = Row("IPD reward", paper=-2.0, ours=-2.0, full=-2.0, budget_dependent=False)
    assert verdict(exact, quick=True) == "match"


def test_rows_without_numbers():
    left_out = Row("ER(3,2) return", paper=8.0, ours=None, full=6.73)
    assert verdict(left_out, quick=True) == "quick-only"
    assert verdict(left_out, quick=False) == "not run"
    never = Row("ER(10,5) reward", paper=40.0, ours=None, full=None)
    assert verdict(never, quick=True) == verdict(never, quick=False) == "not run"
    assert verdict(never, quick=False, full_scale=True) == "not run"
    unrecorded = Row("winner incentive", paper=0.0, ours=1.1, full=None)
    assert verdict(unrecorded, quick=False, full_scale=True) == "not recorded"
    assert verdict(unrecorded, quick=False) == "differs"


def test_fmt():
    assert fmt(None) == "not run"
    assert fmt(True) == "yes" and fmt(False) == "no"
    assert fmt(2.0) == "2" and fmt(-3) == "-3"
    assert fmt(8.155) == "8.155" and fmt(0.123456) == "0.1235"
    assert fmt(8.88e-16) == "8.88e-16"
    assert fmt((0.0, 10.0)) == "(0, 10)"
    assert fmt(math.nan) == "nan"
    assert fmt("< 0") == "< 0"


def test_stand_in_rows_are_never_compared():
    # tabular independent Q standing in for MAPPO: the averages agree, the algorithms differ: no verdict
    row = Row("Mixing average reward (independent Q, tabular stand-in for MAPPO)", paper=0.72, ours=0.70, full=0.70,
              stand_in="MAPPO")
    assert verdict(row, quick=False) == "stand-in"
    assert verdict(row, quick=True) == "stand-in"
    assert verdict(row, quick=False, full_scale=True) == "stand-in"
    assert verdict(Row("x", paper=0.72, ours=None, full=None, stand_in="MAPPO"), quick=False) == "not run"
