"""Tests of stackelberg.solvers.learning.equilibrium_q: Nash-Q and minimax-Q, and their stage-game kernels
(stackelberg.solvers.kernels.learning)."""

import numpy as np
import pytest

from stackelberg.games.catalog import (
    battle_of_the_sexes,
    escape,
    maintain,
    matching_pennies,
    mixing,
    prisoners_dilemma,
)
from stackelberg.games.generators import random_markov_game
from stackelberg.games.markov import MarkovGame
from stackelberg.games.normal_form import NormalFormGame
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import (
    convergence_fraction,
    minimax_q_learning,
    nash_q_learning,
    nlevel_learning,
)
from stackelberg.solvers.markov.nash import NASH_SELECTIONS
from stackelberg.solvers.matrix.zero_sum import zero_sum_equilibrium


def random_game(seed, action_shape=(2, 2), states=3, gamma=0.9):
    return random_markov_game(states, action_shape, gamma=gamma, seed=seed)


def test_nash_q_selection_decides_escape_and_misses_maintain():
    kwargs = dict(episodes=600, runs=30, seed=3)  # linear exploration decay: C-Z gets explored
    first = nash_q_learning(repeated_game(escape(), 0.0), "first", **kwargs)
    pareto = nash_q_learning(repeated_game(escape(), 0.0), "pareto", **kwargs)
    assert convergence_fraction(first, (0, 0)) >= 0.9  # the first pure equilibrium in C order: A-X
    assert convergence_fraction(pareto, (2, 2)) >= 0.9  # C-Z Pareto-dominates A-X and B-Y
    # A-X is not a Nash equilibrium of Maintain: Nash-Q never settles there
    assert convergence_fraction(nash_q_learning(repeated_game(maintain(), 0.0), **kwargs), (0, 0)) == 0.0


def test_nash_q_learns_the_unique_pure_equilibrium_and_its_values():
    game = repeated_game(prisoners_dilemma(), 0.5)
    result = nash_q_learning(game, episodes=100, steps_per_episode=10, runs=10, epsilon=0.3, seed=4)
    assert convergence_fraction(result, (1, 1)) == 1.0
    # Q_i(s, D, D) = -2 + 0.5 * V_i with V_i = -2 / (1 - 0.5): -4 for both players
    for q in result.q_values:
        np.testing.assert_allclose(q[:, 0, 1, 1], -4.0, atol=0.05)


def test_nash_q_falls_back_to_the_mixed_equilibrium_without_a_pure_one():
    from stackelberg.solvers.matrix.nash import nash_equilibria

    result = nash_q_learning(repeated_game(matching_pennies(), 0.0), episodes=200, runs=3, epsilon=1.0, seed=5)
    for r in range(3):
        learned = NormalFormGame.from_bimatrix(result.q_values[0][r, 0], result.q_values[1][r, 0])
        (equilibrium,) = nash_equilibria(learned, exact=False)  # the unique, mixed, equilibrium
        for p in range(2):
            np.testing.assert_allclose(result.policies[p][r, 0], equilibrium.float_strategies()[p], atol=1e-9)
            np.testing.assert_allclose(result.policies[p][r, 0], 0.5, atol=0.05)


def test_minimax_q_learns_matching_pennies():
    result = minimax_q_learning(repeated_game(matching_pennies(), 0.0), episodes=200, runs=10, epsilon=1.0,
                                alpha=(0.5, 0.5), seed=6)
    for policy in result.policies:
        np.testing.assert_allclose(policy[:, 0], 0.5, atol=1e-9)
    np.testing.assert_allclose(result.q_values[0][:, 0], np.broadcast_to([[1, -1], [-1, 1]], (10, 2, 2)), atol=1e-9)
    np.testing.assert_allclose(result.q_values[1], -result.q_values[0], atol=1e-12)


def test_minimax_q_learns_the_value_of_a_random_discounted_zero_sum_game():
    A = np.random.default_rng(7).normal(size=(3, 3))
    gamma = 0.3
    game = repeated_game(NormalFormGame.zero_sum(A), gamma)
    alpha = lambda k: 1.0 / (1.0 + k / 20)  # noqa: E731
    result = minimax_q_learning(game, episodes=100, steps_per_episode=10, runs=5, epsilon=1.0, alpha=(alpha, alpha),
                                seed=8)
    exact = zero_sum_equilibrium(A, exact=False).value / (1 - gamma)
    for r in range(5):
        learned = zero_sum_equilibrium(result.q_values[0][r, 0], exact=False).value
        assert abs(learned - exact) < 1e-6  # val(Q*) = val(A) + gamma V* = V*


def test_minimax_q_rejects_general_sum_games():
    with pytest.raises(ValueError, match="zero-sum"):
        minimax_q_learning(repeated_game(escape(), 0.0), episodes=5)


def test_stage_nash_selection_rules():
    from stackelberg.solvers.learning.equilibrium_q import _stage_nash

    U = np.array([[15.0, 10, 0], [10, 10, 0], [0, 0, 30]])  # Escape: pure NE A-X, B-Y, C-Z
    for selection, expected in [("first", 0), ("pareto", 2), ("leader", 2), ("utilitarian", 2)]:
        x, y, values, pure = _stage_nash(np.stack([U, U])[:, None], selection, 0)
        assert pure
        assert (x[0].argmax(), y[0].argmax()) == (expected, expected), selection
    A, B = (np.asarray(p, dtype=float) for p in battle_of_the_sexes().payoffs)
    best = [_stage_nash(np.stack([A, B])[:, None], "leader", p)[2][p, 0] for p in (0, 1)]
    equilibria = [(A[i, j], B[i, j]) for i in range(2) for j in range(2)
                  if A[i, j] >= A[:, j].max() and B[i, j] >= B[i, :].max()]
    assert best == [max(e[0] for e in equilibria), max(e[1] for e in equilibria)]


def zero_sum_random_game(seed, action_shape=(3, 3)):
    game = random_game(seed, action_shape, gamma=0.8)
    rewards = game.rewards.copy()
    rewards[1] = -rewards[0]
    return MarkovGame(np.asarray(game.transitions), rewards, gamma=0.8, action_shape=action_shape)


def assert_same_learning(a, b):
    for qa, qb in zip(a.q_values, b.q_values):
        np.testing.assert_allclose(qa, qb, rtol=0, atol=1e-9)
    for pa, pb in zip(a.policies, b.policies):
        np.testing.assert_allclose(pa, pb, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(a.greedy_actions, b.greedy_actions)


@pytest.mark.parametrize("selection", NASH_SELECTIONS)
def test_nash_q_kernel_matches_the_numpy_path(selection):
    # Mixing: stage games without a pure equilibrium, degenerate ones (early ties at 0) included
    kwargs = dict(episodes=150, runs=8, epsilon=0.2, seed=21)
    for game in (repeated_game(mixing(), 0.0), repeated_game(maintain(), 0.6), random_game(22, (3, 3))):
        results = [nash_q_learning(game, selection, leader=1, backend=b, **kwargs) for b in ("numba", "numpy")]
        assert_same_learning(*results)
        assert results[0].parameters["backend"] == "numba"


@pytest.mark.parametrize("game", [repeated_game(matching_pennies(), 0.0), zero_sum_random_game(23),
                                  zero_sum_random_game(24, (2, 3))])
def test_minimax_q_kernel_matches_the_numpy_path(game):
    kwargs = dict(episodes=60, steps_per_episode=3, runs=6, epsilon=0.5, seed=25)
    assert_same_learning(*[minimax_q_learning(game, backend=b, **kwargs) for b in ("numba", "numpy")])


def test_equilibrium_kernel_hands_stage_games_it_cannot_solve_back_to_python(monkeypatch):
    # with no support enumeration allowed every mixed stage goes back to Python, at either phase of a step
    from stackelberg.solvers.learning import equilibrium_q

    monkeypatch.setattr(equilibrium_q, "MAX_SUPPORT_PAIRS", 0)
    kwargs = dict(episodes=40, steps_per_episode=3, runs=4, epsilon=0.5, seed=26)
    game = random_game(27, (3, 3), gamma=0.7)
    assert_same_learning(*[nash_q_learning(game, "pareto", backend=b, **kwargs) for b in ("numba", "numpy")])
    game = zero_sum_random_game(28)
    assert_same_learning(*[minimax_q_learning(game, backend=b, **kwargs) for b in ("numba", "numpy")])


@pytest.mark.parametrize("values", [(0, 1, 2), (-1.0, 1.0), None])
def test_equilibrium_stage_kernel_matches_the_numpy_stage_solvers(values):
    """The kernels' stage solvers against their plain-numpy references on random small stage games (integer
    payoffs from a few values are degenerate: ties, extra best replies, several pure equilibria)."""
    from stackelberg.solvers.kernels.learning import equilibrium_stages
    from stackelberg.solvers.learning.equilibrium_q import _stage_nash
    from stackelberg.solvers.matrix.zero_sum import zero_sum_values

    rng = np.random.default_rng(len(values or ()))
    for shape in [(2, 2), (2, 3), (3, 3), (3, 4)]:
        R = 150
        Q = (rng.choice(values, size=(2, R, 1) + shape) if values else rng.normal(size=(2, R, 1) + shape)) * 1.0
        X, Y, V = np.zeros((R, 1, shape[0])), np.zeros((R, 1, shape[1])), np.zeros((2, R, 1))
        status = np.zeros((R, 1), dtype=np.int64)
        for selection, name in enumerate(NASH_SELECTIONS):
            equilibrium_stages(Q, False, selection, 1, True, X, Y, V, status)
            solved = status[:, 0] == 0
            assert solved.mean() > 0.9
            x, y, v, _ = _stage_nash(Q[:, solved, 0], name, 1)
            np.testing.assert_allclose(X[solved, 0], x, atol=1e-9)
            np.testing.assert_allclose(Y[solved, 0], y, atol=1e-9)
            np.testing.assert_allclose(V[:, solved, 0], v, atol=1e-9)
        Q[1] = -Q[0]
        equilibrium_stages(Q, True, 0, 0, True, X, Y, V, status)
        solved = status[:, 0] == 0
        assert solved.mean() > 0.9
        v1, x, _ = zero_sum_values(Q[0, solved, 0])
        v2, y, _ = zero_sum_values(Q[1, solved, 0].transpose(0, 2, 1))
        np.testing.assert_allclose(X[solved, 0], x, atol=1e-9)
        np.testing.assert_allclose(Y[solved, 0], y, atol=1e-9)
        np.testing.assert_allclose(V[:, solved, 0], np.stack([v1, v2]), atol=1e-9)


# Degenerate stage games whose selected equilibrium changed when all payoffs were multiplied by 1e7 or 1e10: the mixed
# path passed an already scaled tolerance to nash_equilibria (relative: scaled twice) and compared payoffs with a
# floor of 1 (rounding noise of 1e-8 at scale 1e7 decided Pareto dominance).
RESCALING_CASES = [
    ("first", [[1.0, 3.0, -3.0], [-3.0, 2.0, 0.0], [2.0, -3.0, 2.0]], [[2.0, 1.0, 2.0], [-1.0, -2.0, 3.0], [-1.0, 3.0, -2.0]]),
    ("first", [[0.0, 3.0, -2.0], [2.0, -3.0, 2.0]], [[2.0, -3.0, 2.0], [1.0, 3.0, 1.0]]),
    ("pareto", [[2.0, -2.0, -1.0], [-1.0, -2.0, 0.0], [3.0, -3.0, 0.0]], [[3.0, 0.0, 0.0], [2.0, -3.0, 1.0], [-3.0, 3.0, 2.0]]),
]


@pytest.mark.parametrize("selection, A, B", RESCALING_CASES)
def test_stage_selection_is_invariant_under_a_common_rescaling(selection, A, B):
    from stackelberg.solvers.kernels.learning import equilibrium_stages
    from stackelberg.solvers.learning.equilibrium_q import _stage_nash

    q = np.stack([np.array(A), np.array(B)])[:, None]
    x, y, v, _ = _stage_nash(q, selection, 0)
    R = 1
    for scale in (1e-6, 1e7, 1e10):
        xs, ys, vs, _ = _stage_nash(q * scale, selection, 0)
        np.testing.assert_allclose(xs, x, atol=1e-9)
        np.testing.assert_allclose(ys, y, atol=1e-9)
        np.testing.assert_allclose(vs / scale, v, rtol=1e-9, atol=1e-12)
        Q = (q * scale)[:, :, None]
        X, Y, V = np.zeros((R, 1, q.shape[2])), np.zeros((R, 1, q.shape[3])), np.zeros((2, R, 1))
        status = np.zeros((R, 1), dtype=np.int64)
        equilibrium_stages(Q, False, NASH_SELECTIONS.index(selection), 0, True, X, Y, V, status)
        if status[0, 0] == 0:  # the kernel decided it (else Python does, checked above)
            np.testing.assert_allclose(X[:, 0], x, atol=1e-9)
            np.testing.assert_allclose(Y[:, 0], y, atol=1e-9)


def test_bad_specific_arguments():
    game = repeated_game(escape(), 0.0)
    with pytest.raises(ValueError, match="selection"):
        nash_q_learning(game, "random", episodes=5)
    with pytest.raises(ValueError, match="leader"):
        nash_q_learning(game, "leader", leader=2, episodes=5)
    with pytest.raises(TypeError, match="leader"):
        nash_q_learning(game, "leader", leader=0.5, episodes=5)
    with pytest.raises(ValueError, match="order"):
        nlevel_learning(game, order=[0, 0], episodes=5)
    with pytest.raises(TypeError, match="game"):
        nlevel_learning(escape(), episodes=5)
