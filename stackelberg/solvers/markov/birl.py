r"""Exact bi-level RL by enumeration, and whether the fixed points of bi-level value iteration solve it.

The BiRL problem (Bi-AC Eq. 5) asks for the leader's stationary policy :math:`\pi_1` maximising its return when
the follower plays an optimal policy of the MDP that :math:`\pi_1` induces (ties broken for the leader: strong, or
against: weak). A fixed point of Eq. 7 need not solve it: the supplement's cyclic counterexample
(:func:`~stackelberg.games.markov_examples.biac_counterexample`) has the fixed point (A, B) with values (0, 10)
although the BiRL solution is (B, A) with values (10, 0). :func:`birl_optimum` solves Eq. 5 exactly for small games
by enumerating the leader's deterministic stationary policies; :func:`check_bilevel_fixed_point` enumerates the
deterministic fixed points of Eq. 7 and says which of them solve Eq. 5.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 5, 7; supplement).
"""

from __future__ import annotations

import itertools
from typing import Callable

import numpy as np

from ..._progress import progress_bar
from ..._validation import check_callback, check_choice, check_player, check_positive_int, check_tol
from .._numeric import stage_floors
from ._iterate import _check_game, resolve_progress
from .bilevel import TIE_BREAKS, _ordered_responses, solve_bilevel
from .dynamic_programming import policy_iteration
from .results import BilevelFixedPoint, BiRLSolution, FixedPointReport

__all__ = ["birl_optimum", "check_bilevel_fixed_point"]


def birl_optimum(
    game,
    leader: int = 0,
    tie_break: str = "strong",
    *,
    tol: float = 1e-9,
    max_policies: int = 10**6,
    callback: Callable | None = None,
    progress: bool | None = None,
) -> BiRLSolution:
    """The exact bi-level RL solution (Bi-AC Eq. 5) by enumerating the leader's deterministic stationary policies.

    For each leader policy :math:`\\pi_1` the follower's MDP (the game restricted to the follower, see
    :meth:`~stackelberg.games.markov.MarkovGame.restrict_to_player`) is solved exactly by policy iteration. Every
    policy using only the follower's optimal actions (Q-values within ``tol * max(1, |max|)`` of the best) is
    optimal, so the follower's tie-break is itself an MDP over those actions with the leader's reward, maximised
    (strong) or minimised (weak) by a second policy iteration. The leader keeps the policy with the best value at
    the initial distribution. The leader's action is enumerated only at states where it changes a reward or a
    transition (elsewhere it is fixed to action 0).

    Parameters
    ----------
    game : MarkovGame
        A discounted two-player Markov game (dense or sparse; it is densified, so keep it small).
    leader : {0, 1}
    tie_break : {"strong", "weak"}
    tol : float
        Tie tolerance (follower's optimal actions; the leader's optimal policies), relative: player ``p``'s values
        within ``tol * max(M_p, |value|)`` tie, ``M_p`` its largest ``|reward|``.
    max_policies : int
        Largest number of leader policies to enumerate.
    callback : callable, optional
        Called after each enumerated leader policy as ``callback(k, leader_policy, leader_value)`` (``k`` from 1,
        ``leader_value`` at the initial distribution with the follower's tie-broken optimal response).
    progress : bool or None
        Show a progress bar of the enumeration (None, the default: only when stderr is a terminal).

    Returns
    -------
    BiRLSolution

    Raises
    ------
    TypeError, ValueError
        On invalid arguments, a finite-horizon game, a game without two players, or more than ``max_policies``
        leader policies.

    Examples
    --------
    The Bi-AC counterexample: committing to B makes Y answer A, values (10, 0).

    >>> import stackelberg as sb
    >>> solution = birl_optimum(sb.biac_counterexample(0.9))
    >>> solution.leader_policy.tolist(), solution.follower_policy.tolist(), round(solution.leader_value, 9)
    ([1, 0], [0, 0], 10.0)

    References
    ----------
    H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eq. 5).
    """
    model = _BilevelModel(game, leader, tie_break, tol, max_policies)
    callback = check_callback("callback", callback)
    progress = resolve_progress(progress)
    relevant = model.leader_relevant_states()
    count = model.n_leader ** relevant.size
    model.check_count(count, "leader policies", max_policies)
    near = lambda value, best: value >= best - tol * max(model.floors[0], abs(best))  # noqa: E731
    best_value, best, candidates = -np.inf, None, []  # candidates: (policy, value) near the best so far
    with progress_bar(total=count, description="leader policies", unit="policy", progress=progress) as bar:
        for k, combo in enumerate(itertools.product(range(model.n_leader), repeat=relevant.size), start=1):
            leader_policy = np.zeros(model.n_states, dtype=int)
            leader_policy[relevant] = combo
            follower_policy, values = model.follower_response(leader_policy)
            value = float(model.mu @ values[0])
            if best is None or not near(best_value, value):  # strictly better beyond the tolerance
                best_value, best = value, (leader_policy, follower_policy, values)
                candidates = [(policy, v) for policy, v in candidates if near(v, value)]
            if near(value, best_value):
                candidates.append((leader_policy, value))
            if callback is not None:
                callback(k, leader_policy.copy(), value)
            bar.update(1)
    optimal = [policy for policy, v in candidates if near(v, best_value)]
    leader_policy, follower_policy, values = best
    values_by_player = model.by_player(values)
    return BiRLSolution(
        leader=model.leader, follower=model.follower, leader_policy=leader_policy, follower_policy=follower_policy,
        values=values_by_player, leader_value=float(model.mu @ values[0]), follower_value=float(model.mu @ values[1]),
        optimal_leader_policies=np.array(optimal, dtype=int).reshape(-1, model.n_states), n_policies=count,
        tie_break=model.tie_break, method="leader policy enumeration + policy iteration",
        parameters={"leader": model.leader, "tie_break": model.tie_break, "tol": tol, "max_policies": max_policies},
    )


def check_bilevel_fixed_point(
    game,
    leader: int = 0,
    tie_break: str = "strong",
    *,
    tol: float = 1e-9,
    max_policies: int = 10**6,
    callback: Callable | None = None,
    progress: bool | None = None,
) -> FixedPointReport:
    """Whether the fixed points of bi-level value iteration (Eq. 7) solve bi-level RL (Eq. 5).

    Enumerates the deterministic stationary joint policies (actions vary only at states where the joint action
    changes a reward or a transition), evaluates each exactly, and keeps those whose actions form a pure stage
    Stackelberg equilibrium (with ``tie_break``, ties within ``1e-9`` relative) of the stage game of their own values
    at every state: the fixed points of Eq. 7. Each is compared with :func:`birl_optimum`, and so is the fixed point
    that :func:`solve_bilevel` reaches from ``V = 0``.

    Parameters
    ----------
    game : MarkovGame
        A discounted two-player Markov game (small: it is densified and enumerated).
    leader : {0, 1}
    tie_break : {"strong", "weak"}
    tol : float
        Tolerance of the value comparisons (follower optimality, leader optimum), relative as in
        :func:`birl_optimum`.
    max_policies : int
        Largest number of joint policies (and of leader policies in :func:`birl_optimum`) to enumerate.
    callback : callable, optional
        Called after each enumerated joint policy as ``callback(k, leader_policy, follower_policy, is_fixed_point)``
        (``k`` from 1).
    progress : bool or None
        Show progress bars of the two enumerations (None, the default: only when stderr is a terminal).

    Returns
    -------
    FixedPointReport

    Raises
    ------
    TypeError, ValueError
        As for :func:`birl_optimum`.

    Examples
    --------
    >>> import stackelberg as sb
    >>> report = check_bilevel_fixed_point(sb.biac_counterexample(0.9))
    >>> [(int(p.leader_policy[0]), int(p.follower_policy[0]), p.values[:, 0].round(6).tolist(), p.is_birl_solution)
    ...  for p in report.fixed_points]
    [(0, 1, [0.0, 10.0], False), (1, 0, [10.0, 0.0], True)]
    >>> report.all_fixed_points_are_birl, report.value_iteration_is_birl
    (False, True)

    References
    ----------
    H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eq. 7 and the supplement's
    "example uncovered by Bi-AC").
    """
    model = _BilevelModel(game, leader, tie_break, tol, max_policies)
    callback = check_callback("callback", callback)
    progress = resolve_progress(progress)
    relevant = model.joint_relevant_states()
    n_joint = model.n_leader * model.n_follower
    count = n_joint ** relevant.size
    model.check_count(count, "joint policies", max_policies)
    birl = birl_optimum(game, leader, tie_break, tol=tol, max_policies=max_policies, progress=progress)
    fixed_points = []
    with progress_bar(total=count, description="joint policies", unit="policy", progress=progress) as bar:
        for k, combo in enumerate(itertools.product(range(n_joint), repeat=relevant.size), start=1):
            joint = np.zeros(model.n_states, dtype=int)
            joint[relevant] = combo
            leader_policy, follower_policy = np.divmod(joint, model.n_follower)
            values = model.evaluate(leader_policy, follower_policy)
            is_fixed_point = model.is_stage_equilibrium(values, leader_policy, follower_policy)
            if is_fixed_point:
                fixed_points.append(BilevelFixedPoint(
                    leader_policy=leader_policy, follower_policy=follower_policy, values=model.by_player(values),
                    is_birl_solution=model.is_birl(leader_policy, follower_policy, values, birl.leader_value)))
            if callback is not None:
                callback(k, leader_policy.copy(), follower_policy.copy(), is_fixed_point)
            bar.update(1)
    solution = solve_bilevel(game, model.leader, model.tie_break)
    vi_leader = solution.leader_policy
    vi_follower = solution.follower_policy[np.arange(model.n_states), vi_leader]
    vi_values = model.evaluate(vi_leader, vi_follower)
    return FixedPointReport(
        fixed_points=tuple(fixed_points), birl=birl, value_iteration=solution,
        value_iteration_is_birl=model.is_birl(vi_leader, vi_follower, vi_values, birl.leader_value),
    )


# ---------------------------------------------------------------------- helpers
class _BilevelModel:
    """Dense leader-oriented arrays of a discounted two-player game and exact MDP solves on them."""

    def __init__(self, game, leader, tie_break, tol, max_policies):
        game = _check_game(game, players=2)
        if game.is_finite_horizon:
            raise ValueError("game must be discounted (gamma=...): bi-level RL over stationary policies is defined "
                             f"here for discounted games; got a finite horizon H={game.horizon}")
        self.leader = check_player("leader", leader, 2)
        self.follower = 1 - self.leader
        self.tie_break = check_choice("tie_break", tie_break, TIE_BREAKS)
        self.tol = check_tol("tol", tol)
        check_positive_int("max_policies", max_policies)
        S, (n0, n1) = game.n_states, game.action_shape
        P = game.transition_matrix("dense").reshape(S, n0, n1, S)
        R = game.rewards.reshape(2, S, n0, n1)
        if self.leader == 1:
            P, R = P.transpose(0, 2, 1, 3), R[::-1].transpose(0, 1, 3, 2)
        self.P, self.R = P, R  # (S, nL, nF, S), (2, S, nL, nF) with index 0 = leader
        self.floors = stage_floors(R)  # ties within tol * max(M_p, |value|): the same decisions in any units
        self.gamma, self.mu, self.n_states = game.gamma, np.asarray(game.initial_distribution), S
        self.n_leader, self.n_follower = P.shape[1], P.shape[2]

    def leader_relevant_states(self) -> np.ndarray:
        """States where some leader action changes a reward or a transition (for some follower action)."""
        varies = (self.R != self.R[:, :, :1]).any(axis=(0, 2, 3)) | (self.P != self.P[:, :1]).any(axis=(1, 2, 3))
        return np.flatnonzero(varies)

    def joint_relevant_states(self) -> np.ndarray:
        """States where some joint action changes a reward or a transition."""
        S = self.n_states
        R, P = self.R.reshape(2, S, -1), self.P.reshape(S, -1, S)
        varies = (R != R[:, :, :1]).any(axis=(0, 2)) | (P != P[:, :1]).any(axis=(1, 2))
        return np.flatnonzero(varies)

    @staticmethod
    def check_count(count, what, max_policies):
        if count > max_policies:
            raise ValueError(f"game has {count} deterministic stationary {what} to enumerate, more than "
                             f"max_policies={max_policies}: use a smaller game or raise max_policies")

    def follower_mdp(self, leader_policy):
        states = np.arange(self.n_states)
        return self.P[states, leader_policy], self.R[:, states, leader_policy]  # (S, nF, S), (2, S, nF)

    def follower_response(self, leader_policy):
        """The follower's tie-broken optimal policy against ``leader_policy`` and both players' values."""
        P, R = self.follower_mdp(leader_policy)
        _, Q_follower = policy_iteration(P, R[1], self.gamma)[:2]
        best = Q_follower.max(axis=1, keepdims=True)
        optimal = Q_follower >= best - self.tol * np.maximum(self.floors[1], np.abs(best))
        sign = 1.0 if self.tie_break == "strong" else -1.0
        _, Q_leader = policy_iteration(P, sign * R[0], self.gamma, allowed=optimal)[:2]
        follower_policy = np.where(optimal, Q_leader, -np.inf).argmax(axis=1)
        return follower_policy, self.evaluate(leader_policy, follower_policy)

    def evaluate(self, leader_policy, follower_policy) -> np.ndarray:
        """``(2, S)`` values (leader first) of a deterministic joint policy, by a linear solve."""
        states = np.arange(self.n_states)
        P = self.P[states, leader_policy, follower_policy]
        r = self.R[:, states, leader_policy, follower_policy]
        return np.linalg.solve(np.eye(self.n_states) - self.gamma * P, r.T).T

    def by_player(self, values) -> np.ndarray:
        return values if self.leader == 0 else values[::-1].copy()

    def is_stage_equilibrium(self, values, leader_policy, follower_policy) -> bool:
        """Whether the joint actions form the pure stage Stackelberg equilibrium of the Q-values of ``values``."""
        q = self.R + self.gamma * np.einsum("slft,pt->pslf", self.P, values)
        _, responses = _ordered_responses(q.reshape(2, self.n_states, -1), q.shape[2:], (0, 1),
                                          self.tie_break == "strong", stage_floors(self.R))
        states = np.arange(self.n_states)
        return bool(responses[0][states, leader_policy].all()
                    and responses[1][states, leader_policy, follower_policy].all())

    def is_birl(self, leader_policy, follower_policy, values, optimum) -> bool:
        """Follower optimal against the leader's policy, and the leader's value the BiRL optimum (within tol)."""
        P, R = self.follower_mdp(leader_policy)
        V_follower, _ = policy_iteration(P, R[1], self.gamma)[:2]
        follower_optimal = np.all(values[1] >= V_follower - self.tol * np.maximum(self.floors[1], np.abs(V_follower)))
        leader_value = float(self.mu @ values[0])
        return bool(follower_optimal and leader_value >= optimum - self.tol * max(self.floors[0], abs(optimum)))
