"""Tests of stackelberg.solvers.learning and its numba kernels (stackelberg.solvers.kernels.learning)."""

import numpy as np
import pytest

from stackelberg.games.catalog import (
    battle_of_the_sexes,
    escape,
    maintain,
    matching_pennies,
    mixing,
    penalty,
    prisoners_dilemma,
)
from stackelberg.games.markov import MarkovGame
from stackelberg.games.normal_form import NormalFormGame
from stackelberg.games.repeated import repeated_game
from stackelberg.solvers.learning import (
    LearningResult,
    bilevel_actor_critic,
    bilevel_q_learning,
    convergence_fraction,
    independent_q_learning,
    minimax_q_learning,
    nash_q_learning,
    nlevel_learning,
)
from stackelberg.solvers.sequential import sequential_equilibria
from stackelberg.solvers.zero_sum import zero_sum_equilibrium

LEARNERS = [bilevel_q_learning, independent_q_learning, bilevel_actor_critic, nash_q_learning, minimax_q_learning,
            nlevel_learning]
KERNEL_LEARNERS = [bilevel_q_learning, independent_q_learning, bilevel_actor_critic, nlevel_learning]


def decay(k):
    return max(0.05, 0.99**k)


def stage(learner):
    """A repeated one-shot game every learner accepts (minimax-Q needs a zero-sum game)."""
    return repeated_game(matching_pennies() if learner is minimax_q_learning else escape(), 0.0)


def random_game(seed, action_shape=(2, 2), states=3, gamma=0.9):
    rng = np.random.default_rng(seed)
    A = int(np.prod(action_shape))
    P = rng.dirichlet(np.ones(states), size=(states, A))
    P[P < 0.2] = 0.0
    P[:, :, 0] += 1e-3  # keep every row non-empty
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(len(action_shape), states, A))
    return MarkovGame(P, R, gamma=gamma, action_shape=action_shape)


# ---------------------------------------------------------------------- Bi-AC Tables 2-3: Escape and Maintain
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


def test_nash_q_selection_decides_escape_and_misses_maintain():
    kwargs = dict(episodes=600, runs=30, seed=3)  # linear exploration decay: C-Z gets explored
    first = nash_q_learning(repeated_game(escape(), 0.0), "first", **kwargs)
    pareto = nash_q_learning(repeated_game(escape(), 0.0), "pareto", **kwargs)
    assert convergence_fraction(first, (0, 0)) >= 0.9  # the first pure equilibrium in C order: A-X
    assert convergence_fraction(pareto, (2, 2)) >= 0.9  # C-Z Pareto-dominates A-X and B-Y
    # A-X is not a Nash equilibrium of Maintain: Nash-Q never settles there
    assert convergence_fraction(nash_q_learning(repeated_game(maintain(), 0.0), **kwargs), (0, 0)) == 0.0


# ---------------------------------------------------------------------- Nash-Q and minimax-Q
def test_nash_q_learns_the_unique_pure_equilibrium_and_its_values():
    game = repeated_game(prisoners_dilemma(), 0.5)
    result = nash_q_learning(game, episodes=100, steps_per_episode=10, runs=10, epsilon=0.3, seed=4)
    assert convergence_fraction(result, (1, 1)) == 1.0
    # Q_i(s, D, D) = -2 + 0.5 * V_i with V_i = -2 / (1 - 0.5): -4 for both players
    for q in result.q_values:
        np.testing.assert_allclose(q[:, 0, 1, 1], -4.0, atol=0.05)


def test_nash_q_falls_back_to_the_mixed_equilibrium_without_a_pure_one():
    from stackelberg.solvers.nash import nash_equilibria

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


# ---------------------------------------------------------------------- N-level learner (STEP)
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


# ---------------------------------------------------------------------- kernels against numpy
@pytest.mark.parametrize("learner, kwargs, shape", [
    (bilevel_q_learning, {}, (2, 2)),
    (independent_q_learning, {}, (2, 2)),
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


@pytest.mark.parametrize("selection", ["first", "pareto", "leader", "utilitarian"])
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
    from stackelberg.solvers.zero_sum import zero_sum_values

    rng = np.random.default_rng(len(values or ()))
    for shape in [(2, 2), (2, 3), (3, 3), (3, 4)]:
        R = 150
        Q = (rng.choice(values, size=(2, R, 1) + shape) if values else rng.normal(size=(2, R, 1) + shape)) * 1.0
        X, Y, V = np.zeros((R, 1, shape[0])), np.zeros((R, 1, shape[1])), np.zeros((2, R, 1))
        status = np.zeros((R, 1), dtype=np.int64)
        for selection, name in enumerate(["first", "pareto", "leader", "utilitarian"]):
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


def test_auto_backend_switches_to_numba_for_large_batches():
    game = repeated_game(escape(), 0.0)
    small = bilevel_q_learning(game, episodes=10, runs=10, seed=0)
    large = bilevel_q_learning(game, episodes=2000, runs=100, seed=0)
    assert small.parameters["backend"] == "numpy" and large.parameters["backend"] == "numba"


# ---------------------------------------------------------------------- shared behaviour
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


@pytest.mark.parametrize("learner", [bilevel_q_learning, independent_q_learning, bilevel_actor_critic,
                                     nash_q_learning, minimax_q_learning])
def test_bad_games(learner):
    with pytest.raises(TypeError, match="game"):
        learner(escape(), episodes=5)
    three = MarkovGame(np.ones((1, 8, 1)), np.zeros((3, 1, 8)), gamma=0.5, action_shape=(2, 2, 2))
    with pytest.raises(ValueError, match="2 players"):
        learner(three, episodes=5)
    with pytest.raises(ValueError, match="gamma"):
        learner(repeated_game(escape(), horizon=3), episodes=5)


def test_convergence_fraction_validates_and_handles_n_players():
    result = LearningResult("bilevel", (), np.array([[[2, 2]], [[0, 0]]]), 0)
    assert convergence_fraction(result, (0, 0)) == 0.5
    with pytest.raises(ValueError, match="joint_action"):
        convergence_fraction(result, (0, 0, 0))
    with pytest.raises(TypeError, match="result"):
        convergence_fraction("nope", (0, 0))
    with pytest.raises(TypeError, match="integers"):
        convergence_fraction(result, (0, 0.5))
    three = LearningResult("n-level", (), np.array([[[1, 0, 1]], [[1, 0, 1]], [[0, 0, 0]]]), 0)
    assert three.n_players == 3 and convergence_fraction(three, (1, 0, 1)) == pytest.approx(2 / 3)


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
