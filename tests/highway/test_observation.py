"""The numpy Kinematics observation gives exactly highway-env's (pandas) observation."""

import gymnasium as gym
import numpy as np
import pytest
from highway_env.envs.common.observation import KinematicObservation

import stackelberg.highway  # noqa: F401
from stackelberg.highway._observation import FastKinematicObservation


@pytest.mark.parametrize("env_id", ["stackelberg/TwoVehicleMerge-v0", "stackelberg/OnRampMerge-medium-v0"])
def test_fast_observation_equals_highway_env_s(env_id):
    env = gym.make(env_id)
    base = env.unwrapped
    observations, _ = env.reset(seed=1)
    assert all(isinstance(o, FastKinematicObservation) for o in base.observation_type.agents_observation_types)
    settings = base.config["observation"]["observation_config"]
    reference = []
    for vehicle in base.controlled_vehicles:  # built at reset, as highway-env builds its own
        observation = KinematicObservation(base, **settings)
        observation.observer_vehicle = vehicle
        reference.append(observation)
    rng = np.random.default_rng(1)
    for _ in range(15):
        expected = np.stack([observation.observe() for observation in reference])
        assert np.array_equal(np.stack(observations), expected)
        observations, _, terminated, truncated, _ = env.step(tuple(rng.integers(5, size=base.n_agents)))
        if terminated or truncated:
            break


def test_fast_observation_can_be_switched_off():
    env = gym.make("stackelberg/TwoVehicleMerge-v0", config={"fast_observation": False})
    env.reset(seed=0)
    kinds = {type(o) for o in env.unwrapped.observation_type.agents_observation_types}
    assert kinds == {KinematicObservation}
