"""Tests of stackelberg.solvers.incentives.baselines: LIO's baselines as exact learning dynamics."""

import numpy as np
import pytest
from scipy import integrate

from stackelberg import NormalFormGame
from stackelberg.games import asymmetric_escape_room, memory_one_game
from stackelberg.games.catalog import prisoners_dilemma
from stackelberg.games.escape_room import escape_room
from stackelberg.solvers._numeric import sigmoid
from stackelberg.solvers.incentives import (
    exact_policy_gradients,
    exact_returns,
    incentive_trajectory,
    initial_logits,
)
from stackelberg.solvers.incentives.baselines import (
    baseline_trajectory,
    expected_sigmoid_payment,
    give_reward_game,
    lola_gradients,
    lola_markov_gradients,
    lola_step,
    lola_trajectory,
)

STAG = NormalFormGame.from_bimatrix([[4, 0], [3, 2]], [[4, 3], [0, 1]])  # not additively separable


# --------------------------------------------------------------------------- LOLA in matrix games
@pytest.mark.parametrize("p, q", [(0.3, 0.6), (0.9, 0.1), (0.5, 0.5)])
def test_lola_gradients_are_the_hand_computed_closed_form(p, q):
    (A, B), gamma, eta = STAG.bimatrix(), 0.8, 0.7
    A, B = np.asarray(A, float), np.asarray(B, float)
    s = 1 / (1 - gamma)
    dV0_dp = s * (A[0, 0] * q + A[0, 1] * (1 - q) - A[1, 0] * q - A[1, 1] * (1 - q))
    dV0_dq = s * (p * (A[0, 0] - A[0, 1]) + (1 - p) * (A[1, 0] - A[1, 1]))
    dV1_dq = s * (p * (B[0, 0] - B[0, 1]) + (1 - p) * (B[1, 0] - B[1, 1]))
    dV1_dp = s * (B[0, 0] * q + B[0, 1] * (1 - q) - B[1, 0] * q - B[1, 1] * (1 - q))
    mixed1 = s * (B[0, 0] - B[0, 1] - B[1, 0] + B[1, 1])  # d2 V1 / dp dq
    mixed0 = s * (A[0, 0] - A[0, 1] - A[1, 0] + A[1, 1])
    g0, g1 = lola_gradients(STAG, (p, q), gamma=gamma, lookahead=eta)
    assert g0[0] == pytest.approx(dV0_dp + eta * mixed1 * dV0_dq)
    assert g1[0] == pytest.approx(dV1_dq + eta * mixed0 * dV1_dp)


def test_lola_gradient_is_the_derivative_of_the_taylor_objective(numeric_gradient):
    """d/dp [V0(p, q) + eta c dV1/dq(p, q)] with c = dV0/dq held fixed (LOLA drops the other term)."""
    (A, B), gamma, eta, q = STAG.bimatrix(), 0.5, 0.3, 0.35
    A, B = np.asarray(A, float), np.asarray(B, float)

    def value(M, p, q):
        return np.array([p, 1 - p]) @ M @ np.array([q, 1 - q]) / (1 - gamma)

    p0 = 0.4
    c = (value(A, p0, q + 1e-6) - value(A, p0, q - 1e-6)) / 2e-6

    def taylor(p):
        dV1_dq = (value(B, p[0], q + 1e-5) - value(B, p[0], q - 1e-5)) / 2e-5
        return value(A, p[0], q) + eta * c * dV1_dq

    expected = numeric_gradient(taylor, [p0], h=1e-4)
    assert lola_gradients(STAG, (p0, q), gamma=gamma, lookahead=eta)[0] == pytest.approx(expected, abs=1e-6)


def test_memoryless_lola_defects_in_the_prisoners_dilemma():
    pd = prisoners_dilemma()
    g0, g1 = lola_gradients(pd, (0.2, 0.7), gamma=0.9, lookahead=5.0)
    assert g0[0] == pytest.approx(-1 / 0.1) and g1[0] == pytest.approx(-1 / 0.1)  # the correction vanishes
    run = lola_trajectory(pd, (np.linspace(0.1, 0.9, 5)[:, None], 0.9), n_steps=300, gamma=0.9, alpha=0.01)
    assert np.allclose(run.collective_reward[-1], -4.0)
    new = lola_step(pd, (0.5, 0.5), gamma=0.5, alpha=0.1)
    assert float(new[0][0]) == pytest.approx(0.3)


# --------------------------------------------------------------------------- LOLA in Markov games
def test_lola_markov_gradients_match_finite_differences_of_exact_values(numeric_gradient):
    game = memory_one_game(prisoners_dilemma(), horizon=3)
    logits = initial_logits(game, scale=0.7, seed=3)
    gamma, eta, eps = 0.9, 0.8, 0.1
    lola = lola_markov_gradients(game, logits, gamma=gamma, lookahead=eta, exploration=eps)

    def with_(k, x):
        return [x.reshape(logits[k].shape) if j == k else v for j, v in enumerate(logits)]

    def returns(k, x):
        return exact_returns(game, with_(k, x), gamma=gamma, exploration=eps)

    for p, q in ((0, 1), (1, 0)):
        own = numeric_gradient(lambda x: returns(p, x)[p], logits[p])
        v = numeric_gradient(lambda x: returns(q, x)[p], logits[q])  # grad_{theta^q} V^p, held fixed
        correction = numeric_gradient(
            lambda x: np.sum(v * exact_policy_gradients(game, with_(p, x), gamma=gamma, exploration=eps)[q]),
            logits[p], h=1e-5)
        assert np.allclose(lola[p], own + eta * correction, atol=1e-5)


# --------------------------------------------------------------------------- PG-d and PG-c
def test_give_reward_game_transfers_cancel_and_pay_the_recipient():
    base = escape_room(3, 2)
    aug = give_reward_game(base, give_reward=1.5)
    assert aug.action_shape == (12, 12, 12)
    rewards, base_rewards = np.asarray(aug.rewards), np.asarray(base.rewards)
    assert np.allclose(rewards.sum(axis=0)[:-1], base_rewards.sum(axis=0)[:-1][:, _base_columns(base, aug)])
    a = aug.joint_index((1 * 4 + 0b10, 1 * 4, 2 * 4))  # agent 0 pulls and gives to agent 1 only
    assert rewards[:, 0, a].tolist() == [-1.0 - 1.5, -1.0 + 1.5, 10.0]  # two pull, agent 2 exits
    assert aug.action_names[0][6] == "lever+give2"


def _base_columns(base, aug):
    joint = np.array(np.unravel_index(np.arange(aug.n_joint_actions), aug.action_shape))
    return np.ravel_multi_index(tuple(joint // 4), base.action_shape)


def test_pg_d_step_is_the_exact_policy_gradient_of_the_augmented_game(numeric_gradient):
    base = escape_room(2, 1)
    logits = initial_logits(base, scale=0.5, seed=1)
    alpha, eps = 0.3, 0.1
    run = baseline_trajectory(base, "pg-d", n_steps=1, logits0=logits, alpha=alpha, exploration=eps)
    aug = give_reward_game(base)
    lifted = [np.repeat(x, 2, axis=1) for x in logits]
    for k in range(2):
        def value(x, k=k):
            return exact_returns(aug, [x.reshape(lifted[k].shape) if j == k else v for j, v in enumerate(lifted)],
                                 exploration=eps)[k]
        assert np.allclose(run.logits[k], lifted[k] + alpha * numeric_gradient(value, lifted[k]), atol=1e-7)


def test_pg_c_mean_step_is_the_exact_gradient_of_the_givers_return(numeric_gradient):
    game = asymmetric_escape_room(horizon=3)
    logits = initial_logits(game, scale=0.5, seed=2)
    mu0 = np.full((2, 2, game.n_states), 0.3)
    alpha, eps = 0.2, 0.1
    run = baseline_trajectory(game, "pg-c", n_steps=1, logits0=logits, eta0=mu0, givers=(0,), alpha=alpha,
                              exploration=eps)

    def giver_return(mu01):
        pay = expected_sigmoid_payment(mu01)  # (S,): A1 pays A2 in each state
        flows = [np.repeat(-pay[:, None], game.n_joint_actions, axis=1),
                 np.repeat(pay[:, None], game.n_joint_actions, axis=1)]
        return exact_returns(game, logits, flows, exploration=eps)[0]

    expected = mu0[0, 1] + alpha * numeric_gradient(giver_return, mu0[0, 1])
    assert np.allclose(run.incentive_parameters[0, 1], expected, atol=1e-7)
    assert np.allclose(run.incentive_parameters[1, 0], mu0[1, 0])  # A2 is no giver


def test_expected_sigmoid_payment_is_the_gaussian_integral():
    for mu in (-2.0, 0.4, 3.0):
        exact, _ = integrate.quad(lambda z: sigmoid(mu + z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi), -12, 12)
        assert float(expected_sigmoid_payment(mu, r_max=2.0)) == pytest.approx(2 * exact, abs=1e-10)


# --------------------------------------------------------------------------- LIO, LIO-dec
def test_lio_baseline_is_incentive_trajectorys_lio():
    game = escape_room(2, 1)
    logits = initial_logits(game, scale=0.5, seed=0)
    ours = baseline_trajectory(game, "lio", n_steps=40, logits0=logits, alpha=0.1, exploration=0.1, record_every=20)
    theirs = incentive_trajectory(game, "lio", n_steps=40, logits0=logits, alpha=0.1, beta=0.1, cost=0.1,
                                  exploration=0.1, record_every=20)
    assert np.allclose(ours.collective_return, theirs.collective_return)
    assert np.allclose(ours.incentive_parameters, theirs.eta)


def test_lio_dec_is_lio_without_exploration_and_differs_with_it():
    game = asymmetric_escape_room()
    logits = initial_logits(game, scale=0.5, seed=4)
    kw = dict(n_steps=30, logits0=logits, givers=(0,), alpha=0.2, record_every=30)
    lio = baseline_trajectory(game, "lio", **kw)
    dec = baseline_trajectory(game, "lio-dec", **kw)
    assert np.allclose(lio.incentive_parameters, dec.incentive_parameters, atol=1e-9)
    lio = baseline_trajectory(game, "lio", exploration=0.3, **kw)
    dec = baseline_trajectory(game, "lio-dec", exploration=0.3, **kw)
    assert np.abs(lio.incentive_parameters - dec.incentive_parameters).max() > 1e-4


def test_asymmetric_lio_with_a_pg_recipient_reaches_the_optimum_and_pg_does_not():
    game = asymmetric_escape_room()
    logits = initial_logits(game, scale=0.5, seed=0)
    lio = baseline_trajectory(game, "lio", n_steps=400, logits0=logits, givers=(0,), alpha=0.1, exploration=0.1,
                              record_every=400)
    pg = baseline_trajectory(game, "pg", n_steps=400, logits0=logits, alpha=0.1, exploration=0.1, record_every=400)
    assert lio.collective_return[-1] > 8.5
    assert lio.given[-1, 1] == 0.0  # A2 gives nothing
    assert pg.collective_return[-1] < -4.0


def test_runs_are_deterministic():
    game = escape_room(2, 1)
    for baseline in ("pg-c", "lola-d", "lio-dec"):
        a, b = (baseline_trajectory(game, baseline, n_steps=5, logits0=initial_logits(game, scale=0.5, seed=7),
                                    exploration=0.1) for _ in range(2))
        assert np.array_equal(a.collective_return, b.collective_return)
        assert all(np.array_equal(x, y) for x, y in zip(a.logits, b.logits))


# --------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("kwargs, name", [
    (dict(baseline="lola-x"), "baseline"),
    (dict(give_reward=0.0), "give_reward"),
    (dict(givers=(5,)), "givers"),
    (dict(baseline="pg", eta0=1.0), "eta0"),
    (dict(n_steps=0), "n_steps"),
    (dict(lookahead=-1.0), "lookahead"),
    (dict(alpha=-0.1), "alpha"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, name):
    args = dict(baseline="lola-d", n_steps=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        baseline_trajectory(escape_room(2, 1), args.pop("baseline"), **args)


def test_bad_matrix_and_payment_arguments_raise_naming_the_argument():
    with pytest.raises(ValueError, match="lookahead"):
        lola_gradients(STAG, (0.5, 0.5), lookahead=-1.0)
    with pytest.raises(ValueError, match="r_max"):
        expected_sigmoid_payment(0.0, r_max=0.0)
    with pytest.raises(ValueError, match="give_reward"):
        give_reward_game(escape_room(2, 1), give_reward=-2.0)
    with pytest.raises(TypeError, match="game"):
        give_reward_game(STAG)
