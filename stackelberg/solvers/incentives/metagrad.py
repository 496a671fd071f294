r"""Exact policy-gradient dynamics, LIO and meta-gradient incentive design in tabular Markov games.

A population of :math:`N` independent agents plays a finite-horizon Markov game (states
:math:`s`, joint actions :math:`\mathbf a`, transitions :math:`P`, extrinsic rewards
:math:`R^k`, horizon :math:`H`). Agent :math:`k` has a tabular softmax policy
:math:`\pi^k(b \mid s) \propto \exp\theta^k[s, b]` over the full state (the agents of the Escape
Room observe every agent's position), acts with the exploration lower bound
:math:`\tilde\pi^k = (1-\epsilon)\pi^k + \epsilon/n` (Section 5.3.2) and maximises

.. math:: J^k(\theta; \iota_k) = \mathbb E_{\tilde\pi}\Big[\sum_{t=0}^{H-1} \gamma^t
          \big(R^k(s_t, \mathbf a_t) + \iota_k(s_t, \mathbf a_t)\big)\Big],

where :math:`\iota_k(s, \mathbf a)` is the incentive agent :math:`k` receives at state :math:`s`
and joint action :math:`\mathbf a` (zero in terminal states). **Incentive givers** pay it:

* ``"lio"`` (ch. 5): every agent :math:`i` is a giver with an incentive function
  :math:`r^k_{\eta^i}(o^i, \mathbf a^{-i}) = R_{\max}\sigma(\eta[i, k, s, \mathbf a^{-i}])` that
  sees the state and the *joint action of the others* (the thesis's
  :math:`r_{\eta^i}: O \times A^{-i} \to \mathbb R^{N-1}`), tabular; ``eta`` has shape
  ``(N, N, S, n**(N-1))`` with :math:`\mathbf a^{-i}` flattened in C order. The reduced variant
  that sees only the recipient's own action, ``(N, N, S, n)``, is also accepted (for
  :math:`N = 2` the two coincide). :math:`\iota_k = \sum_{i \ne k} r^k_{\eta^i}`; giver
  :math:`i`'s objective is its extrinsic return :math:`J^{i,\mathrm{env}}` and its cost the L1
  norm of what it paid (Eqs. 5.5-5.6).
* ``"designer"`` (ch. 6): one giver sees the state and the joint action and pays every agent
  for its own action, :math:`\iota_k(s, \mathbf a) = R_{\max}\sigma(\eta[s, \mathbf a, a^k])`
  (the thesis's :math:`\mu_\eta: S \times A^n \to (0, R_{\max})^{|A|}`, "the incentive for
  action i taken by any agent", here tabular); its objective is the sum of the agents'
  extrinsic returns and its cost :math:`\psi` the sum of all incentives (Eqs. 6.1-6.4).
* ``"pg"``: no incentives; the plain policy-gradient population that fails to escape.

**One iteration** (Algorithm 2 of ch. 5, Algorithm 3 of ch. 6 with :math:`M = 1`; one code path
for every population):

1. every agent takes a policy-gradient step on its total reward on trajectories
   :math:`\tau` (Eqs. 5.3-5.4, 6.3):
   :math:`\hat\theta^k = \theta^k + \alpha \nabla_{\theta^k} J^k(\theta; \iota_k(\eta))`,
   plus, with ``entropy=c > 0``, the thesis's entropy bonus
   :math:`\alpha c \sum_s n(s) \nabla_{\theta^k} H(\tilde\pi^k(\cdot \mid s))`, :math:`n(s)` the
   expected number of the episode's steps spent in :math:`s` (held fixed, as autodiff of the
   per-step entropy of sampled episodes gives). The bonus does not depend on :math:`\eta`;
2. every giver :math:`g` ascends its objective :math:`J^g` on validation trajectories
   :math:`\hat\tau` of the *updated* policies, through every recipient's step (Eqs. 5.7, 6.4),
   minus the cost of what it paid on :math:`\tau` (Eqs. 5.6, 6.1):

   .. math:: \nabla_{\eta^g} = \sum_{k} \big(\partial\hat\theta^k/\partial\eta^g\big)^\top
             v^{g,k}, \qquad v^{g,k} = \nabla_{\hat\theta^k} J^g(\hat\theta) \ \text{(Eq. 5.9)}.

   Since :math:`J^k` is linear in the incentive,
   :math:`J^k = J^{k,\mathrm{env}} + \sum_{s,\mathbf a} \rho(s,\mathbf a;\theta)\,\iota_k(s,\mathbf a)`
   with the discounted joint occupancy :math:`\rho(s, \mathbf a) = \sum_t \gamma^t d_t(s)
   \tilde\pi(\mathbf a|s)`, and the vector-Jacobian product of Eq. 5.8 is
   :math:`(v)^\top \partial\hat\theta^k/\partial\iota_k(s,\mathbf a) = \alpha\,\dot\rho_k[v](s,
   \mathbf a)`, the directional derivative of the occupancy along :math:`v` in :math:`\theta^k`.
   The cost gradient is :math:`\partial/\partial\iota_k(s, \mathbf a)
   \,\mathbb E_\tau\sum_t\gamma^t\iota_k = \rho(s, \mathbf a)`. Both are mapped to the
   parameters through :math:`\partial\iota/\partial\eta = R_{\max}\sigma(1 - \sigma)`.

The four estimated quantities -- the policy gradient on :math:`\tau`, :math:`v^{g,k}` on
:math:`\hat\tau`, :math:`\dot\rho_k[v]` and :math:`\rho` on :math:`\tau` -- come from one of two
estimators plugged into the same update:

* **exact** (:func:`incentive_trajectory` with ``gradient="exact"``, :func:`metagrad_step`, :func:`pg_step`): forward
  (state distribution :math:`d_t`) and backward (values :math:`Q_t`) recursions over the finite
  horizon and one forward-mode pass per tangent, so a run is deterministic;
* **sampled** (:func:`incentive_trajectory` with ``gradient="sampled"``): REINFORCE on ``batch_size`` episodes of :math:`\tau`
  and of :math:`\hat\tau` (Eqs. 5.4, 5.9, and the score-function form of Eq. 5.8), each an
  unbiased estimate of the exact quantity.

References
----------
J. Yang, *Cooperation in Multi-Agent Reinforcement Learning*, PhD thesis, 2021, Eqs. 5.1-5.10,
6.1-6.4, Algorithms 2-3, App. B.3-B.4. J. Yang et al., "Learning to Incentivize Other Learning
Agents", NeurIPS 2020. J. Yang et al., "Adaptive Incentive Design with Multi-Agent
Meta-Gradient Reinforcement Learning", AAMAS 2022.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..._progress import progress_iter
from ..._validation import (
    as_finite_array,
    check_choice,
    check_positive,
    check_positive_int,
    check_probability,
    check_real,
    check_tol,
)
from ...games.markov import MarkovGame
from .._numeric import sigmoid, softmax

__all__ = [
    "POPULATIONS",
    "IncentiveRun",
    "softmax_policies",
    "initial_logits",
    "exact_returns",
    "exact_policy_gradients",
    "designer_incentives",
    "lio_incentives",
    "pg_step",
    "metagrad_step",
    "incentive_trajectory",
]

POPULATIONS = ("pg", "lio", "designer")
"""Learner populations: plain policy gradient, LIO agents, or PG agents under an incentive designer."""


# =============================================================================================
# exact engine (private; trusts its inputs)
# =============================================================================================
class _Engine:
    """Forward/backward recursions of a finite-horizon game with discount ``gamma``.

    Agents act with the behaviour policy (1 - eps) pi + eps / n (the thesis's exploration lower
    bound); gradients are taken w.r.t. the logits of pi.
    """

    def __init__(self, game: MarkovGame, gamma: float, eps: float = 0.0):
        self.game = game
        self.gamma = gamma
        self.eps = eps
        self.schedule = None  # exploration per iteration of a run, or None for a constant eps
        self.horizon = game.horizon
        self.shape = game.action_shape
        self.n_agents = game.n_players
        self.S, self.A = game.n_states, game.n_joint_actions
        if game.is_sparse:
            indptr, indices, data = game.transition_csr
            self.P = sp.csr_array((data, indices, indptr), shape=(self.S * self.A, self.S))
        else:
            self.P = sp.csr_array(np.asarray(game.transitions).reshape(self.S * self.A, self.S))
        self.PT = self.P.T.tocsr()
        self.rewards = np.asarray(game.rewards)  # (N, S, A)
        self.live = (~np.asarray(game.is_terminal)).astype(float)  # incentives are paid only in live states
        self.mu = np.asarray(game.initial_distribution, dtype=float)
        self.discounts = gamma ** np.arange(self.horizon)

    # -- policies -------------------------------------------------------------------------
    def behaviour(self, policies) -> list:
        return [(1.0 - self.eps) * p + self.eps / p.shape[-1] for p in policies]

    def joint(self, policies) -> np.ndarray:
        joint = policies[0]
        for p in policies[1:]:
            joint = (joint[..., :, :, None] * p[..., :, None, :]).reshape(p.shape[:-1] + (-1,))
        return joint

    def along(self, k: int, values: np.ndarray) -> np.ndarray:
        """Broadcast an ``(..., S, n_k)`` array to ``(..., S, A)`` along agent ``k``'s action axis."""
        lead = values.shape[:-2]
        shape = list(lead) + [self.S] + [1] * self.n_agents
        shape[len(lead) + 1 + k] = self.shape[k]
        return np.broadcast_to(values.reshape(shape), lead + (self.S,) + self.shape).reshape(lead + (self.S, self.A))

    def marginal(self, k: int, values: np.ndarray) -> np.ndarray:
        """Sum an ``(..., S, A)`` array over every agent's action but ``k``'s."""
        lead = values.shape[:-1]
        tensor = values.reshape(lead + self.shape)
        axes = tuple(len(lead) + j for j in range(self.n_agents) if j != k)
        return tensor.sum(axis=axes)

    def policy_tangent(self, policy: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """Change of the behaviour policy along ``direction`` in the logits of ``policy``."""
        return (1.0 - self.eps) * policy * (direction - (policy * direction).sum(axis=-1, keepdims=True))

    def own_action(self, k: int) -> np.ndarray:
        """Agent ``k``'s action in each joint action, ``(A,)``."""
        return np.unravel_index(np.arange(self.A), self.shape)[k]

    def as_joint(self, k: int, incentive: np.ndarray) -> np.ndarray:
        """An incentive of shape ``(S, n_k)`` (own action) or ``(S, A)`` (joint action) as ``(S, A)``."""
        return incentive if incentive.shape[1] == self.A else self.along(k, incentive)

    def total_rewards(self, incentives) -> np.ndarray:
        """Each agent's extrinsic plus received incentive reward, ``(N, S, A)``."""
        if incentives is None:
            return self.rewards
        extra = np.stack([self.as_joint(k, incentives[k]) * self.live[:, None] for k in range(self.n_agents)])
        return self.rewards + extra

    # -- recursions -----------------------------------------------------------------------
    def forward(self, joint: np.ndarray) -> np.ndarray:
        """``d[t, s]``: probability of being in ``s`` at step ``t`` (t < H)."""
        d = np.empty((self.horizon, self.S))
        d[0] = self.mu
        for t in range(1, self.horizon):
            d[t] = self.PT @ (d[t - 1][:, None] * joint).ravel()
        return d

    def next_value(self, values: np.ndarray) -> np.ndarray:
        """``sum_s' P(s'|s,a) V(s')`` for ``(K, S)`` values -> ``(K, S, A)``."""
        return (self.P @ values.T).T.reshape(len(values), self.S, self.A)

    def weighted_q(self, joint, d, rewards, gamma):
        """Backward pass for ``(K, S, A)`` rewards.

        Returns ``W[k, s, a] = sum_t gamma^t d_t(s) pi(a|s) Q_t(s, a)`` and the returns ``V_0 . mu``.
        """
        K = rewards.shape[0]
        following = np.zeros((K, self.S))
        weighted = np.zeros((K, self.S, self.A))
        for t in range(self.horizon - 1, -1, -1):
            q = rewards + gamma * self.next_value(following)  # Q_t
            weighted += (gamma**t) * d[t][None, :, None] * joint[None] * q
            following = np.einsum("ksa,sa->ks", q, joint)  # V_t
        return weighted, following @ self.mu

    def policy_gradient(self, k: int, policies, behaviour, weighted: np.ndarray) -> np.ndarray:
        """Gradient w.r.t. agent ``k``'s logits of each objective of ``weighted`` (``(K, S, n_k)``)."""
        marginal = self.marginal(k, weighted)  # = beh^k(b|s) * (discounted Q of b averaged over the others)
        beh = behaviour[k][None]
        q_of_action = np.divide(marginal, beh, out=np.zeros_like(marginal), where=beh > 0)
        return self.policy_tangent(policies[k][None], q_of_action)

    def occupancy(self, d: np.ndarray) -> np.ndarray:
        """``w(s) = sum_t gamma^t d_t(s)``."""
        return self.discounts @ d

    def entropy_gradient(self, k: int, policies, behaviour, visits: np.ndarray) -> np.ndarray:
        """``sum_s visits(s) grad_{theta^k} H(beh^k(.|s))`` with the visits held fixed, ``(S, n_k)``.

        ``dH/dbeh_b = -(log beh_b + 1)``; the constant drops out of the softmax tangent.
        """
        log_beh = np.log(np.maximum(behaviour[k], 1e-300))
        return visits[:, None] * self.policy_tangent(policies[k], -log_beh)

    def joint_tangents(self, k: int, policies, behaviour, joint, d, directions) -> np.ndarray:
        """Directional derivatives of ``rho(s, a) = w(s) beh(a|s)`` along ``directions (G, S, n_k)`` in theta^k.

        Forward mode: ``d_dot_{t+1} = P^T (d_dot_t pi + d_t pi_dot)``; returns ``(G, S, A)``.
        """
        others = self.joint([np.ones_like(p) if j == k else p for j, p in enumerate(behaviour)])  # (S, A)
        joint_dot = self.along(k, self.policy_tangent(policies[k][None], directions)) * others[None]  # (G, S, A)
        G = len(directions)
        d_dot = np.zeros((G, self.S))
        w_dot = np.zeros((G, self.S))
        for t in range(self.horizon):
            w_dot += self.discounts[t] * d_dot
            if t + 1 < self.horizon:
                flow = d_dot[:, :, None] * joint[None] + d[t][None, :, None] * joint_dot
                d_dot = (self.PT @ flow.reshape(G, -1).T).T
        return w_dot[:, :, None] * joint[None] + self.occupancy(d)[None, :, None] * joint_dot

    # -- one exact policy-gradient step of every agent ------------------------------------
    def pg_step(self, logits, incentives, alpha, entropy=0.0):
        return _ExactEstimator(self, entropy).policy_step(logits, incentives, alpha)


# =============================================================================================
# the two estimators of one iteration's quantities: exact expectations, or REINFORCE samples
# =============================================================================================
class _Estimator:
    """What the two estimators share: the policies of logits and the policy step with the entropy bonus."""

    def __init__(self, engine: _Engine, entropy: float = 0.0):
        self.engine, self.entropy = engine, entropy

    def policies_of(self, logits):
        """The softmax policies of ``logits`` and the behaviour policies the agents act with."""
        policies = [softmax(x) for x in logits]
        return policies, self.engine.behaviour(policies)

    def ascend(self, logits, gradient, steps, alpha):
        """``theta^k + alpha (gradient(k) + entropy bonus at the states' step counts)`` for every agent k."""
        e = self.engine
        return tuple(
            logits[k]
            + alpha * gradient(k)
            + (alpha * self.entropy * e.entropy_gradient(k, self.policies, self.behaviour, steps) if self.entropy else 0.0)
            for k in range(e.n_agents)
        )


class _ExactEstimator(_Estimator):
    """Exact expectations of the quantities of one iteration (see the module docstring)."""

    def policy_step(self, logits, received, alpha):
        """Eqs. 5.3-5.4 / 6.3: every agent's exact step on extrinsic plus received rewards; keeps tau's statistics."""
        e = self.engine
        self.policies, self.behaviour = self.policies_of(logits)
        self.joint = e.joint(self.behaviour)
        self.d = e.forward(self.joint)
        weighted, _ = e.weighted_q(self.joint, self.d, e.total_rewards(received), e.gamma)
        steps = self.d.sum(axis=0) * e.live  # expected undiscounted visits of each live state (the episode's steps)
        return self.ascend(logits, lambda k: e.policy_gradient(k, self.policies, self.behaviour, weighted[k : k + 1])[0],
                           steps, alpha)

    def directions(self, new_logits, objectives):
        """Eq. 5.9 at the updated policies: per agent k, ``grad_{theta_hat^k}`` of every objective row ``(G, S, n)``."""
        e = self.engine
        policies, behaviour = self.policies_of(new_logits)
        joint = e.joint(behaviour)
        weighted, _ = e.weighted_q(joint, e.forward(joint), objectives, e.gamma)
        return [e.policy_gradient(k, policies, behaviour, weighted) for k in range(e.n_agents)]

    def occupancy(self):
        """``rho(s, a)`` on tau, ``(S, A)``: the gradient of the expected discounted incentives paid."""
        return self.engine.occupancy(self.d)[:, None] * self.joint

    def tangents(self, k, directions):
        """Eq. 5.8 pushed along ``directions (G, S, n)``: the tangents of rho in theta^k, ``(G, S, A)``."""
        return self.engine.joint_tangents(k, self.policies, self.behaviour, self.joint, self.d, directions)


class _Sampler:
    """Episodes of a finite-horizon game under product policies, from a Generator."""

    def __init__(self, engine: _Engine, rng: np.random.Generator):
        self.engine, self.rng = engine, rng
        P = engine.P
        self.indptr, self.indices = P.indptr, P.indices
        counts = np.diff(P.indptr)
        cumulative = np.cumsum(P.data)
        before_row = np.concatenate([[0.0], cumulative])[P.indptr[:-1]]
        within = cumulative - np.repeat(before_row, counts)  # cumulative probability inside each row
        self.key = np.repeat(np.arange(P.shape[0]), counts) + within  # row r's keys increase in (r, r + 1]

    def episodes(self, behaviour, batch: int):
        """``states (batch, H)``, ``actions (batch, H, N)`` and joint ``columns (batch, H)`` under ``behaviour``."""
        e = self.engine
        states = np.empty((batch, e.horizon), dtype=np.int64)
        actions = np.empty((batch, e.horizon, e.n_agents), dtype=np.int64)
        states[:, 0] = self.rng.choice(e.S, size=batch, p=e.mu)
        for t in range(e.horizon):
            s = states[:, t]
            for k in range(e.n_agents):
                below = np.cumsum(behaviour[k][s], axis=1) < self.rng.random(batch)[:, None]
                actions[:, t, k] = np.minimum(below.sum(axis=1), e.shape[k] - 1)
            if t + 1 < e.horizon:
                row = s * e.A + np.ravel_multi_index(tuple(actions[:, t].T), e.shape)
                position = np.searchsorted(self.key, row + self.rng.random(batch), side="left")
                states[:, t + 1] = self.indices[np.clip(position, self.indptr[row], self.indptr[row + 1] - 1)]
        columns = np.ravel_multi_index(tuple(np.moveaxis(actions, -1, 0)), e.shape)
        return states, actions, columns


class _SampledEstimator(_Estimator):
    """REINFORCE estimates of the same quantities as :class:`_ExactEstimator`, each unbiased."""

    def __init__(self, engine: _Engine, rng: np.random.Generator, batch: int, entropy: float = 0.0):
        super().__init__(engine, entropy)
        self.sampler, self.batch = _Sampler(engine, rng), batch

    def returns_to_go(self, states, columns, rewards):
        """``gamma^t G_t`` per row of ``rewards (K, S, A)``, ``(K, batch, H)``."""
        e = self.engine
        per_step = rewards[:, states, columns]
        go = np.zeros_like(per_step)
        running = np.zeros(per_step.shape[:2])
        for t in range(states.shape[1] - 1, -1, -1):
            running = per_step[..., t] + e.gamma * running
            go[..., t] = running
        return go * e.discounts

    def score_scale(self, k, policies, behaviour, states, actions):
        """d log beh^k(a|s) / d theta^k[s, b] = scale * (1[a = b] - pi^k(b|s)); returns scale."""
        a = actions[..., k]
        return (1.0 - self.engine.eps) * policies[k][states, a] / behaviour[k][states, a]

    def reinforce(self, k, policies, behaviour, states, actions, weights):
        """Mean over episodes of ``sum_t weights[g, t] grad log beh^k(a_t^k|s_t)``; ``(G, S, n_k)``."""
        e = self.engine
        n = e.shape[k]
        w = self.score_scale(k, policies, behaviour, states, actions)[None] * weights  # (G, batch, H)
        G = len(w)
        cell = (states * n + actions[..., k]).ravel()
        grad = np.stack([np.bincount(cell, weights=row.ravel(), minlength=e.S * n) for row in w]).reshape(G, e.S, n)
        mass = np.stack([np.bincount(states.ravel(), weights=row.ravel(), minlength=e.S) for row in w])
        return (grad - mass[:, :, None] * policies[k][None]) / states.shape[0]

    def policy_step(self, logits, received, alpha):
        """Eq. 5.4 with the gamma^t that makes it unbiased, on a fresh batch tau."""
        e = self.engine
        self.policies, self.behaviour = self.policies_of(logits)
        self.states, self.actions, self.columns = self.sampler.episodes(self.behaviour, self.batch)
        weights = self.returns_to_go(self.states, self.columns, e.total_rewards(received))
        steps = None
        if self.entropy:  # the episodes' steps: visits of live states, per episode
            steps = np.bincount(self.states.ravel(), minlength=e.S) * e.live / self.states.shape[0]
        return self.ascend(
            logits, lambda k: self.reinforce(k, self.policies, self.behaviour, self.states, self.actions, weights[k : k + 1])[0],
            steps, alpha,
        )

    def directions(self, new_logits, objectives):
        """Eq. 5.9 on a fresh validation batch tau hat under the updated policies."""
        e = self.engine
        policies, behaviour = self.policies_of(new_logits)
        states, actions, columns = self.sampler.episodes(behaviour, self.batch)
        weights = self.returns_to_go(states, columns, objectives)
        return [self.reinforce(k, policies, behaviour, states, actions, weights) for k in range(e.n_agents)]

    def scatter(self, weights):
        """``sum over episodes and steps of weights[g, b, t] at (s_t, a_t)`` / batch, ``(G, S, A)``."""
        e = self.engine
        cell = (self.states * e.A + self.columns).ravel()
        out = np.stack([np.bincount(cell, weights=row.ravel(), minlength=e.S * e.A) for row in weights])
        return out.reshape(len(weights), e.S, e.A) / self.states.shape[0]

    def occupancy(self):
        """Unbiased estimate of rho(s, a) = E sum_t gamma^t [s_t = s, a_t = a] on tau."""
        return self.scatter(np.broadcast_to(self.engine.discounts, self.states.shape)[None])[0]

    def tangents(self, k, directions):
        """Score-function estimate of the tangent of rho along ``directions`` in theta^k (Eq. 5.8 pushed along v).

        sum_t (v . grad log pi_t) sum_{l >= t} gamma^l e_l = sum_l gamma^l e_l sum_{t <= l} (v . grad log pi_t).
        """
        policies, states, actions = self.policies, self.states, self.actions
        centred = directions - (policies[k][None] * directions).sum(axis=-1, keepdims=True)  # (G, S, n)
        scale = self.score_scale(k, policies, self.behaviour, states, actions)
        score = scale[None] * centred[:, states, actions[..., k]]  # (G, batch, H)
        return self.scatter(self.engine.discounts * np.cumsum(score, axis=-1))


# =============================================================================================
# who pays whom for what
# =============================================================================================
class _Payments:
    """Giver ``g`` pays recipient ``k`` ``R_max sigma(eta.flat[lo + index[g, k][s, a]])`` at (s, a).

    ``(lo, hi) = block[g, k]`` is the slice of the flat parameters that pair uses; ``objectives``
    holds each giver's objective as reward rows ``(G, S, A)``; ``givers[k]`` lists who pays
    agent ``k``. Works for both estimators: it only maps ``(S, A)`` arrays to parameters.
    """

    def __init__(self, engine: _Engine, population: str, eta_shape: tuple, cost_on: str = "payment"):
        N, S, A = engine.n_agents, engine.S, engine.A
        self.cost_on = cost_on
        joint_actions = np.array(np.unravel_index(np.arange(A), engine.shape))  # (N, A)
        states = np.arange(S)[:, None]
        self.index, self.block = {}, {}  # flat index of eta inside the block eta.flat[lo:hi] of pair (g, k)
        if population == "designer":  # eta[s, a, b]: paid to every agent for its own action b at (s, a)
            n = eta_shape[-1]
            self.objectives = engine.rewards.sum(axis=0, keepdims=True)  # R^ID = sum of extrinsic rewards
            for k in range(N):
                self.index[0, k] = (states * A + np.arange(A)[None, :]) * n + joint_actions[k][None, :]
                self.block[0, k] = (0, S * A * n)
        else:  # eta[i, k, s, c]: c = the others' joint action a^{-i}, or (reduced) k's own action
            width = eta_shape[-1]
            self.objectives = engine.rewards  # J^{i, env}
            for g in range(N):
                if width == engine.shape[g]:
                    seen = None
                else:
                    others = [j for j in range(N) if j != g]
                    seen = np.ravel_multi_index(tuple(joint_actions[others]), tuple(engine.shape[j] for j in others))
                for k in range(N):
                    if k != g:
                        column = joint_actions[k] if seen is None else seen
                        self.index[g, k] = states * width + column[None, :]
                        lo = (g * N + k) * S * width
                        self.block[g, k] = (lo, lo + S * width)
        self.givers = [[g for (g, j) in self.index if j == k] for k in range(N)]
        self.live = engine.live[:, None]
        self.cells = (S, A)

    def received(self, eta, r_max):
        """What each agent receives at (s, a), summed over its givers: one ``(S, A)`` array per agent."""
        paid = r_max * sigmoid(eta).ravel()
        out = []
        for k, givers in enumerate(self.givers):
            total = np.zeros(self.cells)
            for g in givers:
                lo, hi = self.block[g, k]
                total = total + paid[lo:hi][self.index[g, k]]
            out.append(total * self.live)
        return out

    def gather(self, flat, values, g, k):
        """Add an ``(S, A)`` gradient w.r.t. ``iota_{g -> k}`` to the parameters (``flat``, in place) it comes from."""
        lo, hi = self.block[g, k]
        flat[lo:hi] += np.bincount(self.index[g, k].ravel(), weights=(values * self.live).ravel(), minlength=hi - lo)


def _incentive_update(estimator, payments, logits, eta, alpha, r_max):
    """One iteration of any population, with any estimator (see the module docstring).

    Returns the new logits and, if anyone pays incentives, the gradients w.r.t. ``eta`` of the
    givers' objectives through the recipients' steps (Eqs. 5.7-5.9, 6.4) and of the expected
    discounted incentives paid on tau (Eqs. 5.6, psi of 6.1).
    """
    if payments is None:
        return estimator.policy_step(logits, None, alpha), None
    new = estimator.policy_step(logits, payments.received(eta, r_max), alpha)  # Eqs. 5.3-5.4, 6.3
    directions = estimator.directions(new, payments.objectives)  # Eq. 5.9, per recipient: (G, S, n)
    spent = estimator.occupancy()  # Eq. 5.6: d E[sum_t gamma^t iota] / d iota(s, a)
    benefit, penalty = np.zeros(eta.size), np.zeros(eta.size)
    for k, givers in enumerate(payments.givers):
        if not givers:
            continue
        tangents = estimator.tangents(k, directions[k][givers])  # Eq. 5.8 pushed along Eq. 5.9
        for g, tangent in zip(givers, tangents):
            payments.gather(benefit, alpha * tangent, g, k)  # Eq. 5.7
            payments.gather(penalty, spent, g, k)
    sigma = sigmoid(eta).ravel()
    slope = r_max * sigma * (1.0 - sigma)  # d iota / d eta
    if payments.cost_on == "sigmoid":  # the code's psi: every output's sigmoid at each step, before the factor R_max
        penalty = np.broadcast_to((spent * payments.live)[:, :, None], eta.shape).ravel() * sigma * (1.0 - sigma)
    else:
        penalty = slope * penalty
    return new, ((slope * benefit).reshape(eta.shape), penalty.reshape(eta.shape))


# =============================================================================================
# validation
# =============================================================================================
def _check_game(game) -> MarkovGame:
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    if game.is_finite_horizon:
        return game
    raise ValueError("game must be a finite-horizon MarkovGame (built with horizon=H); got a discounted game")


def _per_agent(name: str, game: MarkovGame, values, hint: str = "") -> list:
    """One finite 2-d array per agent (a sequence, or a 3-d array split along its first axis)."""
    if isinstance(values, np.ndarray) and values.ndim == 3:
        values = list(values)
    if not isinstance(values, (list, tuple)) or len(values) != game.n_players:
        raise ValueError(f"{name} must hold one (S, n_k) array per agent ({game.n_players}){hint}; "
                         f"got {type(values).__name__}")
    return [as_finite_array(f"{name}[{k}]", entry, ndim=2) for k, entry in enumerate(values)]


def _check_logits(game: MarkovGame, logits) -> tuple:
    out = []
    for k, array in enumerate(_per_agent("logits", game, logits)):
        expected = (game.n_states, game.action_shape[k])
        if array.shape != expected:
            raise ValueError(f"logits[{k}] must have shape {expected} (states, actions); got {array.shape}")
        out.append(array.astype(float))
    return tuple(out)


def _check_equal_actions(game: MarkovGame) -> int:
    if len(set(game.action_shape)) != 1:
        raise ValueError(f"game must give every agent the same actions for action-indexed incentives; got {game.action_shape}")
    return game.action_shape[0]


def _check_designer_eta(game: MarkovGame, eta, name: str = "eta") -> np.ndarray:
    n = _check_equal_actions(game)
    array = as_finite_array(name, eta, ndim=3)
    shape = (game.n_states, game.n_joint_actions, n)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (state, joint action, incentivised action); got {array.shape}")
    return array.astype(float)


def _check_lio_eta(game: MarkovGame, eta, name: str = "eta") -> np.ndarray:
    n = _check_equal_actions(game)
    N, S = game.n_players, game.n_states
    array = as_finite_array(name, eta)
    shapes = ((N, N, S, n ** (N - 1)), (N, N, S, n))
    if array.shape not in shapes:
        raise ValueError(
            f"{name} must have shape {shapes[0]} (giver, recipient, state, others' joint action) or {shapes[1]} "
            f"(giver, recipient, state, recipient's action); got {array.shape}"
        )
    return array.astype(float)


def _check_incentives(game: MarkovGame, incentives):
    if incentives is None:
        return None
    out = []
    for k, array in enumerate(_per_agent("incentives", game, incentives, " or be None")):
        shapes = ((game.n_states, game.action_shape[k]), (game.n_states, game.n_joint_actions))
        if array.shape not in shapes:
            raise ValueError(
                f"incentives[{k}] must have shape {shapes[0]} (by own action) or {shapes[1]} (by joint action); "
                f"got {array.shape}"
            )
        out.append(array)
    return tuple(out)


def _check_rates(alpha, beta, cost, r_max) -> tuple:
    """The learning rates and the incentive cost (non-negative) and the incentive bound (positive)."""
    return check_tol("alpha", alpha), check_tol("beta", beta), check_tol("cost", cost), check_positive("r_max", r_max)


COST_ON = ("payment", "sigmoid")


def _check_cost_on(population: str, cost_on) -> str:
    """``cost_on`` is one of :data:`COST_ON`; ``"sigmoid"`` applies to the designer only."""
    cost_on = check_choice("cost_on", cost_on, COST_ON)
    if cost_on == "sigmoid" and population != "designer":
        raise ValueError(f"cost_on='sigmoid' applies to the 'designer' population only; got population {population!r}")
    return cost_on


def _engine(game, gamma, exploration) -> _Engine:
    return _Engine(_check_game(game), check_real("gamma", gamma, low=0.0, high=1.0),
                   check_probability("exploration", exploration))


# =============================================================================================
# public building blocks
# =============================================================================================
def softmax_policies(logits) -> tuple:
    """Tabular softmax policies ``pi^k(b|s)`` from logits ``theta^k[s, b]``.

    Parameters
    ----------
    logits : sequence of array_like
        One ``(S, n_k)`` array per agent.

    Returns
    -------
    tuple of numpy.ndarray
        One row-stochastic ``(S, n_k)`` array per agent.

    Raises
    ------
    ValueError, TypeError
        If an entry is not a finite 2-dimensional array.

    Examples
    --------
    >>> softmax_policies([[[0.0, 0.0]]])[0]
    array([[0.5, 0.5]])
    """
    return tuple(softmax(as_finite_array(f"logits[{k}]", x, ndim=2)) for k, x in enumerate(logits))


def initial_logits(game, *, scale: float = 0.0, seed=None) -> tuple:
    """Initial logits: zeros (uniform policies) plus optional Gaussian noise of std ``scale``.

    Exact dynamics are deterministic given their initial point; a seeded perturbation breaks
    the symmetry between otherwise identical agents (as random network initialisation does in
    the thesis's experiments).

    Parameters
    ----------
    game : MarkovGame
    scale : float
        Standard deviation of the perturbation (0 gives uniform policies).
    seed : int or numpy.random.Generator, optional
        Source of the perturbation.

    Returns
    -------
    tuple of numpy.ndarray
        One ``(S, n_k)`` array per agent.

    Raises
    ------
    TypeError, ValueError
        On a non-MarkovGame or a negative ``scale``.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 4, 1)), np.zeros((2, 1, 2, 2)), horizon=1)
    >>> [x.shape for x in initial_logits(game, scale=0.1, seed=0)]
    [(1, 2), (1, 2)]
    """
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    scale = check_tol("scale", scale)
    rng = np.random.default_rng(seed)
    return tuple(scale * rng.standard_normal((game.n_states, n)) for n in game.action_shape)


def exact_returns(game, logits, incentives=None, *, gamma: float = 0.99, exploration: float = 0.0) -> np.ndarray:
    r"""Each agent's expected discounted return :math:`J^k` (extrinsic plus received incentives).

    Parameters
    ----------
    game : MarkovGame
        A finite-horizon game.
    logits : sequence of array_like
        One ``(S, n_k)`` logit array per agent.
    incentives : sequence of array_like, optional
        What each agent receives on top of its extrinsic reward: ``incentives[k][s, b]`` for its
        own action ``b`` in state ``s`` (shape ``(S, n_k)``), or ``incentives[k][s, a]`` for the
        joint action ``a`` (shape ``(S, A)``, as :func:`designer_incentives` returns).
    gamma : float
        Discount inside the horizon, in [0, 1]; ``gamma=1`` gives the undiscounted episode
        return that the thesis's figures report.
    exploration : float
        Exploration lower bound :math:`\epsilon`: agents act with
        :math:`(1-\epsilon)\pi + \epsilon/n` (Section 5.3.2).

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)``.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a finite-horizon MarkovGame, ``logits`` or ``incentives`` have the wrong shapes, or
        ``gamma``/``exploration`` lie outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> R = np.array([[[1.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 2.0]]])[:, None]
    >>> game = MarkovGame(np.ones((1, 4, 1)), R, horizon=2)
    >>> exact_returns(game, [np.zeros((1, 2))] * 2, gamma=1.0)
    array([0.5, 1.5])
    """
    engine = _engine(game, gamma, exploration)
    logits = _check_logits(game, logits)
    joint = engine.joint(engine.behaviour([softmax(x) for x in logits]))
    d = engine.forward(joint)
    _, returns = engine.weighted_q(joint, d, engine.total_rewards(_check_incentives(game, incentives)), engine.gamma)
    return returns


def exact_policy_gradients(
    game, logits, incentives=None, *, gamma: float = 0.99, exploration: float = 0.0, entropy: float = 0.0
) -> tuple:
    r"""Exact :math:`\nabla_{\theta^k} J^k` of every agent (no sampling), plus an optional entropy bonus.

    Parameters
    ----------
    game, logits, incentives, gamma, exploration
        As in :func:`exact_returns`.
    entropy : float, default 0.0
        Coefficient :math:`c` of the agents' entropy bonus (the thesis's :math:`c_{\mathrm{entropy}}`,
        0.0166 for MetaGrad in the Escape Room, Table C.1): every agent also ascends
        :math:`c\,\mathbb E\big[\sum_t H(\tilde\pi^k(\cdot \mid s_t))\big]`, the undiscounted sum
        over the episode's steps of its behaviour policy's entropy, differentiated at the visited
        states with the visitation held fixed (as the autodiff of the per-step entropy term of
        the thesis's code does). It does not depend on the incentives, so the designer's
        meta-gradient keeps its form.

    Returns
    -------
    tuple of numpy.ndarray
        One ``(S, n_k)`` gradient per agent.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a finite-horizon MarkovGame, the logits or incentives have the wrong shapes, or
        ``entropy`` is negative.

    Examples
    --------
    A one-state game where action 0 pays 1: the gradient favours it.

    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 2, 1)), np.array([[[1.0, 0.0]]]), horizon=1)
    >>> exact_policy_gradients(game, [np.zeros((1, 2))])[0]
    array([[ 0.25, -0.25]])
    """
    engine = _engine(game, gamma, exploration)
    logits = _check_logits(game, logits)
    policies = [softmax(x) for x in logits]
    behaviour = engine.behaviour(policies)
    joint = engine.joint(behaviour)
    d = engine.forward(joint)
    weighted, _ = engine.weighted_q(joint, d, engine.total_rewards(_check_incentives(game, incentives)), engine.gamma)
    entropy = check_real("entropy", entropy, low=0.0)
    steps = d.sum(axis=0) * engine.live
    return tuple(
        engine.policy_gradient(k, policies, behaviour, weighted[k : k + 1])[0]
        + entropy * engine.entropy_gradient(k, policies, behaviour, steps)
        for k in range(game.n_players)
    )


def designer_incentives(game, eta, *, r_max: float = 2.0) -> tuple:
    r"""The designer's incentives :math:`\iota_k(s, \mathbf a) = R_{\max}\sigma(\eta[s, \mathbf a, a^k])`.

    The designer observes the state and the joint action and pays every agent for its own
    action (the thesis's :math:`\mu_\eta: S \times A^n \to (0, R_{\max})^{|A|}`, "the
    incentive for action i taken by any agent"), here tabular.

    Parameters
    ----------
    game : MarkovGame
        Every agent must have the same number of actions ``n``.
    eta : array_like
        ``(S, A, n)`` incentive parameters (state, joint action, incentivised action).
    r_max : float
        Upper bound of the incentive (the thesis uses 2 in the Escape Room).

    Returns
    -------
    tuple of numpy.ndarray
        One ``(S, A)`` array per agent: what it receives at each state and joint action (zero in
        terminal states).

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not finite-horizon, its agents' action sets differ, ``eta`` is not ``(S, A, n)`` or
        ``r_max`` is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 4, 1)), np.zeros((2, 1, 2, 2)), horizon=1)
    >>> eta = np.zeros((1, 4, 2)); eta[0, 1, 1] = 50.0  # pay 2 for action 1 when the joint action is (0, 1)
    >>> designer_incentives(game, eta)[1].round(3)
    array([[1., 2., 1., 1.]])
    """
    engine = _Engine(_check_game(game), 1.0)
    eta = _check_designer_eta(game, eta)
    return tuple(_Payments(engine, "designer", eta.shape).received(eta, check_positive("r_max", r_max)))


def lio_incentives(game, eta, *, r_max: float = 2.0) -> tuple:
    r"""What each LIO agent receives from the others: :math:`\iota_k = \sum_{i \ne k} R_{\max}\sigma(\eta[i, k, s, \cdot])`.

    Giver :math:`i` sees the state and the others' joint action :math:`\mathbf a^{-i}` (the
    thesis's :math:`r_{\eta^i}(o^i, \mathbf a^{-i})`, Eq. 5.1), flattened in C order over the
    agents other than :math:`i`; with ``eta`` of last axis ``n`` it sees only the recipient's
    own action (the two coincide for two agents).

    Parameters
    ----------
    game : MarkovGame
        Every agent must have the same number of actions ``n``.
    eta : array_like
        ``(N, N, S, n**(N-1))`` (or ``(N, N, S, n)``) incentive parameters, giver first;
        ``eta[i, i]`` is unused.
    r_max : float
        Upper bound of each giver's incentive (the thesis: 2 in the Escape Room).

    Returns
    -------
    tuple of numpy.ndarray
        One ``(S, A)`` array per agent: the total incentive it receives at each state and joint
        action (zero in terminal states).

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not finite-horizon, its agents' action sets differ, ``eta`` has neither LIO shape or
        ``r_max`` is not positive.

    Examples
    --------
    Three agents with two actions: agent 0 pays agent 1 the most (2) when agent 1 takes action 1
    while agent 2 takes action 0; everyone else pays 1 for everything.

    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 8, 1)), np.zeros((3, 1, 2, 2, 2)), horizon=1)
    >>> eta = np.zeros((3, 3, 1, 4)); eta[0, 1, 0, 2] = 50.0  # a^{-0} = (a^1, a^2) = (1, 0)
    >>> lio_incentives(game, eta)[1].reshape(2, 2, 2)[0]  # agent 0 takes action 0: (a^1, a^2)
    array([[2., 2.],
           [3., 2.]])
    """
    engine = _Engine(_check_game(game), 1.0)
    eta = _check_lio_eta(game, eta)
    return tuple(_Payments(engine, "lio", eta.shape).received(eta, check_positive("r_max", r_max)))


def pg_step(
    game, logits, incentives=None, *, gamma: float = 0.99, alpha: float = 1.0, exploration: float = 0.0,
    entropy: float = 0.0,
) -> tuple:
    r"""One exact policy-gradient step of every agent: :math:`\theta^k + \alpha\nabla_{\theta^k}J^k`.

    Parameters
    ----------
    game, logits, incentives, gamma, exploration
        As in :func:`exact_returns`.
    alpha : float
        Policy learning rate.
    entropy : float, default 0.0
        Entropy-bonus coefficient (see :func:`exact_policy_gradients`).

    Returns
    -------
    tuple of numpy.ndarray
        The new logits.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a finite-horizon MarkovGame, the logits or incentives have the wrong shapes, or a rate
        (``alpha``, ``entropy``) is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 2, 1)), np.array([[[1.0, 0.0]]]), horizon=1)
    >>> pg_step(game, [np.zeros((1, 2))], alpha=2.0)[0]
    array([[ 0.5, -0.5]])
    """
    engine = _engine(game, gamma, exploration)
    alpha = check_tol("alpha", alpha)
    return engine.pg_step(_check_logits(game, logits), _check_incentives(game, incentives), alpha, check_real("entropy", entropy, low=0.0))


def metagrad_step(game, logits, eta, *, gamma: float = 0.99, alpha: float = 1.0, beta: float = 1.0, r_max: float = 2.0,
                  cost: float = 1.0, exploration: float = 0.0, entropy: float = 0.0, cost_on: str = "payment") -> tuple:
    r"""One exact iteration of meta-gradient incentive design (Algorithm 3, :math:`M = 1`).

    1. Every agent takes an exact policy-gradient step on extrinsic reward plus the designer's
       incentive :math:`\iota_k(s, \mathbf a) = R_{\max}\sigma(\eta[s, \mathbf a, a^k])` (Eq. 6.3).
    2. The designer ascends Eq. 6.4: the exact gradient of the updated agents' expected
       discounted sum of extrinsic rewards through their steps, minus ``cost`` times the gradient
       of the expected discounted sum of incentives paid under the old policies
       (:math:`\psi` = sum of incentives).

    Parameters
    ----------
    game : MarkovGame
        Finite-horizon game; every agent has the same actions.
    logits : sequence of array_like
        One ``(S, n)`` logit array per agent.
    eta : array_like
        ``(S, A, n)`` incentive parameters (see :func:`designer_incentives`).
    gamma : float
        Discount inside the horizon (the thesis: 0.99).
    alpha : float
        Agents' policy learning rate.
    beta : float
        Designer's learning rate (plain gradient ascent).
    r_max : float
        Incentive bound :math:`R_{\max}` (the thesis: 2).
    cost : float
        Weight of :math:`\psi` in the designer's objective (the thesis: 1).
    exploration : float
        Agents' exploration lower bound :math:`\epsilon`.
    entropy : float, default 0.0
        Agents' entropy-bonus coefficient (see :func:`exact_policy_gradients`).
    cost_on : {"payment", "sigmoid"}, default "payment"
        What :math:`\psi` charges: ``"payment"``, the incentives the agents receive,
        :math:`\sum_k \iota_k(s, \mathbf a)` at each step; ``"sigmoid"``, as the thesis's public code
        (``incentive_designer.py``) computes it, the sum over all ``n`` outputs of the sigmoid *before* the factor
        :math:`R_{\max}`, :math:`\sum_b \sigma(\eta[s, \mathbf a, b])`, including the outputs of actions nobody
        took: half of what is paid when every output is paid to one agent (:math:`R_{\max} = 2`).

    Returns
    -------
    logits, eta : tuple
        The agents' new logits and the designer's new parameters.

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not finite-horizon, ``eta`` is not ``(S, A, n)``, a rate or ``cost`` is negative, or ``r_max``
        is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 2, 1)), np.array([[[-1.0, 0.0]]]), horizon=1)
    >>> new_logits, new_eta = metagrad_step(game, [np.zeros((1, 2))], np.zeros((1, 2, 2)), cost=0.0)
    >>> bool(new_eta[0, 0, 0] < 0 < new_eta[0, 1, 1])  # pay less for the costly action 0
    True
    """
    return _exact_incentive_step(game, "designer", logits, eta, gamma, alpha, beta, r_max, cost, exploration, entropy,
                                 cost_on)


def _exact_incentive_step(game, population, logits, eta, gamma, alpha, beta, r_max, cost, exploration, entropy,
                          cost_on="payment"):
    """One exact iteration of a paying population, plain gradient ascent on ``eta`` (Algorithm 2 or 3).

    Validates its arguments; the engine of :func:`metagrad_step` and
    :func:`stackelberg.solvers.incentives.lio.lio_markov_step`.
    """
    engine = _engine(game, gamma, exploration)
    logits = _check_logits(game, logits)
    eta = (_check_designer_eta if population == "designer" else _check_lio_eta)(game, eta)
    alpha, beta, cost, r_max = _check_rates(alpha, beta, cost, r_max)
    payments = _Payments(engine, population, eta.shape, _check_cost_on(population, cost_on))
    estimator = _ExactEstimator(engine, check_real("entropy", entropy, low=0.0))
    new, (benefit, penalty) = _incentive_update(estimator, payments, logits, eta, alpha, r_max)
    return new, eta + beta * (benefit - cost * penalty)


# =============================================================================================
# runs
# =============================================================================================
@dataclass(frozen=True)
class IncentiveRun:
    r"""A run of an incentive-learning population in a finite-horizon Markov game.

    All curves are exact expectations under the *learned* policies :math:`\pi` of each
    recorded iteration (without the exploration floor), undiscounted like the thesis's episode
    returns.

    Attributes
    ----------
    population : str
        ``"pg"``, ``"lio"`` or ``"designer"``.
    steps : numpy.ndarray
        The iterations at which the curves were recorded.
    collective_return : numpy.ndarray
        Expected sum over agents of the extrinsic episode return.
    returns : numpy.ndarray
        ``(n_records, N)``: each agent's expected extrinsic episode return.
    incentive_cost : numpy.ndarray
        Expected total incentive paid per episode (0 for ``"pg"``).
    incentive_received : numpy.ndarray
        ``(n_records, N, n)``: expected incentive an agent receives *when it takes* each
        action (visit-weighted mean over states, as Fig. 5.5b,d measure it).
    incentive_per_episode : numpy.ndarray
        ``(n_records, N, n)``: expected incentive an agent receives per episode for each action,
        summed over the episode's steps (unconditional: an action the agent never takes receives 0). This is
        what the thesis's code logs for Fig. 6.1d (``evaluate.test_escape_room``: ``r-lever``, ``r-start``,
        ``r-door``); its sum over actions and agents is ``incentive_cost``.
    start_policy : numpy.ndarray
        ``(n_records, N, n)``: each agent's action probabilities in the initial state.
    logits : tuple of numpy.ndarray
        Final logits.
    eta : numpy.ndarray or None
        Final incentive parameters.
    parameters : dict
        Every parameter of the run.
    """

    population: str
    steps: np.ndarray
    collective_return: np.ndarray
    returns: np.ndarray
    incentive_cost: np.ndarray
    incentive_received: np.ndarray
    incentive_per_episode: np.ndarray
    start_policy: np.ndarray
    logits: tuple
    eta: np.ndarray | None
    parameters: dict = field(default_factory=dict)

    @property
    def designer_return(self) -> np.ndarray:
        """Collective extrinsic return minus incentives paid: the designer's reward of ch. 6."""
        return self.collective_return - self.incentive_cost


def _measure(engine: _Engine, logits, incentives):
    """Undiscounted extrinsic returns, incentive spend, incentive per action, start policy."""
    policies = [softmax(x) for x in logits]
    joint = engine.joint(policies)
    d = engine.forward(joint)
    _, returns = engine.weighted_q(joint, d, engine.rewards, 1.0)
    visits = d.sum(axis=0)[:, None] * engine.live[:, None]  # undiscounted expected visits per live state
    start = engine.mu @ np.stack(policies)  # (N, n)
    received = np.zeros((engine.n_agents, engine.shape[0]))
    per_episode = np.zeros((engine.n_agents, engine.shape[0]))
    spent = 0.0
    if incentives is not None:
        for k in range(engine.n_agents):
            paid = engine.marginal(k, visits * joint * engine.as_joint(k, incentives[k])).sum(axis=0)
            spent += float(paid.sum())
            per_episode[k] = paid
            received[k] = paid / np.maximum((visits * policies[k]).sum(axis=0), 1e-300)
    return returns, spent, received, start, per_episode


def _initial_eta(game: MarkovGame, population: str, eta0):
    if population == "pg":
        if eta0 is not None:
            raise ValueError("eta0 must be None for the 'pg' population (it pays no incentives)")
        return None
    n = _check_equal_actions(game)
    N, S = game.n_players, game.n_states
    shape = (S, game.n_joint_actions, n) if population == "designer" else (N, N, S, n ** (N - 1))
    if eta0 is None or (isinstance(eta0, numbers.Real) and not isinstance(eta0, (bool, np.bool_))):
        if eta0 is not None and not np.isfinite(eta0):
            raise ValueError(f"eta0 must be finite; got {eta0!r}")
        return np.full(shape, 0.0 if eta0 is None else float(eta0))  # a number fills every entry
    if population == "designer":
        return _check_designer_eta(game, eta0, "eta0")
    return _check_lio_eta(game, eta0, "eta0")


OPTIMIZERS = ("adam", "adam-single", "sgd", "sgd+adam-cost")
GRADIENTS = ("exact", "sampled")


class _Adam:
    """Adam (Kingma & Ba 2015) for gradient *ascent*, deterministic."""

    def __init__(self, lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = self.v = None
        self.t = 0

    def __call__(self, params: np.ndarray, gradient: np.ndarray) -> np.ndarray:
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * gradient
        self.v = self.b2 * self.v + (1 - self.b2) * gradient**2
        m_hat, v_hat = self.m / (1 - self.b1**self.t), self.v / (1 - self.b2**self.t)
        return params + self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def _exploration_schedule(exploration):
    """``exploration`` as ``(start, schedule)``: a number is constant; ``(start, end, steps)`` decreases linearly.

    ``schedule(step)`` is the floor at iteration ``step`` (None for a constant floor): from ``start`` by
    ``(start - end) / steps`` per iteration down to ``end``, as the thesis's code decrements epsilon per episode.
    """
    if isinstance(exploration, (tuple, list)):
        if len(exploration) != 3:
            raise ValueError(f"exploration must be a probability or (start, end, steps); got {exploration!r}")
        start = check_probability("exploration start", exploration[0])
        end = check_probability("exploration end", exploration[1])
        steps = check_positive_int("exploration steps", exploration[2])
        if end > start:
            raise ValueError(f"exploration must decrease: end {end} > start {start}")
        return start, lambda step: max(end, start - (start - end) * step / steps), (start, end, steps)
    return exploration, None, None


def _prepare_run(
    game, population, n_steps, record_every, gamma, alpha, beta, r_max, cost, exploration, logits0, eta0, optimizer,
    entropy, cost_on="payment",
):
    """Validate a run's arguments; return the engine, payments, start point and the incentive optimiser."""
    exploration, schedule, raw = _exploration_schedule(exploration)
    engine = _engine(game, gamma, exploration)
    engine.schedule = schedule
    optimizer = check_choice("incentive_optimizer", optimizer, OPTIMIZERS)
    population = check_choice("population", population, POPULATIONS)
    n_steps = check_positive_int("n_steps", n_steps)
    record_every = check_positive_int("record_every", record_every)
    alpha, beta, cost, r_max = _check_rates(alpha, beta, cost, r_max)
    logits = initial_logits(game) if logits0 is None else _check_logits(game, logits0)
    eta = _initial_eta(game, population, eta0)
    cost_on = _check_cost_on(population, cost_on)
    payments = None if eta is None else _Payments(engine, population, eta.shape, cost_on)
    entropy = check_real("entropy", entropy, low=0.0)
    parameters = dict(
        population=population, n_steps=n_steps, gamma=engine.gamma, alpha=alpha, beta=beta, r_max=r_max,
        cost=cost, exploration=engine.eps if schedule is None else raw, entropy=entropy, record_every=record_every,
        incentive_optimizer=optimizer,
        cost_on=cost_on,
    )  # fmt: skip
    if population == "lio":
        own = engine.n_agents > 2 and eta.shape[-1] == engine.shape[0]
        parameters["incentive_inputs"] = "recipient's own action" if own else "others' joint action"
    if optimizer == "adam":  # the thesis: one Adam for the meta-gradient, a separate one for the cost
        main, costly = _Adam(beta), _Adam(cost * beta)

        def ascend(params, benefit, penalty):
            params = main(params, benefit)
            return costly(params, -penalty) if cost > 0 else params

    elif optimizer == "adam-single":  # one Adam on the weighted objective: the cost trades off against the benefit
        single = _Adam(beta)

        def ascend(params, benefit, penalty):
            return single(params, benefit - cost * penalty)

    elif optimizer == "sgd+adam-cost":  # what Adam does to a noise-dominated meta-gradient, next to a steady cost

        costly = _Adam(cost * beta)

        def ascend(params, benefit, penalty):
            params = params + beta * benefit
            return costly(params, -penalty) if cost > 0 else params

    else:

        def ascend(params, benefit, penalty):
            return params + beta * (benefit - cost * penalty)

    return engine, payments, n_steps, record_every, alpha, r_max, ascend, logits, eta, parameters, entropy


def _run(engine, payments, estimator, n_steps, record_every, logits, eta, alpha, r_max, ascend, parameters, progress):
    rows, steps = [], []
    for step in progress_iter(range(n_steps + 1), total=n_steps + 1, description=f"{parameters['population']} dynamics",
                              progress=progress):
        if step % record_every == 0 or step == n_steps:
            rows.append(_measure(engine, logits, None if payments is None else payments.received(eta, r_max)))
            steps.append(step)
        if step < n_steps:
            if engine.schedule is not None:
                engine.eps = engine.schedule(step)
            logits, gradients = _incentive_update(estimator, payments, logits, eta, alpha, r_max)
            if gradients is not None:
                eta = ascend(eta, *gradients)
    returns = np.array([r[0] for r in rows])
    return IncentiveRun(
        population=parameters["population"],
        steps=np.array(steps),
        collective_return=returns.sum(axis=1),
        returns=returns,
        incentive_cost=np.array([r[1] for r in rows]),
        incentive_received=np.array([r[2] for r in rows]),
        incentive_per_episode=np.array([r[4] for r in rows]),
        start_policy=np.array([r[3] for r in rows]),
        logits=logits,
        eta=eta,
        parameters=parameters,
    )


def incentive_trajectory(
    game,
    population: str,
    *,
    n_steps: int,
    gradient: str = "exact",
    batch_size: int | None = None,
    seed=None,
    logits0=None,
    eta0=None,
    gamma: float = 0.99,
    alpha: float = 1.0,
    beta: float = 1.0,
    r_max: float = 2.0,
    cost: float = 1.0,
    exploration: float = 0.0,
    entropy: float = 0.0,
    incentive_optimizer: str = "adam",
    cost_on: str = "payment",
    record_every: int = 1,
    progress: bool | None = None,
) -> IncentiveRun:
    r"""Run a population for ``n_steps`` iterations, with exact or sampled (REINFORCE) gradients.

    ``gradient="exact"``: every quantity of an iteration is an exact expectation, so a run is deterministic.
    ``gradient="sampled"``: the same update (one code path) with the sampled estimator. Each iteration draws
    ``batch_size`` episodes :math:`\tau` under the current behaviour policies. Agents step along
    :math:`\frac1B\sum\sum_t \gamma^t \nabla\log\tilde\pi^k(a^k_t|s_t) G^k_t` (Eq. 5.4 with the
    :math:`\gamma^t` that makes it unbiased). Givers (LIO agents or the designer) then draw ``batch_size``
    validation episodes :math:`\hat\tau` under the updated policies, estimate :math:`v = \nabla_{\hat\theta^k}`
    of their objective on :math:`\hat\tau` (Eq. 5.9) and push it through the recipients' step with the
    score-function estimate of Eq. 5.8 on :math:`\tau`; the incentive cost is estimated on :math:`\tau`. Each
    estimator is unbiased for the exact quantity, so the exact dynamics are the expectation of the sampled ones
    (exactly for the policy step; for the incentive step up to the covariance of :math:`\hat\theta` and
    :math:`v`, which vanishes as the batch grows). The recorded curves are always exact evaluations of the
    policies.

    Parameters
    ----------
    game : MarkovGame
        Finite-horizon game (every agent with the same actions for ``"lio"``/``"designer"``).
    population : {"pg", "lio", "designer"}
        Plain policy-gradient agents (:func:`pg_step`); LIO agents, each paying incentives to
        the others (Algorithm 2, :func:`stackelberg.solvers.incentives.lio.lio_markov_step`); or
        policy-gradient agents under a meta-gradient incentive designer (Algorithm 3,
        :func:`metagrad_step`).
    n_steps : int
        Number of iterations.
    gradient : {"exact", "sampled"}
        Exact expectations, or REINFORCE estimates on sampled episodes.
    batch_size : int, optional
        Episodes per batch (``gradient="sampled"`` only; default 64).
    seed : int or numpy.random.Generator, optional
        Source of all sampling (``gradient="sampled"`` only); the same seed gives the same run.
    logits0 : sequence of array_like, optional
        Initial logits (default: uniform policies; see :func:`initial_logits`).
    eta0 : float or array_like, optional
        Initial incentive parameters (a float fills every entry): ``(S, A, n)`` for the designer; for LIO
        ``(N, N, S, n**(N-1))`` (``eta0[i, k, s, c]``: what ``i`` pays ``k`` in state ``s`` when
        the others' joint action is ``c``, as the thesis's incentive function) or
        ``(N, N, S, n)`` (conditioned on the recipient's own action only). Default: zeros, i.e.
        incentives of :math:`R_{\max}/2` everywhere, the output of a freshly initialised
        sigmoid layer; LIO defaults to the thesis's inputs.
    gamma, alpha, r_max, cost, entropy
        As in :func:`metagrad_step` (``r_max``, ``cost`` are unused by ``"pg"``; with ``gradient="sampled"`` the
        entropy bonus is differentiated at the sampled steps).
    exploration : float or tuple
        The agents' exploration lower bound :math:`\epsilon` (see :func:`metagrad_step`), or a schedule
        ``(start, end, steps)``: :math:`\epsilon` starts at ``start`` and falls by ``(start - end) / steps`` per
        iteration down to ``end``, as the thesis's code decrements it per episode (LIO in the Escape Room:
        ``(0.5, 0.1, 1000)``).
    beta : float
        Learning rate of the incentive parameters.
    incentive_optimizer : {"adam", "adam-single", "sgd", "sgd+adam-cost"}
        How the incentive parameters ascend their gradient. ``"sgd"``: plain ascent on
        benefit minus ``cost`` times the cost gradient. ``"adam"`` (as the thesis trains LIO's
        incentive function and the designer): one Adam optimiser with learning rate ``beta`` on
        the meta-gradient and a separate Adam with learning rate ``cost * beta`` on the cost
        part (the thesis: 1e-3 and 1e-4 for LIO, 7.9e-4 and 6.0e-5 for the designer; Adam is
        invariant to the cost's weight, so ``cost`` acts as the ratio of the two rates).
        ``"adam-single"``: one Adam on benefit minus ``cost`` times the cost gradient. Note that
        on *exact* gradients Adam moves every parameter whose gradient keeps its sign by about
        its learning rate per step, however small that gradient is (there is no sampling noise
        to damp it). ``"sgd+adam-cost"``: plain ascent with rate ``beta`` on the meta-gradient and the separate
        Adam with rate ``cost * beta`` on the cost -- what the thesis's two Adam optimisers do on *sampled*
        gradients where the meta-gradient's noise dominates its mean (Adam's step is then about
        ``lr * mean / noise std``, linear in the gradient) while the cost's gradient (the occupancy of the
        visited steps) keeps its sign and moves by the full cost rate. Agents always take plain
        policy-gradient steps, as in the thesis.
    cost_on : {"payment", "sigmoid"}, default "payment"
        What the designer's cost :math:`\psi` charges (see :func:`metagrad_step`); ``"sigmoid"`` is the thesis's
        code and applies to ``population="designer"`` only. With ``incentive_optimizer="adam"`` the two differ
        only through the per-parameter constant (agents taking the action) x :math:`R_{\max}`, to which Adam is
        invariant, and through outputs nobody receives; with ``"sgd"`` or ``"adam-single"`` ``"sigmoid"`` halves
        the cost's weight (at :math:`R_{\max} = 2`).
    record_every : int
        Record the curves every this many iterations (and at the end).
    progress : bool or None
        Show a progress bar (None: only when standard error is a terminal).

    Returns
    -------
    IncentiveRun

    Raises
    ------
    TypeError, ValueError
        On malformed input, or ``batch_size``/``seed`` given with ``gradient="exact"``.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 2, 1)), np.array([[[1.0, 0.0]]]), horizon=1)
    >>> run = incentive_trajectory(game, "pg", n_steps=50, alpha=5.0)
    >>> round(float(run.collective_return[-1]), 2)
    1.0
    >>> run = incentive_trajectory(game, "pg", n_steps=50, alpha=5.0, gradient="sampled", seed=0)
    >>> bool(run.collective_return[-1] > 0.9)
    True
    """
    gradient = check_choice("gradient", gradient, GRADIENTS)
    engine, payments, n_steps, record_every, alpha, r_max, ascend, logits, eta, parameters, entropy = _prepare_run(
        game, population, n_steps, record_every, gamma, alpha, beta, r_max, cost, exploration, logits0, eta0,
        incentive_optimizer, entropy, cost_on,
    )  # fmt: skip
    if gradient == "exact":
        if batch_size is not None or seed is not None:
            raise ValueError("batch_size and seed apply to gradient='sampled' only; the exact dynamics draw nothing")
        estimator = _ExactEstimator(engine, entropy)
    else:
        batch_size = 64 if batch_size is None else check_positive_int("batch_size", batch_size)
        estimator = _SampledEstimator(engine, np.random.default_rng(seed), batch_size, entropy)
        parameters.update(batch_size=batch_size, seed=seed)
    parameters["gradient"] = gradient
    return _run(engine, payments, estimator, n_steps, record_every, logits, eta, alpha, r_max, ascend, parameters, progress)
