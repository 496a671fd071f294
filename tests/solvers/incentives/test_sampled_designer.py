"""Tests of stackelberg.solvers.incentives.sampled_designer: the sampled meta-gradient against the exact one (finite
differences of exact returns through the agents' exact step), the episode rules, determinism and argument checks."""

import numpy as np
import pytest

from stackelberg.games.escape_room import escape_room
from stackelberg.solvers._numeric import sigmoid
from stackelberg.solvers.incentives import (
    SAMPLED_DESIGNERS,
    exact_policy_gradients,
    exact_returns,
    sampled_designer_trajectory,
    sampled_meta_gradient,
)
from stackelberg.solvers.incentives.sampled_designer import (
    _features,
    _one_hot_actions,
    _Room,
)


def tabular(n_agents):
    """Features of every state of the exact ER(N, M) (terminal state last, all zero) and every joint action."""
    positions = np.array(np.unravel_index(np.arange(3**n_agents), (3,) * n_agents)).T
    phi = np.vstack([_features(positions), np.zeros((1, 3 * n_agents + 1))])
    return phi, positions  # joint actions have the same coding as positions


def exact_designer_objective(theta, eta, alpha, r_max=2.0):
    """J^ID(theta + alpha grad J(theta; eta)) of ER(2,1) with gamma = 1, exactly, for a linear designer."""
    game = escape_room(2, 1)
    phi, actions = tabular(2)
    A = len(actions)
    inputs = np.concatenate([np.repeat(phi[:, None], A, 1), np.broadcast_to(_one_hot_actions(actions), (len(phi), A, 6))], -1)
    pay = r_max * sigmoid(inputs @ eta.reshape(-1, 3))  # (S, A, 3)
    incentives = [pay[:, np.arange(A), actions[:, k]] for k in range(2)]
    logits = [phi @ theta[k] for k in range(2)]
    grads = exact_policy_gradients(game, logits, incentives, gamma=1.0)
    new = [phi @ (theta[k] + alpha * phi.T @ grads[k]) for k in range(2)]
    return exact_returns(game, new, gamma=1.0).sum()


def test_sampled_meta_gradient_mean_matches_exact_gradient():
    rng = np.random.default_rng(1)
    theta, eta, alpha, h = 0.5 * rng.standard_normal((2, 7, 3)), 0.5 * rng.standard_normal(39), 0.3, 1e-5
    exact = np.array([(exact_designer_objective(theta, eta + h * e, alpha) - exact_designer_objective(theta, eta - h * e, alpha))
                      / (2 * h) for e in np.eye(39)])
    draws = [sampled_meta_gradient(2, 1, theta, eta, alpha=alpha, gamma=1.0, batch_size=2000, seed=s)[0] for s in range(16)]
    mean = np.mean(draws, axis=0)
    assert np.linalg.norm(mean - exact) / np.linalg.norm(exact) < 0.06


def test_sampled_cost_gradient_is_the_gradient_of_the_expected_payments():
    rng = np.random.default_rng(2)
    theta, eta = 0.5 * rng.standard_normal((2, 7, 3)), 0.5 * rng.standard_normal(39)
    game = escape_room(2, 1)
    phi, actions = tabular(2)
    A = len(actions)

    def paid(eta):
        inputs = np.concatenate([np.repeat(phi[:, None], A, 1), np.broadcast_to(_one_hot_actions(actions), (len(phi), A, 6))], -1)
        pay = 2.0 * sigmoid(inputs @ eta.reshape(-1, 3))
        incentives = [pay[:, np.arange(A), actions[:, k]] for k in range(2)]
        logits = [phi @ theta[k] for k in range(2)]
        return (exact_returns(game, logits, incentives, gamma=0.9) - exact_returns(game, logits, gamma=0.9)).sum()

    h = 1e-5
    exact = np.array([(paid(eta + h * e) - paid(eta - h * e)) / (2 * h) for e in np.eye(39)])
    draws = [sampled_meta_gradient(2, 1, theta, eta, gamma=0.9, batch_size=4000, seed=s)[1] for s in range(4)]
    assert np.linalg.norm(np.mean(draws, axis=0) - exact) / np.linalg.norm(exact) < 0.03


def test_episodes_follow_the_rules_of_the_exact_game():
    room = _Room(2, 1, 5, 1.0, np.random.default_rng(0))
    theta = np.zeros((2, 7, 3))
    theta[0, -1, 1] = theta[1, -1, 2] = 40.0  # agent 0 pulls, agent 1 goes to the door: -1 + 10 in one step
    batch = room.episodes(theta, 4, 0.0)
    assert batch.rewards.sum(axis=(1, 2)).tolist() == [9.0] * 4 and batch.alive[:, 1:].sum() == 0
    theta = 0.7 * np.random.default_rng(3).standard_normal((2, 7, 3))  # random policies: mean return = exact return
    batch = room.episodes(theta, 40000, 0.0)
    phi, _ = tabular(2)
    exact = exact_returns(escape_room(2, 1), [phi @ theta[k] for k in range(2)], gamma=1.0)
    sampled = batch.rewards.sum(axis=1).mean(axis=0)
    assert np.all(np.abs(sampled - exact) < 4 * batch.rewards.sum(axis=1).std(axis=0) / np.sqrt(40000))


@pytest.mark.parametrize("designer", SAMPLED_DESIGNERS)
def test_runs_are_deterministic_given_the_seed(designer):
    kwargs = dict(designer=designer, n_iterations=6, batch_size=3, record_every=3, eval_episodes=5, hidden=2)
    first, second = (sampled_designer_trajectory(3, 1, seed=7, **kwargs) for _ in range(2))
    assert np.array_equal(first.collective_return, second.collective_return)
    assert np.array_equal(first.theta, second.theta)
    assert first.final["designer_return"] == second.final["designer_return"]
    assert first.paid_per_action.shape == (2, 3, 3) and first.steps.tolist() == [3, 6]


def test_metagrad_designer_solves_er21():
    run = sampled_designer_trajectory(2, 1, n_iterations=800, batch_size=16, seed=0, alpha=0.3, beta=0.03,
                                      cost_beta=0.001, hidden=16, record_every=400, eval_episodes=500)
    assert run.final["collective_return"] > 8.5 and run.final["designer_return"] > 7.5


@pytest.mark.parametrize("kwargs, name", [
    (dict(designer="oracle"), "designer"), (dict(n_iterations=0), "n_iterations"), (dict(batch_size=0), "batch_size"),
    (dict(alpha=-1.0), "alpha"), (dict(beta=-1.0), "beta"), (dict(cost_beta=-1.0), "cost_beta"),
    (dict(r_max=0.0), "r_max"), (dict(gamma=1.5), "gamma"), (dict(exploration=1.5), "exploration"),
    (dict(entropy=-0.1), "entropy"), (dict(hidden=-1), "hidden"), (dict(cost_on="x"), "cost_on"),
    (dict(incentive_values=[-1.0]), "incentive_values"), (dict(record_every=0), "record_every"),
    (dict(m_required=2), "m_required"), (dict(seed=-3), "seed"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, name):
    args = dict(n_agents=2, m_required=1, n_iterations=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        sampled_designer_trajectory(**args)


def test_sampled_meta_gradient_checks_shapes():
    with pytest.raises(ValueError, match="theta"):
        sampled_meta_gradient(2, 1, np.zeros((2, 5, 3)), np.zeros(39))
    with pytest.raises(ValueError, match="eta"):
        sampled_meta_gradient(2, 1, np.zeros((2, 7, 3)), np.zeros(10))


def test_joint_state_observation_is_a_tabular_policy():
    run = sampled_designer_trajectory(2, 1, designer="none", observation="joint-state", n_iterations=3, batch_size=2,
                                      seed=0, record_every=3, eval_episodes=4)
    assert run.theta.shape == (2, 10, 3) and run.parameters["observation"] == "joint-state"
    with pytest.raises(ValueError, match="observation"):
        sampled_designer_trajectory(2, 1, observation="pixels", n_iterations=1)
    with pytest.raises(ValueError, match="n_agents"):
        sampled_designer_trajectory(9, 1, observation="joint-state", n_iterations=1)


def test_table_designer_is_the_tabular_eta_of_the_exact_engine():
    from stackelberg.solvers.incentives import designer_incentives
    from stackelberg.solvers.incentives.sampled_designer import _MetaDesigner

    rng = np.random.default_rng(4)
    room = _Room(2, 1, 5, 0.99, rng, "joint-state")
    designer = _MetaDesigner(room, 0, 2.0, "payment", rng, table=True)
    designer.params = rng.standard_normal(designer.net.size)
    eta = np.zeros((10, 9, 3))
    eta[:9] = designer.params.reshape(9, 9, 3)
    exact = designer_incentives(escape_room(2, 1), eta)
    positions = np.array([[0, 0], [1, 2], [2, 2]])
    actions = np.array([[1, 2], [0, 0], [2, 1]])
    paid = 2.0 * sigmoid(designer.net.forward(designer.params, designer.inputs(room.features(positions), actions))[0])
    for row, (s, a) in enumerate(zip(positions, actions)):
        state, joint = 3 * s[0] + s[1], 3 * a[0] + a[1]
        assert np.allclose([paid[row, a[k]] for k in range(2)], [exact[k][state, joint] for k in range(2)])
    with pytest.raises(ValueError, match="designer_inputs"):
        sampled_designer_trajectory(2, 1, designer_inputs="table", n_iterations=1)
