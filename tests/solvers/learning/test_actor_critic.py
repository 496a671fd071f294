"""Tests of stackelberg.solvers.learning.actor_critic: tabular Bi-AC and the N-level (STEP) actor-critic."""

import numpy as np
import pytest

from stackelberg.games.catalog import escape, maintain, mixing, penalty
from stackelberg.games.normal_form import NormalFormGame
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import (
    bilevel_actor_critic,
    convergence_fraction,
    independent_q_learning,
    nlevel_learning,
)
from stackelberg.solvers.matrix.sequential import sequential_equilibria


@pytest.mark.parametrize("game, se", [(escape(), (2, 2)), (maintain(), (0, 0))])
def test_bilevel_actor_critic_reaches_the_stackelberg_outcome(game, se):
    result = bilevel_actor_critic(repeated_game(game, 0.0), episodes=200, steps_per_episode=25, runs=100,
                                  beta=0.01, seed=2)
    assert convergence_fraction(result, se) >= 0.9
    assert result.policies[1].shape == (100, 1, 3, 3)
    np.testing.assert_allclose(result.policies[1].sum(axis=-1), 1.0)
    np.testing.assert_array_equal(result.policies[0][:, 0].argmax(axis=1), result.greedy_actions[:, 0, 0])
    # the follower's actor learned the best reply to the leader's greedy action
    follower = result.policies[1][np.arange(100), 0, result.greedy_actions[:, 0, 0]]
    assert np.mean(follower.max(axis=1) > 0.9) >= 0.9


@pytest.mark.parametrize("game, se", [(penalty(-50), (0, 2)), (mixing(), (0, 0))])
def test_nlevel_learner_reaches_the_stackelberg_equilibrium_of_penalty_and_mixing(game, se):
    result = nlevel_learning(repeated_game(game, 0.0), episodes=400, steps_per_episode=25, runs=100, seed=9)
    assert convergence_fraction(result, se) >= 0.9
    assert convergence_fraction(independent_q_learning(repeated_game(game, 0.0), episodes=400, steps_per_episode=25,
                                                       runs=100, seed=9), se) < 0.9


def test_nlevel_learner_with_two_players_matches_bilevel_actor_critic_outcomes():
    game = repeated_game(maintain(), 0.0)
    kwargs = dict(episodes=200, steps_per_episode=25, runs=50, beta=0.01, seed=10)
    nlevel = nlevel_learning(game, **kwargs)
    biac = bilevel_actor_critic(game, **kwargs)
    assert convergence_fraction(nlevel, (0, 0)) >= 0.9 and convergence_fraction(biac, (0, 0)) >= 0.9
    assert nlevel.order == (0, 1) and nlevel.policies[0].shape == (50, 1, 3)


def separated_three_player_game(seed):
    """A 3-player game whose N-level equilibrium is the same under strong and weak tie-breaking."""
    rng = np.random.default_rng(seed)
    shape = (2, 3, 2)
    while True:
        payoffs = np.empty((3,) + shape)
        for p in range(3):
            moved = np.moveaxis(payoffs[p], p, -1)
            for index in np.ndindex(moved.shape[:-1]):
                moved[index] = rng.choice(np.arange(-12, 13, 3), size=shape[p], replace=False)
        game = NormalFormGame([payoffs[p] for p in range(3)])
        strong = [s.actions for s in sequential_equilibria(game, order=(2, 0, 1))]
        weak = [s.actions for s in sequential_equilibria(game, order=(2, 0, 1), tie_break="weak")]
        if strong == weak and len(strong) == 1:
            return game, strong[0]


def test_nlevel_learner_reaches_the_sequential_equilibrium_of_a_three_player_game():
    game, path = separated_three_player_game(11)
    result = nlevel_learning(repeated_game(game, 0.0), order=[2, 0, 1], episodes=400, steps_per_episode=25,
                             runs=50, seed=12)
    assert convergence_fraction(result, path) >= 0.9
    assert result.greedy_actions.shape == (50, 1, 3) and result.order == (2, 0, 1)
    assert [q.shape for q in result.q_values] == [(50, 1, 2, 3, 2)] * 3
    # policies: player 2 moves first, player 0 sees it, player 1 sees both
    assert [p.shape for p in result.policies] == [(50, 1, 2, 2), (50, 1, 2, 2, 3), (50, 1, 2)]
    # the critics learned the payoffs of the equilibrium cell
    for p in range(3):
        np.testing.assert_allclose(result.q_values[p][(slice(None), 0) + path], game.payoffs[p][path], atol=1e-2)


@pytest.mark.parametrize("learner", [bilevel_actor_critic, nlevel_learning])
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(beta=0.0), ValueError, "beta"),
    (dict(beta="fast"), TypeError, "beta"),
    (dict(beta=(0.1,) * 3), ValueError, "beta"),
    (dict(entropy=-1.0), ValueError, "entropy"),
    (dict(entropy=None), TypeError, "entropy"),
    (dict(backend="gpu"), ValueError, "backend"),
])
def test_bad_actor_critic_arguments(learner, kwargs, error, match):
    with pytest.raises(error, match=match):
        learner(repeated_game(escape(), 0.0), episodes=5, **kwargs)
