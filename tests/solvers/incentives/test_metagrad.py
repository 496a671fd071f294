"""Tests of stackelberg.solvers.incentives.metagrad: exact policy gradients, the exact meta-gradient of the
incentive designer (Eq. 6.4), the Escape Room dynamics and the sampled (REINFORCE) twin."""

import numpy as np
import pytest

from stackelberg.games.markov import MarkovGame
from stackelberg.games.escape_room import DOOR, LEVER, START, escape_room
from stackelberg.solvers._numeric import softmax
from stackelberg.solvers.incentives import lio_markov_step
from stackelberg.solvers.incentives import metagrad as mg

GAMMA, ALPHA, R_MAX = 0.9, 0.7, 2.0


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
def test_policy_gradient_matches_finite_differences(numeric_gradient, er21, eps):
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


@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_entropy_bonus_gradient_matches_finite_differences(numeric_gradient, er21, eps):
    """The bonus is c * grad of sum_s visits(s) H(beh(.|s)), visits = expected undiscounted steps in s, held fixed."""
    logits, c = random_logits(er21, 4), 0.3
    engine = mg._engine(er21, GAMMA, eps)
    joint = engine.joint(engine.behaviour([softmax(x) for x in logits]))
    visits = engine.forward(joint).sum(axis=0) * engine.live
    plain = mg.exact_policy_gradients(er21, logits, gamma=GAMMA, exploration=eps)
    bonus = mg.exact_policy_gradients(er21, logits, gamma=GAMMA, exploration=eps, entropy=c)
    for k in range(2):

        def entropy_sum(x):
            beh = (1 - eps) * softmax(x) + eps / 3
            return float(visits @ -(beh * np.log(beh)).sum(axis=1))

        np.testing.assert_allclose(bonus[k] - plain[k], c * numeric_gradient(entropy_sum, logits[k]), atol=1e-8)
    step = mg.pg_step(er21, logits, gamma=GAMMA, alpha=ALPHA, exploration=eps, entropy=c)
    np.testing.assert_allclose(step[0], logits[0] + ALPHA * bonus[0])


def test_designer_meta_gradient_is_unchanged_by_the_entropy_bonus(numeric_gradient, er21):
    """The bonus does not depend on the incentives: Eq. 6.4 keeps its form (checked by finite differences)."""
    logits = random_logits(er21, 5)
    eta = np.random.default_rng(6).normal(size=(er21.n_states, er21.n_joint_actions, 3))
    c, start = 0.5, int(np.argmax(er21.initial_distribution))
    new_logits, new_eta = mg.metagrad_step(er21, logits, eta, gamma=GAMMA, alpha=ALPHA, r_max=R_MAX, cost=0.0, entropy=c)

    def objective(row):
        e = eta.copy()
        e[start] = row
        new = mg.pg_step(er21, logits, mg.designer_incentives(er21, e, r_max=R_MAX), gamma=GAMMA, alpha=ALPHA, entropy=c)
        return mg.exact_returns(er21, new, gamma=GAMMA).sum()

    np.testing.assert_allclose((new_eta - eta)[start], numeric_gradient(objective, eta[start]), atol=1e-7)
    paid = mg.designer_incentives(er21, eta, r_max=R_MAX)
    expected = mg.pg_step(er21, logits, paid, gamma=GAMMA, alpha=ALPHA, entropy=c)
    np.testing.assert_allclose(new_logits[1], expected[1])


def test_sampled_entropy_bonus_averages_to_the_exact_one():
    game = escape_room(2, 1, horizon=3)
    logits = mg.initial_logits(game, scale=1.0, seed=7)
    exact = [b - a for a, b in zip(mg.pg_step(game, logits, alpha=0.5), mg.pg_step(game, logits, alpha=0.5, entropy=2.0))]

    def run(c):  # the same seed gives the same episodes: the difference of the two steps is the bonus alone
        return mg.incentive_trajectory(game, "pg", n_steps=1, gradient="sampled", batch_size=4000, seed=0, logits0=logits,
                                       alpha=0.5, entropy=c)

    sampled = [b - a for a, b in zip(run(0.0).logits, run(2.0).logits)]
    for k in range(2):
        np.testing.assert_allclose(sampled[k], exact[k], atol=0.02)


def designer_objective(game, logits, eta, cost, eps):
    """J^ID(theta_hat(eta)) - cost * psi(eta; theta), built from public functions only."""
    paid = mg.designer_incentives(game, eta, r_max=R_MAX)
    new = mg.pg_step(game, logits, paid, gamma=GAMMA, alpha=ALPHA, exploration=eps)
    welfare = mg.exact_returns(game, new, gamma=GAMMA, exploration=eps).sum()
    base = mg.exact_returns(game, logits, gamma=GAMMA, exploration=eps)
    psi = (mg.exact_returns(game, logits, paid, gamma=GAMMA, exploration=eps) - base).sum()
    return welfare - cost * psi


@pytest.mark.parametrize("eps, cost", [(0.0, 0.0), (0.2, 0.5)])
def test_designer_meta_gradient_matches_finite_differences(numeric_gradient, er21, eps, cost):
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


def lio_objective(game, logits, eta, giver, cost, eps):
    """J^{i,env}(theta_hat(eta)) - cost * E_theta[sum_t gamma^t ||r_eta^i||_1] (Eqs. 5.5-5.6), from public functions."""
    received = mg.lio_incentives(game, eta, r_max=R_MAX)
    new = mg.pg_step(game, logits, received, gamma=GAMMA, alpha=ALPHA, exploration=eps)
    own = mg.exact_returns(game, new, gamma=GAMMA, exploration=eps)[giver]
    silent = eta.copy()
    silent[giver] = -60.0  # the giver pays (numerically) nothing
    paid = [a - b for a, b in zip(received, mg.lio_incentives(game, silent, r_max=R_MAX))]
    spent = mg.exact_returns(game, logits, paid, gamma=GAMMA, exploration=eps) - mg.exact_returns(
        game, logits, gamma=GAMMA, exploration=eps
    )
    return own - cost * spent.sum()


def test_lio_meta_gradient_through_others_joint_action_matches_finite_differences(numeric_gradient):
    """LIO's incentive function sees the others' joint action (thesis Eq. 5.1): exact Eqs. 5.7-5.9 in ER(3,2)."""
    game = escape_room(3, 2, horizon=2)
    logits = random_logits(game, 11)
    eta = np.random.default_rng(12).normal(size=(3, 3, game.n_states, 9))
    cost, eps, giver = 0.3, 0.1, 2
    run = mg.incentive_trajectory(
        game, "lio", n_steps=1, logits0=logits, eta0=eta, gamma=GAMMA, alpha=ALPHA, beta=1.0, r_max=R_MAX,
        cost=cost, exploration=eps, incentive_optimizer="sgd",
    )  # fmt: skip
    assert run.parameters["incentive_inputs"] == "others' joint action"
    gradient = run.eta - eta
    rows = (giver, 0, [0, 13])  # recipient 0 at the start state and at "SLS"

    def objective(block):
        e = eta.copy()
        e[rows] = block
        return lio_objective(game, logits, e, giver, cost, eps)

    np.testing.assert_allclose(gradient[rows], numeric_gradient(objective, eta[rows]), atol=1e-6)
    np.testing.assert_array_equal(gradient[np.arange(3), np.arange(3)], 0.0)  # no self-incentive


def test_lio_markov_step_is_one_sgd_iteration_of_the_lio_population():
    game = escape_room(3, 2, horizon=2)
    logits = random_logits(game, 14)
    eta = np.random.default_rng(15).normal(size=(3, 3, game.n_states, 9))
    params = dict(gamma=GAMMA, alpha=ALPHA, beta=0.5, r_max=R_MAX, cost=0.2, exploration=0.1)
    new_logits, new_eta = lio_markov_step(game, logits, eta, **params)
    run = mg.incentive_trajectory(game, "lio", n_steps=1, logits0=logits, eta0=eta, incentive_optimizer="sgd", **params)
    np.testing.assert_allclose(run.eta, new_eta)
    for a, b in zip(run.logits, new_logits):
        np.testing.assert_allclose(a, b)


def test_lio_incentive_inputs_coincide_for_two_agents():
    """With two agents the others' joint action is the recipient's own action."""
    game = escape_room(2, 1, horizon=2)
    eta = np.random.default_rng(13).normal(size=(2, 2, game.n_states, 3))
    received = mg.lio_incentives(game, eta, r_max=R_MAX)[1].reshape(game.n_states, 3, 3)  # (s, a^0, a^1)
    expected = R_MAX / (1 + np.exp(-eta[0, 1])) * (~game.is_terminal)[:, None]  # paid for agent 1's own action
    for a0 in range(3):
        np.testing.assert_allclose(received[:, a0, :], expected)
    three = escape_room(3, 2, horizon=2)
    reduced = np.zeros((3, 3, three.n_states, 3))
    reduced[0, 1, :, LEVER] = 5.0  # pay for the lever whatever the third agent does
    full = np.zeros((3, 3, three.n_states, 9))
    full[0, 1, :, 3 * LEVER : 3 * LEVER + 3] = 5.0  # a^{-0} = (a^1, a^2) with a^1 = lever
    for a, b in zip(mg.lio_incentives(three, reduced), mg.lio_incentives(three, full)):
        np.testing.assert_allclose(a, b)


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


def test_lio_reaches_near_the_optimum_in_er21():
    """Fig. 5.5a: two LIO agents find the division of labour (optimum 9: one pulls, one exits)."""
    game = escape_room(2, 1)
    run = mg.incentive_trajectory(
        game, "lio", n_steps=900, logits0=mg.initial_logits(game, scale=0.5, seed=0),
        alpha=0.1, beta=0.1, cost=0.1, exploration=0.1, record_every=900,
    )  # fmt: skip
    assert run.collective_return[0] < 4 and run.collective_return[-1] > 8.5
    cooperator = int(np.argmin(run.returns[-1]))
    assert run.start_policy[-1][cooperator, LEVER] > 0.9
    assert run.incentive_received[-1][cooperator, LEVER] > 0.5  # it is paid for the lever


def test_lio_improves_strongly_in_er32():
    """Fig. 5.5c: three LIO agents with incentives conditioned on the others' joint action escape the start."""
    game = escape_room(3, 2)
    eta0 = np.full((3, 3, game.n_states, 9), -3.0)
    run = mg.incentive_trajectory(
        game, "lio", n_steps=250, logits0=mg.initial_logits(game, scale=0.5, seed=1), eta0=eta0,
        alpha=0.5, beta=0.1, cost=0.1, exploration=0.1, record_every=250,
    )  # fmt: skip
    assert run.collective_return[0] < -3 and run.collective_return[-1] > 5  # optimum 8


def test_exact_runs_are_deterministic_and_equal_repeated_lio_steps():
    game = escape_room(2, 1, horizon=3)
    logits0 = mg.initial_logits(game, scale=0.5, seed=4)
    params = dict(alpha=0.3, beta=0.1, cost=0.1)
    kwargs = dict(n_steps=20, logits0=logits0, incentive_optimizer="sgd", **params)
    a = mg.incentive_trajectory(game, "lio", **kwargs)
    b = mg.incentive_trajectory(game, "lio", **kwargs)
    np.testing.assert_array_equal(a.collective_return, b.collective_return)
    np.testing.assert_array_equal(a.eta, b.eta)
    # the values: 20 exact LIO steps (Algorithm 2, checked against finite differences above), and the recorded
    # curve is the undiscounted extrinsic return of the policies of each step
    logits, eta = logits0, np.zeros((2, 2, game.n_states, 3))
    returns = [mg.exact_returns(game, logits, gamma=1.0).sum()]
    for _ in range(20):
        logits, eta = lio_markov_step(game, logits, eta, **params)
        returns.append(mg.exact_returns(game, logits, gamma=1.0).sum())
    np.testing.assert_allclose(a.eta, eta, atol=1e-12)
    np.testing.assert_allclose(a.collective_return, returns, atol=1e-12)
    assert a.parameters["gradient"] == "exact" and "seed" not in a.parameters


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
@pytest.mark.parametrize("population", ["lio", "designer"])
def test_reinforce_estimators_are_unbiased(er21, population):
    """Every quantity of one iteration: the exact one is the expectation of the sampled one (Eqs. 5.4, 5.8, 5.9, 5.6)."""
    engine = mg._Engine(er21, GAMMA, 0.1)
    logits = random_logits(er21, 6)
    eta = np.random.default_rng(9).normal(size=(2, 2, er21.n_states, 3) if population == "lio" else (er21.n_states, 9, 3))
    payments = mg._Payments(engine, population, eta.shape)
    received = payments.received(eta, R_MAX)
    exact, sampled = mg._ExactEstimator(engine), mg._SampledEstimator(engine, np.random.default_rng(8), 40000)
    exact_new, sampled_new = exact.policy_step(logits, received, 0.5), sampled.policy_step(logits, received, 0.5)
    for a, b in zip(exact_new, sampled_new):
        np.testing.assert_allclose(b, a, atol=0.03)
    np.testing.assert_allclose(sampled.occupancy(), exact.occupancy(), atol=0.02)
    direction = np.random.default_rng(7).normal(size=(2, er21.n_states, 3))
    np.testing.assert_allclose(sampled.tangents(1, direction), exact.tangents(1, direction), atol=0.05)
    new = random_logits(er21, 10)
    for a, b in zip(exact.directions(new, payments.objectives), sampled.directions(new, payments.objectives)):
        np.testing.assert_allclose(b, a, atol=0.1)


def test_sampled_policy_step_averages_to_the_exact_step():
    game = MarkovGame(np.ones((1, 4, 1)), np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])[:, None], horizon=2)
    logits = (np.array([[0.3, -0.2]]), np.array([[0.0, 0.4]]))
    exact = mg.pg_step(game, logits, gamma=0.8, alpha=0.5)
    steps = [
        mg.incentive_trajectory(game, "pg", n_steps=1, gradient="sampled", batch_size=500, seed=s, logits0=logits,
                                gamma=0.8, alpha=0.5).logits
        for s in range(40)
    ]
    for k in range(2):
        mean = np.mean([step[k] for step in steps], axis=0)
        np.testing.assert_allclose(mean, exact[k], atol=0.01)


def test_sampled_runs_follow_the_seed():
    game = escape_room(2, 1, horizon=3)
    kwargs = dict(n_steps=5, gradient="sampled", batch_size=16, logits0=mg.initial_logits(game, scale=0.5, seed=0),
                  alpha=0.5, beta=0.1, cost=0.1)
    a = mg.incentive_trajectory(game, "designer", seed=3, **kwargs)
    b = mg.incentive_trajectory(game, "designer", seed=3, **kwargs)
    c = mg.incentive_trajectory(game, "designer", seed=4, **kwargs)
    np.testing.assert_array_equal(a.eta, b.eta)
    assert not np.array_equal(a.eta, c.eta)
    assert a.parameters["gradient"] == "sampled" and a.parameters["batch_size"] == 16 and a.parameters["seed"] == 3
    lio = mg.incentive_trajectory(game, "lio", seed=3, **kwargs)
    assert lio.eta.shape == (2, 2, game.n_states, 3)
    default_batch = mg.incentive_trajectory(game, "pg", n_steps=1, gradient="sampled", seed=0)
    assert default_batch.parameters["batch_size"] == 64


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
    with pytest.raises(ValueError, match="exploration must be a real number in \\[0, 1\\]"):
        mg.pg_step(game, logits, exploration=1.5)
    with pytest.raises(ValueError, match="gamma must be a real number in \\[0, 1\\]"):
        mg.pg_step(game, logits, gamma=1.5)
    with pytest.raises(ValueError, match="r_max must be a real number in \\(0, inf\\)"):
        mg.designer_incentives(game, np.zeros((game.n_states, game.n_joint_actions, 3)), r_max=0.0)
    with pytest.raises(ValueError, match="incentive_optimizer must be one of"):
        mg.incentive_trajectory(game, "designer", n_steps=1, incentive_optimizer="rmsprop")
    with pytest.raises(ValueError, match="entropy must be a real number in \\[0, inf\\)"):
        mg.pg_step(game, logits, entropy=-0.1)
    with pytest.raises(TypeError, match="entropy must be a real number"):
        mg.incentive_trajectory(game, "designer", n_steps=1, entropy="0.1")
    with pytest.raises(ValueError, match="gradient must be one of"):
        mg.incentive_trajectory(game, "pg", n_steps=1, gradient="adjoint")
    with pytest.raises(ValueError, match="batch_size and seed apply to gradient='sampled' only"):
        mg.incentive_trajectory(game, "pg", n_steps=1, seed=0)
    with pytest.raises(TypeError, match="batch_size"):
        mg.incentive_trajectory(game, "pg", n_steps=1, gradient="sampled", batch_size=2.5)


def test_scalar_eta0_fills_every_entry_and_must_be_finite():
    game = escape_room(2, 1, horizon=3)
    run = mg.incentive_trajectory(game, "lio", n_steps=1, eta0=-2.0, record_every=1)
    full = mg.incentive_trajectory(game, "lio", n_steps=1, eta0=np.full((2, 2, game.n_states, 3), -2.0),
                                record_every=1)
    np.testing.assert_allclose(run.collective_return, full.collective_return)
    with pytest.raises(ValueError, match="eta0 must be finite"):
        mg.incentive_trajectory(game, "lio", n_steps=1, eta0=float("nan"))


# --------------------------------------------------------------------------- the thesis code's cost and optimiser
def sigmoid_cost(game, logits, eta, eps):
    """E_theta[sum_t gamma^t sum_b sigma(eta[s_t, a_t, b])]: the code's psi (every output, before R_max), public functions."""
    outputs = (1.0 / (1.0 + np.exp(-eta))).sum(axis=-1)  # (S, A)
    zero = np.zeros_like(outputs)
    charged = mg.exact_returns(game, logits, [outputs, zero], gamma=GAMMA, exploration=eps)
    return charged[0] - mg.exact_returns(game, logits, gamma=GAMMA, exploration=eps)[0]


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_sigmoid_cost_gradient_matches_finite_differences(numeric_gradient, er21, eps):
    logits = random_logits(er21, 4)
    eta = np.random.default_rng(5).normal(size=(er21.n_states, er21.n_joint_actions, 3))
    cost = 0.5
    _, new_eta = mg.metagrad_step(er21, logits, eta, gamma=GAMMA, alpha=ALPHA, beta=1.0, r_max=R_MAX, cost=cost,
                                  exploration=eps, cost_on="sigmoid")
    start = int(np.argmax(er21.initial_distribution))
    rows = [start, start + 1]

    def objective(block):
        e = eta.copy()
        e[rows] = block
        welfare = designer_objective(er21, logits, e, 0.0, eps)
        return welfare - cost * sigmoid_cost(er21, logits, e, eps)

    np.testing.assert_allclose((new_eta - eta)[rows], numeric_gradient(objective, eta[rows]), atol=1e-7)


def test_sigmoid_cost_charges_half_of_what_is_paid(er21):
    """At R_max = 2 the code's cost of an output paid to one agent is half the payment's; unpaid outputs cost too."""
    logits = random_logits(er21, 6)
    eta = np.random.default_rng(7).normal(size=(er21.n_states, er21.n_joint_actions, 3))
    common = dict(gamma=GAMMA, alpha=0.0, beta=1.0, r_max=2.0, cost=1.0)  # alpha = 0: only the cost moves eta
    payment = eta - mg.metagrad_step(er21, logits, eta, **common, cost_on="payment")[1]
    code = eta - mg.metagrad_step(er21, logits, eta, **common, cost_on="sigmoid")[1]
    live = np.ones(er21.n_states, dtype=bool)
    live[er21.terminal_states] = False
    joint = np.array(np.unravel_index(np.arange(er21.n_joint_actions), er21.action_shape))  # (N, A)
    takers = (joint[:, :, None] == np.arange(3)[None, None, :]).sum(axis=0)  # (A, n): agents taking action b
    one = np.broadcast_to(takers == 1, eta.shape) & live[:, None, None]
    nobody = np.broadcast_to(takers == 0, eta.shape) & live[:, None, None]
    assert one.any() and nobody.any()
    np.testing.assert_allclose(code[one], 0.5 * payment[one], rtol=1e-12, atol=1e-15)
    assert np.all(payment[nobody] == 0.0) and np.all(code[nobody] >= 0.0) and code[nobody].max() > 0.0
    # the cost itself: the code's cost of the pure strategy (L, D) at the start state is half what the agents get
    paid = mg.designer_incentives(er21, eta, r_max=2.0)
    a = er21.joint_index((LEVER, DOOR))
    sig = 1.0 / (1.0 + np.exp(-eta[0, a]))
    assert np.isclose(paid[0][0, a] + paid[1][0, a], 2.0 * (sig[LEVER] + sig[DOOR]))


def test_sgd_plus_adam_cost_takes_a_plain_meta_step_and_a_sign_cost_step(er21):
    logits = mg.initial_logits(er21, scale=0.5, seed=1)
    eta = np.random.default_rng(2).normal(size=(er21.n_states, er21.n_joint_actions, 3))
    beta, cost = 0.3, 0.1
    common = dict(gamma=GAMMA, alpha=ALPHA, r_max=R_MAX, exploration=0.1)
    benefit = mg.metagrad_step(er21, logits, eta, beta=1.0, cost=0.0, **common)[1] - eta
    penalty = eta - mg.metagrad_step(er21, logits, eta, beta=1.0, cost=1.0, **dict(common, alpha=0.0))[1]
    run = mg.incentive_trajectory(er21, "designer", n_steps=1, logits0=logits, eta0=eta, beta=beta, cost=cost,
                                  incentive_optimizer="sgd+adam-cost", **common)
    adam_first_step = cost * beta * penalty / (np.abs(penalty) + 1e-8)  # Adam's first step: lr * g / (|g| + eps)
    np.testing.assert_allclose(run.eta, eta + beta * benefit - adam_first_step, atol=1e-12)


def test_incentive_per_episode_adds_up_to_the_incentive_cost(er21):
    run = mg.incentive_trajectory(er21, "designer", n_steps=5, logits0=mg.initial_logits(er21, scale=0.5, seed=3))
    np.testing.assert_allclose(run.incentive_per_episode.sum(axis=(1, 2)), run.incentive_cost, rtol=1e-12)
    assert run.incentive_per_episode.shape == run.incentive_received.shape


def test_cost_on_validation(er21):
    with pytest.raises(ValueError, match="cost_on"):
        mg.incentive_trajectory(er21, "designer", n_steps=1, cost_on="half")
    with pytest.raises(ValueError, match="cost_on='sigmoid' applies to the 'designer'"):
        mg.incentive_trajectory(er21, "lio", n_steps=1, cost_on="sigmoid")


def test_exploration_schedule_decreases_linearly_per_iteration():
    game = escape_room(2, 1, horizon=2)
    logits = mg.initial_logits(game, scale=0.5, seed=5)
    eta = np.zeros((game.n_states, game.n_joint_actions, 3))
    params = dict(alpha=0.5, beta=0.2, cost=0.3)
    run = mg.incentive_trajectory(game, "designer", n_steps=4, logits0=logits, eta0=eta, incentive_optimizer="sgd",
                                  exploration=(0.5, 0.1, 2), **params)
    for eps in (0.5, 0.3, 0.1, 0.1):
        logits, eta = mg.metagrad_step(game, logits, eta, exploration=eps, **params)
    np.testing.assert_allclose(run.eta, eta)
    assert run.parameters["exploration"] == (0.5, 0.1, 2)
    with pytest.raises(ValueError, match="exploration must decrease"):
        mg.incentive_trajectory(game, "pg", n_steps=1, exploration=(0.1, 0.5, 2))
    with pytest.raises(ValueError, match=r"\(start, end, steps\)"):
        mg.incentive_trajectory(game, "pg", n_steps=1, exploration=(0.5, 0.1))
