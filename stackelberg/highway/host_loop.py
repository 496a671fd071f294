"""The host loop that drives learners on the (Python) highway-env simulator, one episode at a time.

The JAX learners of :mod:`stackelberg.neural` treat environments as pure functions; highway-env cannot be traced,
so here the loop runs in Python and calls the learner's pure functions at its boundaries. A learner is any
object with (see :class:`Learner`)

- ``name`` (str) and ``config()`` (a JSON dict of its hyperparameters: both enter a study's key),
- ``init(spec, key) -> params``,
- ``act(params, obs, key) -> actions``: ``obs`` a float32 array ``(n_agents, *observation_shape)``, ``actions``
  ``n_agents`` integers in 0..4 (numpy or JAX array),
- ``update(params, batch) -> params``, called once at the end of every training episode with the episode's
  transitions as numpy arrays (``batch`` below); off-policy learners keep their replay buffer in ``params``.

``params`` is any picklable pytree. ``key`` is a raw ``uint32[2]`` array (:func:`episode_key`), derived from
(seed, episode, step) and nothing else, which JAX accepts as a legacy PRNG key
(``jax.random.wrap_key_data(key)`` gives a typed one) and numpy as a seed (``np.random.default_rng(key)``).
Since the environment is also reset from (seed, episode), an episode depends only on the params it starts
with: a run resumed from a checkpoint of its params replays exactly (:mod:`stackelberg.analysis.highway_study`).

Examples
--------
>>> import gymnasium as gym
>>> from stackelberg.highway import FixedActionPolicy, run_episode
>>> env = gym.make("stackelberg/TwoVehicleMerge-v0")
>>> policy = FixedActionPolicy((3, 4))  # main car FASTER, ramp car SLOWER (too slow to pass in 20 s)
>>> params = policy.init(EnvSpec.of(env), init_key(0))
>>> params, record = run_episode(env, policy, params, seed=0, episode=0)
>>> record["outcome"], record["returns"]
('main_first', [50.0, 0.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .._validation import check_positive_int

__all__ = ["EnvSpec", "Learner", "episode_key", "episode_seed", "init_key", "run_episode"]


@dataclass(frozen=True)
class EnvSpec:
    """What a learner needs to know of an environment to build its parameters.

    Attributes
    ----------
    n_agents : int
        Controlled vehicles (agent 0 is the leader where there is one).
    observation_shape : tuple of int
        One agent's observation.
    n_actions : int
        Discrete actions per agent (5 meta-actions).
    """

    n_agents: int
    observation_shape: tuple
    n_actions: int = 5

    @classmethod
    def of(cls, env) -> "EnvSpec":
        """The spec of a reset environment (its controlled vehicles and Kinematics observation)."""
        base = env.unwrapped
        spaces = base.observation_space.spaces
        return cls(n_agents=len(spaces), observation_shape=tuple(spaces[0].shape),
                   n_actions=int(base.action_space.spaces[0].n))


@runtime_checkable
class Learner(Protocol):
    """The interface the host loop drives (see the module docstring)."""

    name: str

    def config(self) -> dict: ...

    def init(self, spec: EnvSpec, key) -> Any: ...

    def act(self, params, obs, key): ...

    def update(self, params, batch: dict) -> Any: ...


def episode_key(seed: int, episode: int, step: int = -1) -> np.ndarray:
    """The raw ``uint32[2]`` PRNG key of (seed, episode, step); ``step=-1`` is the episode's update key.

    Examples
    --------
    >>> episode_key(0, 1, 2).dtype, episode_key(0, 1, 2).shape
    (dtype('uint32'), (2,))
    >>> bool((episode_key(0, 1, 2) == episode_key(0, 1, 2)).all())
    True
    """
    return np.random.SeedSequence([int(seed), int(episode), int(step) + 1, 0x4B]).generate_state(2, dtype=np.uint32)


def init_key(seed: int) -> np.ndarray:
    """The raw ``uint32[2]`` key of ``learner.init`` for a run with this seed.

    Examples
    --------
    >>> bool((init_key(0) != episode_key(0, 0)).any())
    True
    """
    return np.random.SeedSequence([int(seed), 0x49]).generate_state(2, dtype=np.uint32)


def episode_seed(seed: int, episode: int) -> int:
    """The environment's reset seed for (seed, episode).

    Examples
    --------
    >>> episode_seed(0, 0) == episode_seed(0, 0) != episode_seed(0, 1)
    True
    """
    return int(np.random.SeedSequence([int(seed), int(episode), 0x45]).generate_state(1, dtype=np.uint32)[0])


def run_episode(env, learner, params, *, seed: int, episode: int, train: bool = True, max_steps: int = 10_000):
    """Play one episode (reset from ``(seed, episode)``) and, if ``train``, update the learner at its end.

    Parameters
    ----------
    env : gymnasium.Env
        A stackelberg highway environment (tuple observations, reward arrays).
    learner : Learner
    params
        The learner's parameters at the start of the episode.
    seed, episode : int
        Fix the environment's reset seed and every key.
    train : bool
        Call ``learner.update(params, batch)`` at the end, with ``batch`` holding ``obs`` and ``next_obs``
        ``(T, n_agents, *observation_shape)`` float32, ``actions`` ``(T, n_agents)`` int64, ``rewards``
        ``(T, n_agents)`` float64, ``terminated`` and ``truncated`` ``(T,)`` bool, and ``key`` (the update key).
    max_steps : int
        A guard against an environment that never ends.

    Returns
    -------
    params
        The updated parameters (the same object when ``train`` is False).
    record : dict
        JSON values: ``seed``, ``episode``, ``steps``, ``returns`` (per agent), ``crashed`` (any controlled
        vehicle), ``mean_speed`` (controlled vehicles, averaged over steps), and ``outcome`` for the two-vehicle
        merge.
    """
    seed = check_positive_int("seed", seed, minimum=0)
    episode = check_positive_int("episode", episode, minimum=0)
    max_steps = check_positive_int("max_steps", max_steps)
    observations, info = env.reset(seed=episode_seed(seed, episode))
    obs = np.stack(observations).astype(np.float32)
    record_obs, record_next, record_actions, record_rewards, record_term, record_trunc = [], [], [], [], [], []
    speeds = []
    for step in range(max_steps):
        actions = np.asarray(learner.act(params, obs, episode_key(seed, episode, step)), dtype=np.int64).reshape(-1)
        observations, rewards, terminated, truncated, info = env.step(tuple(int(a) for a in actions))
        next_obs = np.stack(observations).astype(np.float32)
        record_obs.append(obs)
        record_next.append(next_obs)
        record_actions.append(actions)
        record_rewards.append(np.asarray(rewards, dtype=float))
        record_term.append(bool(terminated))
        record_trunc.append(bool(truncated))
        speeds.append(float(np.mean(info["speeds"])))
        obs = next_obs
        if terminated or truncated:
            break
    else:
        raise RuntimeError(f"the episode did not end within max_steps={max_steps} steps")
    rewards = np.asarray(record_rewards)
    if train:
        batch = {
            "obs": np.asarray(record_obs),
            "actions": np.asarray(record_actions),
            "rewards": rewards,
            "next_obs": np.asarray(record_next),
            "terminated": np.asarray(record_term),
            "truncated": np.asarray(record_trunc),
            "key": episode_key(seed, episode),
        }
        params = learner.update(params, batch)
    record = {
        "seed": seed,
        "episode": episode,
        "steps": len(record_rewards),
        "returns": [float(r) for r in rewards.sum(axis=0)],
        "crashed": bool(any(info["crashed"])),
        "mean_speed": float(np.mean(speeds)),
    }
    if "outcome" in info:
        record["outcome"] = info["outcome"]
    return params, record
