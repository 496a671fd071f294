"""Tests of stackelberg.solvers.learning.q_learning: bi-level and independent Q-learning (Bi-AC Tables 2-3)."""

import numpy as np

from stackelberg.games.catalog import escape, maintain
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import bilevel_q_learning, convergence_fraction, independent_q_learning


def decay(k):
    return max(0.05, 0.99**k)


def test_escape_bilevel_beats_independent_as_in_table_2():
    game = repeated_game(escape(), 0.0)
    kwargs = dict(episodes=1000, runs=100, epsilon=decay, seed=0)
    bilevel = convergence_fraction(bilevel_q_learning(game, **kwargs), (2, 2))
    independent = convergence_fraction(independent_q_learning(game, **kwargs), (2, 2))
    assert bilevel >= 0.9
    assert independent < bilevel


def test_maintain_bilevel_reaches_stackelberg_a_x_as_in_table_3():
    game = repeated_game(maintain(), 0.0)
    kwargs = dict(episodes=1000, runs=100, epsilon=decay, seed=1)
    result = bilevel_q_learning(game, **kwargs)
    assert convergence_fraction(result, (0, 0)) >= 0.9
    assert convergence_fraction(independent_q_learning(game, **kwargs), (0, 0)) < 0.9
    # the learned tables approximate the deterministic stage rewards on the visited SE cell
    np.testing.assert_allclose(result.q_values[0][:, 0, 0, 0], 20.0, atol=1e-3)
    np.testing.assert_allclose(result.q_values[1][:, 0, 0, 0], 15.0, atol=1e-3)
