"""Tests of stackelberg.solvers.matrix.lemke_howson: lexicographic Lemke-Howson, exact and float."""

import warnings
from fractions import Fraction as F

import nashpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.errors import IterationLimitError
from stackelberg.solvers.matrix.lemke_howson import lemke_howson
from stackelberg.solvers.matrix.support_enumeration import support_enumeration

VON_STENGEL = NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
PURE = ((F(1), F(0), F(0)), (F(1), F(0)))
MIXED = ((F(0), F(1, 3), F(2, 3)), (F(1, 3), F(2, 3)))

DEGENERATE_GAMES = [
    ([[1, 1], [0, 2]], [[1, 1], [0, 1]]),
    ([[0, 0], [0, 0]], [[0, 0], [0, 0]]),
    ([[1, 0], [1, 0], [0, 1]], [[0, 1], [0, 1], [1, 0]]),
    ([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]),
    ([[15, 10, 0], [10, 10, 0], [0, 0, 30]], [[15, 10, 0], [10, 10, 0], [0, 0, 30]]),
    ([[1, 1, 1], [1, 1, 1]], [[2, 2, 2], [2, 2, 2]]),
]


@st.composite
def integer_bimatrix(draw, max_actions=4, values=(0, 2)):
    m = draw(st.integers(1, max_actions))
    n = draw(st.integers(1, max_actions))
    cells = st.integers(*values)
    return [[draw(cells) for _ in range(n)] for _ in range(m)], [[draw(cells) for _ in range(n)] for _ in range(m)]


def profile(eq):
    return tuple(tuple(s) for s in eq.strategies)


@pytest.mark.parametrize("label, expected", [(0, PURE), (1, MIXED), (2, PURE), (3, PURE), (4, MIXED)])
def test_von_stengel_every_label(label, expected):
    eq = lemke_howson(VON_STENGEL, label)
    assert profile(eq) == expected
    assert eq.exact and eq.max_regret == 0 and eq.method == "lemke-howson"
    assert eq.parameters == {"initial_label": label}


@pytest.mark.parametrize("label", range(5))
def test_von_stengel_float_matches_exact(label):
    exact = lemke_howson(VON_STENGEL, label)
    floats = lemke_howson(VON_STENGEL, label, exact=False)
    assert not floats.exact and floats.max_regret <= 1e-9
    assert floats == exact


@pytest.mark.parametrize("A, B", DEGENERATE_GAMES)
def test_degenerate_games_every_label(A, B):
    game = NormalFormGame.from_bimatrix(A, B)
    extreme = support_enumeration(game)
    for label in range(sum(game.shape)):
        eq = lemke_howson(game, label)
        assert eq.exact and eq.max_regret == 0
        assert all(isinstance(v, F) for s in eq.strategies for v in s)
        assert any(eq == other for other in extreme)
        assert lemke_howson(game.to_float(), label) == eq


@given(integer_bimatrix())
def test_random_degenerate_games_terminate_at_extreme_equilibria(arrays):
    game = NormalFormGame.from_bimatrix(*arrays)
    extreme = support_enumeration(game)
    for label in range(sum(game.shape)):
        eq = lemke_howson(game, label, max_pivots=10_000)
        assert eq.max_regret == 0
        assert any(eq == other for other in extreme)
        floats = lemke_howson(game, label, exact=False, max_pivots=10_000)
        assert floats.max_regret <= 1e-9
        assert any(floats == other for other in extreme)


@given(st.integers(2, 5), st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_generic_games_agree_with_nashpy(m, n, seed):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))
    game = NormalFormGame.from_bimatrix(A, B)
    for label in range(m + n):
        eq = lemke_howson(game, label)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x, y = nashpy.Game(A, B).lemke_howson(initial_dropped_label=label)
        # in a nondegenerate game the path from a label is unique; nashpy sometimes
        # stops at a non-equilibrium, so compare only where its answer is one
        if x.shape == (m,) and y.shape == (n,) and np.isclose(x.sum(), 1) and game.max_regret((x, y)) <= 1e-9:
            assert np.allclose(eq.strategies[0], x) and np.allclose(eq.strategies[1], y)


def test_fraction_payoffs_give_fraction_strategies():
    game = NormalFormGame.from_bimatrix([[F(3, 2), F(-1, 3)], [F(0), F(1, 5)]], [[F(-1, 2), F(1, 3)], [F(2, 7), F(0)]])
    eq = lemke_howson(game, 0)
    assert eq.max_regret == 0
    assert eq == support_enumeration(game)[0]


def test_max_pivots_guard():
    with pytest.raises(IterationLimitError, match="max_pivots=1") as caught:
        lemke_howson(VON_STENGEL, 1, max_pivots=1)
    assert caught.value.budget == "max_pivots"
    assert profile(lemke_howson(VON_STENGEL, 1, max_pivots=10)) == MIXED


def test_bad_input():
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        lemke_howson([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="2 players"):
        lemke_howson(NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int)))
    for label in (True, 1.0, "0", None):
        with pytest.raises(TypeError, match="initial_label"):
            lemke_howson(VON_STENGEL, label)
    for label in (-1, 5, 100):
        with pytest.raises(ValueError, match=r"initial_label must be in \[0, 5\)"):
            lemke_howson(VON_STENGEL, label)
    with pytest.raises(ValueError, match="max_pivots"):
        lemke_howson(VON_STENGEL, 0, max_pivots=0)
    with pytest.raises(TypeError, match="max_pivots"):
        lemke_howson(VON_STENGEL, 0, max_pivots=2.5)
    with pytest.raises(ValueError, match="exact=True needs"):
        lemke_howson(VON_STENGEL.to_float(), 0, exact=True)
    with pytest.raises(TypeError, match="exact must be"):
        lemke_howson(VON_STENGEL, 0, exact=1)
    with pytest.raises(ValueError, match="tol"):
        lemke_howson(VON_STENGEL, 0, tol=-1e-9)
    assert profile(lemke_howson(VON_STENGEL, np.int64(1))) == MIXED
