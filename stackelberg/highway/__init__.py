"""Highway merging with learning vehicles on highway-env (optional extra ``highway``).

Two multi-agent gymnasium environments built on highway-env's merge road and vehicle models, registered when
this package is imported:

- ``stackelberg/TwoVehicleMerge-v0`` (:class:`TwoVehicleMergeEnv`): the Bi-AC "Traffic Merge" game, a main-lane
  leader and a ramp follower, 50 for passing the merge point first, 10 second, -10 to both on a crash;
- ``stackelberg/OnRampMerge-v0`` and its presets ``stackelberg/OnRampMerge-{easy,medium,hard}-v0``
  (:class:`OnRampMergeEnv`): STEP's Highway On-Ramp Merging after Chen et al. (2021), several controlled
  vehicles among IDM/MOBIL traffic with speed, headway, merging-cost and collision rewards.

Both take a tuple of discrete meta-actions (0 LANE_LEFT, 1 IDLE, 2 LANE_RIGHT, 3 FASTER, 4 SLOWER), one per
controlled vehicle, and return a tuple of per-vehicle observations and a float array of per-vehicle rewards.
highway-env is a Python simulator, so learners are driven by a host loop (:mod:`stackelberg.highway.host_loop`):
``act(params, obs, key) -> actions`` and ``update(params, batch) -> params``.

Importing this package without highway-env and gymnasium raises
:class:`~stackelberg.errors.MissingExtraError` naming ``pip install "stackelberg[highway]"``.

Examples
--------
>>> import gymnasium as gym
>>> import stackelberg.highway
>>> env = gym.make("stackelberg/TwoVehicleMerge-v0")
>>> observations, info = env.reset(seed=0)
>>> len(observations), observations[0].shape
(2, (2, 5))
>>> observations, rewards, terminated, truncated, info = env.step((1, 1))
>>> rewards.shape, terminated, truncated
((2,), False, False)
"""

from __future__ import annotations

from ..errors import MissingExtraError

try:  # the extra's dependencies, imported once here so every submodule may assume them
    import gymnasium as _gymnasium  # noqa: F401
    import highway_env as _highway_env  # noqa: F401
except ImportError as _error:  # pragma: no cover - exercised in a subprocess by the tests
    raise MissingExtraError("highway", "stackelberg.highway") from _error

from ._registration import ENV_IDS, register_environments
from .host_loop import EnvSpec, Learner, episode_key, episode_seed, init_key, run_episode
from .on_ramp_merge import DENSITIES, OnRampMergeEnv
from .policies import FixedActionPolicy, LinearQLearner, RandomPolicy
from .two_vehicle_merge import OUTCOMES, TwoVehicleMergeEnv

register_environments()

__all__ = [
    "ENV_IDS",
    "DENSITIES",
    "OUTCOMES",
    "EnvSpec",
    "FixedActionPolicy",
    "Learner",
    "LinearQLearner",
    "OnRampMergeEnv",
    "RandomPolicy",
    "TwoVehicleMergeEnv",
    "episode_key",
    "episode_seed",
    "init_key",
    "register_environments",
    "run_episode",
]
