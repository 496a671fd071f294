"""Results of the Markov-game solvers: equilibrium values and policies, exact bi-level RL solutions, and the
report comparing the fixed points of the bi-level Bellman equation (Bi-AC Eq. 7) with bi-level RL (Eq. 5)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["MarkovSolution", "BiRLSolution", "BilevelFixedPoint", "FixedPointReport"]


@dataclass(frozen=True)
class MarkovSolution:
    """Equilibrium values of a Markov game and the stationary (or time-indexed) policies that attain them.

    Attributes
    ----------
    values : numpy.ndarray
        ``(N, S)`` values, or ``(H, N, S)`` indexed by time for a finite horizon.
    q : numpy.ndarray
        ``(N, S, A)`` Q-values of ``values`` (``(H, N, S, A)`` for a finite horizon).
    policies : tuple of numpy.ndarray
        One ``(S, n_p)`` (or ``(H, S, n_p)``) array per player: its action probabilities at each state on the
        equilibrium path of the stage game.
    leader_policy, follower_policy : numpy.ndarray or None
        :func:`~stackelberg.solvers.markov.solve_bilevel` only. Pure commitment: the leader's actions ``(S,)``
        and the follower's response to *every* leader action ``(S, n_leader)``. Mixed commitment: the commitment
        ``(S, n_leader)`` and the follower's response to it ``(S,)``. A leading time axis for a finite horizon.
        None for other solvers.
    iterations : int
        Sweeps performed (``H`` for a finite horizon).
    bellman_residual : float
        ``max |T(V) - V|`` of the stage-equilibrium operator ``T``, recomputed from the returned values (0 for
        backward induction).
    converged : bool
        Whether the stopping rule was met.
    stop_reason : str
        ``"converged"``, ``"max_iterations"`` or ``"cycle"`` (a value vector came back: the stage-equilibrium
        operators of :func:`~stackelberg.solvers.markov.solve_bilevel`,
        :func:`~stackelberg.solvers.markov.solve_sequential` and :func:`~stackelberg.solvers.markov.solve_nash` are
        not contractions in general, so their iteration can cycle).
    method : str
        ``"bilevel value iteration"``, ``"sequential value iteration"``, ``"Nash value iteration"`` or
        ``"Shapley value iteration"``, with ``" (backward induction)"`` for a finite horizon.
    parameters : dict
        The arguments of the call.
    """

    values: np.ndarray
    q: np.ndarray
    policies: tuple
    leader_policy: np.ndarray | None
    follower_policy: np.ndarray | None
    iterations: int
    bellman_residual: float
    converged: bool
    stop_reason: str
    method: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BiRLSolution:
    """An exact solution of the bi-level RL problem (Bi-AC Eq. 5) over deterministic stationary leader policies.

    Attributes
    ----------
    leader, follower : int
        Player indices.
    leader_policy : numpy.ndarray
        ``(S,)`` the leader's optimal actions (the first optimal policy in enumeration order).
    follower_policy : numpy.ndarray
        ``(S,)`` the follower's optimal response, tie-broken for (strong) or against (weak) the leader.
    values : numpy.ndarray
        ``(2, S)`` both players' values of this pair, in player order.
    leader_value, follower_value : float
        The same at the initial distribution.
    optimal_leader_policies : numpy.ndarray
        ``(K, S)`` every enumerated leader policy whose value is within ``tol`` of the optimum.
    n_policies : int
        Number of leader policies enumerated (actions vary only at states where the leader's action matters).
    tie_break : str
        ``"strong"`` or ``"weak"``.
    method : str
    parameters : dict
    """

    leader: int
    follower: int
    leader_policy: np.ndarray
    follower_policy: np.ndarray
    values: np.ndarray
    leader_value: float
    follower_value: float
    optimal_leader_policies: np.ndarray
    n_policies: int
    tie_break: str
    method: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BilevelFixedPoint:
    """A deterministic stationary joint policy whose values satisfy the bi-level Bellman equation (Eq. 7).

    Attributes
    ----------
    leader_policy, follower_policy : numpy.ndarray
        ``(S,)`` actions.
    values : numpy.ndarray
        ``(2, S)`` the policy's values, in player order.
    is_birl_solution : bool
        Whether the pair also solves Eq. 5: the follower's policy is optimal against the leader's, and the
        leader's value at the initial distribution is the BiRL optimum (both within ``tol``).
    """

    leader_policy: np.ndarray
    follower_policy: np.ndarray
    values: np.ndarray
    is_birl_solution: bool


@dataclass(frozen=True)
class FixedPointReport:
    """Bi-level Bellman fixed points (Eq. 7) of a game compared with its BiRL solution (Eq. 5).

    Attributes
    ----------
    fixed_points : tuple of BilevelFixedPoint
        Every deterministic stationary joint policy satisfying Eq. 7, in enumeration order.
    birl : BiRLSolution
        The exact solution of Eq. 5 (:func:`~stackelberg.solvers.markov.birl_optimum`).
    value_iteration : MarkovSolution
        The fixed point that bi-level value iteration from ``V = 0`` reaches
        (:func:`~stackelberg.solvers.markov.solve_bilevel`).
    value_iteration_is_birl : bool
        Whether that fixed point's joint policy solves Eq. 5.
    """

    fixed_points: tuple
    birl: BiRLSolution
    value_iteration: MarkovSolution
    value_iteration_is_birl: bool

    @property
    def all_fixed_points_are_birl(self) -> bool:
        """True when every fixed point of Eq. 7 solves Eq. 5 (False on the Bi-AC counterexample)."""
        return all(point.is_birl_solution for point in self.fixed_points)
