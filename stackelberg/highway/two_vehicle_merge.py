"""The two-vehicle Traffic Merge of the Bi-AC paper (Zhang et al. 2020, Table 4, Figs 6-7) on highway-env.

One car drives on the main lane (agent 0, the leader), another (agent 1, the follower) comes from the ramp and
must merge into the main lane. Each has highway-env's five discrete meta-actions (0 LANE_LEFT, 1 IDLE,
2 LANE_RIGHT, 3 FASTER, 4 SLOWER) and observes the kinematics of the other. A car gets 50 when it passes the
merge point first, 10 when it passes second, and both get -10 when a controlled car crashes; a car still on the
acceleration lane near its end is moved left automatically.

Parameters (highway-env 1.12.1, gymnasium 1.x; config keys in parentheses)

- Road: highway-env's ``MergeGenericEnv`` road with one main lane (``lanes_count=1``): 150 m before the ramp
  converges, 80 m converging, an 80 m acceleration lane (x = 230..310 m) ending in a barrier, 150 m after.
- Merge point: x = 310 m, the end of the acceleration lane (``merge_end``); a car passes it when its front
  reaches it (position x >= 310, checked at every simulation frame; two cars crossing in the same frame are
  ordered by x).
- Vehicles: highway-env ``MDPVehicle`` with target speeds 10, 15, 20, 25, 30 m/s (``target_speeds``); FASTER and
  SLOWER move the target one step from the current speed.
- Initial state, drawn from the environment's seeded generator at ``reset(seed=...)``: main car at
  x ~ U(20, 40) m (``main_position``) with speed ~ U(22, 28) m/s (``main_speed``); ramp car on the ramp's
  straight part at x ~ U(20, 40) m (``ramp_position``) with speed ~ U(20, 30) m/s (``ramp_speed``) (so sometimes it comes much faster than the main car); initial speeds are also the initial
  target speeds, snapped to the nearest of the target speeds.
- Timing: simulation at 15 Hz, one decision per second (``policy_frequency=1``: 15 frames per step), an
  episode lasts at most 20 s (``duration``: 20 steps); it ends earlier when both cars have passed the merge
  point or a controlled car crashed.
- Automatic merge: from the frame at which a car on the acceleration lane is closer to the lane end than
  1 s at its current speed plus one vehicle length (``auto_merge_time=1.0``), its target lane becomes the main
  lane (whatever its action); this also applies to a main car that moved onto the acceleration lane.
- Rewards (``first_reward``, ``second_reward``, ``collision_reward``), per agent and step: +50 in the step the agent passes the merge point first, +10 in the step it
  passes second, -10 to both agents in the step of a crash of either controlled car (with the other car or the
  barrier). The episode's ``outcome`` (in ``info``) is ``"crash"`` if a crash happened, else ``"main_first"``
  or ``"ramp_first"`` by the first to pass, and ``"timeout"`` if neither passed within the duration.
- Observations: for each agent, highway-env's Kinematics observation of 2 rows (itself, then the other car,
  seen behind too; the barrier is not observed) with features presence, x, y, vx, vy relative to the observer
  and normalised to [-1, 1] by highway-env (x by 5 * 40 m, speeds by 2 * 40 m/s).

Examples
--------
>>> import gymnasium as gym
>>> import stackelberg.highway
>>> env = gym.make("stackelberg/TwoVehicleMerge-v0")
>>> _ = env.reset(seed=3)
>>> done = False
>>> while not done:
...     _, rewards, terminated, truncated, info = env.step((1, 1))
...     done = terminated or truncated
>>> info["outcome"] in {"main_first", "ramp_first", "crash", "timeout"}
True
"""

from __future__ import annotations

import numpy as np

from ._base import MultiAgentMergeEnv

__all__ = ["TwoVehicleMergeEnv", "OUTCOMES", "MAIN", "RAMP"]

#: Agent indices.
MAIN, RAMP = 0, 1

#: The possible episode outcomes, in the order of Table 4's columns (crash and timeout last).
OUTCOMES = ("main_first", "ramp_first", "crash", "timeout")


class TwoVehicleMergeEnv(MultiAgentMergeEnv):
    """Two controlled cars, a main-lane leader (agent 0) and a ramp follower (agent 1); see the module docstring.

    Parameters
    ----------
    config : dict, optional
        Overrides of :meth:`default_config`.
    render_mode : {None, "rgb_array", "human"}
    """

    @classmethod
    def default_config(cls) -> dict:
        config = super().default_config()
        config["observation"]["observation_config"]["vehicles_count"] = 2
        config["action"]["action_config"]["target_speeds"] = [10.0, 15.0, 20.0, 25.0, 30.0]
        config.update(
            {
                "controlled_vehicles": 2,
                "main_position": [20.0, 40.0],
                "main_speed": [22.0, 28.0],
                "ramp_position": [20.0, 40.0],
                "ramp_speed": [20.0, 30.0],
                "first_reward": 50.0,
                "second_reward": 10.0,
                "collision_reward": -10.0,
            }
        )
        return config

    def _reset(self) -> None:
        self._make_road()
        self._make_vehicles()
        self.passed = []  # agent indices in the order they passed the merge point
        self.crashed_once = False
        self._passed_before = 0
        self._crash_before = False

    def _make_vehicles(self) -> None:
        road, c, rng = self.road, self.config, self.np_random
        main_lane = road.network.get_lane(("a", "b", 0))
        ramp_lane = road.network.get_lane(("j", "k", 0))
        main_x, main_v = rng.uniform(*c["main_position"]), rng.uniform(*c["main_speed"])
        ramp_x, ramp_v = rng.uniform(*c["ramp_position"]), rng.uniform(*c["ramp_speed"])
        vehicle_class = self.action_type.vehicle_class
        main = vehicle_class(road, main_lane.position(main_x, 0.0), heading=main_lane.heading_at(main_x),
                             speed=main_v)
        ramp = vehicle_class(road, ramp_lane.position(ramp_x, 0.0), heading=ramp_lane.heading_at(ramp_x),
                             speed=ramp_v)
        self.controlled_vehicles = [main, ramp]
        road.vehicles.extend(self.controlled_vehicles)

    def _begin_period(self) -> None:
        self._passed_before = len(self.passed)
        self._crash_before = self.crashed_once

    def _after_frame(self) -> None:
        crossing = [
            (-float(vehicle.position[0]), agent)
            for agent, vehicle in enumerate(self.controlled_vehicles)
            if agent not in self.passed and vehicle.position[0] >= self.merge_end and not vehicle.crashed
        ]
        self.passed.extend(agent for _, agent in sorted(crossing))
        if any(vehicle.crashed for vehicle in self.controlled_vehicles):
            self.crashed_once = True

    def _agent_rewards(self, actions) -> list:
        c = self.config
        rewards = np.zeros(2)
        for rank in range(self._passed_before, len(self.passed)):
            rewards[self.passed[rank]] += c["first_reward"] if rank == 0 else c["second_reward"]
        if self.crashed_once and not self._crash_before:
            rewards += c["collision_reward"]
        return list(rewards)

    @property
    def outcome(self) -> str | None:
        """``"crash"``, ``"main_first"``, ``"ramp_first"``; ``"timeout"`` at the end of an episode nobody passed."""
        if self.crashed_once:
            return "crash"
        if self.passed:
            return OUTCOMES[self.passed[0]]
        return "timeout" if self._is_truncated() else None

    def _is_terminated(self) -> bool:
        return self.crashed_once or len(self.passed) == 2

    def _info(self, observations, action=None) -> dict:
        info = super()._info(observations, action)
        info["passed"] = tuple(getattr(self, "passed", ()))
        info["outcome"] = self.outcome if hasattr(self, "passed") else None
        return info
