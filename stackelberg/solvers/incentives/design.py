r"""Incentive design for n independent MDP followers: the constrained reformulation and Algorithm 1.

Problem 1 of the incentive-design paper. Follower :math:`i \in \{1..n\}` solves its own MDP
:math:`M_i = (S, A, P_i, \mu_i, \gamma_i, \bar R_i)` (all followers share :math:`S` and :math:`A`) with the
leader's side payments :math:`x_i(s, a) \ge 0` added to its reward (Eq. 2),
:math:`R_i(s, a; x_i) = \bar R_i(s, a) + x_i(s, a)`. The followers move independently (Assumption 1), so the
joint state :math:`\mathbf s = (s_1..s_n)` follows the product chain :math:`\prod_i P_i(s'_i \mid s_i, a_i)` from
:math:`\boldsymbol\mu = \prod_i \mu_i`, and the leader's value (Eq. 1) is

.. math:: V(\boldsymbol\mu, \boldsymbol\pi_\theta)
   = \mathbb E\Big[\sum_k \gamma^k R_l(\mathbf s^{(k)}, \mathbf a^{(k)})\Big].

The leader solves (Eq. 4, in the constrained form Eq. 6)

.. math:: \max_{x \in \mathcal X, \theta} f(x, \theta) = V(\boldsymbol\pi_\theta) - w\,C(x)
   \quad\text{s.t.}\quad q(x, \theta) = \sum_i V_i(\pi_{\theta_i}; x_i) - \sum_i V_i^*(x_i) \ge 0,

whose solutions are strong Stackelberg equilibria (Remark 1). **Algorithm 1** (Liu et al. 2022, BOME) iterates

.. math:: \lambda^{(k)} = \max\Big(\eta - \frac{\langle\nabla f, \nabla q\rangle}{\|\nabla q\|^2}, 0\Big), \quad
   (x, \theta)^{(k+1)} = \mathrm{Proj}\big[(x, \theta)^{(k)} + \xi (\nabla f + \lambda^{(k)} \nabla q)\big],

with :math:`x` projected onto :math:`[0, x_{max}]` and :math:`\theta` onto the simplex per state (direct
parameterisation :math:`\pi_\theta(a \mid s) = \theta_{s,a}`) or left free (softmax
:math:`\pi_\theta(a \mid s) \propto \exp(\theta_{s,a}/\tau)`).

**Gradients (exact).** With the *unnormalised* occupancy :math:`d(s, a) = \sum_k \gamma^k \Pr(s_k = s, a_k = a)`:

- :math:`\partial V_i / \partial x_i(s, a) = d_i^{\pi_{\theta_i}}(s, a)` (Lemma 1), so
  :math:`\nabla_x q = [d_i^{\pi_{\theta_i}} - d_i^{\pi^*_i(x_i)}]_i` (Eq. 12, with the optimal policy picked
  greedily, first action among ties) and :math:`\nabla_x f = -w \nabla C(x)` (Eq. 11);
- :math:`\partial V_i / \partial \pi_i(a \mid s) = d_i(s) Q_i(s, a)`, so the direct gradient is
  :math:`d_i(s) Q_i(s, a)` and the softmax one :math:`\frac1\tau d_i(s) \pi_i(a \mid s) A_i(s, a)` (Prop. 1; the
  paper's Eq. 14 carries a stray :math:`1/\tau` and Eq. 15 misses one; we use the chain rule, checked against
  finite differences in the tests);
- the leader's policy gradient (Eq. 7) on the joint chain:
  :math:`\partial V / \partial \pi_i(a \mid s) = \sum_{\mathbf s: s_i = s} d(\mathbf s)\, \bar Q_i(\mathbf s, a)`,
  where :math:`\bar Q_i(\mathbf s, a_i)` averages the joint Q-value over the other followers' actions. Only the
  joint *state* chain :math:`\bigotimes_i P_{\pi_i}` enters, and it is never formed beyond
  ``SMALL_JOINT_LIMIT`` joint states (dense solve): above, the value and occupancy equations are solved by
  fixed-point sweeps that apply the chain one follower's factor at a time (:math:`O(n S^{n+1})` per sweep), with a
  sparse LU of the Kronecker product as the fallback up to ``DENSE_JOINT_LIMIT`` joint states. The joint transition
  tensor :math:`S^n \times A^n \times S^n` is never built.

**Sampled gradients** (``gradient="sampled"``): REINFORCE (Eq. 8, with the reward-to-go form
:math:`\sum_k \nabla\log\pi(a_k \mid s_k) \sum_{t \ge k}\gamma^t r_t`, which has the same expectation and a lower
variance; score functions Eqs. 9-10) on episodes of each follower simulated independently and combined into joint
episodes for the leader; occupancies from discounted visit counts. Episodes are truncated at ``horizon`` steps.

**Leader discount 1.** ``leader_gamma=1`` (the paper's choice in Example 1 and Section 4) is allowed when the
leader's reward is zero once every follower has reached a terminal state; the joint chain is then solved on the
other joint states, and an evaluation raises ``ValueError`` if the followers' policies can stay forever outside
the terminal states (the undiscounted value or its gradient is then not finite; use ``leader_gamma < 1``).

References
----------
Incentive design for multi-agent systems: a bilevel optimization framework for coordinating independent agents
and convergence analysis (TMLR submission): Problem 1, Eqs. 4-13, Algorithm 1, Lemma 1, Prop. 1, Definition 1,
Example 1.

B. Liu, M. Ye, S. Wright, P. Stone, Q. Liu. BOME! Bilevel optimization made easy. NeurIPS 2022.

A. Agarwal, S. Kakade, J. Lee, G. Mahajan. On the theory of policy gradient methods. JMLR 22(98), 2021.
"""

from __future__ import annotations

import itertools
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._validation import as_finite_array, check_choice, check_positive_int, check_tol
from ..games.markov import MarkovGame

__all__ = [
    "IncentiveDesignProblem",
    "IncentiveEvaluation",
    "IncentiveGradients",
    "IncentiveDesignResult",
    "LeaderObjectiveGrid",
    "policy_from_parameters",
    "project_to_simplex",
    "evaluate_incentive_design",
    "incentive_gradients",
    "sampled_incentive_gradients",
    "incentive_design",
    "strong_stackelberg_objective",
    "leader_objective_brute_force",
    "DENSE_JOINT_LIMIT",
]

#: Largest number of joint states for which the joint state chain is formed as a dense matrix.
DENSE_JOINT_LIMIT = 4096
#: Joint chains up to this size are solved with dense linear algebra.
SMALL_JOINT_LIMIT = 256
#: Sweep budget of the factored fixed-point solver before falling back to a sparse LU (up to DENSE_JOINT_LIMIT).
FACTORED_SWEEPS = 20_000

_PARAMETERIZATIONS = ("direct", "softmax")


# ====================================================================== the problem
@dataclass(frozen=True, eq=False)
class IncentiveDesignProblem:
    r"""Problem 1: a leader paying side payments to n independent MDP followers.

    Parameters
    ----------
    followers : sequence of MDP
        The followers' discounted MDPs :math:`M_i`, all with the same numbers of states and actions (their own
        transitions, rewards :math:`\bar R_i`, initial distributions and discounts).
    leader_reward : array_like
        :math:`R_l` on the joint state, shape ``(S,) * n`` (follower 0's state on the first axis), or on the
        joint state and joint action, shape ``(S,) * n + (A,) * n``.
    payment_mask : array_like of bool
        Which side payments exist: shape ``(n, S, A)`` (one payment :math:`x(i, s, a)` per True entry) or
        ``(n, S)`` (a *state* payment :math:`x(i, s)` paid for every action at ``s``). The payment vector ``x``
        lists the True entries in C order. Terminal states cannot be paid.
    cost : {"l1", "squared"} or (callable, callable)
        :math:`C(x)`: ``"l1"`` is :math:`\sum_j x_j` (the paper's choice; differentiable on :math:`x \ge 0`),
        ``"squared"`` is :math:`\frac12\sum_j x_j^2`, or a pair ``(cost, gradient)`` of functions of ``x``.
    weight : float
        The cost weight :math:`w \ge 0`.
    leader_gamma : float
        The leader's discount in ``[0, 1]`` (1 needs terminal states, see the module docstring).
    max_payment : float
        Upper bound of every payment (the feasible set :math:`\mathcal X = [0, x_{max}]^k`; default unbounded).

    Raises
    ------
    TypeError
        If ``followers`` is not a sequence of one-player discounted MDPs, or ``cost`` is neither a known name
        nor a pair of callables.
    ValueError
        If the followers' sizes differ, a follower is finite-horizon, ``leader_reward`` or ``payment_mask`` has
        the wrong shape, no payment is allowed, a payment sits on a terminal state, ``weight`` is negative,
        ``leader_gamma`` is outside ``[0, 1]``, ``max_payment`` is not positive, or ``leader_gamma = 1`` while
        the leader is paid after every follower has terminated.

    Examples
    --------
    One follower, two actions that lead to two absorbing states; the leader likes state 2:

    >>> import numpy as np
    >>> from stackelberg.games.markov import MDP
    >>> P = np.zeros((3, 2, 3)); P[0, 0, 1] = P[0, 1, 2] = 1.0; P[1:, :, :] = 0.0; P[1, :, 1] = P[2, :, 2] = 1.0
    >>> follower = MDP(P, [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]], gamma=0.9)
    >>> problem = IncentiveDesignProblem([follower], [0.0, 0.0, 1.0], [[[False, True], [False, False], [False, False]]],
    ...                                  weight=0.5, leader_gamma=0.5)
    >>> problem.n_followers, problem.n_states, problem.n_actions, problem.n_payments
    (1, 3, 2, 1)
    >>> problem.side_payments([2.0])[0, 0].tolist()
    [0.0, 2.0]
    """

    followers: tuple
    leader_reward: np.ndarray
    payment_mask: np.ndarray
    cost: object = "l1"
    weight: float = 1.0
    leader_gamma: float = 0.99
    max_payment: float = float("inf")
    _arrays: dict = field(init=False, repr=False)

    def __post_init__(self):
        followers = self.followers
        if isinstance(followers, MarkovGame) or not isinstance(followers, Sequence) or len(followers) == 0:
            raise TypeError("followers must be a non-empty sequence of MDPs, one per follower")
        followers = tuple(followers)
        for i, m in enumerate(followers):
            if not isinstance(m, MarkovGame) or m.n_players != 1:
                raise TypeError(f"followers[{i}] must be an MDP (a one-player MarkovGame); got {type(m).__name__}")
            if m.is_finite_horizon:
                raise ValueError(f"followers[{i}] must be a discounted MDP (gamma < 1); it has horizon={m.horizon}")
        S, A = followers[0].n_states, followers[0].n_joint_actions
        for i, m in enumerate(followers):
            if (m.n_states, m.n_joint_actions) != (S, A):
                raise ValueError(
                    f"followers must share the state and action spaces; followers[0] has (S, A) = ({S}, {A}) and "
                    f"followers[{i}] has ({m.n_states}, {m.n_joint_actions})"
                )
        n = len(followers)
        reward = np.array(as_finite_array("leader_reward", self.leader_reward), dtype=float)
        if reward.shape not in ((S,) * n, (S,) * n + (A,) * n):
            raise ValueError(
                f"leader_reward must have shape {(S,) * n} (joint state) or {(S,) * n + (A,) * n} (joint state and "
                f"joint action) for {n} followers with {S} states and {A} actions; got {reward.shape}"
            )
        mask = np.asarray(self.payment_mask)
        if mask.dtype != bool:
            if mask.dtype.kind not in "iu" or not np.isin(mask, (0, 1)).all():
                raise TypeError("payment_mask must be an array of booleans (True where a side payment is allowed)")
            mask = mask.astype(bool)
        if mask.shape not in ((n, S, A), (n, S)):
            raise ValueError(f"payment_mask must have shape ({n}, {S}, {A}) or ({n}, {S}); got {mask.shape}")
        if not mask.any():
            raise ValueError("payment_mask must allow at least one side payment")
        terminal = np.array([m.is_terminal for m in followers])  # (n, S)
        paid_states = mask if mask.ndim == 2 else mask.any(axis=2)
        if (paid_states & terminal).any():
            i, s = (int(v) for v in np.argwhere(paid_states & terminal)[0])
            raise ValueError(f"payment_mask allows a payment at a terminal state (follower {i}, state {s}); "
                             "terminal states pay nothing")
        if isinstance(self.cost, str):
            check_choice("cost", self.cost, ("l1", "squared"))
        elif not (isinstance(self.cost, tuple) and len(self.cost) == 2 and all(callable(c) for c in self.cost)):
            raise TypeError("cost must be 'l1', 'squared' or a pair (cost, gradient) of callables of x")
        weight = _real("weight", self.weight)
        if weight < 0:
            raise ValueError(f"weight must be non-negative; got {self.weight}")
        gamma_l = _real("leader_gamma", self.leader_gamma)
        if not 0.0 <= gamma_l <= 1.0:
            raise ValueError(f"leader_gamma must lie in [0, 1]; got {self.leader_gamma}")
        max_payment = _real("max_payment", self.max_payment, allow_inf=True)
        if not max_payment > 0:
            raise ValueError(f"max_payment must be positive (or inf); got {self.max_payment}")
        undiscounted = gamma_l >= 1.0
        if undiscounted:
            if not terminal.any(axis=1).all():
                raise ValueError("leader_gamma = 1 needs every follower to have a terminal state; use leader_gamma < 1")
            ends = np.ix_(*[np.flatnonzero(t) for t in terminal])
            if np.abs(reward[ends]).max() > 0:
                raise ValueError("leader_gamma = 1 needs leader_reward = 0 once every follower is in a terminal state")
        # payment map: (k, n, S, A) 0/1
        index = np.argwhere(mask)
        pay_map = np.zeros((len(index), n, S, A))
        for j, entry in enumerate(index):
            if mask.ndim == 3:
                pay_map[j, entry[0], entry[1], entry[2]] = 1.0
            else:
                pay_map[j, entry[0], entry[1], :] = 1.0
        P = np.stack([_dense_transitions(m) for m in followers])  # (n, S, A, S)
        arrays = dict(
            P=P,
            R=np.stack([np.asarray(m.rewards, dtype=float).reshape(S, A) for m in followers]),
            mu=np.stack([np.asarray(m.initial_distribution, dtype=float) for m in followers]),
            gammas=np.array([m.gamma for m in followers], dtype=float),
            terminal=terminal,
            pay_map=pay_map,
            pay_index=tuple(tuple(int(v) for v in e) for e in index),
            state_reward=reward.ndim == n,
            undiscounted=undiscounted,
        )
        for value in (reward, mask, pay_map, P):
            value.setflags(write=False)
        object.__setattr__(self, "followers", followers)
        object.__setattr__(self, "leader_reward", reward)
        object.__setattr__(self, "payment_mask", mask)
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "leader_gamma", gamma_l)
        object.__setattr__(self, "max_payment", max_payment)
        object.__setattr__(self, "_arrays", arrays)

    # ------------------------------------------------------------------ sizes
    @property
    def n_followers(self) -> int:
        """Number of followers n."""
        return len(self.followers)

    @property
    def n_states(self) -> int:
        """Number of (per-follower) states S."""
        return self.followers[0].n_states

    @property
    def n_actions(self) -> int:
        """Number of (per-follower) actions A."""
        return self.followers[0].n_joint_actions

    @property
    def n_payments(self) -> int:
        """Length k of the payment vector x."""
        return self._arrays["pay_map"].shape[0]

    @property
    def payment_index(self) -> tuple:
        """``(i, s, a)`` (or ``(i, s)`` for state payments) of every entry of x, in order."""
        return self._arrays["pay_index"]

    # ------------------------------------------------------------------ payments and cost
    def side_payments(self, x) -> np.ndarray:
        """The payments ``x(i, s, a)`` as an ``(n, S, A)`` array.

        Examples
        --------
        >>> import numpy as np
        >>> from stackelberg.games.markov import MDP
        >>> f = MDP(np.ones((1, 2, 1)), [[0.0, 0.0]], gamma=0.5)
        >>> IncentiveDesignProblem([f], [0.0], [[True]]).side_payments([3.0]).tolist()
        [[[3.0, 3.0]]]
        """
        x = self.check_payments(x)
        return np.tensordot(x, self._arrays["pay_map"], axes=(0, 0))

    def check_payments(self, x, name: str = "x") -> np.ndarray:
        """Validate a payment vector: ``k`` finite entries in ``[0, max_payment]``; return it as floats.

        Examples
        --------
        >>> import numpy as np
        >>> from stackelberg.games.markov import MDP
        >>> f = MDP(np.ones((1, 2, 1)), [[0.0, 0.0]], gamma=0.5)
        >>> IncentiveDesignProblem([f], [0.0], [[True]]).check_payments([-1.0])
        Traceback (most recent call last):
        ...
        ValueError: x must lie in [0, inf]; got entries in [-1, -1]
        """
        x = np.array(as_finite_array(name, x), dtype=float).reshape(-1) if np.ndim(x) else None
        if x is None or x.shape != (self.n_payments,):
            raise ValueError(f"{name} must be a vector of {self.n_payments} side payments; got shape {np.shape(x)}")
        if (x < 0).any() or (x > self.max_payment).any():
            raise ValueError(f"{name} must lie in [0, {self.max_payment:g}]; got entries in [{x.min():g}, {x.max():g}]")
        return x

    def cost_value(self, x) -> float:
        """:math:`C(x)` (without the weight).

        Examples
        --------
        >>> import numpy as np
        >>> from stackelberg.games.markov import MDP
        >>> f = MDP(np.ones((1, 2, 1)), [[0.0, 0.0]], gamma=0.5)
        >>> IncentiveDesignProblem([f], [0.0], [[[True, True]]], cost="squared").cost_value([1.0, 2.0])
        2.5
        """
        x = np.asarray(x, dtype=float)
        if self.cost == "l1":
            return float(x.sum())
        if self.cost == "squared":
            return float(0.5 * (x @ x))
        return float(self.cost[0](x))

    def cost_gradient(self, x) -> np.ndarray:
        r""":math:`\nabla C(x)`.

        Examples
        --------
        >>> import numpy as np
        >>> from stackelberg.games.markov import MDP
        >>> f = MDP(np.ones((1, 2, 1)), [[0.0, 0.0]], gamma=0.5)
        >>> IncentiveDesignProblem([f], [0.0], [[[True, True]]]).cost_gradient([1.0, 2.0]).tolist()
        [1.0, 1.0]
        """
        x = np.asarray(x, dtype=float)
        if self.cost == "l1":
            return np.ones_like(x)
        if self.cost == "squared":
            return x.copy()
        grad = np.asarray(self.cost[1](x), dtype=float).reshape(-1)
        if grad.shape != x.shape or not np.isfinite(grad).all():
            raise ValueError(f"cost gradient must return {x.size} finite numbers; got shape {grad.shape}")
        return grad

    def __repr__(self) -> str:
        return (f"IncentiveDesignProblem(n_followers={self.n_followers}, n_states={self.n_states}, "
                f"n_actions={self.n_actions}, n_payments={self.n_payments}, cost={self.cost!r}, "
                f"weight={self.weight:g}, leader_gamma={self.leader_gamma:g})")


# ====================================================================== results
@dataclass(frozen=True)
class IncentiveEvaluation:
    r"""Exact values at ``(x, theta)``.

    Attributes
    ----------
    policies : numpy.ndarray
        ``(n, S, A)`` follower policies :math:`\pi_{\theta_i}`.
    follower_values, follower_q : numpy.ndarray
        ``(n, S)`` values :math:`V_i` and ``(n, S, A)`` Q-values of the policies with the side payments.
    follower_occupancy : numpy.ndarray
        ``(n, S, A)`` unnormalised occupancies :math:`d_i` from :math:`\mu_i`.
    optimal_values, optimal_q, optimal_policies, optimal_occupancy : numpy.ndarray
        :math:`V_i^*(x_i)` per state ``(n, S)``, :math:`Q_i^*` ``(n, S, A)``, a greedy optimal policy (first action
        among ties, ``(n, S, A)`` one-hot) and its occupancy.
    follower_value, follower_optimal_value : numpy.ndarray
        ``(n,)`` :math:`V_i(\mu_i, \pi_{\theta_i}; x_i)` and :math:`V_i^*(x_i)`.
    leader_value : float
        :math:`V(\boldsymbol\mu, \boldsymbol\pi_\theta)`.
    cost : float
        :math:`C(x)`.
    objective : float
        :math:`f(x, \theta) = V - w C(x)`.
    feasibility : float
        :math:`q(x, \theta) = \sum_i V_i - V_i^* \le 0` (0 exactly at best responses).
    """

    policies: np.ndarray
    follower_values: np.ndarray
    follower_q: np.ndarray
    follower_occupancy: np.ndarray
    optimal_values: np.ndarray
    optimal_q: np.ndarray
    optimal_policies: np.ndarray
    optimal_occupancy: np.ndarray
    follower_value: np.ndarray
    follower_optimal_value: np.ndarray
    leader_value: float
    cost: float
    objective: float
    feasibility: float


@dataclass(frozen=True)
class IncentiveGradients:
    r"""Gradients of the objective f and the constraint q at ``(x, theta)``.

    Attributes
    ----------
    f_x, q_x : numpy.ndarray
        ``(k,)``: :math:`\nabla_x f = -w\nabla C` (Eq. 11) and :math:`\nabla_x q` (Eq. 12).
    f_theta, q_theta : numpy.ndarray
        ``(n, S, A)``: the leader's policy gradient (Eq. 7) and :math:`\nabla_\theta q` (Eq. 13, Prop. 1).
    leader_policy_gradient : numpy.ndarray
        ``(n, S, A)``: :math:`\partial V / \partial \pi_i(a \mid s)` (before the parameterisation's chain rule;
        NaN for sampled softmax gradients, whose scores do not identify it).
    method : str
        ``"exact"`` or ``"sampled"``.
    """

    f_x: np.ndarray
    q_x: np.ndarray
    f_theta: np.ndarray
    q_theta: np.ndarray
    leader_policy_gradient: np.ndarray
    method: str

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """``(grad f, grad q)`` as flat vectors over ``(x, theta)``.

        Examples
        --------
        >>> import numpy as np
        >>> g = IncentiveGradients(np.ones(1), np.zeros(1), np.ones((1, 1, 2)), np.zeros((1, 1, 2)),
        ...                        np.ones((1, 1, 2)), "exact")
        >>> [v.tolist() for v in g.flat()]
        [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
        """
        return np.concatenate([self.f_x, self.f_theta.ravel()]), np.concatenate([self.q_x, self.q_theta.ravel()])


@dataclass(frozen=True)
class IncentiveDesignResult:
    r"""The trajectory of Algorithm 1.

    Attributes
    ----------
    x : numpy.ndarray
        ``(T+1, k)`` side payments, ``x[0]`` the initial point and ``x[-1]`` the returned one.
    theta : numpy.ndarray
        ``(T+1, n, S, A)`` policy parameters.
    multipliers : numpy.ndarray
        ``(T,)`` :math:`\lambda^{(k)}` of each step.
    stationarity : numpy.ndarray
        ``(T+1,)`` the measure :math:`\mathcal K` of Definition 1 with the feasible sets taken into account: the
        norm of the projected step :math:`\|\mathrm{Proj}[z + \xi(\nabla f + \lambda\nabla q)] - z\| / \xi` at the
        minimising :math:`\lambda \ge 0` of the unconstrained Definition, minus :math:`q`.
    stationarity_unprojected : numpy.ndarray
        ``(T+1,)`` Definition 1 literally: :math:`\min_{\lambda\ge0}\|\nabla f + \lambda\nabla q\| - q` (never 0 on
        the simplex boundary, where the raw direct-parameterisation gradient has a normal component).
    feasibility : numpy.ndarray
        ``(T+1,)`` :math:`q(x, \theta)`.
    leader_value, objective, cost : numpy.ndarray
        ``(T+1,)`` :math:`V(\boldsymbol\pi_\theta)`, :math:`f(x, \theta)` and :math:`C(x)`.
    follower_occupancy : numpy.ndarray
        ``(2, n, S, A)`` the followers' occupancies at the first and the last iterate.
    parameterization : str
    parameters : dict
        Step size ``xi``, ``eta``, ``tau``, iterations, gradient method, samples, horizon, seed.
    """

    x: np.ndarray
    theta: np.ndarray
    multipliers: np.ndarray
    stationarity: np.ndarray
    stationarity_unprojected: np.ndarray
    feasibility: np.ndarray
    leader_value: np.ndarray
    objective: np.ndarray
    cost: np.ndarray
    follower_occupancy: np.ndarray
    parameterization: str
    parameters: dict

    @property
    def final_x(self) -> np.ndarray:
        """The returned side payments ``x_T``."""
        return self.x[-1]

    @property
    def final_theta(self) -> np.ndarray:
        """The returned policy parameters ``theta_T``."""
        return self.theta[-1]


@dataclass(frozen=True)
class LeaderObjectiveGrid:
    r""":math:`f_m(x) = \max_{\theta \in \text{best responses}} f(x, \theta)` on a grid of payments.

    Attributes
    ----------
    points : numpy.ndarray
        ``(m, k)`` payment vectors.
    objective : numpy.ndarray
        ``(m,)`` :math:`f_m(x)`.
    leader_value : numpy.ndarray
        ``(m,)`` the leader's value at the maximising best responses.
    policies : numpy.ndarray
        ``(m, n, S, A)`` the maximising best responses.
    parameterization : str
        ``"direct"`` (strong Stackelberg: the best deterministic best responses) or ``"softmax"``
        (:math:`\theta = Q^*`, the paper's choice in Example 1).
    """

    points: np.ndarray
    objective: np.ndarray
    leader_value: np.ndarray
    policies: np.ndarray
    parameterization: str


# ====================================================================== policies
def policy_from_parameters(theta, parameterization: str = "direct", tau: float = 1.0) -> np.ndarray:
    r"""The policies :math:`\pi_\theta` of parameters ``theta`` (``(..., A)``; last axis = actions).

    Parameters
    ----------
    theta : array_like
        Direct: probabilities (returned as floats, rows must be on the simplex); softmax: real logits.
    parameterization : {"direct", "softmax"}
    tau : float
        Softmax temperature :math:`\tau > 0`.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If a direct row is off the simplex, or ``tau`` is not positive.

    Examples
    --------
    >>> policy_from_parameters([[0.0, 0.0]], "softmax").tolist()
    [[0.5, 0.5]]
    >>> policy_from_parameters([[0.25, 0.75]]).tolist()
    [[0.25, 0.75]]
    """
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    theta = as_finite_array("theta", theta)
    if parameterization == "direct":
        if (theta < -1e-9).any() or (np.abs(theta.sum(axis=-1) - 1.0) > 1e-8).any():
            raise ValueError("theta must hold probability rows (direct parameterisation): non-negative, summing to 1")
        return np.clip(theta, 0.0, None)
    tau = _positive("tau", tau)
    return _softmax(theta, tau)


def project_to_simplex(v) -> np.ndarray:
    """Euclidean projection of each row (last axis) of ``v`` onto the probability simplex.

    Sort-based algorithm (Held, Wolfe and Crowder 1974; Duchi et al. 2008).

    Examples
    --------
    >>> project_to_simplex([[0.6, 0.6], [2.0, 0.0], [0.2, 0.3]]).tolist()
    [[0.5, 0.5], [1.0, 0.0], [0.45, 0.55]]
    """
    v = as_finite_array("v", v)
    shape = v.shape
    flat = v.reshape(-1, shape[-1])
    u = -np.sort(-flat, axis=1)
    cumulative = np.cumsum(u, axis=1) - 1.0
    k = np.arange(1, shape[-1] + 1)
    positive = u - cumulative / k > 0
    rho = shape[-1] - 1 - np.argmax(positive[:, ::-1], axis=1)
    threshold = cumulative[np.arange(flat.shape[0]), rho] / (rho + 1)
    return np.maximum(flat - threshold[:, None], 0.0).reshape(shape)


# ====================================================================== exact evaluation
def evaluate_incentive_design(problem: IncentiveDesignProblem, x, theta, *, parameterization: str = "direct",
                              tau: float = 1.0) -> IncentiveEvaluation:
    r"""Exact values at ``(x, theta)``: followers' :math:`V_i, Q_i, V_i^*, d_i`, the leader's value, f and q.

    Parameters
    ----------
    problem : IncentiveDesignProblem
    x : array_like
        ``(k,)`` side payments.
    theta : array_like
        ``(n, S, A)`` policy parameters.
    parameterization : {"direct", "softmax"}
    tau : float
        Softmax temperature.

    Returns
    -------
    IncentiveEvaluation

    Raises
    ------
    ValueError
        On a bad ``x`` or ``theta``, or (``leader_gamma = 1``) followers that may never terminate.

    Examples
    --------
    >>> from stackelberg.analysis.incentive_study import example1_problem
    >>> problem = example1_problem()
    >>> import numpy as np
    >>> theta = np.full((2, 4, 2), 0.5)
    >>> ev = evaluate_incentive_design(problem, [0.0, 0.0], theta)
    >>> round(ev.leader_value, 6), round(ev.feasibility, 6)   # 5 - 2.5 + 0.5 + 1 = 4; (0.5-1) + (1-2)
    (4.0, -1.5)
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = _positive("tau", tau)
    theta = _check_theta(problem, theta, parameterization)
    return _evaluate(problem, x, _policies(theta, parameterization, tau))[0]


def _evaluate(problem, x, pi, *, with_leader_gradient: bool = False):
    """Evaluation (and, optionally, the leader's gradient w.r.t. the policy probabilities)."""
    arr = problem._arrays
    P, gammas, mu = arr["P"], arr["gammas"], arr["mu"]
    R = arr["R"] + np.tensordot(x, arr["pay_map"], axes=(0, 0))
    R[arr["terminal"]] = 0.0
    n, S, A = R.shape
    values, q, occ = np.empty((n, S)), np.empty((n, S, A)), np.empty((n, S, A))
    opt_v, opt_q, opt_pi, opt_occ = np.empty((n, S)), np.empty((n, S, A)), np.zeros((n, S, A)), np.empty((n, S, A))
    for i in range(n):
        values[i], q[i], occ[i] = _policy_values(P[i], R[i], gammas[i], mu[i], pi[i])
        opt_v[i], opt_q[i], greedy = _optimal_values(P[i], R[i], gammas[i])
        opt_pi[i, np.arange(S), greedy] = 1.0
        opt_occ[i] = _policy_values(P[i], R[i], gammas[i], mu[i], opt_pi[i])[2]
    follower_value = np.einsum("is,is->i", mu, values)
    optimal_value = np.einsum("is,is->i", mu, opt_v)
    leader_value, leader_grad = _leader(problem, pi, with_leader_gradient)
    cost = problem.cost_value(x)
    evaluation = IncentiveEvaluation(
        pi, values, q, occ, opt_v, opt_q, opt_pi, opt_occ, follower_value, optimal_value,
        float(leader_value), cost, float(leader_value - problem.weight * cost),
        float(follower_value.sum() - optimal_value.sum()),
    )
    return evaluation, leader_grad


def _policy_values(P, R, gamma, mu, pi):
    """V, Q and the unnormalised occupancy of one follower's policy (dense linear solves)."""
    S = P.shape[0]
    P_pi = np.einsum("sa,sat->st", pi, P)
    system = np.eye(S) - gamma * P_pi
    V = np.linalg.solve(system, (pi * R).sum(axis=1))
    rho = np.linalg.solve(system.T, mu)
    return V, R + gamma * P @ V, rho[:, None] * pi


def _optimal_values(P, R, gamma):
    """Exact V*, Q* (policy iteration) and the greedy optimal policy (first action among ties)."""
    from .dynamic_programming import greedy_policy, policy_iteration

    V, Q, _ = policy_iteration(P, R, gamma)
    return V, Q, greedy_policy(Q, tol=1e-9 * (1.0 + float(np.abs(Q).max())))


# ---------------------------------------------------------------------- the joint chain
def _leader(problem, pi, with_gradient):
    """The leader's value on the product chain of the followers, and dV / d pi_i(a|s) if asked."""
    arr = problem._arrays
    P, mu, n = arr["P"], arr["mu"], problem.n_followers
    S = problem.n_states
    gamma = problem.leader_gamma
    P_pi = np.einsum("isa,isat->ist", pi, P)  # (n, S, S)
    reward = problem.leader_reward
    r = reward if arr["state_reward"] else _partial_reward(reward, pi, None, n)
    mu_joint = _outer(mu)
    keep = None
    if arr["undiscounted"]:
        keep = ~_outer(arr["terminal"].astype(float)).astype(bool)
    if S**n <= SMALL_JOINT_LIMIT:
        v, rho = _leader_small(P_pi, r, mu_joint, gamma, keep)
    else:
        try:  # factor-by-factor sweeps: cheap per sweep, no fill-in; fall back to a sparse LU when slow
            v, rho = _leader_factored(P_pi, r, mu_joint, gamma, keep,
                                      max_sweeps=FACTORED_SWEEPS if S**n <= DENSE_JOINT_LIMIT else 1_000_000)
        except _SlowConvergence:
            if S**n > DENSE_JOINT_LIMIT:
                raise _diverges() from None
            v, rho = _leader_dense(P_pi, r, mu_joint, gamma, keep)
    value = float((mu_joint * v).sum())
    if not with_gradient:
        return value, None
    grad = np.empty(pi.shape)
    axes = list(range(n))
    for i in range(n):
        # continuation: gamma * sum_{s'} prod_{j != i} P_pi_j(s'_j | s_j) P_i(s'_i | s_i, a) v(s')
        w = v
        for j in range(n):
            if j != i:
                w = _apply_axis(P_pi[j], w, j)
        cont = np.moveaxis(np.tensordot(P[i], w, axes=([2], [i])), (0, 1), (i, n))  # (S..., A) with s_i at axis i
        if arr["state_reward"]:
            q_i = r[..., None] + gamma * cont
        else:
            q_i = _partial_reward(reward, pi, i, n) + gamma * cont
        weighted = rho[..., None] * q_i
        other = tuple(a for a in axes if a != i)
        grad[i] = weighted.sum(axis=other) if other else weighted
    return value, grad


def _partial_reward(reward, pi, i, n):
    """E over the other followers' actions of R_l(s, a): shape (S,)*n + (A,) with follower i's action last
    (``i=None``: over every follower's action, shape (S,)*n)."""
    letters = "abcdefghij"
    states = letters[:n]
    actions = "klmnopqrst"[:n]
    operands, terms = [reward], [states + actions]
    for j in range(n):
        if j != i:
            operands.append(pi[j])
            terms.append(states[j] + actions[j])
    spec = ",".join(terms) + "->" + states + ("" if i is None else actions[i])
    return np.einsum(spec, *operands, optimize=True)


def _apply_axis(M, w, axis):
    """``sum_t M[s, t] w[..., t, ...]`` along ``axis``."""
    return np.moveaxis(np.tensordot(M, w, axes=([1], [axis])), 0, axis)


def _outer(vectors):
    out = vectors[0]
    for v in vectors[1:]:
        out = np.multiply.outer(out, v)
    return out


def _leader_dense(P_pi, r, mu_joint, gamma, keep):
    """Direct solve on the joint state chain, the Kronecker product of the followers' chains (sparse LU)."""
    shape = r.shape
    K = sp.csr_array(P_pi[0])
    for M in P_pi[1:]:
        K = sp.kron(K, sp.csr_array(M), format="csr")
    r, mu = r.ravel(), mu_joint.ravel()
    N = r.size
    idx = np.arange(N) if keep is None else np.flatnonzero(keep.ravel())
    v, rho = np.zeros(N), np.zeros(N)
    if idx.size == 0:
        return v.reshape(shape), rho.reshape(shape)
    block = K[idx][:, idx] if keep is not None else K
    system = (sp.eye_array(idx.size, format="csc") - gamma * block).tocsc()
    singular = False
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            lu = spla.splu(system)
            v[idx], rho[idx] = lu.solve(r[idx]), lu.solve(mu[idx], trans="T")
        except RuntimeError:
            singular = True
    if keep is not None and not singular:
        finite = np.isfinite(v).all() and np.isfinite(rho).all()
        singular = not finite or rho.min() < -1e-8 or rho.sum() > 1e9
    if singular:
        raise _diverges()
    return v.reshape(shape), rho.reshape(shape)


def _leader_small(P_pi, r, mu_joint, gamma, keep):
    """Dense solve for small joint chains."""
    shape = r.shape
    K = P_pi[0]
    for M in P_pi[1:]:
        K = np.kron(K, M)
    r, mu = r.ravel(), mu_joint.ravel()
    N = r.size
    idx = np.arange(N) if keep is None else np.flatnonzero(keep.ravel())
    v, rho = np.zeros(N), np.zeros(N)
    system = np.eye(idx.size) - gamma * K[np.ix_(idx, idx)]
    with np.errstate(all="ignore"):
        try:
            v[idx], rho[idx] = np.linalg.solve(system, r[idx]), np.linalg.solve(system.T, mu[idx])
            singular = False
        except np.linalg.LinAlgError:
            singular = True
    if keep is not None:
        singular = singular or np.linalg.cond(system) > 1e12 or not np.isfinite(rho).all() or rho.min() < -1e-8
    if singular:
        raise _diverges()
    return v.reshape(shape), rho.reshape(shape)


def _leader_factored(P_pi, r, mu_joint, gamma, keep, tol=1e-12, max_sweeps=1_000_000):
    """Fixed-point sweeps with the product chain applied one factor at a time (never formed)."""
    n = P_pi.shape[0]
    mask = np.ones(r.shape) if keep is None else keep.astype(float)

    def forward(v):  # (K v)(s) = sum_{s'} prod_i P_i(s'_i|s_i) v(s')
        for i in range(n):
            v = _apply_axis(P_pi[i], v, i)
        return v

    def backward(rho):
        for i in range(n):
            rho = _apply_axis(P_pi[i].T, rho, i)
        return rho

    out = []
    for source, step in ((r * mask, forward), (mu_joint * mask, backward)):
        z = source.copy()
        scale = max(1.0, float(np.abs(source).max()))
        for _ in range(max_sweeps):
            new = source + gamma * mask * step(z)
            change = float(np.abs(new - z).max())
            z = new
            if change <= tol * scale:
                break
            if not np.isfinite(change) or change > 1e12 * scale:
                raise _SlowConvergence()
        else:
            raise _SlowConvergence()
        out.append(z)
    return out[0], out[1]


class _SlowConvergence(Exception):
    """The factored sweeps did not converge within their budget."""


def _diverges():
    return ValueError(
        "the leader's undiscounted value (leader_gamma = 1) is not finite: the followers' policies can stay forever "
        "outside their terminal states; use leader_gamma < 1 or policies that terminate"
    )


# ====================================================================== exact gradients
def incentive_gradients(problem: IncentiveDesignProblem, x, theta, *, parameterization: str = "direct",
                        tau: float = 1.0) -> IncentiveGradients:
    r"""Exact gradients of f and q at ``(x, theta)`` (Eqs. 7, 11-13, Lemma 1, Prop. 1).

    Parameters
    ----------
    problem, x, theta, parameterization, tau
        As for :func:`evaluate_incentive_design`.

    Returns
    -------
    IncentiveGradients

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.analysis.incentive_study import example1_problem
    >>> g = incentive_gradients(example1_problem(), [0.0, 0.0], np.full((2, 4, 2), 0.5))
    >>> g.q_x.round(6).tolist()        # d_1(0, a2) - 0 and d_2(0, a1) - 0 under the uniform policies
    [0.5, 0.5]
    >>> g.f_x.tolist()
    [-1.0, -1.0]
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = _positive("tau", tau)
    theta = _check_theta(problem, theta, parameterization)
    return _exact_gradients(problem, x, theta, parameterization, tau)[1]


def _exact_gradients(problem, x, theta, parameterization, tau):
    pi = _policies(theta, parameterization, tau)
    ev, g_pi = _evaluate(problem, x, pi, with_leader_gradient=True)
    pay_map = problem._arrays["pay_map"]
    q_x = np.tensordot(pay_map, ev.follower_occupancy - ev.optimal_occupancy, axes=([1, 2, 3], [0, 1, 2]))
    f_x = -problem.weight * problem.cost_gradient(x)
    rho_state = ev.follower_occupancy.sum(axis=2)  # d_i(s), unnormalised
    follower_pi_grad = rho_state[..., None] * ev.follower_q
    f_theta = _chain(g_pi, pi, parameterization, tau)
    q_theta = _chain(follower_pi_grad, pi, parameterization, tau)
    return ev, IncentiveGradients(f_x, q_x, f_theta, q_theta, g_pi, "exact")


def _chain(grad_pi, pi, parameterization, tau):
    """d/d theta from d/d pi: identity (direct) or the softmax Jacobian (1/tau) pi (g - <pi, g>)."""
    if parameterization == "direct":
        return grad_pi
    return pi * (grad_pi - (pi * grad_pi).sum(axis=-1, keepdims=True)) / tau


# ====================================================================== sampled gradients
def sampled_incentive_gradients(problem: IncentiveDesignProblem, x, theta, *, parameterization: str = "direct",
                                tau: float = 1.0, samples: int = 1000, horizon: int | None = None,
                                seed=None) -> IncentiveGradients:
    r"""REINFORCE estimates of the gradients of f and q (Eqs. 8-10; occupancies from visit counts).

    Each follower's ``samples`` episodes under :math:`\pi_{\theta_i}` (and under its greedy optimal policy, for
    :math:`d_i^{\pi^*}`) are simulated independently; the leader's episodes are their combination. The optimal
    policies come from the followers' known models (Algorithm 1's "known variables in followers' MDPs").
    Under the direct parameterisation the score :math:`1/\theta_{s,a}` (Eq. 9) exists only where
    :math:`\theta_{s,a} > 0`: the estimates are 0 for actions of probability 0 (the exact gradient is not), so
    sampled runs should start from policies with full support.

    Parameters
    ----------
    problem, x, theta, parameterization, tau
        As for :func:`evaluate_incentive_design`.
    samples : int
        Episodes m per estimate.
    horizon : int, optional
        Episode length; default: enough steps for the largest discount to fall below 1e-4 (500 when
        ``leader_gamma = 1``). Simulation stops early once every episode has reached a terminal state.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    IncentiveGradients
        ``method="sampled"``.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.analysis.incentive_study import example1_problem
    >>> g = sampled_incentive_gradients(example1_problem(), [0.0, 0.0], np.full((2, 4, 2), 0.5),
    ...                                 samples=4000, seed=0)
    >>> bool(np.allclose(g.q_x, [0.5, 0.5], atol=0.05))
    True
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = _positive("tau", tau)
    theta = _check_theta(problem, theta, parameterization)
    samples = check_positive_int("samples", samples)
    horizon = _default_horizon(problem) if horizon is None else check_positive_int("horizon", horizon)
    rng = np.random.default_rng(seed)
    return _sampled_gradients(problem, x, theta, parameterization, tau, samples, horizon, rng)


def _default_horizon(problem):
    g = max(float(problem._arrays["gammas"].max()), problem.leader_gamma)
    if g >= 1.0:
        return 500
    return int(min(500, max(10, np.ceil(np.log(1e-4) / np.log(max(g, 1e-3))))))


def _simulate(P_cum, pi_cum, mu_cum, terminal, m, H, rng):
    """States (m, h) and actions (m, h) of m episodes of one follower; h < H once every episode has reached a
    terminal state (later steps carry no reward and no payment)."""
    S = mu_cum.size
    A = pi_cum.shape[1]
    states = np.empty((m, H), dtype=np.int64)
    actions = np.empty((m, H), dtype=np.int64)
    s = np.minimum(np.searchsorted(mu_cum, rng.random(m), side="right"), S - 1)
    for t in range(H):
        if terminal[s].all():
            return states[:, :t], actions[:, :t]
        u = rng.random((m, 2))
        a = np.minimum((u[:, :1] >= pi_cum[s]).sum(axis=1), A - 1)
        states[:, t], actions[:, t] = s, a
        s = np.minimum((u[:, 1:] >= P_cum[s, a]).sum(axis=1), S - 1)
    return states, actions


def _pad(states, actions, length, terminal):
    """Extend ended episodes (all terminal) to ``length`` steps: stay in place, action 0."""
    h = states.shape[1]
    if h == length:
        return states, actions
    last = states[:, -1:] if h else np.full((states.shape[0], 1), np.flatnonzero(terminal)[0])
    return (np.concatenate([states, np.repeat(last, length - h, axis=1)], axis=1),
            np.concatenate([actions, np.zeros((states.shape[0], length - h), dtype=np.int64)], axis=1))


def _reward_to_go(rewards, gamma):
    """sum_{u >= t} gamma^u r_u for each t (rows are episodes)."""
    H = rewards.shape[1]
    discounted = rewards * gamma ** np.arange(H)
    return np.cumsum(discounted[:, ::-1], axis=1)[:, ::-1]


def _score_weighted(states, actions, weights, pi, parameterization, tau, S, A):
    """sum over samples of weight * grad_theta log pi(a|s) (Eq. 9 or 10), shape (S, A)."""
    out = np.zeros((S, A))
    np.add.at(out, (states.ravel(), actions.ravel()), weights.ravel())
    if parameterization == "direct":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(pi > 0, out / np.where(pi > 0, pi, 1.0), 0.0)
    per_state = np.zeros(S)
    np.add.at(per_state, states.ravel(), weights.ravel())
    return (out - per_state[:, None] * pi) / tau


def _sampled_gradients(problem, x, theta, parameterization, tau, m, H, rng):
    arr = problem._arrays
    P, mu, gammas = arr["P"], arr["mu"], arr["gammas"]
    n, S, A = problem.n_followers, problem.n_states, problem.n_actions
    pi = _policies(theta, parameterization, tau)
    R = arr["R"] + np.tensordot(x, arr["pay_map"], axes=(0, 0))
    R[arr["terminal"]] = 0.0
    P_cum = np.cumsum(P, axis=3)
    mu_cum = np.cumsum(mu, axis=1)
    trajectories, q_theta, occupancy_gap = [], np.empty((n, S, A)), np.empty((n, S, A))
    terminal = arr["terminal"]
    for i in range(n):
        states, actions = _simulate(P_cum[i], np.cumsum(pi[i], axis=1), mu_cum[i], terminal[i], m, H, rng)
        trajectories.append((states, actions))
        H_i = states.shape[1]
        to_go = _reward_to_go(R[i][states, actions], gammas[i])
        q_theta[i] = _score_weighted(states, actions, to_go, pi[i], parameterization, tau, S, A) / m
        visits = np.zeros((S, A))
        weights = np.broadcast_to(gammas[i] ** np.arange(H_i), states.shape)
        np.add.at(visits, (states.ravel(), actions.ravel()), weights.ravel())
        greedy = _optimal_values(P[i], R[i], gammas[i])[2]
        opt_pi = np.zeros((S, A))
        opt_pi[np.arange(S), greedy] = 1.0
        o_states, o_actions = _simulate(P_cum[i], np.cumsum(opt_pi, axis=1), mu_cum[i], terminal[i], m, H, rng)
        opt_visits = np.zeros((S, A))
        discount = np.broadcast_to(gammas[i] ** np.arange(o_states.shape[1]), o_states.shape)
        np.add.at(opt_visits, (o_states.ravel(), o_actions.ravel()), discount.ravel())
        occupancy_gap[i] = (visits - opt_visits) / m
    length = max(t[0].shape[1] for t in trajectories)
    trajectories = [_pad(st_, ac_, length, terminal[i]) for i, (st_, ac_) in enumerate(trajectories)]
    joint_states = tuple(t[0] for t in trajectories)
    if arr["state_reward"]:
        leader_rewards = problem.leader_reward[joint_states]
    else:
        leader_rewards = problem.leader_reward[joint_states + tuple(t[1] for t in trajectories)]
    to_go = _reward_to_go(leader_rewards, problem.leader_gamma)
    f_theta = np.stack([
        _score_weighted(states, actions, to_go, pi[i], parameterization, tau, S, A) / m
        for i, (states, actions) in enumerate(trajectories)
    ])
    if parameterization == "direct":
        leader_pi_grad = f_theta
    else:
        leader_pi_grad = np.full((n, S, A), np.nan)  # not identifiable from softmax scores
    q_x = np.tensordot(arr["pay_map"], occupancy_gap, axes=([1, 2, 3], [0, 1, 2]))
    f_x = -problem.weight * problem.cost_gradient(x)
    return IncentiveGradients(f_x, q_x, f_theta, q_theta, leader_pi_grad, "sampled")


# ====================================================================== Algorithm 1
def incentive_design(problem: IncentiveDesignProblem, parameterization: str = "direct", *, x0=None, theta0=None,
                     iterations: int = 1000, xi: float = 0.01, eta: float = 0.1, tau: float = 1.0,
                     gradient: str = "exact", samples: int = 1000, horizon: int | None = None, seed=None,
                     progress: bool = False, callback: Callable | None = None) -> IncentiveDesignResult:
    r"""Algorithm 1: projected first-order steps on the constrained reformulation (Eq. 6).

    Parameters
    ----------
    problem : IncentiveDesignProblem
    parameterization : {"direct", "softmax"}
        Policy class of the followers.
    x0 : array_like, optional
        ``(k,)`` initial payments (default zeros).
    theta0 : array_like, optional
        ``(n, S, A)`` initial parameters (default: uniform policies, i.e. ``1/A`` or zero logits).
    iterations : int
        Number of steps T.
    xi : float
        Step size :math:`\xi > 0`.
    eta : float
        The constant :math:`\eta > 0` of the multiplier rule.
    tau : float
        Softmax temperature.
    gradient : {"exact", "sampled"}
        Exact gradients, or REINFORCE estimates (:func:`sampled_incentive_gradients`) with ``samples`` episodes
        of ``horizon`` steps drawn from ``seed``. The recorded values (q, V, f, K) are always exact.
    samples, horizon, seed
        For ``gradient="sampled"``.
    progress : bool
        Show a tqdm progress bar.
    callback : callable, optional
        ``callback(iteration, x, theta, multiplier)`` after every step (copies); its return value is ignored.

    Returns
    -------
    IncentiveDesignResult

    Raises
    ------
    ValueError
        On a bad argument (named in the message).
    TypeError
        If ``problem`` is not an :class:`IncentiveDesignProblem` or ``callback`` is not callable.

    Examples
    --------
    Example 1 of the paper, direct parameterisation, from x = (0.5, 2.5): the run ends near the stationary
    point (1, 2) (f_m = 3), with the followers (almost) at their best responses:

    >>> import numpy as np
    >>> from stackelberg.analysis.incentive_study import example1_problem
    >>> result = incentive_design(example1_problem(), x0=[0.5, 2.5], iterations=300, xi=0.05, eta=0.5)
    >>> result.final_x.round(1).tolist(), round(float(result.objective[-1]), 1), bool(result.feasibility[-1] > -0.05)
    ([1.0, 2.0], 3.0, True)
    """
    _check_problem(problem)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    iterations = check_positive_int("iterations", iterations)
    xi, eta, tau = _positive("xi", xi), _positive("eta", eta), _positive("tau", tau)
    gradient = check_choice("gradient", gradient, ("exact", "sampled"))
    samples = check_positive_int("samples", samples)
    horizon = _default_horizon(problem) if horizon is None else check_positive_int("horizon", horizon)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")
    n, S, A, k = problem.n_followers, problem.n_states, problem.n_actions, problem.n_payments
    x = np.zeros(k) if x0 is None else problem.check_payments(x0, "x0")
    if theta0 is None:
        theta = np.full((n, S, A), 1.0 / A) if parameterization == "direct" else np.zeros((n, S, A))
    else:
        theta = _check_theta(problem, theta0, parameterization, "theta0")
    rng = np.random.default_rng(seed)
    xs, thetas = np.empty((iterations + 1, k)), np.empty((iterations + 1, n, S, A))
    lam = np.empty(iterations)
    K, K_raw = np.empty(iterations + 1), np.empty(iterations + 1)
    feas, lead, obj, cost = (np.empty(iterations + 1) for _ in range(4))
    occupancy = np.empty((2, n, S, A))
    steps = range(iterations + 1)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"Algorithm 1 ({parameterization})", leave=False)
    upper = problem.max_payment
    for t in steps:
        ev, grads = _exact_gradients(problem, x, theta, parameterization, tau)
        xs[t], thetas[t] = x, theta
        feas[t], lead[t], obj[t], cost[t] = ev.feasibility, ev.leader_value, ev.objective, ev.cost
        if t == 0:
            occupancy[0] = ev.follower_occupancy
        if t == iterations:
            occupancy[1] = ev.follower_occupancy
        grads = _tangent(grads, parameterization)
        exact_f, exact_q = grads.flat()
        K_raw[t] = _min_norm(exact_f, exact_q) - ev.feasibility
        projected = _projected_stationarity(problem, x, theta, grads, parameterization, xi, exact_f, exact_q)
        K[t] = projected - ev.feasibility
        if t == iterations:
            break
        if gradient == "sampled":
            grads = _tangent(_sampled_gradients(problem, x, theta, parameterization, tau, samples, horizon, rng),
                             parameterization)
        gf, gq = grads.flat()
        norm2 = float(gq @ gq)
        lam[t] = max(eta - float(gf @ gq) / norm2, 0.0) if norm2 > 1e-300 else eta
        x = np.clip(x + xi * (grads.f_x + lam[t] * grads.q_x), 0.0, upper)
        step = theta + xi * (grads.f_theta + lam[t] * grads.q_theta)
        theta = project_to_simplex(step) if parameterization == "direct" else step
        if callback is not None:
            callback(t + 1, x.copy(), theta.copy(), float(lam[t]))
    for array in (xs, thetas, lam, K, K_raw, feas, lead, obj, cost, occupancy):
        array.setflags(write=False)
    parameters = dict(iterations=iterations, xi=xi, eta=eta, tau=tau, gradient=gradient,
                      samples=samples if gradient == "sampled" else None,
                      horizon=horizon if gradient == "sampled" else None, seed=seed)
    return IncentiveDesignResult(xs, thetas, lam, K, K_raw, feas, lead, obj, cost, occupancy, parameterization,
                                 parameters)


def _tangent(grads, parameterization):
    """Direct parameterisation: the theta-gradients projected onto the simplex's tangent space (centred per state),
    the gradient of f and q restricted to the affine hull where the policies live."""
    if parameterization != "direct":
        return grads
    centre = lambda g: g - g.mean(axis=-1, keepdims=True)  # noqa: E731
    return IncentiveGradients(grads.f_x, grads.q_x, centre(grads.f_theta), centre(grads.q_theta),
                              grads.leader_policy_gradient, grads.method)


def _min_norm(gf, gq):
    """min over lambda >= 0 of ||gf + lambda gq|| (closed form)."""
    norm2 = float(gq @ gq)
    lam = max(-float(gf @ gq) / norm2, 0.0) if norm2 > 1e-300 else 0.0
    return float(np.linalg.norm(gf + lam * gq))


def _projected_stationarity(problem, x, theta, grads, parameterization, xi, gf, gq):
    """Norm of the projected-gradient step at the multiplier that minimises the unprojected Definition 1."""
    norm2 = float(gq @ gq)
    candidates = [0.0]
    if norm2 > 1e-300:
        candidates.append(max(-float(gf @ gq) / norm2, 0.0))
    best = np.inf
    for lam in candidates:
        x_new = np.clip(x + xi * (grads.f_x + lam * grads.q_x), 0.0, problem.max_payment)
        step = theta + xi * (grads.f_theta + lam * grads.q_theta)
        theta_new = project_to_simplex(step) if parameterization == "direct" else step
        size = np.sqrt(np.sum((x_new - x) ** 2) + np.sum((theta_new - theta) ** 2)) / xi
        best = min(best, float(size))
    return best


# ====================================================================== brute force f_m(x)
def strong_stackelberg_objective(problem: IncentiveDesignProblem, x, *, parameterization: str = "direct",
                                 tau: float = 1.0, tol: float = 1e-9, max_combinations: int = 4096):
    r""":math:`f_m(x)` at one payment vector: the leader's objective at the followers' best responses.

    ``"direct"``: strong Stackelberg tie-breaking (Remark 1): the maximum of :math:`f(x, \theta)` over every
    combination of the followers' deterministic optimal policies (actions within ``tol`` of :math:`\max_a Q_i^*`,
    enumerated at states some optimal policy can reach). Stochastic mixtures of tied actions are not enumerated.
    ``"softmax"``: the followers play :math:`\pi = \mathrm{softmax}(Q_i^*/\tau)`, i.e. :math:`\theta = Q^*` (the
    paper's choice in Example 1).

    Parameters
    ----------
    problem : IncentiveDesignProblem
    x : array_like
        ``(k,)`` payments.
    parameterization : {"direct", "softmax"}
    tau : float
        Softmax temperature.
    tol : float
        Tie tolerance on Q-values.
    max_combinations : int
        Refuse (ValueError) to enumerate more tie combinations than this.

    Returns
    -------
    tuple
        ``(objective, leader_value, policies)`` with policies ``(n, S, A)``.

    Examples
    --------
    >>> from stackelberg.analysis.incentive_study import example1_problem
    >>> [round(strong_stackelberg_objective(example1_problem(), x)[0], 6) for x in ([0.5, 0.5], [1.0, 0.0], [1, 2])]
    [-1.0, 4.0, 3.0]
    """
    _check_problem(problem)
    x = problem.check_payments(x)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = _positive("tau", tau)
    tol = check_tol("tol", tol)
    max_combinations = check_positive_int("max_combinations", max_combinations)
    return _strong_objective(problem, x, parameterization, tau, tol, max_combinations)


def _strong_objective(problem, x, parameterization, tau, tol, max_combinations):
    arr = problem._arrays
    P, mu, gammas = arr["P"], arr["mu"], arr["gammas"]
    R = arr["R"] + np.tensordot(x, arr["pay_map"], axes=(0, 0))
    R[arr["terminal"]] = 0.0
    n, S, A = R.shape
    cost = problem.weight * problem.cost_value(x)
    if parameterization == "softmax":
        pi = np.stack([_softmax(_optimal_values(P[i], R[i], gammas[i])[1], tau) for i in range(n)])
        value = _leader(problem, pi, False)[0]
        return value - cost, value, pi
    choices = []  # per follower: list of (state, tied actions) where the choice matters
    base = np.zeros((n, S, A))
    for i in range(n):
        Q = _optimal_values(P[i], R[i], gammas[i])[1]
        tied = Q >= Q.max(axis=1, keepdims=True) - tol * (1.0 + np.abs(Q).max())
        base[i, np.arange(S), np.argmax(tied, axis=1)] = 1.0
        reach = _reachable(P[i], tied, mu[i])
        for s in np.flatnonzero(reach & (tied.sum(axis=1) > 1) & ~arr["terminal"][i]):
            choices.append((i, int(s), np.flatnonzero(tied[s])))
    total = int(np.prod([len(c[2]) for c in choices])) if choices else 1
    if total > max_combinations:
        raise ValueError(f"the followers' best-response sets have {total} deterministic combinations, more than "
                         f"max_combinations={max_combinations}")
    best = (-np.inf, None)
    for combo in itertools.product(*[c[2] for c in choices]):
        pi = base.copy()
        for (i, s, _), a in zip(choices, combo):
            pi[i, s] = 0.0
            pi[i, s, a] = 1.0
        value = _leader(problem, pi, False)[0]
        if value > best[0] + 1e-12:
            best = (value, pi)
    return best[0] - cost, best[0], best[1]


def _reachable(P, allowed, mu):
    """States reachable from mu's support using only allowed actions."""
    seen = mu > 0
    frontier = seen.copy()
    while frontier.any():
        nxt = np.einsum("sat,sa->t", P[frontier], allowed[frontier].astype(float)) > 0
        frontier = nxt & ~seen
        seen |= nxt
    return seen


def leader_objective_brute_force(problem: IncentiveDesignProblem, grid, *, parameterization: str = "direct",
                                 tau: float = 1.0, tol: float = 1e-9, progress: bool = False) -> LeaderObjectiveGrid:
    r""":math:`f_m(x)` (:func:`strong_stackelberg_objective`) at every payment vector of ``grid``.

    A brute-force verifier for small problems: a point returned by :func:`incentive_design` is stationary when no
    nearby feasible grid point has a larger :math:`f_m`.

    Parameters
    ----------
    problem : IncentiveDesignProblem
    grid : array_like
        ``(m, k)`` payment vectors (each in the feasible set).
    parameterization, tau, tol
        As for :func:`strong_stackelberg_objective`.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    LeaderObjectiveGrid

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.analysis.incentive_study import example1_problem
    >>> out = leader_objective_brute_force(example1_problem(), [[0.0, 0.0], [1.0, 2.0], [2.0, 3.0]])
    >>> out.objective.round(6).tolist()
    [0.0, 3.0, 1.0]
    """
    _check_problem(problem)
    parameterization = check_choice("parameterization", parameterization, _PARAMETERIZATIONS)
    tau = _positive("tau", tau)
    tol = check_tol("tol", tol)
    points = as_finite_array("grid", grid)
    if points.ndim != 2 or points.shape[1] != problem.n_payments:
        raise ValueError(f"grid must have shape (m, {problem.n_payments}); got {points.shape}")
    rows = range(points.shape[0])
    if progress:
        from tqdm.auto import tqdm

        rows = tqdm(rows, desc="f_m(x)", leave=False)
    objective, values, policies = [], [], []
    for r in rows:
        x = problem.check_payments(points[r], f"grid[{r}]")
        f, v, pi = _strong_objective(problem, x, parameterization, tau, tol, 4096)
        objective.append(f)
        values.append(v)
        policies.append(pi)
    return LeaderObjectiveGrid(points, np.array(objective), np.array(values), np.array(policies), parameterization)


# ====================================================================== helpers
def _check_problem(problem):
    if not isinstance(problem, IncentiveDesignProblem):
        raise TypeError(f"problem must be an IncentiveDesignProblem; got {type(problem).__name__}")


def _check_theta(problem, theta, parameterization, name="theta"):
    theta = np.array(as_finite_array(name, theta), dtype=float)
    shape = (problem.n_followers, problem.n_states, problem.n_actions)
    if theta.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (followers, states, actions); got {theta.shape}")
    if parameterization == "direct":
        if (theta < -1e-9).any() or (np.abs(theta.sum(axis=-1) - 1.0) > 1e-8).any():
            raise ValueError(f"{name} must hold a probability row per (follower, state) under the direct "
                             "parameterisation (non-negative, summing to 1)")
        theta = np.clip(theta, 0.0, None)
        theta /= theta.sum(axis=-1, keepdims=True)
    return theta


def _policies(theta, parameterization, tau):
    return theta if parameterization == "direct" else _softmax(theta, tau)


def _softmax(theta, tau):
    z = np.asarray(theta, dtype=float) / tau
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _real(name, value, allow_inf=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite number; got {value}")
    return value


def _positive(name, value):
    value = _real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be positive; got {value}")
    return value


def _dense_transitions(mdp):
    P = mdp.transitions
    if mdp.is_sparse:
        P = P.toarray()
    return np.asarray(P, dtype=float).reshape(mdp.n_states, mdp.n_joint_actions, mdp.n_states)
