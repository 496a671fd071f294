"""Tests of stackelberg.solvers.matrix.zero_sum: minimax LP with exact rational recovery."""

import dataclasses
import warnings
from fractions import Fraction as F

import nashpy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.solvers.matrix import zero_sum as zs
from stackelberg.solvers.matrix.support_enumeration import support_enumeration
from stackelberg.solvers.matrix.zero_sum import ZeroSumSolution, zero_sum_equilibrium, zero_sum_values

PENNIES = [[1, -1], [-1, 1]]
RPS = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]


@st.composite
def integer_matrix(draw, max_actions=5, values=(-4, 4)):
    m = draw(st.integers(1, max_actions))
    n = draw(st.integers(1, max_actions))
    return [[draw(st.integers(*values)) for _ in range(n)] for _ in range(m)]


def test_matching_pennies():
    solution = zero_sum_equilibrium(PENNIES)
    assert solution.value == 0 and isinstance(solution.value, F)
    assert solution.row_strategy.tolist() == [F(1, 2)] * 2
    assert solution.column_strategy.tolist() == [F(1, 2)] * 2
    assert solution.max_regret == 0 and solution.exact


def test_rock_paper_scissors_uniform():
    solution = zero_sum_equilibrium(RPS)
    assert solution.value == 0
    assert solution.row_strategy.tolist() == [F(1, 3)] * 3
    assert solution.column_strategy.tolist() == [F(1, 3)] * 3


def test_rock_paper_scissors_float():
    solution = zero_sum_equilibrium(np.array(RPS, dtype=float))
    assert not solution.exact and solution.method == "linprog-highs"
    assert abs(solution.value) <= 1e-9 and solution.max_regret <= 1e-9
    np.testing.assert_allclose(solution.row_strategy, np.full(3, 1 / 3), atol=1e-9)
    np.testing.assert_allclose(solution.column_strategy, np.full(3, 1 / 3), atol=1e-9)


def test_exact_value_one_seventh():
    solution = zero_sum_equilibrium([[3, -1], [-2, 1]])
    assert solution.value == F(1, 7)
    assert solution.row_strategy.tolist() == [F(3, 7), F(4, 7)]
    assert solution.column_strategy.tolist() == [F(2, 7), F(5, 7)]
    assert solution.method == "linprog-highs+rational"


def test_fraction_payoffs_and_saddle_point():
    solution = zero_sum_equilibrium([[F(1, 2), F(2, 3)], [F(1, 3), F(1, 4)]])
    assert solution.value == F(1, 2)  # saddle point at (0, 0)
    assert solution.row_strategy.tolist() == [1, 0] and solution.column_strategy.tolist() == [1, 0]


def test_one_row_and_one_column():
    assert zero_sum_equilibrium([[4, -2, 7]]).value == -2
    assert zero_sum_equilibrium([[4], [-2], [7]]).value == 7


def test_result_is_frozen():
    solution = zero_sum_equilibrium(PENNIES)
    assert isinstance(solution, ZeroSumSolution)
    with pytest.raises(dataclasses.FrozenInstanceError):
        solution.value = 1


@given(integer_matrix())
def test_value_equals_support_enumeration(A):
    solution = zero_sum_equilibrium(A)
    assert solution.exact and solution.max_regret == 0
    game = NormalFormGame.zero_sum(A)
    assert {eq.payoffs[0] for eq in support_enumeration(game)} == {solution.value}
    assert game.max_regret((solution.row_strategy, solution.column_strategy)) == 0
    floats = zero_sum_equilibrium(np.array(A, dtype=float))
    assert abs(floats.value - float(solution.value)) <= 1e-9


@given(st.integers(2, 6), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_random_float_game_matches_nashpy_and_support_enumeration(m, n, seed):
    A = np.random.default_rng(seed).normal(size=(m, n))
    solution = zero_sum_equilibrium(A)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x, y = nashpy.Game(A).linear_program()
    assert abs(solution.value - x @ A @ y) <= 1e-8
    values = [eq.payoffs[0] for eq in support_enumeration(NormalFormGame.zero_sum(A))]
    assert values and all(abs(solution.value - v) <= 1e-8 for v in values)


def test_zero_sum_game_input():
    game = NormalFormGame.zero_sum([[3, -1], [-2, 1]])
    assert zero_sum_equilibrium(game).value == F(1, 7)
    float_game = NormalFormGame.from_bimatrix([[1.0, -1.0], [-1.0, 1.0]], [[-1.0, 1.0 + 1e-12], [1.0, -1.0]])
    assert abs(zero_sum_equilibrium(float_game).value) <= 1e-9  # zero-sum within tol
    assert zero_sum_equilibrium(game, exact=False).value == pytest.approx(1 / 7)


def test_exact_fallback_when_the_lp_strategy_does_not_verify(monkeypatch):
    monkeypatch.setattr(zs, "_maximin_strategy", lambda M: np.full(M.shape[0], 1.0 / M.shape[0]))
    solution = zero_sum_equilibrium([[3, -1], [-2, 1]])
    assert solution.method == "support-enumeration"
    assert solution.value == F(1, 7) and solution.max_regret == 0


def test_rational_recovery_rejects_a_wrong_strategy():
    A = np.array([[3, -1], [-2, 1]], dtype=object)
    assert zs._rational_optimum(A, np.array([3 / 7, 4 / 7])).tolist() == [F(3, 7), F(4, 7)]
    assert zs._rational_optimum(A, np.array([0.5, 0.5])) is None  # no unique equalizing solution


def test_bad_input():
    with pytest.raises(ValueError, match="A must be a 2-dimensional"):
        zero_sum_equilibrium([1, 2, 3])
    with pytest.raises(ValueError, match="A must be a 2-dimensional"):
        zero_sum_equilibrium(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="at least one row"):
        zero_sum_equilibrium(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="finite"):
        zero_sum_equilibrium([[1.0, float("nan")]])
    with pytest.raises(ValueError, match="finite"):
        zero_sum_equilibrium([[1.0, float("inf")]])
    with pytest.raises(TypeError, match="A must be an array of numbers"):
        zero_sum_equilibrium([["a", "b"]])
    with pytest.raises(ValueError, match="A must be a 2-dimensional"):
        zero_sum_equilibrium(None)
    with pytest.raises(ValueError, match="zero-sum"):
        zero_sum_equilibrium(NormalFormGame.from_bimatrix([[1, 0]], [[0, 1]]))
    with pytest.raises(ValueError, match="zero-sum"):
        zero_sum_equilibrium(NormalFormGame.from_bimatrix([[1.0, 0.0]], [[-1.0, 1e-6]]))
    with pytest.raises(ValueError, match="two-player"):
        zero_sum_equilibrium(NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int)))
    with pytest.raises(ValueError, match="exact=True needs"):
        zero_sum_equilibrium([[0.5, 1.0]], exact=True)
    with pytest.raises(TypeError, match="exact must be"):
        zero_sum_equilibrium(PENNIES, exact="yes")
    with pytest.raises(ValueError, match="tol"):
        zero_sum_equilibrium(PENNIES, tol=-1)
    with pytest.raises(TypeError, match="tol"):
        zero_sum_equilibrium(PENNIES, tol=None)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**31 - 1), st.booleans())
def test_zero_sum_values_match_the_lp(m, n, seed, integer):
    """The batched support enumeration agrees with the LP, degenerate integer games included."""
    rng = np.random.default_rng(seed)
    M = rng.integers(-2, 3, size=(6, m, n)).astype(float) if integer else rng.normal(size=(6, m, n))
    value, x, y = zero_sum_values(M)
    for r in range(6):
        solution = zero_sum_equilibrium(M[r], exact=False)
        assert abs(value[r] - solution.value) <= 1e-8
        assert (x[r] @ M[r]).min() >= solution.value - 1e-8  # x guarantees the value
        assert (M[r] @ y[r]).max() <= solution.value + 1e-8  # y holds the row player to it
        np.testing.assert_allclose([x[r].sum(), y[r].sum()], 1.0)


def test_zero_sum_values_falls_back_to_lp_for_large_games(monkeypatch):
    import stackelberg.solvers.matrix.zero_sum as module

    rng = np.random.default_rng(3)
    M = rng.normal(size=(3, 4, 4))
    expected = zero_sum_values(M)
    monkeypatch.setattr(module, "MAX_SUPPORT_PAIRS", 0)
    for a, b in zip(expected, zero_sum_values(M)):
        np.testing.assert_allclose(a, b, atol=1e-7)


@pytest.mark.parametrize("M, message", [
    (np.zeros((2, 0, 3)), "stack of payoff matrices"),
    (np.zeros(3), "stack of payoff matrices"),
    ([[[np.nan, 0.0]]], "M"),
])
def test_zero_sum_values_rejects_bad_input(M, message):
    with pytest.raises(ValueError, match=message):
        zero_sum_values(M)
