"""STEP and MAPPO for the host loop: GAE and the loss on a tiny episode by hand, when updates happen,
determinism, pickling, a few hundred steps on the on-ramp merge, configuration errors."""

import pickle
from types import SimpleNamespace

import gymnasium as gym
import jax.numpy as jnp
import numpy as np
import pytest

import stackelberg.highway as hw
from stackelberg.neural.host_onpolicy import HOST_DEFAULTS, MAPPOLearner, STEPLearner
from stackelberg.neural.hypernetwork import STEPConfig
from stackelberg.neural.ppo import MAPPOConfig

SPEC = SimpleNamespace(n_agents=2, observation_shape=(3, 5), n_actions=5)
TINY = dict(hidden=(8,), rollout_length=8, minibatches=2, entropy_coef=0.0)
STEP_TINY = dict(TINY, embed_hidden=(8,), embed_dim=8, id_dim=4, hyper_hidden=(8,), target_hidden=8)


def mappo(**changes):
    return MAPPOLearner(MAPPOLearner.default_config().replace(**{**TINY, **changes}))


def step(**changes):
    return STEPLearner(STEPLearner.default_config().replace(**{**STEP_TINY, **changes}))


def episode(length, *, terminated, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "obs": rng.normal(size=(length, 2, 3, 5)).astype(np.float32),
        "actions": rng.integers(5, size=(length, 2)),
        "rewards": rng.normal(size=(length, 2)),
        "next_obs": rng.normal(size=(length, 2, 3, 5)).astype(np.float32),
        "terminated": np.array([False] * (length - 1) + [terminated]),
        "truncated": np.array([False] * (length - 1) + [not terminated]),
        "key": np.array([seed, 7], np.uint32),
    }


def gae_by_hand(rewards, values, last_value, terminated, gamma, lam):
    advantages = np.zeros_like(values)
    following = 0.0
    for t in reversed(range(len(rewards))):
        if t == len(rewards) - 1:
            next_value = 0.0 if terminated else last_value
            delta = rewards[t] + gamma * next_value - values[t]
            following = delta
        else:
            delta = rewards[t] + gamma * values[t + 1] - values[t]
            following = delta + gamma * lam * following
        advantages[t] = following
    return advantages


@pytest.mark.parametrize("make", [mappo, step])
@pytest.mark.parametrize("terminated", [True, False])
def test_transitions_are_gae_of_the_scaled_rewards_by_hand(make, terminated):
    learner = make()
    params = learner.init(SPEC, np.array([0, 1], np.uint32))
    batch = episode(5, terminated=terminated)
    out = learner.transitions(params, batch)
    agent = learner.agent(SPEC)
    obs = jnp.asarray(batch["obs"].reshape(5, 2, 15))
    logp, values = zip(*(agent.evaluate(params["net"], obs[t], jnp.asarray(batch["actions"][t], jnp.int32))
                         for t in range(5)))
    values = np.asarray(values)
    assert np.allclose(out["values"], values, atol=1e-5)
    assert np.allclose(out["logp"], np.asarray(logp), atol=1e-5)
    last = np.asarray(agent.value(params["net"], jnp.asarray(batch["next_obs"][-1].reshape(2, 15)),
                                  jnp.asarray(batch["key"])))
    config = learner.config_
    for i in range(2):
        expected = gae_by_hand(batch["rewards"][:, i] * 0.05, values[:, i], last[i], terminated, config.gamma,
                               config.gae_lambda)
        assert np.allclose(out["advantages"][:, i], expected, atol=1e-5)
    assert np.allclose(out["returns"], out["advantages"] + values, atol=1e-6)


def test_mappo_loss_at_the_behaviour_parameters_by_hand():
    # with the parameters that played the batch: ratio 1, so the clipped objective is the mean of the normalised
    # advantages (0), the value loss is mean((V - R)^2) = mean(A^2), and entropy_coef is 0
    learner = mappo()
    params = learner.init(SPEC, np.array([0, 1], np.uint32))
    out = learner.transitions(params, episode(8, terminated=True))
    (phase,) = learner.agent(SPEC).phases
    minibatch = {k: jnp.asarray(v) for k, v in out.items()}
    loss, parts = phase.loss(params["net"], params["net"], minibatch)
    expected = sum(float(np.mean(out["advantages"][:, i] ** 2)) for i in range(2))
    assert float(loss) == pytest.approx(expected, rel=1e-4, abs=1e-5)
    assert np.allclose(np.asarray(parts)[:, 0], 0.0, atol=1e-5)


def test_step_phase_losses_at_the_behaviour_parameters_by_hand():
    learner = step(beta=0.7)
    params = learner.init(SPEC, np.array([0, 1], np.uint32))
    out = learner.transitions(params, episode(8, terminated=False))
    minibatch = {k: jnp.asarray(v) for k, v in out.items()}
    for level, phase in enumerate(learner.agent(SPEC).phases):
        loss, (clip, reg, _, vloss) = phase.loss(params["net"], params["net"], minibatch)
        assert float(clip) == pytest.approx(0.0, abs=1e-5) and float(reg) == 0.0  # no move from the anchor
        assert float(loss) == pytest.approx(float(np.mean(out["advantages"][:, level] ** 2)), rel=1e-4, abs=1e-5)


def test_updates_happen_when_the_buffer_holds_an_iteration():
    learner = mappo()
    params = learner.init(SPEC, np.array([0, 1], np.uint32))
    first = learner.update(params, episode(5, terminated=True, seed=1))
    assert int(first["count"]) == 5 and int(first["updates"]) == 0
    assert all(np.array_equal(a, b) for a, b in zip(_leaves(first["net"]), _leaves(params["net"])))
    assert np.array_equal(first["buffer"]["actions"][:5], episode(5, terminated=True, seed=1)["actions"])
    second = learner.update(first, episode(6, terminated=False, seed=2))  # 11 >= 8: the last 8 train
    assert int(second["count"]) == 0 and int(second["updates"]) == 1
    assert any(not np.allclose(a, b) for a, b in zip(_leaves(second["net"]), _leaves(params["net"])))
    assert np.array_equal(second["buffer"]["actions"][2:],  episode(6, terminated=False, seed=2)["actions"])
    assert np.array_equal(second["buffer"]["actions"][:2], episode(5, terminated=True, seed=1)["actions"][3:])


def _leaves(tree):
    import jax

    return [np.asarray(x) for x in jax.tree_util.tree_leaves(tree)]


def _train(learner, env, episodes):
    params = learner.init(hw.EnvSpec.of(env), hw.init_key(3))
    records = []
    for e in range(episodes):
        params, record = hw.run_episode(env, learner, params, seed=3, episode=e)
        records.append(record)
    return params, records


@pytest.fixture(scope="module")
def easy():
    env = gym.make("stackelberg/OnRampMerge-easy-v0", config={"duration": 4.0})
    env.reset(seed=0)
    return env


@pytest.mark.parametrize("make", [mappo, step])
def test_hundreds_of_steps_on_the_on_ramp_merge_are_deterministic(make, easy):
    learner = make(rollout_length=32, minibatches=4)
    params, records = _train(learner, easy, 10)
    assert sum(r["steps"] for r in records) >= 100 and int(params["updates"]) >= 2
    again, records_again = _train(make(rollout_length=32, minibatches=4), easy, 10)
    assert records == records_again
    assert all(np.array_equal(a, b) for a, b in zip(_leaves(params), _leaves(again)))
    # greedy execution acts, deterministically, with the trained parameters
    obs = np.stack(easy.reset(seed=5)[0])
    greedy = learner.acting_greedily()
    assert greedy.act(params, obs, None).tolist() == greedy.act(params, obs, hw.episode_key(0, 0, 0)).tolist()
    # a pickled learner and params act and update as the originals
    learner2, params2 = pickle.loads(pickle.dumps((learner, params)))
    key = hw.episode_key(3, 99, 0)
    assert learner2.act(params2, obs, key).tolist() == learner.act(params, obs, key).tolist()
    assert learner2 == learner and learner2.config() == learner.config()


def test_bad_configurations_name_the_argument():
    with pytest.raises(TypeError, match="config must be a STEPConfig"):
        STEPLearner(MAPPOConfig(reward_scale=1.0))
    with pytest.raises(ValueError, match="reward_scale"):
        MAPPOLearner(MAPPOConfig())
    with pytest.raises(ValueError, match="gamma"):
        STEPLearner(STEPConfig(reward_scale=1.0, gamma=None))
    with pytest.raises(ValueError, match="minibatches"):
        STEPLearner(STEPLearner.default_config().replace(minibatches=3))
    with pytest.raises(TypeError, match="greedy"):
        MAPPOLearner(greedy="yes")
    with pytest.raises(ValueError, match="spec.n_agents"):
        mappo().init(SimpleNamespace(n_agents=0, observation_shape=(3, 5), n_actions=5), np.zeros(2, np.uint32))
    assert MAPPOLearner().config()["rollout_length"] == HOST_DEFAULTS["rollout_length"]
