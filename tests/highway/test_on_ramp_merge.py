"""STEP's on-ramp merging: vehicle counts per density, reward terms (Chen et al. 2021), crashes, seeding."""

import gymnasium as gym
import numpy as np
import pytest

import stackelberg.highway as hw
from stackelberg.highway.on_ramp_merge import OnRampMergeEnv

CAVS = {"easy": 3, "medium": 4, "hard": 6}


@pytest.mark.parametrize("density", ["easy", "medium", "hard"])
def test_reset_and_step_with_the_density_s_vehicles(density):
    env = gym.make(f"stackelberg/OnRampMerge-{density}-v0")
    observations, _ = env.reset(seed=2)
    base = env.unwrapped
    (_, _), (low_h, high_h) = hw.DENSITIES[density]
    n = CAVS[density]
    assert base.n_agents == n and len(observations) == n
    assert low_h <= len(base.road.vehicles) - n <= high_h
    rows = CAVS[density] + high_h
    assert all(o.shape == (rows, 5) for o in observations)
    on_ramp = [v.lane_index[0] in ("j", "k") for v in base.controlled_vehicles]
    assert on_ramp.count(False) == n // 2 and on_ramp.count(True) == n - n // 2
    observations, rewards, terminated, truncated, info = env.step((1,) * n)
    assert rewards.shape == (n,) and len(info["agents_rewards"]) == n


def test_random_counts_follow_chen_et_al():
    counts = set()
    for seed in range(8):
        env = OnRampMergeEnv(config={"density": "hard", "controlled_vehicles": "random"})
        env.reset(seed=seed)
        counts.add(env.n_agents)
        assert 4 <= env.n_agents <= 6 and 3 <= len(env.road.vehicles) - env.n_agents <= 5
    assert len(counts) > 1


def test_reward_is_the_sum_of_chen_et_al_s_terms():
    env = OnRampMergeEnv(config={"density": "medium"})
    env.reset(seed=5)
    merging_seen = False
    for _ in range(40):
        _, rewards, terminated, truncated, info = env.step((1,) * env.n_agents)
        terms = {name: np.array(values) for name, values in info["reward_terms"].items()}
        assert np.allclose(rewards, sum(terms.values()), rtol=0, atol=1e-12)
        for agent, vehicle in enumerate(env.controlled_vehicles):
            scaled = np.clip((vehicle.speed - 10.0) / 20.0, 0, 1)
            assert terms["speed"][agent] == pytest.approx(scaled)
            assert terms["headway"][agent] <= 0.0
            if vehicle.lane_index == ("b", "c", 1):
                merging_seen = True
                expected = -4.0 * np.exp(-((vehicle.position[0] - 310.0) ** 2) / 800.0)
                assert terms["merging"][agent] == pytest.approx(expected)
            else:
                assert terms["merging"][agent] == 0.0
        if terminated or truncated:
            break
    assert merging_seen


def test_a_crash_costs_200_and_ends_the_episode():
    env = OnRampMergeEnv(config={"density": "hard"})
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(100):
        _, rewards, terminated, truncated, info = env.step(tuple(rng.integers(5, size=env.n_agents)))
        if terminated:
            break
    crashed = np.array(info["crashed"])
    assert terminated and crashed.any()
    assert np.array_equal(np.array(info["reward_terms"]["collision"]), np.where(crashed, -200.0, 0.0))


def test_episodes_are_deterministic_from_the_seed():
    def run(seed):
        env = gym.make("stackelberg/OnRampMerge-easy-v0")
        observations, _ = env.reset(seed=seed)
        out = [np.stack(observations)]
        for _ in range(10):
            observations, rewards, *_ = env.step((3, 1, 4))
            out.append(np.stack(observations))
        return np.stack(out)

    assert np.array_equal(run(11), run(11))
    assert not np.array_equal(run(11)[0], run(12)[0])


def test_the_episode_is_truncated_after_100_decisions():
    env = OnRampMergeEnv(config={"density": "easy", "controlled_vehicles": 1})
    env.reset(seed=4)
    base_steps = 0
    truncated = terminated = False
    while not (terminated or truncated):
        _, _, terminated, truncated, _ = env.step((1,))
        base_steps += 1
    assert truncated and not terminated and base_steps == 100  # 20 s at 5 decisions per second


@pytest.mark.parametrize("config, message", [({"density": "crowded"}, "density must be one of"),
                                             ({"controlled_vehicles": 0}, "controlled_vehicles must be")])
def test_bad_configs_are_refused(config, message):
    with pytest.raises(ValueError, match=message):
        OnRampMergeEnv(config=config)
