import numpy as np
import pytest

from stackelberg.games.catalog import escape, maintain
from stackelberg.games.markov import MarkovGame
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import (
    LearningResult,
    bilevel_q_learning,
    convergence_fraction,
    independent_q_learning,
)

LEARNERS = [bilevel_q_learning, independent_q_learning]


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


def test_discounted_multi_state_game_learns_the_optimal_path():
    # s0: leader action 1 moves to s1 (reward 0); s1 pays (1, 1) for joint action (1, 1) and stays there.
    P = np.zeros((2, 4, 2))
    P[0, :, 0] = 1.0
    P[0, 2:, :] = [0.0, 1.0]
    P[1, :, 1] = 1.0
    R = np.zeros((2, 2, 4))
    R[:, 1, 3] = 1.0
    game = MarkovGame(P, R, gamma=0.5, action_shape=(2, 2))
    result = bilevel_q_learning(game, episodes=400, steps_per_episode=4, alpha=(0.5, 0.5), runs=20, seed=3)
    assert result.greedy_actions.shape == (20, 2, 2)
    assert np.all(result.greedy_actions[:, 1] == [1, 1])
    assert np.all(result.greedy_actions[:, 0, 0] == 1)
    np.testing.assert_allclose(result.q_values[0][:, 1, 1, 1], 2.0, atol=1e-2)  # 1 / (1 - 0.5)


@pytest.mark.parametrize("learner", LEARNERS)
def test_same_seed_same_result(learner):
    game = repeated_game(escape(), 0.0)
    first = learner(game, episodes=50, runs=7, seed=42)
    second = learner(game, episodes=50, runs=7, seed=np.random.default_rng(42))
    for q1, q2 in zip(first.q_values, second.q_values):
        np.testing.assert_array_equal(q1, q2)
    np.testing.assert_array_equal(first.greedy_actions, second.greedy_actions)
    other = learner(game, episodes=50, runs=7, seed=43)
    assert not all(np.array_equal(a, b) for a, b in zip(first.q_values, other.q_values))


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(episodes=0), ValueError),
        (dict(episodes=1.5), TypeError),
        (dict(episodes=5, runs=0), ValueError),
        (dict(episodes=5, steps_per_episode=0), ValueError),
        (dict(episodes=5, alpha=(0.0, 0.1)), ValueError),
        (dict(episodes=5, alpha=(0.1, 1.5)), ValueError),
        (dict(episodes=5, alpha=0.1), TypeError),
        (dict(episodes=5, alpha=(0.1,)), ValueError),
        (dict(episodes=5, epsilon=1.5), ValueError),
        (dict(episodes=5, epsilon=lambda k: -0.1), ValueError),
        (dict(episodes=5, gamma=1.0), ValueError),
        (dict(episodes=5, seed="x"), TypeError),
    ],
)
def test_bad_arguments(learner, kwargs, error):
    with pytest.raises(error):
        learner(repeated_game(escape(), 0.0), **kwargs)


@pytest.mark.parametrize("learner", LEARNERS)
def test_bad_games(learner):
    with pytest.raises(TypeError, match="game"):
        learner(escape(), episodes=5)
    three = MarkovGame(np.ones((1, 8, 1)), np.zeros((3, 1, 8)), gamma=0.5, action_shape=(2, 2, 2))
    with pytest.raises(ValueError, match="2 players"):
        learner(three, episodes=5)
    with pytest.raises(ValueError, match="gamma"):
        learner(repeated_game(escape(), horizon=3), episodes=5)


def test_convergence_fraction_validates():
    result = LearningResult("bilevel", (), np.array([[[2, 2]], [[0, 0]]]), 0)
    assert convergence_fraction(result, (0, 0)) == 0.5
    with pytest.raises(ValueError, match="joint_action"):
        convergence_fraction(result, (0, 0, 0))
    with pytest.raises(TypeError, match="result"):
        convergence_fraction("nope", (0, 0))


@pytest.mark.parametrize("learner", LEARNERS)
def test_sparse_and_dense_transitions_agree(learner):
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=(3, 4))
    P[P < 0.2] = 0.0
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(2, 3, 4))
    dense = MarkovGame(P, R, gamma=0.9, action_shape=(2, 2))
    sparse = MarkovGame(sp.csr_array(P.reshape(12, 3)), R, gamma=0.9, action_shape=(2, 2))
    a = learner(dense, episodes=30, steps_per_episode=5, runs=4, seed=9)
    b = learner(sparse, episodes=30, steps_per_episode=5, runs=4, seed=9)
    for q1, q2 in zip(a.q_values, b.q_values):
        np.testing.assert_array_equal(q1, q2)


def test_transition_sampler_matches_the_kernel():
    from stackelberg.solvers.learning import _Setup

    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=(3, 4))
    P[P < 0.15] = 0.0
    P /= P.sum(axis=2, keepdims=True)
    game = MarkovGame(P, np.zeros((2, 3, 4)), gamma=0.5, action_shape=(2, 2))
    n = 40_000
    setup = _Setup(game, 1, 1, (0.1, 0.1), None, None, n, 0)
    for state, a0, a1 in [(0, 0, 0), (1, 1, 0), (2, 1, 1)]:
        nxt, _ = setup.transition(np.full(n, state), np.full(n, a0), np.full(n, a1))
        np.testing.assert_allclose(np.bincount(nxt, minlength=3) / n, P[state, 2 * a0 + a1], atol=0.015)
