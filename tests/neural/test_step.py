"""STEP: the N-level hypernetwork policy's pieces by hand, symmetric greedy execution, determinism, a small-budget
run reaching the Stackelberg equilibrium of Penalty and Mixing, and configuration errors."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import stackelberg as sb
from stackelberg.neural.envs import matrix_env
from stackelberg.neural.hypernetwork import (
    NLevelPolicy,
    STEPConfig,
    greedy_chain,
    hypernetwork_regulariser,
    make_step,
    target_policy_logits,
)

SMALL = dict(steps=3000, gamma=0.0, n_envs=4, rollout_length=25, hidden=(16,), embed_hidden=(16,), embed_dim=16,
             hyper_hidden=(16,), target_hidden=16, lr=2e-3, critic_lr=2e-3, log_every=500)


def test_regulariser_by_hand():
    generated = jnp.array([[1.0, 2.0], [3.0, -1.0], [9.0, 9.0]])
    old = jnp.array([[0.0, 0.0], [3.0, 1.0], [0.0, 0.0]])
    # agent at level 2 (the paper's i = 3): beta / 2 * (||(1, 2)||^2 + ||(0, -2)||^2) = 0.3 / 2 * 9
    assert float(hypernetwork_regulariser(generated, old, 2, 0.3)) == pytest.approx(1.35, abs=1e-6)
    assert float(hypernetwork_regulariser(generated, old, 1, 0.3)) == pytest.approx(1.5, abs=1e-6)
    assert float(hypernetwork_regulariser(generated, old, 0, 0.3)) == 0.0
    # the old generator is a constant: the gradient pulls only the current one
    grad = jax.grad(lambda g: hypernetwork_regulariser(g, old, 2, 0.3))(generated)
    assert np.allclose(grad, [[0.3, 0.6], [0.0, -0.6], [0.0, 0.0]])


def test_target_policy_by_hand():
    # embed_dim 2, hidden 1, 2 actions: W1 = [[1], [-1]], b1 = [0.5], W2 = [[2, -1]], b2 = [0, 1]
    flat = jnp.array([1.0, -1.0, 0.5, 2.0, -1.0, 0.0, 1.0])
    logits = target_policy_logits(flat, jnp.array([2.0, 1.0]), 2, 1, 2)  # relu(2 - 1 + 0.5) = 1.5
    assert logits.tolist() == [3.0, -0.5]


def test_regulariser_of_the_hypernetwork_and_its_shapes():
    model = NLevelPolicy(3, 2, (4,), 3, 2, (5,), 4)
    params = model.init(jax.random.PRNGKey(0), jnp.zeros(1), jnp.zeros(4), 0)
    generated = model.apply(params, method=NLevelPolicy.generate)
    assert generated.shape == (3, 3 * 4 + 4 + 4 * 2 + 2)
    moved = jax.tree_util.tree_map(lambda x: x + 0.1, params)
    moved_generated = model.apply(moved, method=NLevelPolicy.generate)
    expected = 0.5 / 2 * float(jnp.sum((moved_generated[:2] - generated[:2]) ** 2))
    assert float(hypernetwork_regulariser(moved_generated, generated, 2, 0.5)) == pytest.approx(expected, rel=1e-6)
    assert model.apply(params, jnp.zeros(1), jnp.zeros(4), 2).shape == (2,)


def test_greedy_chain_conditions_on_superiors():
    # agent 0 prefers action 1; agent 1 copies agent 0; agent 2 plays 2 - agent 1
    def logits(obs, actions, level):
        if level == 0:
            return jnp.array([0.0, 1.0, 0.0])
        if level == 1:
            return jax.nn.one_hot(actions[0], 3)
        return jax.nn.one_hot(2 - actions[1], 3)

    assert greedy_chain(logits, jnp.zeros(1), (3, 3, 3), 2).tolist() == [1, 1, 1]
    assert greedy_chain(logits, jnp.zeros(1), (3, 3, 3), 0).tolist() == [1, 0, 0]


def test_leader_entropy_schedule_falls_linearly_to_the_common_coefficient():
    from stackelberg.neural.hypernetwork import step_agent

    config = STEPConfig(hidden=(4,), embed_hidden=(4,), embed_dim=4, hyper_hidden=(4,), target_hidden=4,
                        entropy_coef=0.1, leader_entropy_coef=0.5, leader_entropy_steps=1000, value_coef=1.0)
    agent = step_agent(2, 1, (3, 3), config)
    params = agent.init(jax.random.PRNGKey(0))
    mb = {"obs": jnp.ones((4, 2, 1)), "actions": jnp.array([[0, 2], [1, 1], [2, 0], [0, 0]]),
          "logp": jnp.full((4, 2), -1.1), "values": jnp.zeros((4, 2)), "advantages": jnp.ones((4, 2)),
          "returns": jnp.ones((4, 2))}

    def coefficient(level, t):
        total, (clip, reg, entropy, vloss) = agent.phases[level].loss(params, params, {**mb, "t": jnp.full(4, t)})
        return float((-(total - vloss) - clip + reg) / entropy)  # total = -(clip - reg + coef * S) + vloss

    assert [coefficient(0, t) for t in (0.0, 500.0, 1000.0, 5000.0)] == pytest.approx([0.5, 0.3, 0.1, 0.1],
                                                                                       abs=1e-4)
    assert coefficient(1, 0.0) == pytest.approx(0.1, abs=1e-4)  # the follower keeps entropy_coef
    with pytest.raises(ValueError, match="leader_entropy_steps"):
        agent.phases[0].loss(params, params, mb)  # a driver that records no step count


GAMES = ("penalty:-25", "mixing")


@pytest.fixture(scope="module")
def step_run():
    """Both games in one program (same shapes, only the payoff tables differ): one compilation serves the
    determinism test (a second call reuses it) and the convergence test."""
    envs = [matrix_env(sb.get_game(g), episode_length=1) for g in GAMES]
    program = make_step(envs[0], STEPConfig(**SMALL))
    obs = envs[0].reset(jax.random.PRNGKey(0))[1]

    def run(rewards, keys):
        game_program = make_step(dataclasses.replace(envs[0], rewards=rewards), STEPConfig(**SMALL))
        params, metrics = jax.vmap(game_program.train_one)(keys)
        return params, metrics, jax.vmap(game_program.act, (0, None))(params, obs)

    tables = jnp.stack([env.rewards for env in envs])
    compiled = jax.jit(jax.vmap(run, (0, None)))
    keys = jax.random.split(jax.random.PRNGKey(0), 10)
    return compiled, tables, keys, program, obs, compiled(tables, keys)


def test_symmetric_execution_and_determinism(step_run):
    compiled, tables, keys, program, obs, (params, metrics, greedy) = step_run
    again = compiled(tables, keys)  # the same seeds again: the compiled program is reused
    leaves = zip(jax.tree_util.tree_leaves(params), jax.tree_util.tree_leaves(again[0]))
    assert all(np.array_equal(a, b) for a, b in leaves)
    assert np.array_equal(greedy, again[2])
    assert set(params) == {"actor", "critic_0", "critic_1"}
    for g in range(len(GAMES)):
        for s in range(keys.shape[0]):
            p1 = jax.tree_util.tree_map(lambda x: x[g, s], params)
            joint = np.asarray(metrics["joint_policy"][g, s, -1]).reshape(3, 3)
            assert joint.sum() == pytest.approx(1.0, abs=1e-5)
            # the greedy follower answers the greedy leader: its conditional policy's most likely action
            leader, follower = np.asarray(program.act(p1, obs)).tolist()
            assert [leader, follower] == greedy[g, s].tolist()
            assert leader == int(np.argmax(joint.sum(axis=1)))
            assert follower == int(np.argmax(joint[leader]))


def test_step_reaches_the_stackelberg_equilibrium_of_penalty_and_mixing_in_most_seeds(step_run):
    greedy = np.asarray(step_run[-1][2])
    assert np.mean(np.all(greedy[0] == (0, 2), axis=1)) >= 0.6  # Penalty(-25): the SE (a1, a3)
    assert np.mean(np.all(greedy[1] == (0, 0), axis=1)) >= 0.6  # Mixing: the SE (a1, a1)


@pytest.mark.parametrize(
    "field, value",
    [("beta", -1.0), ("embed_dim", 0), ("hyper_hidden", (0,)), ("lr_ratio", 0.0), ("target_hidden", -2),
     ("value_clip_eps", 0.0), ("leader_entropy_coef", -0.5), ("leader_entropy_steps", 0)],
)
def test_bad_configs_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        STEPConfig(**{field: value})


def test_config_of_another_learner_is_refused():
    from stackelberg.neural.ppo import MAPPOConfig

    with pytest.raises(TypeError, match="STEPConfig"):
        make_step(matrix_env(sb.get_game("mixing")), MAPPOConfig())
