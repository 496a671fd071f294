"""Simulator speed of the highway merges: decisions (env steps) and simulation frames per second.

Runs uniformly random joint actions for a fixed number of decisions on each environment, resetting when an
episode ends (resets included in the time), in this one process, and prints a markdown table. highway-env's own
single-agent ``merge-v0`` (pandas Kinematics observation, policy frequency 1 Hz) is the reference;
``fast_observation=False`` shows what the numpy observation saves.

    python benchmarks/bench_highway.py [--steps 300] > /tmp/bench_highway.md
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import stackelberg.highway  # noqa: F401  (registers the environments)

from _common import markdown_table

CASES = [
    ("merge-v0 (highway-env, 1 agent)", "merge-v0", {}),
    ("TwoVehicleMerge-v0, pandas observation", "stackelberg/TwoVehicleMerge-v0", {"fast_observation": False}),
    ("TwoVehicleMerge-v0", "stackelberg/TwoVehicleMerge-v0", {}),
    ("OnRampMerge-easy-v0 (3 agents)", "stackelberg/OnRampMerge-easy-v0", {"density": "easy"}),
    ("OnRampMerge-medium-v0 (4 agents)", "stackelberg/OnRampMerge-medium-v0", {"density": "medium"}),
    ("OnRampMerge-hard-v0 (6 agents)", "stackelberg/OnRampMerge-hard-v0", {"density": "hard"}),
]


def speed(env_id: str, config: dict, steps: int) -> tuple[float, int]:
    env = gym.make(env_id, config=config) if config else gym.make(env_id)
    base = env.unwrapped
    frames = int(base.config["simulation_frequency"] // base.config["policy_frequency"])
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    start = time.perf_counter()
    for step in range(steps):
        if env_id == "merge-v0":
            action = int(rng.integers(5))
        else:
            action = tuple(int(a) for a in rng.integers(5, size=len(base.controlled_vehicles)))
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset(seed=step + 1)
    return steps / (time.perf_counter() - start), frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    steps = parser.parse_args().steps
    rows = []
    for label, env_id, config in CASES:
        per_second, frames = speed(env_id, config, steps)
        rows.append([label, frames, f"{per_second:.0f}", f"{per_second * frames:.0f}"])
    print(markdown_table(["environment", "frames per decision", "decisions/s", "frames/s"], rows))


if __name__ == "__main__":
    main()
