"""The host loop: batches handed to update, keys and seeds, records."""

import gymnasium as gym
import numpy as np
import pytest

import stackelberg.highway as hw


class Recorder(hw.RandomPolicy):
    name = "recorder"

    def init(self, spec, key):
        return {"n_actions": spec.n_actions, "batches": []}

    def update(self, params, batch):
        return {"n_actions": params["n_actions"], "batches": params["batches"] + [batch]}


def test_run_episode_hands_the_episode_to_update():
    env = gym.make("stackelberg/TwoVehicleMerge-v0")
    learner = Recorder()
    spec = hw.EnvSpec.of(env)
    assert spec == hw.EnvSpec(n_agents=2, observation_shape=(2, 5), n_actions=5)
    params = learner.init(spec, hw.init_key(0))
    params, record = hw.run_episode(env, learner, params, seed=0, episode=3)
    (batch,) = params["batches"]
    steps = record["steps"]
    assert batch["obs"].shape == batch["next_obs"].shape == (steps, 2, 2, 5)
    assert batch["obs"].dtype == np.float32
    assert batch["actions"].shape == batch["rewards"].shape == (steps, 2)
    assert batch["terminated"].shape == batch["truncated"].shape == (steps,)
    assert batch["terminated"][-1] or batch["truncated"][-1]
    assert not (batch["terminated"][:-1].any() or batch["truncated"][:-1].any())
    assert np.array_equal(batch["obs"][1:], batch["next_obs"][:-1])
    assert record["returns"] == batch["rewards"].sum(axis=0).tolist()
    assert np.array_equal(batch["key"], hw.episode_key(0, 3))
    assert set(record) == {"seed", "episode", "steps", "returns", "crashed", "mean_speed", "outcome"}


def test_evaluation_episodes_do_not_update():
    env = gym.make("stackelberg/TwoVehicleMerge-v0")
    learner = Recorder()
    params = learner.init(hw.EnvSpec.of(env), hw.init_key(0))
    same, _ = hw.run_episode(env, learner, params, seed=0, episode=0, train=False)
    assert same is params and params["batches"] == []


def test_an_episode_depends_only_on_seed_episode_and_params():
    env = gym.make("stackelberg/TwoVehicleMerge-v0")
    learner = hw.RandomPolicy()
    params = learner.init(hw.EnvSpec.of(env), hw.init_key(0))
    _, first = hw.run_episode(env, learner, params, seed=5, episode=2)
    hw.run_episode(env, learner, params, seed=5, episode=9)  # something else in between
    _, again = hw.run_episode(env, learner, params, seed=5, episode=2)
    assert first == again


def test_keys_are_raw_uint32_pairs_and_distinct():
    keys = {tuple(hw.episode_key(s, e, t)) for s in range(2) for e in range(2) for t in range(-1, 3)}
    assert len(keys) == 16
    assert hw.episode_key(1, 2, 3).dtype == np.uint32
    assert hw.episode_seed(1, 2) != hw.episode_seed(2, 1)


def test_bad_arguments_are_refused():
    env = gym.make("stackelberg/TwoVehicleMerge-v0")
    with pytest.raises(ValueError, match="episode must be an integer >= 0"):
        hw.run_episode(env, hw.RandomPolicy(), {"n_actions": 5}, seed=0, episode=-1)
    with pytest.raises(ValueError, match="actions must be a non-empty sequence"):
        hw.FixedActionPolicy((1, 7))
