r"""Nash value iteration with an explicit equilibrium selection (Nash-Q's operator, Bi-AC Eq. 3).

:math:`V_i(s) = \mathrm{NASH}_i(Q(s))` for one of the stage game's extreme Nash equilibria, chosen by a rule of
:data:`NASH_SELECTIONS`. The operator need not contract, so the iteration also stops when a value vector repeats.

References
----------
J. Hu and M. P. Wellman. Nash Q-learning for general-sum stochastic games. JMLR 4, 2003.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..._validation import check_choice, check_player
from .._numeric import STAGE_TOL, stage_floors
from ..matrix.nash import nash_equilibria
from ._iterate import _check_game, _check_iteration_arguments, _iterate, _per_state_operator, resolve_progress
from .results import MarkovSolution

__all__ = ["solve_nash", "NASH_SELECTIONS"]

#: Equilibrium-selection rules of :func:`solve_nash` (and of :func:`~stackelberg.solvers.learning.nash_q_learning`).
NASH_SELECTIONS = ("first", "pareto", "leader", "utilitarian")


def solve_nash(
    game,
    selection: str = "first",
    *,
    leader: int = 0,
    tol: float = 1e-8,
    max_iterations: int = 10_000,
    callback: Callable | None = None,
    progress: bool | None = None,
) -> MarkovSolution:
    """Nash value iteration (Nash-Q's operator, Bi-AC Eq. 3) with an explicit equilibrium-selection rule.

    At each state the extreme Nash equilibria of the stage game are enumerated
    (:func:`~stackelberg.solvers.matrix.nash.nash_equilibria`, sorted by support) and one is selected:

    - ``"first"``: the first one in that order;
    - ``"pareto"``: the first one that no other equilibrium Pareto-dominates;
    - ``"leader"``: the one best for player ``leader``;
    - ``"utilitarian"``: the one with the largest sum of payoffs.

    Each stage game is solved with the matrix solvers' rule (``tol`` ``1e-9`` relative to each player's payoff
    range there); equilibrium payoffs of player ``p`` within ``1e-9 * max(M_p, |payoff|)`` count as equal (the
    first such equilibrium is kept), ``M_p`` the largest ``|reward|`` of player ``p``, so scaling a player's
    rewards changes no choice. The Nash
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
        The values and strategies of the selected stage equilibria.

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
    leader = check_player("leader", leader, 2)
    tol, max_iterations, callback = _check_iteration_arguments(tol, max_iterations, callback)
    progress = resolve_progress(progress)
    parameters = {"selection": selection, "leader": leader, "tol": tol, "max_iterations": max_iterations}
    select = _SELECTIONS[selection]

    floors = stage_floors(game.rewards)

    def solve_stage(stage_game):  # tol relative to each player's stage payoffs: the matrix solvers' rule
        equilibria = nash_equilibria(stage_game, exact=False, tol=STAGE_TOL)
        chosen = equilibria[select(np.array([[float(v) for v in eq.payoffs] for eq in equilibria]), leader, floors)]
        return np.array([float(v) for v in chosen.payoffs]), chosen.float_strategies()

    operator = _per_state_operator(game, solve_stage)
    return _iterate(game, operator, tol, max_iterations, callback, "Nash value iteration", parameters,
                    detect_cycles=True, progress=progress)


# ---------------------------------------------------------------------- selection rules
# ``floors``: the players' stage floors (``stage_floors`` of the game's rewards; the learners pass none, 1 each).
def _close(a, b, floor=1.0) -> bool:
    return abs(a - b) <= STAGE_TOL * max(floor, abs(a), abs(b))


def _select_first(payoffs, leader, floors=None):
    return 0


def _select_pareto(payoffs, leader, floors=None):
    floors = np.ones(payoffs.shape[1]) if floors is None else floors
    for i, p in enumerate(payoffs):
        dominated = any(
            all(o[k] >= p[k] or _close(o[k], p[k], floors[k]) for k in range(len(p)))
            and any(o[k] > p[k] and not _close(o[k], p[k], floors[k]) for k in range(len(p)))
            for o in payoffs
        )
        if not dominated:
            return i
    raise AssertionError("a finite set always has a Pareto-undominated element")


def _select_best(scores, floor=1.0):
    best = scores.max()
    return int(np.flatnonzero(scores >= best - STAGE_TOL * max(floor, abs(best)))[0])


_SELECTIONS = {
    "first": _select_first,
    "pareto": _select_pareto,
    "leader": lambda payoffs, leader, floors=None: _select_best(payoffs[:, leader],
                                                                1.0 if floors is None else floors[leader]),
    "utilitarian": lambda payoffs, leader, floors=None: _select_best(payoffs.sum(axis=1),
                                                                     1.0 if floors is None else max(floors)),
}
