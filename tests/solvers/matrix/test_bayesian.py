"""Bayesian Stackelberg games: DOBSS MILP, exact multiple LPs, cvxpy front end; one type is the mixed SSE."""

import builtins
from fractions import Fraction

import numpy as np
import pytest

from stackelberg import NormalFormGame, stackelberg_equilibria
from stackelberg.errors import MissingExtraError, ProblemTooLargeError
from stackelberg.solvers.matrix.bayesian import bayesian_stackelberg


def random_types(seed, K, m, n):
    rng = np.random.default_rng(seed)
    return [(rng.integers(-9, 10, size=(m, n)), rng.integers(-9, 10, size=(m, n))) for _ in range(K)]


def brute_force_value(types, prior, grid=60):
    """The best strong value over a grid of commitments (2 leader actions): a lower bound of the optimum."""
    best = -np.inf
    for t in np.linspace(0, 1, grid + 1):
        x = np.array([t, 1 - t])
        value = 0.0
        for (A, B), p in zip(types, prior):
            follower = x @ B
            best_responses = np.flatnonzero(follower >= follower.max() - 1e-12)
            value += p * max(x @ A[:, j] for j in best_responses)
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_one_type_is_exactly_the_mixed_strong_stackelberg_equilibrium(seed):
    (A, B), = random_types(seed, 1, 3, 4)
    game = NormalFormGame.from_bimatrix(A, B)
    sse = stackelberg_equilibria(game, commitment="mixed")[0]
    exact = bayesian_stackelberg(game)
    assert exact.exact and exact.value == sse.leader_value and exact.max_follower_regret == 0
    milp = bayesian_stackelberg([(A, B)], [1.0], method="milp")
    assert not milp.exact and abs(milp.value - float(sse.leader_value)) <= 1e-9 * 9
    floating = bayesian_stackelberg(game, method="multiple-lps", exact=False)
    assert abs(floating.value - float(sse.leader_value)) <= 1e-9 * 9


@pytest.mark.parametrize("seed", range(4))
def test_milp_and_exact_multiple_lps_agree_on_several_types(seed):
    types = random_types(10 + seed, 3, 3, 3)
    prior = [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)]
    exact = bayesian_stackelberg(types, prior)
    milp = bayesian_stackelberg(types, [float(p) for p in prior], method="milp")
    assert exact.method.startswith("multiple LPs (exact") and milp.method.startswith("DOBSS")
    assert abs(float(exact.value) - milp.value) <= 1e-7
    assert exact.value == sum(p * v for p, v in zip(prior, exact.leader_values))
    for (A, B), j in zip(types, exact.responses):  # certified: every type best-responds
        follower = exact.leader_strategy @ B
        assert follower[j] == follower.max()


@pytest.mark.parametrize("seed", range(4))
def test_the_optimum_beats_every_commitment_on_a_grid(seed):
    types = random_types(20 + seed, 2, 2, 3)
    prior = [0.4, 0.6]
    solution = bayesian_stackelberg(types, prior, method="milp")
    assert solution.value >= brute_force_value(types, prior) - 1e-9


def test_cvxpy_front_end_agrees_and_missing_cvxpy_is_a_clear_error(monkeypatch):
    types = random_types(30, 2, 3, 3)
    direct = bayesian_stackelberg(types, [0.5, 0.5], method="milp")
    through_cvxpy = bayesian_stackelberg(types, [0.5, 0.5], solver="HIGHS")
    assert abs(direct.value - through_cvxpy.value) <= 1e-7 and "cvxpy" in through_cvxpy.method
    with pytest.raises(ValueError, match="solver must be one of"):
        bayesian_stackelberg(types, [0.5, 0.5], solver="NO_SUCH_SOLVER")
    real_import = builtins.__import__

    def no_cvxpy(name, *args, **kwargs):
        if name == "cvxpy":
            raise ImportError("no cvxpy")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cvxpy)
    with pytest.raises(MissingExtraError, match="cvxpy"):
        bayesian_stackelberg(types, [0.5, 0.5], solver="HIGHS")


def test_bad_input_gets_clear_errors():
    (A, B), = random_types(0, 1, 2, 2)
    with pytest.raises(ValueError, match="same action sets: types\\[1\\] has shape \\(2, 3\\)"):
        bayesian_stackelberg([(A, B), (np.zeros((2, 3)), np.zeros((2, 3)))], [0.5, 0.5])
    with pytest.raises(ValueError, match="prior must sum to 1"):
        bayesian_stackelberg([(A, B), (A, B)], [0.5, 0.6])
    with pytest.raises(ValueError, match="prior must have 2 entries"):
        bayesian_stackelberg([(A, B), (A, B)], [1.0])
    with pytest.raises(ValueError, match="prior is needed"):
        bayesian_stackelberg([(A, B), (A, B)])
    with pytest.raises(ValueError, match="types\\[0\\].*finite"):
        bayesian_stackelberg([([[1.0, np.nan], [0, 0]], B)], [1.0])
    with pytest.raises(ValueError, match="at least one"):
        bayesian_stackelberg([], [])
    with pytest.raises(ValueError, match="exact=True needs"):
        bayesian_stackelberg([(A * 0.5, B)], [1.0], exact=True)
    with pytest.raises(ValueError, match="method must be"):
        bayesian_stackelberg([(A, B)], method="simplex")
    with pytest.raises(ProblemTooLargeError, match="max_profiles"):
        bayesian_stackelberg(random_types(1, 3, 2, 4), [Fraction(1, 3)] * 3, method="multiple-lps", max_profiles=10)
