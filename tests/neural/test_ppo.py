"""PPO losses against hand-computed values, GAE by hand, MAPPO determinism and configuration errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import stackelberg as sb
from stackelberg.neural.envs import matrix_env
from stackelberg.neural.networks import MLP
from stackelberg.neural.ppo import (
    MAPPOConfig,
    PPOConfig,
    categorical_entropy,
    gae,
    joint_prefixes,
    make_mappo,
    masked_log_softmax,
    ppo_clip_objective,
    prefix_one_hot,
    value_clip_loss,
)
from stackelberg.neural.program import ALGORITHMS
from stackelberg.neural.train import _compiled, train

TINY = dict(steps=40, n_envs=2, rollout_length=5, epochs=2, hidden=(8,), log_every=10)


def test_clip_objective_by_hand():
    # ratios 2, 0.5, 1.1 with advantages 1, 1, -2: min(2, 1.2) = 1.2; min(0.5, 0.8) = 0.5; min(-2.2, -2.2) = -2.2
    logp = jnp.log(jnp.array([0.6, 0.1, 0.55]))
    old = jnp.log(jnp.array([0.3, 0.2, 0.5]))
    value = ppo_clip_objective(logp, old, jnp.array([1.0, 1.0, -2.0]), 0.2)
    assert float(value) == pytest.approx((1.2 + 0.5 - 2.2) / 3, abs=1e-6)
    # a negative advantage with a ratio below 1 - eps is clipped: ratio 0.5, A = -1 -> min(-0.5, -0.8) = -0.8
    assert float(ppo_clip_objective(jnp.log(jnp.array([0.1])), jnp.log(jnp.array([0.2])), jnp.array([-1.0]),
                                    0.2)) == pytest.approx(-0.8, abs=1e-6)


def test_clip_objective_on_a_tiny_network_by_hand():
    net = MLP(hidden=(), out=2)
    params = {"params": {"Dense_0": {"kernel": jnp.array([[1.0, -1.0]]), "bias": jnp.array([0.0, 0.0])}}}
    logits = net.apply(params, jnp.array([[0.5], [0.0]]))  # [[0.5, -0.5], [0, 0]]
    logp = jnp.take_along_axis(jax.nn.log_softmax(logits), jnp.array([[0], [1]]), axis=1)[:, 0]
    p0 = 1 / (1 + np.exp(-1.0))  # probability of action 0 at x = 0.5
    old = jnp.log(jnp.array([0.5, 0.25]))
    # ratios p0 / 0.5 = 1.462 (clipped to 1.2 for A = 2) and 0.5 / 0.25 = 2 (A = -1: min(-2, -1.2) = -2)
    expected = (min(2 * p0 / 0.5, 2 * 1.2) + min(-2.0, -1.2)) / 2
    assert float(ppo_clip_objective(logp, old, jnp.array([2.0, -1.0]), 0.2)) == pytest.approx(expected, abs=1e-6)


def test_value_clip_loss_by_hand():
    # V = 2, V_old = 1, R = 3: unclipped 1, clipped (1.2 - 3)^2 = 3.24 -> 3.24
    # V = 0.9, V_old = 1, R = 0: unclipped 0.81, clipped (0.9)^2 = 0.81 -> 0.81
    loss = value_clip_loss(jnp.array([2.0, 0.9]), jnp.array([1.0, 1.0]), jnp.array([3.0, 0.0]), 0.2)
    assert float(loss) == pytest.approx((3.24 + 0.81) / 2, abs=1e-6)


def test_entropy_by_hand():
    logits = jnp.log(jnp.array([0.5, 0.25, 0.25]))
    assert float(categorical_entropy(logits)) == pytest.approx(1.5 * np.log(2), abs=1e-6)
    mask = jnp.array([True, True, False])
    assert float(categorical_entropy(jnp.zeros(3), mask)) == pytest.approx(np.log(2), abs=1e-6)
    assert float(jnp.exp(masked_log_softmax(jnp.zeros(3), mask))[2]) == 0.0


def test_gae_by_hand():
    rewards = jnp.array([1.0, 0.0, 2.0])
    values = jnp.array([0.5, 1.0, 1.5])
    next_values = jnp.array([1.0, 1.5, 0.0])
    discounts = jnp.array([0.9, 0.9, 0.0])
    dones = jnp.array([False, False, True])
    adv, ret = gae(rewards, values, next_values, discounts, dones, 0.5)
    d2 = 2.0 - 1.5
    d1 = 0.0 + 0.9 * 1.5 - 1.0
    d0 = 1.0 + 0.9 * 1.0 - 0.5
    a1 = d1 + 0.45 * d2
    expected = [d0 + 0.45 * a1, a1, d2]
    assert np.allclose(adv, expected) and np.allclose(ret, np.array(expected) + values)
    # a truncated episode (done with a non-zero discount) bootstraps but does not carry the next advantages
    adv, _ = gae(jnp.array([1.0, 5.0]), jnp.zeros(2), jnp.array([2.0, 0.0]), jnp.array([0.5, 0.5]),
                 jnp.array([True, False]), 1.0)
    assert np.allclose(adv, [2.0, 5.0])


def test_prefix_slots_and_joint_prefixes():
    counts = (2, 3, 2)
    slots = prefix_one_hot(jnp.array([1, 2, 0]), 1, counts)
    assert slots.tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert prefix_one_hot(jnp.array([1, 2, 0]), 2, counts).tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
    assert joint_prefixes(counts, 2).tolist() == [[0, 0, 0], [0, 1, 0], [0, 2, 0], [1, 0, 0], [1, 1, 0], [1, 2, 0]]
    assert joint_prefixes(counts, 0).tolist() == [[0, 0, 0]]


@pytest.fixture(scope="module")
def mappo_mixing():
    """One MAPPO program on Mixing: train() and the determinism test share its compilation."""
    env = matrix_env(sb.get_game("mixing"), episode_length=5)
    config = MAPPOConfig(**TINY, shared_actor=True)
    return env, config, train("mappo", env, config, seeds=2, progress=False)


def test_mappo_same_seed_same_result(mappo_mixing):
    env, config, _ = mappo_mixing
    program, init, chunk, _ = _compiled(ALGORITHMS["mappo"], env, config)  # the program train() compiled

    def train_all(keys):
        carry, pieces = init(keys), []
        for _ in range(program.n_chunks):
            carry, metrics = chunk(carry)
            pieces.append(metrics)
        metrics = jax.tree_util.tree_map(lambda *xs: jnp.concatenate(xs, axis=1)[:, : program.n_blocks], *pieces)
        return jax.vmap(program.params)(carry), metrics

    keys = jax.vmap(jax.random.PRNGKey)(jnp.array([3, 4], dtype=jnp.uint32))
    (p1, m1), (p2, _) = train_all(keys), train_all(keys)
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(p1), jax.tree_util.tree_leaves(p2)))
    # seeds 3 and 4 differ
    assert not np.array_equal(m1["joint_action_share"][0], m1["joint_action_share"][1])
    assert np.asarray(m1["step"][0]).tolist() == [10, 20, 30, 40]
    assert np.allclose(m1["joint_policy"].sum(axis=-1), 1.0, atol=1e-5)
    assert program.n_blocks == 4


def test_mappo_runs_through_train_and_is_measured(mappo_mixing):
    result = mappo_mixing[2]
    assert result.exact_outcomes == ("a1-a1",) or len(result.exact_outcomes) == 1
    assert result.values.shape == (2, 2) and result.curves["reward"].shape == (2, 4, 2)


@pytest.mark.parametrize(
    "field, value",
    [("steps", 0), ("lr", -1e-3), ("clip_eps", 0.0), ("gae_lambda", 1.5), ("gamma", -0.1), ("entropy_coef", -1.0),
     ("hidden", (8, 0)), ("reward_scale", 0.0), ("minibatches", 3)],
)
def test_bad_configs_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        PPOConfig(**{field: value})


def test_bad_shared_actor_and_unknown_algorithm():
    with pytest.raises(TypeError, match="shared_actor"):
        MAPPOConfig(shared_actor="yes")
    with pytest.raises(ValueError, match="algorithm"):
        train("ppo-typo", sb.get_game("mixing"), seeds=1)
    with pytest.raises(ValueError, match="unknown"):
        MAPPOConfig().replace(epochz=3)
