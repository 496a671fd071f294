"""Tests of stackelberg.solvers.incentives.lio: exact LIO in repeated matrix games and in Markov games."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.games.escape_room import escape_room
from stackelberg.solvers.incentives import metagrad as mg
from stackelberg.solvers.incentives.lio import (
    lio_incentive_gradient,
    lio_incentive_objective,
    lio_markov_step,
    lio_policy_gradients,
    lio_step,
    lio_trajectory,
    policy_from_theta,
)

PD = NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])


def interior_point(draw, n):
    weights = np.array(draw(st.lists(st.floats(0.1, 1.0), min_size=n, max_size=n)))
    return weights[:-1] / weights.sum()


# --------------------------------------------------------------------------- closed forms (App. B.2)
@given(
    theta=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    eta=st.lists(st.floats(0, 3), min_size=4, max_size=4),
    gamma=st.floats(0, 0.95),
    alpha=st.floats(0, 0.05),
)
def test_recipient_update_is_eq_B4_B5(theta, eta, gamma, alpha):
    g0, g1 = lio_policy_gradients(PD, theta, (eta[:2], eta[2:]), gamma=gamma)
    # Eq. B.4: agent 2's gradient is (eta1_C - eta1_D - 1)/(1-gamma); Eq. B.5 symmetrically
    assert g1[0] == pytest.approx((eta[0] - eta[1] - 1) / (1 - gamma))
    assert g0[0] == pytest.approx((eta[2] - eta[3] - 1) / (1 - gamma))
    (t0, t1), _ = lio_step(PD, theta, (eta[:2], eta[2:]), gamma=gamma, alpha=alpha, beta=0.0)
    assert t1[0] == pytest.approx(np.clip(theta[1] + alpha * (eta[0] - eta[1] - 1) / (1 - gamma), 0, 1))
    assert t0[0] == pytest.approx(np.clip(theta[0] + alpha * (eta[2] - eta[3] - 1) / (1 - gamma), 0, 1))


@given(
    theta=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    eta=st.lists(st.floats(-3, 3), min_size=4, max_size=4),
    gamma=st.floats(0, 0.95),
    alpha=st.floats(0, 0.05),
    giver=st.sampled_from([0, 1]),
)
def test_incentive_gradient_is_eq_B6_B8_with_B_equal_2(theta, eta, gamma, alpha, giver):
    gradient = lio_incentive_gradient(PD, theta, (eta[:2], eta[2:]), giver, gamma=gamma, alpha=alpha)
    expected = alpha / (1 - gamma) ** 2 * 2 * np.array([1.0, -1.0])
    np.testing.assert_allclose(gradient, expected, atol=1e-12)


def test_incentive_step_is_eq_B6_then_clipped():
    _, (eta0, eta1) = lio_step(PD, (0.2, 0.9), ([1.0, 1.0], [0.5, 2.9]), gamma=0.5, alpha=0.1, beta=0.25)
    # beta * alpha / (1 - gamma)^2 * 2 = 0.2
    np.testing.assert_allclose(eta0, [1.2, 0.8])
    np.testing.assert_allclose(eta1, [0.7, 2.7])
    _, (eta0, _) = lio_step(PD, (0.2, 0.9), ([2.95, 0.1], [0, 0]), gamma=0.5, alpha=0.1, beta=0.25)
    np.testing.assert_allclose(eta0, [3.0, 0.0])  # clipped to [0, R_max] = [0, 3]
    _, (eta0, _) = lio_step(
        PD, (0.2, 0.9), ([2.95, 0.1], [0, 0]), gamma=0.5, alpha=0.1, beta=0.25, incentive_bounds=None
    )
    np.testing.assert_allclose(eta0, [3.15, -0.1])


def test_l1_cost_gradient_uses_recipient_policy_on_first_trajectory():
    theta, eta = (0.3, 0.8), ([1.0, 0.5], [0.0, 0.0])
    with_cost = lio_incentive_gradient(PD, theta, eta, 0, gamma=0.5, alpha=0.1, cost=0.4)
    without = lio_incentive_gradient(PD, theta, eta, 0, gamma=0.5, alpha=0.1)
    # cost/(1-gamma) * y * sign(eta), y = recipient's current policy (0.8, 0.2)
    np.testing.assert_allclose(without - with_cost, 0.4 / 0.5 * np.array([0.8, 0.2]))


# --------------------------------------------------------------------------- exact gradients vs finite differences
@st.composite
def random_game_and_state(draw):
    n0, n1 = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    payoff = st.lists(st.integers(-5, 5), min_size=n0 * n1, max_size=n0 * n1)
    A = np.array(draw(payoff), dtype=float).reshape(n0, n1)
    B = np.array(draw(payoff), dtype=float).reshape(n0, n1)
    theta = (interior_point(draw, n0), interior_point(draw, n1))
    eta = (
        np.array(draw(st.lists(st.floats(0.1, 2.9), min_size=n1, max_size=n1))),
        np.array(draw(st.lists(st.floats(0.1, 2.9), min_size=n0, max_size=n0))),
    )
    return NormalFormGame.from_bimatrix(A, B), theta, eta


@given(case=random_game_and_state(), giver=st.sampled_from([0, 1]), cost=st.sampled_from([0.0, 0.3]))
def test_incentive_gradient_matches_finite_differences(numeric_gradient, case, giver, cost):
    game, theta, eta = case
    kwargs = dict(gamma=0.8, alpha=0.001, cost=cost)

    def objective(e):
        pair = (e, eta[1]) if giver == 0 else (eta[0], e)
        return lio_incentive_objective(game, theta, pair, giver, **kwargs)

    numeric = numeric_gradient(objective, eta[giver])
    exact = lio_incentive_gradient(game, theta, eta, giver, **kwargs)
    np.testing.assert_allclose(exact, numeric, atol=1e-5)


@given(case=random_game_and_state())
def test_policy_gradient_matches_finite_differences_of_value(numeric_gradient, case):
    game, theta, eta = case
    A, B = game.bimatrix()
    gamma = 0.7

    def value(player, t):
        pair = (t, theta[1]) if player == 0 else (theta[0], t)
        x, y = policy_from_theta(pair[0]), policy_from_theta(pair[1])
        own = A if player == 0 else B.T
        mine, other = (x, y) if player == 0 else (y, x)
        return (mine @ own @ other + mine @ eta[1 - player]) / (1 - gamma)

    grads = lio_policy_gradients(game, theta, eta, gamma=gamma)
    for player in (0, 1):
        numeric = numeric_gradient(lambda t: value(player, t), theta[player])
        np.testing.assert_allclose(grads[player], numeric, atol=1e-6)


@given(case=random_game_and_state())
def test_policies_stay_on_the_simplex(case):
    game, theta, eta = case
    run = lio_trajectory(game, theta, eta, n_steps=20, alpha=0.3, beta=0.2)
    for player in (0, 1):
        policies = run.policies(player)
        assert (policies >= -1e-12).all()
        np.testing.assert_allclose(policies.sum(axis=-1), 1.0)
    assert (run.eta[0] >= 0).all() and (run.eta[0] <= 3).all()


# --------------------------------------------------------------------------- dynamics
def test_symmetric_lio_reaches_mutual_cooperation():
    run = lio_trajectory(PD, (0.1, 0.9), ([0.0, 3.0], [0.5, 2.0]), n_steps=400)
    np.testing.assert_allclose(run.policies(0)[-1], [1, 0])
    np.testing.assert_allclose(run.policies(1)[-1], [1, 0])
    assert run.collective_reward[-1] == pytest.approx(-2.0)
    assert run.eta[0][-1][0] - run.eta[0][-1][1] - 1 > 0


def test_lio_with_pg_ends_at_defect_cooperate():
    run = lio_trajectory(PD, (0.5, 0.5), ([0.0, 0.0], [0.0, 0.0]), n_steps=400, learners=("lio", "pg"))
    np.testing.assert_allclose(run.policies(0)[-1], [0, 1])  # LIO defects
    np.testing.assert_allclose(run.policies(1)[-1], [1, 0])  # PG is paid to cooperate
    assert run.collective_reward[-1] == pytest.approx(-3.0)
    np.testing.assert_array_equal(run.eta[1], 0.0)  # the PG player pays nothing


def test_two_pg_learners_defect():
    run = lio_trajectory(PD, (0.9, 0.9), ([0.0, 0.0], [0.0, 0.0]), n_steps=200, learners=("pg", "pg"))
    assert run.collective_reward[-1] == pytest.approx(-4.0)


def test_batched_trajectory_equals_one_by_one():
    thetas = np.array([[0.1, 0.2], [0.7, 0.4], [0.9, 1.0]])
    etas = np.array([[0.5, 1.0, 2.0, 0.0], [3.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 3.0]])
    batched = lio_trajectory(
        PD, (thetas[:, :1], thetas[:, 1:]), (etas[:, :2], etas[:, 2:]), n_steps=30, alpha=0.05, cost=0.1
    )
    for b in range(3):
        single = lio_trajectory(
            PD, (thetas[b, 0], thetas[b, 1]), (etas[b, :2], etas[b, 2:]), n_steps=30, alpha=0.05, cost=0.1
        )
        np.testing.assert_allclose(batched.theta[1][:, b], single.theta[1])
        np.testing.assert_allclose(batched.eta[0][:, b], single.eta[0])


def test_dynamics_are_deterministic_and_follow_the_closed_form():
    a = lio_trajectory(PD, (0.3, 0.6), ([1, 2], [2, 1]), n_steps=50, cost=0.05)
    b = lio_trajectory(PD, (0.3, 0.6), ([1, 2], [2, 1]), n_steps=50, cost=0.05)
    np.testing.assert_array_equal(a.theta[0], b.theta[0])
    np.testing.assert_array_equal(a.eta[1], b.eta[1])
    # the values: Eqs. B.4-B.8 in the Prisoner's Dilemma with the L1 cost (defaults gamma = 0.9, alpha = beta = 0.01):
    # theta^q += alpha/(1-gamma) (eta^p_C - eta^p_D - 1), projected onto [0, 1];
    # eta^p += beta [alpha/(1-gamma)^2 (2, -2) - c/(1-gamma) y^q sign(eta^p)], clipped to [0, 3]
    gamma, alpha, beta, cost = 0.9, 0.01, 0.01, 0.05
    theta, eta = [0.3, 0.6], [np.array([1.0, 2.0]), np.array([2.0, 1.0])]
    for step in range(51):
        np.testing.assert_allclose([a.theta[0][step, 0], a.theta[1][step, 0]], theta, atol=1e-12)
        np.testing.assert_allclose(a.eta[0][step], eta[0], atol=1e-12)
        np.testing.assert_allclose(a.eta[1][step], eta[1], atol=1e-12)
        new_theta = [float(np.clip(theta[q] + alpha / (1 - gamma) * (eta[1 - q][0] - eta[1 - q][1] - 1), 0, 1))
                     for q in (0, 1)]
        eta = [np.clip(eta[p] + beta * (alpha / (1 - gamma) ** 2 * np.array([2.0, -2.0])
                                        - cost / (1 - gamma) * np.array([theta[1 - p], 1 - theta[1 - p]]) * np.sign(eta[p])),
                       0.0, 3.0) for p in (0, 1)]
        theta = new_theta


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(game="pd"), TypeError, "game must be a NormalFormGame"),
        (dict(theta=(1.5, 0.5)), ValueError, "theta\\[0\\] must be probabilities"),
        (dict(theta=(0.5,)), ValueError, "theta must be a pair"),
        (dict(eta=([1, 2, 3], [0, 0])), ValueError, "eta\\[0\\] must hold one incentive"),
        (dict(gamma=1.0), ValueError, "gamma must be a discount factor"),
        (dict(alpha=-0.1), ValueError, "alpha must be a finite non-negative"),
        (dict(learners=("lio", "q")), ValueError, "learners\\[1\\] must be one of"),
        (dict(incentive_bounds=(3, 0)), ValueError, "incentive_bounds must satisfy"),
        (dict(eta=([np.nan, 0], [0, 0])), ValueError, "eta\\[0\\] must contain only finite"),
    ],
)
def test_lio_step_validates(kwargs, error, match):
    arguments = dict(game=PD, theta=(0.5, 0.5), eta=([0, 0], [0, 0]))
    arguments.update(kwargs)
    game, theta, eta = arguments.pop("game"), arguments.pop("theta"), arguments.pop("eta")
    with pytest.raises(error, match=match):
        lio_step(game, theta, eta, **arguments)


def test_three_player_game_rejected():
    game = NormalFormGame([np.zeros((2, 2, 2))] * 3)
    with pytest.raises(ValueError, match="2 players"):
        lio_step(game, (0.5, 0.5), ([0, 0], [0, 0]))


def test_giver_validated():
    with pytest.raises(ValueError, match="giver must be a player index"):
        lio_incentive_gradient(PD, (0.5, 0.5), ([0, 0], [0, 0]), 2)


def test_n_steps_validated():
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1"):
        lio_trajectory(PD, (0.5, 0.5), ([0, 0], [0, 0]), n_steps=0)


# --------------------------------------------------------------------------- LIO in Markov games (exact)
def lio_objective(game, logits, eta, giver, gamma, alpha, r_max, cost, eps):
    """J^{i,env}(theta_hat(eta^i)) - cost * E_theta[sum_t gamma^t ||r_eta^i||_1], from public pieces."""
    n = game.n_players
    paid = r_max / (1 + np.exp(-eta))
    received = [sum(paid[i, k] for i in range(n) if i != k) for k in range(n)]
    new = mg.pg_step(game, logits, received, gamma=gamma, alpha=alpha, exploration=eps)
    own = mg.exact_returns(game, new, gamma=gamma, exploration=eps)[giver]
    given_by_i = [paid[giver, k] if k != giver else np.zeros_like(paid[0, 0]) for k in range(n)]
    spent = mg.exact_returns(game, logits, given_by_i, gamma=gamma, exploration=eps) - mg.exact_returns(
        game, logits, gamma=gamma, exploration=eps
    )
    return own - cost * spent.sum()


@pytest.mark.parametrize("n_agents, m_required, eps", [(2, 1, 0.0), (2, 1, 0.2), (3, 2, 0.1)])
def test_lio_markov_gradient_matches_finite_differences(numeric_gradient, n_agents, m_required, eps):
    game = escape_room(n_agents, m_required, horizon=2)
    rng = np.random.default_rng(n_agents)
    logits = tuple(rng.normal(size=(game.n_states, 3)) for _ in range(n_agents))
    eta = rng.normal(size=(n_agents, n_agents, game.n_states, 3))
    params = dict(gamma=0.9, alpha=0.7, r_max=2.0, cost=0.3)
    _, new_eta = lio_markov_step(game, logits, eta, beta=1.0, exploration=eps, **params)
    gradient = new_eta - eta
    giver = n_agents - 1
    live = [s for s in range(game.n_states) if not game.is_terminal[s]][:4]  # a few states keep it fast

    def objective(entries):
        e = eta.copy()
        e[giver, 0, live] = entries
        return lio_objective(game, logits, e, giver, eps=eps, **params)

    numeric = numeric_gradient(objective, eta[giver, 0, live])
    np.testing.assert_allclose(gradient[giver, 0, live], numeric, atol=1e-6)
    np.testing.assert_array_equal(gradient[np.arange(n_agents), np.arange(n_agents)], 0.0)  # no self-incentive


def test_lio_markov_step_validates_eta_shape():
    game = escape_room(2, 1, horizon=2)
    logits = mg.initial_logits(game)
    with pytest.raises(ValueError, match="eta must have shape"):
        lio_markov_step(game, logits, np.zeros((2, game.n_states, 3)))
