"""Simple agents for the host loop: fixed actions, uniform random actions, independent linear Q-learning.

They exercise :func:`~stackelberg.highway.run_episode` and the resumable runner before the JAX learners are
plugged in, and follow the same interface (:class:`~stackelberg.highway.Learner`): ``init(spec, key)``,
``act(params, obs, key)``, ``update(params, batch)``, ``name`` and ``config()``.

Examples
--------
>>> import numpy as np
>>> from stackelberg.highway import EnvSpec, LinearQLearner, episode_key
>>> learner = LinearQLearner(epsilon=0.0)
>>> params = learner.init(EnvSpec(n_agents=2, observation_shape=(2, 5)), episode_key(0, 0))
>>> learner.act(params, np.zeros((2, 2, 5), dtype=np.float32), episode_key(0, 0, 0)).tolist()
[0, 0]
"""

from __future__ import annotations

import numpy as np

from .._validation import check_discount, check_positive, check_positive_int, check_probability
from .host_loop import EnvSpec

__all__ = ["FixedActionPolicy", "RandomPolicy", "LinearQLearner"]


class FixedActionPolicy:
    """Every agent repeats one meta-action (0 LANE_LEFT, 1 IDLE, 2 LANE_RIGHT, 3 FASTER, 4 SLOWER); no learning.

    Parameters
    ----------
    actions : sequence of int
        One action per agent.
    """

    name = "fixed"

    def __init__(self, actions):
        actions = tuple(actions)
        if not actions or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) or not 0 <= a < 5
                              for a in actions):
            raise ValueError(f"actions must be a non-empty sequence of integers in 0..4; got {actions!r}")
        self.actions = tuple(int(a) for a in actions)

    def config(self) -> dict:
        return {"actions": list(self.actions)}

    def init(self, spec: EnvSpec, key):
        if spec.n_agents != len(self.actions):
            raise ValueError(f"actions must hold one action per agent ({spec.n_agents}); got {len(self.actions)}")
        return None

    def act(self, params, obs, key):
        return np.asarray(self.actions, dtype=np.int64)

    def update(self, params, batch):
        return params


class RandomPolicy:
    """Every agent draws its meta-action uniformly from the key; no learning."""

    name = "random"

    def config(self) -> dict:
        return {}

    def init(self, spec: EnvSpec, key):
        return {"n_actions": int(spec.n_actions)}

    def act(self, params, obs, key):
        return np.random.default_rng(key).integers(params["n_actions"], size=len(obs))

    def update(self, params, batch):
        return params


class LinearQLearner:
    """Independent Q-learning with a linear Q per agent: ``Q_i(o, a) = W_i[a] . [o, 1]`` (a small I-DQN stand-in).

    Epsilon-greedy acting (ties to the lowest action); at the end of each episode one semi-gradient TD(0) sweep
    over its transitions, in order: ``W_i[a] += lr * (r_i + gamma * max_b Q_i(o', b) [not terminal] - Q_i(o, a)) * [o, 1]``
    with the TD error clipped to ``[-clip, clip]``. ``params`` is ``{"weights": (n_agents, n_actions, d + 1)}``;
    ``update`` returns new arrays (the input is not modified).

    Parameters
    ----------
    learning_rate : float
    gamma : float
        Discount in [0, 1).
    epsilon : float
        Exploration probability.
    clip : float
        Bound on the TD error (rewards of 50 would otherwise blow up a linear model).
    """

    name = "linear-q"

    def __init__(self, *, learning_rate: float = 0.01, gamma: float = 0.95, epsilon: float = 0.1,
                 clip: float = 10.0):
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.gamma = check_discount("gamma", gamma)
        self.epsilon = check_probability("epsilon", epsilon)
        self.clip = check_positive("clip", clip)

    def config(self) -> dict:
        return {"learning_rate": self.learning_rate, "gamma": self.gamma, "epsilon": self.epsilon, "clip": self.clip}

    def init(self, spec: EnvSpec, key):
        check_positive_int("spec.n_agents", spec.n_agents)
        features = int(np.prod(spec.observation_shape)) + 1
        return {"weights": np.zeros((spec.n_agents, spec.n_actions, features))}

    @staticmethod
    def _features(obs) -> np.ndarray:
        obs = np.asarray(obs, dtype=float)
        flat = obs.reshape(obs.shape[0], -1)
        return np.concatenate([flat, np.ones((flat.shape[0], 1))], axis=1)

    def q_values(self, params, obs) -> np.ndarray:
        """``(n_agents, n_actions)`` Q-values of a joint observation."""
        return np.einsum("iad,id->ia", params["weights"], self._features(obs))

    def act(self, params, obs, key):
        rng = np.random.default_rng(key)
        greedy = np.argmax(self.q_values(params, obs), axis=1)
        n_agents, n_actions = greedy.shape[0], params["weights"].shape[1]
        explore = rng.random(n_agents) < self.epsilon
        return np.where(explore, rng.integers(n_actions, size=n_agents), greedy).astype(np.int64)

    def update(self, params, batch):
        weights = params["weights"].copy()
        agents = np.arange(weights.shape[0])
        for t in range(len(batch["actions"])):
            phi, phi_next = self._features(batch["obs"][t]), self._features(batch["next_obs"][t])
            action = batch["actions"][t]
            target = np.asarray(batch["rewards"][t], dtype=float)
            if not batch["terminated"][t]:
                target = target + self.gamma * np.einsum("iad,id->ia", weights, phi_next).max(axis=1)
            current = np.einsum("id,id->i", weights[agents, action], phi)
            error = np.clip(target - current, -self.clip, self.clip)
            weights[agents, action] += self.learning_rate * error[:, None] * phi
        return {"weights": weights}
