r"""Exact policy-gradient dynamics and meta-gradient incentive design in tabular Markov games.

A population of :math:`N` independent agents plays a finite-horizon Markov game (states
:math:`s`, joint actions :math:`\mathbf a`, transitions :math:`P`, extrinsic rewards
:math:`R^k`, horizon :math:`H`). Agent :math:`k` has a tabular softmax policy
:math:`\pi^k(b \mid s) \propto \exp\theta^k[s, b]` over the full state (the agents of the Escape
Room observe every agent's position) and maximises

.. math:: J^k(\theta; \iota_k) = \mathbb E_\pi\Big[\sum_{t=0}^{H-1} \gamma^t
          \big(R^k(s_t, \mathbf a_t) + \iota_k(s_t, a^k_t)\big)\Big],

where :math:`\iota_k(s, b)` is the incentive agent :math:`k` receives for taking action
:math:`b` in state :math:`s` (zero in terminal states). Everything is computed *exactly* by
forward (state distribution :math:`d_t`) and backward (values :math:`V_t, Q_t`) recursions over
the finite horizon, so a run is deterministic:

* the policy gradient (Yang 2021, Eq. B.3 derivation)
  :math:`\nabla_{\theta^k[s,b]} J = \sum_t \gamma^t d_t(s) \sum_{\mathbf a} \pi(\mathbf a|s)
  (\mathbf 1[a^k = b] - \pi^k(b|s)) Q_t(s, \mathbf a)`;
* the meta-gradient through one policy-gradient step
  :math:`\hat\theta^k = \theta^k + \alpha \nabla_{\theta^k} J^k(\theta; \iota_k(\eta))`. Since
  :math:`J^k` is linear in the incentive, :math:`J^k = J^{k,\mathrm{env}} + \sum_{s,b}
  \rho_k(s,b;\theta)\,\iota_k(s,b)` with the discounted occupancy
  :math:`\rho_k(s,b) = \sum_t \gamma^t d_t(s) \pi^k(b|s)`, the vector-Jacobian product with
  any :math:`v^k` is

  .. math:: (v^k)^\top \frac{\partial \hat\theta^k}{\partial \eta}
            = \alpha \sum_{s,b} \dot\rho_k[v^k](s,b)\, \frac{\partial \iota_k(s,b)}{\partial\eta},

  where :math:`\dot\rho_k[v]` is the directional derivative of the occupancy along :math:`v` in
  :math:`\theta^k`, computed by one forward-mode pass. This is the exact expectation of the
  REINFORCE estimate of Eq. 5.8.

On top of this engine, this module implements the **incentive designer** of chapter 6
(Algorithm 3 with :math:`M = 1` and exact gradients): seeing the state and the joint action,
the designer pays :math:`\iota_k(s, \mathbf a) = R_{\max}\,\sigma(\eta[s, \mathbf a, a^k])` to
every agent :math:`k` for its own action (the thesis's
:math:`\mu_\eta: S \times A^n \to (0, R_{\max})^{|A|}`, "the incentive for action i taken by
any agent", here tabular), and ascends

.. math:: \nabla_\eta J^{\mathrm{ID}} = \sum_k \big(\nabla_\eta \hat\theta^k\big)^\top
          \nabla_{\hat\theta^k} \mathbb E_{\hat\pi}\Big[\sum_t\gamma^t \sum_j R^j\Big]
          - c\,\nabla_\eta \psi(\eta; \theta)       \qquad \text{(Eq. 6.4)}

with :math:`\psi` the expected discounted sum of all incentives paid on the first trajectory.
The plain **policy-gradient population** (:func:`pg_step`) is the baseline that fails to escape.
LIO agents in Markov games live in :mod:`stackelberg.solvers.lio` and use the same engine.
:func:`sampled_trajectory` is the REINFORCE twin of every population, with a ``seed``.

References
----------
J. Yang, *Cooperation in Multi-Agent Reinforcement Learning*, PhD thesis, 2021, Eqs. 5.7-5.9,
6.1-6.4, Algorithm 3. J. Yang et al., "Adaptive Incentive Design with Multi-Agent Meta-Gradient
Reinforcement Learning", AAMAS 2022.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .._validation import as_finite_array, check_choice, check_positive_int, check_tol
from ..games.markov import MarkovGame

__all__ = [
    "POPULATIONS",
    "IncentiveRun",
    "softmax_policies",
    "initial_logits",
    "exact_returns",
    "exact_policy_gradients",
    "designer_incentives",
    "pg_step",
    "metagrad_step",
    "incentive_trajectory",
    "sampled_trajectory",
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
        self.live = ~np.asarray(game.is_terminal)  # incentives are paid only in live states
        self.mu = np.asarray(game.initial_distribution, dtype=float)

    # -- policies -------------------------------------------------------------------------
    def behaviour(self, policies) -> list:
        return [(1.0 - self.eps) * p + self.eps / p.shape[-1] for p in policies]

    def joint(self, policies) -> np.ndarray:
        joint = policies[0]
        for p in policies[1:]:
            joint = (joint[:, :, None] * p[:, None, :]).reshape(self.S, -1)
        return joint

    def along(self, k: int, values: np.ndarray) -> np.ndarray:
        """Broadcast an ``(S, n_k)`` array to ``(S, A)`` along agent ``k``'s action axis."""
        shape = [self.S] + [1] * self.n_agents
        shape[k + 1] = self.shape[k]
        return np.broadcast_to(values.reshape(shape), (self.S,) + self.shape).reshape(self.S, self.A)

    def marginal(self, k: int, values: np.ndarray) -> np.ndarray:
        """Sum an ``(..., S, A)`` array over every agent's action but ``k``'s."""
        lead = values.shape[:-1]
        tensor = values.reshape(lead + self.shape)
        axes = tuple(len(lead) + j for j in range(self.n_agents) if j != k)
        return tensor.sum(axis=axes)

    def policy_tangent(self, policy: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """Change of the behaviour policy along ``direction`` in the logits of ``policy``."""
        return (1.0 - self.eps) * policy * (direction - (policy * direction).sum(axis=-1, keepdims=True))

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
        values = np.zeros((self.horizon + 1, K, self.S))
        for t in range(self.horizon - 1, -1, -1):
            q = rewards + gamma * self.next_value(values[t + 1])
            values[t] = np.einsum("ksa,sa->ks", q, joint)
        weighted = np.zeros((K, self.S, self.A))
        for t in range(self.horizon):
            q = rewards + gamma * self.next_value(values[t + 1])
            weighted += (gamma**t) * d[t][None, :, None] * joint[None] * q
        return weighted, values[0] @ self.mu

    def policy_gradient(self, k: int, policies, behaviour, weighted: np.ndarray) -> np.ndarray:
        """Gradient w.r.t. agent ``k``'s logits of each objective of ``weighted`` (``(K, S, n_k)``)."""
        marginal = self.marginal(k, weighted)  # = beh^k(b|s) * (discounted Q of b averaged over the others)
        beh = behaviour[k][None]
        q_of_action = np.divide(marginal, beh, out=np.zeros_like(marginal), where=beh > 0)
        return self.policy_tangent(policies[k][None], q_of_action)

    def as_joint(self, k: int, incentive: np.ndarray) -> np.ndarray:
        """An incentive of shape ``(S, n_k)`` (own action) or ``(S, A)`` (joint action) as ``(S, A)``."""
        return incentive if incentive.shape[1] == self.A else self.along(k, incentive)

    def total_rewards(self, incentives) -> np.ndarray:
        """Each agent's extrinsic plus received incentive reward, ``(N, S, A)``."""
        if incentives is None:
            return self.rewards
        extra = np.stack([self.as_joint(k, incentives[k]) * self.live[:, None] for k in range(self.n_agents)])
        return self.rewards + extra

    def occupancy(self, d: np.ndarray) -> np.ndarray:
        """``w(s) = sum_t gamma^t d_t(s)``."""
        return (self.gamma ** np.arange(self.horizon)) @ d

    def occupancy_tangent(self, k: int, policies, behaviour, joint, d, direction, *, by_joint=False) -> np.ndarray:
        """Directional derivative of ``rho_k(s, b) = w(s) beh^k(b|s)`` along ``direction`` in theta^k.

        With ``by_joint``, of the joint occupancy ``rho(s, a) = w(s) beh(a|s)`` instead, ``(S, A)``.
        """
        beh_dot = self.policy_tangent(policies[k], direction)
        joint_dot = self.joint([beh_dot if j == k else behaviour[j] for j in range(self.n_agents)])
        d_dot = np.zeros(self.S)
        w_dot = np.zeros(self.S)
        for t in range(self.horizon):
            w_dot += self.gamma**t * d_dot
            if t + 1 < self.horizon:
                d_dot = self.PT @ (d_dot[:, None] * joint + d[t][:, None] * joint_dot).ravel()
        if by_joint:
            return w_dot[:, None] * joint + self.occupancy(d)[:, None] * joint_dot
        return w_dot[:, None] * behaviour[k] + self.occupancy(d)[:, None] * beh_dot

    def own_action(self, k: int) -> np.ndarray:
        """Agent ``k``'s action in each joint action, ``(A,)``."""
        return np.unravel_index(np.arange(self.A), self.shape)[k]

    # -- one policy-gradient step of every agent ------------------------------------------
    def pg_step(self, logits, incentives, alpha):
        policies = [_softmax(x) for x in logits]
        behaviour = self.behaviour(policies)
        joint = self.joint(behaviour)
        d = self.forward(joint)
        weighted, _ = self.weighted_q(joint, d, self.total_rewards(incentives), self.gamma)
        new = tuple(
            logits[k] + alpha * self.policy_gradient(k, policies, behaviour, weighted[k : k + 1])[0]
            for k in range(self.n_agents)
        )
        return new, policies, behaviour, joint, d

    def outer_directions(self, new_logits, objectives):
        """Per agent k, ``grad_{theta_hat^k}`` of every objective row at the new policies."""
        policies = [_softmax(x) for x in new_logits]
        behaviour = self.behaviour(policies)
        joint = self.joint(behaviour)
        d = self.forward(joint)
        weighted, _ = self.weighted_q(joint, d, objectives, self.gamma)
        return [self.policy_gradient(k, policies, behaviour, weighted) for k in range(self.n_agents)]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# =============================================================================================
# validation
# =============================================================================================
def _check_game(game) -> MarkovGame:
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    if not game.is_finite_horizon:
        raise ValueError("game must be a finite-horizon MarkovGame (built with horizon=H); got a discounted game")
    return game


def _check_logits(game: MarkovGame, logits) -> tuple:
    if isinstance(logits, np.ndarray) and logits.ndim == 3:
        logits = list(logits)
    if not isinstance(logits, (list, tuple)) or len(logits) != game.n_players:
        raise ValueError(f"logits must hold one (S, n_k) array per agent ({game.n_players}); got {type(logits).__name__}")
    out = []
    for k, entry in enumerate(logits):
        array = as_finite_array(f"logits[{k}]", entry, ndim=2)
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


def _designer_paid(engine, eta, r_max) -> list:
    """Incentive each agent receives at (s, a): R_max sigma(eta[s, a, a^k]), ``(S, A)`` per agent."""
    columns = np.arange(engine.A)
    return [r_max * _sigmoid(eta[:, columns, engine.own_action(k)]) * engine.live[:, None] for k in range(engine.n_agents)]


def _check_positive(name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive real number; got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite positive number; got {value!r}")
    return float(value)


def _check_incentives(game: MarkovGame, incentives):
    if incentives is None:
        return None
    if isinstance(incentives, np.ndarray) and incentives.ndim == 3:
        incentives = list(incentives)
    if not isinstance(incentives, (list, tuple)) or len(incentives) != game.n_players:
        raise ValueError(f"incentives must hold one (S, n_k) array per agent ({game.n_players}) or be None")
    out = []
    for k, entry in enumerate(incentives):
        array = as_finite_array(f"incentives[{k}]", entry, ndim=2)
        shapes = ((game.n_states, game.action_shape[k]), (game.n_states, game.n_joint_actions))
        if array.shape not in shapes:
            raise ValueError(
                f"incentives[{k}] must have shape {shapes[0]} (by own action) or {shapes[1]} (by joint action); "
                f"got {array.shape}"
            )
        out.append(array)
    return tuple(out)


def _check_gamma(gamma) -> float:
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a real number in [0, 1]; got {type(gamma).__name__}")
    if not 0.0 <= float(gamma) <= 1.0:
        raise ValueError(f"gamma must be a discount factor in [0, 1] for a finite horizon; got {gamma}")
    return float(gamma)


def _check_exploration(eps) -> float:
    eps = check_tol("exploration", eps)
    if eps > 1.0:
        raise ValueError(f"exploration must lie in [0, 1]; got {eps}")
    return eps


def _engine(game, gamma, exploration) -> _Engine:
    return _Engine(_check_game(game), _check_gamma(gamma), _check_exploration(exploration))


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
    return tuple(_softmax(as_finite_array(f"logits[{k}]", x, ndim=2)) for k, x in enumerate(logits))


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
        On malformed input.

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
    joint = engine.joint(engine.behaviour([_softmax(x) for x in logits]))
    d = engine.forward(joint)
    _, returns = engine.weighted_q(joint, d, engine.total_rewards(_check_incentives(game, incentives)), engine.gamma)
    return returns


def exact_policy_gradients(
    game, logits, incentives=None, *, gamma: float = 0.99, exploration: float = 0.0
) -> tuple:
    r"""Exact :math:`\nabla_{\theta^k} J^k` of every agent (no sampling).

    Parameters
    ----------
    game, logits, incentives, gamma, exploration
        As in :func:`exact_returns`.

    Returns
    -------
    tuple of numpy.ndarray
        One ``(S, n_k)`` gradient per agent.

    Raises
    ------
    TypeError, ValueError
        On malformed input.

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
    policies = [_softmax(x) for x in logits]
    behaviour = engine.behaviour(policies)
    joint = engine.joint(behaviour)
    d = engine.forward(joint)
    weighted, _ = engine.weighted_q(joint, d, engine.total_rewards(_check_incentives(game, incentives)), engine.gamma)
    return tuple(engine.policy_gradient(k, policies, behaviour, weighted[k : k + 1])[0] for k in range(game.n_players))


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
        On malformed input.

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
    return tuple(_designer_paid(engine, eta, _check_positive("r_max", r_max)))


def pg_step(
    game, logits, incentives=None, *, gamma: float = 0.99, alpha: float = 1.0, exploration: float = 0.0
) -> tuple:
    r"""One exact policy-gradient step of every agent: :math:`\theta^k + \alpha\nabla_{\theta^k}J^k`.

    Parameters
    ----------
    game, logits, incentives, gamma, exploration
        As in :func:`exact_returns`.
    alpha : float
        Policy learning rate.

    Returns
    -------
    tuple of numpy.ndarray
        The new logits.

    Raises
    ------
    TypeError, ValueError
        On malformed input.

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
    new, *_ = engine.pg_step(_check_logits(game, logits), _check_incentives(game, incentives), alpha)
    return new


def _designer_gradient(engine: _Engine, logits, eta, alpha, r_max):
    """Eq. 6.4 exactly: (new logits, gradient of the welfare term, gradient of psi) w.r.t. eta[s, a, b]."""
    slope = r_max * _sigmoid(eta) * (1.0 - _sigmoid(eta)) * engine.live[:, None, None]  # d iota / d eta
    new, policies, behaviour, joint, d = engine.pg_step(logits, _designer_paid(engine, eta, r_max), alpha)  # Eq. 6.3
    welfare = engine.rewards.sum(axis=0, keepdims=True)  # R^ID = sum of extrinsic rewards
    directions = engine.outer_directions(new, welfare)
    spent = engine.occupancy(d)[:, None] * joint  # d psi / d iota_k(s, a): joint visits on the first trajectory
    benefit, penalty = np.zeros_like(eta), np.zeros_like(eta)
    columns = np.arange(engine.A)
    for k in range(engine.n_agents):
        tangent = engine.occupancy_tangent(k, policies, behaviour, joint, d, directions[k][0], by_joint=True)
        benefit[:, columns, engine.own_action(k)] += alpha * tangent
        penalty[:, columns, engine.own_action(k)] += spent
    return new, slope * benefit, slope * penalty


def metagrad_step(
    game,
    logits,
    eta,
    *,
    gamma: float = 0.99,
    alpha: float = 1.0,
    beta: float = 1.0,
    r_max: float = 2.0,
    cost: float = 1.0,
    exploration: float = 0.0,
) -> tuple:
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

    Returns
    -------
    logits, eta : tuple
        The agents' new logits and the designer's new parameters.

    Raises
    ------
    TypeError, ValueError
        On malformed input.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 2, 1)), np.array([[[-1.0, 0.0]]]), horizon=1)
    >>> new_logits, new_eta = metagrad_step(game, [np.zeros((1, 2))], np.zeros((1, 2, 2)), cost=0.0)
    >>> bool(new_eta[0, 0, 0] < 0 < new_eta[0, 1, 1])  # pay less for the costly action 0
    True
    """
    engine = _engine(game, gamma, exploration)
    logits = _check_logits(game, logits)
    eta = _check_designer_eta(game, eta)
    alpha, beta, cost = check_tol("alpha", alpha), check_tol("beta", beta), check_tol("cost", cost)
    r_max = _check_positive("r_max", r_max)
    new, benefit, penalty = _designer_gradient(engine, logits, eta, alpha, r_max)
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
    policies = [_softmax(x) for x in logits]
    joint = engine.joint(policies)
    d = engine.forward(joint)
    _, returns = engine.weighted_q(joint, d, engine.rewards, 1.0)
    visits = d.sum(axis=0)[:, None] * engine.live[:, None]  # undiscounted expected visits per live state
    start = engine.mu @ np.stack(policies)  # (N, n)
    received = np.zeros((engine.n_agents, engine.shape[0]))
    spent = 0.0
    if incentives is not None:
        for k in range(engine.n_agents):
            paid = engine.marginal(k, visits * joint * engine.as_joint(k, incentives[k])).sum(axis=0)
            spent += float(paid.sum())
            received[k] = paid / np.maximum((visits * policies[k]).sum(axis=0), 1e-300)
    return returns, spent, received, start


def _lio_received(eta: np.ndarray, r_max: float) -> list:
    """Incentive each agent receives: sum over givers i != k of R_max sigma(eta[i, k])."""
    paid = r_max * _sigmoid(eta)
    n = eta.shape[0]
    return [sum(paid[i, k] for i in range(n) if i != k) for k in range(n)]


def _paid(engine, population, eta, r_max):
    if population == "designer":
        return _designer_paid(engine, eta, r_max)
    if population == "lio":
        return _lio_received(eta, r_max)
    return None


def _initial_eta(game: MarkovGame, population: str, eta0):
    if population == "pg":
        if eta0 is not None:
            raise ValueError("eta0 must be None for the 'pg' population (it pays no incentives)")
        return None
    n = _check_equal_actions(game)
    if population == "designer":
        shape = (game.n_states, game.n_joint_actions, n)
        return np.zeros(shape) if eta0 is None else _check_designer_eta(game, eta0, "eta0")
    shape = (game.n_players, game.n_players, game.n_states, n)
    if eta0 is None:
        return np.zeros(shape)
    array = as_finite_array("eta0", eta0)
    if array.shape != shape:
        raise ValueError(f"eta0 must have shape {shape} (giver, recipient, state, action) for LIO; got {array.shape}")
    return array.astype(float)


OPTIMIZERS = ("adam", "sgd")


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


def _check_run(
    game, population, n_steps, record_every, gamma, alpha, beta, r_max, cost, exploration, logits0, eta0, optimizer
):
    engine = _engine(game, gamma, exploration)
    optimizer = check_choice("incentive_optimizer", optimizer, OPTIMIZERS)
    population = check_choice("population", population, POPULATIONS)
    n_steps = check_positive_int("n_steps", n_steps)
    record_every = check_positive_int("record_every", record_every)
    alpha, beta, cost = check_tol("alpha", alpha), check_tol("beta", beta), check_tol("cost", cost)
    r_max = _check_positive("r_max", r_max)
    logits = initial_logits(game) if logits0 is None else _check_logits(game, logits0)
    eta = _initial_eta(game, population, eta0)
    parameters = dict(
        population=population, n_steps=n_steps, gamma=engine.gamma, alpha=alpha, beta=beta, r_max=r_max,
        cost=cost, exploration=engine.eps, record_every=record_every, incentive_optimizer=optimizer,
    )
    if optimizer == "adam":  # the thesis: one Adam for the meta-gradient, a separate one for the cost
        main, costly = _Adam(beta), _Adam(cost * beta)

        def ascend(params, benefit, penalty):
            params = main(params, benefit)
            return costly(params, -penalty) if cost > 0 else params

    else:

        def ascend(params, benefit, penalty):
            return params + beta * (benefit - cost * penalty)

    return engine, population, n_steps, record_every, alpha, ascend, r_max, cost, logits, eta, parameters


def _run(engine, population, n_steps, record_every, logits, eta, r_max, update, ascend, parameters) -> IncentiveRun:
    rows, steps = [], []
    for step in range(n_steps + 1):
        if step % record_every == 0 or step == n_steps:
            rows.append(_measure(engine, logits, _paid(engine, population, eta, r_max)))
            steps.append(step)
        if step < n_steps:
            logits, gradients = update(logits, eta)
            if gradients is not None:
                eta = ascend(eta, *gradients)
    returns = np.array([r[0] for r in rows])
    return IncentiveRun(
        population=population,
        steps=np.array(steps),
        collective_return=returns.sum(axis=1),
        returns=returns,
        incentive_cost=np.array([r[1] for r in rows]),
        incentive_received=np.array([r[2] for r in rows]),
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
    logits0=None,
    eta0=None,
    gamma: float = 0.99,
    alpha: float = 1.0,
    beta: float = 1.0,
    r_max: float = 2.0,
    cost: float = 1.0,
    exploration: float = 0.0,
    incentive_optimizer: str = "adam",
    record_every: int = 1,
) -> IncentiveRun:
    r"""Run a population with exact dynamics for ``n_steps`` iterations (deterministic).

    Parameters
    ----------
    game : MarkovGame
        Finite-horizon game (every agent with the same actions for ``"lio"``/``"designer"``).
    population : {"pg", "lio", "designer"}
        Plain policy-gradient agents (:func:`pg_step`); LIO agents, each paying incentives to
        the others (:func:`stackelberg.solvers.lio.lio_markov_step`); or policy-gradient agents
        under a meta-gradient incentive designer (:func:`metagrad_step`).
    n_steps : int
        Number of iterations.
    logits0 : sequence of array_like, optional
        Initial logits (default: uniform policies; see :func:`initial_logits`).
    eta0 : array_like, optional
        Initial incentive parameters: ``(S, n)`` for the designer, ``(N, N, S, n)`` for LIO
        (``eta0[i, j]``: what ``i`` pays ``j``). Default: all ``-3``, i.e. incentives of
        :math:`R_{\max}\sigma(-3) pprox 0.095`.
    gamma, alpha, r_max, cost, exploration
        As in :func:`metagrad_step` (``r_max``, ``cost`` are unused by ``"pg"``).
    beta : float
        Learning rate of the incentive parameters.
    incentive_optimizer : {"adam", "sgd"}
        How the incentive parameters ascend their exact gradient. ``"sgd"``: plain ascent on
        benefit minus ``cost`` times the cost gradient. ``"adam"`` (as the thesis trains LIO's
        incentive function and the designer): one Adam optimiser with learning rate ``beta`` on
        the meta-gradient and a separate Adam with learning rate ``cost * beta`` on the cost
        part (the thesis: 1e-3 and 1e-4 for LIO, 7.9e-4 and 6.0e-5 for the designer). Agents
        always take plain policy-gradient steps, as in the thesis.
    record_every : int
        Record the curves every this many iterations (and at the end).

    Returns
    -------
    IncentiveRun

    Raises
    ------
    TypeError, ValueError
        On malformed input.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 2, 1)), np.array([[[1.0, 0.0]]]), horizon=1)
    >>> run = incentive_trajectory(game, "pg", n_steps=50, alpha=5.0)
    >>> round(float(run.collective_return[-1]), 2)
    1.0
    """
    from .lio import _lio_markov_update  # LIO shares this engine; imported here to avoid a cycle

    engine, population, n_steps, record_every, alpha, ascend, r_max, cost, logits, eta, parameters = _check_run(
        game, population, n_steps, record_every, gamma, alpha, beta, r_max, cost, exploration, logits0, eta0,
        incentive_optimizer,
    )

    def update(logits, eta):
        if population == "pg":
            return engine.pg_step(logits, None, alpha)[0], None
        if population == "designer":
            new, benefit, penalty = _designer_gradient(engine, logits, eta, alpha, r_max)
        else:
            new, benefit, penalty = _lio_markov_update(engine, logits, eta, alpha, r_max)
        return new, (benefit, penalty)

    return _run(engine, population, n_steps, record_every, logits, eta, r_max, update, ascend, parameters)


# =============================================================================================
# sampled (REINFORCE) twin
# =============================================================================================
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
        """``states (batch, H)`` and ``actions (batch, H, N)`` drawn under ``behaviour``."""
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
        return states, actions


def _discounted_returns_to_go(engine, states, actions, rewards, incentives):
    """``gamma^t G_t`` per objective row of ``rewards (K, S, A)`` plus received incentives."""
    H = states.shape[1]
    joint = np.ravel_multi_index(tuple(np.moveaxis(actions, -1, 0)), engine.shape)
    per_step = rewards[:, states, joint]  # (K, batch, H)
    if incentives is not None:
        for k in range(engine.n_agents):
            per_step[k] += incentives[k][states, actions[..., k]] * engine.live[states]
    go = np.zeros_like(per_step)
    running = np.zeros(per_step.shape[:2])
    for t in range(H - 1, -1, -1):
        running = per_step[..., t] + engine.gamma * running
        go[..., t] = running
    return go * engine.gamma ** np.arange(H)


def _score_scale(engine, k, policies, behaviour, states, actions):
    """d log beh^k(a|s) / d theta^k[s, b] = scale * (1[a = b] - pi^k(b|s)); returns scale."""
    a = actions[..., k]
    return (1.0 - engine.eps) * policies[k][states, a] / behaviour[k][states, a]


def _sampled_policy_gradient(engine, k, policies, behaviour, states, actions, weights):
    """REINFORCE: mean over episodes of sum_t weights[t] grad log beh^k(a_t^k|s_t); (S, n_k)."""
    w = (_score_scale(engine, k, policies, behaviour, states, actions) * weights).ravel()
    s, a = states.ravel(), actions[..., k].ravel()
    grad = np.zeros_like(policies[k])
    np.add.at(grad, (s, a), w)
    np.add.at(grad, s, -w[:, None] * policies[k][s])
    return grad / states.shape[0]


def _columns(engine, population, k, actions):
    """What the incentive to agent ``k`` is indexed by: its own action (LIO) or the joint action (designer)."""
    if population == "designer":
        return np.ravel_multi_index(tuple(np.moveaxis(actions, -1, 0)), engine.shape), engine.A
    return actions[..., k], engine.shape[k]


def _sampled_occupancy(engine, states, columns, width):
    """Unbiased estimate of rho(s, c) = E sum_l gamma^l [s_l = s, c_l = c]."""
    target = np.zeros((engine.S, width))
    weight = np.broadcast_to(engine.gamma ** np.arange(states.shape[1]), states.shape)
    np.add.at(target, (states.ravel(), columns.ravel()), weight.ravel())
    return target / states.shape[0]


def _sampled_occupancy_tangent(engine, k, policies, behaviour, states, actions, direction, columns, width):
    """Score-function estimate of the tangent of rho along ``direction`` in theta^k (Eq. 5.8 pushed along v).

    sum_t gamma^t (v . grad log pi_t) sum_{l >= t} gamma^{l-t} e_l = sum_l gamma^l e_l sum_{t <= l} (v . grad log pi_t).
    """
    centred = direction - (policies[k] * direction).sum(axis=-1, keepdims=True)
    score = _score_scale(engine, k, policies, behaviour, states, actions) * centred[states, actions[..., k]]
    weight = engine.gamma ** np.arange(states.shape[1]) * np.cumsum(score, axis=1)
    target = np.zeros((engine.S, width))
    np.add.at(target, (states.ravel(), columns.ravel()), weight.ravel())
    return target / states.shape[0]


def _sampled_update(engine, sampler, population, logits, eta, alpha, r_max, batch):
    """One sampled iteration: (new logits, estimated (benefit, cost) gradients w.r.t. eta, or None)."""
    N = engine.n_agents
    policies = [_softmax(x) for x in logits]
    behaviour = engine.behaviour(policies)
    paid = _paid(engine, population, eta, r_max)
    states, actions = sampler.episodes(behaviour, batch)  # tau
    weights = _discounted_returns_to_go(engine, states, actions, engine.rewards, paid)
    new = tuple(
        logits[k] + alpha * _sampled_policy_gradient(engine, k, policies, behaviour, states, actions, weights[k])
        for k in range(N)
    )  # Eq. 5.4
    if population == "pg":
        return new, None
    new_policies = [_softmax(x) for x in new]
    new_behaviour = engine.behaviour(new_policies)
    hat_states, hat_actions = sampler.episodes(new_behaviour, batch)  # tau hat
    objectives = engine.rewards.sum(axis=0, keepdims=True) if population == "designer" else engine.rewards
    hat_weights = _discounted_returns_to_go(engine, hat_states, hat_actions, objectives, None)
    benefit, penalty = np.zeros_like(eta), np.zeros_like(eta)
    all_columns = np.arange(engine.A)
    for k in range(N):
        columns, width = _columns(engine, population, k, actions)
        spent = _sampled_occupancy(engine, states, columns, width)
        for i in range(objectives.shape[0]):
            if population == "lio" and i == k:
                continue
            direction = _sampled_policy_gradient(
                engine, k, new_policies, new_behaviour, hat_states, hat_actions, hat_weights[i]
            )  # Eq. 5.9
            tangent = _sampled_occupancy_tangent(engine, k, policies, behaviour, states, actions, direction, columns, width)
            if population == "designer":
                benefit[:, all_columns, engine.own_action(k)] += alpha * tangent
                penalty[:, all_columns, engine.own_action(k)] += spent
            else:
                benefit[i, k], penalty[i, k] = alpha * tangent, spent
    slope = r_max * _sigmoid(eta) * (1.0 - _sigmoid(eta)) * _live_mask(engine, eta)
    return new, (slope * benefit, slope * penalty)


def _live_mask(engine, eta):
    """The live-state mask broadcast against designer ``(S, A, n)`` or LIO ``(N, N, S, n)`` parameters."""
    if eta.ndim == 3:
        return engine.live[:, None, None]
    return engine.live[None, None, :, None]


def sampled_trajectory(
    game,
    population: str,
    *,
    n_steps: int,
    batch_size: int = 64,
    seed=None,
    logits0=None,
    eta0=None,
    gamma: float = 0.99,
    alpha: float = 1.0,
    beta: float = 1.0,
    r_max: float = 2.0,
    cost: float = 1.0,
    exploration: float = 0.0,
    incentive_optimizer: str = "adam",
    record_every: int = 1,
) -> IncentiveRun:
    r"""The REINFORCE twin of :func:`incentive_trajectory`: every expectation replaced by a sample.

    Each iteration draws ``batch_size`` episodes :math:`	au` under the current behaviour
    policies. Agents step along :math:`rac1B\sum\sum_t \gamma^t 
abla\log	ilde\pi^k(a^k_t|s_t)
    G^k_t` (Eq. 5.4 with the :math:`\gamma^t` that makes it unbiased). Givers (LIO agents or the
    designer) then draw ``batch_size`` validation episodes :math:`\hat	au` under the updated
    policies, estimate :math:`v^k = 
abla_{\hat	heta^k}` of their objective on
    :math:`\hat	au` (Eq. 5.9) and push it through the recipients' step with the score-function
    estimate of Eq. 5.8 on :math:`	au`; the incentive cost is estimated on :math:`	au`. Each
    estimator is unbiased for the exact quantity that :func:`incentive_trajectory` uses, so the
    exact dynamics are the expectation of these (exactly for the policy step; for the incentive
    step up to the covariance of :math:`\hat	heta` and :math:`v`, which vanishes as the batch
    grows). The recorded curves are exact evaluations of the sampled policies.

    Parameters
    ----------
    game, population, n_steps, logits0, eta0, gamma, alpha, beta, r_max, cost, exploration
        As in :func:`incentive_trajectory`.
    incentive_optimizer, record_every
        As in :func:`incentive_trajectory`.
    batch_size : int
        Episodes per batch.
    seed : int or numpy.random.Generator, optional
        Source of all sampling; the same seed gives the same run.

    Returns
    -------
    IncentiveRun

    Raises
    ------
    TypeError, ValueError
        On malformed input.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.markov import MarkovGame
    >>> game = MarkovGame(np.ones((1, 2, 1)), np.array([[[1.0, 0.0]]]), horizon=1)
    >>> run = sampled_trajectory(game, "pg", n_steps=50, alpha=5.0, seed=0)
    >>> bool(run.collective_return[-1] > 0.9)
    True
    """
    engine, population, n_steps, record_every, alpha, ascend, r_max, cost, logits, eta, parameters = _check_run(
        game, population, n_steps, record_every, gamma, alpha, beta, r_max, cost, exploration, logits0, eta0,
        incentive_optimizer,
    )
    batch_size = check_positive_int("batch_size", batch_size)
    sampler = _Sampler(engine, np.random.default_rng(seed))
    parameters.update(batch_size=batch_size, seed=seed)

    def update(logits, eta):
        return _sampled_update(engine, sampler, population, logits, eta, alpha, r_max, batch_size)

    return _run(engine, population, n_steps, record_every, logits, eta, r_max, update, ascend, parameters)
