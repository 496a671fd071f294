"""Tests of stackelberg.solvers.learning.schedule: one validated schedule and one sampling machinery shared by
every tabular learner (numba kernels against the numpy paths, seeds and schedules, argument checks, sparse and
dense games, the transition sampler, the progress bar)."""

import numpy as np
import pytest

import stackelberg as sb
from stackelberg.games.catalog import escape, matching_pennies
from stackelberg.games.generators import random_markov_game
from stackelberg.games.markov import MarkovGame
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import (
    LearningSchedule,
    bilevel_actor_critic,
    bilevel_q_learning,
    hysteretic_q_learning,
    independent_q_learning,
    lenient_q_learning,
    minimax_q_learning,
    nash_q_learning,
    nlevel_learning,
)


LEARNERS = [bilevel_q_learning, independent_q_learning, bilevel_actor_critic, nash_q_learning, minimax_q_learning,
            nlevel_learning, hysteretic_q_learning, lenient_q_learning]


def stage(learner):
    """A repeated one-shot game every learner accepts (minimax-Q needs a zero-sum game)."""
    return repeated_game(matching_pennies() if learner is minimax_q_learning else escape(), 0.0)


def random_game(seed, action_shape=(2, 2), states=3, gamma=0.9):
    return random_markov_game(states, action_shape, gamma=gamma, seed=seed)


@pytest.mark.parametrize("learner, kwargs, shape", [
    (bilevel_q_learning, {}, (2, 2)),
    (independent_q_learning, {}, (2, 2)),
    (hysteretic_q_learning, dict(decrease=(0.05, lambda k: 0.1 / (1 + k))), (2, 3)),
    (lenient_q_learning, dict(temperature=2.0, moderation=1.0, decay=0.9), (3, 2)),
    (bilevel_actor_critic, dict(entropy=0.1, beta=lambda k: 0.5), (2, 3)),
    (nlevel_learning, dict(order=[1, 0]), (3, 2)),
    (nlevel_learning, dict(order=[2, 0, 1], entropy=0.05, beta=(0.5, 1.0, lambda k: 0.3)), (2, 3, 2)),
])
def test_numba_kernels_match_the_numpy_paths(learner, kwargs, shape):
    game = random_game(13, shape)
    alpha = tuple([lambda k: 0.5 / (1 + k)] + [0.2] * (len(shape) - 1))
    results = [learner(game, episodes=30, steps_per_episode=5, runs=6, alpha=alpha, epsilon=0.3, seed=14,
                       backend=backend, **kwargs) for backend in ("numba", "numpy")]
    for a, b in zip(results[0].q_values, results[1].q_values):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(results[0].greedy_actions, results[1].greedy_actions)
    for a, b in zip(results[0].policies or (), results[1].policies or ()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not np.allclose(results[0].q_values[0], 0.0)


def test_auto_backend_switches_to_numba_for_large_batches():
    game = repeated_game(escape(), 0.0)
    small = bilevel_q_learning(game, episodes=10, runs=10, seed=0)
    large = bilevel_q_learning(game, episodes=2000, runs=100, seed=0)
    assert small.parameters["backend"] == "numpy" and large.parameters["backend"] == "numba"


@pytest.mark.parametrize("learner, kwargs", [
    (bilevel_q_learning, {}),
    (bilevel_actor_critic, dict(beta=0.1, backend="numba")),
    (nlevel_learning, dict(beta=0.1, backend="numba")),
])
def test_discounted_multi_state_game_learns_the_optimal_path(learner, kwargs):
    # s0: leader action 1 moves to s1 (reward 0); s1 pays (1, 1) for joint action (1, 1) and stays there.
    P = np.zeros((2, 4, 2))
    P[0, :, 0] = 1.0
    P[0, 2:, :] = [0.0, 1.0]
    P[1, :, 1] = 1.0
    R = np.zeros((2, 2, 4))
    R[:, 1, 3] = 1.0
    game = MarkovGame(P, R, gamma=0.5, action_shape=(2, 2))
    result = learner(game, episodes=400, steps_per_episode=4, alpha=(0.5, 0.5), runs=20, seed=3, **kwargs)
    assert result.greedy_actions.shape == (20, 2, 2)
    assert np.all(result.greedy_actions[:, 1] == [1, 1])
    assert np.all(result.greedy_actions[:, 0, 0] == 1)
    np.testing.assert_allclose(result.q_values[0][:, 1, 1, 1], 2.0, atol=1e-2)  # 1 / (1 - 0.5)


@pytest.mark.parametrize("learner", LEARNERS)
def test_same_seed_same_result(learner):
    game = stage(learner)
    first = learner(game, episodes=50, runs=7, seed=42)
    second = learner(game, episodes=50, runs=7, seed=np.random.default_rng(42))
    for q1, q2 in zip(first.q_values, second.q_values):
        np.testing.assert_array_equal(q1, q2)
    np.testing.assert_array_equal(first.greedy_actions, second.greedy_actions)
    other = learner(game, episodes=50, runs=7, seed=43)
    assert not all(np.array_equal(a, b) for a, b in zip(first.q_values, other.q_values))


@pytest.mark.parametrize("learner", LEARNERS)
def test_schedules_accept_constants_and_callables_alike(learner):
    game = stage(learner)
    constant = learner(game, episodes=40, runs=3, alpha=(0.2, 0.3), epsilon=0.4, seed=1)
    scheduled = learner(game, episodes=40, runs=3, alpha=(lambda k: 0.2, 0.3), epsilon=lambda k: 0.4, seed=1)
    for a, b in zip(constant.q_values, scheduled.q_values):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"alpha\[0\]\(3\)"):
        learner(game, episodes=40, alpha=(lambda k: 0.1 if k < 3 else 2.0, 0.1))


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
        (dict(episodes=5, alpha=(0.1, "x")), TypeError),
        (dict(episodes=5, epsilon=1.5), ValueError),
        (dict(episodes=5, epsilon=lambda k: -0.1), ValueError),
        (dict(episodes=5, gamma=1.0), ValueError),
        (dict(episodes=5, seed="x"), TypeError),
    ],
)
def test_bad_arguments(learner, kwargs, error):
    with pytest.raises(error):
        learner(stage(learner), **kwargs)


@pytest.mark.parametrize("learner", [bilevel_q_learning, independent_q_learning, bilevel_actor_critic,
                                     nash_q_learning, minimax_q_learning, hysteretic_q_learning,
                                     lenient_q_learning])
def test_bad_games(learner):
    with pytest.raises(TypeError, match="game"):
        learner(escape(), episodes=5)
    three = MarkovGame(np.ones((1, 8, 1)), np.zeros((3, 1, 8)), gamma=0.5, action_shape=(2, 2, 2))
    with pytest.raises(ValueError, match="2 players"):
        learner(three, episodes=5)
    with pytest.raises(ValueError, match="gamma"):
        learner(repeated_game(escape(), horizon=3), episodes=5)


@pytest.mark.parametrize("learner", LEARNERS)
def test_sparse_and_dense_transitions_agree(learner):
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=(3, 4))
    P[P < 0.2] = 0.0
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(2, 3, 4))
    if learner is minimax_q_learning:
        R[1] = -R[0]
    dense = MarkovGame(P, R, gamma=0.9, action_shape=(2, 2))
    sparse = MarkovGame(sp.csr_array(P.reshape(12, 3)), R, gamma=0.9, action_shape=(2, 2))
    a = learner(dense, episodes=30, steps_per_episode=5, runs=4, seed=9)
    b = learner(sparse, episodes=30, steps_per_episode=5, runs=4, seed=9)
    for q1, q2 in zip(a.q_values, b.q_values):
        np.testing.assert_array_equal(q1, q2)


def test_transition_sampler_follows_the_transition_probabilities():
    from stackelberg.solvers.learning import LearningSchedule
    from stackelberg.solvers.learning.schedule import _Setup

    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=(3, 4))
    P[P < 0.15] = 0.0
    P /= P.sum(axis=2, keepdims=True)
    game = MarkovGame(P, np.zeros((2, 3, 4)), gamma=0.5, action_shape=(2, 2))
    n = 40_000
    setup = _Setup(game, LearningSchedule(episodes=1, alpha=(0.1, 0.1), runs=n, seed=0))
    for state, joint in [(0, 0), (1, 2), (2, 3)]:
        nxt = setup.transition(np.full(n, state), np.full(n, joint), rng.random(n))
        np.testing.assert_allclose(np.bincount(nxt, minlength=3) / n, P[state, joint], atol=0.015)


def test_progress_bar_does_not_change_the_result():
    game = repeated_game(escape(), 0.0)
    quiet = bilevel_actor_critic(game, episodes=20, runs=3, seed=0)
    shown = bilevel_actor_critic(game, episodes=20, runs=3, seed=0, progress=True)
    np.testing.assert_array_equal(quiet.q_values[0], shown.q_values[0])


def test_schedule_object_gives_the_keywords_result():
    game = repeated_game(escape(), 0.5)
    keywords = dict(episodes=30, steps_per_episode=2, runs=3, alpha=(0.2, 0.3), epsilon=0.3, seed=4,
                    backend="numpy", progress=False)
    for learner in (bilevel_q_learning, independent_q_learning, bilevel_actor_critic, nlevel_learning,
                    nash_q_learning):
        by_keywords = learner(game, **keywords)
        by_schedule = learner(game, schedule=LearningSchedule(**keywords))
        for a, b in zip(by_keywords.q_values, by_schedule.q_values):
            np.testing.assert_array_equal(a, b)
        assert by_keywords.parameters == by_schedule.parameters
    zero_sum = repeated_game(sb.NormalFormGame.zero_sum([[1, -1], [-1, 1]]), 0.5)
    a = minimax_q_learning(zero_sum, **keywords)
    b = minimax_q_learning(zero_sum, schedule=LearningSchedule(**keywords))
    np.testing.assert_array_equal(a.q_values[0], b.q_values[0])


def test_schedule_is_validated_once_and_frozen():
    schedule = LearningSchedule(episodes=5, runs=2, gamma=0.5, progress=False)
    assert (schedule.episodes, schedule.steps_per_episode, schedule.runs, schedule.gamma) == (5, 1, 2, 0.5)
    assert schedule.backend == "auto" and schedule.progress is False
    with pytest.raises(AttributeError):
        schedule.episodes = 6
    for kwargs, error, match in [
        (dict(episodes=0), ValueError, "episodes"),
        (dict(episodes=2, runs=0), ValueError, "runs"),
        (dict(episodes=2, gamma=1.0), ValueError, "gamma"),
        (dict(episodes=2, seed="x"), TypeError, "seed"),
        (dict(episodes=2, backend="gpu"), ValueError, "backend"),
        (dict(episodes=2, progress="yes"), TypeError, "progress"),
    ]:
        with pytest.raises(error, match=match):
            LearningSchedule(**kwargs)


def test_schedule_and_keywords_are_exclusive_and_episodes_required():
    game = repeated_game(escape(), 0.0)
    with pytest.raises(TypeError, match="runs"):
        bilevel_q_learning(game, runs=3, schedule=LearningSchedule(episodes=5))
    with pytest.raises(TypeError, match="schedule must be a LearningSchedule"):
        bilevel_q_learning(game, schedule={"episodes": 5})
    with pytest.raises(TypeError, match="episodes is required"):
        bilevel_q_learning(game)
    with pytest.raises(TypeError, match="unexpected keyword"):
        bilevel_q_learning(game, episodes=5, episode=5)


def test_learner_signatures_and_docs_list_the_schedule_keywords():
    import inspect

    for learner in (bilevel_q_learning, independent_q_learning, bilevel_actor_critic, nlevel_learning,
                    nash_q_learning, minimax_q_learning):
        parameters = inspect.signature(learner).parameters
        assert {"episodes", "steps_per_episode", "runs", "alpha", "epsilon", "gamma", "seed", "backend", "progress",
                "schedule"} <= set(parameters)
        assert "schedule : LearningSchedule, optional" in learner.__doc__
        assert learner.__doc__.index("schedule : LearningSchedule") < learner.__doc__.index("Returns\n")
    assert sb.LearningSchedule is LearningSchedule


@pytest.mark.parametrize("learner, kwargs", [
    (bilevel_q_learning, {}),
    (lenient_q_learning, {}),
    (bilevel_actor_critic, dict(beta=0.3)),
    (nlevel_learning, dict(beta=0.3)),
    (nash_q_learning, {}),
])
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_record_every_keeps_snapshots_without_changing_the_run(learner, kwargs, backend):
    game = random_game(5, (2, 2))
    common = dict(episodes=25, steps_per_episode=4, runs=3, epsilon=0.3, seed=2, backend=backend, **kwargs)
    plain = learner(game, **common)
    recorded = learner(game, record_every=5, **common)
    assert plain.history is None
    history = recorded.history
    np.testing.assert_array_equal(history.episodes, [0, 5, 10, 15, 20, 25])
    for final, table in zip(plain.q_values, recorded.q_values):
        np.testing.assert_array_equal(final, table)  # recording does not change the random numbers or tables
    for p, table in enumerate(history.q_values):
        assert table.shape == (6,) + plain.q_values[p].shape
        np.testing.assert_array_equal(table[0], 0.0)  # episode 0: the initial tables
        np.testing.assert_array_equal(table[-1], plain.q_values[p])  # episode 25: the final ones
        assert not np.array_equal(table[1], table[-1])
    np.testing.assert_array_equal(history.greedy_actions[-1], plain.greedy_actions)
    assert (history.policies is None) == (plain.policies is None)
    for p, policy in enumerate(plain.policies or ()):
        np.testing.assert_array_equal(history.policies[p][-1], policy)
        np.testing.assert_allclose(history.policies[p][0].sum(axis=-1), 1.0)


def test_record_every_is_validated():
    with pytest.raises(ValueError, match="record_every"):
        LearningSchedule(episodes=5, record_every=0)
    with pytest.raises(TypeError, match="record_every"):
        LearningSchedule(episodes=5, record_every=2.5)
