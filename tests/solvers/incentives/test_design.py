"""Tests of stackelberg.solvers.incentives.design, .evaluation and .sampling (Algorithm 1 of the incentive-design
paper, its exact and sampled gradients)."""

import dataclasses
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackelberg.errors import ProblemTooLargeError
from stackelberg.games.incentive import (
    EXAMPLE1_STATIONARY_POINTS,
    IncentiveDesignProblem,
    example1_objective_closed_form,
    example1_problem,
)
from stackelberg.games.markov import MDP
from stackelberg.solvers.markov.dynamic_programming import occupancy_measure, policy_evaluation, value_iteration
from stackelberg.solvers.incentives import (
    NotConvergedWarning,
    evaluate_incentive_design,
    incentive_design,
    incentive_gradients,
    leader_objective_brute_force,
    policy_from_parameters,
    project_to_simplex,
    sampled_incentive_gradients,
    strong_stackelberg_objective,
)

evaluation = importlib.import_module("stackelberg.solvers.incentives.evaluation")


# ---------------------------------------------------------------------- random instances
def random_problem(seed, n=2, S=3, A=2, joint_action=False, leader_gamma=0.8, terminal=False, state_mask=False):
    rng = np.random.default_rng(seed)
    followers = []
    for _ in range(n):
        P = rng.dirichlet(np.ones(S), size=(S, A))
        kwargs = {}
        if terminal:
            P[:, :, -1] += 0.3  # leak into the terminal state S-1
            P /= P.sum(axis=2, keepdims=True)
            kwargs["terminal_states"] = [S - 1]
        mu = rng.dirichlet(np.ones(S))
        followers.append(MDP(P, rng.normal(size=(S, A)), gamma=float(rng.uniform(0.5, 0.9)),
                             initial_distribution=mu, **kwargs))
    shape = (S,) * n + ((A,) * n if joint_action else ())
    reward = rng.normal(size=shape)
    if terminal:
        reward[(S - 1,) * n] = 0.0
    mask = np.zeros((n, S) if state_mask else (n, S, A), dtype=bool)
    mask[:, 0] = True
    return IncentiveDesignProblem(followers, reward, mask, cost="squared", weight=0.3, leader_gamma=leader_gamma)


def interior_theta(problem, parameterization, rng):
    shape = (problem.n_followers, problem.n_states, problem.n_actions)
    if parameterization == "direct":
        return rng.dirichlet(np.ones(problem.n_actions), size=shape[:2])
    return rng.normal(size=shape)


def tangent_direction(theta, parameterization, rng):
    d = rng.normal(size=theta.shape)
    return d - d.mean(axis=-1, keepdims=True) if parameterization == "direct" else d


# ---------------------------------------------------------------------- exact evaluation
def test_follower_quantities_match_dynamic_programming():
    problem = random_problem(1, terminal=True)
    rng = np.random.default_rng(0)
    theta = interior_theta(problem, "direct", rng)
    x = np.array([0.4, 1.3, 0.2, 0.7])
    ev = evaluate_incentive_design(problem, x, theta)
    payments = problem.side_payments(x)
    for i, follower in enumerate(problem.followers):
        paid = follower.with_rewards(follower.rewards + payments[i])
        np.testing.assert_allclose(ev.follower_values[i], policy_evaluation(paid, theta[i]), atol=1e-10)
        np.testing.assert_allclose(ev.follower_occupancy[i], occupancy_measure(paid, theta[i]), atol=1e-10)
        solution = value_iteration(paid, tol=1e-12)
        np.testing.assert_allclose(ev.optimal_values[i], solution.values, atol=1e-9)
        assert ev.follower_optimal_value[i] >= ev.follower_value[i] - 1e-12
    assert ev.feasibility <= 1e-12
    assert ev.objective == pytest.approx(ev.leader_value - 0.3 * 0.5 * float(x @ x))


def brute_leader_value(problem, pi, steps=400):
    """Leader value of two followers by pushing the joint state distribution forward step by step."""
    P, R = problem._arrays["P"], problem.leader_reward
    dist = np.multiply.outer(*problem._arrays["mu"])
    total = 0.0
    for t in range(steps):
        if R.ndim == 2:
            expected = float((dist * R).sum())
        else:
            expected = float(np.einsum("ab,ak,bl,abkl->", dist, pi[0], pi[1], R))
        total += problem.leader_gamma**t * expected
        dist = np.einsum("ab,ak,bl,akm,bln->mn", dist, pi[0], pi[1], P[0], P[1])
    return total


@pytest.mark.parametrize("joint_action", [False, True])
def test_leader_value_matches_simulated_joint_chain(joint_action):
    problem = random_problem(2, joint_action=joint_action, leader_gamma=0.9)
    pi = interior_theta(problem, "direct", np.random.default_rng(1))
    ev = evaluate_incentive_design(problem, np.zeros(problem.n_payments), pi)
    assert ev.leader_value == pytest.approx(brute_leader_value(problem, pi), abs=1e-9)


@pytest.mark.parametrize("solver", ["factored", "sparse_lu"])
def test_large_chain_solvers_match_dense_solve(monkeypatch, solver):
    for problem in (random_problem(3, leader_gamma=0.85), random_problem(4, terminal=True, leader_gamma=1.0)):
        rng = np.random.default_rng(5)
        theta = interior_theta(problem, "softmax", rng)
        x = np.full(problem.n_payments, 0.5)
        kwargs = dict(parameterization="softmax", tau=0.7)
        dense = incentive_gradients(problem, x, theta, **kwargs)
        value = evaluate_incentive_design(problem, x, theta, **kwargs).leader_value
        monkeypatch.setattr(evaluation, "SMALL_JOINT_LIMIT", 0)
        monkeypatch.setattr(evaluation, "FACTORED_SWEEPS", 20_000 if solver == "factored" else 1)
        other = incentive_gradients(problem, x, theta, **kwargs)
        assert evaluate_incentive_design(problem, x, theta, **kwargs).leader_value == pytest.approx(value, abs=1e-9)
        np.testing.assert_allclose(other.f_theta, dense.f_theta, atol=1e-8)
        monkeypatch.undo()


# ---------------------------------------------------------------------- exact gradients vs finite differences
def _fd_check(problem, parameterization, seed, tau=0.8, h=1e-6):
    rng = np.random.default_rng(seed)
    theta = interior_theta(problem, parameterization, rng)
    x = rng.uniform(0.1, 1.0, size=problem.n_payments)
    grads = incentive_gradients(problem, x, theta, parameterization=parameterization, tau=tau)

    def ev(xx, th):
        return evaluate_incentive_design(problem, xx, th, parameterization=parameterization, tau=tau)

    d = tangent_direction(theta, parameterization, rng)
    plus, minus = ev(x, theta + h * d), ev(x, theta - h * d)
    fd_f = (plus.leader_value - minus.leader_value) / (2 * h)
    fd_g = (plus.follower_value.sum() - minus.follower_value.sum()) / (2 * h)
    assert float((grads.f_theta * d).sum()) == pytest.approx(fd_f, rel=1e-5, abs=1e-6)
    assert float((grads.q_theta * d).sum()) == pytest.approx(fd_g, rel=1e-5, abs=1e-6)
    for j in range(problem.n_payments):
        e = np.zeros(problem.n_payments)
        e[j] = h
        plus, minus = ev(x + e, theta), ev(x - e, theta)
        assert grads.q_x[j] == pytest.approx((plus.feasibility - minus.feasibility) / (2 * h), rel=1e-5, abs=1e-6)
        assert grads.f_x[j] == pytest.approx((plus.objective - minus.objective) / (2 * h), rel=1e-5, abs=1e-6)


@settings(max_examples=15)
@given(seed=st.integers(0, 2**31 - 1), parameterization=st.sampled_from(["direct", "softmax"]),
       joint_action=st.booleans(), state_mask=st.booleans())
def test_exact_gradients_match_finite_differences(seed, parameterization, joint_action, state_mask):
    problem = random_problem(seed, joint_action=joint_action, state_mask=state_mask, leader_gamma=0.85)
    _fd_check(problem, parameterization, seed)


@pytest.mark.parametrize("parameterization", ["direct", "softmax"])
def test_exact_gradients_undiscounted_leader(parameterization):
    _fd_check(random_problem(7, terminal=True, leader_gamma=1.0, joint_action=True), parameterization, 3)
    _fd_check(random_problem(8, n=3, S=3, A=2, terminal=True, leader_gamma=1.0), parameterization, 4)


def test_softmax_gradient_is_chain_rule_of_direct():
    problem = random_problem(9)
    theta = np.random.default_rng(2).normal(size=(2, 3, 2))
    tau = 0.5
    soft = incentive_gradients(problem, [0.2] * 4, theta, parameterization="softmax", tau=tau)
    pi = policy_from_parameters(theta, "softmax", tau)
    direct = incentive_gradients(problem, [0.2] * 4, pi)
    g = direct.f_theta
    np.testing.assert_allclose(soft.f_theta, pi * (g - (pi * g).sum(-1, keepdims=True)) / tau, atol=1e-12)
    # Prop. 1 (Eq. 15 with the 1/tau of the chain rule): (1/tau) d(s) pi(a|s) A(s, a)
    ev = evaluate_incentive_design(problem, [0.2] * 4, theta, parameterization="softmax", tau=tau)
    d_state = ev.follower_occupancy.sum(-1, keepdims=True)
    advantage = ev.follower_q - ev.follower_values[..., None]
    np.testing.assert_allclose(soft.q_theta, d_state * pi * advantage / tau, atol=1e-12)


# ---------------------------------------------------------------------- sampled estimators
@pytest.mark.parametrize("parameterization", ["direct", "softmax"])
def test_sampled_gradients_agree_with_exact(parameterization):
    """Random discounted problem with a terminal state: REINFORCE and visit counts within 12% of the exact values
    (errors at 8000 episodes are 1-7% over seeds); the leader's softmax gradient of this instance is tiny against
    the return's spread, so it is checked on Example 1 below."""
    problem = random_problem(11, terminal=True, leader_gamma=0.9)
    rng = np.random.default_rng(3)
    theta = interior_theta(problem, parameterization, rng)
    if parameterization == "direct":
        theta = 0.5 * theta + 0.5 / problem.n_actions  # away from 0: the score 1/theta stays moderate
    x = np.array([0.5, 0.2, 0.8, 0.1])
    exact = incentive_gradients(problem, x, theta, parameterization=parameterization, tau=1.0)
    sampled = sampled_incentive_gradients(problem, x, theta, parameterization=parameterization, tau=1.0,
                                          samples=8000, horizon=60, seed=0)
    names = ("f_theta", "q_theta", "q_x") if parameterization == "direct" else ("q_theta", "q_x")
    for name in names:
        e, s = getattr(exact, name), getattr(sampled, name)
        assert np.linalg.norm(s - e) <= 0.12 * np.linalg.norm(e), name
    np.testing.assert_array_equal(sampled.f_x, exact.f_x)
    again = sampled_incentive_gradients(problem, x, theta, parameterization=parameterization, tau=1.0,
                                        samples=8000, horizon=60, seed=0)
    np.testing.assert_array_equal(again.f_theta, sampled.f_theta)


@pytest.mark.parametrize("parameterization", ["direct", "softmax"])
def test_sampled_gradients_example1_undiscounted(parameterization):
    problem = example1_problem()
    rng = np.random.default_rng(0)
    theta = np.full((2, 4, 2), 0.5) if parameterization == "direct" else rng.normal(size=(2, 4, 2))
    exact = incentive_gradients(problem, [0.3, 0.6], theta, parameterization=parameterization)
    sampled = sampled_incentive_gradients(problem, [0.3, 0.6], theta, parameterization=parameterization,
                                          samples=20000, horizon=4, seed=1)
    for name in ("f_theta", "q_theta", "q_x"):
        e, s = getattr(exact, name), getattr(sampled, name)
        assert np.linalg.norm(s - e) <= 0.08 * np.linalg.norm(e), name


# ---------------------------------------------------------------------- Example 1: f_m and Algorithm 1
@pytest.mark.parametrize("parameterization", ["direct", "softmax"])
def test_example1_brute_force_matches_closed_form(parameterization):
    axis = np.linspace(0.0, 3.0, 13)
    points = np.array([(a, b) for a in axis for b in axis])
    out = leader_objective_brute_force(example1_problem(), points, parameterization=parameterization, tau=0.05)
    np.testing.assert_allclose(out.objective, example1_objective_closed_form(points, parameterization), atol=1e-9)
    assert out.policies.shape == (len(points), 2, 4, 2)


def test_example1_strong_tie_breaking_at_thresholds():
    problem = example1_problem()
    f, value, pi = strong_stackelberg_objective(problem, [1.0, 2.0])
    assert (f, value) == (pytest.approx(3.0), pytest.approx(6.0))
    assert pi[0, 0, 1] == 1.0 and pi[1, 0, 0] == 1.0  # both followers take the leader's favourite tie


@pytest.mark.parametrize("x0", [(0.5, 0.5), (2.5, 2.5), (0.2, 2.5)])
def test_algorithm1_example1_ends_at_a_stationary_point(x0):
    problem = example1_problem()
    result = incentive_design(problem, "direct", x0=x0, iterations=300, xi=0.05, eta=0.5)
    final = result.final_x
    distance = min(np.hypot(*(final - np.array(p))) for p in EXAMPLE1_STATIONARY_POINTS)
    assert distance < 0.05
    assert result.feasibility[-1] > -0.05
    # the brute-force f_m at the nearest stationary point is a local maximum on a small grid around it
    point = np.array(min(EXAMPLE1_STATIONARY_POINTS, key=lambda p: np.hypot(*(final - np.array(p)))))
    offsets = np.linspace(-0.2, 0.2, 9)
    around = np.array([point + np.array([d, 0.0]) for d in offsets] + [point + np.array([0.0, d]) for d in offsets])
    around = around[(around >= 0).all(axis=1)]
    values = leader_objective_brute_force(problem, around).objective
    at_point = strong_stackelberg_objective(problem, point)[0]
    assert at_point >= values.max() - 1e-9
    assert result.objective[-1] == pytest.approx(at_point, abs=0.1)


def test_algorithm1_example1_defaults_warn_when_the_budget_runs_out():
    # the case: from the defaults the run ends near (0.70, 0), which is not stationary (q < 0 there)
    problem = example1_problem()
    with pytest.warns(NotConvergedWarning, match="iteration budget used up"):
        result = incentive_design(problem)
    assert result.converged is False and result.stop_reason == "iterations"
    assert result.n_iterations == 1000 and result.x.shape == (1001, 2)
    assert result.stationarity[-1] > result.parameters["stationarity_tol"] == 1e-6
    assert "stationarity_tol" in result.message
    np.testing.assert_allclose(result.final_x, [0.70, 0.0], atol=0.01)


def test_algorithm1_example1_converges_and_stops_early():
    problem = example1_problem()
    settings = dict(parameterization="softmax", eta=0.5, tau=0.05)
    result = incentive_design(problem, iterations=3000, **settings)
    assert result.converged is True and result.stop_reason == "stationary"
    T = result.n_iterations
    assert 0 < T < 3000 and result.x.shape == (T + 1, 2) and result.theta.shape == (T + 1, 2, 4, 2)
    assert result.stationarity.shape == result.feasibility.shape == (T + 1,) and result.multipliers.shape == (T,)
    # it stops at the first iterate whose K is within the tolerance, here the stationary point (0, 0)
    assert result.stationarity[-1] <= 1e-6 < result.stationarity[:-1].min()
    np.testing.assert_allclose(result.final_x, EXAMPLE1_STATIONARY_POINTS[0], atol=1e-6)
    assert result.feasibility[-1] == pytest.approx(0.0, abs=1e-6)
    # the same steps as a run that never stops early, cut at T
    with pytest.warns(NotConvergedWarning):
        full = incentive_design(problem, iterations=T, stationarity_tol=0.0, **settings)
    np.testing.assert_array_equal(full.x, result.x)
    np.testing.assert_array_equal(full.follower_occupancy, result.follower_occupancy)
    with pytest.raises(ValueError, match="stationarity_tol"):
        incentive_design(problem, stationarity_tol=-1.0)


def test_algorithm1_softmax_and_sampled_runs():
    problem = example1_problem()
    result = incentive_design(problem, "softmax", x0=(0.5, 0.5), iterations=50, xi=0.01, eta=0.5, tau=0.05)
    assert result.theta.shape == (51, 2, 4, 2) and result.multipliers.shape == (50,)
    assert np.all(result.x >= 0)
    assert result.feasibility[-1] > result.feasibility[0]
    calls = []
    sampled = incentive_design(problem, "direct", x0=(0.5, 0.5), theta0=np.full((2, 4, 2), 0.5), iterations=5,
                               gradient="sampled", samples=200, horizon=6, seed=3,
                               callback=lambda *a: calls.append(a[0]))
    again = incentive_design(problem, "direct", x0=(0.5, 0.5), theta0=np.full((2, 4, 2), 0.5), iterations=5,
                             gradient="sampled", samples=200, seed=3)
    np.testing.assert_array_equal(sampled.x, again.x)
    assert calls == [1, 2, 3, 4, 5]
    assert sampled.parameters["samples"] == 200
    with pytest.raises(dataclasses.FrozenInstanceError):
        sampled.x = None
    with pytest.raises(ValueError):
        sampled.x[0, 0] = 1.0


def test_brute_force_passes_max_combinations():
    # at x = (1, 2) both followers are indifferent at states 0, 1 and 2: 2**6 = 64 tie combinations
    problem = example1_problem()
    with pytest.raises(ProblemTooLargeError, match="max_combinations") as caught:
        leader_objective_brute_force(problem, [[1.0, 2.0]], max_combinations=63)
    assert caught.value.limit == "max_combinations"
    assert leader_objective_brute_force(problem, [[1.0, 2.0]], max_combinations=64).objective.tolist() == [
        pytest.approx(3.0)]
    with pytest.raises(ProblemTooLargeError):
        strong_stackelberg_objective(problem, [1.0, 2.0], max_combinations=63)


def test_projection_onto_simplex():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(50, 4)) * 2
    p = project_to_simplex(v)
    assert np.allclose(p.sum(axis=1), 1) and (p >= 0).all()
    others = rng.dirichlet(np.ones(4), size=(200,))
    for row, proj in zip(v, p):
        assert np.sum((row - proj) ** 2) <= np.min(np.sum((row - others) ** 2, axis=1)) + 1e-12


# ---------------------------------------------------------------------- validation
def test_algorithm_validation_errors():
    problem = example1_problem()
    theta = np.full((2, 4, 2), 0.5)
    with pytest.raises(ValueError, match="parameterization"):
        incentive_design(problem, "tabular")
    with pytest.raises(ValueError, match="x0"):
        incentive_design(problem, x0=[-1.0, 0.0])
    with pytest.raises(ValueError, match="x0"):
        incentive_design(problem, x0=[1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="theta0"):
        incentive_design(problem, theta0=np.full((2, 4, 2), 0.7))
    with pytest.raises(ValueError, match="theta0"):
        incentive_design(problem, theta0=np.full((2, 4, 3), 0.5))
    with pytest.raises(ValueError, match="xi"):
        incentive_design(problem, xi=-0.1)
    with pytest.raises(TypeError, match="iterations"):
        incentive_design(problem, iterations=1.5)
    with pytest.raises(ValueError, match="gradient"):
        incentive_design(problem, gradient="adjoint")
    with pytest.raises(TypeError, match="callback"):
        incentive_design(problem, callback=3)
    with pytest.raises(TypeError, match="problem"):
        incentive_design("problem")
    with pytest.raises(ValueError, match="tau"):
        evaluate_incentive_design(problem, [0.0, 0.0], theta, parameterization="softmax", tau=0.0)
    with pytest.raises(ValueError, match="grid"):
        leader_objective_brute_force(problem, [0.0, 1.0])


def test_undiscounted_leader_with_non_terminating_policies_raises():
    S = 3
    P = np.zeros((S, 2, S))
    P[0, 0, 0] = 1.0  # action 0 loops in state 0 forever
    P[0, 1, 1] = 1.0
    P[1, :, 2] = 1.0
    P[2, :, 2] = 1.0
    follower = MDP(P, np.zeros((S, 2)), gamma=0.9, terminal_states=[2])
    reward = np.zeros((S, S))
    reward[1, 1] = 1.0
    mask = np.zeros((2, S), dtype=bool)
    mask[:, 0] = True
    problem = IncentiveDesignProblem([follower, follower], reward, mask, leader_gamma=1.0)
    loop = np.tile(np.array([[1.0, 0.0], [0.5, 0.5], [0.5, 0.5]]), (2, 1, 1))
    with pytest.raises(ValueError, match="leader_gamma < 1"):
        evaluate_incentive_design(problem, [0.0, 0.0], loop)
    leave = np.tile(np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]), (2, 1, 1))
    # both leave state 0 at the same step with probability 1/4 per step, both stay with 1/4: 1/4 / (3/4)
    assert evaluate_incentive_design(problem, [0.0, 0.0], leave).leader_value == pytest.approx(1 / 3)
