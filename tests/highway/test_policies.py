"""The simple agents: fixed, random, linear Q-learning."""

import gymnasium as gym
import numpy as np
import pytest

import stackelberg.highway as hw


def test_linear_q_update_is_a_td_step_and_pure():
    learner = hw.LinearQLearner(learning_rate=0.5, gamma=0.9, epsilon=0.0, clip=100.0)
    params = learner.init(hw.EnvSpec(n_agents=2, observation_shape=(1, 2)), hw.init_key(0))
    obs = np.array([[[1.0, 0.0]], [[0.0, 1.0]]], dtype=np.float32)
    batch = {"obs": obs[None], "next_obs": obs[None], "actions": np.array([[3, 1]]),
             "rewards": np.array([[50.0, 10.0]]), "terminated": np.array([True]), "truncated": np.array([False]),
             "key": hw.episode_key(0, 0)}
    new = learner.update(params, batch)
    assert np.all(params["weights"] == 0.0)  # the input is not modified
    # W[a] += lr * (r - 0) * [o, 1]
    assert new["weights"][0, 3].tolist() == [25.0, 0.0, 25.0]
    assert new["weights"][1, 1].tolist() == [0.0, 5.0, 5.0]
    assert learner.act(new, obs, hw.episode_key(0, 0, 0)).tolist() == [3, 1]


def test_linear_q_learns_on_the_merge_without_error():
    env = gym.make("stackelberg/TwoVehicleMerge-v0")
    learner = hw.LinearQLearner()
    params = learner.init(hw.EnvSpec.of(env), hw.init_key(1))
    for episode in range(3):
        params, record = hw.run_episode(env, learner, params, seed=1, episode=episode)
    assert np.isfinite(params["weights"]).all() and np.abs(params["weights"]).sum() > 0


def test_random_policy_draws_from_the_key():
    policy = hw.RandomPolicy()
    params = policy.init(hw.EnvSpec(n_agents=4, observation_shape=(3, 5)), hw.init_key(0))
    obs = np.zeros((4, 3, 5))
    draws = [policy.act(params, obs, hw.episode_key(0, 0, t)).tolist() for t in range(20)]
    assert draws[0] == policy.act(params, obs, hw.episode_key(0, 0, 0)).tolist()
    assert {a for d in draws for a in d} == {0, 1, 2, 3, 4}


def test_all_follow_the_learner_protocol():
    for learner in (hw.FixedActionPolicy((1, 1)), hw.RandomPolicy(), hw.LinearQLearner()):
        assert isinstance(learner, hw.Learner)
    with pytest.raises(ValueError, match="epsilon"):
        hw.LinearQLearner(epsilon=2.0)
