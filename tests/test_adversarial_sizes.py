"""Adversarial sizes: builders, learners and studies asked for absurd sizes refuse up front.

Each request below used to allocate until the machine ran out of memory (or loop for hours). It must now raise
:class:`ProblemTooLargeError` whose ``limit`` names the argument (or module limit) to raise, within a fraction of a
second and without allocating.
"""

import time
import tracemalloc

import pytest

import stackelberg as sb
from stackelberg.analysis.cooperation_study import cooperation_study
from stackelberg.errors import ProblemTooLargeError
from stackelberg.games.catalog import escape, prisoners_dilemma
from stackelberg.games.generators import random_game

PD = prisoners_dilemma()
LEARNERS = [sb.bilevel_q_learning, sb.bilevel_actor_critic, sb.nash_q_learning, sb.minimax_q_learning,
            sb.nlevel_learning, sb.independent_q_learning]

REQUESTS = [
    ("escape_room(14)", lambda: sb.escape_room(14, 2), "max_entries", r"escape_room\(14, 2\) would build tables"),
    ("escape_room(7)", lambda: sb.escape_room(7, 2), "max_entries", "horizon 5"),
    ("escape_room horizon", lambda: sb.escape_room(2, 1, horizon=10**12), "max_entries", "horizon 1000000000000"),
    ("repeated horizon", lambda: sb.repeated_game(PD, horizon=10**12), "max_entries", "repeated_game"),
    ("memory-one horizon", lambda: sb.memory_one_game(PD, horizon=10**9), "max_entries", "memory_one_game"),
    ("memory-one 40x40", lambda: sb.memory_one_game(random_game((40, 40), seed=0), 0.9), "max_entries",
     "1601 states"),
    ("gridworld 4 agents", lambda: sb.gridworld(["S" + "." * 19] * 20, n_agents=4, gamma=0.9, sparse=True),
     "max_entries", "gridworld"),
    ("gridworld horizon", lambda: sb.gridworld(["S.G"], moves=("E", "W"), horizon=10**12), "max_entries",
     "horizon"),
    ("study trials", lambda: cooperation_study([5], [0.0, 1.0], 10**9, seed=0, workers=1, progress=False),
     "max_games", "2000000000 games"),
    ("paper study x 20", lambda: cooperation_study([5], [0.0], 2 * 10**6, seed=0, workers=1, progress=False),
     "max_games", "max_games=1000000"),
] + [
    (f"{learner.__name__} runs", (lambda learner=learner: learner(sb.repeated_game(escape(), 0.0), episodes=10,
                                                                  runs=10**9)),
     "max_entries", "runs=1000000000")
    for learner in LEARNERS
] + [
    ("episodes", lambda: sb.bilevel_q_learning(sb.repeated_game(escape(), 0.0), episodes=10**12),
     "max_entries", "episodes=1000000000000"),
]


@pytest.mark.parametrize("label, request_, limit, message", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_absurd_sizes_are_refused_up_front(label, request_, limit, message):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ProblemTooLargeError, match=message) as caught:
            request_()
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.limit == limit
    assert limit in str(caught.value)
    assert elapsed < 2.0, elapsed
    assert peak < 50 * 2**20, peak  # refused before allocating


def test_the_limits_can_be_raised():
    with pytest.raises(ProblemTooLargeError):
        sb.repeated_game(PD, horizon=10**8)
    game = sb.repeated_game(PD, horizon=10**8, max_entries=10**9)
    assert game.horizon == 10**8
    assert sb.escape_room(2, 1, horizon=3, max_entries=10**4).n_states == 10
    with pytest.raises(ProblemTooLargeError, match="max_entries=100"):
        sb.escape_room(2, 1, horizon=3, max_entries=100)


def test_the_learning_limit_is_an_argument():
    game = sb.repeated_game(escape(), 0.0)
    with pytest.raises(ProblemTooLargeError, match="max_entries=1000"):
        sb.bilevel_q_learning(game, episodes=5, runs=100, max_entries=1000)
    assert sb.bilevel_q_learning(game, episodes=5, runs=100, seed=0, max_entries=10**6).runs == 100


def test_sizes_at_the_default_limits_still_build():
    assert sb.escape_room(5, 2).n_states == 3**5 + 1
    assert sb.memory_one_game(random_game((10, 10), seed=0), 0.9).n_states == 101

