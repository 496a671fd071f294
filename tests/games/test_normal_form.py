"""Tests of stackelberg/games/normal_form.py: exact certificates in integers."""

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from stackelberg.games.normal_form import NormalFormGame


def fraction_reference(game, strategies):
    """Payoffs and regrets by contracting the Fraction tensors directly."""
    payoffs, regrets = [], []
    for p in range(game.n_players):
        values = game._action_values(p, strategies, True)
        current = sum((v * q for v, q in zip(values, strategies[p])), Fraction(0))
        payoffs.append(current)
        regrets.append(max(values) - current)
    return tuple(payoffs), tuple(regrets)


@given(st.integers(0, 2**32 - 1), st.integers(2, 3), st.sampled_from([9, 10**15]), st.booleans())
def test_exact_payoffs_and_regrets_match_fraction_arithmetic(seed, n_players, magnitude, fractional):
    """Integer certificates equal Fraction arithmetic, int64 and Python-int paths (huge payoffs) alike."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 5, size=n_players))
    tensors = [rng.integers(-magnitude, magnitude + 1, size=shape).astype(object) for _ in range(n_players)]
    if fractional:
        tensors = [np.vectorize(lambda v: Fraction(int(v), 7))(t) for t in tensors]
    game = NormalFormGame([t.tolist() for t in tensors])
    strategies = []
    for n in shape:
        weights = rng.integers(0, 50, size=n) + 1
        strategies.append(np.array([Fraction(int(w), int(weights.sum())) for w in weights], dtype=object))
    assert game.payoffs_and_regrets(strategies, True) == fraction_reference(game, strategies)


def test_is_nash_tolerance_is_relative_to_each_players_payoff_scale():
    """The same profile is (or is not) an equilibrium whatever the payoffs' unit: 1e-12, 1 or 1e12."""
    base_A, base_B = np.array([[3.1, 0.0], [0.0, 7.3]]), np.array([[7.3, 0.0], [0.0, 3.1]])
    p, q = 3.1 / 10.4, 7.3 / 10.4
    mixed = ([p, 1 - p], [q, 1 - q])
    off = ([p + 1e-3, 1 - p - 1e-3], [q, 1 - q])
    for unit in (1e-12, 1.0, 1e12):
        game = NormalFormGame.from_bimatrix(unit * base_A, unit * base_B)
        assert game.is_nash(mixed)
        assert not game.is_nash(off)
        assert not game.is_nash(([1, 0], [0, 1]))
