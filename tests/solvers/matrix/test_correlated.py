"""Correlated and coarse correlated equilibria: LPs certified by the obedience constraints."""

from fractions import Fraction

import numpy as np
import pytest

from stackelberg import NormalFormGame, nash_equilibria
from stackelberg.solvers.matrix.correlated import correlated_equilibria, obedience_gains

CHICKEN = NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])


def test_chicken_welfare_optimum_is_aumanns():
    ce = correlated_equilibria(CHICKEN)
    assert ce.exact and ce.max_gain == 0
    assert ce.distribution.tolist() == [[Fraction(1, 2), Fraction(1, 4)], [Fraction(1, 4), 0]]
    assert ce.value == Fraction(21, 2) and ce.payoffs == (Fraction(21, 4), Fraction(21, 4))
    assert ce.support == [(0, 0), (0, 1), (1, 0)]


def test_float_solve_agrees_with_the_exact_one():
    exact = correlated_equilibria(CHICKEN)
    floating = correlated_equilibria(CHICKEN, exact=False)
    assert not floating.exact and abs(floating.value - 10.5) <= 1e-9
    assert np.allclose(floating.distribution, np.asarray(exact.distribution, float), atol=1e-8)


def test_leader_and_array_objectives():
    leader = correlated_equilibria(CHICKEN, "leader")
    assert leader.payoffs[0] == 7 and leader.distribution[1, 0] == 1  # the leader's favourite pure equilibrium
    follower = correlated_equilibria(CHICKEN, CHICKEN.exact_payoffs[1])
    assert follower.payoffs[1] == 7 and follower.objective == "array"


def test_nash_equilibria_are_correlated_and_the_optimum_dominates_them():
    rng = np.random.default_rng(3)
    game = NormalFormGame([rng.integers(-5, 6, size=(2, 2, 3)) for _ in range(3)])
    ce = correlated_equilibria(game)
    for eq in nash_equilibria(game):
        if not eq.exact:
            continue
        product = np.einsum("i,j,k->ijk", *[np.asarray(s, dtype=object) for s in eq.strategies])
        assert all(g.max() <= 0 for g in obedience_gains(game, product, exact=True))
        assert sum(eq.payoffs) <= ce.value


def test_coarse_set_contains_the_correlated_one():
    rng = np.random.default_rng(4)
    game = NormalFormGame([rng.integers(-5, 6, size=(3, 3, 2)) for _ in range(3)])
    ce = correlated_equilibria(game)
    cce = correlated_equilibria(game, coarse=True)
    assert cce.value >= ce.value and cce.max_gain == 0
    assert all(g.max() <= 0 for g in obedience_gains(game, ce.distribution, coarse=True, exact=True))


def test_bad_input():
    with pytest.raises(ValueError, match="objective must be"):
        correlated_equilibria(CHICKEN, "sum")
    with pytest.raises(ValueError, match="shape"):
        correlated_equilibria(CHICKEN, [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        correlated_equilibria(CHICKEN.to_float(), [[1, float("nan")], [0, 0]])
    with pytest.raises(TypeError, match="coarse"):
        correlated_equilibria(CHICKEN, coarse="yes")
