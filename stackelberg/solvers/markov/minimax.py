r"""Shapley's value iteration for two-player zero-sum Markov games (Bi-AC Eq. 2).

:math:`V_0(s) = \mathrm{val}(Q_0(s))` and :math:`V_1 = -V_0`; the minimax operator contracts, so the stopping rule
:math:`\frac{\gamma}{1-\gamma}\|V_{k+1}-V_k\|_\infty \le` ``tol`` bounds the error of the values.

References
----------
L. S. Shapley. Stochastic games. PNAS 39(10), 1953.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .._numeric import STAGE_TOL
from ..matrix.zero_sum import zero_sum_values
from ._iterate import _Stage, _check_game, _check_iteration_arguments, _iterate, _q_values, resolve_progress
from .results import MarkovSolution

__all__ = ["solve_minimax"]


def solve_minimax(
    game,
    *,
    tol: float = 1e-8,
    max_iterations: int = 10_000,
    callback: Callable | None = None,
    progress: bool | None = None,
) -> MarkovSolution:
    """Shapley's value iteration for a two-player zero-sum Markov game (Bi-AC Eq. 2).

    ``V_0(s) = val(Q_0(s))`` and ``V_1 = -V_0``: the matrix-game values of all states at once
    (:func:`~stackelberg.solvers.matrix.zero_sum.zero_sum_values`).

    Parameters
    ----------
    game : MarkovGame
        A two-player game with ``R_0 + R_1 = 0`` (within ``1e-9 * max(1, max|R|)``).
    tol, max_iterations, callback, progress
        As for :func:`solve_bilevel`.

    Returns
    -------
    MarkovSolution
        The values of the game and both players' optimal (maximin) stage strategies.

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
    progress = resolve_progress(progress)
    rewards = game.rewards
    gap = float(np.abs(rewards[0] + rewards[1]).max())
    if gap > STAGE_TOL * float(np.abs(rewards).max()):  # relative: a zero-sum game in any units
        raise ValueError(f"game must be zero-sum (R_0 + R_1 == 0); its rewards sum to as much as {gap:.6g}")

    S, (m, n) = game.n_states, game.action_shape

    def operator(V):  # every state's stage game at once (zero_sum_values: supports, or an LP per state)
        q = _q_values(game, V)
        value, x, y = zero_sum_values(q[0].reshape(S, m, n), tol=STAGE_TOL)
        return _Stage(np.stack([value, -value]), q, (x, y))

    return _iterate(game, operator, tol, max_iterations, callback, "Shapley value iteration", {"tol": tol,
                    "max_iterations": max_iterations}, progress=progress)
