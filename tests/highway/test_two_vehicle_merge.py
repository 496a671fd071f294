"""The two-vehicle merge (Bi-AC Traffic Merge): spaces, scripted outcomes and rewards, auto-merge, seeding."""

import gymnasium as gym
import numpy as np
import pytest

import stackelberg.highway as hw
from stackelberg.highway.two_vehicle_merge import MAIN, RAMP

ENV_ID = "stackelberg/TwoVehicleMerge-v0"
# Both cars at x = 30 m and 25 m/s: the scripted scenarios below do not depend on the seed's draw.
LEVEL = {"main_position": [30.0, 30.0], "main_speed": [25.0, 25.0],
         "ramp_position": [30.0, 30.0], "ramp_speed": [25.0, 25.0]}
IDLE, FASTER, SLOWER, LANE_RIGHT = 1, 3, 4, 2


def play(actions, config=LEVEL, seed=0):
    env = gym.make(ENV_ID, config=dict(config))
    env.reset(seed=seed)
    steps = []
    done = False
    while not done:
        _, rewards, terminated, truncated, info = env.step(actions)
        steps.append((rewards, info))
        done = terminated or truncated
    return env, steps


def test_reset_gives_two_controlled_vehicles_each_observing_the_other():
    env = gym.make(ENV_ID)
    observations, info = env.reset(seed=1)
    base = env.unwrapped
    assert len(base.controlled_vehicles) == 2
    assert base.controlled_vehicles[MAIN].lane_index == ("a", "b", 0)
    assert base.controlled_vehicles[RAMP].lane_index == ("j", "k", 0)
    assert len(observations) == 2 and all(o.shape == (2, 5) for o in observations)
    assert all(o[1, 0] == 1.0 for o in observations)  # the other car is present in each observation
    assert env.action_space == gym.spaces.Tuple([gym.spaces.Discrete(5)] * 2)
    assert info["outcome"] is None


@pytest.mark.parametrize(
    "actions, outcome, returns",
    [((FASTER, IDLE), "main_first", [50.0, 10.0]),
     ((IDLE, FASTER), "ramp_first", [10.0, 50.0]),
     ((IDLE, IDLE), "crash", [-10.0, -10.0])],
)
def test_scripted_scenarios_give_the_stated_rewards(actions, outcome, returns):
    env, steps = play(actions)
    rewards = np.array([r for r, _ in steps])
    assert steps[-1][1]["outcome"] == outcome
    assert rewards.sum(axis=0).tolist() == returns
    assert steps[-1][1]["crashed"] == ((True, True) if outcome == "crash" else (False, False))


def test_the_first_reward_comes_in_the_step_the_car_passes_the_merge_point():
    env, steps = play((FASTER, IDLE))
    merge_end = env.unwrapped.merge_end
    assert merge_end == 310.0
    first = next(k for k, (r, _) in enumerate(steps) if r[MAIN] == 50.0)
    assert steps[first][1]["positions"][MAIN][0] >= merge_end
    assert steps[first - 1][1]["positions"][MAIN][0] < merge_end
    assert steps[first][1]["passed"] == (MAIN,)


def test_the_ramp_car_is_moved_left_before_its_lane_ends():
    # the ramp car insists on LANE_RIGHT (impossible there) while the main car brakes: it must still merge
    env, steps = play((SLOWER, LANE_RIGHT))
    info = steps[-1][1]
    assert info["outcome"] == "ramp_first" and not any(info["crashed"])
    assert env.unwrapped.controlled_vehicles[RAMP].lane_index[2] == 0  # on the main lane


def test_an_episode_nobody_finishes_is_a_timeout_of_twenty_steps():
    env, steps = play((SLOWER, SLOWER))
    assert len(steps) == 20 and steps[-1][1]["outcome"] == "timeout"
    assert np.array([r for r, _ in steps]).sum() == 0.0


def test_episodes_are_deterministic_from_the_seed():
    def trajectory(seed):
        env = gym.make(ENV_ID)
        observations, _ = env.reset(seed=seed)
        rng = np.random.default_rng(7)
        out = [np.stack(observations)]
        for _ in range(6):
            observations, rewards, terminated, truncated, _ = env.step(tuple(rng.integers(5, size=2)))
            out.append(np.stack(observations))
            if terminated or truncated:
                break
        return np.stack(out)

    assert np.array_equal(trajectory(3), trajectory(3))
    assert not np.array_equal(trajectory(3)[0], trajectory(4)[0])


def test_actions_are_checked():
    env = gym.make(ENV_ID)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="one integer in 0..4 per controlled vehicle"):
        env.step((1,))
    with pytest.raises(ValueError, match="actions must hold"):
        env.step((1, 5))


def test_outcomes_are_listed_in_table_4_order():
    assert hw.OUTCOMES == ("main_first", "ramp_first", "crash", "timeout")
