r"""Bi-level and N-level value iteration: the Stackelberg equilibrium of every stage game.

- :func:`solve_bilevel`: the bi-level Bellman equation (Bi-AC Eq. 7)
  :math:`V_i(s) = \mathrm{Stackelberg}_i(Q_1(s), Q_2(s))`. Pure commitment runs one fused numba sweep per
  iteration (:mod:`stackelberg.solvers.kernels.bilevel`: Q-values, for each leader action the follower's tie-broken
  best response, then the leader's best action, reading the transitions once; sparse games are never densified);
  the vectorised numpy operator it reproduces is kept as the reference of the tests; mixed
  commitment solves the strong (or weak) Stackelberg LPs of
  :func:`~stackelberg.solvers.matrix.stackelberg.stackelberg_equilibria` per state.
- :func:`solve_sequential`: the N-level (priority-ordered) equilibrium of STEP, vectorised over states.

Both operators need not contract (the follower's argmax jumps): the iteration also stops when a value vector
repeats (a cycle); see :mod:`stackelberg.solvers.markov`.

References
----------
H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eqs. 1, 7).

B. Zhang et al. Inducing Stackelberg equilibrium through spatio-temporal sequential decision-making in
multi-agent reinforcement learning. IJCAI 2023.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..._validation import check_choice, check_player
from .._numeric import STAGE_TOL, stage_floors
from ..matrix.sequential import _check_order
from ..matrix.stackelberg import stackelberg_equilibria
from ._iterate import (
    _Stage,
    _check_game,
    _check_iteration_arguments,
    _iterate,
    _per_state_operator,
    _pure_stage,
    _q_values,
    resolve_progress,
)
from .dynamic_programming import kernel_transitions
from .results import MarkovSolution

__all__ = ["solve_bilevel", "solve_sequential"]

TIE_BREAKS = ("strong", "weak")
COMMITMENTS = ("pure", "mixed")


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
    progress: bool | None = None,
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
    progress : bool or None
        Show a progress bar of the sweeps with the last change in its postfix (None, the default: only when
        stderr is a terminal).

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
    leader = check_player("leader", leader, 2)
    tie_break = check_choice("tie_break", tie_break, TIE_BREAKS)
    commitment = check_choice("commitment", commitment, COMMITMENTS)
    tol, max_iterations, callback = _check_iteration_arguments(tol, max_iterations, callback)
    progress = resolve_progress(progress)
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
    progress: bool | None = None,
) -> MarkovSolution:
    """N-level value iteration: the priority-ordered pure Stackelberg equilibrium of every stage game.

    At each state the players move in ``order``; each best-responds to its superiors' actions knowing its inferiors
    do the same, ties broken lexicographically for (strong) or against (weak) the superiors from the first mover
    (:func:`~stackelberg.solvers.matrix.sequential.sequential_equilibria`, whose first path is taken). Vectorised over states.

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
        Values, Q-values and every player's on-path pure stage action per state (``leader_policy`` and
        ``follower_policy`` are None).

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
    progress = resolve_progress(progress)
    parameters = {"order": order, "tie_break": tie_break, "tol": tol, "max_iterations": max_iterations}
    strong = tie_break == "strong"

    floors = stage_floors(game.rewards)

    def operator(V):
        q = _q_values(game, V)
        path, _ = _ordered_responses(q, game.action_shape, order, strong, floors)
        return _pure_stage(game, q, path)

    return _iterate(game, operator, tol, max_iterations, callback, "sequential value iteration", parameters,
                    detect_cycles=True, progress=progress)


# ---------------------------------------------------------------------- stage operators
def _pure_bilevel_operator(game, leader, tie_break):
    order = (leader, 1 - leader)
    floors = stage_floors(game.rewards)

    def operator(V):
        q = _q_values(game, V)
        path, responses = _ordered_responses(q, game.action_shape, order, tie_break == "strong", floors)
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
    layout, P = kernel_transitions(game)
    sweep = getattr(kernels, f"bilevel_sweep_{layout}")
    floors = stage_floors(R)

    def run(V, with_q):
        return sweep(*P, R, V, gamma, leader, strong, shape, with_q=with_q, floors=floors)

    def operator(V):
        values, leader_action, responses, q = run(V, True)
        path = [None, None]
        path[leader], path[1 - leader] = leader_action, responses[np.arange(S), leader_action]
        policies = tuple(np.eye(n)[a] for n, a in zip(shape, path))
        return _Stage(values, q, policies, leader_policy=leader_action, follower_policy=responses)

    return operator, lambda V: run(V, False)[0]


def _bilevel_kernels():
    from ..kernels import bilevel

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


def _ordered_responses(q, action_shape, order, strong, floors):
    """Vectorised N-level backward induction at every state (the rule of ``sequential_equilibria``).

    Player ``p``'s values tie within ``STAGE_TOL * max(floors[p], |extreme|)`` (``floors``: :func:`stage_floors`
    of the game's rewards).

    Returns the on-path actions per player (player order, ``(S,)`` each) and the response masks by level:
    ``responses[k][s, a_0, ..., a_k]`` (actions in move order) says whether player ``order[k]`` may play ``a_k``.
    """
    N, S = q.shape[0], q.shape[1]
    W = q.reshape((N, S) + tuple(action_shape))[list(order)]
    W = W.transpose((0, 1) + tuple(2 + p for p in order))  # players and action axes in move order
    responses: list = [None] * N
    for k in reversed(range(N)):
        chosen = _extreme_mask(W[k], None, True, floors[order[k]])
        for j in range(k):  # tie-break lexicographically from the first mover
            chosen = _extreme_mask(W[j], chosen, strong, floors[order[j]])
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


def _extreme_mask(values, candidates, maximize, floor):
    """Mask of the candidates within ``STAGE_TOL * max(floor, |extreme|)`` of the max (or min) over the last axis."""
    inside = values if candidates is None else np.where(candidates, values, -np.inf if maximize else np.inf)
    extreme = (inside.max(axis=-1) if maximize else inside.min(axis=-1))[..., None]
    slack = STAGE_TOL * np.maximum(floor, np.abs(extreme))
    mask = values >= extreme - slack if maximize else values <= extreme + slack
    return mask if candidates is None else mask & candidates
