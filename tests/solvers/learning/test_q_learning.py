"""Tests of stackelberg.solvers.learning.q_learning: bi-level, independent, hysteretic and lenient Q-learning
(Bi-AC Tables 2-3)."""

import math

import numpy as np
import pytest

import stackelberg as sb
from stackelberg.games.catalog import escape, maintain
from stackelberg.games.normal_form import NormalFormGame
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import (
    bilevel_q_learning,
    convergence_fraction,
    hysteretic_q_learning,
    independent_q_learning,
    lenient_q_learning,
)


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


def uniforms(seed, steps, draws):
    """The learners' stream for one run of one episode: the initial-state uniform, then the step uniforms."""
    rng = np.random.default_rng(seed)
    rng.random((1, 1))
    return rng.random((1, steps, 1, draws))[0, :, 0]


def one_state(payoff):
    """A repeated one-shot 2x2 game where both players get ``payoff`` (gamma 0: targets are the rewards)."""
    return repeated_game(NormalFormGame.from_bimatrix(np.full((2, 2), payoff), np.full((2, 2), payoff)), 0.0)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_hysteretic_single_updates_by_hand(backend):
    # a positive TD error moves by alpha, a negative one by the smaller rate
    for payoff, rate in ((10.0, 0.1), (-10.0, 0.01)):
        result = hysteretic_q_learning(one_state(payoff), episodes=1, epsilon=1.0, decrease=0.01, seed=3,
                                       backend=backend)
        u = uniforms(3, 1, 5)[0]
        a0, a1 = int(u[2] * 2), int(u[3] * 2)
        expected0, expected1 = np.zeros(2), np.zeros(2)
        expected0[a0], expected1[a1] = rate * payoff, rate * payoff
        np.testing.assert_array_equal(result.q_values[0][0, 0], expected0)
        np.testing.assert_array_equal(result.q_values[1][0, 0], expected1)
    # per-player rates: player 1 moves by its own decrease rate
    result = hysteretic_q_learning(one_state(-10.0), episodes=1, epsilon=1.0, decrease=(0.01, 0.05), seed=3,
                                   backend=backend)
    assert result.q_values[1][0, 0].sum() == pytest.approx(-0.5)
    assert result.q_values[0][0, 0].sum() == pytest.approx(-0.1)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_lenient_updates_by_hand(backend):
    # three steps of a game paying -10: each decrease applies only when its coin is >= the leniency
    # 1 - exp(-K T), and the visited temperature then decays
    K, T0, decay = 0.7, 1.0, 0.5
    result = lenient_q_learning(one_state(-10.0), episodes=1, steps_per_episode=3, epsilon=1.0, temperature=T0,
                                moderation=K, decay=decay, alpha=(0.5, 0.5), seed=11, backend=backend)
    Q = [np.zeros(2), np.zeros(2)]
    T = [np.full(2, T0), np.full(2, T0)]
    applied = 0
    for u in uniforms(11, 3, 7):
        for p in range(2):
            a = int(u[2 + p] * 2)
            delta = -10.0 - Q[p][a]
            if u[5 + p] >= 1.0 - math.exp(-K * T[p][a]):
                Q[p][a] += 0.5 * delta
                applied += 1
            T[p][a] *= decay
    assert 0 < applied < 6  # the seed exercises both branches
    for p in range(2):
        np.testing.assert_allclose(result.q_values[p][0, 0], Q[p], rtol=0, atol=1e-15)
    # a positive TD error always applies
    up = lenient_q_learning(one_state(10.0), episodes=1, epsilon=1.0, moderation=50.0, seed=11, backend=backend)
    assert up.q_values[0][0, 0].sum() == pytest.approx(1.0)


def test_hysteretic_with_equal_rates_is_independent_q():
    game = repeated_game(escape(), 0.0)
    equal = hysteretic_q_learning(game, episodes=50, steps_per_episode=5, runs=4, decrease=0.1, seed=0)
    plain = independent_q_learning(game, episodes=50, steps_per_episode=5, runs=4, seed=0)
    for a, b in zip(equal.q_values, plain.q_values):
        np.testing.assert_array_equal(a, b)
    assert equal.algorithm == "hysteretic"


@pytest.mark.parametrize("learner", [hysteretic_q_learning, lenient_q_learning])
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_optimistic_learners_numba_and_numpy_identical(learner, backend):
    game = repeated_game(maintain(), 0.5)
    kwargs = dict(episodes=60, steps_per_episode=7, runs=9, epsilon=0.4, alpha=(0.3, lambda k: 0.2), seed=4)
    numba = learner(game, backend="numba", **kwargs)
    numpy = learner(game, backend=backend, **kwargs)
    for a, b in zip(numba.q_values, numpy.q_values):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(numba.greedy_actions, numpy.greedy_actions)


def test_optimistic_learners_bad_arguments():
    game = repeated_game(escape(), 0.0)
    with pytest.raises(ValueError, match="decrease"):
        hysteretic_q_learning(game, episodes=5, decrease=0.0)
    with pytest.raises(ValueError, match="decrease"):
        hysteretic_q_learning(game, episodes=5, decrease=(0.1,))
    with pytest.raises(ValueError, match="temperature"):
        lenient_q_learning(game, episodes=5, temperature=0.0)
    with pytest.raises(ValueError, match="moderation"):
        lenient_q_learning(game, episodes=5, moderation=-1.0)
    with pytest.raises(ValueError, match="decay"):
        lenient_q_learning(game, episodes=5, decay=1.5)


def stackelberg_cell(stage):
    """The exact pure Stackelberg joint action of a bimatrix game (sb.stackelberg_equilibria)."""
    (solution,) = sb.stackelberg_equilibria(stage)
    return int(np.argmax(solution.leader_strategy.astype(float))), int(solution.follower_action)


@pytest.mark.parametrize("learner, escape_share, maintain_share", [
    (hysteretic_q_learning, 0.8, 0.09),
    (lenient_q_learning, 0.68, 0.07),
])
def test_optimistic_learners_shares_at_the_exact_se(learner, escape_share, maintain_share):
    # the short schedule of Tables 2-3 (1000 one-step episodes, epsilon max(0.05, 0.99^k)), 100 runs, seed 0:
    # the share of runs whose greedy joint action is the exact SE cell (C-Z in Escape, A-X in Maintain, not a NE)
    kwargs = dict(episodes=1000, runs=100, epsilon=decay, seed=0)
    for stage, share in ((escape(), escape_share), (maintain(), maintain_share)):
        cell = stackelberg_cell(stage)
        result = learner(repeated_game(stage, 0.0), **kwargs)
        assert convergence_fraction(result, cell) == pytest.approx(share)
    assert stackelberg_cell(escape()) == (2, 2) and stackelberg_cell(maintain()) == (0, 0)
    # the independent learner they refine reaches C-Z less often and never holds A-X
    assert convergence_fraction(independent_q_learning(repeated_game(escape(), 0.0), **kwargs), (2, 2)) < escape_share
    assert convergence_fraction(independent_q_learning(repeated_game(maintain(), 0.0), **kwargs), (0, 0)) == 0.0
