"""The multi-agent stepping shared by the merge environments (private).

Both environments run on highway-env's generic merge road (``MergeGenericEnv``, connected-lane neighbour search
of highway-env 1.12) with one main lane: a ramp ("j"->"k" straight, "k"->"b" converging sine lane) joins the
main lane through an acceleration lane ("b"->"c", index 1) that ends in a barrier. x is the distance along the
road in metres; lanes are straight along x (the sine lane is parametrised by x too), so x positions on the main
lane and the ramp are comparable.

``step`` replaces highway-env's single-agent step: every controlled vehicle receives its meta-action at the
first simulation frame of the decision period; every frame, a controlled vehicle still on the acceleration
lane closer to its end than ``auto_merge_time`` seconds at its current speed (plus a vehicle length) is steered
to the main lane (the "moved left automatically before its lane ends" rule of the Bi-AC paper); the frames stop
at the first crash of a controlled vehicle.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from highway_env.envs.merge_env import ConnectedLaneMergeGenericEnv
from highway_env.vehicle.kinematics import Vehicle

from ._observation import FastKinematicObservation

#: The five discrete meta-actions of highway-env's ``DiscreteMetaAction``.
ACTIONS = ("LANE_LEFT", "IDLE", "LANE_RIGHT", "FASTER", "SLOWER")


class MultiAgentMergeEnv(ConnectedLaneMergeGenericEnv):
    """highway-env's merge road with several controlled vehicles stepped together (base class)."""

    @classmethod
    def default_config(cls) -> dict:
        config = super().default_config()
        config.update(
            {
                "lanes_count": 1,
                "before_merge_length": 150,
                "converge_merge_length": 80,
                "parallel_merge_length": 80,
                "after_merge_length": 150,
                "action": {
                    "type": "MultiAgentAction",
                    "action_config": {"type": "DiscreteMetaAction", "longitudinal": True, "lateral": True},
                },
                "observation": {
                    "type": "MultiAgentObservation",
                    "observation_config": {
                        "type": "Kinematics",
                        "features": ["presence", "x", "y", "vx", "vy"],
                        "see_behind": True,
                        "include_obstacles": False,
                        "absolute": False,
                        "normalize": True,
                    },
                },
                "simulation_frequency": 15,
                "policy_frequency": 1,
                "duration": 20.0,
                "auto_merge_time": 1.0,
                "fast_observation": True,
            }
        )
        return config

    def define_spaces(self) -> None:
        """highway-env's spaces, with :class:`FastKinematicObservation` in place of its pandas Kinematics."""
        super().define_spaces()
        settings = self.config["observation"].get("observation_config", {})
        if not self.config["fast_observation"] or settings.get("type") != "Kinematics":
            return
        agents = self.observation_type.agents_observation_types
        for k, slow in enumerate(agents):
            fast = FastKinematicObservation(self, **settings)
            fast.observer_vehicle = slow.observer_vehicle
            agents[k] = fast

    # -- geometry -------------------------------------------------------------------------------------------

    @property
    def acceleration_lane(self) -> tuple:
        """The lane index of the acceleration lane (beside the main lane, ending in a barrier)."""
        return ("b", "c", int(self.config["lanes_count"]))

    @property
    def merge_end(self) -> float:
        """x of the end of the acceleration lane (metres): past it every vehicle is on the main road."""
        c = self.config
        return float(c["before_merge_length"] + c["converge_merge_length"] + c["parallel_merge_length"])

    @property
    def merge_start(self) -> float:
        """x where the acceleration lane begins (metres)."""
        c = self.config
        return float(c["before_merge_length"] + c["converge_merge_length"])

    # -- stepping -------------------------------------------------------------------------------------------

    @property
    def n_agents(self) -> int:
        return len(self.controlled_vehicles)

    def _check_actions(self, actions) -> tuple:
        try:
            actions = tuple(int(a) for a in np.asarray(actions).reshape(-1))
        except (TypeError, ValueError):
            raise TypeError(f"actions must be a sequence of {self.n_agents} integers in 0..4; got {actions!r}") from None
        if len(actions) != self.n_agents or any(a < 0 or a >= len(ACTIONS) for a in actions):
            raise ValueError(f"actions must hold one integer in 0..4 per controlled vehicle ({self.n_agents}); "
                             f"got {actions!r}")
        return actions

    def step(self, actions: Sequence[int]):
        """Apply one meta-action per controlled vehicle for one decision period.

        Returns
        -------
        observations : tuple of ndarray
            One Kinematics observation per controlled vehicle.
        rewards : ndarray
            One float reward per controlled vehicle.
        terminated, truncated : bool
        info : dict
            ``agents_rewards`` (the rewards as a tuple), ``crashed`` and ``speeds`` per vehicle, plus the
            environment's own entries.
        """
        if self.road is None or not self.controlled_vehicles:
            raise RuntimeError("call reset() before step()")
        actions = self._check_actions(actions)
        frequency = self.config["simulation_frequency"]
        frames = int(frequency // self.config["policy_frequency"])
        self.time += 1 / self.config["policy_frequency"]
        self._begin_period()
        for frame in range(frames):
            if frame == 0:
                self.action_type.act(actions)
            self._auto_merge()
            self.road.act()
            self.road.step(1 / frequency)
            self.steps += 1
            self._after_frame()
            if any(vehicle.crashed for vehicle in self.controlled_vehicles):
                break
        observations = self.observation_type.observe()
        rewards = np.asarray(self._agent_rewards(actions), dtype=float)
        terminated = bool(self._is_terminated())
        truncated = bool(not terminated and self._is_truncated())
        info = self._info(observations, actions)
        info["agents_rewards"] = tuple(float(r) for r in rewards)
        return observations, rewards, terminated, truncated, info

    def _auto_merge(self) -> None:
        left = self.acceleration_lane[:2] + (self.acceleration_lane[2] - 1,)
        lane = self.road.network.get_lane(self.acceleration_lane)
        for vehicle in self.controlled_vehicles:
            if vehicle.crashed or vehicle.lane_index != self.acceleration_lane:
                continue
            if vehicle.target_lane_index != self.acceleration_lane:
                continue
            remaining = lane.length - lane.local_coordinates(vehicle.position)[0]
            if remaining < vehicle.speed * self.config["auto_merge_time"] + Vehicle.LENGTH:
                vehicle.target_lane_index = left

    def _info(self, observations, action=None) -> dict:
        return {
            "crashed": tuple(bool(v.crashed) for v in self.controlled_vehicles),
            "speeds": tuple(float(v.speed) for v in self.controlled_vehicles),
            "positions": tuple((float(v.position[0]), float(v.position[1])) for v in self.controlled_vehicles),
            "action": action,
        }

    def _is_truncated(self) -> bool:
        return self.time >= self.config["duration"] - 1e-9

    # hooks for the environments
    def _begin_period(self) -> None:
        pass

    def _after_frame(self) -> None:
        pass

    def _agent_rewards(self, actions) -> list:
        raise NotImplementedError

    def _reward(self, action) -> float:  # highway-env's scalar reward: the mean of the agents' rewards
        return float(np.mean(self._agent_rewards(action)))

    def _rewards(self, action) -> dict:
        raise NotImplementedError  # no multi-objective vector (keeps highway-env's _info from calling it)
