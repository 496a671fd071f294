"""Tests of stackelberg.solvers.metagrad: exact policy gradients, the exact meta-gradient of the
incentive designer (Eq. 6.4), the Escape Room dynamics and the sampled (REINFORCE) twin."""

import numpy as np
import pytest

from stackelberg.games.markov import MarkovGame
from stackelberg.games.escape_room import DOOR, LEVER, START, escape_room
from stackelberg.solvers import metagrad as mg

GAMMA, ALPHA, R_MAX = 0.9, 0.7, 2.0


def numeric_gradient(f, x, h=1e-6):
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        out[idx] = (f(up) - f(down)) / (2 * h)
    return out


@pytest.fixture(scope="module")
def er21():
    return escape_room(2, 1, horizon=3)


def random_logits(game, seed):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=(game.n_states, n)) for n in game.action_shape)


# --------------------------------------------------------------------------- the Escape Room model
def test_escape_room_rewards_and_optimum():
    game = escape_room(3, 2)
    assert game.n_states == 3**3 + 1 and game.n_joint_actions == 27 and game.horizon == 5
    lever, door = np.full((game.n_states, 3), -50.0), np.full((game.n_states, 3), -50.0)
    lever[:, LEVER] = door[:, DOOR] = 50.0
    returns = mg.exact_returns(game, (lever, lever, door), gamma=1.0)
    np.testing.assert_allclose(returns, [-1, -1, 10])  # optimum 10(N - M) - M = 8
    staying = np.full((game.n_states, 3), -50.0)
    staying[:, START] = 50.0
    np.testing.assert_allclose(mg.exact_returns(game, (staying,) * 3, gamma=1.0), 0.0, atol=1e-12)
    # everyone rushes to the door: -1 each, the door stays shut, then they stay there for free
    np.testing.assert_allclose(mg.exact_returns(game, (door,) * 3, gamma=1.0), -1.0)


# --------------------------------------------------------------------------- exact gradients vs finite differences
@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_policy_gradient_matches_finite_differences(er21, eps):
    logits = random_logits(er21, 0)
    rng = np.random.default_rng(1)
    incentives = (rng.uniform(0, 2, (er21.n_states, 3)), rng.uniform(0, 2, (er21.n_states, er21.n_joint_actions)))
    exact = mg.exact_policy_gradients(er21, logits, incentives, gamma=GAMMA, exploration=eps)
    for k in range(2):

        def value(x):
            changed = list(logits)
            changed[k] = x
            return mg.exact_returns(er21, changed, incentives, gamma=GAMMA, exploration=eps)[k]

        np.testing.assert_allclose(exact[k], numeric_gradient(value, logits[k]), atol=1e-7)


def designer_objective(game, logits, eta, cost, eps):
    """J^ID(theta_hat(eta)) - cost * psi(eta; theta), built from public functions only."""
    paid = mg.designer_incentives(game, eta, r_max=R_MAX)
    new = mg.pg_step(game, logits, paid, gamma=GAMMA, alpha=ALPHA, exploration=eps)
    welfare = mg.exact_returns(game, new, gamma=GAMMA, exploration=eps).sum()
    base = mg.exact_returns(game, logits, gamma=GAMMA, exploration=eps)
    psi = (mg.exact_returns(game, logits, paid, gamma=GAMMA, exploration=eps) - base).sum()
    return welfare - cost * psi


@pytest.mark.parametrize("eps, cost", [(0.0, 0.0), (0.2, 0.5)])
def test_designer_meta_gradient_matches_finite_differences(er21, eps, cost):
    logits = random_logits(er21, 2)
    eta = np.random.default_rng(3).normal(size=(er21.n_states, er21.n_joint_actions, 3))
    _, new_eta = mg.metagrad_step(
        er21, logits, eta, gamma=GAMMA, alpha=ALPHA, beta=1.0, r_max=R_MAX, cost=cost, exploration=eps
    )
    start = int(np.argmax(er21.initial_distribution))
    rows = [start, start + 1]  # the start state and one neighbour keep the check fast

    def objective(block):
        e = eta.copy()
        e[rows] = block
        return designer_objective(er21, logits, e, cost, eps)

    np.testing.assert_allclose((new_eta - eta)[rows], numeric_gradient(objective, eta[rows]), atol=1e-7)
    terminal = er21.terminal_states[0]
    np.testing.assert_array_equal(new_eta[terminal], eta[terminal])  # nothing is paid in the terminal state


# --------------------------------------------------------------------------- populations (exact, deterministic)
def test_pg_agents_fail_to_escape():
    game = escape_room(2, 1)
    run = mg.incentive_trajectory(
        game, "pg", n_steps=600, logits0=mg.initial_logits(game, scale=0.5, seed=1), alpha=1.0, record_every=100
    )
    assert run.collective_return[-1] < 0
    np.testing.assert_array_equal(run.incentive_cost, 0.0)


def test_designer_escapes_in_er21():
    game = escape_room(2, 1)
    run = mg.incentive_trajectory(
        game, "designer", n_steps=800, logits0=mg.initial_logits(game, scale=0.5, seed=2),
        alpha=0.1, beta=0.1, cost=0.1, exploration=0.1, record_every=100,
    )
    assert run.collective_return[-1] > 8.5  # optimum 9
    assert run.designer_return[-1] == pytest.approx(run.collective_return[-1] - run.incentive_cost[-1])
    lever_taker = int(np.argmax(run.start_policy[-1][:, LEVER]))
    assert run.start_policy[-1][lever_taker, LEVER] > 0.9


def test_exact_runs_are_deterministic():
    game = escape_room(2, 1, horizon=3)
    kwargs = dict(n_steps=20, logits0=mg.initial_logits(game, scale=0.5, seed=4), alpha=0.3, beta=0.1, cost=0.1)
    a = mg.incentive_trajectory(game, "lio", **kwargs)
    b = mg.incentive_trajectory(game, "lio", **kwargs)
    np.testing.assert_array_equal(a.collective_return, b.collective_return)
    np.testing.assert_array_equal(a.eta, b.eta)


def test_sgd_run_equals_repeated_metagrad_step():
    game = escape_room(2, 1, horizon=2)
    logits = mg.initial_logits(game, scale=0.5, seed=5)
    eta = np.zeros((game.n_states, game.n_joint_actions, 3))
    params = dict(alpha=0.5, beta=0.2, cost=0.3, exploration=0.1)
    run = mg.incentive_trajectory(game, "designer", n_steps=3, logits0=logits, eta0=eta, incentive_optimizer="sgd", **params)
    for _ in range(3):
        logits, eta = mg.metagrad_step(game, logits, eta, **params)
    np.testing.assert_allclose(run.eta, eta)
    for a, b in zip(run.logits, logits):
        np.testing.assert_allclose(a, b)


# --------------------------------------------------------------------------- the sampled twin
def test_reinforce_estimators_are_unbiased(er21):
    """The exact quantities are the expectations of the sampled ones (Eqs. 5.4, 5.8, 5.9)."""
    engine = mg._Engine(er21, GAMMA, 0.1)
    policies = [mg._softmax(x) for x in random_logits(er21, 6)]
    behaviour = engine.behaviour(policies)
    joint = engine.joint(behaviour)
    d = engine.forward(joint)
    incentives = [np.full((er21.n_states, 3), 0.5), np.full((er21.n_states, 3), 1.5)]
    weighted, _ = engine.weighted_q(joint, d, engine.total_rewards(incentives), GAMMA)
    direction = np.random.default_rng(7).normal(size=(er21.n_states, 3))
    states, actions = mg._Sampler(engine, np.random.default_rng(8)).episodes(behaviour, 40000)
    returns = mg._discounted_returns_to_go(engine, states, actions, engine.rewards, incentives)
    for k in range(2):
        exact = engine.policy_gradient(k, policies, behaviour, weighted[k : k + 1])[0]
        sampled = mg._sampled_policy_gradient(engine, k, policies, behaviour, states, actions, returns[k])
        np.testing.assert_allclose(sampled, exact, atol=0.05)
    columns, width = mg._columns(engine, "lio", 0, actions)
    exact_tangent = engine.occupancy_tangent(0, policies, behaviour, joint, d, direction)
    sampled_tangent = mg._sampled_occupancy_tangent(engine, 0, policies, behaviour, states, actions, direction, columns, width)
    np.testing.assert_allclose(sampled_tangent, exact_tangent, atol=0.03)
    np.testing.assert_allclose(
        mg._sampled_occupancy(engine, states, columns, width), engine.occupancy(d)[:, None] * behaviour[0], atol=0.03
    )


def test_sampled_policy_step_averages_to_the_exact_step():
    game = MarkovGame(np.ones((1, 4, 1)), np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])[:, None], horizon=2)
    logits = (np.array([[0.3, -0.2]]), np.array([[0.0, 0.4]]))
    exact = mg.pg_step(game, logits, gamma=0.8, alpha=0.5)
    steps = [
        mg.sampled_trajectory(game, "pg", n_steps=1, batch_size=500, seed=s, logits0=logits, gamma=0.8, alpha=0.5).logits
        for s in range(40)
    ]
    for k in range(2):
        mean = np.mean([step[k] for step in steps], axis=0)
        np.testing.assert_allclose(mean, exact[k], atol=0.01)


def test_sampled_runs_follow_the_seed():
    game = escape_room(2, 1, horizon=3)
    kwargs = dict(n_steps=5, batch_size=16, logits0=mg.initial_logits(game, scale=0.5, seed=0), alpha=0.5, beta=0.1, cost=0.1)
    a = mg.sampled_trajectory(game, "designer", seed=3, **kwargs)
    b = mg.sampled_trajectory(game, "designer", seed=3, **kwargs)
    c = mg.sampled_trajectory(game, "designer", seed=4, **kwargs)
    np.testing.assert_array_equal(a.eta, b.eta)
    assert not np.array_equal(a.eta, c.eta)
    lio = mg.sampled_trajectory(game, "lio", seed=3, **kwargs)
    assert lio.eta.shape == (2, 2, game.n_states, 3)


# --------------------------------------------------------------------------- validation
def test_validation():
    game = escape_room(2, 1, horizon=2)
    logits = mg.initial_logits(game)
    discounted = MarkovGame(np.ones((1, 4, 1)), np.zeros((2, 1, 2, 2)), gamma=0.9)
    with pytest.raises(ValueError, match="finite-horizon"):
        mg.exact_returns(discounted, [np.zeros((1, 2))] * 2)
    with pytest.raises(TypeError, match="game must be a MarkovGame"):
        mg.pg_step("er", logits)
    with pytest.raises(ValueError, match="logits\\[1\\] must have shape"):
        mg.pg_step(game, (logits[0], np.zeros((2, 3))))
    with pytest.raises(ValueError, match="population must be one of"):
        mg.incentive_trajectory(game, "q", n_steps=1)
    with pytest.raises(ValueError, match="eta0 must have shape"):
        mg.incentive_trajectory(game, "designer", n_steps=1, eta0=np.zeros((game.n_states, 3, 3)))
    with pytest.raises(ValueError, match="eta0 must be None"):
        mg.incentive_trajectory(game, "pg", n_steps=1, eta0=np.zeros(3))
    with pytest.raises(ValueError, match="exploration must lie in"):
        mg.pg_step(game, logits, exploration=1.5)
    with pytest.raises(ValueError, match="gamma must be a discount factor"):
        mg.pg_step(game, logits, gamma=1.5)
    with pytest.raises(ValueError, match="r_max must be a finite positive"):
        mg.designer_incentives(game, np.zeros((game.n_states, game.n_joint_actions, 3)), r_max=0.0)
    with pytest.raises(ValueError, match="incentive_optimizer must be one of"):
        mg.incentive_trajectory(game, "designer", n_steps=1, incentive_optimizer="rmsprop")
