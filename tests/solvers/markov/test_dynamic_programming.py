"""Tests of stackelberg.solvers.markov.dynamic_programming and its numba kernels."""

import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from stackelberg.games.markov import MDP, MarkovGame
from stackelberg.solvers.markov import dynamic_programming as dp
from stackelberg.solvers.kernels import dynamic_programming as kernels


def random_mdp_arrays(seed, S, A, successors=None):
    rng = np.random.default_rng(seed)
    P = rng.random((S, A, S))
    if successors is not None:
        for s, a in itertools.product(range(S), range(A)):
            P[s, a, rng.permutation(S)[successors:]] = 0.0
    return P / P.sum(axis=2, keepdims=True), rng.normal(size=(S, A))


def mdp_pair(seed, S=5, A=3, successors=2, **kwargs):
    """The same random MDP with dense and with sparse transitions."""
    P, R = random_mdp_arrays(seed, S, A, successors)
    kwargs.setdefault("gamma", 0.9)
    return MDP(P, R, **kwargs), MDP(sp.csr_array(P.reshape(S * A, S)), R, **kwargs)


sizes = st.tuples(st.integers(0, 10**6), st.integers(1, 7), st.integers(1, 4), st.floats(0.0, 0.99))


# ---------------------------------------------------------------------- kernels vs numpy references
@given(sizes)
def test_kernels_match_references(case):
    seed, S, A, gamma = case
    dense, sparse = mdp_pair(seed, S, A, successors=min(2, S), gamma=0.5)
    rng = np.random.default_rng(seed + 1)
    V = rng.normal(size=S)
    pi = rng.dirichlet(np.ones(A), size=S)
    pi[0] = np.eye(A)[A - 1]  # a row with zero-probability actions
    R = np.ascontiguousarray(dense.rewards)
    csr = sparse.transition_csr
    for transitions, call in ((dense.transitions, (dense.transitions,)), (csr, csr)):
        expected_q = kernels.q_values_reference(transitions, R, V, gamma)
        for q_kernel in (kernels.q_values_dense, kernels.q_values_sparse):
            if (q_kernel is kernels.q_values_sparse) != (transitions is csr):
                continue
            out = np.empty((S, A))
            q_kernel(*call, R, V, gamma, out)
            np.testing.assert_allclose(out, expected_q, rtol=1e-12, atol=1e-12)
        bellman = kernels.bellman_sweep_sparse if transitions is csr else kernels.bellman_sweep_dense
        policy = kernels.policy_sweep_sparse if transitions is csr else kernels.policy_sweep_dense
        out = np.empty(S)
        change = bellman(*call, R, V, gamma, out)
        expected_v, expected_change = kernels.bellman_sweep_reference(transitions, R, V, gamma)
        np.testing.assert_allclose(out, expected_v, rtol=1e-12, atol=1e-12)
        assert change == pytest.approx(expected_change, abs=1e-12)
        change = policy(*call, R, pi, V, gamma, out)
        expected_v, expected_change = kernels.policy_sweep_reference(transitions, R, pi, V, gamma)
        np.testing.assert_allclose(out, expected_v, rtol=1e-12, atol=1e-12)
        assert change == pytest.approx(expected_change, abs=1e-12)


@pytest.mark.parametrize("as_sparse", [False, True])
def test_parallel_path_matches_references(monkeypatch, as_sparse):
    monkeypatch.setattr(kernels, "PARALLEL_MIN_WORK", 0)  # force the prange drivers
    dense, sparse = mdp_pair(2, S=40, A=3, successors=5)
    rng = np.random.default_rng(2)
    pi, V = rng.dirichlet(np.ones(3), size=40), rng.normal(size=40)
    R = np.ascontiguousarray(dense.rewards)
    transitions = sparse.transition_csr if as_sparse else dense.transitions
    call = transitions if as_sparse else (transitions,)
    suffix = "sparse" if as_sparse else "dense"
    q, out = np.empty((40, 3)), np.empty(40)
    getattr(kernels, f"q_values_{suffix}")(*call, R, V, 0.9, q)
    np.testing.assert_allclose(q, kernels.q_values_reference(transitions, R, V, 0.9), rtol=1e-12)
    change = getattr(kernels, f"bellman_sweep_{suffix}")(*call, R, V, 0.9, out)
    expected, expected_change = kernels.bellman_sweep_reference(transitions, R, V, 0.9)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    assert change == pytest.approx(expected_change, rel=1e-12)
    getattr(kernels, f"policy_sweep_{suffix}")(*call, R, pi, V, 0.9, out)
    np.testing.assert_allclose(out, kernels.policy_sweep_reference(transitions, R, pi, V, 0.9)[0], rtol=1e-12)


def test_dense_and_sparse_references_agree():
    dense, sparse = mdp_pair(3, S=6, A=4, successors=3)
    V = np.arange(6.0)
    np.testing.assert_allclose(
        kernels.q_values_reference(dense.transitions, dense.rewards, V, 0.7),
        kernels.q_values_reference(sparse.transition_csr, sparse.rewards, V, 0.7),
    )


# ---------------------------------------------------------------------- value iteration
def all_deterministic_values(mdp):
    """Values of every deterministic policy by exact linear algebra (the brute-force reference)."""
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.transitions.toarray().reshape(S, A, S) if mdp.is_sparse else mdp.transitions
    out = []
    for actions in itertools.product(range(A), repeat=S):
        rows = np.arange(S), np.array(actions)
        out.append(np.linalg.solve(np.eye(S) - mdp.gamma * P[rows], mdp.rewards[rows]))
    return np.array(out)


@given(sizes)
def test_value_iteration_is_optimal_and_certified(case):
    seed, S, A, gamma = case
    S = min(S, 4)
    for mdp in mdp_pair(seed, S, A, successors=min(2, S), gamma=gamma):
        solution = dp.value_iteration(mdp, tol=1e-10)
        assert solution.converged and solution.method == "value_iteration"
        assert solution.values.shape == (S,) and solution.q.shape == (S, A) and solution.policy.shape == (S,)
        # the optimum is the elementwise best of all deterministic policies
        np.testing.assert_allclose(solution.values, all_deterministic_values(mdp).max(axis=0), atol=1e-9)
        assert solution.bellman_residual <= 1e-9
        # the greedy policy achieves the optimal values (policy evaluation of the greedy policy)
        np.testing.assert_allclose(dp.policy_evaluation(mdp, solution.policy), solution.values, atol=1e-8)
        np.testing.assert_allclose(dp.q_from_values(mdp, solution.values), solution.q, atol=1e-12)


@given(sizes)
def test_policy_iteration_is_exact_and_respects_allowed_actions(case):
    seed, S, A, gamma = case
    S = min(S, 4)
    mdp, _ = mdp_pair(seed, S, A, successors=min(2, S), gamma=gamma)
    P, R = np.asarray(mdp.transitions), mdp.rewards.reshape(S, A)
    V, Q, policy = dp.policy_iteration(P, R, gamma)
    np.testing.assert_allclose(V, all_deterministic_values(mdp).max(axis=0), atol=1e-9)
    np.testing.assert_allclose(Q[np.arange(S), policy], V, atol=1e-9)
    allowed = np.zeros((S, A), dtype=bool)
    allowed[:, 0] = True  # one action everywhere: the values of that policy
    V0, _, policy0 = dp.policy_iteration(P, R, gamma, allowed=allowed)
    assert np.all(policy0 == 0)
    np.testing.assert_allclose(V0, dp.policy_evaluation(mdp, np.zeros(S, dtype=int)), atol=1e-9)


def test_policy_iteration_budget_raises_iteration_limit_error():
    from stackelberg.errors import IterationLimitError

    # a chain where the best action is found one state at a time: greedy-by-reward starts at "stay"
    S = 4
    P = np.zeros((S, 2, S))
    P[np.arange(S), 0, np.arange(S)] = 1.0  # stay
    P[np.arange(S), 1, np.minimum(np.arange(S) + 1, S - 1)] = 1.0  # move right
    R = np.zeros((S, 2))
    R[:, 0] = 0.1
    R[S - 1, :] = 1.0
    V, _, policy = dp.policy_iteration(P, R, 0.9)
    assert policy[:S - 1].tolist() == [1] * (S - 1)
    with pytest.raises(IterationLimitError, match="max_iterations") as error:
        dp.policy_iteration(P, R, 0.9, max_iterations=1)
    assert error.value.budget == "max_iterations"


def test_value_iteration_dense_equals_sparse_and_callback():
    dense, sparse = mdp_pair(7, S=30, A=4, successors=3, gamma=0.95)
    calls = []
    a = dp.value_iteration(dense, callback=lambda k, V, change: calls.append((k, V.shape, change)))
    b = dp.value_iteration(sparse)
    np.testing.assert_allclose(a.values, b.values, atol=1e-12)
    np.testing.assert_array_equal(a.policy, b.policy)
    assert a.iterations == b.iterations == len(calls)
    assert [k for k, _, _ in calls] == list(range(1, a.iterations + 1))
    assert calls[-1][2] * 0.95 <= 1e-10 * 0.05  # the stopping rule was met at the last sweep


def test_one_player_markov_game_is_accepted():
    dense, _ = mdp_pair(17)
    game = MarkovGame(dense.transitions, dense.rewards[None], gamma=0.9)
    assert not isinstance(game, MDP)
    np.testing.assert_array_equal(dp.value_iteration(game).values, dp.value_iteration(dense).values)
    np.testing.assert_array_equal(dp.occupancy_measure(game, [0] * 5), dp.occupancy_measure(dense, [0] * 5))
    np.testing.assert_array_equal(dp.policy_evaluation(game, [1] * 5), dp.policy_evaluation(dense, [1] * 5))


def test_value_iteration_terminal_states_have_zero_value():
    P, R = random_mdp_arrays(8, 4, 2)
    mdp = MDP(P, R + 5.0, gamma=0.9, terminal_states=[3])
    solution = dp.value_iteration(mdp)
    assert solution.values[3] == 0.0
    assert (solution.values[:3] > 0).all()


def test_value_iteration_max_iterations_warns():
    dense, _ = mdp_pair(9, gamma=0.99)
    with pytest.warns(RuntimeWarning, match="max_iterations=5"):
        solution = dp.value_iteration(dense, max_iterations=5)
    assert not solution.converged and solution.iterations == 5
    assert solution.bellman_residual > 1e-6


def test_gamma_zero_is_one_myopic_sweep():
    dense, _ = mdp_pair(10, gamma=0.0)
    solution = dp.value_iteration(dense)
    assert solution.iterations == 1
    np.testing.assert_array_equal(solution.values, dense.rewards.max(axis=1))


# ---------------------------------------------------------------------- finite horizon
def tiny_finite_mdp(horizon=2, **kwargs):
    """Two states. In s0: "stay" pays 1 and stays; "go" pays 0 and moves to s1. In s1 every action pays 3 and
    stays, except "go", which returns to s0 paying 3."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, 0, 1] = P[1, 1, 0] = 1.0
    R = np.array([[1.0, 0.0], [3.0, 3.0]])
    return MDP(P, R, horizon=horizon, **kwargs)


def test_backward_induction_by_hand():
    # H = 2, last step t = 1: V_1 = (max(1, 0), 3) = (1, 3).
    # t = 0: Q_0(s0) = (1 + V_1(s0), 0 + V_1(s1)) = (2, 3); Q_0(s1) = (3 + 3, 3 + 1) = (6, 4).
    solution = dp.value_iteration(tiny_finite_mdp())
    np.testing.assert_array_equal(solution.values, [[3, 6], [1, 3]])
    np.testing.assert_array_equal(solution.q, [[[2, 3], [6, 4]], [[1, 0], [3, 3]]])
    np.testing.assert_array_equal(solution.policy, [[1, 0], [0, 0]])
    assert solution.iterations == 2 and solution.method == "backward_induction" and solution.converged
    with pytest.raises(ValueError, match="ambiguous"):  # (H, S) == (S, A) here: indices or probabilities?
        dp.policy_evaluation(tiny_finite_mdp(), solution.policy)
    one_hot = np.eye(2)[solution.policy]
    np.testing.assert_array_equal(dp.policy_evaluation(tiny_finite_mdp(), one_hot), solution.values)
    np.testing.assert_array_equal(dp.q_from_values(tiny_finite_mdp(), solution.values), solution.q)


def expectimax(P, R, s, steps):
    if steps == 0:
        return 0.0
    return max(R[s, a] + sum(P[s, a, t] * expectimax(P, R, t, steps - 1) for t in range(len(P))) for a in range(R.shape[1]))


@pytest.mark.parametrize("seed", range(3))
def test_backward_induction_matches_recursion(seed):
    P, R = random_mdp_arrays(seed, 3, 2)
    for mdp in (MDP(P, R, horizon=4), MDP(sp.csr_array(P.reshape(6, 3)), R, horizon=4)):
        solution = dp.value_iteration(mdp)
        for t in range(4):
            np.testing.assert_allclose(solution.values[t], [expectimax(P, R, s, 4 - t) for s in range(3)], atol=1e-12)


def test_finite_horizon_time_indexed_policy_evaluation():
    mdp = tiny_finite_mdp(horizon=3)
    policy = np.array([[1, 1], [0, 1], [0, 0]])  # go, then (stay in s0 / go back from s1), then stay
    # from s0: t0 go (0) -> s1, t1 go (3) -> s0, t2 stay (1): 4.  From s1: t0 go (3) -> s0, t1 stay (1), t2 stay (1): 5
    np.testing.assert_array_equal(dp.policy_evaluation(mdp, policy)[0], [4, 5])
    stochastic = np.eye(2)[policy]
    np.testing.assert_array_equal(dp.policy_evaluation(mdp, stochastic), dp.policy_evaluation(mdp, policy))


# ---------------------------------------------------------------------- policy evaluation
@given(sizes)
def test_policy_evaluation_methods_agree(case):
    seed, S, A, gamma = case
    pi = np.random.default_rng(seed).dirichlet(np.ones(A), size=S)
    results = [
        dp.policy_evaluation(mdp, pi, method=method)
        for mdp in mdp_pair(seed, S, A, successors=min(2, S), gamma=gamma)
        for method in ("linear", "iterative")
    ]
    for values in results[1:]:
        np.testing.assert_allclose(values, results[0], atol=1e-8)
    dense = mdp_pair(seed, S, A, successors=min(2, S), gamma=gamma)[0]
    P_pi = np.einsum("sa,sat->st", pi, dense.transitions)
    r_pi = (pi * dense.rewards).sum(axis=1)
    np.testing.assert_allclose(results[0], r_pi + gamma * P_pi @ results[0], atol=1e-9)  # Bellman equation


def test_policy_evaluation_iterative_warns():
    dense, _ = mdp_pair(11, gamma=0.99)
    with pytest.warns(RuntimeWarning, match="policy_evaluation stopped"):
        dp.policy_evaluation(dense, [0] * 5, method="iterative", max_iterations=3)


# ---------------------------------------------------------------------- greedy policy
def test_greedy_policy_ties():
    q = np.array([[1.0, 1.0 + 1e-12, 0.5], [0.0, 2.0, 2.0]])
    np.testing.assert_array_equal(dp.greedy_policy(q), [0, 1])
    np.testing.assert_array_equal(dp.greedy_policy(q, tol=0.0), [1, 1])
    np.testing.assert_allclose(dp.greedy_policy(q, ties="uniform"), [[0.5, 0.5, 0], [0, 0.5, 0.5]])
    assert dp.greedy_policy(np.zeros((3, 2, 4))).shape == (3, 2)
    with pytest.raises(ValueError, match="ties must be one of"):
        dp.greedy_policy(q, ties="random")
    with pytest.raises(ValueError, match="q must have shape"):
        dp.greedy_policy(np.zeros(3))
    with pytest.raises(ValueError, match="q must contain only finite"):
        dp.greedy_policy([[np.nan, 1.0]])


# ---------------------------------------------------------------------- occupancy measure
@given(sizes)
def test_occupancy_measure_properties(case):
    seed, S, A, gamma = case
    rng = np.random.default_rng(seed)
    mu = rng.dirichlet(np.ones(S))
    pi = rng.dirichlet(np.ones(A), size=S)
    measures = []
    for mdp in mdp_pair(seed, S, A, successors=min(2, S), gamma=gamma, initial_distribution=mu):
        for method in ("linear", "iterative"):
            d = dp.occupancy_measure(mdp, pi, method=method)
            assert d.shape == (S, A) and (d >= -1e-12).all()
            assert d.sum() == pytest.approx(1 / (1 - gamma), rel=1e-8)
            assert dp.occupancy_measure(mdp, pi, normalized=True, method=method).sum() == pytest.approx(1.0, rel=1e-8)
            # V^pi(mu) = sum_{s,a} d(s, a) R(s, a)  (incentive design, Lemma 1)
            assert (d * mdp.rewards).sum() == pytest.approx(mu @ dp.policy_evaluation(mdp, pi), abs=1e-7)
            measures.append(d)
    for d in measures[1:]:
        np.testing.assert_allclose(d, measures[0], atol=1e-8)


def test_occupancy_is_the_gradient_of_the_value_in_the_rewards():
    dense, _ = mdp_pair(12, S=4, A=2)
    pi = np.full((4, 2), 0.5)
    d = dp.occupancy_measure(dense, pi)
    bump = np.zeros((4, 2))
    bump[2, 1] = 1e-3
    mu = dense.initial_distribution
    gain = mu @ dp.policy_evaluation(dense.with_rewards(dense.rewards + bump), pi) - mu @ dp.policy_evaluation(dense, pi)
    assert gain / 1e-3 == pytest.approx(d[2, 1], rel=1e-9)


def test_occupancy_measure_matches_monte_carlo():
    dense, _ = mdp_pair(13, S=3, A=2, gamma=0.8)
    pi = np.array([[0.3, 0.7], [1.0, 0.0], [0.5, 0.5]])
    P = dense.transitions
    rng = np.random.default_rng(13)
    n, T = 20_000, 60
    estimate = np.zeros((3, 2))
    states = np.zeros(n, dtype=int)  # initial distribution: state 0
    for t in range(T):
        actions = (rng.random(n)[:, None] > np.cumsum(pi[states], axis=1)).sum(axis=1)
        np.add.at(estimate, (states, actions), 0.8**t / n)
        cumulative = np.cumsum(P[states, actions], axis=1)
        states = np.minimum((rng.random(n)[:, None] > cumulative).sum(axis=1), 2)
    np.testing.assert_allclose(estimate, dp.occupancy_measure(dense, pi), atol=0.03)


def test_finite_horizon_occupancy():
    mdp = tiny_finite_mdp(horizon=3, initial_distribution=[0.5, 0.5])
    policy = np.array([[1, 1], [0, 1], [0, 0]])
    d = dp.occupancy_measure(mdp, policy)
    # from s0: (s0,go) (s1,go) (s0,stay); from s1: (s1,go) (s0,stay) (s0,stay); each path weighs 0.5
    np.testing.assert_allclose(d, [[1.5, 0.5], [0.0, 1.0]])
    assert dp.occupancy_measure(mdp, policy, normalized=True).sum() == pytest.approx(1.0)
    assert (d * mdp.rewards).sum() == pytest.approx(mdp.initial_distribution @ dp.policy_evaluation(mdp, policy)[0])


def random_sparse_mdp(S, A, k, seed):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(S * A), k)
    cols = rng.integers(0, S, size=S * A * k)
    P = sp.csr_array((np.full(S * A * k, 1 / k), (rows, cols)), shape=(S * A, S))
    return MDP(P, rng.normal(size=(S, A)), gamma=0.9)


def test_large_sparse_mdp_iterative_methods():
    mdp = random_sparse_mdp(20_000, 5, 4, seed=14)
    solution = dp.value_iteration(mdp, tol=1e-8)
    assert solution.converged and solution.bellman_residual <= 1e-8
    np.testing.assert_allclose(dp.policy_evaluation(mdp, solution.policy, method="iterative"), solution.values, atol=1e-7)
    d = dp.occupancy_measure(mdp, np.full((20_000, 5), 0.2), method="iterative", tol=1e-12)
    assert d.sum() == pytest.approx(10.0, rel=1e-9)


def test_sparse_linear_and_iterative_agree():
    mdp = random_sparse_mdp(300, 3, 4, seed=15)
    pi = np.random.default_rng(15).dirichlet(np.ones(3), size=300)
    np.testing.assert_allclose(dp.policy_evaluation(mdp, pi, method="iterative"), dp.policy_evaluation(mdp, pi), atol=1e-8)
    np.testing.assert_allclose(
        dp.occupancy_measure(mdp, pi, method="iterative"), dp.occupancy_measure(mdp, pi), atol=1e-8
    )


# ---------------------------------------------------------------------- bad input
def test_bad_inputs():
    dense, _ = mdp_pair(15)
    game = MarkovGame(np.full((1, 4, 1), 1.0), np.zeros((2, 1, 2, 2)), gamma=0.5)
    with pytest.raises(ValueError, match="mdp must have one player"):
        dp.value_iteration(game)
    with pytest.raises(TypeError, match="mdp must be an MDP"):
        dp.value_iteration("mdp")
    with pytest.raises(ValueError, match="tol must be a finite non-negative"):
        dp.value_iteration(dense, tol=-1.0)
    with pytest.raises(ValueError, match="max_iterations must be an integer >= 1"):
        dp.value_iteration(dense, max_iterations=0)
    with pytest.raises(TypeError, match="callback must be callable"):
        dp.value_iteration(dense, callback=3)
    with pytest.raises(ValueError, match="method must be one of"):
        dp.policy_evaluation(dense, [0] * 5, method="direct")
    with pytest.raises(ValueError, match=r"policy must be integer action indices of shape \(5,\); got shape \(4,\)"):
        dp.policy_evaluation(dense, [0] * 4)
    with pytest.raises(ValueError, match="policy must be integer action indices"):
        dp.occupancy_measure(dense, np.full((5, 2), 0.5))
    with pytest.raises(ValueError, match="policy rows must sum to 1"):
        dp.occupancy_measure(dense, np.full((5, 3), 0.5))
    with pytest.raises(ValueError, match=r"action indices must lie in \[0, 3\)"):
        dp.policy_evaluation(dense, [0, 1, 2, 3, 0])
    with pytest.raises(TypeError, match="normalized must be True or False"):
        dp.occupancy_measure(dense, [0] * 5, normalized="yes")
    with pytest.raises(ValueError, match=r"values must have shape \(5,\)"):
        dp.q_from_values(dense, np.zeros(4))
    with pytest.raises(ValueError, match="values must contain only finite"):
        dp.q_from_values(dense, [np.inf] * 5)
    with pytest.raises(ValueError, match=r"values must have shape \(H, S\)"):
        dp.q_from_values(tiny_finite_mdp(), np.zeros(2))


def test_importing_the_package_does_not_import_numba():
    import subprocess
    import sys

    code = "import sys, stackelberg, stackelberg.solvers.markov.dynamic_programming; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_warnings_on_converged_runs():
    dense, sparse = mdp_pair(16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dp.value_iteration(dense)
        dp.policy_evaluation(sparse, [0] * 5, method="iterative")
        dp.occupancy_measure(sparse, [0] * 5, method="iterative")


@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e-12, 1e-6, 1e6, 1e12]))
def test_policy_iteration_gives_the_same_policy_in_any_units(seed, scale):
    # With an absolute floor (tol * max(1, |Q|)) rewards of size 1e-12 stopped improving at once: 92 of 400 such
    # runs (random 6-state, 3-action MDPs, gamma 0.95) ended on a worse policy before the floor became max |R|.
    rng = np.random.default_rng(seed)
    P, R = rng.dirichlet(np.ones(6), size=(6, 3)), rng.standard_normal((6, 3))
    V, _, policy = dp.policy_iteration(P, R, 0.95)
    V_scaled, _, policy_scaled = dp.policy_iteration(P, R * scale, 0.95)
    np.testing.assert_array_equal(policy_scaled, policy)
    np.testing.assert_allclose(V_scaled / scale, V, rtol=1e-9)
