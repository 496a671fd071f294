"""The neural event-based leader: losses on hand-computed inputs, configuration errors, determinism, exactness."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stackelberg.figures.ebpg_neural_leader import QUICK, _base_config
from stackelberg.games.coordination import resource_collection
from stackelberg.neural.coordination import coordination_env
from stackelberg.neural.ebpg import (
    VARIANTS,
    EBPGConfig,
    _episode,
    _features,
    _Net,
    _shape_key,
    _switches,
    baseline_loss,
    ebpg_scores,
    evaluate_ebpg_leader,
    expected_leader_optimum,
    imitation_loss,
    leader_policy_loss,
    offer_log_probs,
    train_ebpg_leader,
    train_ebpg_leaders,
    variant_config,
)
from stackelberg.solvers.coordination.leader_mdp import leader_optimum


def test_sparse_and_dense_scores_by_hand():
    event = jnp.array([True, False, False])
    beta = jnp.array([0.25, 0.25, 0.5])
    new, kept = jnp.log(jnp.array([0.5, 0.1, 0.2])), jnp.log(jnp.array([0.3, 0.4, 0.8]))
    i_beta, i_mu = ebpg_scores(event, beta, new, kept, form="sparse")
    np.testing.assert_allclose(i_beta, [math.log(0.25), math.log(0.75), math.log(0.5)], rtol=1e-6)
    np.testing.assert_allclose(i_mu, [math.log(0.5), 0.0, 0.0], rtol=1e-6)
    i_beta_d, i_mu_d = ebpg_scores(event, beta, new, kept, form="dense")
    np.testing.assert_allclose(i_beta_d, i_beta)
    np.testing.assert_allclose(i_mu_d, [math.log(0.5), math.log(0.4), math.log(0.8)], rtol=1e-6)
    i_beta_e, _ = ebpg_scores(event, beta, new, kept, learned=False)
    np.testing.assert_array_equal(i_beta_e, 0.0)


def test_score_gradients_are_proposition_1():
    # d/dtheta log beta = (1 - beta) for beta = sigmoid(theta) on an event; -beta off events (I of Prop. 1)
    theta = jnp.array([0.3, -0.7])
    event = jnp.array([True, False])

    def total(th):
        b = jax.nn.sigmoid(th)
        return ebpg_scores(event, b, jnp.zeros(2), jnp.zeros(2), form="sparse")[0].sum()

    b = jax.nn.sigmoid(theta)
    np.testing.assert_allclose(jax.grad(total)(theta), [1 - b[0], -b[1]], rtol=1e-5)


def test_policy_loss_by_hand():
    loss = leader_policy_loss(jnp.array([-1.0, -0.5]), jnp.array([-2.0, 0.0]), jnp.array([2.0, -1.0]),
                              jnp.array([0.5, 1.0]), jnp.array([1.0, 0.0]), termination_reg=0.1, entropy_coef=0.5)
    # mean of [-2 * -3 + 0.1 * 0.25 - 0.5, -(-1) * -0.5 + 0.1 * 1 - 0]
    assert float(loss) == pytest.approx((6 + 0.025 - 0.5 + (-0.5 + 0.1)) / 2, rel=1e-6)
    # the advantage is a constant: no gradient flows into it
    grad = jax.grad(lambda a: leader_policy_loss(jnp.zeros(1), jnp.zeros(1), a, jnp.zeros(1), jnp.zeros(1)))(
        jnp.ones(1))
    np.testing.assert_array_equal(grad, 0.0)


def test_baseline_and_imitation_losses_by_hand():
    assert float(baseline_loss(jnp.array([2.0]), jnp.array([1.0]), jnp.array([0.0]), jnp.array([4.0]))) == 13.0
    logits = jnp.log(jnp.array([[0.5, 0.5, 0.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.2, 0.2]]) + 1e-12)
    expected = -(math.log(0.5) + math.log(0.3)) / 2
    assert float(imitation_loss(logits, jnp.array([1, 2]))) == pytest.approx(expected, rel=1e-5)


def test_offer_log_probs_goal_then_bonus():
    goal = jnp.log(jnp.array([0.2, 0.5, 0.3]))
    bonus = jnp.log(jnp.array([[0.9, 0.1], [0.4, 0.6]]))
    p = np.exp(np.asarray(offer_log_probs(goal, bonus)))
    np.testing.assert_allclose(p, [0.2, 0.45, 0.05, 0.12, 0.18], rtol=1e-5)


@pytest.mark.parametrize("changes, message", [
    ({"form": "mixed"}, "form must be one of"),
    ({"events": "never"}, "events must be one of"),
    ({"attention": "global"}, "attention must be one of"),
    ({"credit": "none"}, "credit must be one of"),
    ({"episodes": 0}, "episodes"),
    ({"lr": -1.0}, "lr"),
    ({"explore": 1.5}, "explore"),
    ({"entropy_coef": -0.1}, "entropy_coef"),
    ({"sequential": "yes"}, "sequential"),
    ({"observe_types": "yes"}, "observe_types"),
    ({"observe_types": 1}, "observe_types"),
])
def test_bad_config_errors(changes, message):
    with pytest.raises((ValueError, TypeError), match=message):
        EBPGConfig(**changes)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown EBPGConfig field"):
        EBPGConfig().replace(speed=2)
    with pytest.raises(ValueError, match="name must be one of"):
        variant_config("ours w/o everything")
    with pytest.raises(TypeError, match="config must be an EBPGConfig"):
        train_ebpg_leader(resource_collection(seed=0), {"episodes": 10})
    with pytest.raises(TypeError, match="game must be a StackelbergMarkovGame"):
        expected_leader_optimum(None)
    assert set(VARIANTS) >= {"ours", "w/o EBPG", "w/o attention", "fixed interval", "M3RL", "sparse EBPG"}


def _instance():
    """The issue's small instance (the figure's exactness instance): 2 followers, 2 resource types, a 4x4 grid."""
    return resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=1)


# The figure's quick shape (types told, 1024 episodes): the figure's quick run and the doctest of
# ``train_ebpg_leaders`` reuse this compiled program (compiling, not training, is the slow part).
CONFIG = _base_config("exactness instance", QUICK, observe_types=True)
EVAL_EPISODES = QUICK["eval_episodes"]


@pytest.fixture(scope="module")
def trained():
    return train_ebpg_leader(_instance(), CONFIG, seeds=[0, 1], progress=False)


def test_training_is_deterministic_and_seeds_differ(trained):
    again = train_ebpg_leader(_instance(), CONFIG, seeds=[0, 1], progress=False)  # an equal game: no recompiling
    np.testing.assert_array_equal(trained.curves["reward"], again.curves["reward"])
    for name in ("reward", "event_rate", "imitation_loss"):
        assert not np.array_equal(trained.curves[name][0], trained.curves[name][1])
    assert trained.curves["reward"].shape == (2, CONFIG.updates) and trained.episodes[-1] == CONFIG.episodes
    assert trained.config.observe_types


def test_expected_optimum_averages_slot_optima():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=2, horizon=5, pool_size=3, seed=2)
    # every ordered pair of distinct types is equally likely: average the exact optimum over them
    pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
    mean = np.mean([leader_optimum(game, np.array(p)).value for p in pairs])
    assert expected_leader_optimum(game) == pytest.approx(mean, rel=1e-9)


def test_small_budget_leader_earns_a_clear_share_of_the_exact_optimum(trained):
    # a leader that offers nothing earns 0 (prizes are paid only under contract); after 1024 episodes ours, told
    # the types, earns a clear share of the exact optimum and more than in its first batches
    optimum = expected_leader_optimum(trained.game)
    assert optimum == pytest.approx(14.9, abs=1e-9)
    value = evaluate_ebpg_leader(trained, n_episodes=EVAL_EPISODES, seed=5)
    fractions = value["reward"] / optimum
    start = trained.curves["reward"][:, :2].mean(1) / optimum  # the first updates' batches
    print(f"fractions {fractions}, at the start {start}, CI half-widths {value['reward_halfwidth']}")
    assert (fractions > 0.3).all() and (fractions > start + 0.1).all()
    assert value["weights"].shape == (2, EVAL_EPISODES, trained.game.horizon, 2)
    np.testing.assert_allclose(value["weights"].sum(-1), 1.0, rtol=1e-5)


def test_observing_types_adds_the_pool_one_hot_to_the_features():
    env = coordination_env(_instance())
    state = env.reset(jax.random.PRNGKey(0))
    other = state._replace(types=(state.types + 1) % env.pool_size)
    counts = jnp.zeros((env.n_followers, env.n_goals))
    told, told_other = _features(env, state, counts, True), _features(env, other, counts, True)
    inferred, inferred_other = _features(env, state, counts, False), _features(env, other, counts, False)
    np.testing.assert_array_equal(inferred, inferred_other)  # not told: the types are invisible
    assert not np.array_equal(told, told_other)
    np.testing.assert_array_equal(told[:, :inferred.shape[1]], inferred)
    np.testing.assert_array_equal(np.argmax(told[:, inferred.shape[1]:], -1), state.types)
    assert told.shape == (env.n_followers, inferred.shape[1] + env.pool_size)


def test_observe_types_shapes_the_program():
    told, inferred = EBPGConfig(observe_types=True), EBPGConfig()
    assert not inferred.observe_types and _shape_key(told) != _shape_key(inferred)
    with pytest.raises(ValueError, match="shapes the program"):
        train_ebpg_leaders(_instance(), [told, inferred], seeds=1)


def test_decide_when_idle_forces_an_event_exactly_for_followers_without_a_contract():
    env = coordination_env(_instance())
    net = _Net(env, 8)
    params = net.init(jax.random.PRNGKey(0))
    termination = params["leader"]["params"]["termination"]
    last = sorted(termination)[-1]  # the output layer: a termination that (almost) never fires
    termination[last]["bias"] = termination[last]["bias"] - 60.0
    key = jax.random.PRNGKey(3)
    paper = _episode(net, params, _switches(EBPGConfig(), 0.0), key, jnp.float32(0.0))
    assert not np.asarray(paper["event"]).any()  # never an event: the leader never offers anything
    assert (np.asarray(paper["offers"]) == 0).all()
    idle = _episode(net, params, _switches(EBPGConfig(decide_when_idle=True), 0.0), key, jnp.float32(0.0))
    np.testing.assert_array_equal(idle["event"], np.asarray(idle["kept"]) == 0)
    assert np.asarray(idle["event"]).any() and np.asarray(idle["offers"] > 0).any()
    with pytest.raises(TypeError, match="decide_when_idle"):
        EBPGConfig(decide_when_idle="yes")
