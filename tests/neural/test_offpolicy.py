"""Losses of the off-policy learners against hand-computed values; configuration errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stackelberg.neural.networks import MLP, contract, gumbel_softmax
from stackelberg.neural.offpolicy import (
    BiACConfig,
    HystereticDQNConfig,
    IDQNConfig,
    LenientDQNConfig,
    MADDPGConfig,
    biac_target,
    critic_loss,
    dqn_loss,
    gumbel_actor_loss,
)


def _tiny_params():
    """A 1-input, 2-hidden, 4-output ReLU network with hand-set weights."""
    net = MLP(hidden=(2,), out=4)
    params = net.init(jax.random.PRNGKey(0), jnp.zeros(1))
    params = jax.tree_util.tree_map(lambda x: x, params)
    params["params"]["Dense_0"]["kernel"] = jnp.array([[1.0, -1.0]])
    params["params"]["Dense_0"]["bias"] = jnp.array([0.0, 0.5])
    params["params"]["Dense_1"]["kernel"] = jnp.array([[1.0, 2.0, 0.0, -1.0], [0.5, 0.0, 1.0, 1.0]])
    params["params"]["Dense_1"]["bias"] = jnp.array([0.0, 1.0, 0.0, 0.0])
    return net, params


def test_tiny_network_forward_by_hand():
    net, params = _tiny_params()
    # x = 2: hidden relu([2, -1.5]) = [2, 0]; output [2, 4 + 1, 0, -2]
    assert net.apply(params, jnp.array([2.0])).tolist() == [2.0, 5.0, 0.0, -2.0]


def test_critic_loss_on_a_tiny_network_by_hand():
    net, params = _tiny_params()
    obs = jnp.array([[2.0], [0.0]])
    # x = 0: hidden relu([0, 0.5]) = [0, 0.5]; output [0.25, 1, 0.5, 0.5]
    tables = jax.vmap(lambda o: net.apply(params, o).reshape(2, 2))(obs)
    actions = jnp.array([[0, 1], [1, 1]])  # picks 5.0 and 0.5
    targets = jnp.array([3.0, 1.5])
    # ((5 - 3)^2 + (0.5 - 1.5)^2) / 2 = 2.5
    assert float(critic_loss(tables, actions, targets)) == pytest.approx(2.5)


def test_dqn_loss_with_hysteretic_weights_by_hand():
    q = jnp.array([[1.0, 2.0], [0.0, 4.0]])
    actions = jnp.array([1, 0])
    targets = jnp.array([1.0, 1.0])  # deltas +1 (a decrease) and -1
    assert float(dqn_loss(q, actions, targets)) == pytest.approx(1.0)
    weights = jnp.array([0.1, 1.0])
    assert float(dqn_loss(q, actions, targets, weights)) == pytest.approx((0.1 + 1.0) / 2)


def test_gumbel_actor_loss_by_hand():
    key = jax.random.PRNGKey(3)
    logits = jnp.array([[0.0, 1.0, -1.0], [2.0, 0.0, 0.0]])
    q_rows = jnp.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]])
    u = np.asarray(jax.random.uniform(key, logits.shape, minval=1e-10, maxval=1.0), dtype=np.float64)
    z = (np.asarray(logits) - np.log(-np.log(u))) / 0.5
    y = np.exp(z - z.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    expected = -np.mean(np.sum(y * np.asarray(q_rows), axis=1))
    assert float(gumbel_actor_loss(logits, q_rows, key, 0.5)) == pytest.approx(expected, rel=1e-5)
    # the critic is held fixed: no gradient flows into q_rows
    grad = jax.grad(lambda q: gumbel_actor_loss(logits, q, key, 0.5))(q_rows)
    assert np.all(np.asarray(grad) == 0.0)


def test_biac_target_by_hand():
    q1 = jnp.array([[15.0, 10.0, 0.0], [10.0, 10.0, 0.0], [0.0, 0.0, 30.0]])
    q2 = q1 - 1.0
    # follower logits make pi_2 nearly deterministic: A -> X, B -> Y, C -> Z
    logits = 50.0 * jnp.eye(3)
    rewards = jnp.array([1.0, 2.0])
    (y, a1) = biac_target(q1, q2, logits, rewards, jnp.float32(0.5), jax.random.PRNGKey(0), 1.0)
    assert int(a1) == 2  # E[Q1 | C] = 30 is the best
    assert np.allclose(np.asarray(y), [1.0 + 0.5 * 30.0, 2.0 + 0.5 * 29.0], atol=1e-4)
    # a terminal transition (continuation 0) keeps only the reward
    (y, _) = biac_target(q1, q2, logits, rewards, jnp.float32(0.0), jax.random.PRNGKey(0), 1.0)
    assert y.tolist() == [1.0, 2.0]


def test_contract_and_gumbel_softmax():
    table = jnp.arange(8.0).reshape(2, 2, 2)
    w = [jnp.array([0.0, 1.0]), jnp.array([1.0, 0.0]), jnp.array([0.5, 0.5])]
    assert float(contract(table, w)) == pytest.approx(4.5)  # entries (1,0,0)=4, (1,0,1)=5
    y = gumbel_softmax(jax.random.PRNGKey(0), jnp.array([0.0, 100.0]), 1.0)
    assert float(y[1]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "cls, field, value",
    [
        (BiACConfig, "leader_lr", -1e-3),
        (BiACConfig, "actor_lr", 0.0),
        (BiACConfig, "gumbel_temperature", -1.0),
        (IDQNConfig, "lr", -0.5),
        (MADDPGConfig, "critic_lr", -1.0),
        (HystereticDQNConfig, "negative_scale", 1.5),
        (LenientDQNConfig, "leniency", -0.1),
        (BiACConfig, "epsilon_start", 2.0),
        (BiACConfig, "target_rate", -0.1),
        (BiACConfig, "batch_size", 0),
        (BiACConfig, "steps", -5),
        (BiACConfig, "hidden", (0, 4)),
        (BiACConfig, "explore_repeat", 0),
    ],
)
def test_bad_configuration_names_the_field(cls, field, value):
    with pytest.raises(ValueError, match=field):
        cls(**{field: value})


def test_config_replace_validates():
    config = BiACConfig().replace(steps=10)
    assert config.steps == 10
    with pytest.raises(ValueError, match="no_such_field"):
        config.replace(no_such_field=1)
    with pytest.raises(ValueError, match="leader_lr"):
        config.replace(leader_lr=-1.0)


def test_explore_repeat_holds_each_exploratory_action():
    import stackelberg as sb
    from stackelberg.neural.envs import markov_env
    from stackelberg.neural.offpolicy import make_idqn

    env = markov_env(sb.biac_grid_game())
    config = IDQNConfig(steps=40, explore_steps=40, explore_repeat=4, batch_size=4, buffer_size=64, hidden=(4,))
    program = make_idqn(env, config)  # the smallest learner to compile; the exploration code is shared
    step = jax.jit(program.step)
    carry = program.init(jax.random.PRNGKey(3))
    trace = []
    for _ in range(30):
        new = step(carry)
        trace.append((carry, new))
        carry = new
    lengths = []
    for before, after in trace:
        actions = np.asarray(after.buffer["actions"][int(before.t)])
        # uniform phase: every agent is always in an exploratory run, so it plays its held action
        assert np.array_equal(actions, np.asarray(after.held))
        assert np.all((np.asarray(after.left) >= 0) & (np.asarray(after.left) <= 3))
        same_episode = int(after.env_state.t) == int(before.env_state.t) + 1
        held_on = np.asarray(before.left) > 0
        if same_episode:
            assert np.array_equal(np.asarray(after.held)[held_on], np.asarray(before.held)[held_on])
            lengths.append(np.asarray(after.left))
    assert int(carry.t) == 30
    assert np.any(np.concatenate(lengths) > 0)  # runs longer than one step occur
