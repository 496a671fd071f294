"""N-level actor-critic: its target equals Bi-AC's with two agents, the follower chain by hand, three-agent
training runs and is deterministic, a small-budget run reaches C-Z on Escape, configuration errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import stackelberg as sb
from stackelberg.neural.envs import matrix_env
from stackelberg.neural.nlevel_ac import NLevelACConfig, follower_chain, make_nlevel_ac, nlevel_target
from stackelberg.neural.offpolicy import biac_target


def test_two_agent_target_is_biac_target():
    key = jax.random.PRNGKey(5)
    q1 = jax.random.normal(jax.random.PRNGKey(1), (3, 3))
    q2 = jax.random.normal(jax.random.PRNGKey(2), (3, 3))
    pi = jax.random.normal(jax.random.PRNGKey(3), (3, 3))
    rewards, cont = jnp.array([1.0, -2.0]), jnp.float32(0.9)
    y_biac, a_biac = biac_target(q1, q2, pi, rewards, cont, key, 1.0)
    y, a = nlevel_target(jnp.stack([q1, q2]), {1: pi}, rewards, cont, key, 1.0)
    assert int(a) == int(a_biac) and np.allclose(y, y_biac, atol=1e-6)


def test_follower_chain_by_hand():
    pi1 = jnp.array([[0.25, 0.75], [1.0, 0.0]])  # pi_1(a1 | a0)
    pi2 = jnp.array([[[0.5, 0.5], [1.0, 0.0]], [[0.0, 1.0], [0.2, 0.8]]])  # pi_2(a2 | a0, a1)
    chain = follower_chain({1: pi1, 2: pi2}, (2, 2, 2), 1)
    assert np.allclose(chain[0], [[0.125, 0.125], [0.75, 0.0]])
    assert np.allclose(chain[1], [[0.0, 1.0], [0.0, 0.0]])
    assert np.allclose(follower_chain({1: pi1, 2: pi2}, (2, 2, 2), 2)[1, 1], [0.2, 0.8])


def test_three_agents_deterministic():
    payoffs = np.random.default_rng(0).integers(-3, 4, size=(3, 2, 2, 2)).astype(float)
    env = matrix_env(sb.NormalFormGame(list(payoffs)))
    program = make_nlevel_ac(env, NLevelACConfig(steps=60, explore_steps=20, batch_size=8, hidden=(8,),
                                                 log_every=30))
    run = jax.jit(program.train_one)
    (p1, m1), (p2, _) = run(jax.random.PRNGKey(0)), run(jax.random.PRNGKey(0))
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(p1), jax.tree_util.tree_leaves(p2)))
    assert sorted(p1) == ["pi1", "pi2", "q0", "q1", "q2"]
    assert m1["joint_action_share"].shape == (2, 8)
    assert program.act(p1, env.reset(jax.random.PRNGKey(0))[1]).shape == (3,)


def test_nlevel_ac_reaches_c_z_on_escape_in_most_seeds():
    env = matrix_env(sb.get_game("escape"))
    config = NLevelACConfig(steps=600, explore_steps=300, epsilon_decay_steps=200, hidden=(32,), log_every=300)
    program = make_nlevel_ac(env, config)
    params, _ = jax.jit(jax.vmap(program.train_one))(jax.random.split(jax.random.PRNGKey(0), 8))
    greedy = np.asarray(jax.vmap(program.act, (0, None))(params, env.reset(jax.random.PRNGKey(0))[1]))
    assert np.mean(np.all(greedy == (2, 2), axis=1)) >= 0.75


def test_bad_configs():
    with pytest.raises(ValueError, match="actor_lr"):
        NLevelACConfig(actor_lr=-1.0)
    with pytest.raises(ValueError, match="steps"):
        NLevelACConfig(steps=0)
    from stackelberg.neural.ppo import PPOConfig

    with pytest.raises(TypeError, match="NLevelACConfig"):
        make_nlevel_ac(matrix_env(sb.get_game("escape")), PPOConfig())
