r"""The N-level actor-critic: Bi-AC (:mod:`stackelberg.neural.offpolicy`) for N agents ordered by priority.

Agent 0 leads, agent ``N - 1`` moves last. Every agent ``i`` has a critic :math:`Q_i(s, a_0, \dots, a_{N-1})`
(one network with an output per joint action); every agent ``i >= 1`` has an actor
:math:`\pi_i(a_i | s, a_0, \dots, a_{i-1})` that sees its superiors' actions as one-hot inputs. The leader has no
actor: it acts by maximising its critic under the followers' policies,

.. math:: a_0 = \arg\max_{a_0} \sum_{a_{1:}} \prod_{i \ge 1} \pi_i(a_i | s, a_{<i}) \, Q_0(s, a),

computed exactly by enumerating the joint actions. Actor ``i`` ascends its own critic through a Gumbel-softmax
sample of its action, with the inferiors answering by their current policies:
:math:`q_i(a_i) = \sum_{a_{>i}} \prod_{j>i} \pi_j(a_j | s, a_{<j}) Q_i(s, a_{<i}, a_i, a_{>i})`. The critics'
targets generalise Bi-AC's Eqs. 12-14: the leader's next action is its greedy one under the target networks,
agents ``1..N-2`` draw their next actions from their target actors' Gumbel-softmax samples, and the last agent's
sample weights the target critic's row, :math:`y_i = r_i + \gamma \sum_{a} y_{N-1}(a) Q^-_i(s', a'_{<N-1}, a)`.
With two agents this is exactly Bi-AC (:func:`stackelberg.neural.offpolicy.biac_target`).

Replay buffer, target networks, exploration (1000 uniform steps, then decaying epsilon-greedy; agents explore one
after another, each inferior answering the actions actually taken above it) and the training loop are Bi-AC's
(:class:`~stackelberg.neural.offpolicy.BiACConfig`'s settings and defaults).

Examples
--------
>>> import jax, stackelberg as sb
>>> from stackelberg.neural.envs import matrix_env
>>> program = make_nlevel_ac(matrix_env(sb.get_game("escape")), NLevelACConfig(steps=200, hidden=(8,)))
>>> program.n_blocks
2
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from .envs import Env
from .networks import MLP, gumbel_softmax
from .offpolicy import BiACConfig, _adam, _Agent, _offpolicy_program, critic_loss, gumbel_actor_loss
from .ppo import joint_prefixes, prefix_one_hot
from .program import Program, register_algorithm

__all__ = ["NLevelACConfig", "make_nlevel_ac", "nlevel_target", "follower_chain"]


@dataclass(frozen=True)
class NLevelACConfig(BiACConfig):
    """N-level actor-critic settings: Bi-AC's (``leader_lr`` for the leader's critic, ``follower_lr`` for every
    other critic, ``actor_lr`` for every actor)."""


def follower_chain(policies, counts, start: int):
    """Joint distribution of agents ``start..N-1`` answering each prefix ``a_{<start}``.

    ``policies[i]`` holds agent ``i``'s probabilities for every prefix, shaped ``counts[:i+1]`` (``i >= start``).
    Returns an array shaped ``counts`` whose entry ``a`` is ``prod_{i >= start} pi_i(a_i | a_{<i})``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> pi1 = jnp.array([[0.5, 0.5], [1.0, 0.0]])
    >>> follower_chain({1: pi1}, (2, 2), 1).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    out = jnp.ones(counts)
    for i in range(start, len(counts)):
        p = policies[i].reshape(tuple(counts[: i + 1]) + (1,) * (len(counts) - i - 1))
        out = out * p
    return out


def nlevel_target(q_next, policies_next, rewards, continuation, noise_key, temperature):
    """Targets of one transition (Bi-AC Eqs. 12-14 for N agents).

    ``q_next`` is ``(N, *counts)`` (the target critics at ``s'``), ``policies_next`` the target actors' logits
    per prefix (``policies_next[i]`` shaped ``counts[:i+1]``). Returns ``(y (N,), a0')``.
    """
    counts = q_next.shape[1:]
    N = len(counts)
    probs = {i: jax.nn.softmax(policies_next[i], axis=-1) for i in range(1, N)}
    scores = jnp.sum(follower_chain(probs, counts, 1) * q_next[0], axis=tuple(range(1, N)))
    a0 = jnp.argmax(scores)
    prefix = (a0,)
    keys = jax.random.split(noise_key, N)
    for i in range(1, N - 1):
        y = gumbel_softmax(keys[i], policies_next[i][prefix], temperature)
        prefix = prefix + (jnp.argmax(y),)
    y_last = gumbel_softmax(noise_key, policies_next[N - 1][prefix], temperature)  # Bi-AC's draw when N = 2
    rows = jnp.stack([q_next[p][prefix] for p in range(N)])  # (N, counts[-1])
    return rewards + continuation * rows @ y_last, a0


def make_nlevel_ac(env: Env, config: NLevelACConfig | None = None) -> Program:
    """The N-level actor-critic of any environment with two or more agents (agent 0 leads)."""
    config = NLevelACConfig() if config is None else config
    if not isinstance(config, BiACConfig):
        raise TypeError(f"config must be an NLevelACConfig; got {type(config).__name__}")
    N, d = env.n_agents, env.obs_dim
    counts = tuple(int(n) for n in env.action_counts)
    if N < 2:
        raise ValueError(f"nlevel-ac needs an environment with at least two agents; got {N}")
    A = int(np.prod(counts))
    slots = sum(counts[:-1])
    q_net = MLP(config.hidden, A)
    actors = {i: MLP(config.hidden, counts[i]) for i in range(1, N)}
    prefixes = {i: jnp.asarray(joint_prefixes(counts, i)) for i in range(1, N)}

    def q(p, obs):
        return q_net.apply(p, obs).reshape(counts)

    def logits(p, i, obs, actions):
        return actors[i].apply(p, jnp.concatenate([obs, prefix_one_hot(actions, i, counts)], axis=-1))

    def logits_all(params, obs):
        """Every actor's logits for every prefix: ``{i: counts[:i+1]}``."""
        return {
            i: jax.vmap(lambda a, i=i: logits(params[f"pi{i}"], i, obs, a))(prefixes[i]).reshape(counts[: i + 1])
            for i in range(1, N)
        }

    def leader_scores(params, obs):
        probs = {i: jax.nn.softmax(x, axis=-1) for i, x in logits_all(params, obs).items()}
        return jnp.sum(follower_chain(probs, counts, 1) * q(params["q0"], obs), axis=tuple(range(1, N)))

    def init(key):
        keys = jax.random.split(key, 2 * N)
        params = {f"q{i}": q_net.init(keys[i], jnp.zeros(d)) for i in range(N)}
        params.update({f"pi{i}": actors[i].init(keys[N + i], jnp.zeros(d + slots)) for i in range(1, N)})
        return params

    def chain(params, obs, key, epsilon):
        keys = jax.random.split(key, 2 * N)
        actions = jnp.zeros(N, jnp.int32)
        for i in range(N):
            best = jnp.argmax(leader_scores(params, obs) if i == 0 else logits(params[f"pi{i}"], i, obs, actions))
            explore = jax.random.uniform(keys[2 * i]) < epsilon
            a = jnp.where(explore, jax.random.randint(keys[2 * i + 1], (), 0, counts[i]), best)
            actions = actions.at[i].set(a.astype(jnp.int32))
        return actions

    def act(params, obs, key, epsilon):
        return chain(params, obs, key, epsilon)

    def act_forced(params, obs, forced, forced_actions):
        actions = jnp.zeros(N, jnp.int32)
        for i in range(N):
            best = jnp.argmax(leader_scores(params, obs) if i == 0 else logits(params[f"pi{i}"], i, obs, actions))
            actions = actions.at[i].set(jnp.where(forced[i], forced_actions[i], best).astype(jnp.int32))
        return actions

    def greedy(params, obs):
        return chain(params, obs[0], jax.random.PRNGKey(0), 0.0)

    def loss(params, target, batch, key, t):
        k_target, k_actor = jax.random.split(key)
        B = batch["obs"].shape[0]

        def one_target(o, r, g, k):
            q_next = jnp.stack([q(target[f"q{i}"], o) for i in range(N)])
            return nlevel_target(q_next, logits_all(target, o), r, g, k, config.gumbel_temperature)[0]

        y = jax.lax.stop_gradient(jax.vmap(one_target)(batch["next_obs"], batch["rewards"], batch["continuation"],
                                                       jax.random.split(k_target, B)))
        total, parts = 0.0, []
        tables = {}
        for i in range(N):
            tables[i] = jax.vmap(lambda o, i=i: q(params[f"q{i}"], o))(batch["obs"])
            part = critic_loss(tables[i], batch["actions"], y[:, i])
            total, parts = total + part, parts + [part]
        probs = jax.lax.stop_gradient(jax.vmap(lambda o: {
            i: jax.nn.softmax(x, axis=-1) for i, x in logits_all(params, o).items()})(batch["obs"]))
        actor_keys = jax.random.split(k_actor, N)
        for i in range(1, N):
            def row(table, a, pb, i=i):
                answer = follower_chain({j: pb[j] for j in range(i + 1, N)}, counts, i + 1)
                values = jnp.sum(answer * table, axis=tuple(range(i + 1, N)))  # counts[:i+1]
                return values[tuple(a[:i])]

            q_rows = jax.vmap(row)(jax.lax.stop_gradient(tables[i]), batch["actions"], probs)
            lg = jax.vmap(lambda o, a, i=i: logits(params[f"pi{i}"], i, o, a))(batch["obs"], batch["actions"])
            part = gumbel_actor_loss(lg, q_rows, actor_keys[i], config.gumbel_temperature)
            total, parts = total + part, parts + [part]
        return total, tuple(parts)

    def probe(params, obs):
        return {"leader_q": q(params["q0"], obs).reshape(-1)}

    optimizers = {"q0": _adam(config, config.leader_lr)}
    optimizers.update({f"q{i}": _adam(config, config.follower_lr) for i in range(1, N)})
    optimizers.update({f"pi{i}": _adam(config, config.actor_lr) for i in range(1, N)})
    agent = _Agent(init=init, optimizers=optimizers, act=act, greedy=greedy, loss=loss, probe=probe,
                   act_forced=act_forced)
    return _offpolicy_program(env, config, agent)


register_algorithm("nlevel-ac", NLevelACConfig, make_nlevel_ac,
                   "N-level actor-critic: Bi-AC for N priority-ordered agents")
