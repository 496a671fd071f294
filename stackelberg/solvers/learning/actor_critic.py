r"""Tabular actor-critic learners: bi-level actor-critic (Bi-AC) and the N-level actor-critic (STEP).

**Bi-level actor-critic** (Bi-AC, Eqs. 12-16, tabular): the leader keeps the critic :math:`Q_1`, the follower a
critic :math:`Q_2` and an actor :math:`\pi_2(a_2 \mid s, a_1) = \mathrm{softmax}(\phi_2(s, a_1, \cdot))`. The leader
acts greedily in expectation under the actor, :math:`a_1' = \arg\max_{a_1} \sum_{a_2} \pi_2(a_2 \mid s', a_1)
Q_1(s', a_1, a_2)` (Eq. 12 with the Gumbel-softmax sample replaced by its expectation); the critics move towards
:math:`r_i + \gamma \sum_{a_2} \pi_2(a_2 \mid s', a_1') Q_i(s', a_1', a_2)` (Eqs. 13-15, the expectation of the
sampled :math:`a_2'`); the actor takes the policy-gradient step of Eq. 16 with the baseline
:math:`V_2(s, a_1) = \sum_{a_2} \pi_2 Q_2` subtracted (the advantage, STEP Eq. 7), plus an optional entropy bonus
:math:`\eta H(\pi_2(\cdot \mid s, a_1))` (STEP Eq. 11):

.. math::

    \phi_2(s, a_1, \cdot) \mathrel{+}= \beta \big[(Q_2(s, a_1, a_2) - V_2(s, a_1))(e_{a_2} - \pi_2(\cdot \mid s, a_1))
    + \eta \nabla_{\phi} H\big].

The follower samples its actor (after the :math:`\epsilon`-coin). Within one transition the targets are computed
first (from the tables and policies before the transition), then the critics move, then the actor steps with the
moved critic and the policy from before the transition.

**N-level actor-critic** (STEP, tabular): agents move in a priority ``order``; agent :math:`i` keeps a critic
:math:`Q_i(s, a_1, \dots, a_N)` and an actor :math:`\pi_i(a_i \mid s, a_{<i})` conditioned on its superiors'
actions. Its advantage is :math:`A_i = Q_i(s, a_{1:i}) - V_i(s, a_{<i})` with
:math:`Q_i(s, a_{1:i}) = \mathbb E_{a_{>i} \sim \pi_{>i}} Q_i(s, \vec a)` (STEP Eqs. 5-7); critics move towards
:math:`r_i + \gamma\, \mathbb E_{\vec a' \sim \pi}[Q_i(s', \vec a')]`. The greedy joint action is the N-level path
:math:`a_1^* = \arg\max \pi_1(\cdot \mid s)`, :math:`a_2^* = \arg\max \pi_2(\cdot \mid s, a_1^*)`, ... (STEP's
execution). Every agent, the first mover included, is an actor here; with :math:`N = 2` and the first mover
replaced by the greedy critic-maximiser of Eq. 12 this *is* the tabular Bi-AC above (one shared implementation).

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 12-16).

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023 (Eqs. 5-7, 11).
"""

from __future__ import annotations

import itertools

import numpy as np

from ...games.markov import MarkovGame
from ..matrix.sequential import _check_order
from .results import LearningResult, convergence_fraction  # noqa: F401  (convergence_fraction: doctests)
from .schedule import _kernels, _sample, _sequential_sum, _Setup, LearningSchedule, takes_schedule

__all__ = ["bilevel_actor_critic", "nlevel_learning"]


@takes_schedule
def bilevel_actor_critic(game: MarkovGame, *, beta=0.003, entropy=0.0, schedule: LearningSchedule) -> LearningResult:
    r"""Tabular bi-level actor-critic (Bi-AC, Eqs. 12-16): leader critic, follower critic and softmax actor.

    Player 0 leads. The leader plays :math:`\arg\max_{a_1} \sum_{a_2} \pi_2(a_2 \mid s, a_1) Q_1(s, a_1, a_2)`;
    the follower samples :math:`\pi_2(\cdot \mid s, a_1)` (both after the exploration coin); see the module
    docstring for the exact critic and actor updates.

    Parameters
    ----------
    game : MarkovGame
        Two-player game; player 0 leads.
    beta : float or callable, default 0.003
        The actor's step size (a positive constant or a callable of the episode index). The policy is
        :math:`\mathrm{softmax}(\phi_2)` with temperature 1 (a temperature only rescales ``beta``: logits start at 0).
        Scale it with the rewards: the default suits payoffs of order 10 (the Bi-AC and STEP matrix games); a
        large step saturates the softmax on whatever the young critic favours first.
    entropy : float, default 0.0
        Entropy-bonus coefficient :math:`\eta \ge 0` of the actor step.

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` ``(runs, S, n_0, n_1)``; ``policies = (leader one-hot (runs, S, n_0),
        pi_2 (runs, S, n_0, n_1))``; greedy actions: the leader's greedy action and the actor's most likely reply.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or on a non-positive ``beta`` or negative ``entropy``.

    Examples
    --------
    Maintain (Bi-AC Table 1b): the Stackelberg outcome A-X, which is no Nash equilibrium.

    >>> from stackelberg.games.catalog import maintain
    >>> from stackelberg.games.repeated import repeated_game
    >>> game = repeated_game(maintain(), 0.0)
    >>> result = bilevel_actor_critic(game, episodes=30, steps_per_episode=10, runs=3, beta=0.05, seed=0)
    >>> convergence_fraction(result, (0, 0))
    1.0

    References
    ----------
    H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020, Eqs. 12-16.
    """
    setup = _Setup(game, schedule, actor=True, beta=beta, entropy=entropy)
    return _sequential_actor_critic(setup, (0, 1), greedy_top=True, algorithm="bilevel actor-critic")


@takes_schedule
def nlevel_learning(
    game: MarkovGame,
    order=None,
    *,
    beta=0.003,
    entropy=0.0,
    schedule: LearningSchedule,
) -> LearningResult:
    r"""Tabular N-level actor-critic (STEP): priority-ordered softmax actors conditioned on superiors' actions.

    Agent ``order[k]`` keeps a joint-action critic and a policy :math:`\pi_k(a_k \mid s, a_{<k})`; updates as in
    the module docstring. Agents act level by level, each seeing its superiors' actions (after the exploration
    coin); the greedy joint action is the N-level path of the policies' most likely actions.

    Parameters
    ----------
    game : MarkovGame
        Any number ``N >= 2`` of players.
    order : sequence of int, optional
        Players by priority, first mover first (default ``0, ..., N-1``).
    beta : float, callable or sequence, default 0.003
        Actor step sizes: one positive constant/callable for every agent, or one per player (player order). As
        for :func:`bilevel_actor_critic`, scale it with the rewards.
    entropy : float, default 0.0
        Entropy-bonus coefficient :math:`\eta \ge 0` of every actor step.

    Returns
    -------
    LearningResult
        ``q_values`` per player ``(runs, S, n_0, ..., n_{N-1})``; ``policies`` per player as described in
        :class:`LearningResult`; ``order``.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning` (any ``N >= 2``), or on an invalid ``order``, ``beta`` or ``entropy``.

    Examples
    --------
    >>> from stackelberg.games.catalog import escape
    >>> from stackelberg.games.repeated import repeated_game
    >>> game = repeated_game(escape(), 0.0)
    >>> result = nlevel_learning(game, order=[1, 0], episodes=30, steps_per_episode=10, runs=3, beta=0.05, seed=0)
    >>> result.greedy_actions[:, 0].tolist(), result.policies[1].shape, result.policies[0].shape
    ([[2, 2], [2, 2], [2, 2]], (3, 1, 3), (3, 1, 3, 3))

    References
    ----------
    B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
    multi-agent reinforcement learning. IJCAI 2023, Eqs. 5-7.
    """
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    order = _check_order(order, game.n_players)
    setup = _Setup(game, schedule, players=None, actor=True, beta=beta,
                   entropy=entropy)
    setup.parameters["order"] = order
    return _sequential_actor_critic(setup, order, greedy_top=False, algorithm="n-level")


# ---------------------------------------------------------------------- shared implementation
class _Levels:
    """The move-order layout of an N-level learner: actions, logit offsets and joint-index strides."""

    def __init__(self, game, order):
        shape = game.action_shape
        self.order = tuple(order)
        self.N = len(order)
        self.n = np.array([shape[p] for p in order], dtype=np.int64)
        prefixes = np.cumprod(np.r_[1, self.n[:-1]]).astype(np.int64)  # superiors' action profiles per level
        self.prefixes = prefixes
        self.offsets = np.r_[0, np.cumsum(prefixes * self.n)].astype(np.int64)
        self.A = int(np.prod(self.n))
        self.mstride = np.array([int(np.prod(self.n[k + 1:])) for k in range(self.N)], dtype=np.int64)
        game_stride = [int(np.prod(shape[p + 1:])) for p in range(self.N)]
        self.gstride = np.array([game_stride[p] for p in order], dtype=np.int64)
        self.rewards = np.ascontiguousarray(game.rewards[list(order)], dtype=float)


def _sequential_actor_critic(setup, order, greedy_top, algorithm):
    game, R, S = setup.game, setup.runs, setup.game.n_states
    lv = _Levels(game, order)
    Q = np.zeros((R, lv.N, S, lv.A))
    logits = np.zeros((R, S, int(lv.offsets[-1])))
    probs_table, logp_table = _np_policies(logits, lv)
    setup.snapshot = lambda: (Q.copy(), logits.copy())
    alpha = np.ascontiguousarray(setup.alpha[:, list(order)])  # rates by level
    beta = np.ascontiguousarray(setup.beta[:, list(order)])
    if setup.backend == "numba":
        kernel = _kernels().sequential_ac_kernel
        setup.run_kernel(lambda e, init_u, U: kernel(
            Q, logits, probs_table, logp_table, *setup.csr, lv.rewards, setup.init_cdf, lv.n, lv.offsets,
            lv.mstride, lv.gstride, greedy_top, setup.gamma, setup.eps[e], alpha[e], beta[e], setup.entropy,
            init_u, U))
    else:
        _sequential_ac_numpy(setup, lv, Q, logits, probs_table, logp_table, alpha, beta, greedy_top)

    finish = lambda raw: _finish(raw, lv, R, S, order, greedy_top)  # noqa: E731
    q_values, greedy, policies = finish((Q, logits))
    return LearningResult(algorithm, q_values, greedy, setup.initial_state, policies=policies,
                          order=tuple(order), parameters=setup.parameters, history=setup.history(finish))


def _finish(raw, lv, R, S, order, greedy_top):
    """Greedy N-level paths, per-player tables and policies of the raw tables ``(Q, logits)``."""
    Q, logits = raw
    rows = np.arange(R)
    greedy = np.zeros((R, S, lv.N), dtype=np.int64)
    probabilities = np.zeros((R, S, int(lv.offsets[-1])))
    for s in range(S):
        states = np.full(R, s)
        probs, _ = _np_policies(logits[:, s], lv)
        if greedy_top:
            _np_greedy_top(Q, states, probs, lv)
        probabilities[:, s] = probs
        row = np.zeros(R, dtype=np.int64)
        for k in range(lv.N):
            block = probs[rows[:, None], lv.offsets[k] + row[:, None] * lv.n[k] + np.arange(lv.n[k])]
            a = block.argmax(axis=1)
            greedy[:, s, order[k]] = a
            row = row * lv.n[k] + a
    move_shape = tuple(int(v) for v in lv.n)
    to_player_axes = (0, 1) + tuple(2 + order.index(p) for p in range(lv.N))
    q_values = [None] * lv.N
    policies = [None] * lv.N
    for k, player in enumerate(order):
        q_values[player] = Q[:, k].reshape((R, S) + move_shape).transpose(to_player_axes).copy()
        block = probabilities[:, :, lv.offsets[k]:lv.offsets[k + 1]]
        policies[player] = block.reshape((R, S) + move_shape[:k + 1])
    return tuple(q_values), greedy, tuple(policies)


def _np_softmax(block):
    """Softmax and log-softmax over the last axis (the kernels' formula and order of summation)."""
    # Not solvers._numeric.softmax: the numpy path must reproduce the numba kernel's tables bit for bit, so the
    # normaliser is summed in index order (_sequential_sum) exactly as the kernel's loop does, not by numpy's
    # pairwise summation.
    shifted = block - block.max(axis=-1, keepdims=True)
    ex = np.exp(shifted)
    total = _sequential_sum(ex)[..., None]
    return ex / total, shifted - np.log(total)


def _np_policies(logits_x, lv):
    """Softmax of every row of every level of ``logits_x`` ``(..., total)``: probabilities, log-probabilities."""
    probs = np.empty_like(logits_x)
    logp = np.empty_like(logits_x)
    lead = logits_x.shape[:-1]
    for k in range(lv.N):
        lo, hi, n = lv.offsets[k], lv.offsets[k + 1], lv.n[k]
        p, lp = _np_softmax(logits_x[..., lo:hi].reshape(lead + (-1, n)))
        probs[..., lo:hi] = p.reshape(lead + (-1,))
        logp[..., lo:hi] = lp.reshape(lead + (-1,))
    return probs, logp


def _np_expectation(q, probs, lv, start, prefix, base):
    """Vectorised twin of the kernels' ``_expectation``: ``E[q]`` over levels ``start..N-1`` given the prefix."""
    R = q.shape[0]
    rows = np.arange(R)
    if start >= lv.N:
        return q[rows, base]
    acc = np.zeros(R)
    for digits in itertools.product(*(range(int(lv.n[k])) for k in range(start, lv.N))):
        prob = np.ones(R)
        row, m = prefix, base
        for k, d in zip(range(start, lv.N), digits):
            prob = prob * probs[rows, lv.offsets[k] + row * lv.n[k] + d]
            row = row * lv.n[k] + d
            m = m + d * lv.mstride[k]
        acc = acc + prob * q[rows, m]
    return acc


def _np_greedy_top(Q, states, probs, lv):
    """Bi-AC Eq. 12 for all runs: overwrite level 0's probabilities with the one-hot greedy leader action."""
    R = len(states)
    rows = np.arange(R)
    q = Q[rows, 0, states]
    values = np.stack([_np_expectation(q, probs, lv, 1, np.full(R, b), np.full(R, b * lv.mstride[0]))
                       for b in range(lv.n[0])], axis=1)
    lead = values.argmax(axis=1)
    probs[:, :lv.n[0]] = np.eye(lv.n[0])[lead]
    return lead


def _sequential_ac_numpy(setup, lv, Q, logits, probs_table, logp_table, alpha, beta, greedy_top):
    R, N, eta = setup.runs, lv.N, setup.entropy
    rows = np.arange(R)
    for k_ep, states, U in setup.episodes_numpy():
        eps = setup.eps[k_ep]
        for u in U:
            probs, logp = probs_table[rows, states], logp_table[rows, states]  # copies
            if greedy_top:
                _np_greedy_top(Q, states, probs, lv)
            row = np.zeros(R, dtype=np.int64)
            m = np.zeros(R, dtype=np.int64)
            g = np.zeros(R, dtype=np.int64)
            actions, prefix_rows = [], []
            for k in range(N):
                n = lv.n[k]
                block = probs[rows[:, None], lv.offsets[k] + row[:, None] * n + np.arange(n)]
                a = setup.explore(u[:, k], u[:, N + k], _sample(block, u[:, N + k]), n, eps)
                actions.append(a)
                prefix_rows.append(row)
                row = row * n + a
                m = m + a * lv.mstride[k]
                g = g + a * lv.gstride[k]
            nxt = setup.transition(states, g, u[:, 2 * N])
            probs_next = probs_table[rows, nxt]
            if greedy_top:
                _np_greedy_top(Q, nxt, probs_next, lv)
            zero = np.zeros(R, dtype=np.int64)
            targets = [lv.rewards[i, states, g]
                       + setup.gamma * _np_expectation(Q[rows, i, nxt], probs_next, lv, 0, zero, zero)
                       for i in range(N)]
            for i in range(N):  # critics
                Q[rows, i, states, m] += alpha[k_ep, i] * (targets[i] - Q[rows, i, states, m])
            base_m = np.zeros(R, dtype=np.int64)
            for k in range(N):  # actors: Eq. 16 with the baseline V_k(s, a_<k)
                n, a = lv.n[k], actions[k]
                if not (greedy_top and k == 0):
                    q = Q[rows, k, states]
                    columns = lv.offsets[k] + prefix_rows[k][:, None] * n + np.arange(n)
                    pk, lk = probs[rows[:, None], columns], logp[rows[:, None], columns]
                    qb = np.stack([_np_expectation(q, probs, lv, k + 1, prefix_rows[k] * n + b,
                                                   base_m + b * lv.mstride[k]) for b in range(n)], axis=1)
                    value = np.zeros(R)
                    ent = np.zeros(R)
                    for b in range(n):
                        value = value + pk[:, b] * qb[:, b]
                        ent = ent - pk[:, b] * lk[:, b]
                    advantage = qb[rows, a] - value
                    chosen = (np.arange(n)[None, :] == a[:, None]).astype(float)
                    grad = advantage[:, None] * (chosen - pk)
                    grad = grad - eta * pk * (lk + ent[:, None])
                    logits[rows[:, None], states[:, None], columns] += beta[k_ep, k] * grad
                    updated = _np_softmax(logits[rows[:, None], states[:, None], columns])
                    probs_table[rows[:, None], states[:, None], columns] = updated[0]
                    logp_table[rows[:, None], states[:, None], columns] = updated[1]
                base_m = base_m + a * lv.mstride[k]
            states = nxt
