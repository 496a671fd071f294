r"""Incentive-design problems: a leader paying side payments to n independent MDP followers, and the papers' examples.

Problem 1 of the incentive-design paper. Follower :math:`i \in \{1..n\}` solves its own MDP
:math:`M_i = (S, A, P_i, \mu_i, \gamma_i, \bar R_i)` (all followers share :math:`S` and :math:`A`) with the
leader's side payments :math:`x_i(s, a) \ge 0` added to its reward (Eq. 2),
:math:`R_i(s, a; x_i) = \bar R_i(s, a) + x_i(s, a)`. The followers move independently (Assumption 1); the leader
earns :math:`R_l` on the joint state (and, optionally, joint action) with discount :math:`\gamma`, and pays the
cost :math:`w\,C(x)`. This module holds the model only: :mod:`stackelberg.solvers.incentives` evaluates it and
runs Algorithm 1 on it, :mod:`stackelberg.analysis.incentive_study` runs the papers' studies.

The papers' two problems are built here: **Example 1** (:func:`example1_problem`, Section 3.3, with its closed-form
:math:`f_m` in :func:`example1_objective_closed_form` and its stationary points
:data:`EXAMPLE1_STATIONARY_POINTS`) and the **two-robot 6x6 gridworld** (:func:`gridworld_problem`, Section 4).
The choices the papers leave open, and why, are in the docstring of :mod:`stackelberg.analysis.incentive_study`.

References
----------
Incentive design for multi-agent systems: a bilevel optimization framework for coordinating independent agents
and convergence analysis (TMLR submission): Problem 1, Eqs. 1-6, Example 1, Section 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .._validation import as_finite_array, check_choice, check_real
from .gridworld import incentive_gridworld
from .markov import MDP, MarkovGame

__all__ = [
    "IncentiveDesignProblem",
    "EXAMPLE1_STATIONARY_POINTS",
    "example1_problem",
    "example1_objective_closed_form",
    "gridworld_problem",
]

#: The stationary points of Example 1 under the direct parameterisation (Fig. 2a).
EXAMPLE1_STATIONARY_POINTS = ((0.0, 0.0), (1.0, 0.0), (0.0, 2.0), (1.0, 2.0))

#: Robot 1's and robot 2's less-desired goals in the gridworld (the cells the leader wants reached).
_LESS_DESIRED = ((1, 4), (4, 5))

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
        weight = check_real("weight", self.weight, low=0.0)
        gamma_l = check_real("leader_gamma", self.leader_gamma, low=0.0, high=1.0)
        max_payment = check_real("max_payment", self.max_payment, low=0.0, low_open=True, allow_inf=True)
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


def _dense_transitions(mdp):
    P = mdp.transitions
    if mdp.is_sparse:
        P = P.toarray()
    return np.asarray(P, dtype=float).reshape(mdp.n_states, mdp.n_joint_actions, mdp.n_states)


# ====================================================================== the papers' examples
def example1_problem(follower_gamma: float = 0.9) -> IncentiveDesignProblem:
    """Example 1: two followers on states ``0, 1, 2, Sink``, payments ``x = (x1, x2)``, leader discount 1.

    Parameters
    ----------
    follower_gamma : float
        The followers' discount (does not change their best responses; see the module docstring).

    Returns
    -------
    IncentiveDesignProblem

    Examples
    --------
    >>> problem = example1_problem()
    >>> problem.n_followers, problem.n_states, problem.n_actions, problem.payment_index
    (2, 4, 2, ((0, 0, 1), (1, 0, 0)))
    """
    P = np.zeros((4, 2, 4))
    P[0, 0, 1] = P[0, 1, 2] = 1.0
    P[1, :, 3] = P[2, :, 3] = P[3, :, 3] = 1.0
    names = dict(state_names=["0", "1", "2", "Sink"], action_names=["a1", "a2"], terminal_states=[3])
    r1, r2 = np.zeros((4, 2)), np.zeros((4, 2))
    r1[0, 0] = 1.0  # follower 1: its goal, state 1
    r2[0, 1] = 2.0  # follower 2: its goal, state 2
    followers = [MDP(P, r, gamma=follower_gamma, **names) for r in (r1, r2)]
    leader = np.zeros((4, 4))
    leader[2, 1] = 6.0
    leader[1, 1] = leader[2, 2] = 5.0
    mask = np.zeros((2, 4, 2), dtype=bool)
    mask[0, 0, 1] = True  # follower 1 paid for going to state 2
    mask[1, 0, 0] = True  # follower 2 paid for going to state 1
    return IncentiveDesignProblem(followers, leader, mask, cost="l1", weight=1.0, leader_gamma=1.0)


def example1_objective_closed_form(x, parameterization: str = "direct", tau: float = 0.05) -> np.ndarray:
    r"""The paper's :math:`f_m(x)` of Example 1 (piecewise linear, or the softmax formula).

    Parameters
    ----------
    x : array_like
        ``(..., 2)`` payments.
    parameterization : {"direct", "softmax"}
    tau : float
        Softmax temperature (the paper: 0.05).

    Returns
    -------
    numpy.ndarray
        ``(...)``. At the direct thresholds (``x1 = 1`` or ``x2 = 2``) the leader's favourite tie is used.

    Examples
    --------
    >>> example1_objective_closed_form([[0.5, 0.5], [1.0, 2.0], [1.5, 0.0]]).tolist()
    [-1.0, 3.0, 3.5]
    """
    parameterization = check_choice("parameterization", parameterization, ("direct", "softmax"))
    x = np.asarray(x, dtype=float)
    x1, x2 = x[..., 0], x[..., 1]
    if parameterization == "direct":
        return 5.0 * (x1 >= 1.0) + 5.0 * (x2 >= 2.0) - 4.0 * ((x1 >= 1.0) & (x2 >= 2.0)) - x1 - x2
    p1 = 1.0 / (1.0 + np.exp((x1 - 1.0) / tau))
    p2 = 1.0 / (1.0 + np.exp((2.0 - x2) / tau))
    return 5.0 + 4.0 * p1 * p2 - 5.0 * p1 + p2 - (x1 + x2)


def gridworld_problem(alphas: Sequence[float] = (0.1, 0.05), starts=((2, 0), (2, 0)), *,
                      follower_gamma: float = 0.99, leader_gamma: float = 1.0,
                      weight: float = 0.1, slip: str = "intended", earlier: str = "goal",
                      payments: str = "state") -> IncentiveDesignProblem:
    """The two-robot 6x6 gridworld of Section 4.

    Parameters
    ----------
    alphas : sequence of float
        Slip probability of each robot.
    starts : sequence of (int, int)
        Start cell ``(i, j)`` of each robot (row counted from the bottom).
    follower_gamma, leader_gamma : float
        Discounts (the paper's leader: 1; the followers' 0.99 is fitted, see the module docstring).
    weight : float
        Cost weight w (the paper: 0.1).
    slip : {"current", "intended"}
        Where a slip lands: ``"current"`` (the README's reading,
        :func:`~stackelberg.games.gridworld.incentive_gridworld`): the current cell's perpendicular neighbours;
        ``"intended"``: the cells west and east (for N/S; north and south for E/W) of the *intended* cell, as the
        paper's sentence "enters its intended cell with probability :math:`1 - 2\alpha`, while entering the
        neighboring cells (west and east) with probabilities :math:`\alpha`" can also be read. Any outcome off the
        grid leaves the robot in place.
    earlier : {"goal", "less-desired"}
        Which earlier arrival of the other robot earns the leader 8 when a robot reaches a less-desired goal:
        ``"goal"``, any goal (the other is in Sink, the text's "after the other reached a goal"); ``"less-desired"``,
        only a less-desired goal, so that the leader's 2 + 8 for arrivals one after the other equals the 10 of a
        joint arrival. The second reading splits Sink in two: the less-desired goals lead to an absorbing
        ``"SinkF"`` and the goals G to ``"Sink"`` (the followers' values are unchanged; a robot that reached G
        counts as "elsewhere").
    payments : {"state", "state-action"}
        ``"state"``: one payment per robot for every action at its paid cell; ``"state-action"``: the payment for
        one action there only (the action of the paid cell's exit, the first action, "N"; at an exit cell every
        action leads to Sink, so the followers' values are the same, but the leader's cost counts that one pair).

    Returns
    -------
    IncentiveDesignProblem
        Payments: robot 1 at (4, 5), robot 2 at (1, 4).

    Examples
    --------
    >>> problem = gridworld_problem()
    >>> problem.n_states, problem.n_actions, problem.n_payments
    (37, 4, 2)
    """
    if len(alphas) != len(starts):
        raise ValueError(f"alphas and starts must have one entry per robot; got {len(alphas)} and {len(starts)}")
    slip = check_choice("slip", slip, ("current", "intended"))
    earlier = check_choice("earlier", earlier, ("goal", "less-desired"))
    payments = check_choice("payments", payments, ("state", "state-action"))
    followers = [incentive_gridworld(a, tuple(s), gamma=follower_gamma) for a, s in zip(alphas, starts)]
    if slip == "intended":
        followers = [_slip_to_intended_neighbours(f, a) for f, a in zip(followers, alphas)]
    if earlier == "less-desired":
        followers = [_split_sink(f) for f in followers]
    names = followers[0].state_names
    S, n = len(names), len(followers)
    sink = names.index("SinkF" if earlier == "less-desired" else "Sink")
    less = np.zeros(S, dtype=bool)
    for cell in _LESS_DESIRED:
        less[names.index(f"({cell[0]},{cell[1]})")] = True
    reward = np.zeros((S,) * n)
    for joint in np.ndindex(*reward.shape):
        in_f = [less[s] for s in joint]
        if all(in_f):
            reward[joint] = 10.0
        elif any(in_f):
            others = [s for s, f in zip(joint, in_f) if not f]
            reward[joint] = 8.0 if all(s == sink for s in others) else 2.0
    A = followers[0].n_joint_actions
    mask = np.zeros((n, S) if payments == "state" else (n, S, A), dtype=bool)
    paid = ((4, 5), (1, 4))
    for i in range(n):
        cell = paid[i % 2]
        mask[(i, names.index(f"({cell[0]},{cell[1]})")) + (() if payments == "state" else (0,))] = True
    return IncentiveDesignProblem(followers, reward, mask, cost="l1", weight=weight, leader_gamma=leader_gamma)


def _split_sink(mdp: MDP) -> MDP:
    """The same gridworld MDP with a second absorbing state ``"SinkF"`` entered from the less-desired goals."""
    names = list(mdp.state_names)
    S, A = mdp.n_states, mdp.n_joint_actions
    sink = names.index("Sink")
    P = np.zeros((S + 1, A, S + 1))
    P[:S, :, :S] = np.asarray(mdp.transitions, dtype=float).reshape(S, A, S)
    for cell in _LESS_DESIRED:
        s = names.index(f"({cell[0]},{cell[1]})")
        P[s, :, S] = P[s, :, sink]
        P[s, :, sink] = 0.0
    P[S, :, S] = 1.0
    R = np.zeros((S + 1, A))
    R[:S] = np.asarray(mdp.rewards, dtype=float).reshape(S, A)
    mu = np.append(np.asarray(mdp.initial_distribution, dtype=float), 0.0)
    return MDP(P, R, gamma=mdp.gamma, initial_distribution=mu,
               terminal_states=np.append(np.flatnonzero(mdp.is_terminal), S), state_names=names + ["SinkF"],
               action_names=mdp.action_names[0])


def _slip_to_intended_neighbours(mdp: MDP, alpha: float) -> MDP:
    """The same gridworld MDP with slips to the two cells beside the intended cell (off-grid outcomes stay)."""
    names = mdp.state_names
    S, A = mdp.n_states, mdp.n_joint_actions
    index = {name: s for s, name in enumerate(names)}
    sink = index["Sink"]
    steps = dict(N=(1, 0), S=(-1, 0), E=(0, 1), W=(0, -1))  # (row counted from the bottom, column)
    old = np.asarray(mdp.transitions, dtype=float).reshape(S, A, S)
    P = np.zeros((S, A, S))
    for s, name in enumerate(names):
        if mdp.is_terminal[s] or old[s, :, sink].min() > 1.0 - 1e-12:  # Sink, and the exits (every move to Sink)
            P[s] = old[s]
            continue
        i, j = (int(v) for v in name.strip("()").split(","))
        for a, move in enumerate(mdp.action_names[0]):
            di, dj = steps[move]
            side = (dj, di)
            for (ti, tj), p in (((i + di, j + dj), 1.0 - 2.0 * alpha),
                                ((i + di + side[0], j + dj + side[1]), alpha),
                                ((i + di - side[0], j + dj - side[1]), alpha)):
                P[s, a, index.get(f"({ti},{tj})", s)] += p
    return MDP(P, np.asarray(mdp.rewards, dtype=float).reshape(S, A), gamma=mdp.gamma,
               initial_distribution=mdp.initial_distribution, terminal_states=np.flatnonzero(mdp.is_terminal),
               state_names=names, action_names=mdp.action_names[0])
