r"""Equilibrium Q-learning: Nash-Q (Hu and Wellman) with a selection rule, and minimax-Q (Littman).

**Nash-Q** keeps :math:`Q_1, Q_2` over joint actions, and moves them towards
:math:`r_i + \gamma\, \mathrm{NASH}_i(Q_1(s'), Q_2(s'))` (Bi-AC Eq. 3) for a Nash equilibrium of the next stage game
chosen by an explicit ``selection`` rule (see :func:`nash_q_learning`); agents play their strategies of the current
stage game's selected equilibrium. **Minimax-Q** is the zero-sum case: each player :math:`i` keeps its own
:math:`Q_i` and moves it towards :math:`r_i + \gamma\, \mathrm{val}_i(Q_i(s'))`, the value of the matrix game in
which it maximises :math:`Q_i`, playing its maximin strategy.

The numba kernel solves the stage games itself with the numpy path's rules and hands a stage game back to Python
whenever it cannot be sure to decide it as the numpy path does; see :mod:`stackelberg.solvers.learning`.

References
----------
J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.

M. L. Littman. Markov games as a framework for multi-agent reinforcement learning. ICML 1994.
"""

from __future__ import annotations

import math

import numpy as np

from ..._validation import check_choice, check_player
from ...games.markov import MarkovGame
from ...games.normal_form import NormalFormGame
from .._numeric import STAGE_TOL
from ..markov.nash import _SELECTIONS, NASH_SELECTIONS
from ..matrix.nash import nash_equilibria
from ..matrix.zero_sum import MAX_SUPPORT_PAIRS, zero_sum_values
from .results import LearningResult, convergence_fraction  # noqa: F401  (convergence_fraction: doctests)
from .schedule import _kernels, _sample, _Setup, LearningSchedule, takes_schedule

__all__ = ["nash_q_learning", "minimax_q_learning"]


@takes_schedule
def nash_q_learning(game: MarkovGame, selection="first", *, leader=0, schedule: LearningSchedule) -> LearningResult:
    r"""Nash-Q learning (Hu and Wellman) with an explicit equilibrium-selection rule, vectorised over runs.

    At a state the stage game :math:`(Q_1(s), Q_2(s))` is solved as follows. Its *pure* Nash equilibria (every
    joint action whose entries are within ``1e-9 * max(1, max|Q(s)|)`` of both players' best replies) are found
    for all runs at once; when one exists the rule picks among them, joint actions in C order:

    - ``"first"``: the first pure equilibrium;
    - ``"pareto"``: the first one no other pure equilibrium Pareto-dominates (by more than the tolerance);
    - ``"leader"``: the first best one for player ``leader``;
    - ``"utilitarian"``: the first one with the largest payoff sum.

    Only a stage game without a pure equilibrium is solved by
    :func:`~stackelberg.solvers.matrix.nash.nash_equilibria` (all extreme equilibria, sorted by support) and the rule is
    applied to them as in :func:`~stackelberg.solvers.markov.solve_nash`. Agents play their strategies of the
    current state's selected equilibrium (after the exploration coin); with ``gamma = 0`` targets need no
    equilibrium.

    Parameters
    ----------
    game : MarkovGame
        A two-player game.
    selection : {"first", "pareto", "leader", "utilitarian"}
    leader : {0, 1}
        The player favoured by ``selection="leader"``.
    backend : {"auto", "numba", "numpy"}
        The numba kernel (stage games solved in the kernel; a mixed stage game it cannot certify to have the
        equilibrium set the numpy path finds is handed back to Python) or the vectorised numpy path; the same
        random numbers and selected equilibria, results equal up to rounding.

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` ``(runs, S, n_0, n_1)``; ``policies`` the selected equilibrium's strategies per
        state; greedy actions their most likely actions.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or on an unknown ``selection`` or ``leader``.

    Examples
    --------
    >>> from stackelberg.games.catalog import prisoners_dilemma
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = nash_q_learning(repeated_game(prisoners_dilemma(), 0.5), episodes=300, runs=4, seed=0)
    >>> convergence_fraction(result, (1, 1))
    1.0

    References
    ----------
    J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.
    """
    selection = check_choice("selection", selection, NASH_SELECTIONS)
    leader = check_player("leader", leader, 2)
    setup = _Setup(game, schedule)
    setup.parameters.update(selection=selection, leader=int(leader))

    def solve(q):
        return _stage_nash(q, selection, int(leader))

    return _equilibrium_q_learning(setup, solve, "nash", minimax=False, selection=NASH_SELECTIONS.index(selection),
                                   leader=int(leader))


@takes_schedule
def minimax_q_learning(game: MarkovGame, *, schedule: LearningSchedule) -> LearningResult:
    r"""Minimax-Q learning (Littman) in a two-player zero-sum Markov game, vectorised over runs.

    Each player :math:`i` learns its own :math:`Q_i(s, a_1, a_2)` towards :math:`r_i + \gamma\,\mathrm{val}_i(Q_i(s'))`
    and plays its maximin strategy of :math:`Q_i(s)`. The matrix-game value and strategies are the LP's
    (:func:`~stackelberg.solvers.matrix.zero_sum.zero_sum_values`), found for all runs at once by enumerating the
    square supports in increasing size (Shapley-Snow: some square submatrix always carries an optimal pair) and
    checking optimality within ``1e-9 * max(1, max|Q|)``; a run where none passes is solved by the LP itself.

    Parameters
    ----------
    game : MarkovGame
        A two-player game with ``R_0 + R_1 = 0`` (within ``1e-9 * max(1, max|R|)``).
    backend : {"auto", "numba", "numpy"}
        The numba kernel (the same support enumeration, thresholds and tie rules as
        :func:`~stackelberg.solvers.matrix.zero_sum.zero_sum_values`; a stage game it cannot decide the same way, or
        that needs the LP, is handed back to Python) or the vectorised numpy path; results equal up to rounding.

    Returns
    -------
    LearningResult
        ``q_values = (Q1, Q2)`` ``(runs, S, n_0, n_1)``; ``policies`` the maximin strategies per state.

    Raises
    ------
    TypeError, ValueError
        As :func:`bilevel_q_learning`, or when the rewards are not zero-sum.

    Examples
    --------
    >>> import numpy as np
    >>> from stackelberg.games.catalog import matching_pennies
    >>> from stackelberg.games.repeated import repeated_game
    >>> result = minimax_q_learning(repeated_game(matching_pennies(), 0.0), episodes=300, runs=3, seed=0)
    >>> np.round(result.policies[0][:, 0], 2).tolist()
    [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]

    References
    ----------
    M. L. Littman. Markov games as a framework for multi-agent reinforcement learning. ICML 1994.
    """
    setup = _Setup(game, schedule)
    rewards = game.rewards
    gap = float(np.abs(rewards[0] + rewards[1]).max())
    if gap > STAGE_TOL * float(np.abs(rewards).max()):  # relative: a zero-sum game in any units
        raise ValueError(f"game must be zero-sum (R_0 + R_1 == 0); its rewards sum to as much as {gap:.6g}")

    def solve(q):
        v1, x, _ = zero_sum_values(q[0])
        v2, y, _ = zero_sum_values(q[1].transpose(0, 2, 1))
        return x, y, np.stack([v1, v2]), False

    return _equilibrium_q_learning(setup, solve, "minimax", minimax=True)


# ---------------------------------------------------------------------- shared implementation
def _equilibrium_q_learning(setup, solve, algorithm, minimax, selection=0, leader=0):
    """Nash-Q / minimax-Q: ``solve(q (2, R, n0, n1)) -> (x (R, n0), y (R, n1), values (2, R), pure)``.

    The numba path runs :func:`~stackelberg.solvers.kernels.learning.equilibrium_q_kernel` and solves with
    ``solve`` only the stage games the kernel hands back.
    """
    game, R, S = setup.game, setup.runs, setup.game.n_states
    n0, n1 = game.action_shape
    Q = np.zeros((2, R, S, n0, n1))  # both players' tables in one array: one gather per step
    setup.snapshot = Q.copy
    if setup.backend == "numba":
        kernels = _kernels()
        kernels.load_vertex_kernels()
        pairs = sum(math.comb(n0, k) * math.comb(n1, k) for k in range(2, min(n0, n1) + 1))
        enumerable = pairs <= MAX_SUPPORT_PAIRS and max(n0, n1) <= 62
        position = np.zeros(10, dtype=np.int64)
        injected = np.zeros(n0 + n1 + 2)

        def call(e, init_u, U):
            position[:] = 0
            while kernels.equilibrium_q_kernel(Q, *setup.csr, setup.rewards, setup.init_cdf, setup.gamma, setup.eps[e],
                                               setup.alpha[e], init_u, U, minimax, selection, leader, enumerable,
                                               position, injected):
                r, state = int(position[1]), int(position[8])
                x, y, values, _ = solve(Q[:, r:r + 1, state])
                injected[:n0], injected[n0:n0 + n1], injected[n0 + n1:] = x[0], y[0], values[:, 0]

        setup.run_kernel(call)

        def finish(Q):
            X, Y, V = np.zeros((R, S, n0)), np.zeros((R, S, n1)), np.zeros((2, R, S))
            status = np.zeros((R, S), dtype=np.int64)
            kernels.equilibrium_stages(Q, minimax, selection, leader, enumerable, X, Y, V, status)
            for r, s in zip(*np.nonzero(status)):
                x, y, _, _ = solve(Q[:, r:r + 1, s])
                X[r, s], Y[r, s] = x[0], y[0]
            return (Q[0], Q[1]), np.stack([p.argmax(axis=2) for p in (X, Y)], axis=2), (X, Y)

        return _result(setup, algorithm, finish, Q)
    rows = np.arange(R)
    for k, states, U in setup.episodes_numpy():
        eps, alpha = setup.eps[k], setup.alpha[k][:, None]
        for u in U:
            x, y, _, pure = solve(Q[:, rows, states])
            a0 = setup.explore(u[:, 0], u[:, 2], x.argmax(axis=1) if pure else _sample(x, u[:, 2]), n0, eps)
            a1 = setup.explore(u[:, 1], u[:, 3], y.argmax(axis=1) if pure else _sample(y, u[:, 3]), n1, eps)
            joint = a0 * n1 + a1
            nxt = setup.transition(states, joint, u[:, 4])
            target = setup.rewards[:, states, joint]
            if setup.gamma > 0:
                target = target + setup.gamma * solve(Q[:, rows, nxt])[2]
            Q[:, rows, states, a0, a1] += alpha * (target - Q[:, rows, states, a0, a1])
            states = nxt

    def finish(Q):
        policies = (np.zeros((R, S, n0)), np.zeros((R, S, n1)))
        for s in range(S):
            policies[0][:, s], policies[1][:, s], _, _ = solve(Q[:, :, s])
        return (Q[0], Q[1]), np.stack([p.argmax(axis=2) for p in policies], axis=2), policies

    return _result(setup, algorithm, finish, Q)


def _result(setup, algorithm, finish, Q):
    q_values, greedy, policies = finish(Q)
    return LearningResult(algorithm, q_values, greedy, setup.initial_state, policies=policies,
                          parameters=setup.parameters, history=setup.history(finish))


def _stage_nash(q, selection, leader):
    """A selected Nash equilibrium of every stage game ``(q[0, r], q[1, r])``.

    Returns the strategies ``(R, n0)``, ``(R, n1)``, the payoffs ``(2, R)`` and whether every run's is pure.
    """
    q1, q2 = q[0], q[1]
    R, n0, n1 = q1.shape
    rows = np.arange(R)
    scale = np.maximum(1.0, np.abs(q).max(axis=(0, 2, 3)))  # payoffs closer than STAGE_TOL * scale tie
    tol = STAGE_TOL * scale
    t3 = tol[:, None, None]
    mask = ((q1 >= q1.max(axis=1, keepdims=True) - t3) & (q2 >= q2.max(axis=2, keepdims=True) - t3)).reshape(R, -1)
    f1, f2 = q1.reshape(R, -1), q2.reshape(R, -1)
    if selection == "first":
        candidates = mask
    elif selection == "pareto":
        d1, c1 = f1[:, :, None], f1[:, None, :]  # [r, d, c]
        d2, c2 = f2[:, :, None], f2[:, None, :]
        dominates = (mask[:, :, None] & (d1 >= c1 - t3) & (d2 >= c2 - t3) & ((d1 > c1 + t3) | (d2 > c2 + t3)))
        candidates = mask & ~dominates.any(axis=1)
    else:
        score = (f1 if leader == 0 else f2) if selection == "leader" else f1 + f2
        best = np.where(mask, score, -np.inf).max(axis=1, keepdims=True)
        candidates = mask & (score >= best - tol[:, None])
    index = candidates.argmax(axis=1)
    x = np.eye(n0)[index // n1]
    y = np.eye(n1)[index % n1]
    values = q.reshape(2, R, -1)[:, rows, index]
    mixed = np.flatnonzero(~mask.any(axis=1))
    for r in mixed:  # no pure equilibrium: all extreme equilibria, then the rule
        stage = NormalFormGame.from_bimatrix(q1[r], q2[r])
        equilibria = nash_equilibria(stage, exact=False, tol=STAGE_TOL)  # relative: it scales by the payoffs
        payoffs = np.array([[float(v) for v in eq.payoffs] for eq in equilibria])
        chosen = _SELECTIONS[selection](payoffs, leader, np.array([scale[r], scale[r]]))
        x[r], y[r] = equilibria[chosen].float_strategies()
        values[:, r] = payoffs[chosen]
    return x, y, values, mixed.size == 0
