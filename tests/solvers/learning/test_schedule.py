"""Tests of stackelberg.solvers.learning.schedule: one validated schedule shared by every tabular learner."""

import numpy as np
import pytest

import stackelberg as sb
from stackelberg.games.catalog import escape
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import (
    LearningSchedule,
    bilevel_actor_critic,
    bilevel_q_learning,
    independent_q_learning,
    minimax_q_learning,
    nash_q_learning,
    nlevel_learning,
)


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
