r"""STEP (Zhang et al., IJCAI 2023): the N-level policy as a conditional hypernetwork, trained with PPO.

Agents are ranked by priority (agent 0 first, the leader of the package's convention). Agent ``i``'s policy is
built from three parts whose parameters all agents share:

- the **state embedding** :math:`s^{i-1} = E(s, a^1, \dots, a^{i-1}; \theta_s)` (Eq. 8): a ReLU network on the
  observation and one-hot slots of the superiors' actions (slots of agents at or below ``i`` are zero);
- the **parameter generator** :math:`\theta^i_{tar} = H(e^i; \theta_h)` (Eq. 9): a learnable embedding
  :math:`e^i` of the priority ID fed through a ReLU network whose output is the flattened weights of the target
  policy (its output bias starts at an ordinary initialisation of the target policy, so every generated policy
  starts near a standard one);
- the **target policy** :math:`a^i \sim \pi^i(s^{i-1}; \theta^i_{tar})` (Eq. 10): one hidden ReLU layer and a
  softmax over agent ``i``'s actions.

Training follows Algorithm 1: in every step the agents act in priority order, each sampling its action
conditioned on the superiors' sampled actions, and each agent's critic :math:`V_i(s, a^{1:i-1})` (one network
per agent) values the subgame state. After a rollout, GAE gives each agent's advantages from its own rewards,
and the agents update the shared policy model one after another (one phase per agent, ``epochs`` x
``minibatches`` Adam steps each) with Eq. 11,

.. math:: L^i = L_{clip} - L_h(\theta_h, \theta_{h,old}, e^{1:i-1}) + \eta S(\pi^i), \qquad
          L_h = \frac{\beta}{i-1} \sum_{j<i} \lVert H(e^j; \theta_h) - H(e^j; \theta_{h,old}) \rVert_2^2,

where :math:`\theta_{h,old}` is the generator at the start of agent ``i``'s phase (so the superiors' policies,
already updated, are protected while the inferior agent trains), and the critic with the clipped loss of Eq. 12.

Execution is greedy and symmetric: agent ``i`` recomputes the greedy actions of its superiors from its own
observation with the shared model, then takes its own most likely action given them (:func:`greedy_chain`).

Choices the paper leaves open (ours): the sizes (state embedding 64 -> 64, ID embedding 16, generator hidden
64, target hidden 32), regulariser coefficient ``beta=1.0``, ``lr_ratio=0.3`` (below), the PPO settings of
:class:`~stackelberg.neural.ppo.PPOConfig`, and an optional leader entropy schedule (``leader_entropy_coef``,
``leader_entropy_steps``; off by default; :mod:`stackelberg.figures.neural_step_penalty_mixing` measures it).

Examples
--------
>>> import jax.numpy as jnp
>>> generated = jnp.array([[1.0, 2.0], [0.0, 0.0], [5.0, 5.0]])
>>> old = jnp.array([[0.0, 2.0], [0.0, 2.0], [0.0, 0.0]])
>>> float(hypernetwork_regulariser(generated, old, 2, beta=0.5))  # (1 + 4) * 0.5 / 2
1.25
>>> STEPConfig(beta=-1.0)
Traceback (most recent call last):
...
ValueError: beta must be a real number in [0, inf); got -1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from .._validation import check_positive_int, check_real
from .envs import Env
from .networks import MLP
from .ppo import (
    OnPolicyAgent,
    Phase,
    PPOConfig,
    _normalise,
    action_mask,
    categorical_entropy,
    joint_prefixes,
    masked_log_softmax,
    onpolicy_program,
    ppo_clip_objective,
    prefix_one_hot,
    value_clip_loss,
)
from .program import Program, register_algorithm

__all__ = [
    "STEPConfig",
    "NLevelPolicy",
    "make_step",
    "step_agent",
    "hypernetwork_regulariser",
    "target_policy_logits",
    "greedy_chain",
]

_NEG = -1e9


@dataclass(frozen=True)
class STEPConfig(PPOConfig):
    """STEP settings: the PPO settings plus the N-level policy model's sizes and Eq. 11's coefficient ``beta``.

    Attributes
    ----------
    embed_hidden : tuple of int
        Hidden layers of the state embedding ``E``.
    embed_dim : int
        Size of the subgame-state embedding :math:`s^{i-1}`.
    id_dim : int
        Size of the priority-ID embedding :math:`e^i`.
    hyper_hidden : tuple of int
        Hidden layers of the parameter generator ``H``.
    target_hidden : int
        Hidden units of the generated target policy.
    beta : float
        Coefficient of the hypernetwork regulariser :math:`L_h` (Eq. 11).
    lr_ratio : float
        Step size of each agent's phase relative to its inferior's: agent ``i`` updates the shared model with
        ``lr * lr_ratio ** (N - 1 - i)`` (default 0.3; 1 is the paper's one learning rate; below 1 the
        followers adapt faster than their leaders, the two-timescale view of Stackelberg learning; our addition).
    leader_entropy_coef : float or None
        Entropy coefficient (eta of Eq. 11) of the first agent's phase (None: ``entropy_coef``, as every other
        agent's; our addition: a leader that keeps exploring lets its followers learn their answers to every
        leader action before it commits).
    leader_entropy_steps : int or None
        With ``leader_entropy_coef``: the leader's coefficient falls linearly from ``leader_entropy_coef`` to
        ``entropy_coef`` over this many environment steps and stays there (None: constant). Needs the step count
        that the in-program driver records with each rollout (:func:`~stackelberg.neural.ppo.onpolicy_program`).
    """

    embed_hidden: tuple = (64,)
    embed_dim: int = 64
    id_dim: int = 16
    hyper_hidden: tuple = (64,)
    target_hidden: int = 32
    beta: float = 1.0
    lr_ratio: float = 0.3
    leader_entropy_coef: float | None = None
    leader_entropy_steps: int | None = None

    def __post_init__(self):
        super().__post_init__()
        for name in ("embed_dim", "id_dim", "target_hidden"):
            check_positive_int(name, getattr(self, name))
        for name in ("embed_hidden", "hyper_hidden"):
            value = getattr(self, name)
            if not isinstance(value, (tuple, list)) or not all(
                isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w > 0 for w in value
            ):
                raise ValueError(f"{name} must be a tuple of positive integer layer widths; got {value!r}")
            object.__setattr__(self, name, tuple(int(w) for w in value))
        check_real("beta", self.beta, low=0.0)
        check_real("lr_ratio", self.lr_ratio, low=0.0, low_open=True, high=1.0)
        if self.leader_entropy_coef is not None:
            check_real("leader_entropy_coef", self.leader_entropy_coef, low=0.0)
        if self.leader_entropy_steps is not None:
            check_positive_int("leader_entropy_steps", self.leader_entropy_steps)


# ---------------------------------------------------------------------------- pure pieces
def hypernetwork_regulariser(generated, generated_old, level: int, beta: float):
    r"""Eq. 11's :math:`L_h = \frac{\beta}{i-1} \sum_{j<i} \lVert H(e^j) - H_{old}(e^j) \rVert_2^2` for the agent at
    0-based priority ``level`` (the paper's :math:`i = level + 1`); 0 for the first agent.

    ``generated`` and ``generated_old`` are the ``(N, P)`` flattened target-policy weights of every priority
    level under the current and the phase-start generator.
    """
    if level == 0:
        return jnp.zeros(())
    diff = generated[:level] - jax.lax.stop_gradient(generated_old[:level])
    return beta / level * jnp.sum(diff**2)


def _target_shapes(embed_dim, hidden, width):
    return ((embed_dim, hidden), (hidden,), (hidden, width), (width,))


def target_policy_logits(flat, embedding, embed_dim: int, hidden: int, width: int):
    """Logits of the target policy (Eq. 10) whose weights are the flat vector ``flat`` (``W1, b1, W2, b2`` in C
    order): ``relu(s W1 + b1) W2 + b2`` for embeddings ``(..., embed_dim)``."""
    pieces, start = [], 0
    for shape in _target_shapes(embed_dim, hidden, width):
        size = int(np.prod(shape))
        pieces.append(flat[start:start + size].reshape(shape))
        start += size
    w1, b1, w2, b2 = pieces
    return jax.nn.relu(embedding @ w1 + b1) @ w2 + b2


class NLevelPolicy(nn.Module):
    """STEP's N-level policy model (Eqs. 8-10): ``embed(obs, prefix)``, ``generate()`` (``(N, P)`` weights of
    every level) and ``__call__(obs, prefix, level)`` (the logits of agent ``level``)."""

    n_agents: int
    width: int
    embed_hidden: Sequence[int]
    embed_dim: int
    id_dim: int
    hyper_hidden: Sequence[int]
    target_hidden: int

    @property
    def n_generated(self) -> int:
        return sum(int(np.prod(s)) for s in _target_shapes(self.embed_dim, self.target_hidden, self.width))

    def setup(self):
        self.embedding = MLP(tuple(self.embed_hidden), self.embed_dim)
        self.priority = self.param("priority_embedding", nn.initializers.normal(1.0), (self.n_agents, self.id_dim))
        self.hyper_layers = [nn.Dense(w) for w in self.hyper_hidden]
        shapes = _target_shapes(self.embed_dim, self.target_hidden, self.width)

        def target_init(key, shape, dtype=jnp.float32):
            k1, k2 = jax.random.split(key)
            w1 = nn.initializers.lecun_normal()(k1, shapes[0], dtype)
            w2 = nn.initializers.lecun_normal()(k2, shapes[2], dtype) * 0.1
            return jnp.concatenate([w1.ravel(), jnp.zeros(shapes[1]), w2.ravel(), jnp.zeros(shapes[3])])

        self.hyper_out = nn.Dense(
            self.n_generated, kernel_init=nn.initializers.variance_scaling(0.01, "fan_in", "normal"),
            bias_init=target_init,
        )

    def embed(self, obs, prefix):
        """Eq. 8: the subgame-state embedding of ``(obs, superiors' one-hot slots)``."""
        return jax.nn.relu(self.embedding(jnp.concatenate([obs, prefix], axis=-1)))

    def generate(self):
        """Eq. 9 for every priority level: ``(N, P)`` flattened target-policy weights."""
        x = self.priority
        for layer in self.hyper_layers:
            x = jax.nn.relu(layer(x))
        return self.hyper_out(x)

    def __call__(self, obs, prefix, level):
        flat = self.generate()[level]
        return target_policy_logits(flat, self.embed(obs, prefix), self.embed_dim, self.target_hidden, self.width)


def greedy_chain(logits_fn, obs, counts, upto: int):
    """Greedy actions of agents ``0..upto`` in priority order, each given the previous ones' greedy actions.

    ``logits_fn(obs, actions, level)`` returns agent ``level``'s logits given the action vector ``actions``
    (only its first ``level`` entries are read). Returns int32 ``(N,)`` (entries after ``upto`` are 0).
    """
    N = len(counts)
    mask = action_mask(counts)
    actions = jnp.zeros(N, jnp.int32)
    for i in range(upto + 1):
        a = jnp.argmax(jnp.where(mask[i], logits_fn(obs, actions, i), _NEG))
        actions = actions.at[i].set(a.astype(jnp.int32))
    return actions


# ---------------------------------------------------------------------------- the learner
def make_step(env: Env, config: STEPConfig | None = None) -> Program:
    """STEP on any environment of :mod:`stackelberg.neural.envs` (see the module docstring)."""
    config = STEPConfig() if config is None else config
    if not isinstance(config, STEPConfig):
        raise TypeError(f"config must be a STEPConfig; got {type(config).__name__}")
    return onpolicy_program(env, config, step_agent(env.n_agents, env.obs_dim, env.action_counts, config))


def step_agent(n_agents: int, obs_dim: int, counts, config: STEPConfig) -> OnPolicyAgent:
    """STEP's N-level policy model, critics, sampling, greedy execution and per-agent phases for ``n_agents``
    agents (priority order) with flat observations of size ``obs_dim`` and ``counts[i]`` actions each (the
    :class:`~stackelberg.neural.ppo.OnPolicyAgent` that :func:`make_step` drives).

    Examples
    --------
    >>> agent = step_agent(3, 4, (5, 5, 5), STEPConfig(hidden=(8,), embed_hidden=(8,), embed_dim=8))
    >>> params = agent.init(jax.random.PRNGKey(0))
    >>> agent.greedy(params, jnp.zeros((3, 4))).shape, len(agent.phases)  # one phase per agent
    ((3,), 3)
    """
    N, d, counts = int(n_agents), int(obs_dim), tuple(int(n) for n in counts)
    width = max(counts)
    mask = action_mask(counts)
    slots = sum(counts[:-1])
    model = NLevelPolicy(N, width, config.embed_hidden, config.embed_dim, config.id_dim, config.hyper_hidden,
                         config.target_hidden)
    critic = MLP(config.hidden, 1)

    def policy_logits(p, obs, actions, level):
        return model.apply(p, obs, prefix_one_hot(actions, level, counts), level)

    def critic_value(params, obs, actions, level):
        inputs = jnp.concatenate([obs, prefix_one_hot(actions, level, counts)], axis=-1)
        return critic.apply(params[f"critic_{level}"], inputs)[..., 0]

    def init(key):
        k_policy, k_critic = jax.random.split(key)
        policy = model.init(k_policy, jnp.zeros(d), jnp.zeros(slots), 0)
        params = {"actor": policy}
        for i, k in enumerate(jax.random.split(k_critic, N)):
            params[f"critic_{i}"] = critic.init(k, jnp.zeros(d + slots))
        return params

    def sample(params, obs, key):
        actions = jnp.zeros(N, jnp.int32)
        logps, values = [], []
        for i, k in enumerate(jax.random.split(key, N)):
            logp_all = masked_log_softmax(policy_logits(params["actor"], obs[i], actions, i), mask[i])
            a = jax.random.categorical(k, logp_all).astype(jnp.int32)
            values.append(critic_value(params, obs[i], actions, i))
            actions = actions.at[i].set(a)
            logps.append(logp_all[a])
        return actions, jnp.stack(logps), jnp.stack(values)

    def value(params, obs, key):
        return sample(params, obs, key)[2]

    def evaluate(params, obs, actions):
        logps, values = [], []
        for i in range(N):
            logp_all = masked_log_softmax(policy_logits(params["actor"], obs[i], actions, i), mask[i])
            logps.append(logp_all[actions[i]])
            values.append(critic_value(params, obs[i], actions, i))
        return jnp.stack(logps), jnp.stack(values)

    def greedy(params, obs):
        # symmetric execution: agent i recomputes its superiors' greedy actions from its own observation
        return jnp.stack([
            greedy_chain(lambda o, a, lv: policy_logits(params["actor"], o, a, lv), obs[i], counts, i)[i]
            for i in range(N)
        ])

    def joint_policy(params, obs):
        joint = jnp.ones(())
        for i, n in enumerate(counts):
            prefixes = jnp.asarray(joint_prefixes(counts, i))
            logits = jax.vmap(lambda a, i=i: policy_logits(params["actor"], obs[i], a, i))(prefixes)
            probs = jnp.exp(masked_log_softmax(logits, mask[i]))[:, :n]
            joint = joint[..., None] * probs.reshape(counts[:i] + (n,))
        return joint.reshape(-1)

    def phase_loss(level):
        eta = config.entropy_coef
        if level == 0 and config.leader_entropy_coef is not None:
            eta = config.leader_entropy_coef

        def loss(params, anchor, mb):
            coef = eta
            if level == 0 and config.leader_entropy_coef is not None and config.leader_entropy_steps is not None:
                if "t" not in mb:
                    raise ValueError("leader_entropy_steps needs the step count 't' of each transition in the "
                                     "minibatch (recorded by the in-program driver, onpolicy_program)")
                left = jnp.clip(1.0 - mb["t"][0] / config.leader_entropy_steps, 0.0, 1.0)
                coef = config.entropy_coef + (config.leader_entropy_coef - config.entropy_coef) * left
            obs = mb["obs"][:, level]
            logits = jax.vmap(lambda o, a: policy_logits(params["actor"], o, a, level))(obs, mb["actions"])
            logp_all = masked_log_softmax(logits, mask[level])
            logp = jnp.take_along_axis(logp_all, mb["actions"][:, level, None], axis=-1)[:, 0]
            clip = ppo_clip_objective(logp, mb["logp"][:, level], _normalise(mb["advantages"][:, level]),
                                      config.clip_eps)
            entropy = jnp.mean(categorical_entropy(logits, mask[level]))
            generated = model.apply(params["actor"], method=NLevelPolicy.generate)
            generated_old = model.apply(anchor["actor"], method=NLevelPolicy.generate)
            reg = hypernetwork_regulariser(generated, generated_old, level, config.beta)
            v = jax.vmap(lambda o, a: critic_value(params, o, a, level))(obs, mb["actions"])
            vloss = value_clip_loss(v, mb["values"][:, level], mb["returns"][:, level], config.value_clip_eps)
            total = -(clip - reg + coef * entropy) + config.value_coef * vloss
            return total, jnp.stack([clip, reg, entropy, vloss])

        return loss

    return OnPolicyAgent(
        init=init, sample=sample, value=value, greedy=greedy,
        joint_policy=joint_policy if int(np.prod(counts)) <= 4096 else None,
        # one phase per agent in priority order (Algorithm 1); phase i moves the shared model and critic i only
        phases=tuple(
            Phase(("actor", f"critic_{i}"), phase_loss(i),
                  (config.lr * config.lr_ratio ** (N - 1 - i), config.critic_lr))
            for i in range(N)
        ),
        evaluate=evaluate,
    )


register_algorithm("step", STEPConfig, make_step,
                   "STEP (Zhang et al. 2023): N-level conditional-hypernetwork policy trained with PPO (Eqs. 8-12)")
