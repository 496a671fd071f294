"""STEP's Highway On-Ramp Merging (Zhang et al., Figs 8-9, Appendix A.2) after Chen et al. (2021), on highway-env.

Several controlled vehicles (CAVs), on the main lane and on the ramp, drive among simulator-driven vehicles
(HDVs: highway-env's ``IDMVehicle``, IDM car following with MOBIL lane changes). Each CAV has the five discrete
meta-actions (0 LANE_LEFT, 1 IDLE, 2 LANE_RIGHT, 3 FASTER, 4 SLOWER) and observes the positions and speeds of
the other vehicles. Agent i's reward at a step is (Chen et al. 2021, Eq. 8 and Sec. IV-C)

.. math::

    r_i = -w_c \\,[\\text{crashed}_i] + w_s \\,\\mathrm{clip}\\Big(\\frac{v_i - v_{min}}{v_{max} - v_{min}}, 0, 1\\Big)
          + w_h \\min\\Big(0, \\ln\\frac{d_i}{t_h v_i}\\Big)
          - w_m \\,[\\text{on the acceleration lane}]\\, e^{-(x_i - L)^2 / (10\\, L_m)}

with weights w_c = 200, w_s = 1, w_h = 4, w_m = 4, speed range [v_min, v_max] = [10, 30] m/s, headway time
t_h = 1.2 s, d_i the distance (m) to the vehicle (or barrier) ahead in the same lane (connected lane segments
included; no cost when there is none or v_i = 0), L = 310 m the x of the end of the acceleration lane and
L_m = 80 m its length. STEP's appendix names these terms without giving them; this is our reading, taking
Chen et al.'s definitions, which STEP cites for the environment.

Parameters (highway-env 1.12.1; config keys of the same names)

- Road: as :class:`~stackelberg.highway.TwoVehicleMergeEnv` (one main lane; sections 150/80/80/150 m; the
  acceleration lane x = 230..310 m ends in a barrier; auto-merge 1 s before its end).
- Densities (Chen et al. 2021): ``"easy"`` 1-3 CAVs and 1-3 HDVs, ``"medium"`` 2-4 and 2-4, ``"hard"`` 4-6 and
  3-5. The number of HDVs is drawn uniformly in its range at every reset. The number of CAVs is fixed to the top
  of the range by default (3, 4, 6: learners need a fixed number of agents); ``controlled_vehicles="random"``
  draws it per episode as Chen et al. do, an integer fixes it.
- Spawning (Chen et al.): CAVs first, the first half (rounded down) on the main lane, the rest on the ramp;
  then HDVs likewise. Main-lane spawn points x = 10, 50, ..., 210 m and ramp spawn points x = 5, 45, ..., 205 m,
  drawn without replacement, each shifted by U(-1.5, 1.5) m; initial speeds U(25, 27) m/s. A ramp point past
  the ramp's straight part (x > 150 m) is placed on the converging lane at that x (our choice: the lane a car at
  that x would be on).
- Vehicles: CAVs are ``MDPVehicle`` with highway-env's default target speeds 20, 25, 30 m/s.
- Timing: simulation 15 Hz, 5 decisions per second (``policy_frequency=5``: 3 frames per step), at most 20 s
  (``duration``: 100 steps); the episode terminates when any CAV crashes.
- Observations: for each CAV, highway-env's Kinematics rows (itself first, then the others sorted by distance,
  behind included, zero rows for absent vehicles) of presence, x, y, vx, vy relative to it and normalised; by
  default as many rows as the density can hold vehicles (6, 8, 11), so every vehicle is seen ("each vehicle can
  monitor ... all other vehicles", STEP A.2). ``observed_vehicles`` sets another count (Chen et al. used 5).
- Rewards: each agent gets its own r_i (a mixed game, as STEP treats it); ``info["reward_terms"]`` gives the
  four terms per agent, ``info["mean_speed"]`` the CAVs' mean speed (STEP Fig. 9).

Examples
--------
>>> import gymnasium as gym
>>> import stackelberg.highway
>>> env = gym.make("stackelberg/OnRampMerge-easy-v0")
>>> observations, info = env.reset(seed=0)
>>> len(observations), observations[0].shape
(3, (6, 5))
>>> _, rewards, terminated, truncated, info = env.step((1, 1, 1))
>>> rewards.shape, sorted(info["reward_terms"])
((3,), ['collision', 'headway', 'merging', 'speed'])
"""

from __future__ import annotations

import numpy as np
from highway_env import utils

from ._base import MultiAgentMergeEnv

__all__ = ["OnRampMergeEnv", "DENSITIES"]

#: Chen et al. (2021): inclusive ranges of the numbers of (controlled, simulator-driven) vehicles per density.
DENSITIES = {"easy": ((1, 3), (1, 3)), "medium": ((2, 4), (2, 4)), "hard": ((4, 6), (3, 5))}

_MAIN_SPAWNS = (10.0, 50.0, 90.0, 130.0, 170.0, 210.0)
_RAMP_SPAWNS = (5.0, 45.0, 85.0, 125.0, 165.0, 205.0)


class OnRampMergeEnv(MultiAgentMergeEnv):
    """Several controlled vehicles merging among IDM traffic; see the module docstring.

    Parameters
    ----------
    config : dict, optional
        Overrides of :meth:`default_config`; ``density`` is one of ``"easy"``, ``"medium"``, ``"hard"``.
    render_mode : {None, "rgb_array", "human"}
    density : str, optional
        The density unless ``config`` names one (how the ``OnRampMerge-{density}-v0`` ids preset it, so that
        ``gym.make(id, config={...})`` keeps the id's density).
    """

    def __init__(self, config: dict | None = None, render_mode: str | None = None, *, density: str | None = None):
        if density is not None:
            config = {"density": density, **(config or {})}
        super().__init__(config=config, render_mode=render_mode)

    @classmethod
    def default_config(cls) -> dict:
        config = super().default_config()
        config.update(
            {
                "density": "easy",
                "controlled_vehicles": None,
                "observed_vehicles": None,
                "policy_frequency": 5,
                "duration": 20.0,
                "initial_speed": [25.0, 27.0],
                "position_noise": 1.5,
                "collision_reward": 200.0,
                "high_speed_reward": 1.0,
                "headway_cost": 4.0,
                "headway_time": 1.2,
                "merging_lane_cost": 4.0,
                "reward_speed_range": [10.0, 30.0],
            }
        )
        return config

    def configure(self, config: dict) -> None:
        super().configure(config)
        density = self.config["density"]
        if density not in DENSITIES:
            raise ValueError(f"density must be one of {sorted(DENSITIES)}; got {density!r}")
        (_, most_cavs), (_, most_hdvs) = DENSITIES[density]
        count = self.config["controlled_vehicles"]
        if count is not None and count != "random":
            if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= 6:
                raise ValueError(f"controlled_vehicles must be None, 'random' or an integer in 1..6; got {count!r}")
            most_cavs = int(count)
        if most_cavs + most_hdvs > len(_MAIN_SPAWNS) + len(_RAMP_SPAWNS):
            raise ValueError(f"controlled_vehicles={count} leaves no room for the {density} traffic")
        observed = self.config["observed_vehicles"] or most_cavs + most_hdvs
        self.config["observation"]["observation_config"]["vehicles_count"] = int(observed)

    def _reset(self) -> None:
        self._last_terms = None
        self._make_road()
        self._make_vehicles()

    def _vehicle_counts(self) -> tuple[int, int]:
        rng = self.np_random
        (low_c, high_c), (low_h, high_h) = DENSITIES[self.config["density"]]
        count = self.config["controlled_vehicles"]
        if count is None:
            cavs = high_c
        elif count == "random":
            cavs = int(rng.integers(low_c, high_c + 1))
        else:
            cavs = int(count)
        return cavs, int(rng.integers(low_h, high_h + 1))

    def _spawn_position(self, on_ramp: bool, x: float):
        network, c = self.road.network, self.config
        if not on_ramp:
            return network.get_lane(("a", "b", 0)).position(x, 0.0)
        straight = c["before_merge_length"]
        if x <= straight:
            return network.get_lane(("j", "k", 0)).position(x, 0.0)
        return network.get_lane(("k", "b", 0)).position(x - straight, 0.0)

    def _make_vehicles(self) -> None:
        road, rng, c = self.road, self.np_random, self.config
        cavs, hdvs = self._vehicle_counts()
        main_points, ramp_points = list(_MAIN_SPAWNS), list(_RAMP_SPAWNS)

        def draw(points, count):
            chosen = [points[k] for k in rng.choice(len(points), size=count, replace=False)]
            for point in chosen:
                points.remove(point)
            return chosen

        cav_points = [(False, x) for x in draw(main_points, cavs // 2)] + [
            (True, x) for x in draw(ramp_points, cavs - cavs // 2)]
        hdv_points = [(False, x) for x in draw(main_points, hdvs // 2)] + [
            (True, x) for x in draw(ramp_points, hdvs - hdvs // 2)]
        total = cavs + hdvs
        speeds = rng.uniform(*c["initial_speed"], size=total)
        noise = rng.uniform(-c["position_noise"], c["position_noise"], size=total)
        self.controlled_vehicles = []
        cav_class = self.action_type.vehicle_class
        hdv_class = utils.class_from_path(c["other_vehicles_type"])
        for k, (on_ramp, x) in enumerate(cav_points + hdv_points):
            position = self._spawn_position(on_ramp, x + noise[k])
            vehicle_class = cav_class if k < cavs else hdv_class
            vehicle = vehicle_class(road, position, speed=float(speeds[k]))
            if k < cavs:
                self.controlled_vehicles.append(vehicle)
            road.vehicles.append(vehicle)

    def _reward_terms(self) -> dict:
        c = self.config
        terms = {name: np.zeros(self.n_agents) for name in ("collision", "speed", "headway", "merging")}
        lane = self.road.network.get_lane(self.acceleration_lane)
        for agent, vehicle in enumerate(self.controlled_vehicles):
            terms["collision"][agent] = -c["collision_reward"] * float(vehicle.crashed)
            scaled = utils.lmap(vehicle.speed, c["reward_speed_range"], [0, 1])
            terms["speed"][agent] = c["high_speed_reward"] * float(np.clip(scaled, 0, 1))
            front, _ = self.road.neighbour_vehicles(vehicle)
            if front is not None and vehicle.speed > 0:
                distance = max(float(front.position[0] - vehicle.position[0]), 1e-3)
                terms["headway"][agent] = c["headway_cost"] * min(
                    0.0, float(np.log(distance / (c["headway_time"] * vehicle.speed))))
            if vehicle.lane_index == self.acceleration_lane:
                terms["merging"][agent] = -c["merging_lane_cost"] * float(
                    np.exp(-((vehicle.position[0] - self.merge_end) ** 2) / (10 * lane.length)))
        return terms

    def _agent_rewards(self, actions) -> list:
        self._last_terms = self._reward_terms()
        return list(sum(self._last_terms.values()))

    def _is_terminated(self) -> bool:
        return any(vehicle.crashed for vehicle in self.controlled_vehicles)

    def _info(self, observations, action=None) -> dict:
        info = super()._info(observations, action)
        terms = self._last_terms if self._last_terms is not None else self._reward_terms()
        info["reward_terms"] = {name: tuple(float(x) for x in values) for name, values in terms.items()}
        info["mean_speed"] = float(np.mean([v.speed for v in self.controlled_vehicles]))
        info["on_ramp"] = tuple(v.lane_index[0] in ("j", "k") or v.lane_index == self.acceleration_lane
                                for v in self.controlled_vehicles)
        return info
