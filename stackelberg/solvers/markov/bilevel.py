r"""Equilibrium value iteration for Markov games, and exact bi-level RL by enumeration.

For a Markov game (Bi-AC notation) with Q-values
:math:`Q_i(s, \vec a) = R_i(s, \vec a) + \gamma \sum_{s'} P(s' \mid s, \vec a) V_i(s')` (Eq. 1), every solver here
iterates :math:`V_i(s) \leftarrow \mathrm{EQ}_i(Q_1(s), \dots, Q_N(s))` where :math:`\mathrm{EQ}` is a
one-shot solution concept of the stage game of Q-values:

- :func:`solve_bilevel`: the Stackelberg equilibrium, the bi-level Bellman equation (Bi-AC Eq. 7)
  :math:`V_i(s) = \mathrm{Stackelberg}_i(Q_1(s), Q_2(s))`. Pure commitment runs one fused numba sweep per
  iteration (:mod:`stackelberg.solvers.kernels.bilevel`: Q-values, for each leader action the follower's tie-broken
  best response, then the leader's best action, reading the transitions once; sparse games are never densified);
  the vectorised numpy operator it reproduces is kept as the reference of the tests; mixed
  commitment solves the strong (or weak) Stackelberg LPs of
  :func:`~stackelberg.solvers.stackelberg.stackelberg_equilibria` per state.
- :func:`solve_sequential`: the N-level (priority-ordered) equilibrium of STEP, vectorised over states.
- :func:`solve_nash`: Nash-Q's :math:`V_i(s) = \mathrm{NASH}_i(Q(s))` (Eq. 3) with an explicit selection among the
  stage game's extreme Nash equilibria. This operator need not contract, so the iteration also stops when a value
  vector repeats (a cycle).
- :func:`solve_minimax`: Shapley's value iteration for zero-sum games (Eq. 2).

Discounted games iterate from :math:`V = 0` until :math:`\frac{\gamma}{1-\gamma}\|V_{k+1}-V_k\|_\infty \le`
``tol`` (the contraction bound of value iteration, exact for the minimax operator); finite-horizon games use
backward induction from :math:`V_H = 0` (values, Q-values and policies then carry a leading time axis).
Every solver takes ``callback`` (called after each sweep, or each enumerated policy) and ``progress=True`` for a
tqdm bar.

**Bi-level RL.** The BiRL problem (Bi-AC Eq. 5) asks for the leader's stationary policy :math:`\pi_1` maximising
its return when the follower plays an optimal policy of the MDP that :math:`\pi_1` induces (ties broken for the
leader: strong, or against: weak). A fixed point of Eq. 7 need not solve it: the supplement's cyclic counterexample
(:func:`~stackelberg.games.markov_examples.biac_counterexample`) has the fixed point (A, B) with values (0, 10)
although the BiRL solution is (B, A) with values (10, 0). :func:`birl_optimum` solves Eq. 5 exactly for small games
by enumerating the leader's deterministic stationary policies; :func:`check_bilevel_fixed_point` enumerates the
deterministic fixed points of Eq. 7 and says which of them solve Eq. 5.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 1-3, 5, 7; supplement).

L. S. Shapley. Stochastic games. PNAS 39(10), 1953.

J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023.
"""

from __future__ import annotations

import itertools
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from .._validation import check_choice, check_flag, check_positive_int, check_tol
from .dynamic_programming import policy_iteration
from ..games.markov import MarkovGame
from .nash import nash_equilibria
from .sequential import _check_order
from .stackelberg import stackelberg_equilibria
from .zero_sum import zero_sum_values

__all__ = [
    "MarkovSolution",
    "BiRLSolution",
    "BilevelFixedPoint",
    "FixedPointReport",
    "solve_bilevel",
    "solve_sequential",
    "solve_nash",
    "solve_minimax",
    "birl_optimum",
    "check_bilevel_fixed_point",
    "NASH_SELECTIONS",
]

#: Equilibrium-selection rules of :func:`solve_nash`.
NASH_SELECTIONS = ("first", "pareto", "leader", "utilitarian")
TIE_BREAKS = ("strong", "weak")
COMMITMENTS = ("pure", "mixed")
#: Stage-game ties: values within ``STAGE_TOL * max(1, |extreme|)`` of an extreme tie with it (the rule of
#: pure-commitment :func:`~stackelberg.solvers.stackelberg.stackelberg_equilibria`).
STAGE_TOL = 1e-9
CYCLE_WINDOW = 100  # earlier value vectors kept to detect cycles of solve_nash


# ---------------------------------------------------------------------- results
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
        :func:`solve_bilevel` only. Pure commitment: the leader's actions ``(S,)`` and the follower's response to
        *every* leader action ``(S, n_leader)``. Mixed commitment: the commitment ``(S, n_leader)`` and the
        follower's response to it ``(S,)``. A leading time axis for a finite horizon. None for other solvers.
    iterations : int
        Sweeps performed (``H`` for a finite horizon).
    bellman_residual : float
        ``max |T(V) - V|`` of the stage-equilibrium operator ``T``, recomputed from the returned values (0 for
        backward induction).
    converged : bool
        Whether the stopping rule was met.
    stop_reason : str
        ``"converged"``, ``"max_iterations"`` or ``"cycle"`` (a value vector came back: the stage-equilibrium
        operators of :func:`solve_bilevel`, :func:`solve_sequential` and :func:`solve_nash` are not contractions
        in general, so their iteration can cycle).
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
        The exact solution of Eq. 5 (:func:`birl_optimum`).
    value_iteration : MarkovSolution
        The fixed point that bi-level value iteration from ``V = 0`` reaches (:func:`solve_bilevel`).
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


class _Stage(NamedTuple):
    """One application of a stage-equilibrium operator to all states."""

    values: np.ndarray  # (N, S)
    q: np.ndarray  # (N, S, A)
    policies: tuple  # N arrays (S, n_p)
    leader_policy: np.ndarray | None = None
    follower_policy: np.ndarray | None = None


# ---------------------------------------------------------------------- value iteration solvers
def solve_bilevel(
    game,
    leader: int = 0,
    tie_break: str = "strong",
    commitment: str = "pure",
    *,
    tol: float = 1e-8,
    max_iterations: int = 10_000,
    callback: Callable | None = None,
    progress: bool = False,
) -> MarkovSolution:
    """Bi-level value iteration: the Stackelberg equilibrium of every stage game (Bi-AC Eq. 7).

    Parameters
    ----------
    game : MarkovGame
        A two-player Markov game (discounted or finite-horizon).
    leader : {0, 1}
        The committing player.
    tie_break : {"strong", "weak"}
        The follower breaks ties for (strong) or against (weak) the leader.
    commitment : {"pure", "mixed"}
        Pure: one fused numba sweep over all states per iteration (it reads the transitions once and never
        densifies a sparse game; about 1.5-2x the cost of one pass over the CSR arrays, see
        ``benchmarks/bench_markov.py``). Mixed: one strong (or weak) Stackelberg LP solve per distinct stage game.
    tol : float
        Bound on the sup-norm error of the values (discounted games).
    max_iterations : int
        Maximum number of sweeps; reaching it warns and returns ``converged=False``. The bi-level operator is not
        a contraction in general (the follower's argmax jumps), so the iteration may cycle: it also stops, with a
        warning and ``stop_reason="cycle"``, when a value vector comes back within the stopping threshold of one of
        the last 100 (as in :func:`solve_nash`; those 100 value vectors are the iteration's largest memory,
        ``100 * 2 * S`` floats).
    callback : callable, optional
        Called after every sweep as ``callback(iteration, values, change)`` with a copy of the new ``(N, S)`` values
        and their sup-norm change (for a finite horizon: after each backward step, ``iteration`` counting steps).
    progress : bool
        Show a tqdm bar of the sweeps with the last change in its postfix.

    Returns
    -------
    MarkovSolution
        With ``leader_policy`` and ``follower_policy`` (see :class:`MarkovSolution`).

    Raises
    ------
    TypeError
        If ``game`` is not a MarkovGame or an argument has the wrong type.
    ValueError
        If the game does not have two players, ``leader`` is not 0 or 1, or ``tie_break``, ``commitment``,
        ``tol`` or ``max_iterations`` is invalid.

    Warns
    -----
    RuntimeWarning
        If the iteration stops without meeting ``tol`` (``max_iterations`` or a cycle).

    Examples
    --------
    Maintain (Bi-AC Table 1b) repeated with discount 0.9: the Stackelberg outcome A-X, (20, 15), every step.

    >>> import numpy as np
    >>> import stackelberg as sb
    >>> from stackelberg.games.catalog import maintain
    >>> solution = solve_bilevel(sb.repeated_game(maintain(), 0.9))
    >>> np.round(solution.values, 6).tolist(), solution.leader_policy.tolist(), solution.follower_policy.tolist()
    ([[200.0], [150.0]], [0], [[0, 1, 2]])

    References
    ----------
    H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eq. 7).
    """
    game = _check_game(game, players=2)
    leader = _check_player("leader", leader, 2)
    tie_break = check_choice("tie_break", tie_break, TIE_BREAKS)
    commitment = check_choice("commitment", commitment, COMMITMENTS)
    tol, max_iterations, callback = _check_iteration_arguments(tol, max_iterations, callback)
    progress = check_flag("progress", progress)
    parameters = {"leader": leader, "tie_break": tie_break, "commitment": commitment, "tol": tol,
                  "max_iterations": max_iterations}
    sweep = None
    if commitment == "pure":
        operator, sweep = _pure_bilevel_kernel_operator(game, leader, tie_break)
    else:
        operator = _mixed_bilevel_operator(game, leader, tie_break)
    return _iterate(game, operator, tol, max_iterations, callback, "bilevel value iteration", parameters,
                    detect_cycles=True, sweep=sweep, progress=progress)


def solve_sequential(
    game,
    order=None,
    tie_break: str = "strong",
    *,
    tol: float = 1e-8,
    max_iterations: int = 10_000,
    callback: Callable | None = None,
    progress: bool = False,
) -> MarkovSolution:
    """N-level value iteration: the priority-ordered pure Stackelberg equilibrium of every stage game.

    At each state the players move in ``order``; each best-responds to its superiors' actions knowing its inferiors
    do the same, ties broken lexicographically for (strong) or against (weak) the superiors from the first mover
    (:func:`~stackelberg.solvers.sequential.sequential_equilibria`, whose first path is taken). Vectorised over states.

    Parameters
    ----------
    game : MarkovGame
        An N-player Markov game.
    order : sequence of int, optional
        Players by priority, first mover first (default ``0, ..., N-1``).
    tie_break : {"strong", "weak"}
    tol, max_iterations, callback, progress
        As for :func:`solve_bilevel`.

    Returns
    -------
    MarkovSolution

    Raises
    ------
    TypeError, ValueError
        On invalid arguments (``order`` not a permutation of the players, unknown ``tie_break``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> import stackelberg as sb
    >>> three = sb.NormalFormGame.common_payoff([[[1, 0], [0, 0]], [[0, 0], [0, 2]]])
    >>> solution = solve_sequential(sb.repeated_game(three, 0.5), order=[2, 0, 1])
    >>> np.round(solution.values[:, 0], 6).tolist(), [p.argmax(axis=1).tolist() for p in solution.policies]
    ([4.0, 4.0, 4.0], [[1], [1], [1]])

    References
    ----------
    B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
    multi-agent reinforcement learning. IJCAI 2023.
    """
    game = _check_game(game)
    order = _check_order(order, game.n_players)
    tie_break = check_choice("tie_break", tie_break, TIE_BREAKS)
    tol, max_iterations, callback = _check_iteration_arguments(tol, max_iterations, callback)
    progress = check_flag("progress", progress)
    parameters = {"order": order, "tie_break": tie_break, "tol": tol, "max_iterations": max_iterations}
    strong = tie_break == "strong"

    def operator(V):
        q = _q_values(game, V)
        path, _ = _ordered_responses(q, game.action_shape, order, strong)
        return _pure_stage(game, q, path)

    return _iterate(game, operator, tol, max_iterations, callback, "sequential value iteration", parameters,
                    detect_cycles=True, progress=progress)


def solve_nash(
    game,
    selection: str = "first",
    *,
    leader: int = 0,
    tol: float = 1e-8,
    max_iterations: int = 10_000,
    callback: Callable | None = None,
    progress: bool = False,
) -> MarkovSolution:
    """Nash value iteration (Nash-Q's operator, Bi-AC Eq. 3) with an explicit equilibrium-selection rule.

    At each state the extreme Nash equilibria of the stage game are enumerated
    (:func:`~stackelberg.solvers.nash.nash_equilibria`, sorted by support) and one is selected:

    - ``"first"``: the first one in that order;
    - ``"pareto"``: the first one that no other equilibrium Pareto-dominates;
    - ``"leader"``: the one best for player ``leader``;
    - ``"utilitarian"``: the one with the largest sum of payoffs.

    Payoffs within ``1e-9 * max(1, |payoff|)`` count as equal (the first such equilibrium is kept). The Nash
    operator is not a contraction in general: besides ``max_iterations`` the iteration stops (``converged=False``,
    ``stop_reason="cycle"``, with a warning) when a value vector comes back within the stopping threshold of one of
    the last 100 value vectors before the previous one.

    Parameters
    ----------
    game : MarkovGame
        A two-player Markov game.
    selection : {"first", "pareto", "leader", "utilitarian"}
    leader : {0, 1}
        The player favoured by ``selection="leader"``.
    tol, max_iterations, callback, progress
        As for :func:`solve_bilevel`.

    Returns
    -------
    MarkovSolution

    Raises
    ------
    TypeError, ValueError
        On invalid arguments, or a game without two players.

    Warns
    -----
    RuntimeWarning
        If the iteration stops without converging.

    Examples
    --------
    Escape (Bi-AC Table 1a) repeated: selection decides between its Nash equilibria A-X and C-Z.

    >>> import numpy as np
    >>> import stackelberg as sb
    >>> from stackelberg.games.catalog import escape
    >>> repeated = sb.repeated_game(escape(), 0.5)
    >>> [np.round(solve_nash(repeated, rule).values[0], 6).tolist() for rule in ("first", "pareto")]
    [[30.0], [60.0]]

    References
    ----------
    J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.
    """
    game = _check_game(game, players=2)
    selection = check_choice("selection", selection, NASH_SELECTIONS)
    leader = _check_player("leader", leader, 2)
    tol, max_iterations, callback = _check_iteration_arguments(tol, max_iterations, callback)
    progress = check_flag("progress", progress)
    parameters = {"selection": selection, "leader": leader, "tol": tol, "max_iterations": max_iterations}
    select = _SELECTIONS[selection]

    def solve_stage(stage_game):
        scale = max(1.0, float(max(np.abs(p).max() for p in stage_game.payoffs)))
        equilibria = nash_equilibria(stage_game, exact=False, tol=STAGE_TOL * scale)
        chosen = equilibria[select(np.array([[float(v) for v in eq.payoffs] for eq in equilibria]), leader)]
        return np.array([float(v) for v in chosen.payoffs]), chosen.float_strategies()

    operator = _per_state_operator(game, solve_stage)
    return _iterate(game, operator, tol, max_iterations, callback, "Nash value iteration", parameters,
                    detect_cycles=True, progress=progress)


def solve_minimax(
    game,
    *,
    tol: float = 1e-8,
    max_iterations: int = 10_000,
    callback: Callable | None = None,
    progress: bool = False,
) -> MarkovSolution:
    """Shapley's value iteration for a two-player zero-sum Markov game (Bi-AC Eq. 2).

    ``V_0(s) = val(Q_0(s))`` and ``V_1 = -V_0``: the matrix-game values of all states at once
    (:func:`~stackelberg.solvers.zero_sum.zero_sum_values`).

    Parameters
    ----------
    game : MarkovGame
        A two-player game with ``R_0 + R_1 = 0`` (within ``1e-9 * max(1, max|R|)``).
    tol, max_iterations, callback, progress
        As for :func:`solve_bilevel`.

    Returns
    -------
    MarkovSolution

    Raises
    ------
    TypeError, ValueError
        On invalid arguments, a game without two players, or rewards that are not zero-sum.

    Examples
    --------
    Matching pennies repeated with discount 0.5 is worth 0; the optimal strategies are uniform.

    >>> import numpy as np
    >>> import stackelberg as sb
    >>> solution = solve_minimax(sb.repeated_game(sb.NormalFormGame.zero_sum([[1, -1], [-1, 1]]), 0.5))
    >>> np.round(solution.values, 6).tolist(), solution.policies[0].round(6).tolist()
    ([[0.0], [0.0]], [[0.5, 0.5]])

    References
    ----------
    L. S. Shapley. Stochastic games. PNAS 39(10), 1953.
    """
    game = _check_game(game, players=2)
    tol, max_iterations, callback = _check_iteration_arguments(tol, max_iterations, callback)
    progress = check_flag("progress", progress)
    rewards = game.rewards
    gap = float(np.abs(rewards[0] + rewards[1]).max())
    if gap > STAGE_TOL * max(1.0, float(np.abs(rewards).max())):
        raise ValueError(f"game must be zero-sum (R_0 + R_1 == 0); its rewards sum to as much as {gap:.6g}")

    S, (m, n) = game.n_states, game.action_shape

    def operator(V):  # every state's stage game at once (zero_sum_values: supports, or an LP per state)
        q = _q_values(game, V)
        value, x, y = zero_sum_values(q[0].reshape(S, m, n), tol=STAGE_TOL)
        return _Stage(np.stack([value, -value]), q, (x, y))

    return _iterate(game, operator, tol, max_iterations, callback, "Shapley value iteration", {"tol": tol,
                    "max_iterations": max_iterations}, progress=progress)


# ---------------------------------------------------------------------- exact bi-level RL
def birl_optimum(
    game,
    leader: int = 0,
    tie_break: str = "strong",
    *,
    tol: float = 1e-9,
    max_policies: int = 10**6,
    callback: Callable | None = None,
    progress: bool = False,
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
        Tie tolerance (follower's optimal actions; the leader's optimal policies).
    max_policies : int
        Largest number of leader policies to enumerate.
    callback : callable, optional
        Called after each enumerated leader policy as ``callback(k, leader_policy, leader_value)`` (``k`` from 1,
        ``leader_value`` at the initial distribution with the follower's tie-broken optimal response).
    progress : bool
        Show a tqdm bar of the enumeration.

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
    callback = _check_callback(callback)
    progress = check_flag("progress", progress)
    relevant = model.leader_relevant_states()
    count = model.n_leader ** relevant.size
    model.check_count(count, "leader policies", max_policies)
    near = lambda value, best: value >= best - tol * max(1.0, abs(best))  # noqa: E731
    best_value, best, candidates = -np.inf, None, []  # candidates: (policy, value) near the best so far
    with _progress_bar(progress, count, "leader policies") as bar:
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
    progress: bool = False,
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
        Tolerance of the value comparisons (follower optimality, leader optimum).
    max_policies : int
        Largest number of joint policies (and of leader policies in :func:`birl_optimum`) to enumerate.
    callback : callable, optional
        Called after each enumerated joint policy as ``callback(k, leader_policy, follower_policy, is_fixed_point)``
        (``k`` from 1).
    progress : bool
        Show tqdm bars of the two enumerations.

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
    callback = _check_callback(callback)
    progress = check_flag("progress", progress)
    relevant = model.joint_relevant_states()
    n_joint = model.n_leader * model.n_follower
    count = n_joint ** relevant.size
    model.check_count(count, "joint policies", max_policies)
    birl = birl_optimum(game, leader, tie_break, tol=tol, max_policies=max_policies, progress=progress)
    fixed_points = []
    with _progress_bar(progress, count, "joint policies") as bar:
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


# ---------------------------------------------------------------------- iteration engine
def _iterate(game, operator, tol, max_iterations, callback, method, parameters, detect_cycles=False, sweep=None,
             progress=False):
    """Backward induction or value iteration of the stage-equilibrium ``operator`` from zero values.

    ``sweep(V)``, when given, returns the new values alone (no Q-values or policies): the discounted loop uses it
    and calls the full ``operator`` once, on the final values.
    """
    N, S = game.n_players, game.n_states
    sweep = (lambda V: operator(V).values) if sweep is None else sweep
    if game.is_finite_horizon:
        H = game.horizon
        stages = [None] * H
        following = np.zeros((N, S))
        with _progress_bar(progress, H, method) as bar:
            for step, t in enumerate(reversed(range(H)), start=1):
                stages[t] = operator(following)
                change = float(np.abs(stages[t].values - following).max())
                if callback is not None:
                    callback(step, stages[t].values.copy(), change)
                bar.update(1)
                following = stages[t].values
        stack = lambda arrays: None if arrays[0] is None else np.stack(arrays)  # noqa: E731
        return MarkovSolution(
            values=np.stack([s.values for s in stages]), q=np.stack([s.q for s in stages]),
            policies=tuple(np.stack([s.policies[p] for s in stages]) for p in range(N)),
            leader_policy=stack([s.leader_policy for s in stages]),
            follower_policy=stack([s.follower_policy for s in stages]),
            iterations=H, bellman_residual=0.0, converged=True, stop_reason="converged",
            method=method + " (backward induction)", parameters=parameters,
        )

    gamma = game.gamma
    threshold = tol * (1.0 - gamma)  # stop when gamma * change <= threshold
    V = np.zeros((N, S))
    history: list[tuple] = []  # earlier value vectors, with their per-player max and min
    stop_reason, iteration = "max_iterations", 0
    with _progress_bar(progress, max_iterations, method) as bar:
        while iteration < max_iterations:
            iteration += 1
            new = sweep(V)
            change = float(np.abs(new - V).max())
            if detect_cycles:
                history = (history + [(V, V.max(axis=1), V.min(axis=1))])[-CYCLE_WINDOW:]
            V = new
            if callback is not None:
                callback(iteration, V.copy(), change)
            bar.update(1)
            if progress:
                bar.set_postfix(change=f"{change:.3g}", refresh=False)
            if gamma * change <= threshold:
                stop_reason = "converged"
                break
            if detect_cycles and _repeats(V, history[:-1], gamma, threshold):
                stop_reason = "cycle"
                break
        if progress and stop_reason != "max_iterations":
            bar.total = iteration  # close the bar at 100% when the iteration stops early
            bar.refresh()
    if stop_reason != "converged":
        reason = ("a value vector repeated (the iteration cycles)" if stop_reason == "cycle"
                  else f"max_iterations={max_iterations} sweeps did not reach tol={tol:g}")
        warnings.warn(f"{method} stopped after {iteration} sweeps: {reason}", RuntimeWarning, stacklevel=3)
    final = operator(V)
    return MarkovSolution(
        values=V, q=final.q, policies=final.policies, leader_policy=final.leader_policy,
        follower_policy=final.follower_policy, iterations=iteration,
        bellman_residual=float(np.abs(final.values - V).max()), converged=stop_reason == "converged",
        stop_reason=stop_reason, method=method, parameters=parameters,
    )


def _repeats(V, history, gamma, threshold) -> bool:
    """Whether ``gamma * max|V - old| <= threshold`` for some ``old`` of ``history`` (``(old, max, min)`` triples).

    ``|max V_p - max old_p|`` and ``|min V_p - min old_p|`` never exceed ``max|V - old|`` (also in floating point,
    subtraction being monotone), so comparing the per-player extremes first rules out most vectors without
    reading them: a sweep then costs ``O(N S)`` rather than ``O(100 N S)`` for the cycle check.
    """
    high, low = V.max(axis=1), V.min(axis=1)
    for old, old_high, old_low in history:
        bound = max(float(np.abs(high - old_high).max()), float(np.abs(low - old_low).max()))
        if gamma * bound <= threshold and gamma * np.abs(V - old).max() <= threshold:
            return True
    return False


def _progress_bar(progress, total, description):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="sweep", dynamic_ncols=True, disable=not progress)


def _q_values(game, V) -> np.ndarray:
    """``(N, S, A)`` Q-values ``R + discount * E[V(s')]`` (Bi-AC Eq. 1)."""
    return game.rewards + game.step_discount * game.expected_next(V)


# ---------------------------------------------------------------------- stage operators
def _pure_bilevel_operator(game, leader, tie_break):
    order = (leader, 1 - leader)

    def operator(V):
        q = _q_values(game, V)
        path, responses = _ordered_responses(q, game.action_shape, order, tie_break == "strong")
        stage = _pure_stage(game, q, path)
        return stage._replace(leader_policy=path[leader], follower_policy=responses[1].argmax(axis=-1))

    return operator


def _pure_bilevel_kernel_operator(game, leader, tie_break):
    """The operator of :func:`_pure_bilevel_operator` on the fused numba sweep, and a values-only sweep.

    :mod:`stackelberg.solvers.kernels.bilevel` reproduces the numpy operator's tie rules exactly (bit for bit on
    sparse transitions); it reads the transitions once per sweep and never densifies a sparse game.
    """
    kernels = _bilevel_kernels()
    strong, shape, gamma, R = tie_break == "strong", game.action_shape, game.step_discount, game.rewards
    S = game.n_states
    if game.is_sparse:
        indptr, indices, data = game.transition_csr

        def run(V, with_q):
            return kernels.bilevel_sweep_sparse(indptr, indices, data, R, V, gamma, leader, strong, shape,
                                                with_q=with_q)
    else:
        P = game.transitions

        def run(V, with_q):
            return kernels.bilevel_sweep_dense(P, R, V, gamma, leader, strong, shape, with_q=with_q)

    def operator(V):
        values, leader_action, responses, q = run(V, True)
        path = [None, None]
        path[leader], path[1 - leader] = leader_action, responses[np.arange(S), leader_action]
        policies = tuple(np.eye(n)[a] for n, a in zip(shape, path))
        return _Stage(values, q, policies, leader_policy=leader_action, follower_policy=responses)

    return operator, lambda V: run(V, False)[0]


def _bilevel_kernels():
    from .kernels import bilevel

    return bilevel


def _mixed_bilevel_operator(game, leader, tie_break):
    def solve_stage(stage_game):
        solution = stackelberg_equilibria(stage_game, leader, "mixed", tie_break, exact=False, tol=STAGE_TOL)[0]
        x = np.asarray(solution.leader_strategy, dtype=float)
        y = np.eye(stage_game.shape[1 - leader])[solution.follower_action]
        strategies = (x, y) if leader == 0 else (y, x)
        return np.array([float(v) for v in solution.payoffs]), strategies

    per_state = _per_state_operator(game, solve_stage)

    def operator(V):
        stage = per_state(V)
        return stage._replace(leader_policy=stage.policies[leader],
                              follower_policy=stage.policies[1 - leader].argmax(axis=1))

    return operator


def _per_state_operator(game, solve_stage):
    """An operator solving each distinct stage game once (``solve_stage(NormalFormGame) -> (values, strategies)``)."""
    memo: dict[bytes, tuple] = {}
    S, shape = game.n_states, game.action_shape

    def operator(V):
        q = _q_values(game, V)
        values = np.empty((game.n_players, S))
        policies = tuple(np.empty((S, n)) for n in shape)
        for s in range(S):
            key = q[:, s].tobytes()
            if key not in memo:
                memo[key] = solve_stage(game.stage_game(s, V))
            values[:, s], strategies = memo[key]
            for p, strategy in enumerate(strategies):
                policies[p][s] = strategy
        return _Stage(values, q, policies)

    return operator


def _pure_stage(game, q, path) -> _Stage:
    """The stage result of pure on-path actions ``path[p]`` ``(S,)`` per player (in player order)."""
    S = game.n_states
    joint = np.ravel_multi_index(tuple(path), game.action_shape)
    values = q[:, np.arange(S), joint]
    policies = tuple(np.eye(n)[a] for n, a in zip(game.action_shape, path))
    return _Stage(values, q, policies)


def _ordered_responses(q, action_shape, order, strong):
    """Vectorised N-level backward induction at every state (the rule of ``sequential_equilibria``).

    Returns the on-path actions per player (player order, ``(S,)`` each) and the response masks by level:
    ``responses[k][s, a_0, ..., a_k]`` (actions in move order) says whether player ``order[k]`` may play ``a_k``.
    """
    N, S = q.shape[0], q.shape[1]
    W = q.reshape((N, S) + tuple(action_shape))[list(order)]
    W = W.transpose((0, 1) + tuple(2 + p for p in order))  # players and action axes in move order
    responses: list = [None] * N
    for k in reversed(range(N)):
        chosen = _extreme_mask(W[k], None, True)
        for j in range(k):  # tie-break lexicographically from the first mover
            chosen = _extreme_mask(W[j], chosen, strong)
        responses[k] = chosen
        first = chosen.argmax(axis=-1)[..., None]
        W = np.take_along_axis(W[:k], first[None], axis=-1)[..., 0]
    index: tuple = (np.arange(S),)
    for k in range(N):
        index = index + (responses[k][index].argmax(axis=-1),)
    path = [None] * N
    for k, player in enumerate(order):
        path[player] = index[1 + k]
    return path, responses


def _extreme_mask(values, candidates, maximize):
    """Mask of the candidates within ``STAGE_TOL * max(1, |extreme|)`` of the max (or min) over the last axis."""
    inside = values if candidates is None else np.where(candidates, values, -np.inf if maximize else np.inf)
    extreme = (inside.max(axis=-1) if maximize else inside.min(axis=-1))[..., None]
    slack = STAGE_TOL * np.maximum(1.0, np.abs(extreme))
    mask = values >= extreme - slack if maximize else values <= extreme + slack
    return mask if candidates is None else mask & candidates


def _close(a, b) -> bool:
    return abs(a - b) <= STAGE_TOL * max(1.0, abs(a), abs(b))


def _select_first(payoffs, leader):
    return 0


def _select_pareto(payoffs, leader):
    for i, p in enumerate(payoffs):
        dominated = any(
            all(o[k] >= p[k] or _close(o[k], p[k]) for k in range(len(p)))
            and any(o[k] > p[k] and not _close(o[k], p[k]) for k in range(len(p)))
            for o in payoffs
        )
        if not dominated:
            return i
    raise AssertionError("a finite set always has a Pareto-undominated element")


def _select_best(scores):
    best = scores.max()
    return int(np.flatnonzero(scores >= best - STAGE_TOL * max(1.0, abs(best)))[0])


_SELECTIONS = {
    "first": _select_first,
    "pareto": _select_pareto,
    "leader": lambda payoffs, leader: _select_best(payoffs[:, leader]),
    "utilitarian": lambda payoffs, leader: _select_best(payoffs.sum(axis=1)),
}


# ---------------------------------------------------------------------- exact bi-level RL helpers
class _BilevelModel:
    """Dense leader-oriented arrays of a discounted two-player game and exact MDP solves on them."""

    def __init__(self, game, leader, tie_break, tol, max_policies):
        game = _check_game(game, players=2)
        if game.is_finite_horizon:
            raise ValueError("game must be discounted (gamma=...): bi-level RL over stationary policies is defined "
                             f"here for discounted games; got a finite horizon H={game.horizon}")
        self.leader = _check_player("leader", leader, 2)
        self.follower = 1 - self.leader
        self.tie_break = check_choice("tie_break", tie_break, TIE_BREAKS)
        self.tol = check_tol("tol", tol)
        check_positive_int("max_policies", max_policies)
        S, (n0, n1) = game.n_states, game.action_shape
        P = game.transitions
        P = (P.toarray() if hasattr(P, "toarray") else np.asarray(P)).reshape(S, n0, n1, S)
        R = game.rewards.reshape(2, S, n0, n1)
        if self.leader == 1:
            P, R = P.transpose(0, 2, 1, 3), R[::-1].transpose(0, 1, 3, 2)
        self.P, self.R = P, R  # (S, nL, nF, S), (2, S, nL, nF) with index 0 = leader
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
        optimal = Q_follower >= best - self.tol * np.maximum(1.0, np.abs(best))
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
                                          self.tie_break == "strong")
        states = np.arange(self.n_states)
        return bool(responses[0][states, leader_policy].all()
                    and responses[1][states, leader_policy, follower_policy].all())

    def is_birl(self, leader_policy, follower_policy, values, optimum) -> bool:
        """Follower optimal against the leader's policy, and the leader's value the BiRL optimum (within tol)."""
        P, R = self.follower_mdp(leader_policy)
        V_follower, _ = policy_iteration(P, R[1], self.gamma)[:2]
        follower_optimal = np.all(values[1] >= V_follower - self.tol * np.maximum(1.0, np.abs(V_follower)))
        leader_value = float(self.mu @ values[0])
        return bool(follower_optimal and leader_value >= optimum - self.tol * max(1.0, abs(optimum)))


# ---------------------------------------------------------------------- validation
def _check_game(game, players: int | None = None) -> MarkovGame:
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    if players is not None and game.n_players != players:
        raise ValueError(f"game must have {players} players; got a {game.n_players}-player game"
                         + (" (use solve_sequential for N players)" if players == 2 else ""))
    return game


def _check_player(name: str, value, n_players: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer player index in [0, {n_players}); got {value!r}")
    if not 0 <= value < n_players:
        raise ValueError(f"{name} must be a player index in [0, {n_players}); got {value}")
    return int(value)


def _check_callback(callback):
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")
    return callback


def _check_iteration_arguments(tol, max_iterations, callback):
    tol = check_tol("tol", tol)
    max_iterations = check_positive_int("max_iterations", max_iterations)
    return tol, max_iterations, _check_callback(callback)
