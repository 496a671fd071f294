r"""One Nash equilibrium of a bimatrix game by the Lemke-Howson algorithm.

For an ``m x n`` bimatrix game ``(A, B)`` with payoffs made positive (adding a
constant to a player's payoffs changes no equilibrium), the best-response
polytopes are

.. math::

    P = \{x \in \mathbb{R}^m : x \ge 0,\ B^\top x \le \mathbf{1}\}, \qquad
    Q = \{y \in \mathbb{R}^n : A y \le \mathbf{1},\ y \ge 0\}.

Labels ``0..m-1`` are the row actions and ``m..m+n-1`` the column actions:
:math:`x \in P` has label ``i`` when :math:`x_i = 0` and label ``m + j`` when
:math:`(B^\top x)_j = 1`; :math:`y \in Q` has label ``i`` when
:math:`(A y)_i = 1` and label ``m + j`` when :math:`y_j = 0`. Starting from the
artificial equilibrium ``(0, 0)``, Lemke-Howson drops the ``initial_label``
``k`` and follows the path of ``k``-almost completely labelled vertex pairs,
alternately pivoting in the tableau of ``P`` (``B^T x + s = 1``) and of ``Q``
(``r + A y = 1``): the label that leaves one basis enters the other, until
``k`` itself leaves. The end of the path, normalised to
:math:`(x / \mathbf{1}^\top x,\ y / \mathbf{1}^\top y)`, is a Nash equilibrium [1]_ [2]_.

**Degenerate games.** The minimum-ratio test breaks ties lexicographically
(the rows of the basis inverse, i.e. the columns of the initial slack basis,
after the right-hand side), which amounts to a consistent perturbation of the
right-hand side: every basis stays lexico-feasible and the path never cycles [1]_.

**Exact mode** pivots the integer payoffs of
:meth:`~stackelberg.games.normal_form.NormalFormGame.integer_payoffs` by
fraction-free integer pivoting (:func:`stackelberg.solvers._exact.fraction_free_pivot`): every entry stays an integer (a minor of the
original tableau) and the common denominator is the last pivot, so the result
is rational with exactly zero regret. **Float mode** maps each player's payoffs
affinely onto ``[1, 2]`` (same equilibria) and pivots in float64 with ``tol`` as
the smallest pivot and the tie tolerance of the ratio test, so ``tol`` is relative
to the payoff scale (:mod:`stackelberg.games._scale`).

The path length is exponential in the worst case (Savani and von Stengel);
``max_pivots`` turns a too-long run into an error.

References
----------
.. [1] B. von Stengel, "Computing equilibria for two-person games", Handbook of
   Game Theory with Economic Applications, vol. 3, ch. 45, 2002.
.. [2] C. E. Lemke, J. T. Howson, "Equilibrium points of bimatrix games",
   SIAM Journal on Applied Mathematics 12, 413-423, 1964.
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np

from ..._validation import check_positive_int, check_tol
from ...errors import IterationLimitError
from ...games._scale import normalised
from ...games.normal_form import NormalFormGame
from .._exact import fraction_free_pivot
from ._arguments import check_bimatrix_arguments
from .results import Equilibrium, certify_equilibrium

__all__ = ["lemke_howson"]


def lemke_howson(
    game: NormalFormGame,
    initial_label: int = 0,
    *,
    exact: bool | None = None,
    tol: float = 1e-9,
    max_pivots: int | None = None,
) -> Equilibrium:
    """One Nash equilibrium of a two-player game by Lemke-Howson pivoting.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    initial_label : int
        The label dropped first: ``0..m-1`` a row action, ``m..m+n-1`` a
        column action. Different labels may reach different equilibria.
    exact : bool, optional
        Integer pivoting with ``Fraction`` strategies (default: ``game.is_exact``).
    tol : float
        Float mode: smallest pivot, tie tolerance of the ratio test, and the
        largest regret the certificate accepts; tol is relative to the payoff
        scale (the range of each player's payoffs). Unused when exact.
    max_pivots : int, optional
        Stop with :class:`~stackelberg.errors.IterationLimitError` after this many pivots (default: no limit;
        the lexicographic rule guarantees termination).

    Returns
    -------
    Equilibrium
        Certified, with ``method="lemke-howson"`` and
        ``parameters={"initial_label": initial_label}``.

    Raises
    ------
    TypeError
        If ``game`` is not a NormalFormGame, or ``initial_label``, ``exact``,
        ``tol`` or ``max_pivots`` have the wrong type.
    ValueError
        If the game does not have 2 players, ``initial_label`` is out of
        range, ``tol`` is negative, ``max_pivots < 1``, or ``exact=True`` for a
        float game.
    IterationLimitError
        If the path needs more than ``max_pivots`` pivots (its ``budget`` is ``"max_pivots"``).
    CertificationError
        If a float result's regret exceeds ``tol`` (a numerical failure).

    Examples
    --------
    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    >>> eq = lemke_howson(game, initial_label=0)
    >>> [[str(p) for p in s] for s in eq.strategies], eq.max_regret
    ([['1', '0', '0'], ['1', '0']], Fraction(0, 1))
    >>> [str(p) for p in lemke_howson(game, initial_label=1).strategies[0]]
    ['0', '1/3', '2/3']

    References
    ----------
    B. von Stengel, "Computing equilibria for two-person games", Handbook of
    Game Theory, vol. 3, ch. 45, 2002.
    """
    exact = check_bimatrix_arguments(game, exact)
    tol = check_tol("tol", tol)
    m, n = game.shape
    if isinstance(initial_label, (bool, np.bool_)) or not isinstance(initial_label, numbers.Integral):
        raise TypeError(f"initial_label must be an integer in [0, {m + n}); got {initial_label!r}")
    if not 0 <= initial_label < m + n:
        raise ValueError(
            f"initial_label must be in [0, {m + n}) (rows 0..{m - 1}, then columns {m}..{m + n - 1}); "
            f"got {initial_label}"
        )
    initial_label = int(initial_label)
    if max_pivots is not None:
        max_pivots = check_positive_int("max_pivots", max_pivots)

    A, B = _positive_payoffs(game, exact)
    # columns are labels: P has x_i (label i) and the slack of column j (label m + j)
    p_matrix = np.concatenate([B.T, _identity(n, exact), _ones((n, 1), exact)], axis=1)
    q_matrix = np.concatenate([_identity(m, exact), A, _ones((m, 1), exact)], axis=1)
    p_tableau = _Tableau(p_matrix, range(m, m + n), exact, tol)
    q_tableau = _Tableau(q_matrix, range(m), exact, tol)

    tableau, other = (p_tableau, q_tableau) if initial_label < m else (q_tableau, p_tableau)
    entering, pivots = initial_label, 0
    while True:
        if max_pivots is not None and pivots >= max_pivots:
            raise IterationLimitError(
                f"Lemke-Howson from initial_label={initial_label} did not finish within max_pivots={max_pivots} pivots",
                budget="max_pivots",
            )
        leaving = tableau.pivot(entering)
        pivots += 1
        if leaving == initial_label:
            break
        entering = leaving
        tableau, other = other, tableau

    x = p_tableau.basic_values(range(m))
    y = q_tableau.basic_values(range(m, m + n))
    return certify_equilibrium(
        game,
        (x / x.sum(), y / y.sum()),
        exact=exact,
        tol=tol,
        method="lemke-howson",
        parameters={"initial_label": initial_label},
    )


class _Tableau:
    """A simplex tableau ``[C | I | 1]`` whose columns are labels, with its basis.

    Exact tableaux hold Python ints and pivot fraction-free: the basic columns
    hold the last pivot (the common denominator) in their row, and each pivot
    divides exactly by the previous one.
    """

    def __init__(self, matrix: np.ndarray, basis, exact: bool, tol: float):
        self.matrix = matrix
        self.basis = list(basis)
        self.lexicographic_columns = [matrix.shape[1] - 1, *self.basis]  # rhs, then the initial basis
        self.exact = exact
        self.tol = tol
        self.denominator = 1

    def pivot(self, entering: int) -> int:
        """Bring label ``entering`` into the basis; return the label that leaves."""
        row = self._minimum_ratio_row(entering)
        T = self.matrix
        if self.exact:
            self.denominator = fraction_free_pivot(T, row, entering, self.denominator)
        else:
            others = np.arange(len(T)) != row
            T[row] = T[row] / T[row, entering]
            T[others] -= np.outer(T[others, entering], T[row])
        leaving, self.basis[row] = self.basis[row], entering
        return leaving

    def _minimum_ratio_row(self, entering: int) -> int:
        """The row of the lexicographic minimum ratio test for the entering column."""
        T = self.matrix
        candidates = [i for i in range(len(T)) if T[i, entering] > (0 if self.exact else self.tol)]
        if not candidates:
            raise RuntimeError(f"label {entering} can enter without bound: the polytope is unbounded (a solver bug)")
        for column in self.lexicographic_columns:
            if self.exact:
                ratios = [Fraction(T[i, column], T[i, entering]) for i in candidates]
                smallest = min(ratios)
                candidates = [i for i, r in zip(candidates, ratios) if r == smallest]
            else:
                ratios = np.array([T[i, column] / T[i, entering] for i in candidates])
                candidates = [i for i, r in zip(candidates, ratios) if r <= ratios.min() + self.tol]
            if len(candidates) == 1:
                break
        return candidates[0]  # exact: unique, as the basis inverse is regular

    def basic_values(self, labels) -> np.ndarray:
        """Values of the variables with these labels (0 when nonbasic)."""
        exact = self.exact
        values = np.array([Fraction(0)] * len(labels), dtype=object) if exact else np.zeros(len(labels))
        position = {label: k for k, label in enumerate(labels)}
        for row, label in enumerate(self.basis):
            if label in position:
                rhs = self.matrix[row, -1]
                values[position[label]] = Fraction(rhs, self.matrix[row, label]) if exact else rhs
        return values


def _positive_payoffs(game: NormalFormGame, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(A, B)`` with entries >= 1: float64 mapped onto ``[1, 2]``, or (exact) Python ints mapped onto
    ``[span, 2 span]`` (``span`` the range of the integer payoffs, 1 if constant)."""
    if exact:
        matrices = [ints for ints, _ in game.integer_payoffs()]
    else:  # on [1, 2]: the pivot and tie tolerances are relative to each player's payoff scale
        return tuple(normalised(M) + 1.0 for M in game.bimatrix())
    # span * (normalised payoffs + 1): a positive multiple of the float mode's [1, 2] matrices, so a scaled or
    # shifted game pivots through the very same bases
    return tuple(M - M.min() + max(M.max() - M.min(), 1) for M in matrices)


def _identity(size: int, exact: bool) -> np.ndarray:
    return np.array(np.eye(size, dtype=np.int64), dtype=object) if exact else np.eye(size)


def _ones(shape, exact: bool) -> np.ndarray:
    return np.full(shape, 1, dtype=object) if exact else np.ones(shape)
