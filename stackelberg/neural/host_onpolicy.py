r"""STEP and MAPPO for host-driven simulators (highway-env): on-policy learners with the host-loop interface.

The learners of :mod:`stackelberg.neural.ppo` and :mod:`stackelberg.neural.hypernetwork` run whole trainings as
one ``jit(vmap)`` program over pure-function environments. A Python simulator such as highway-env cannot be
traced, so :class:`STEPLearner` and :class:`MAPPOLearner` expose the same networks, losses and update to a host
loop (:func:`stackelberg.highway.run_episode` drives them; this module does not import it: the interface is
duck-typed):

- ``name``, ``config()`` (a JSON dict of the settings);
- ``init(spec, key) -> params`` (``spec`` has ``n_agents``, ``observation_shape`` and ``n_actions``);
- ``act(params, obs, key) -> actions``: one jitted call; a sample of the training policy, or with ``greedy=True``
  the execution policy (MAPPO: each actor's most likely action; STEP: agent ``i`` recomputes its superiors'
  greedy actions from its own observation, :func:`~stackelberg.neural.hypernetwork.greedy_chain`);
- ``update(params, batch) -> params`` at the end of every training episode.

The update (all jitted, one copy of every piece: :class:`~stackelberg.neural.ppo.OnPolicyAgent` from
:func:`~stackelberg.neural.ppo.mappo_agent` / :func:`~stackelberg.neural.hypernetwork.step_agent`,
:func:`~stackelberg.neural.ppo.gae` and :func:`~stackelberg.neural.ppo.ppo_update`):

1. The finished episode's behaviour log-probabilities and values are recomputed with the parameters that
   played it (``evaluate``; the parameters change only between episodes, so these are exactly the sampled
   ones), its advantages and returns come from GAE on the scaled rewards (``gamma``, ``gae_lambda``; a
   terminated episode ends with value 0, a truncated one bootstraps from the value of its last observation),
   and the transitions join a buffer kept in ``params``.
2. When the buffer holds at least ``n_envs * rollout_length`` transitions (one PPO iteration, as in
   :class:`~stackelberg.neural.ppo.PPOConfig`; here ``n_envs`` is 1 by default), the most recent
   ``n_envs * rollout_length`` of them (all played by the current parameters) make one PPO update: ``epochs``
   passes of ``minibatches`` Adam steps per phase with the clipped objective, the entropy bonus, the clipped
   value loss (Eq. 12) and, for STEP, one phase per agent in priority order with the hypernetwork regulariser
   (Eq. 11). The buffer is then emptied (the older surplus of fewer than one episode's transitions is
   dropped: it cannot be replayed on-policy).

Observations ``(n_agents, *observation_shape)`` are flattened per agent. Agent order is the environment's: for
:class:`~stackelberg.highway.OnRampMergeEnv` the main-lane vehicles, then the ramp vehicles, which is STEP's
priority order here (main-lane vehicles lead, as the leader of the two-vehicle merge does).

``params`` is a dict of numpy arrays (``"net"``, ``"opt"``, ``"buffer"``, ``"count"``, ``"updates"``): it
pickles, and the jitted functions are cached per (learner settings, spec), so a learner unpickled in another
process compiles once there.

Settings the configs carry for the in-program drivers and that mean nothing here: ``steps`` and
``log_every`` (the host loop decides the budget). ``reward_scale`` must be a number (there is no model to read
the largest reward from); the default configs use 0.05 (the on-ramp merge's collision costs 200, a step's other
terms are of order 1).

Examples
--------
>>> import numpy as np
>>> from types import SimpleNamespace
>>> spec = SimpleNamespace(n_agents=2, observation_shape=(3, 5), n_actions=5)
>>> learner = MAPPOLearner(MAPPOLearner.default_config().replace(hidden=(8,), rollout_length=4, minibatches=2))
>>> params = learner.init(spec, np.array([0, 1], dtype=np.uint32))
>>> obs = np.zeros((2, 3, 5), np.float32)
>>> learner.act(params, obs, np.array([0, 2], dtype=np.uint32)).shape
(2,)
>>> batch = {"obs": np.zeros((5, 2, 3, 5), np.float32), "actions": np.ones((5, 2), np.int64),
...          "rewards": np.ones((5, 2)), "next_obs": np.zeros((5, 2, 3, 5), np.float32),
...          "terminated": np.array([False] * 4 + [True]), "truncated": np.zeros(5, bool),
...          "key": np.array([0, 3], dtype=np.uint32)}
>>> params = learner.update(params, batch)   # 5 transitions >= 4: one PPO update, buffer emptied
>>> int(params["updates"]), int(params["count"])
(1, 0)
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import check_flag, check_positive_int
from .hypernetwork import STEPConfig, step_agent
from .ppo import MAPPOConfig, PPOConfig, _optimiser, gae, mappo_agent, ppo_update

__all__ = ["MAPPOLearner", "STEPLearner", "HOST_DEFAULTS"]

#: The settings both host learners change from the in-program defaults of :class:`~stackelberg.neural.ppo.PPOConfig`:
#: one PPO update per 128 transitions (one to several on-ramp episodes), 4 epochs of 4 minibatches, rewards x 0.05.
HOST_DEFAULTS = {"n_envs": 1, "rollout_length": 128, "epochs": 4, "minibatches": 4, "reward_scale": 0.05}

_BUFFER_FIELDS = ("obs", "actions", "logp", "values", "advantages", "returns")


def _bucket(length: int) -> int:
    """Episodes are padded to a multiple of 32 steps, so the jitted GAE compiles for few lengths."""
    return 32 * max(1, math.ceil(length / 32))


@functools.lru_cache(maxsize=32)
def _compiled(kind: str, config: PPOConfig, n_agents: int, obs_dim: int, n_actions: int):
    """The jitted functions of one learner on one spec (cached per process)."""
    counts = (n_actions,) * n_agents
    builder = step_agent if kind == "step" else mappo_agent
    agent = builder(n_agents, obs_dim, counts, config)
    optimiser = _optimiser(config)
    groups = sorted({name for phase in agent.phases for name in phase.groups})
    gamma = float(config.gamma)
    scale = float(config.reward_scale)

    def init(key):
        net = agent.init(key)
        return net, {name: optimiser.init(net[name]) for name in groups}

    def sample(net, obs, key):
        return agent.sample(net, obs, key)[0]

    def prepare(net, obs, actions, rewards, length, last_obs, terminated, key):
        """Padded episode ``(P, ...)`` with ``length`` valid steps -> logp, values, advantages, returns."""
        logp, values = jax.vmap(agent.evaluate, (None, 0, 0))(net, obs, actions)
        boot = agent.value(net, last_obs, key)
        steps = jnp.arange(obs.shape[0])
        last = steps == length - 1
        following = jnp.concatenate([values[1:], values[-1:]], axis=0)
        next_values = jnp.where(last[:, None], boot[None, :], following)
        discounts = jnp.where(last & terminated, 0.0, gamma)
        dones = steps >= length - 1
        advantages, returns = gae(rewards * scale, values, next_values, discounts[:, None], dones[:, None],
                                  config.gae_lambda)
        return logp, values, advantages, returns

    def update(net, opt, batch, key):
        return ppo_update(config, agent.phases, net, opt, batch, key)

    return {"agent": agent, "init": jax.jit(init), "sample": jax.jit(sample), "greedy": jax.jit(agent.greedy),
            "prepare": jax.jit(prepare), "update": jax.jit(update)}


def _to_numpy(tree):
    return jax.tree_util.tree_map(np.asarray, jax.device_get(tree))


def _json(value):
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


class _HostOnPolicy:
    """The host-loop driver shared by :class:`STEPLearner` and :class:`MAPPOLearner`."""

    name = ""
    _config_class = PPOConfig

    def __init__(self, config=None, *, greedy: bool = False):
        if config is None:
            config = self.default_config()
        if not isinstance(config, self._config_class):
            raise TypeError(f"config must be a {self._config_class.__name__}; got {type(config).__name__}")
        if config.reward_scale is None:
            raise ValueError("reward_scale must be a positive number for a host-loop learner (there is no model "
                             "to read the largest reward from); got None")
        if config.gamma is None:
            raise ValueError("gamma must be a number in [0, 1] for a host-loop learner; got None")
        self.config_ = config
        self.greedy = check_flag("greedy", greedy)

    @classmethod
    def default_config(cls):
        """The in-program defaults of the config class with :data:`HOST_DEFAULTS`."""
        return cls._config_class(**HOST_DEFAULTS)

    @property
    def batch_size(self) -> int:
        """Transitions per PPO update (``n_envs * rollout_length``)."""
        return self.config_.n_envs * self.config_.rollout_length

    def config(self) -> dict:
        """The settings as JSON values (they enter a study's key)."""
        values = {k: _json(v) for k, v in dataclasses.asdict(self.config_).items() if k not in ("steps", "log_every")}
        values["greedy"] = self.greedy
        return values

    def acting_greedily(self):
        """The same learner acting with its execution policy (for evaluation)."""
        return type(self)(self.config_, greedy=True)

    def __eq__(self, other):
        return type(other) is type(self) and other.config_ == self.config_ and other.greedy == self.greedy

    def __hash__(self):
        return hash((type(self).__name__, self.config_, self.greedy))

    def __repr__(self):
        return f"{type(self).__name__}({self.config_!r}, greedy={self.greedy})"

    def _functions(self, n_agents: int, obs_dim: int, n_actions: int):
        return _compiled(self.name, self.config_, n_agents, obs_dim, n_actions)

    def _functions_of(self, params):
        return self._functions(*(int(x) for x in params["shape"]))

    def agent(self, spec):
        """The :class:`~stackelberg.neural.ppo.OnPolicyAgent` (networks, losses, phases) for ``spec``."""
        return self._functions(*self._shape(spec))["agent"]

    @staticmethod
    def _shape(spec):
        n_agents = check_positive_int("spec.n_agents", spec.n_agents)
        n_actions = check_positive_int("spec.n_actions", spec.n_actions)
        obs_dim = int(np.prod(spec.observation_shape))
        if obs_dim < 1:
            raise ValueError(f"spec.observation_shape must be non-empty; got {spec.observation_shape!r}")
        return n_agents, obs_dim, n_actions

    def init(self, spec, key) -> dict:
        """Fresh parameters: networks, optimiser states and an empty transition buffer."""
        n_agents, obs_dim, n_actions = self._shape(spec)
        fns = self._functions(n_agents, obs_dim, n_actions)
        net, opt = fns["init"](jnp.asarray(key, dtype=jnp.uint32))
        size = self.batch_size
        buffer = {
            "obs": np.zeros((size, n_agents, obs_dim), np.float32),
            "actions": np.zeros((size, n_agents), np.int32),
            **{name: np.zeros((size, n_agents), np.float32) for name in _BUFFER_FIELDS[2:]},
        }
        return {"net": _to_numpy(net), "opt": _to_numpy(opt), "buffer": buffer, "count": np.int64(0),
                "updates": np.int64(0), "shape": np.array([n_agents, obs_dim, n_actions], np.int64)}

    def act(self, params, obs, key) -> np.ndarray:
        """Actions ``(n_agents,)``: a sample of the policy, or its execution (greedy) actions when ``greedy``."""
        fns = self._functions_of(params)
        obs = jnp.asarray(np.asarray(obs, np.float32).reshape(int(params["shape"][0]), -1))
        if self.greedy:
            actions = fns["greedy"](params["net"], obs)
        else:
            actions = fns["sample"](params["net"], obs, jnp.asarray(key, dtype=jnp.uint32))
        return np.asarray(actions, dtype=np.int64)

    def transitions(self, params, batch) -> dict:
        """The episode's transitions as they enter the buffer: ``obs`` ``(T, N, d)``, ``actions``, and the
        behaviour ``logp``, ``values``, GAE ``advantages`` and ``returns`` ``(T, N)`` (scaled rewards)."""
        fns = self._functions_of(params)
        n_agents = int(params["shape"][0])
        actions = np.asarray(batch["actions"], np.int32)
        length = actions.shape[0]
        if length < 1:
            raise ValueError("batch must hold at least one transition")
        padded = _bucket(length)
        obs = np.zeros((padded, n_agents, int(params["shape"][1])), np.float32)
        obs[:length] = np.asarray(batch["obs"], np.float32).reshape(length, n_agents, -1)
        acts = np.zeros((padded, n_agents), np.int32)
        acts[:length] = actions
        rewards = np.zeros((padded, n_agents), np.float32)
        rewards[:length] = np.asarray(batch["rewards"], np.float32)
        last_obs = np.asarray(batch["next_obs"][-1], np.float32).reshape(n_agents, -1)
        terminated = bool(np.asarray(batch["terminated"])[-1])
        logp, values, advantages, returns = fns["prepare"](
            params["net"], obs, acts, rewards, length, last_obs, terminated, jnp.asarray(batch["key"], jnp.uint32))
        out = {"obs": obs[:length], "actions": actions}
        for name, value in zip(_BUFFER_FIELDS[2:], (logp, values, advantages, returns)):
            out[name] = np.asarray(value)[:length]
        return out

    def update(self, params, batch) -> dict:
        """Add the episode to the buffer; once it holds a PPO iteration's transitions, update (module docstring)."""
        new = self.transitions(params, batch)
        size, count = self.batch_size, int(params["count"])
        length = new["actions"].shape[0]
        buffer = {}
        for name in _BUFFER_FIELDS:
            joined = np.concatenate([params["buffer"][name][:count], new[name]], axis=0)[-size:]
            store = np.zeros_like(params["buffer"][name])
            store[:joined.shape[0]] = joined
            buffer[name] = store
        count = min(count + length, size)
        params = dict(params, buffer=buffer, count=np.int64(count))
        if count < size:
            return params
        fns = self._functions_of(params)
        key = jax.random.fold_in(jnp.asarray(batch["key"], jnp.uint32), 1)
        net, opt = fns["update"](params["net"], params["opt"], {k: jnp.asarray(v) for k, v in buffer.items()}, key)
        return dict(params, net=_to_numpy(net), opt=_to_numpy(opt), count=np.int64(0),
                    updates=np.int64(int(params["updates"]) + 1))


class MAPPOLearner(_HostOnPolicy):
    """MAPPO (:func:`~stackelberg.neural.ppo.mappo_agent`) for the host loop; see the module docstring.

    Parameters
    ----------
    config : MAPPOConfig, optional
        Default :meth:`default_config` (:data:`HOST_DEFAULTS` on :class:`~stackelberg.neural.ppo.MAPPOConfig`).
    greedy : bool
        Act with each actor's most likely action (evaluation) instead of sampling.

    Raises
    ------
    TypeError
        If ``config`` is not a MAPPOConfig.
    ValueError
        If ``config.reward_scale`` or ``config.gamma`` is None.
    """

    name = "mappo"
    _config_class = MAPPOConfig


class STEPLearner(_HostOnPolicy):
    """STEP (:func:`~stackelberg.neural.hypernetwork.step_agent`) for the host loop; see the module docstring.

    Agent order is priority order (agent 0 the highest).

    Parameters
    ----------
    config : STEPConfig, optional
        Default :meth:`default_config` (:data:`HOST_DEFAULTS` on :class:`~stackelberg.neural.hypernetwork.STEPConfig`).
    greedy : bool
        Act with STEP's execution policy (each agent recomputes its superiors' greedy actions) instead of
        sampling in priority order.

    Raises
    ------
    TypeError
        If ``config`` is not a STEPConfig.
    ValueError
        If ``config.reward_scale`` or ``config.gamma`` is None.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> learner = STEPLearner(STEPLearner.default_config().replace(hidden=(8,), embed_hidden=(8,), embed_dim=8))
    >>> params = learner.init(SimpleNamespace(n_agents=3, observation_shape=(4, 5), n_actions=5),
    ...                       np.array([0, 0], np.uint32))
    >>> learner.acting_greedily().act(params, np.zeros((3, 4, 5)), None).tolist() == \\
    ...     learner.acting_greedily().act(params, np.zeros((3, 4, 5)), None).tolist()
    True
    """

    name = "step"
    _config_class = STEPConfig
