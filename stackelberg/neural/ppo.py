r"""PPO machinery (clipped objective, clipped value loss, entropy, GAE) and the MAPPO baseline.

The on-policy driver runs, for one seed, ``n_envs`` environments side by side for ``rollout_length`` steps,
estimates advantages with GAE (:func:`gae`), then takes ``epochs`` passes of ``minibatches`` Adam steps over the
rollout; a whole run is a ``lax.scan`` so all seeds run as one ``jit(vmap(...))`` program
(:mod:`stackelberg.neural.program`). The update is a sequence of *phases* (one loss each, over a set of parameter
groups): MAPPO has one phase for all agents; STEP (:mod:`stackelberg.neural.hypernetwork`) has one per agent in
priority order, as its Algorithm 1.

The losses (pure functions of arrays, tested against hand-computed values):

- :func:`ppo_clip_objective`: :math:`E[\min(r A, \mathrm{clip}(r, 1 \pm \epsilon) A)]` with
  :math:`r = \pi / \pi_{old}` (to be maximised; STEP Eq. 11's :math:`L_{clip}`);
- :func:`value_clip_loss`: :math:`E[\max((V - R)^2, (\mathrm{clip}(V, V_{old} \pm \epsilon) - R)^2)]` (STEP Eq. 12);
- :func:`categorical_entropy`: Shannon entropy of (masked) categorical logits.

``"mappo"`` (Yu et al. 2021): per-agent actors :math:`\pi_i(a_i | o_i)` (or one actor shared by all agents when
``shared_actor``; the agent's one-hot ID is always part of the actor's input), centralised per-agent critics
:math:`V_i(s)` on the concatenation of every agent's observation, advantages normalised per minibatch, value
clipping and an entropy bonus. Agents act simultaneously; greedy execution takes each actor's most likely action.

Choices the papers leave open (ours, the MAPPO paper's defaults where it has one): rewards divided by the largest
absolute reward of the model (``reward_scale=None``), because value clipping works in reward units; discount
``gamma=0.99`` and GAE ``lambda=0.95``; 4 environments x 25 steps per rollout, 4 epochs of one minibatch; Adam 5e-4
for actors and critics, gradient norm clipped at 10; two hidden layers of 64.

Examples
--------
>>> import jax.numpy as jnp
>>> float(ppo_clip_objective(jnp.log(jnp.array([0.5])), jnp.log(jnp.array([0.25])), jnp.array([1.0]), 0.2))
1.2
>>> PPOConfig(clip_eps=0.0)
Traceback (most recent call last):
...
ValueError: clip_eps must be a real number in (0, inf); got 0.0
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._validation import check_flag, check_positive, check_positive_int, check_probability, check_real
from .envs import Env, step_autoreset
from .networks import MLP
from .program import Program, register_algorithm

__all__ = [
    "PPOConfig",
    "MAPPOConfig",
    "OnPolicyAgent",
    "Phase",
    "make_mappo",
    "mappo_agent",
    "onpolicy_program",
    "ppo_update",
    "ppo_clip_objective",
    "value_clip_loss",
    "categorical_entropy",
    "masked_log_softmax",
    "gae",
    "action_mask",
    "prefix_one_hot",
    "joint_prefixes",
]

_NEG = -1e9  # logit of an action an agent does not have


# ---------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class PPOConfig:
    """Settings of the PPO learners (MAPPO, STEP).

    Attributes
    ----------
    steps : int
        Environment steps per seed (STEP's matrix games: 10,000), rounded up to whole logging blocks.
    n_envs : int
        Environments run side by side in each rollout.
    rollout_length : int
        Steps of each environment per rollout (one PPO iteration = ``n_envs * rollout_length`` steps).
    epochs, minibatches : int
        Passes over the rollout per iteration and minibatches per pass (per phase).
    lr, critic_lr : float
        Adam learning rates of the actor and critic networks.
    gamma : float or None
        Discount of the returns (None: the environment's own discount).
    gae_lambda : float
        GAE's lambda.
    clip_eps : float
        The ratio clip of the surrogate objective.
    value_clip_eps : float
        The clip of the value update around the rollout's values (Eq. 12; in scaled reward units).
    entropy_coef : float
        The entropy bonus coefficient (eta of Eq. 11).
    value_coef : float
        Weight of the value loss in each phase's loss.
    max_grad_norm : float
        Global gradient-norm clip (per parameter group).
    hidden : tuple of int
        Hidden layer widths of the actor and critic networks.
    reward_scale : float or None
        Factor on the rewards used for learning (None: one over the model's largest absolute reward).
    log_every : int
        Environment steps per logging block (rounded to whole rollouts).
    anneal_lr : bool
        Scale every step size by ``1 - t / steps`` (``t``: environment steps done before the rollout), falling
        linearly to 0 at the end of training (default False: constant step sizes). Needs the step count that
        :func:`onpolicy_program` records with each rollout.
    """

    steps: int = 10_000
    n_envs: int = 4
    rollout_length: int = 25
    epochs: int = 4
    minibatches: int = 1
    lr: float = 5e-4
    critic_lr: float = 5e-4
    gamma: float | None = 0.99
    gae_lambda: float = 0.95
    clip_eps: float = 0.2
    value_clip_eps: float = 0.2
    entropy_coef: float = 0.01
    value_coef: float = 1.0
    max_grad_norm: float = 10.0
    hidden: tuple = (64, 64)
    reward_scale: float | None = None
    log_every: int = 100
    anneal_lr: bool = False

    def __post_init__(self):
        for name in ("steps", "n_envs", "rollout_length", "epochs", "minibatches", "log_every"):
            check_positive_int(name, getattr(self, name))
        for name in ("lr", "critic_lr", "clip_eps", "value_clip_eps", "max_grad_norm"):
            check_positive(name, getattr(self, name))
        check_real("entropy_coef", self.entropy_coef, low=0.0)
        check_real("value_coef", self.value_coef, low=0.0)
        check_flag("anneal_lr", self.anneal_lr)
        check_probability("gae_lambda", self.gae_lambda)
        if self.gamma is not None:
            check_probability("gamma", self.gamma)
        if self.reward_scale is not None:
            check_positive("reward_scale", self.reward_scale)
        hidden = self.hidden
        if not isinstance(hidden, (tuple, list)) or not all(
            isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w > 0 for w in hidden
        ):
            raise ValueError(f"hidden must be a tuple of positive integer layer widths; got {hidden!r}")
        object.__setattr__(self, "hidden", tuple(int(w) for w in hidden))
        if (self.n_envs * self.rollout_length) % self.minibatches:
            raise ValueError(
                f"minibatches must divide n_envs * rollout_length = {self.n_envs * self.rollout_length}; "
                f"got {self.minibatches}"
            )

    def replace(self, **changes):
        """A copy with some fields changed (validated again)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        unknown = set(changes) - set(values)
        if unknown:
            raise ValueError(f"unknown {type(self).__name__} field(s): {', '.join(sorted(unknown))}")
        values.update(changes)
        return type(self)(**values)


@dataclass(frozen=True)
class MAPPOConfig(PPOConfig):
    """MAPPO settings: ``shared_actor`` makes all agents use one actor network (with their one-hot ID as input)."""

    shared_actor: bool = False

    def __post_init__(self):
        super().__post_init__()
        check_flag("shared_actor", self.shared_actor)


# ---------------------------------------------------------------------------- losses (pure)
def masked_log_softmax(logits, mask):
    """Log-probabilities of categorical ``logits`` restricted to the actions where ``mask`` is True."""
    return jax.nn.log_softmax(jnp.where(mask, logits, _NEG), axis=-1)


def categorical_entropy(logits, mask=None):
    """Shannon entropy (nats) of the categorical distribution of ``logits`` over its last axis (masked actions
    excluded).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> round(float(categorical_entropy(jnp.zeros(4), jnp.array([True, True, False, False]))), 6)
    0.693147
    """
    mask = jnp.ones(jnp.shape(logits), bool) if mask is None else jnp.broadcast_to(mask, jnp.shape(logits))
    logp = masked_log_softmax(logits, mask)
    return -jnp.sum(jnp.where(mask, jnp.exp(logp) * logp, 0.0), axis=-1)


def ppo_clip_objective(logp, old_logp, advantages, clip_eps):
    """PPO's clipped surrogate ``mean(min(r A, clip(r, 1 - eps, 1 + eps) A))``, ``r = exp(logp - old_logp)``
    (to be maximised)."""
    ratio = jnp.exp(logp - old_logp)
    return jnp.mean(jnp.minimum(ratio * advantages, jnp.clip(ratio, 1.0 - clip_eps, 1.0 + clip_eps) * advantages))


def value_clip_loss(values, old_values, returns, clip_eps):
    """Clipped value loss (STEP Eq. 12): ``mean(max((V - R)^2, (clip(V, V_old - eps, V_old + eps) - R)^2))``."""
    clipped = old_values + jnp.clip(values - old_values, -clip_eps, clip_eps)
    return jnp.mean(jnp.maximum((values - returns) ** 2, (clipped - returns) ** 2))


def gae(rewards, values, next_values, discounts, dones, lam):
    """Generalised advantage estimates and returns of a time-major rollout.

    ``delta_t = r_t + discount_t V(s'_t) - V(s_t)`` and ``A_t = delta_t + discount_t * lam * (1 - done_t) A_{t+1}``,
    where ``discount_t`` is 0 when ``s'_t`` ends the game and ``gamma`` otherwise (a truncated episode bootstraps
    from ``V(s'_t)`` but does not carry the next episode's advantages). Returns ``(advantages, advantages +
    values)``; all arrays have the time axis first and broadcast over the rest.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> adv, ret = gae(jnp.array([1.0, 2.0]), jnp.array([0.5, 1.0]), jnp.array([1.0, 0.0]),
    ...                jnp.array([0.9, 0.0]), jnp.array([False, True]), 0.5)
    >>> [round(float(x), 4) for x in adv]
    [1.85, 1.0]
    """
    deltas = rewards + discounts * next_values - values
    carry_on = discounts * lam * (1.0 - dones.astype(jnp.float32))

    def back(next_adv, inputs):
        delta, factor = inputs
        adv = delta + factor * next_adv
        return adv, adv

    _, advantages = jax.lax.scan(back, jnp.zeros_like(deltas[0]), (deltas, carry_on), reverse=True)
    return advantages, advantages + values


def _normalise(x):
    return (x - x.mean()) / (x.std() + 1e-8)


# ---------------------------------------------------------------------------- helpers on action sets
def action_mask(counts) -> jnp.ndarray:
    """``(N, max count)`` bool: which action indices each agent has."""
    width = max(counts)
    return jnp.asarray(np.arange(width)[None, :] < np.asarray(counts)[:, None])


def prefix_one_hot(actions, level, counts):
    """One-hot slots of the superiors' actions ``actions[:level]`` (zeros for the slots of agents ``>= level``).

    ``actions`` is int ``(..., N)``; returns float32 ``(..., sum(counts[:-1]))`` (the last agent has no
    inferior, so it never fills a slot).
    """
    parts = []
    for j, n in enumerate(counts[:-1]):
        onehot = jax.nn.one_hot(actions[..., j], n, dtype=jnp.float32)
        parts.append(onehot if j < level else jnp.zeros_like(onehot))
    if not parts:
        return jnp.zeros(jnp.shape(actions)[:-1] + (0,), jnp.float32)
    return jnp.concatenate(parts, axis=-1)


def joint_prefixes(counts, level) -> np.ndarray:
    """All superiors' action tuples of agent ``level`` (C order), int ``(prod(counts[:level]), N)`` padded with 0."""
    grid = np.indices(tuple(counts[:level]) or (1,)).reshape(max(level, 1), -1).T if level else np.zeros((1, 0), int)
    out = np.zeros((grid.shape[0], len(counts)), np.int32)
    out[:, :level] = grid[:, :level]
    return out


# ---------------------------------------------------------------------------- the on-policy driver
class Phase(NamedTuple):
    """One phase of an update: ``loss(params, anchor, minibatch) -> (loss, aux)`` over the parameter groups
    ``groups`` (``anchor`` is the parameters at the start of the phase), with Adam step sizes
    ``learning_rates`` (one per group)."""

    groups: tuple
    loss: Callable
    learning_rates: tuple


class OnPolicyAgent(NamedTuple):
    """A learner's pure functions for :func:`onpolicy_program`.

    - ``init(key) -> params`` (a dict of parameter groups);
    - ``sample(params, obs, key) -> (actions (N,), logp (N,), values (N,))`` (training behaviour);
    - ``value(params, obs, key) -> (N,)`` (bootstrap values at an observation);
    - ``greedy(params, obs) -> (N,)`` int32 (execution);
    - ``joint_policy(params, obs) -> (A,)`` probabilities of every joint action (or None);
    - ``phases``: the update's phases;
    - ``evaluate(params, obs, actions) -> (logp (N,), values (N,))``: the log-probabilities and values that
      ``sample`` would have returned had it drawn ``actions`` (for learners that record actions elsewhere, as the
      host loop of :mod:`stackelberg.neural.host_onpolicy` does; or None).
    """

    init: Callable
    sample: Callable
    value: Callable
    greedy: Callable
    joint_policy: Callable | None
    phases: tuple
    evaluate: Callable | None = None


class _Carry(NamedTuple):
    params: dict
    opt_state: dict
    env_state: object
    obs: jax.Array
    key: jax.Array
    t: jax.Array


def _optimiser(config: PPOConfig):
    """Adam's direction (the step size is the phase's): ``lr * adam`` after global-norm clipping."""
    return optax.chain(optax.clip_by_global_norm(config.max_grad_norm), optax.scale_by_adam())


def ppo_update(config: PPOConfig, phases, params, opt_state, batch, key):
    """One PPO update: for each phase in turn, ``config.epochs`` passes of ``config.minibatches`` Adam steps over
    ``batch`` (a dict of arrays with the transitions on the first axis, whose size ``config.minibatches`` must
    divide), each pass in a fresh random order. Returns ``(params, opt_state)``; ``opt_state`` holds one
    :func:`optax` state per parameter group (``_optimiser(config).init``).

    Examples
    --------
    >>> config = PPOConfig(n_envs=1, rollout_length=4, epochs=2, minibatches=2)
    >>> phase = Phase(("w",), lambda p, anchor, mb: (jnp.mean((p["w"] - mb["x"]) ** 2), jnp.zeros(())), (0.1,))
    >>> params = {"w": jnp.zeros(())}
    >>> opt_state = {"w": _optimiser(config).init(params["w"])}
    >>> params, opt_state = ppo_update(config, (phase,), params, opt_state, {"x": jnp.ones(4)}, jax.random.PRNGKey(0))
    >>> round(float(params["w"]), 3)  # 4 Adam steps of 0.1 towards 1
    0.4
    """
    optimiser = _optimiser(config)
    size = jax.tree_util.tree_leaves(batch)[0].shape[0]
    mb_size = size // config.minibatches
    factor = 1.0
    if config.anneal_lr:
        if "t" not in batch:
            raise ValueError("anneal_lr needs the step count 't' of each transition in the batch (recorded by "
                             "onpolicy_program)")
        factor = jnp.clip(1.0 - batch["t"][0] / config.steps, 0.0, 1.0)

    def run_phase(params, opt_state, phase: Phase, key):
        anchor = params

        def sgd_step(carry, index):
            params, opt_state = carry
            minibatch = jax.tree_util.tree_map(lambda x: x[index], batch)
            grads, aux = jax.grad(phase.loss, has_aux=True)(params, anchor, minibatch)
            params, opt_state = dict(params), dict(opt_state)
            for name, lr in zip(phase.groups, phase.learning_rates):
                updates, opt_state[name] = optimiser.update(grads[name], opt_state[name], params[name])
                params[name] = jax.tree_util.tree_map(lambda p, u, lr=lr: p - factor * lr * u, params[name],
                                                      updates)
            return (params, opt_state), aux

        orders = jax.vmap(lambda k: jax.random.permutation(k, size))(jax.random.split(key, config.epochs))
        indices = orders[:, : config.minibatches * mb_size].reshape(config.epochs * config.minibatches, mb_size)
        (params, opt_state), _ = jax.lax.scan(sgd_step, (params, opt_state), indices)
        return params, opt_state

    for phase, k in zip(phases, jax.random.split(key, len(phases))):
        params, opt_state = run_phase(params, opt_state, phase, k)
    return params, opt_state


def onpolicy_program(env: Env, config: PPOConfig, agent: OnPolicyAgent) -> Program:
    """The :class:`~stackelberg.neural.program.Program` of an on-policy learner (see the module docstring).

    The update's batch holds, per transition, ``obs``, ``actions``, ``logp``, ``values``, ``advantages``,
    ``returns`` and ``t`` (environment steps done before its rollout, for schedules such as STEP's
    ``leader_entropy_steps``).

    Metrics per logging block: ``step``, ``reward`` (mean unscaled reward per step of each agent),
    ``joint_action_share``, ``greedy_joint_action`` and ``joint_policy`` (the probability of each joint action at
    the first observation; when the agent provides it).
    """
    E, T, N = config.n_envs, config.rollout_length, env.n_agents
    per_iteration = E * T
    iterations = math.ceil(config.steps / per_iteration)
    per_block = max(1, round(config.log_every / per_iteration))
    n_blocks = math.ceil(iterations / per_block)
    n_chunks = max(d for d in range(1, 11) if n_blocks % d == 0)
    blocks_per_chunk = n_blocks // n_chunks
    gamma = float(env.gamma if config.gamma is None else config.gamma)
    if config.reward_scale is None:  # jnp, so that the rewards may be traced (a program vmapped over games)
        largest = jnp.max(jnp.abs(env.rewards))
        scale = jnp.where(largest > 0, 1.0 / jnp.where(largest > 0, largest, 1.0), 1.0)
    else:
        scale = float(config.reward_scale)
    strides, A = env.strides, env.n_joint_actions
    obs0 = env.reset(jax.random.PRNGKey(0))[1]
    groups = sorted({name for phase in agent.phases for name in phase.groups})
    optimiser = _optimiser(config)
    reset = jax.vmap(env.reset)
    truncates = not env.finite_horizon
    step = jax.vmap(functools.partial(step_autoreset, env))

    def init(key):
        k_env, k_net, k_run = jax.random.split(key, 3)
        state, obs = reset(jax.random.split(k_env, E))
        params = agent.init(k_net)
        opt_state = {name: optimiser.init(params[name]) for name in groups}
        return _Carry(params, opt_state, state, obs, k_run, jnp.zeros((), jnp.int32))

    def rollout_step(c: _Carry, _):
        key, k_act, k_env, k_boot = jax.random.split(c.key, 4)
        actions, logp, values = jax.vmap(agent.sample, (None, 0, 0))(c.params, c.obs, jax.random.split(k_act, E))
        state, obs, rewards, done, next_obs, cont = step(jax.random.split(k_env, E), c.env_state, actions)
        if truncates:  # a discounted game cut at its horizon bootstraps from the state it was cut at
            boot = jax.vmap(agent.value, (None, 0, 0))(c.params, next_obs, jax.random.split(k_boot, E))
        else:  # an episode ends only where the game ends: no value beyond it
            boot = jnp.zeros((E, N), jnp.float32)
        record = {
            "obs": c.obs, "actions": actions, "logp": logp, "values": values, "rewards": rewards,
            "done": done, "discount": jnp.where(cont > 0, gamma, 0.0), "boot": boot,
        }
        return c._replace(env_state=state, obs=obs, key=key), record

    def iteration(c: _Carry, _):
        c, rec = jax.lax.scan(rollout_step, c, None, length=T)  # (T, E, ...)
        key, k_last, k_update = jax.random.split(c.key, 3)
        last = jax.vmap(agent.value, (None, 0, 0))(c.params, c.obs, jax.random.split(k_last, E))
        following = jnp.concatenate([rec["values"][1:], last[None]], axis=0)
        next_values = jnp.where(rec["done"][..., None], rec["boot"], following)
        advantages, returns = gae(
            rec["rewards"] * scale, rec["values"], next_values, rec["discount"][..., None],
            rec["done"][..., None], config.gae_lambda,
        )
        batch = {
            "obs": rec["obs"], "actions": rec["actions"], "logp": rec["logp"], "values": rec["values"],
            "advantages": advantages, "returns": returns,
        }
        batch = jax.tree_util.tree_map(lambda x: x.reshape((per_iteration,) + x.shape[2:]), batch)
        batch["t"] = jnp.full(per_iteration, c.t, jnp.float32)  # steps done before this rollout (schedules)
        params, opt_state = ppo_update(config, agent.phases, c.params, c.opt_state, batch, k_update)
        joint = jnp.sum(rec["actions"] * strides, axis=-1)
        c = c._replace(params=params, opt_state=opt_state, key=key, t=c.t + per_iteration)
        return c, (rec["rewards"], joint)

    def block(c: _Carry, _):
        c, (rewards, joint) = jax.lax.scan(iteration, c, None, length=per_block)
        count = float(joint.size)
        metrics = {
            "step": c.t,
            "reward": rewards.reshape(-1, N).sum(axis=0) / count,
            "joint_action_share": jnp.zeros(A).at[joint.reshape(-1)].add(1.0) / count,
            "greedy_joint_action": jnp.sum(agent.greedy(c.params, obs0) * strides),
        }
        if agent.joint_policy is not None:
            metrics["joint_policy"] = agent.joint_policy(c.params, obs0)
        return c, metrics

    def chunk(c: _Carry):
        return jax.lax.scan(block, c, None, length=blocks_per_chunk)

    def train_one(key):
        c, metrics = jax.lax.scan(block, init(key), None, length=n_blocks)
        return c.params, metrics

    return Program(
        act=agent.greedy, n_blocks=n_blocks, train_one=train_one, init=init, chunk=chunk, n_chunks=n_chunks,
        params=lambda c: c.params,
    )


# ---------------------------------------------------------------------------- MAPPO
def make_mappo(env: Env, config: MAPPOConfig | None = None) -> Program:
    """MAPPO (see the module docstring) on any environment of :mod:`stackelberg.neural.envs`."""
    config = MAPPOConfig() if config is None else config
    if not isinstance(config, MAPPOConfig):
        raise TypeError(f"config must be a MAPPOConfig; got {type(config).__name__}")
    agent = mappo_agent(env.n_agents, env.obs_dim, tuple(env.action_counts), config)
    return onpolicy_program(env, config, agent)


def mappo_agent(n_agents: int, obs_dim: int, counts, config: MAPPOConfig) -> OnPolicyAgent:
    """MAPPO's networks, sampling, execution and loss for ``n_agents`` agents with flat observations of size
    ``obs_dim`` and ``counts[i]`` actions each (the :class:`OnPolicyAgent` that :func:`make_mappo` drives).

    Examples
    --------
    >>> agent = mappo_agent(2, 3, (2, 3), MAPPOConfig(hidden=(8,)))
    >>> params = agent.init(jax.random.PRNGKey(0))
    >>> logp, values = agent.evaluate(params, jnp.zeros((2, 3)), jnp.array([1, 2]))
    >>> logp.shape, values.shape, len(agent.phases)
    ((2,), (2,), 1)
    """
    N, d, counts = int(n_agents), int(obs_dim), tuple(int(n) for n in counts)
    width = max(counts)
    mask = action_mask(counts)
    ids = jnp.eye(N, dtype=jnp.float32)
    actor, critic = MLP(config.hidden, width), MLP(config.hidden, 1)

    def actor_inputs(obs):
        return jnp.concatenate([obs, ids], axis=-1)  # (N, d + N)

    def logits(params, obs):
        x = actor_inputs(obs)
        if config.shared_actor:
            return jax.vmap(lambda xi: actor.apply(params, xi))(x)
        return jax.vmap(actor.apply)(params, x)

    def values(params, obs):
        state = jnp.concatenate([obs.reshape(-1), jnp.zeros(N)])
        inputs = jnp.broadcast_to(state, (N, state.shape[0])).at[:, N * d:].set(ids)
        return jax.vmap(critic.apply)(params, inputs)[:, 0]

    def init(key):
        k_actor, k_critic = jax.random.split(key)
        x = jnp.zeros(d + N)
        if config.shared_actor:
            actor_params = actor.init(k_actor, x)
        else:
            actor_params = jax.vmap(actor.init, (0, None))(jax.random.split(k_actor, N), x)
        critic_params = jax.vmap(critic.init, (0, None))(jax.random.split(k_critic, N), jnp.zeros(N * d + N))
        return {"actor": actor_params, "critic": critic_params}

    def sample(params, obs, key):
        lg = logits(params["actor"], obs)
        logp_all = masked_log_softmax(lg, mask)
        actions = jax.random.categorical(key, logp_all, axis=-1).astype(jnp.int32)
        logp = jnp.take_along_axis(logp_all, actions[:, None], axis=-1)[:, 0]
        return actions, logp, values(params["critic"], obs)

    def value(params, obs, key):
        return values(params["critic"], obs)

    def evaluate(params, obs, actions):
        logp_all = masked_log_softmax(logits(params["actor"], obs), mask)
        return jnp.take_along_axis(logp_all, actions[:, None], axis=-1)[:, 0], values(params["critic"], obs)

    def greedy(params, obs):
        return jnp.argmax(jnp.where(mask, logits(params["actor"], obs), _NEG), axis=-1).astype(jnp.int32)

    def joint_policy(params, obs):
        probs = jnp.exp(masked_log_softmax(logits(params["actor"], obs), mask))
        joint = jnp.ones(())
        for i, n in enumerate(counts):
            joint = joint[..., None] * probs[i, :n]
        return joint.reshape(-1)

    def loss(params, anchor, mb):
        lg = jax.vmap(lambda o: logits(params["actor"], o))(mb["obs"])  # (B, N, width)
        logp_all = masked_log_softmax(lg, mask)
        logp = jnp.take_along_axis(logp_all, mb["actions"][..., None], axis=-1)[..., 0]
        v = jax.vmap(lambda o: values(params["critic"], o))(mb["obs"])
        total, parts = 0.0, []
        for i in range(N):
            clip = ppo_clip_objective(logp[:, i], mb["logp"][:, i], _normalise(mb["advantages"][:, i]),
                                      config.clip_eps)
            entropy = jnp.mean(categorical_entropy(lg[:, i], mask[i]))
            vloss = value_clip_loss(v[:, i], mb["values"][:, i], mb["returns"][:, i], config.value_clip_eps)
            total = total - clip - config.entropy_coef * entropy + config.value_coef * vloss
            parts.append(jnp.stack([clip, entropy, vloss]))
        return total, jnp.stack(parts)

    return OnPolicyAgent(
        init=init, sample=sample, value=value, greedy=greedy,
        joint_policy=joint_policy if math.prod(counts) <= 4096 else None,
        phases=(Phase(("actor", "critic"), loss, (config.lr, config.critic_lr)),),
        evaluate=evaluate,
    )


register_algorithm("mappo", MAPPOConfig, make_mappo, "MAPPO (Yu et al. 2021): PPO with centralised critics")
