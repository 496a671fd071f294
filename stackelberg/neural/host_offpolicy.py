r"""Bi-AC, I-DQN and MADDPG as host-loop learners, for simulators that cannot be traced (highway-env).

:mod:`stackelberg.neural.offpolicy` runs whole training runs as ``jit(vmap(lax.scan))`` programs over pure
environments. A Python simulator such as highway-env instead drives a learner from a host loop
(:func:`stackelberg.highway.run_episode`) through four calls (duck-typed; this module does not import
:mod:`stackelberg.highway`):

- ``init(spec, key) -> params`` (``spec`` has ``n_agents``, ``observation_shape`` and ``n_actions``; ``key`` a
  raw ``uint32[2]`` key),
- ``act(params, obs, key) -> actions`` (``obs`` ``(n_agents, *observation_shape)``),
- ``update(params, batch) -> params`` at the end of each training episode with its transitions,
- ``name`` and ``config()`` (a JSON dict).

The learners here are the networks, optimisers, acting rules and losses of :mod:`~stackelberg.neural.offpolicy`
themselves (its agent builders, :func:`~stackelberg.neural.offpolicy.critic_loss`,
:func:`~stackelberg.neural.offpolicy.biac_target`, :func:`~stackelberg.neural.offpolicy.gumbel_actor_loss`,
:func:`~stackelberg.neural.offpolicy.dqn_loss` and its gradient step), only fed differently:

- The state every network reads is the joint observation, the agents' observations flattened and concatenated
  (float32, ``n_agents * prod(observation_shape)`` features): the centralised state of Bi-AC and MADDPG
  critics; actors and I-DQN read the same vector (in the highway merges each vehicle's own observation already
  shows the others, so this hides nothing from the decentralised learners and reveals nothing new).
- ``params`` is a dict of numpy arrays (it pickles): the networks (``"networks"``), their Polyak-averaged copies
  (``"target"``), the Adam states (``"opt_state"``), the replay buffer (``"buffer"``: ``obs``, ``actions``,
  ``rewards``, ``next_obs``, ``continuation`` as fixed-size ring arrays of ``buffer_size`` rows) and ``"t"``, the
  environment steps stored so far (the exploration clock).
- Exploration (the Bi-AC paper's schedule, :func:`~stackelberg.neural.offpolicy.OffPolicyConfig`): while fewer
  than ``explore_steps`` steps have been stored, joint actions are uniform; then epsilon-greedy with epsilon
  decaying linearly from ``epsilon_start`` to ``epsilon_end`` over ``epsilon_decay_steps`` steps. Epsilon is read
  from ``t`` at the start of an episode (params do not change within an episode). ``greedy=True`` acts without
  exploration (for evaluation).
- ``update`` appends the episode's transitions (continuation ``gamma`` unless the episode terminated there, so a
  time-limit truncation bootstraps), then takes ``updates_per_step`` gradient steps per environment step of the
  episode once the buffer holds a minibatch; each step samples ``batch_size`` stored transitions uniformly
  (numpy generator seeded by the batch's key) and updates every network and the target networks
  (``target_rate``). Acting and the gradient step are jitted once per process and configuration.

Everything is a function of the keys: the same ``init`` key and the same episodes give identical params.

The configurations extend those of :mod:`~stackelberg.neural.offpolicy` with ``gamma`` and
``updates_per_step``; their ``steps`` and ``log_every`` fields are not used here (the host loop decides the
number of episodes).

Examples
--------
>>> import numpy as np
>>> from types import SimpleNamespace
>>> spec = SimpleNamespace(n_agents=2, observation_shape=(2, 5), n_actions=5)
>>> learner = BiACLearner(BiACHostConfig(hidden=(16,), batch_size=4, explore_steps=0))
>>> params = learner.init(spec, np.array([0, 1], dtype=np.uint32))
>>> obs = np.zeros((2, 2, 5), dtype=np.float32)
>>> learner.act(params, obs, np.array([0, 2], dtype=np.uint32)).shape
(2,)
>>> batch = {"obs": np.zeros((6, 2, 2, 5), np.float32), "actions": np.ones((6, 2), np.int64),
...          "rewards": np.ones((6, 2)), "next_obs": np.zeros((6, 2, 2, 5), np.float32),
...          "terminated": np.array([False] * 5 + [True]), "truncated": np.zeros(6, bool),
...          "key": np.array([3, 4], dtype=np.uint32)}
>>> new = learner.update(params, batch)
>>> new["t"], float(new["buffer"]["continuation"][5])
(6, 0.0)
>>> BiACHostConfig(gamma=1.5)
Traceback (most recent call last):
...
ValueError: gamma must be a discount factor in [0, 1); got 1.5
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import check_discount, check_flag, check_positive_int
from .offpolicy import (
    BiACConfig,
    IDQNConfig,
    MADDPGConfig,
    OffPolicyConfig,
    _biac_agent,
    _epsilon,
    _gradient_step,
    _idqn_agent,
    _maddpg_agent,
)

__all__ = [
    "HostSettings",
    "BiACHostConfig",
    "IDQNHostConfig",
    "MADDPGHostConfig",
    "BiACLearner",
    "IDQNLearner",
    "MADDPGLearner",
]


# ---------------------------------------------------------------------------- configurations
@dataclass(frozen=True)
class HostSettings:
    """The host-loop settings added to an off-policy configuration (a mixin of the ``*HostConfig`` classes).

    Attributes
    ----------
    gamma : float
        Discount factor in [0, 1) (the pure environments of :mod:`~stackelberg.neural.envs` carry their own).
    updates_per_step : int
        Gradient steps per environment step of the episode just played.
    """

    gamma: float = 0.95
    updates_per_step: int = 1

    def __post_init__(self):
        super().__post_init__()
        check_discount("gamma", self.gamma)
        check_positive_int("updates_per_step", self.updates_per_step)


@dataclass(frozen=True)
class BiACHostConfig(HostSettings, BiACConfig):
    """:class:`~stackelberg.neural.offpolicy.BiACConfig` with the host-loop settings (:class:`HostSettings`)."""


@dataclass(frozen=True)
class IDQNHostConfig(HostSettings, IDQNConfig):
    """:class:`~stackelberg.neural.offpolicy.IDQNConfig` with the host-loop settings (:class:`HostSettings`)."""


@dataclass(frozen=True)
class MADDPGHostConfig(HostSettings, MADDPGConfig):
    """:class:`~stackelberg.neural.offpolicy.MADDPGConfig` with the host-loop settings (:class:`HostSettings`)."""


# ---------------------------------------------------------------------------- compiled functions
class _Shape(NamedTuple):
    """What the agent builders of :mod:`~stackelberg.neural.offpolicy` read of an environment."""

    n_agents: int
    action_counts: tuple
    obs_dim: int
    n_joint_actions: int


class _Compiled(NamedTuple):
    agent: object
    act: Callable  # (networks, state, key, t, greedy) -> actions
    step: Callable  # (networks, target, opt_state, batch, key, t) -> (networks, opt_state, target)


_COMPILED: dict = {}


def _compiled(builder, settings: OffPolicyConfig, shape: _Shape) -> _Compiled:
    """The agent of ``builder`` and its jitted act and gradient step, built once per process and key."""
    cache_key = (builder.__name__, settings, shape)
    if cache_key not in _COMPILED:
        agent = builder(shape, settings)

        @jax.jit
        def act(networks, state, key, t, greedy):
            epsilon = jnp.where(greedy, 0.0, _epsilon(settings, t))
            return agent.act(networks, state, key, epsilon)

        @jax.jit
        def step(networks, target, opt_state, batch, key, t):
            return _gradient_step(agent, settings, networks, target, opt_state, batch, key, t)

        _COMPILED[cache_key] = _Compiled(agent, act, step)
    return _COMPILED[cache_key]


def _raw_key(key, argument: str) -> jax.Array:
    key = np.asarray(key)
    if key.shape != (2,) or key.dtype != np.uint32:
        raise ValueError(f"{argument} must be a raw uint32[2] PRNG key; got shape {key.shape} dtype {key.dtype}")
    return jnp.asarray(key)


# ---------------------------------------------------------------------------- the learners
class _HostOffPolicyLearner:
    """The host-loop interface around an agent builder of :mod:`~stackelberg.neural.offpolicy`."""

    name = ""
    _config_class = OffPolicyConfig
    _builder = staticmethod(lambda shape, settings: None)

    def __init__(self, config=None, *, greedy: bool = False):
        config = self._config_class() if config is None else config
        if not isinstance(config, self._config_class):
            raise TypeError(f"config must be a {self._config_class.__name__}; got {type(config).__name__}")
        self.settings = config
        self.greedy = check_flag("greedy", greedy)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r}, greedy={self.greedy})"

    def config(self) -> dict:
        """The configuration as JSON values (with ``greedy``): it enters a study's key."""
        values = {f.name: getattr(self.settings, f.name) for f in fields(self.settings)}
        values["hidden"] = list(values["hidden"])
        values["greedy"] = self.greedy
        return values

    def _shape(self, n_agents: int, obs_dim: int, n_actions: int) -> _Shape:
        return _Shape(n_agents, (n_actions,) * n_agents, obs_dim, n_actions**n_agents)

    def _functions(self, params) -> _Compiled:
        return _compiled(type(self)._builder, self.settings, self._shape(*params["shape"]))

    def init(self, spec, key) -> dict:
        """Fresh networks (from ``key``), target copies, Adam states and an empty replay buffer for ``spec``."""
        n_agents = check_positive_int("spec.n_agents", spec.n_agents)
        n_actions = check_positive_int("spec.n_actions", spec.n_actions)
        obs_dim = n_agents * int(np.prod(spec.observation_shape))
        check_positive_int("spec.observation_shape", obs_dim)
        key = _raw_key(key, "key")
        fns = _compiled(type(self)._builder, self.settings, self._shape(n_agents, obs_dim, n_actions))
        networks = fns.agent.init(key)
        opt_state = {name: fns.agent.optimizers[name].init(networks[name]) for name in fns.agent.optimizers}
        cap = self.settings.buffer_size
        buffer = {
            "obs": np.zeros((cap, obs_dim), np.float32),
            "actions": np.zeros((cap, n_agents), np.int32),
            "rewards": np.zeros((cap, n_agents), np.float32),
            "next_obs": np.zeros((cap, obs_dim), np.float32),
            "continuation": np.zeros((cap,), np.float32),
        }
        return {
            "shape": (n_agents, obs_dim, n_actions),
            "networks": jax.device_get(networks),
            "target": jax.device_get(networks),
            "opt_state": jax.device_get(opt_state),
            "buffer": buffer,
            "t": 0,
        }

    def act(self, params, obs, key) -> np.ndarray:
        """One action per agent: uniform, epsilon-greedy or greedy (see the module docstring)."""
        state = np.asarray(obs, dtype=np.float32).reshape(-1)
        if state.shape[0] != params["shape"][1]:
            raise ValueError(f"obs must hold {params['shape'][1]} features in all; got {state.shape[0]}")
        fns = self._functions(params)
        actions = fns.act(params["networks"], state, _raw_key(key, "key"), params["t"], self.greedy)
        return np.asarray(actions, dtype=np.int64)

    def update(self, params, batch: dict) -> dict:
        """Store the episode's transitions, then take the gradient steps (see the module docstring).

        Returns new params; the given ones are not modified.
        """
        settings = self.settings
        n_agents, obs_dim, _ = params["shape"]
        actions = np.asarray(batch["actions"])
        steps = actions.shape[0]
        new = {
            "obs": np.asarray(batch["obs"], dtype=np.float32).reshape(steps, -1),
            "actions": actions.astype(np.int32).reshape(steps, n_agents),
            "rewards": np.asarray(batch["rewards"], dtype=np.float32).reshape(steps, n_agents),
            "next_obs": np.asarray(batch["next_obs"], dtype=np.float32).reshape(steps, -1),
            "continuation": np.where(np.asarray(batch["terminated"], dtype=bool), 0.0,
                                     settings.gamma).astype(np.float32),
        }
        if new["obs"].shape[1] != obs_dim or new["next_obs"].shape[1] != obs_dim:
            raise ValueError(f"batch observations must hold {obs_dim} features per step; got {new['obs'].shape[1]}")
        cap, t0 = settings.buffer_size, int(params["t"])
        slots = (t0 + np.arange(steps)) % cap
        buffer = {}
        for name, array in params["buffer"].items():
            array = array.copy()
            array[slots] = new[name]
            buffer[name] = array
        t = t0 + steps
        size = min(t, cap)
        fns = self._functions(params)
        rng = np.random.default_rng(np.asarray(batch["key"], dtype=np.uint32))
        base = _raw_key(batch["key"], "batch['key']")
        networks, target, opt_state = params["networks"], params["target"], params["opt_state"]
        count = 0
        for j in range(steps):
            if t0 + j + 1 < settings.batch_size:
                continue
            for _ in range(settings.updates_per_step):
                index = rng.integers(0, size, settings.batch_size)
                sample = {name: array[index] for name, array in buffer.items()}
                networks, opt_state, target = fns.step(networks, target, opt_state, sample,
                                                       jax.random.fold_in(base, count), t0 + j)
                count += 1
        return {
            "shape": params["shape"],
            "networks": jax.device_get(networks),
            "target": jax.device_get(target),
            "opt_state": jax.device_get(opt_state),
            "buffer": buffer,
            "t": t,
        }


class BiACLearner(_HostOffPolicyLearner):
    r"""Bi-AC (Zhang et al. 2020, Eqs. 12-16) for two agents, agent 0 leading, driven by a host loop.

    Leader critic :math:`Q_1(s, a_1, a_2)`, follower critic :math:`Q_2(s, a_1, a_2)` and follower actor
    :math:`\pi_2(a_2 | s, a_1)` trained with Gumbel-softmax; the leader acts by maximising
    :math:`\sum_{a_2} \pi_2(a_2 | s, a_1) Q_1(s, a_1, a_2)`, the follower by the argmax of
    :math:`\pi_2(\cdot | s, a_1)` given the leader's action (see :mod:`~stackelberg.neural.offpolicy`).

    Parameters
    ----------
    config : BiACHostConfig, optional
    greedy : bool
        Act without exploration (evaluation).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> learner = BiACLearner(BiACHostConfig(hidden=(8,)))
    >>> params = learner.init(SimpleNamespace(n_agents=2, observation_shape=(2, 5), n_actions=5),
    ...                       np.array([0, 0], dtype=np.uint32))
    >>> sorted(params["networks"])
    ['pi', 'q1', 'q2']
    >>> BiACLearner().init(SimpleNamespace(n_agents=3, observation_shape=(2, 5), n_actions=5),
    ...                    np.array([0, 0], dtype=np.uint32))
    Traceback (most recent call last):
    ...
    ValueError: bi-ac needs a two-agent environment (agent 0 leads); got 3 agents
    """

    name = "bi-ac"
    _config_class = BiACHostConfig
    _builder = staticmethod(_biac_agent)


class IDQNLearner(_HostOffPolicyLearner):
    """Independent DQN for any number of agents (one :math:`Q_i(s, a_i)` per agent), driven by a host loop.

    Parameters
    ----------
    config : IDQNHostConfig, optional
    greedy : bool
        Act without exploration (evaluation).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> learner = IDQNLearner(IDQNHostConfig(hidden=(8,)), greedy=True)
    >>> params = learner.init(SimpleNamespace(n_agents=3, observation_shape=(4,), n_actions=5),
    ...                       np.array([0, 0], dtype=np.uint32))
    >>> sorted(params["networks"]), learner.config()["greedy"]
    (['q0', 'q1', 'q2'], True)
    """

    name = "i-dqn"
    _config_class = IDQNHostConfig
    _builder = staticmethod(_idqn_agent)


class MADDPGLearner(_HostOffPolicyLearner):
    """MADDPG for any number of agents (Gumbel-softmax actors, centralised critics), driven by a host loop.

    Each critic outputs a value per joint action (``n_actions ** n_agents`` outputs, as in
    :func:`~stackelberg.neural.offpolicy.make_maddpg`), so its size grows exponentially with the agents.

    Parameters
    ----------
    config : MADDPGHostConfig, optional
    greedy : bool
        Act without exploration (evaluation).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> learner = MADDPGLearner(MADDPGHostConfig(hidden=(8,)))
    >>> params = learner.init(SimpleNamespace(n_agents=3, observation_shape=(4,), n_actions=5),
    ...                       np.array([0, 0], dtype=np.uint32))
    >>> sorted(params["networks"])
    ['pi0', 'pi1', 'pi2', 'q0', 'q1', 'q2']
    """

    name = "maddpg"
    _config_class = MADDPGHostConfig
    _builder = staticmethod(_maddpg_agent)
