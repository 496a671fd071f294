r"""Correlated and coarse correlated equilibria of N-player games as linear programmes.

A distribution :math:`\pi` over joint actions :math:`a = (a_0, \dots, a_{N-1})` is a *correlated equilibrium*
(Aumann 1974) when no player gains by disobeying a recommendation: for every player :math:`p` and actions
:math:`i \ne j` of :math:`p`,

.. math:: \sum_{a_{-p}} \pi(i, a_{-p}) \, [u_p(i, a_{-p}) - u_p(j, a_{-p})] \ge 0
   \qquad \text{(obedience)},

and a *coarse correlated equilibrium* (Hannan; Moulin and Vial 1978) when no player gains by committing to a
fixed action before the recommendation: for every :math:`p` and :math:`j`,

.. math:: \sum_{a} \pi(a) \, [u_p(a) - u_p(j, a_{-p})] \ge 0 .

Both sets are polytopes in the simplex over joint actions; :func:`correlated_equilibria` maximises a linear
objective over them: the players' total payoff (``"welfare"``), the leader's (player 0's, ``"leader"``), or a
given array. Integer and ``Fraction`` payoffs are solved exactly (the integer-preserving simplex of
:func:`stackelberg.solvers._exact.exact_maximize`: a rational vertex, zero violation); float payoffs by HiGHS.
Every answer is certified by recomputing all obedience constraints from the game.

References
----------
.. [1] R. J. Aumann, "Subjectivity and correlation in randomized strategies", J. Math. Econ. 1, 67-96, 1974.
.. [2] H. Moulin and J.-P. Vial, "Strategically zero-sum games", Int. J. Game Theory 7, 201-221, 1978.
.. [3] C. H. Papadimitriou and T. Roughgarden, "Computing correlated equilibria in multi-player games",
   J. ACM 55(3), 2008.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..._validation import as_finite_array, check_flag
from ...errors import CertificationError
from ...games.normal_form import NormalFormGame
from .._exact import exact_maximize
from ._arguments import check_exact, check_game, check_solver_tol

__all__ = ["CorrelatedEquilibrium", "correlated_equilibria", "obedience_gains"]

OBJECTIVES = ("welfare", "leader")


@dataclass(frozen=True, kw_only=True)
class CorrelatedEquilibrium:
    """An optimal (coarse) correlated equilibrium with its certificate.

    Attributes
    ----------
    distribution : numpy.ndarray
        Probabilities over joint actions, shape ``game.shape`` (``Fraction`` entries when exact).
    payoffs : tuple
        Each player's expected payoff.
    value : float or Fraction
        The objective's value.
    objective : str
        ``"welfare"``, ``"leader"`` or ``"array"``.
    coarse : bool
        Coarse correlated equilibrium (True) or correlated equilibrium (False).
    max_gain : float or Fraction
        The largest gain of any deviation the obedience constraints cover (0 when exact; at most the tolerance).
    exact : bool
    method : str
    """

    distribution: np.ndarray
    payoffs: tuple
    value: Any
    objective: str
    coarse: bool
    max_gain: Any
    exact: bool
    method: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def support(self) -> list[tuple[int, ...]]:
        """The joint actions with positive probability, in index order."""
        probabilities = np.asarray(self.distribution, dtype=float)
        return [tuple(int(v) for v in a) for a in np.argwhere(probabilities > 0)] if self.exact else \
            [tuple(int(v) for v in a) for a in np.argwhere(probabilities > 1e-12)]


def obedience_gains(game: NormalFormGame, distribution, *, coarse: bool = False, exact: bool = False) -> np.ndarray:
    """The gain of every deviation the (coarse) correlated equilibrium constraints forbid; <= 0 at an equilibrium.

    Returns one array per player, stacked: ``gains[p][i, j]`` (correlated: from recommendation ``i`` to ``j``) or
    ``gains[p][j]`` (coarse: committing to ``j``), as a list.

    Examples
    --------
    >>> import stackelberg as sb
    >>> chicken = sb.NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> gains = obedience_gains(chicken, np.array([[1, 1], [1, 0]]) / 3)
    >>> [float(g.max()) for g in gains]
    [0.0, 0.0]
    """
    check_game(game)
    source = game.exact_payoffs if exact else game.payoffs
    pi = np.asarray(distribution, dtype=object if exact else float)
    gains = []
    for p, tensor in enumerate(source):
        u = np.moveaxis(tensor, p, 0).reshape(game.shape[p], -1)  # u[i, rest]
        weights = np.moveaxis(pi, p, 0).reshape(game.shape[p], -1)
        if coarse:
            current = (u * weights).sum()
            gains.append(np.array([(u[j] * weights.sum(axis=0)).sum() - current for j in range(game.shape[p])],
                                  dtype=object if exact else float))
        else:
            table = weights @ u.T - np.array([(weights[i] * u[i]).sum() for i in range(game.shape[p])],
                                             dtype=object if exact else float)[:, None]
            gains.append(table)  # table[i, j] = sum_rest pi(i, rest) (u(j, rest) - u(i, rest))
    return gains


def correlated_equilibria(
    game: NormalFormGame,
    objective="welfare",
    *,
    coarse: bool = False,
    exact: bool | None = None,
    tol: float = 1e-9,
) -> CorrelatedEquilibrium:
    """An optimal correlated (or coarse correlated) equilibrium of an N-player game (see the module).

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    objective : {"welfare", "leader"} or array_like
        Maximise the sum of the players' payoffs, player 0's payoff, or ``sum(c * pi)`` for an array ``c`` of
        shape ``game.shape`` (exact numbers keep an exact solve exact).
    coarse : bool
        Coarse correlated equilibria (one constraint per player and action) instead of correlated ones.
    exact : bool, optional
        Rational arithmetic (default: when the game is exact).
    tol : float
        Largest obedience gain accepted in a float solve, relative to the payoff scale ``max(1, max|u|)``.

    Returns
    -------
    CorrelatedEquilibrium

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or value (an objective of the wrong shape, with NaN, ...).
    CertificationError
        If the optimum violates an obedience constraint (a bug).

    Examples
    --------
    Chicken: the welfare-maximising correlated equilibrium puts 1/2 on (swerve, swerve) and 1/4 on each of the
    asymmetric outcomes (Aumann's example), better than any Nash equilibrium:

    >>> import stackelberg as sb
    >>> chicken = sb.NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> ce = correlated_equilibria(chicken)
    >>> [[str(v) for v in row] for row in ce.distribution], ce.value, ce.max_gain
    ([['1/2', '1/4'], ['1/4', '0']], Fraction(21, 2), Fraction(0, 1))
    >>> correlated_equilibria(chicken, coarse=True).value
    Fraction(21, 2)

    References
    ----------
    .. [1] R. J. Aumann, "Subjectivity and correlation in randomized strategies", J. Math. Econ. 1, 1974.
    """
    check_game(game)
    exact = check_exact(game, exact)
    coarse = check_flag("coarse", coarse)
    tol = check_solver_tol(tol, exact, "a float solve", "HiGHS leaves tiny violations")
    source = game.exact_payoffs if exact else game.payoffs
    if isinstance(objective, str):
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be 'welfare', 'leader' or an array of shape {game.shape}; "
                             f"got {objective!r}")
        c = sum(source) if objective == "welfare" else source[0]
        name = objective
    else:
        as_finite_array("objective", np.asarray(objective, dtype=object) if exact else objective)
        c = np.asarray(objective, dtype=object if exact else float)
        if c.shape != game.shape:
            raise ValueError(f"objective must have the game's shape {game.shape}; got {c.shape}")
        if exact:
            try:
                c = np.vectorize(Fraction, otypes=[object])(c)
            except TypeError:
                raise TypeError("objective must hold numbers") from None
        name = "array"
    rows = _constraint_rows(source, game.shape, coarse, exact)  # each row . pi <= 0
    size = int(np.prod(game.shape))
    if exact:
        # scale each player's rows to integers: the constraints are homogeneous, so any positive scale is fine
        vertex = exact_maximize(list(c.ravel()), [list(r) for r in rows], [0] * len(rows), [[1] * size], [1])
        distribution = np.array(vertex, dtype=object).reshape(game.shape)
        method = "exact simplex"
    else:
        from scipy.optimize import linprog

        scale = max(1.0, max(float(np.abs(t).max()) for t in source))
        result = linprog(-np.asarray(c, float).ravel() / scale, A_ub=np.array(rows, float) / scale,
                         b_ub=np.zeros(len(rows)), A_eq=np.ones((1, size)), b_eq=[1.0], bounds=(0, None),
                         method="highs")
        if result.status != 0:  # the polytope always holds the Nash equilibria: only a numerical failure
            raise CertificationError(f"HiGHS failed on the correlated equilibrium LP: {result.message}")
        distribution = np.clip(result.x, 0.0, None)
        distribution = (distribution / distribution.sum()).reshape(game.shape)
        method = "highs"
    return _certify(game, distribution, c, name, coarse, exact, tol, method)


def _constraint_rows(source, shape, coarse, exact):
    """Rows ``r`` with ``r . pi <= 0``: the gains of the deviations, as linear forms in the flattened ``pi``."""
    rows = []
    for p, tensor in enumerate(source):
        n = shape[p]
        for j in range(n):
            alternative = np.take(tensor, [j] * n, axis=p)  # u_p(j, a_-p) broadcast along p's axis
            gain = alternative - tensor  # gain of playing j instead of the recommendation
            if coarse:
                rows.append(list(gain.ravel()))
                continue
            for i in range(n):
                if i == j:
                    continue
                mask = np.zeros(shape, dtype=bool)
                mask[(slice(None),) * p + (i,)] = True
                row = np.where(mask, gain, Fraction(0) if exact else 0.0)
                rows.append(list(row.ravel()))
    return rows


def _certify(game, distribution, c, name, coarse, exact, tol, method) -> CorrelatedEquilibrium:
    scale = 1.0 if exact else max(1.0, max(float(np.abs(t).max()) for t in game.payoffs))
    gains = obedience_gains(game, distribution, coarse=coarse, exact=exact)
    worst = max(g.max() for g in gains)
    if exact:
        ok = worst <= 0 and all(v >= 0 for v in distribution.ravel()) and sum(distribution.ravel()) == 1
    else:
        ok = worst <= tol * scale and distribution.min() >= 0 and abs(distribution.sum() - 1) <= 1e-9
    if not ok:
        raise CertificationError(f"{method} returned a distribution with an obedience gain {float(worst):.3g}")
    source = game.exact_payoffs if exact else game.payoffs
    payoffs = tuple((t * distribution).sum() if exact else float((t * distribution).sum()) for t in source)
    value = (c * distribution).sum()
    return CorrelatedEquilibrium(
        distribution=distribution,
        payoffs=payoffs,
        value=value if exact else float(value),
        objective=name,
        coarse=coarse,
        max_gain=max(worst, Fraction(0)) if exact else float(max(worst, 0.0)),
        exact=exact,
        method=method,
    )
