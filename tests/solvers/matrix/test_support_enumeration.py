"""Tests of stackelberg.solvers.matrix.support_enumeration: complete extreme-equilibrium enumeration."""

import importlib

from fractions import Fraction as F
from itertools import combinations, product

import numpy as np
import pygambit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.solvers._exact import fraction_free_solve
from stackelberg.solvers.matrix.results import Equilibrium
from stackelberg.solvers.matrix.support_enumeration import iter_support_enumeration, support_enumeration

# the module itself (stackelberg.solvers re-exports a function of the same name)
se = importlib.import_module("stackelberg.solvers.matrix.support_enumeration")

VON_STENGEL = NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
VON_STENGEL_EQUILIBRIA = {
    ((F(1), F(0), F(0)), (F(1), F(0))),
    ((F(0), F(1, 3), F(2, 3)), (F(1, 3), F(2, 3))),
    ((F(4, 5), F(1, 5), F(0)), (F(2, 3), F(1, 3))),
}

# Degenerate games whose extreme equilibria include supports of unequal sizes.
DEGENERATE_GAMES = {
    "indifferent column": ([[1, 1], [0, 2]], [[1, 1], [0, 1]]),
    "all zero": ([[0, 0], [0, 0]], [[0, 0], [0, 0]]),
    "duplicate rows": ([[1, 0], [1, 0], [0, 1]], [[0, 1], [0, 1], [1, 0]]),
    "weakly dominated": ([[1, 1, 0], [1, 0, 1], [0, 1, 1]], [[1, 1, 1], [0, 1, 0], [1, 0, 0]]),
    "von Stengel 3x2 degenerate": ([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]),
    "escape": ([[15, 10, 0], [10, 10, 0], [0, 0, 30]], [[15, 10, 0], [10, 10, 0], [0, 0, 30]]),
    "one row": ([[1, 1, 0]], [[2, 2, 1]]),
    "one column": ([[1], [1], [0]], [[0], [5], [5]]),
}


def as_set(profiles):
    return {(tuple(x), tuple(y)) for x, y in profiles}


def gambit_equilibria(A, B):
    """Every extreme equilibrium by pygambit 17.0.0b2's rational enummixed."""
    game = pygambit.StrategicGame.from_arrays(np.array(A, dtype=object), np.array(B, dtype=object))
    result = pygambit.nash.enummixed_solve(game, rational=True)
    return {
        tuple(tuple(F(str(p)) for _, p in mixed) for mixed in eq) for eq in result.equilibria
    }


@st.composite
def integer_bimatrix(draw, max_actions=4, values=(0, 2)):
    m = draw(st.integers(1, max_actions))
    n = draw(st.integers(1, max_actions))
    cells = st.integers(*values)
    A = [[draw(cells) for _ in range(n)] for _ in range(m)]
    B = [[draw(cells) for _ in range(n)] for _ in range(m)]
    return A, B


# --------------------------------------------------------------------------- reference games
def test_von_stengel_exact():
    assert as_set(iter_support_enumeration(VON_STENGEL, exact=True, tol=0)) == VON_STENGEL_EQUILIBRIA


def test_von_stengel_float_matches_exact():
    found = list(iter_support_enumeration(VON_STENGEL.to_float(), exact=False, tol=1e-9))
    assert len(found) == 3
    for x, y in found:
        assert x.dtype == float and y.dtype == float
        assert any(
            np.allclose(x, np.array(ex, dtype=float)) and np.allclose(y, np.array(ey, dtype=float))
            for ex, ey in VON_STENGEL_EQUILIBRIA
        )


def test_support_enumeration_certifies():
    equilibria = support_enumeration(VON_STENGEL)
    assert all(isinstance(eq, Equilibrium) and eq.exact and eq.max_regret == 0 for eq in equilibria)
    assert {eq.method for eq in equilibria} == {"support"}
    assert {(tuple(eq.strategies[0]), tuple(eq.strategies[1])) for eq in equilibria} == VON_STENGEL_EQUILIBRIA
    assert all(isinstance(v, F) for eq in equilibria for s in eq.strategies for v in s)


@pytest.mark.parametrize("name", sorted(DEGENERATE_GAMES))
def test_degenerate_games_match_gambit(name):
    A, B = DEGENERATE_GAMES[name]
    game = NormalFormGame.from_bimatrix(A, B)
    found = as_set(iter_support_enumeration(game, exact=True, tol=0))
    assert found == gambit_equilibria(A, B)
    assert len(found) == len(list(iter_support_enumeration(game, exact=True, tol=0)))  # each once


def test_unequal_support_sizes_are_found():
    game = NormalFormGame.from_bimatrix(*DEGENERATE_GAMES["indifferent column"])
    found = as_set(iter_support_enumeration(game, exact=True, tol=0))
    assert ((F(1), F(0)), (F(1, 2), F(1, 2))) in found  # supports of sizes 1 and 2


def test_all_zero_game_has_every_pure_profile():
    game = NormalFormGame.from_bimatrix(np.zeros((2, 3), dtype=int), np.zeros((2, 3), dtype=int))
    found = support_enumeration(game)
    assert sorted(eq.pure_actions for eq in found) == sorted(product(range(2), range(3)))


def test_brute_force_pure_equilibria_are_included():
    A, B = DEGENERATE_GAMES["weakly dominated"]
    game = NormalFormGame.from_bimatrix(A, B)
    pure = {eq.pure_actions for eq in support_enumeration(game) if eq.is_pure}
    expected = {
        (i, j)
        for i, j in product(range(3), range(3))
        if A[i][j] == max(A[k][j] for k in range(3)) and B[i][j] == max(B[i][k] for k in range(3))
    }
    assert pure == expected


# --------------------------------------------------------------------------- properties
@given(integer_bimatrix())
def test_random_degenerate_games_match_gambit(game_arrays):
    A, B = game_arrays
    found = as_set(iter_support_enumeration(NormalFormGame.from_bimatrix(A, B), exact=True, tol=0))
    assert found == gambit_equilibria(A, B)


@given(integer_bimatrix(values=(-3, 3)))
def test_float_mode_matches_exact_mode(game_arrays):
    game = NormalFormGame.from_bimatrix(*game_arrays)
    exact = support_enumeration(game, exact=True)
    floats = support_enumeration(game, exact=False)
    assert len(exact) == len(floats)
    assert all(any(e == f for f in floats) for e in exact)
    assert all(f.max_regret <= 1e-9 and not f.exact for f in floats)


@given(integer_bimatrix(max_actions=3, values=(0, 2)))
def test_equilibria_are_invariant_under_payoff_shift_and_scale(game_arrays):
    """Large payoffs take the int64-unsafe (object) and the unscreened (beyond 2**50) paths."""
    A, B = game_arrays
    reference = as_set(iter_support_enumeration(NormalFormGame.from_bimatrix(A, B), exact=True, tol=0))
    for scale, shift in [(10**6, 7), (3, 2**60), (2**55, -(2**70))]:
        big = NormalFormGame.from_bimatrix(
            [[a * scale + shift for a in row] for row in A], [[b * scale - shift for b in row] for row in B]
        )
        assert as_set(iter_support_enumeration(big, exact=True, tol=0)) == reference


def test_fraction_payoffs():
    A = [[F(1, 3), F(1, 3)], [F(0), F(2, 3)]]
    B = [[F(1, 7), F(1, 7)], [F(0), F(1, 7)]]
    game = NormalFormGame.from_bimatrix(A, B)
    reference = NormalFormGame.from_bimatrix(*DEGENERATE_GAMES["indifferent column"])
    assert as_set(iter_support_enumeration(game, exact=True, tol=0)) == as_set(
        iter_support_enumeration(reference, exact=True, tol=0)
    )


def test_exact_binary_values_of_a_float_game():
    rng = np.random.default_rng(7)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    exact = support_enumeration(NormalFormGame.from_bimatrix(A, B, exact=True))
    floats = support_enumeration(NormalFormGame.from_bimatrix(A, B))
    assert all(eq.exact and eq.max_regret == 0 for eq in exact)
    assert len(exact) == len(floats) and all(any(e == f for f in floats) for e in exact)


def test_batches_split_across_chunks(monkeypatch):
    rng = np.random.default_rng(3)
    A, B = rng.integers(0, 3, (5, 5)).tolist(), rng.integers(0, 3, (5, 5)).tolist()
    game = NormalFormGame.from_bimatrix(A, B)
    whole_exact = as_set(iter_support_enumeration(game, exact=True, tol=0))
    whole_float = len(list(iter_support_enumeration(game, exact=False, tol=1e-9)))
    monkeypatch.setattr(se, "_BATCH", 7)
    assert as_set(iter_support_enumeration(game, exact=True, tol=0)) == whole_exact == gambit_equilibria(A, B)
    assert len(list(iter_support_enumeration(game, exact=False, tol=1e-9))) == whole_float


# --------------------------------------------------------------------------- exact mode (the solve itself: tests/solvers/test_exact.py)
def test_float_screen_never_rejects_a_feasible_system():
    rng = np.random.default_rng(5)
    payoff = rng.integers(0, 3, (5, 5)).astype(object)
    as_float = payoff.astype(float)
    exact_feasible = total_rejected = 0
    for size in range(1, 6):
        rows = np.array(list(combinations(range(5), size)))
        rejected = se._proven_infeasible(as_float, rows, rows, se._systems(as_float, rows, rows))
        total_rejected += rejected.sum()
        M = se._systems(payoff, rows, rows)
        regular, numerators, _ = fraction_free_solve(M, se._last_unit(len(M), size + 1, object))
        for n, num in zip(np.flatnonzero(regular), numerators):
            x = num[:size]
            feasible = (x >= 0).all() and (x @ payoff[rows[n // len(rows)]] <= num[size]).all()
            exact_feasible += feasible
            assert not (feasible and rejected[n])
    assert exact_feasible > 0 and total_rejected > 0


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("function", [support_enumeration, lambda g, **kw: list(iter_support_enumeration(g, **kw))])
def test_bad_input(function):
    kwargs = {"exact": None, "tol": 1e-9}
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        function([[1, 0], [0, 1]], **kwargs)
    with pytest.raises(ValueError, match="2 players"):
        function(NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int)), **kwargs)
    with pytest.raises(ValueError, match="exact=True needs"):
        function(VON_STENGEL.to_float(), exact=True, tol=1e-9)
    with pytest.raises(TypeError, match="exact must be"):
        function(VON_STENGEL, exact="yes", tol=1e-9)
    with pytest.raises(ValueError, match="tol"):
        function(VON_STENGEL, exact=None, tol=-1.0)
    with pytest.raises(TypeError, match="tol"):
        function(VON_STENGEL, exact=None, tol="small")
    with pytest.raises(ValueError, match="tol"):
        function(VON_STENGEL, exact=None, tol=float("nan"))
    with pytest.raises(ValueError, match="tol must be positive for float"):
        function(VON_STENGEL, exact=False, tol=0)
    assert len(function(VON_STENGEL, exact=True, tol=0)) == 3  # tol is unused when exact
