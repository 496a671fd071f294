r"""Off-policy learners with replay buffers and target networks: Bi-AC and its baselines.

All of them follow the experiment settings of the Bi-AC paper: ``explore_steps`` (1000) steps of uniformly random
joint actions, then epsilon-greedy exploration with a linearly decaying epsilon; three-layer ReLU networks
(``hidden=(64, 64)`` and a linear output); critics trained on minibatches of a replay buffer against
Polyak-averaged target networks; one gradient step per environment step once the buffer holds a batch. The
buffer is a set of fixed-size arrays in the ``lax.scan`` carry, so a whole run of one seed is a pure function and
all seeds run as one ``jit(vmap(...))`` program. The learners read the common observation ``obs[0]`` (every
environment of :mod:`stackelberg.neural.envs` shows all agents the same features).

- ``"bi-ac"`` (Bi-AC Eqs. 12-16): leader critic :math:`Q_1(s, a_1, a_2)`, follower critic
  :math:`Q_2(s, a_1, a_2)` (each one network with an output per joint action) and follower actor
  :math:`\pi_2(a_2 | s, a_1)` (the leader's action enters as a one-hot input). Target: the leader's next action
  maximises :math:`\sum_{a_2} \pi_2(a_2 | s', a_1) Q_1(s', a_1, a_2)` (Eq. 12), the follower's is a
  Gumbel-softmax sample :math:`y` of :math:`\pi_2(\cdot | s', a_1')` (Eq. 13), and
  :math:`y_i = r_i + \gamma_{s'} \sum_{a_2} y_{a_2} Q_i^-(s', a_1', a_2)` (Eq. 14); the critics minimise
  :math:`(Q_i(s, a) - y_i)^2` (Eq. 15); the actor ascends the follower's critic through a Gumbel-softmax sample,
  :math:`-\sum_{a_2} y_{a_2}(\phi_2) Q_2(s, a_1, a_2)` (Eq. 16 with the Gumbel-softmax estimator). The leader acts
  by maximising :math:`E_{a_2 \sim \pi_2} Q_1`, the follower greedily by :math:`\pi_2(\cdot | s, a_1)`.
- ``"i-dqn"``: independent DQN, one :math:`Q_i(s, a_i)` per agent, the others part of the environment.
- ``"hysteretic-dqn"``: I-DQN whose squared TD errors are weighted by ``negative_scale`` (< 1) when the error is
  negative (the smaller learning rate for decreases of Omidshafiei et al.).
- ``"lenient-dqn"``: I-DQN that drops a negative TD error with probability ``leniency_t``, decaying
  exponentially over training (a global leniency schedule, simpler than the per-state-action temperatures of
  Palmer et al.).
- ``"maddpg"``: Gumbel-softmax actors :math:`\pi_i(a_i | s)` and centralised critics :math:`Q_i(s, \vec a)`; the
  target uses the target actors' Gumbel-softmax samples, actor ``i`` ascends :math:`Q_i` through its own sample
  with the others' buffer actions.

Examples
--------
>>> import jax, stackelberg as sb
>>> from stackelberg.neural.envs import matrix_env
>>> config = BiACConfig(steps=250, explore_steps=100, log_every=100, hidden=(16,))
>>> program = make_biac(matrix_env(sb.get_game("escape")), config)
>>> program.n_blocks, program.n_chunks
(3, 3)
>>> BiACConfig(leader_lr=-0.1)
Traceback (most recent call last):
...
ValueError: leader_lr must be a real number in (0, inf); got -0.1
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax

from .._validation import check_positive, check_positive_int, check_probability
from .envs import Env, step_autoreset
from .networks import MLP, contract, gumbel_softmax, polyak
from .program import Program, register_algorithm

__all__ = [
    "OffPolicyConfig",
    "BiACConfig",
    "IDQNConfig",
    "HystereticDQNConfig",
    "LenientDQNConfig",
    "MADDPGConfig",
    "make_biac",
    "make_idqn",
    "make_maddpg",
    "biac_target",
    "critic_loss",
    "gumbel_actor_loss",
    "dqn_loss",
]


# ---------------------------------------------------------------------------- configurations
@dataclass(frozen=True)
class OffPolicyConfig:
    """Settings shared by the off-policy learners (defaults: the Bi-AC paper's experiment section).

    Attributes
    ----------
    steps : int
        Environment steps per seed.
    hidden : tuple of int
        Hidden layer widths of every network (two hidden layers + output = the paper's three layers).
    batch_size, buffer_size : int
        Minibatch and replay-buffer sizes.
    explore_steps : int
        Initial steps of uniformly random joint actions (the paper's 1000).
    epsilon_start, epsilon_end : float
        Epsilon right after the uniform phase and its floor.
    epsilon_decay_steps : int
        Steps of the linear decay from ``epsilon_start`` to ``epsilon_end``.
    explore_repeat : int
        Longest run of one exploratory action (temporally extended epsilon-greedy, after Dabney et al. 2021):
        with ``explore_repeat > 1``, an agent that explores draws a uniformly random action *and* a duration
        uniform in ``1 .. explore_repeat`` and keeps that action for the duration (uniform phase included),
        then returns to its greedy action. 1 (default): plain epsilon-greedy, a fresh coin every step.
    target_rate : float
        Polyak rate of the target networks (``target <- (1 - rate) target + rate online`` each update).
    max_grad_norm : float
        Global gradient-norm clip.
    log_every : int
        Environment steps per logging block (one row of the learning curves).
    """

    steps: int = 2000
    hidden: tuple = (64, 64)
    batch_size: int = 32
    buffer_size: int = 10_000
    explore_steps: int = 1000
    epsilon_start: float = 0.5
    epsilon_end: float = 0.02
    epsilon_decay_steps: int = 1000
    explore_repeat: int = 1
    target_rate: float = 0.01
    max_grad_norm: float = 10.0
    log_every: int = 100

    def __post_init__(self):
        for name in ("steps", "batch_size", "buffer_size", "epsilon_decay_steps", "log_every", "explore_repeat"):
            check_positive_int(name, getattr(self, name))
        check_positive_int("explore_steps", self.explore_steps, minimum=0)
        hidden = self.hidden
        if not isinstance(hidden, (tuple, list)) or not all(isinstance(w, int) and w > 0 for w in hidden):
            raise ValueError(f"hidden must be a tuple of positive integer layer widths; got {hidden!r}")
        object.__setattr__(self, "hidden", tuple(hidden))
        check_probability("epsilon_start", self.epsilon_start)
        check_probability("epsilon_end", self.epsilon_end)
        check_probability("target_rate", self.target_rate)
        check_positive("max_grad_norm", self.max_grad_norm)
        for f in fields(self):
            if f.name.endswith("_lr") or f.name in ("lr", "gumbel_temperature", "leniency_decay"):
                check_positive(f.name, getattr(self, f.name))

    def replace(self, **changes):
        """A copy with some fields changed (validated again)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        unknown = set(changes) - set(values)
        if unknown:
            raise ValueError(f"unknown {type(self).__name__} field(s): {', '.join(sorted(unknown))}")
        values.update(changes)
        return type(self)(**values)


@dataclass(frozen=True)
class BiACConfig(OffPolicyConfig):
    """Bi-AC settings: the leader's critic learns faster than the follower's (the paper's asymmetric rates)."""

    leader_lr: float = 1e-3
    follower_lr: float = 5e-4
    actor_lr: float = 5e-4
    gumbel_temperature: float = 1.0


@dataclass(frozen=True)
class IDQNConfig(OffPolicyConfig):
    """Independent DQN settings."""

    lr: float = 1e-3


@dataclass(frozen=True)
class HystereticDQNConfig(IDQNConfig):
    """Hysteretic DQN: negative TD errors weigh ``negative_scale`` in the loss."""

    negative_scale: float = 0.1

    def __post_init__(self):
        super().__post_init__()
        check_probability("negative_scale", self.negative_scale)


@dataclass(frozen=True)
class LenientDQNConfig(IDQNConfig):
    """Lenient DQN: a negative TD error is ignored with probability ``leniency * exp(-step / leniency_decay)``."""

    leniency: float = 0.9
    leniency_decay: float = 1000.0

    def __post_init__(self):
        super().__post_init__()
        check_probability("leniency", self.leniency)


@dataclass(frozen=True)
class MADDPGConfig(OffPolicyConfig):
    """MADDPG settings (Gumbel-softmax actors, centralised critics)."""

    critic_lr: float = 1e-3
    actor_lr: float = 5e-4
    gumbel_temperature: float = 1.0


# ---------------------------------------------------------------------------- losses (pure, per batch)
def critic_loss(q_tables, actions, targets):
    """Mean squared TD error ``mean_b (Q(s_b, a_b) - y_b)^2`` of joint-action tables.

    ``q_tables`` is ``(B, n_1, ..., n_N)``, ``actions`` int ``(B, N)``, ``targets`` ``(B,)``.
    """
    picked = q_tables[(jnp.arange(q_tables.shape[0]),) + tuple(actions.T)]
    return jnp.mean((picked - targets) ** 2)


def dqn_loss(q_values, actions, targets, weights=None):
    """``mean_b w_b (Q(s_b, a_b) - y_b)^2`` for per-agent values ``(B, n)`` and actions ``(B,)``."""
    delta = q_values[jnp.arange(q_values.shape[0]), actions] - targets
    w = jnp.ones_like(delta) if weights is None else weights
    return jnp.mean(w * delta**2)


def gumbel_actor_loss(logits, q_rows, noise_key, temperature):
    """``-mean_b sum_a y_{b,a} q_{b,a}`` with ``y_b`` the Gumbel-softmax sample of ``logits[b]``.

    ``q_rows`` (``(B, n)``, the critic's values of each own action given the others') is held fixed.
    """
    y = gumbel_softmax(noise_key, logits, temperature)
    return -jnp.mean(jnp.sum(y * jax.lax.stop_gradient(q_rows), axis=-1))


def biac_target(q1_next, q2_next, pi_logits_next, rewards, continuation, noise_key, temperature):
    """Bi-AC targets (Eqs. 12-14) of one transition.

    ``q1_next``, ``q2_next`` are the target critics' ``(n_1, n_2)`` tables at ``s'``, ``pi_logits_next`` the
    target actor's ``(n_1, n_2)`` logits of ``pi_2(. | s', a_1)`` for every ``a_1``. Returns ``(y_1, y_2)`` and
    the leader's next action ``a_1'``.
    """
    probs = jax.nn.softmax(pi_logits_next, axis=-1)
    a1 = jnp.argmax(jnp.sum(probs * q1_next, axis=-1))
    y2 = gumbel_softmax(noise_key, pi_logits_next[a1], temperature)
    next_values = jnp.stack([q1_next[a1] @ y2, q2_next[a1] @ y2])
    return rewards + continuation * next_values, a1


# ---------------------------------------------------------------------------- the shared training loop
class _Carry(NamedTuple):
    params: dict
    target: dict
    opt_state: dict
    buffer: dict
    env_state: object
    obs: jax.Array
    key: jax.Array
    t: jax.Array
    held: jax.Array | None = None  # (N,) exploratory action being repeated (explore_repeat > 1)
    left: jax.Array | None = None  # (N,) steps it is still held


class _Agent(NamedTuple):
    init: Callable  # key -> params (dict of network parameters)
    optimizers: dict  # network name -> optax transformation
    act: Callable  # (params, obs, key, epsilon) -> actions (N,)
    greedy: Callable  # (params, obs) -> actions (N,)
    loss: Callable  # (params, target, batch, key, t) -> (total loss, aux) ; grads over every network
    probe: Callable | None = None  # (params, obs) -> dict of arrays
    # (params, obs, forced (N,) bool, forced_actions (N,)) -> actions (N,): forced agents take forced_actions, the
    # others act greedily (responding to the actions of the agents above them); used by explore_repeat > 1.
    # Default: greedy actions with the forced ones substituted (right for independent agents).
    act_forced: Callable | None = None


def _always_terminal(env) -> bool:
    """Whether every transition of ``env`` ends its episode (a one-stage game: finite horizon 1).

    Then every replay row's continuation is 0, so the bootstrap term of each TD target (Eq. 14 for Bi-AC) is
    ``0 * (target networks' value)`` and the target is the reward: the learners skip evaluating the target
    networks (the same targets, bit for bit, for finite networks; the random keys of the other terms are split
    before and do not change). ``env`` may be a shape-only stand-in without these attributes (never skipped).
    """
    return bool(getattr(env, "finite_horizon", False)) and getattr(env, "horizon", None) == 1


def _epsilon(config: OffPolicyConfig, t):
    frac = jnp.clip((t - config.explore_steps) / config.epsilon_decay_steps, 0.0, 1.0)
    eps = config.epsilon_start + (config.epsilon_end - config.epsilon_start) * frac
    return jnp.where(t < config.explore_steps, 1.0, eps)


def _explore(key, greedy_actions, counts, epsilon):
    """Replace each agent's greedy action by a uniform one with probability ``epsilon``."""
    keys = jax.random.split(key, 2 * len(counts))
    out = []
    for i, n in enumerate(counts):
        random_action = jax.random.randint(keys[2 * i], (), 0, n)
        coin = jax.random.uniform(keys[2 * i + 1]) < epsilon
        out.append(jnp.where(coin, random_action, greedy_actions[i]))
    return jnp.stack(out).astype(jnp.int32)


def _gradient_step(agent: _Agent, config: OffPolicyConfig, params, target, opt_state, batch, key, t):
    """One optimiser step of every network on a minibatch, then the Polyak target update.

    Returns ``(params, opt_state, target)``; shared by the scanned programs and the host-loop learners.
    """
    grads, _ = jax.grad(agent.loss, has_aux=True)(params, target, batch, key, t)
    new_params, new_opt_state = {}, {}
    for name in agent.optimizers:
        updates, new_opt_state[name] = agent.optimizers[name].update(grads[name], opt_state[name], params[name])
        new_params[name] = optax.apply_updates(params[name], updates)
    return new_params, new_opt_state, polyak(target, new_params, config.target_rate)


def _offpolicy_program(env: Env, config: OffPolicyConfig, agent: _Agent) -> Program:
    N, A, d, cap = env.n_agents, env.n_joint_actions, env.obs_dim, config.buffer_size
    n_blocks = math.ceil(config.steps / config.log_every)
    blocks_per_chunk = math.ceil(n_blocks / min(n_blocks, 10))
    n_chunks = math.ceil(n_blocks / blocks_per_chunk)
    strides = env.strides
    counts = tuple(int(n) for n in env.action_counts)
    obs0 = env.reset(jax.random.PRNGKey(0))[1]
    names = tuple(agent.optimizers)

    def init(key):
        k_env, k_net, k_run = jax.random.split(key, 3)
        state, obs = env.reset(k_env)
        params = agent.init(k_net)
        opt_state = {name: agent.optimizers[name].init(params[name]) for name in names}
        buffer = {
            "obs": jnp.zeros((cap, d), jnp.float32),
            "actions": jnp.zeros((cap, N), jnp.int32),
            "rewards": jnp.zeros((cap, N), jnp.float32),
            "next_obs": jnp.zeros((cap, d), jnp.float32),
            "continuation": jnp.zeros((cap,), jnp.float32),
        }
        held = left = None
        if config.explore_repeat > 1:
            held, left = jnp.zeros(N, jnp.int32), jnp.zeros(N, jnp.int32)
        return _Carry(params, params, opt_state, buffer, state, obs, k_run, jnp.zeros((), jnp.int32), held, left)

    def act_forced(params, obs, forced, forced_actions):
        if agent.act_forced is not None:
            return agent.act_forced(params, obs, forced, forced_actions)
        greedy = agent.act(params, obs, jax.random.PRNGKey(0), 0.0)
        return jnp.where(forced, forced_actions, greedy).astype(jnp.int32)

    def choose(c: _Carry, key):
        """Exploratory or greedy joint action; the held exploratory actions and their remaining durations."""
        epsilon = _epsilon(config, c.t)
        if config.explore_repeat == 1:
            return agent.act(c.params, c.obs[0], key, epsilon), None, None
        k_coin, k_action, k_duration = jax.random.split(key, 3)
        holding = c.left > 0
        start = ~holding & (jax.random.uniform(k_coin, (N,)) < epsilon)
        fresh = jnp.stack([jax.random.randint(k, (), 0, n) for k, n in zip(jax.random.split(k_action, N), counts)])
        duration = jax.random.randint(k_duration, (N,), 1, config.explore_repeat + 1)
        held = jnp.where(holding, c.held, fresh).astype(jnp.int32)
        actions = act_forced(c.params, c.obs[0], holding | start, held)
        left = jnp.where(holding, c.left - 1, jnp.where(start, duration - 1, 0)).astype(jnp.int32)
        return actions, held, left

    def update(c: _Carry, batch, key):
        return _gradient_step(agent, config, c.params, c.target, c.opt_state, batch, key, c.t)

    def one_step(c: _Carry, _):
        key, k_act, k_env, k_batch, k_loss = jax.random.split(c.key, 5)
        active = c.t < config.steps
        actions, held, left = choose(c, k_act)
        state, obs, rewards, done, next_obs, cont = step_autoreset(env, k_env, c.env_state, actions)
        if left is not None:
            left = jnp.where(done, 0, left)  # a new episode starts without a held action
        slot = c.t % cap  # the step counter is shared by all seeds (unbatched): an in-place row write
        new = {"obs": c.obs[0], "actions": actions, "rewards": rewards, "next_obs": next_obs[0], "continuation": cont}
        buffer = {k: v.at[slot].set(new[k]) for k, v in c.buffer.items()}
        size = jnp.minimum(c.t + 1, cap)
        index = jax.random.randint(k_batch, (config.batch_size,), 0, size)
        batch = {k: v[index] for k, v in buffer.items()}
        learn = c.t + 1 >= config.batch_size

        def learned(_):
            return update(c, batch, k_loss)

        def unchanged(_):
            return c.params, c.opt_state, c.target

        params, opt_state, target = jax.lax.cond(learn, learned, unchanged, None)
        out = _Carry(params, target, opt_state, buffer, state, obs, key, c.t + 1, held, left)
        joint = jnp.sum(actions * strides)
        return out, (rewards, joint, active)

    def idle_step(c: _Carry, _):
        """A step past ``config.steps`` (the last chunk's padding): nothing changes."""
        return c, (jnp.zeros(N, jnp.float32), jnp.zeros((), jnp.int32), jnp.zeros((), bool))

    def any_step(c: _Carry, x):
        return jax.lax.cond(c.t < config.steps, one_step, idle_step, c, x)

    def block(c: _Carry, _):
        c, (rewards, joint, active) = jax.lax.scan(any_step, c, None, length=config.log_every)
        weight = active.astype(jnp.float32)
        count = jnp.maximum(weight.sum(), 1.0)
        share = jnp.zeros(A).at[joint].add(weight) / count
        metrics = {
            "step": c.t,
            "reward": (rewards * weight[:, None]).sum(axis=0) / count,
            "joint_action_share": share,
            "greedy_joint_action": jnp.sum(agent.greedy(c.params, obs0) * strides),
        }
        if agent.probe is not None:
            metrics.update(agent.probe(c.params, obs0[0]))
        return c, metrics

    def chunk(c: _Carry):
        return jax.lax.scan(block, c, None, length=blocks_per_chunk)

    def train_one(key):
        c, metrics = jax.lax.scan(block, init(key), None, length=n_blocks)
        return c.params, metrics

    return Program(
        act=agent.greedy,
        n_blocks=n_blocks,
        train_one=train_one,
        init=init,
        chunk=chunk,
        n_chunks=n_chunks,
        params=lambda c: c.params,
        step=lambda c: any_step(c, None)[0],
        carry_axes=_Carry(0, 0, 0, 0, 0, 0, 0, None, 0, 0),
    )


def _adam(config: OffPolicyConfig, lr: float):
    return optax.chain(optax.clip_by_global_norm(config.max_grad_norm), optax.adam(lr))


# ---------------------------------------------------------------------------- Bi-AC
def make_biac(env: Env, config: BiACConfig | None = None) -> Program:
    """The Bi-AC learner of a two-agent environment (agent 0 leads); see the module docstring."""
    config = BiACConfig() if config is None else config
    return _offpolicy_program(env, config, _biac_agent(env, config))


def _biac_agent(env, config: BiACConfig) -> _Agent:
    """The networks, optimisers, acting rules and loss of make_biac; ``env`` needs only ``n_agents``,
    ``action_counts`` and ``obs_dim`` (also used by :mod:`stackelberg.neural.host_offpolicy`)."""
    if env.n_agents != 2:
        raise ValueError(f"bi-ac needs a two-agent environment (agent 0 leads); got {env.n_agents} agents")
    n1, n2 = env.action_counts
    d = env.obs_dim
    q_net, pi_net = MLP(config.hidden, n1 * n2), MLP(config.hidden, n2)
    eye1 = jnp.eye(n1, dtype=jnp.float32)
    terminal = _always_terminal(env)

    def q(p, obs):
        return q_net.apply(p, obs).reshape(n1, n2)

    def pi_logits(p, obs, a1_onehot):
        return pi_net.apply(p, jnp.concatenate([obs, a1_onehot], axis=-1))

    def pi_all(p, obs):
        return jax.vmap(lambda row: pi_logits(p, obs, row))(eye1)

    def leader_scores(params, obs):
        probs = jax.nn.softmax(pi_all(params["pi"], obs), axis=-1)
        return jnp.sum(probs * q(params["q1"], obs), axis=-1)

    def init(key):
        k1, k2, k3 = jax.random.split(key, 3)
        zeros = jnp.zeros(d)
        return {
            "q1": q_net.init(k1, zeros),
            "q2": q_net.init(k2, zeros),
            "pi": pi_net.init(k3, jnp.zeros(d + n1)),
        }

    def act(params, obs, key, epsilon):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        a1 = jnp.where(jax.random.uniform(k1) < epsilon, jax.random.randint(k2, (), 0, n1),
                       jnp.argmax(leader_scores(params, obs)))
        a2 = jnp.where(jax.random.uniform(k3) < epsilon, jax.random.randint(k4, (), 0, n2),
                       jnp.argmax(pi_logits(params["pi"], obs, eye1[a1])))
        return jnp.stack([a1, a2]).astype(jnp.int32)

    def act_forced(params, obs, forced, forced_actions):
        a1 = jnp.where(forced[0], forced_actions[0], jnp.argmax(leader_scores(params, obs)))
        a2 = jnp.where(forced[1], forced_actions[1], jnp.argmax(pi_logits(params["pi"], obs, eye1[a1])))
        return jnp.stack([a1, a2]).astype(jnp.int32)

    def greedy(params, obs):
        obs = obs[0]
        a1 = jnp.argmax(leader_scores(params, obs))
        a2 = jnp.argmax(pi_logits(params["pi"], obs, eye1[a1]))
        return jnp.stack([a1, a2]).astype(jnp.int32)

    def loss(params, target, batch, key, t):
        k_target, k_actor = jax.random.split(key)
        B = batch["obs"].shape[0]
        if terminal:  # every continuation is 0: y_i = r_i (Eq. 14 without its zero bootstrap term)
            targets = batch["rewards"]
        else:
            targets, _ = jax.vmap(
                lambda o, r, g, k: biac_target(
                    q(target["q1"], o), q(target["q2"], o), pi_all(target["pi"], o), r, g, k,
                    config.gumbel_temperature,
                )
            )(batch["next_obs"], batch["rewards"], batch["continuation"], jax.random.split(k_target, B))
        targets = jax.lax.stop_gradient(targets)
        q1_tables = jax.vmap(lambda o: q(params["q1"], o))(batch["obs"])
        q2_tables = jax.vmap(lambda o: q(params["q2"], o))(batch["obs"])
        l1 = critic_loss(q1_tables, batch["actions"], targets[:, 0])
        l2 = critic_loss(q2_tables, batch["actions"], targets[:, 1])
        a1 = batch["actions"][:, 0]
        logits = jax.vmap(lambda o, a: pi_logits(params["pi"], o, eye1[a]))(batch["obs"], a1)
        q_rows = q2_tables[jnp.arange(B), a1]
        la = gumbel_actor_loss(logits, q_rows, k_actor, config.gumbel_temperature)
        return l1 + l2 + la, (l1, l2, la)

    def probe(params, obs):
        probs = jax.nn.softmax(pi_all(params["pi"], obs), axis=-1)
        return {"leader_q": q(params["q1"], obs).reshape(-1), "follower_policy": probs.reshape(-1)}

    agent = _Agent(
        init=init,
        optimizers={
            "q1": _adam(config, config.leader_lr),
            "q2": _adam(config, config.follower_lr),
            "pi": _adam(config, config.actor_lr),
        },
        act=act,
        greedy=greedy,
        loss=loss,
        probe=probe,
        act_forced=act_forced,
    )
    return agent


# ---------------------------------------------------------------------------- independent DQN family
def make_idqn(env: Env, config: IDQNConfig | None = None) -> Program:
    """Independent DQN (``IDQNConfig``), Hysteretic DQN (``HystereticDQNConfig``) or Lenient DQN
    (``LenientDQNConfig``), chosen by the configuration's class."""
    config = IDQNConfig() if config is None else config
    return _offpolicy_program(env, config, _idqn_agent(env, config))


def _idqn_agent(env, config: IDQNConfig) -> _Agent:
    """The networks, optimisers, acting rules and loss of make_idqn; ``env`` needs only ``n_agents``,
    ``action_counts`` and ``obs_dim`` (also used by :mod:`stackelberg.neural.host_offpolicy`)."""
    counts = env.action_counts
    d = env.obs_dim
    nets = [MLP(config.hidden, n) for n in counts]
    names = [f"q{i}" for i in range(len(counts))]
    terminal = _always_terminal(env)

    def init(key):
        keys = jax.random.split(key, len(nets))
        return {name: net.init(k, jnp.zeros(d)) for name, net, k in zip(names, nets, keys)}

    def greedy_one(params, obs):
        return jnp.stack([jnp.argmax(net.apply(params[name], obs)) for name, net in zip(names, nets)])

    def act(params, obs, key, epsilon):
        return _explore(key, greedy_one(params, obs), counts, epsilon)

    def greedy(params, obs):
        return greedy_one(params, obs[0]).astype(jnp.int32)

    def loss(params, target, batch, key, t):
        total, parts = 0.0, []
        keys = jax.random.split(key, len(nets))
        for i, (name, net) in enumerate(zip(names, nets)):
            if terminal:  # every continuation is 0: the target is the reward
                y = batch["rewards"][:, i]
            else:
                next_q = jax.vmap(lambda o: net.apply(target[name], o))(batch["next_obs"])
                y = jax.lax.stop_gradient(batch["rewards"][:, i] + batch["continuation"] * next_q.max(axis=-1))
            q_values = jax.vmap(lambda o: net.apply(params[name], o))(batch["obs"])
            delta = jax.lax.stop_gradient(q_values[jnp.arange(q_values.shape[0]), batch["actions"][:, i]] - y)
            if isinstance(config, HystereticDQNConfig):
                weights = jnp.where(delta > 0, config.negative_scale, 1.0)  # Q above target: a decrease
            elif isinstance(config, LenientDQNConfig):
                leniency = config.leniency * jnp.exp(-t / config.leniency_decay)
                forgive = jax.random.uniform(keys[i], delta.shape) < leniency
                weights = jnp.where((delta > 0) & forgive, 0.0, 1.0)
            else:
                weights = None
            part = dqn_loss(q_values, batch["actions"][:, i], y, weights)
            total, parts = total + part, parts + [part]
        return total, tuple(parts)

    def probe(params, obs):
        return {f"q_{i}": net.apply(params[name], obs) for i, (name, net) in enumerate(zip(names, nets))}

    agent = _Agent(
        init=init,
        optimizers={name: _adam(config, config.lr) for name in names},
        act=act,
        greedy=greedy,
        loss=loss,
        probe=probe,
    )
    return agent


# ---------------------------------------------------------------------------- MADDPG
def make_maddpg(env: Env, config: MADDPGConfig | None = None) -> Program:
    """MADDPG with Gumbel-softmax actors and centralised joint-action critics (see the module docstring)."""
    config = MADDPGConfig() if config is None else config
    return _offpolicy_program(env, config, _maddpg_agent(env, config))


def _maddpg_agent(env, config: MADDPGConfig) -> _Agent:
    """The networks, optimisers, acting rules and loss of make_maddpg; ``env`` needs only ``n_agents``,
    ``action_counts`` and ``obs_dim`` (also used by :mod:`stackelberg.neural.host_offpolicy`)."""
    counts = env.action_counts
    N, A, d = env.n_agents, env.n_joint_actions, env.obs_dim
    actors = [MLP(config.hidden, n) for n in counts]
    critic = MLP(config.hidden, A)
    eyes = [jnp.eye(n, dtype=jnp.float32) for n in counts]
    terminal = _always_terminal(env)

    def q(p, obs):
        return critic.apply(p, obs).reshape(counts)

    def init(key):
        keys = jax.random.split(key, 2 * N)
        params = {f"pi{i}": actors[i].init(keys[i], jnp.zeros(d)) for i in range(N)}
        params.update({f"q{i}": critic.init(keys[N + i], jnp.zeros(d)) for i in range(N)})
        return params

    def greedy_one(params, obs):
        return jnp.stack([jnp.argmax(actors[i].apply(params[f"pi{i}"], obs)) for i in range(N)])

    def act(params, obs, key, epsilon):
        return _explore(key, greedy_one(params, obs), counts, epsilon)

    def greedy(params, obs):
        return greedy_one(params, obs[0]).astype(jnp.int32)

    def loss(params, target, batch, key, t):
        B = batch["obs"].shape[0]
        keys = jax.random.split(key, 2 * N)
        next_soft = None if terminal else [
            gumbel_softmax(keys[i], jax.vmap(lambda o: actors[i].apply(target[f"pi{i}"], o))(batch["next_obs"]),
                           config.gumbel_temperature)
            for i in range(N)
        ]
        hard = [eyes[i][batch["actions"][:, i]] for i in range(N)]
        total, parts = 0.0, []
        for i in range(N):
            if terminal:  # every continuation is 0: the target is the reward
                y = batch["rewards"][:, i]
            else:
                next_tables = jax.vmap(lambda o: q(target[f"q{i}"], o))(batch["next_obs"])
                next_values = jax.vmap(lambda tab, *ys: contract(tab, ys))(next_tables, *next_soft)
                y = jax.lax.stop_gradient(batch["rewards"][:, i] + batch["continuation"] * next_values)
            tables = jax.vmap(lambda o: q(params[f"q{i}"], o))(batch["obs"])
            lc = critic_loss(tables, batch["actions"], y)
            # actor i: the critic's values of each own action, the others' buffer actions fixed
            moved = jnp.moveaxis(tables, i + 1, -1)
            others = [hard[j] for j in range(N) if j != i]
            q_rows = jax.vmap(lambda tab, *ys: _contract_leading(tab, ys))(moved, *others)
            logits = jax.vmap(lambda o: actors[i].apply(params[f"pi{i}"], o))(batch["obs"])
            la = gumbel_actor_loss(logits, q_rows, keys[N + i], config.gumbel_temperature)
            total, parts = total + lc + la, parts + [lc, la]
        del B
        return total, tuple(parts)

    def probe(params, obs):
        return {"leader_q": q(params["q0"], obs).reshape(-1)}

    optimizers = {f"pi{i}": _adam(config, config.actor_lr) for i in range(N)}
    optimizers.update({f"q{i}": _adam(config, config.critic_lr) for i in range(N)})
    agent = _Agent(init=init, optimizers=optimizers, act=act, greedy=greedy, loss=loss, probe=probe)
    return agent


def _contract_leading(table, weights):
    """Contract the leading axes of ``table`` with ``weights`` (one per axis), keeping the last axis."""
    out = table
    for w in weights:
        out = jnp.tensordot(w, out, axes=1)
    return out


register_algorithm("bi-ac", BiACConfig, make_biac, "Bi-level actor-critic (Zhang et al. 2020, Eqs. 12-16)")
register_algorithm("i-dqn", IDQNConfig, make_idqn, "Independent DQN")
register_algorithm("hysteretic-dqn", HystereticDQNConfig, make_idqn, "Hysteretic DQN (Omidshafiei et al. 2017)")
register_algorithm("lenient-dqn", LenientDQNConfig, make_idqn, "Lenient DQN (global leniency schedule)")
register_algorithm("maddpg", MADDPGConfig, make_maddpg, "MADDPG with Gumbel-softmax actors")
