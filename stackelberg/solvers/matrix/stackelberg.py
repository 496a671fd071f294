r"""Stackelberg equilibria of two-player matrix games.

The leader (row player, payoff matrix :math:`A`) commits first; the follower
(column player, :math:`B`) observes the commitment and best-responds. With a
commitment :math:`x` (a pure action or a mixed strategy on the simplex
:math:`\Delta`) the follower's best responses are

.. math:: BR(x) = \arg\max_j \; x^\top B_{:,j},

and a tie-break rule says which of them the follower plays:

* ``tie_break="strong"``: the one best for the leader (optimistic), value
  :math:`s(x) = \max_{j \in BR(x)} x^\top A_{:,j}`;
* ``tie_break="weak"``: the one worst for the leader (pessimistic), value
  :math:`w(x) = \min_{j \in BR(x)} x^\top A_{:,j}`.

**Pure commitment** maximises :math:`s(e_i)` or :math:`w(e_i)` over the leader's
actions :math:`i` by a vectorised pass over both matrices. Every optimal
``(leader action, follower response)`` pair is returned.

**Mixed commitment, strong** (the strong Stackelberg equilibrium, SSE) solves one
linear programme per follower action :math:`j` (Conitzer and Sandholm, 2006):

.. math:: \max_{x \in \Delta} x^\top A_{:,j} \quad \text{s.t.} \quad
          x^\top B_{:,j} \ge x^\top B_{:,k} \;\; \forall k,

and keeps every :math:`j` whose programme attains the best value. Columns that
a pure column strictly dominates are skipped; a column whose bound
:math:`\max_i A_{ij}` falls below the best value found is never solved, and
one whose bound is reached by a pure commitment needs no LP. The others are
solved by constraint generation (the most violated follower constraints are
added until the relaxation's optimum is feasible), and abandoned as soon as a
relaxation's value, an upper bound, falls below the best value found.

**Mixed commitment, weak.** :math:`w` is only upper semi-continuous, so its
supremum may not be attained. Group follower columns into classes :math:`C` of
identical columns (forced ties). The strict regions
:math:`R_C = \{x \in \Delta : x^\top B_C > x^\top B_k,\ k \notin C\}` of the
non-empty classes cover a dense subset of :math:`\Delta`, and :math:`w` equals
:math:`\min_{j \in C} x^\top A_{:,j}` on :math:`R_C`, hence

.. math:: \sup_{x \in \Delta} w(x) = \max_{C:\, R_C \ne \emptyset} \;
          \max_{x \in \overline{R_C}} \min_{j \in C} x^\top A_{:,j},

one LP with an auxiliary variable per class (:math:`\overline{R_C}` is the
polytope of weak inequalities), after a *strictness LP*
:math:`\max\{s : x^\top (B_C - B_k) \ge s\}` has shown :math:`R_C \ne \emptyset`.
Attainment is decided completely: a commitment attains the supremum
:math:`V^*` exactly when :math:`x^\top A_{:,j} \ge V^*` for every
:math:`j \in BR(x)`. For each optimal class the search starts on the optimal
face :math:`Q = \{x \in \overline{R_C} : \min_{j \in C} x^\top A_{:,j} \ge V^*\}`;
a strictness LP over :math:`Q` either finds a point where only :math:`C` (and
the columns already known to tie) are best responses, or proves that some
columns tie with :math:`C` everywhere on :math:`Q` (found one LP per column);
those columns join the best-response set, their constraints
:math:`x^\top A_{:,j} \ge V^*` shrink :math:`Q`, and the search repeats until a
point is found (attained) or :math:`Q` is empty (not attained). When the
supremum is not attained the solution holds an :math:`\epsilon`-commitment
:math:`x_\lambda = (1-\lambda) x^* + \lambda x_s` between the optimum
:math:`x^*` and a point :math:`x_s` of the strict region: the follower strictly
prefers the class :math:`C` for every :math:`\lambda > 0`, and the leader loses
at most :math:`\lambda (V^* - \min_{j \in C} x_s^\top A_{:,j}) \le \epsilon`.
Both claims are checked on the returned commitment.

**Exact mode** (integer or ``Fraction`` payoffs): comparisons are exact; every
LP is solved by an integer-preserving (Bareiss / Edmonds) two-phase simplex
(:func:`stackelberg.solvers._exact.exact_maximize`) on the integer-scaled data (Dantzig's rule, Bland's rule against cycling), so
the optimum is a rational vertex and the final tableau (feasible right-hand
side, non-negative reduced costs) is the optimality certificate. The
follower's regret of every returned solution is recomputed from the game in
``Fraction`` and must be exactly 0. Exact mode suits small and medium games
(a 100 x 100 integer game takes seconds); pass ``exact=False`` for the HiGHS
path on large games.

**Float mode**: each player's payoffs are mapped affinely onto ``[0, 1]``
(:func:`stackelberg.games._scale.normalised`; a positive affine change
of a player's payoffs changes no best response and no optimal commitment), so
``tol`` is relative to the payoff scale: a payoff within ``tol`` times the
range of that player's payoffs of an extreme ties with it, in the pure and in
the mixed commitment, and the LPs, solved by HiGHS
(:func:`scipy.optimize.linprog`), are equally well scaled for payoffs of size
``1e-12`` or ``1e12``. Reported values are recomputed from the game's payoffs.
In float mode the weak supremum's attainment is decided up to the LP
tolerance; exact mode decides it exactly.

References
----------
.. [1] V. Conitzer and T. Sandholm, "Computing the optimal strategy to commit
   to", EC 2006.
.. [2] B. von Stengel and S. Zamir, "Leadership games with convex strategy
   sets", Games and Economic Behavior 69 (2010).
.. [3] H. Zhang et al., "Bi-level actor-critic for multi-agent coordination",
   AAAI 2020 (Escape and Maintain games).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
from scipy.optimize import linprog

from ..._validation import (
    check_choice,
    check_player,
    check_positive,
    check_positive_int,
    check_tol,
)
from ...errors import ProblemTooLargeError
from ...games._scale import payoff_range
from ...games.normal_form import NormalFormGame
from .._exact import exact_maximize
from ._arguments import check_bimatrix_arguments
from .results import CertificationError

__all__ = ["MAX_LP_ENTRIES", "StackelbergSolution", "stackelberg_equilibria"]

MAX_LP_ENTRIES = 250_000_000
"""Default ``max_lp_entries`` of mixed commitment: the worst-case work, one LP with a dense ``n x m`` constraint
matrix per follower action (``n m^2`` entries; Python-int simplex entries count :data:`EXACT_ENTRY_WEIGHT` times).
Float games up to about 600 x 600 fit, exact ones up to about 130 x 130."""
EXACT_ENTRY_WEIGHT = 100
COMMITMENTS = ("pure", "mixed")
TIE_BREAKS = ("strong", "weak")
DEFAULT_RELATIVE_EPSILON = Fraction(1, 10**6)


@dataclass(frozen=True, kw_only=True)
class StackelbergSolution:
    """A Stackelberg equilibrium of a two-player game, with its certificate.

    Attributes
    ----------
    leader, follower : int
        Player indices in the original game.
    leader_strategy : numpy.ndarray
        The commitment over the leader's actions (one-hot for pure commitment;
        ``Fraction`` entries in exact mode).
    follower_action : int
        The follower's response (under the tie-break rule).
    payoffs : tuple
        Both players' payoffs at (commitment, response), in the original player order.
    leader_value, follower_value : float or Fraction
        The same payoffs by role.
    commitment : str
        ``"pure"`` or ``"mixed"``.
    tie_break : str
        ``"strong"`` or ``"weak"``.
    attained : bool
        Whether ``leader_value`` equals the leader's supremum (always True except
        for weak mixed commitment whose supremum is not attained).
    supremum : float or Fraction
        The leader's optimal value (a supremum for weak mixed commitment).
    epsilon : float, Fraction or None
        The promised loss bound of a weak mixed commitment, else None.
    exact : bool
        Whether all numbers are exact rationals.
    method : str
        The algorithm that produced the solution.
    follower_best_responses : tuple of int
        All follower best responses to the commitment (exact ties, or within the
        float tolerance).
    follower_regret : float or Fraction
        ``max_k x.B[:, k] - x.B[:, follower_action]``: 0 (exactly, in exact mode).
    follower_margin : float, Fraction or None
        How much the follower strictly prefers its best responses to every other
        action (None when every action is a best response).
    leader_loss : float or Fraction
        ``supremum - leader_value`` (0 when attained, at most ``epsilon`` otherwise).
    """

    leader: int
    follower: int
    leader_strategy: np.ndarray
    follower_action: int
    payoffs: tuple
    leader_value: Any
    follower_value: Any
    commitment: str
    tie_break: str
    attained: bool
    supremum: Any
    epsilon: Any
    exact: bool
    method: str
    follower_best_responses: tuple
    follower_regret: Any
    follower_margin: Any
    leader_loss: Any

    @property
    def leader_action(self) -> int | None:
        """The leader's action of a pure commitment, else None."""
        support = [i for i, v in enumerate(self.leader_strategy) if v != 0]
        return support[0] if len(support) == 1 else None

    def __eq__(self, other) -> bool:
        if not isinstance(other, StackelbergSolution):
            return NotImplemented
        same = (self.leader, self.follower, self.follower_action, self.commitment, self.tie_break) == (
            other.leader, other.follower, other.follower_action, other.commitment, other.tie_break)
        return same and np.allclose(np.asarray(self.leader_strategy, float), np.asarray(other.leader_strategy, float))

    __hash__ = None


def stackelberg_equilibria(
    game: NormalFormGame,
    leader: int = 0,
    commitment: str = "pure",
    tie_break: str = "strong",
    *,
    exact: bool | None = None,
    tol: float = 1e-9,
    epsilon=None,
    max_lp_entries: int = MAX_LP_ENTRIES,
) -> list[StackelbergSolution]:
    """All Stackelberg equilibria of a two-player game for one leader.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game.
    leader : {0, 1}
        The committing player; the other one follows.
    commitment : {"pure", "mixed"}
        Whether the leader commits to an action or to a mixed strategy.
    tie_break : {"strong", "weak"}
        The follower breaks ties in favour of (strong) or against (weak) the leader.
    exact : bool, optional
        Solve in rationals (default: when the game is exact). ``True`` needs an
        exact game; ``False`` uses floats (and HiGHS) even for integer games.
    tol : float
        Float mode: tol is relative to the payoff scale; a player's payoffs
        within ``tol`` times their range of each other tie (best responses,
        optimal commitments, regrets). Ignored in exact mode.
    epsilon : float or Fraction, optional
        Only for ``commitment="mixed", tie_break="weak"``: the largest loss
        accepted for a commitment when the supremum is not attained. Default:
        ``1e-6`` times the range of the leader's payoffs (``1e-6`` if the range is 0).
    max_lp_entries : int
        Mixed commitment only: refuse, before any work, a game whose LPs may
        hold more constraint-matrix entries in total than this (``n m^2`` for
        ``n`` leader and ``m`` follower actions, times
        :data:`EXACT_ENTRY_WEIGHT` in exact mode; default
        :data:`MAX_LP_ENTRIES`), with
        :class:`~stackelberg.errors.ProblemTooLargeError` (``limit="max_lp_entries"``).

    Returns
    -------
    list of StackelbergSolution
        Pure: one per optimal (leader action, follower response) pair, by leader
        action then response. Mixed strong: one per follower action whose LP
        attains the optimum. Mixed weak: one per optimal class of identical
        follower columns (by its first column); a commitment and response that
        several classes reach are listed once.

    Raises
    ------
    TypeError
        If ``game`` is not a NormalFormGame or a numeric argument has the wrong type.
    ValueError
        If the game does not have two players, ``leader`` is not 0 or 1,
        ``commitment``/``tie_break`` are unknown, ``exact=True`` for a float game,
        or ``epsilon`` is not positive or given outside weak mixed commitment.
    ProblemTooLargeError
        If a mixed commitment's LPs would exceed ``max_lp_entries``.
    CertificationError
        If a solution fails its own check (a bug, never silent).

    Examples
    --------
    >>> import stackelberg as sb
    >>> from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria
    >>> game = sb.NormalFormGame.from_bimatrix([[2, 4], [1, 3]], [[1, 0], [0, 1]])
    >>> [(s.leader_action, s.follower_action, s.leader_value) for s in stackelberg_equilibria(game)]
    [(1, 1, Fraction(3, 1))]
    >>> sse = stackelberg_equilibria(game, commitment="mixed")[0]
    >>> sse.leader_strategy.tolist(), sse.follower_action, sse.leader_value
    ([Fraction(1, 2), Fraction(1, 2)], 1, Fraction(7, 2))
    >>> weak = stackelberg_equilibria(sb.NormalFormGame.from_bimatrix([[3, 9], [9, 1]], [[0, 0], [1, 8]]),
    ...                               commitment="mixed", tie_break="weak")[0]
    >>> weak.supremum, weak.attained, weak.leader_loss <= weak.epsilon
    (Fraction(9, 1), False, True)

    References
    ----------
    .. [1] V. Conitzer and T. Sandholm, "Computing the optimal strategy to
       commit to", EC 2006.
    """
    exact = check_bimatrix_arguments(game, exact, purpose="stackelberg_equilibria",
                                     hint="use sequential_equilibria for N players")
    leader = check_player("leader", leader, 2)
    check_choice("commitment", commitment, COMMITMENTS)
    check_choice("tie_break", tie_break, TIE_BREAKS)
    tol = check_tol("tol", tol)
    if epsilon is not None and (commitment, tie_break) != ("mixed", "weak"):
        raise ValueError("epsilon is only used with commitment='mixed', tie_break='weak'; "
                         f"got epsilon={epsilon!r} with commitment={commitment!r}, tie_break={tie_break!r}")

    max_lp_entries = check_positive_int("max_lp_entries", max_lp_entries)
    if commitment == "mixed":
        n, m = game.shape if leader == 0 else game.shape[::-1]
        entries = n * m * m * (EXACT_ENTRY_WEIGHT if exact else 1)
        if entries > max_lp_entries:
            raise ProblemTooLargeError(
                f"mixed-commitment Stackelberg of a game with {n} leader and {m} follower actions may solve {m} LPs "
                f"of {n} x {m} constraints ({entries:,} entries{', weighted for exact arithmetic' if exact else ''}), "
                f"more than max_lp_entries={max_lp_entries:,}",
                limit="max_lp_entries",
            )
    oriented = game if leader == 0 else game.permute_players([1, 0])
    problem = _Problem(oriented, exact, tol, normalise_exact=commitment == "mixed")
    if commitment == "pure":
        found = _pure_commitment(problem, tie_break)
        method = "pure-commitment enumeration"
    elif tie_break == "strong":
        found = _strong_mixed_commitment(problem)
        method = "multiple LPs (" + ("exact simplex" if exact else "HiGHS") + ")"
    else:
        epsilon = problem.check_epsilon(epsilon)
        found = _weak_mixed_commitment(problem, epsilon)
        method = "weak-supremum LPs (" + ("exact simplex" if exact else "HiGHS") + ")"
    return [problem.certify(x, j, leader, commitment, tie_break, method, supremum, attained, epsilon)
            for x, j, supremum, attained in found]


# ---------------------------------------------------------------------------- problem data


class _Problem:
    """The leader-oriented payoffs in one arithmetic (float or Fraction) and the tolerance rule.

    Exact mode compares exactly. Float mode solves on each player's payoffs mapped affinely onto ``[0, 1]``
    (:func:`~stackelberg.games._scale.normalised`: same best responses, same optimal commitments, and
    well-scaled LPs whatever the magnitude of the payoffs), where ``tol`` is an absolute tolerance: tol is relative
    to the payoff scale. Exact mixed commitment (``normalise_exact``) maps the payoffs onto ``[0, 1]`` in
    ``Fraction`` too, so that a scaled or shifted game gives the very same LPs and the same commitments. Reported
    values are recomputed from the original payoffs.
    """

    def __init__(self, game: NormalFormGame, exact: bool, tol: float, normalise_exact: bool = False):
        self.exact = exact
        self.tol = tol
        self.raw_A, self.raw_B = game.bimatrix()
        self.offset_A = None
        if exact:
            self.raw_exact_A, self.raw_exact_B = game.bimatrix(exact=True)
            self.A, self.B = self.raw_exact_A, self.raw_exact_B
            self.float_A, self.float_B = self.raw_A, self.raw_B  # correctly rounded: they propose, exact decides
            if normalise_exact:
                (self.A, self.offset_A, self.span_A), (self.B, _, self.span_B) = (
                    _normalised_exact(M) for M in (self.A, self.B))
                self.float_A, self.float_B = (np.array([float(v) for v in M.ravel()]).reshape(M.shape)
                                              for M in (self.A, self.B))  # correctly rounded
            self.atol = Fraction(0)
        else:  # A, B and float_A, float_B: normalised on first use (pure commitment reads the raw matrices)
            self.atol = tol
        (self.low_A, self.scale_A), (self.low_B, self.scale_B) = payoff_range(self.raw_A), payoff_range(self.raw_B)
        self.shape = self.raw_A.shape
        self.zero = Fraction(0) if exact else 0.0
        self.one = Fraction(1) if exact else 1.0
        self._pure_rows: dict = {}

    # Float mode only (exact mode sets these attributes in __init__): each player's payoffs mapped onto [0, 1], as
    # games._scale.normalised does, with the offset and scale read once.
    @cached_property
    def A(self) -> np.ndarray:
        return (self.raw_A - self.low_A) / self.scale_A

    @cached_property
    def B(self) -> np.ndarray:
        return (self.raw_B - self.low_B) / self.scale_B

    @cached_property
    def float_A(self) -> np.ndarray:
        return self.A

    @cached_property
    def float_B(self) -> np.ndarray:
        return self.B

    def payoff_rows(self, i) -> tuple[np.ndarray, np.ndarray]:
        """Row ``i`` of ``A`` and of ``B`` (float mode: normalised without normalising the whole matrices)."""
        if self.exact or "A" in self.__dict__:
            return self.A[i], self.B[i]
        return (self.raw_A[i] - self.low_A) / self.scale_A, (self.raw_B[i] - self.low_B) / self.scale_B

    def _follower_summary(self, follower):
        """The follower's best payoff, its best responses (mask, indices) and how much better they are than the rest."""
        top = follower.max()
        best = follower >= top - self.slack(top)
        others = follower[~best]
        return top, best, tuple(int(k) for k in np.flatnonzero(best)), (top - others.max() if others.size else None)

    def slack(self, extreme):
        """How far a value may fall short of ``extreme`` and still tie with it (in the solver's units)."""
        return self.atol

    def check_epsilon(self, epsilon):
        """``epsilon`` in the solver's units (normalised leader payoffs, except in exact pure commitment)."""
        if epsilon is None:
            if self.exact:
                span = self.A.max() - self.A.min()
                return DEFAULT_RELATIVE_EPSILON * (span if span > 0 else 1)
            return float(DEFAULT_RELATIVE_EPSILON)
        check_positive("epsilon", epsilon)
        if self.exact:
            return Fraction(epsilon) / (self.span_A if self.offset_A is not None else 1)
        return float(epsilon) / self.scale_A

    def leader_units(self, value):
        """A leader payoff in the solver's units back in the game's units."""
        if self.exact:
            return value if self.offset_A is None else value * self.span_A + self.offset_A
        return float(value) * self.scale_A + self.low_A

    def vector(self, values) -> np.ndarray:
        if self.exact:  # int() first: a Fraction of a numpy integer keeps fixed-width (overflowing) parts
            return np.array([Fraction(int(v)) if isinstance(v, numbers.Integral) else Fraction(v) for v in values],
                            dtype=object)
        return np.asarray(values, dtype=float)

    def maximize(self, c, A_ub, b_ub, A_eq, b_eq):
        """An optimal point of ``max c.x`` over ``{x >= 0 : A_ub x <= b_ub, A_eq x = b_eq}``, or None if infeasible."""
        if self.exact:
            return exact_maximize(c, A_ub, b_ub, A_eq, b_eq)
        return _float_maximize(c, A_ub, b_ub, A_eq, b_eq)

    def best_responses(self, x) -> tuple[np.ndarray, np.ndarray]:
        """The follower's payoffs against commitment ``x`` and the mask of its best responses."""
        follower = x @ self.B
        return follower, follower >= follower.max() - self.slack(follower.max())

    def certify(self, x, j, leader, commitment, tie_break, method, supremum, attained, epsilon) -> StackelbergSolution:
        """Recompute the follower's regret and the leader's loss from the payoffs and build the solution.

        ``x`` is a leader action (pure commitment) or a mixed strategy.
        """
        if isinstance(x, (int, np.integer)):  # a pure commitment: rows are shared by its responses
            if x not in self._pure_rows:
                one_hot = self.vector((np.arange(self.shape[0]) == x).astype(int))
                leader_row, follower_row = self.payoff_rows(x)
                self._pure_rows[x] = (one_hot, leader_row, follower_row) + self._follower_summary(follower_row)
            x, leader_payoffs, follower, top, best, responses, margin = self._pure_rows[x]
        else:
            x = self.vector(x)
            support = np.flatnonzero(x != 0)
            leader_payoffs, follower = x[support] @ self.A[support], x[support] @ self.B[support]
            top, best, responses, margin = self._follower_summary(follower)
        regret = top - follower[j]
        leader_value, follower_value = leader_payoffs[j], follower[j]
        if supremum is None:
            supremum = leader_value
        loss = supremum - leader_value
        bound = self.slack(supremum) + (0 if attained else epsilon)
        worse_response = leader_payoffs[best].min() < leader_value - self.slack(leader_value)
        if regret > self.slack(top) or loss > bound or (tie_break == "weak" and worse_response):
            raise CertificationError(
                f"{method}: follower regret {float(regret):.3g}, leader loss {float(loss):.3g} (allowed {float(bound):.3g}) "
                f"or a best response worse for the leader under weak tie-breaking: the commitment {x} is not certified")
        if self.exact and self.offset_A is not None:  # the checks ran on normalised payoffs; report in the game's units
            raw_leader, raw_follower = x @ self.raw_exact_A, x @ self.raw_exact_B
            leader_value, follower_value = raw_leader[j], raw_follower[j]
            supremum = self.leader_units(supremum)
            regret = raw_follower.max() - follower_value
            loss = supremum - leader_value
            margin = None if margin is None else margin * self.span_B
            epsilon = None if epsilon is None else epsilon * self.span_A
        if not self.exact:  # the checks ran on normalised payoffs; report in the game's units
            x = np.asarray(x, dtype=float)
            raw_leader, raw_follower = x @ self.raw_A, x @ self.raw_B
            leader_value, follower_value = float(raw_leader[j]), float(raw_follower[j])
            supremum = leader_value if attained and loss <= 0 else self.leader_units(supremum)
            regret = max(float(raw_follower.max() - follower_value), 0.0)
            loss = max(supremum - leader_value, 0.0)
            margin = None if margin is None else float(margin) * self.scale_B
            epsilon = None if epsilon is None else float(epsilon) * self.scale_A
        return StackelbergSolution(
            leader=leader,
            follower=1 - leader,
            leader_strategy=x,
            follower_action=int(j),
            payoffs=(leader_value, follower_value) if leader == 0 else (follower_value, leader_value),
            leader_value=leader_value,
            follower_value=follower_value,
            commitment=commitment,
            tie_break=tie_break,
            attained=attained,
            supremum=supremum,
            epsilon=epsilon,
            exact=self.exact,
            method=method,
            follower_best_responses=responses,
            follower_regret=regret,
            follower_margin=margin,
            leader_loss=loss,
        )


# ---------------------------------------------------------------------------- pure commitment


def _pure_commitment(problem: _Problem, tie_break: str) -> list:
    """Optimal (leader action, response, None, True) tuples, read off both matrices in a vectorised pass.

    Float mode reads the raw matrices with each player's slack ``tol * scale`` (the same decisions as on the
    normalised payoffs, up to the rounding of the normalisation, without building them).
    """
    if problem.exact:
        A, B = problem.float_A, problem.float_B
        exact_A, exact_B = problem.A, problem.B
        tol_A = tol_B = None
    else:
        A, B = problem.raw_A, problem.raw_B
        exact_A = exact_B = None
        tol_A, tol_B = problem.tol * problem.scale_A, problem.tol * problem.scale_B
    n = A.shape[0]
    best = _extreme_mask(B, exact_B, None, True, tol_B)
    chosen = best
    if np.count_nonzero(best) > n:  # the follower's tie-break, only on rows where it is indifferent
        ties = np.flatnonzero(np.count_nonzero(best, axis=1) > 1)
        chosen = best.copy()
        chosen[ties] = _extreme_mask(A[ties], None if exact_A is None else exact_A[ties], best[ties],
                                     tie_break == "strong", tol_A)
    first = chosen.argmax(axis=1)
    rows = np.arange(n)
    values = A[rows, first][None, :]
    exact_values = None if exact_A is None else exact_A[rows, first][None, :]
    optimal_rows = np.flatnonzero(_extreme_mask(values, exact_values, None, True, tol_A)[0])
    return [(int(i), int(j), None, True) for i in optimal_rows for j in np.flatnonzero(chosen[i])]


def _extreme_mask(values: np.ndarray, exact_values, candidates, maximize: bool, tol) -> np.ndarray:
    """Mask of the entries of each row attaining the row's max (or min) over ``candidates`` (all when None).

    Float mode (``exact_values`` None): within ``tol`` (of the normalised payoffs: relative to the payoff scale).
    Exact mode: the float values are the correctly rounded exact ones, so the
    exact extremes lie among the float extremes (rounding is monotone); only
    rows with several float candidates are resolved in ``Fraction``.
    """
    if candidates is None:
        extreme = values.max(axis=1) if maximize else values.min(axis=1)
    else:
        masked = np.where(candidates, values, -np.inf if maximize else np.inf)
        extreme = masked.max(axis=1) if maximize else masked.min(axis=1)
    if exact_values is None:
        mask = values >= (extreme - tol)[:, None] if maximize else values <= (extreme + tol)[:, None]
    else:
        mask = values == extreme[:, None]
    if candidates is not None:
        mask &= candidates
    if exact_values is not None:
        for i in np.flatnonzero(np.count_nonzero(mask, axis=1) > 1):
            columns = np.flatnonzero(mask[i])
            row = exact_values[i, columns]
            target = max(row) if maximize else min(row)
            mask[i, columns] = [v == target for v in row]
    return mask


# ---------------------------------------------------------------------------- mixed commitment, strong


def _strong_mixed_commitment(problem: _Problem) -> list:
    """One LP per follower action (Conitzer-Sandholm); all actions attaining the optimum.

    Columns strictly dominated by a pure column are skipped (their LP is
    infeasible). Each LP is solved by constraint generation: starting from the
    rivals that beat ``j`` at the leader's best row for ``j``, the most violated
    follower constraints are added until the relaxation's optimum is feasible.
    A relaxation's value bounds the LP's value, so an LP is abandoned as soon as
    a relaxation falls below the best value found (the strong pure-commitment
    value to start with: its pair is feasible for its LP).
    """
    A, B, atol = problem.A, problem.B, problem.atol
    float_A, float_B = problem.float_A, problem.float_B
    n, m = problem.shape
    # rounding is monotone, so a strict float inequality is also strict in exact mode
    strictly_dominated = _strictly_dominated_columns(float_B, float(atol))
    best = max(A[i, j] for i, j, *_ in _pure_commitment(problem, "strong"))
    simplex = np.ones((1, n), dtype=A.dtype)
    results = []
    for j in np.argsort(-float_A.max(axis=0), kind="stable"):
        if strictly_dominated[j] or A[:, j].max() < best - atol:
            continue
        top_rows = np.flatnonzero(A[:, j] >= A[:, j].max() - atol)
        pure = [i for i in top_rows if B[i, j] >= B[i].max() - atol]
        if pure:  # a pure commitment reaches the bound max_i A[i, j]: no LP needed
            best = max(best, A[pure[0], j])
            results.append((A[pure[0], j], int(j), problem.vector((np.arange(n) == pure[0]).astype(int))))
            continue
        start = float_B[top_rows[0]] - float_B[top_rows[0], j]
        rivals = _most_violated(start, 0.0, j)
        while True:
            x = problem.maximize(A[:, j], (B[:, rivals] - B[:, [j]]).T, np.full(len(rivals), problem.zero),
                                 simplex, [problem.one])
            if x is None:
                break  # a relaxation is infeasible, so is the LP
            value = x @ A[:, j]
            if value < best - atol:
                break  # a relaxation's value bounds the LP's value
            support = np.flatnonzero(x != 0)
            follower = x[support] @ B[support]
            violated = _most_violated(follower - follower[j], atol, j)
            if not violated:
                best = max(best, value)
                results.append((value, int(j), x))
                break
            rivals = sorted(set(rivals) | set(violated))
    return [(x, j, None, True) for value, j, x in sorted(results, key=lambda r: r[1]) if value >= best - atol]


def _strictly_dominated_columns(B: np.ndarray, slack: float, block_bytes: int = 1 << 26) -> np.ndarray:
    """Mask of the columns ``j`` of ``B`` that some other column beats by more than ``slack`` in every row.

    Columns are compared a block at a time so that no array exceeds about ``block_bytes`` (the all-pairs array
    of an ``n x m`` matrix has ``n m^2`` entries: 64 GB at 2000 x 2000).
    """
    n, m = B.shape
    dominated = np.zeros(m, dtype=bool)
    step = max(1, block_bytes // max(1, n * m))
    for start in range(0, m, step):
        block = B[:, start : start + step]  # (n, b) candidate dominated columns
        beats = (B[:, :, None] - block[:, None, :] > slack).all(axis=0)  # (m, b): column k beats column j
        dominated[start : start + step] = beats.any(axis=0)  # a column never beats itself (slack >= 0)
    return dominated


def _most_violated(gains, slack, j, count: int = 8) -> list[int]:
    """Up to ``count`` follower actions other than ``j`` whose gain over ``j`` exceeds ``slack``, largest first."""
    gains = np.asarray(gains, dtype=float) if not isinstance(slack, Fraction) else gains
    candidates = [k for k in np.flatnonzero(gains > slack) if k != j]
    candidates.sort(key=lambda k: -float(gains[k]))
    return [int(k) for k in candidates[:count]]


# ---------------------------------------------------------------------------- mixed commitment, weak


def _weak_mixed_commitment(problem: _Problem, epsilon) -> list:
    """Supremum of w(x) over classes of identical follower columns, attainment and epsilon-commitments."""
    A, B, atol = problem.A, problem.B, problem.atol
    classes = _identical_column_classes(B)
    candidates = []
    for members in classes:
        others = np.array([k for k in range(B.shape[1]) if k not in members], dtype=int)
        strict_point = _strict_point(problem, members, others, [], [], None)
        if strict_point is None:
            continue  # the strict region R_C is empty
        optimum = _closure_optimum(problem, members, others)
        value = min(optimum @ A[:, j] for j in members)
        candidates.append((value, members, others, optimum, strict_point))
    supremum = max(value for value, *_ in candidates)
    out = []
    for value, members, others, optimum, strict_point in candidates:
        if value < supremum - atol:
            continue
        commitment = _attaining_commitment(problem, members, others, optimum, supremum)
        attained = commitment is not None
        if not attained:
            commitment = _epsilon_commitment(problem, members, optimum, strict_point, supremum, epsilon)
        follower, best = problem.best_responses(commitment)
        responses = np.flatnonzero(best)
        if not attained and set(responses) != set(members):
            raise CertificationError(f"the epsilon-commitment {commitment} leaves the follower indifferent between "
                                     f"{responses.tolist()}; try a larger epsilon")
        leader_payoffs = commitment @ A
        worst = min(leader_payoffs[k] for k in responses)  # the first response tied (within tol) with the worst
        j = next(k for k in responses if leader_payoffs[k] <= worst + atol)
        if any(j == seen_j and _same_point(commitment, seen, atol) for seen, seen_j, *_ in out):
            continue  # two classes reached the same commitment and response: list it once
        out.append((commitment, int(j), supremum, attained))
    return out


def _same_point(x, y, atol) -> bool:
    """Equal commitments: exactly for Fractions, within ``atol`` per coordinate for floats."""
    return all(a == b for a, b in zip(x, y)) if x.dtype == object else bool(np.all(np.abs(x - y) <= atol))


def _normalised_exact(M: np.ndarray):
    """``(M - low) / span`` in Fractions (``span`` 1 if ``M`` is constant), with ``low`` and ``span``."""
    low, high = min(M.ravel()), max(M.ravel())
    span = high - low if high > low else Fraction(1)
    out = np.empty(M.shape, dtype=object)
    out.ravel()[:] = [(v - low) / span for v in M.ravel()]
    return out, low, span


def _identical_column_classes(B: np.ndarray) -> list[list[int]]:
    """Follower columns grouped by identical payoffs (forced ties), in order of first column."""
    groups: dict[tuple, list[int]] = {}
    for j in range(B.shape[1]):
        groups.setdefault(tuple(B[:, j]), []).append(j)
    return list(groups.values())


def _closure_optimum(problem: _Problem, members, others) -> np.ndarray:
    """argmax of min_{j in C} x.A_j over {x in simplex : x.B_C >= x.B_k, k not in C} (variables x, t)."""
    A, B = problem.A, problem.B
    n = problem.shape[0]
    shift = A.min()  # t = min_j x.(A_j - shift) >= 0
    rows = [np.append(-(A[:, j] - shift), problem.one) for j in members]
    rows += [np.append(B[:, k] - B[:, members[0]], problem.zero) for k in others]
    c = np.append(np.full(n, problem.zero, dtype=A.dtype), problem.one)
    simplex = np.append(np.ones(n, dtype=A.dtype), problem.zero)[None, :]
    point = problem.maximize(c, np.array(rows), np.full(len(rows), problem.zero), simplex, [problem.one])
    return problem.vector(point[:n])


def _strict_point(problem: _Problem, members, others, floor_columns, tied, floor):
    """A point of the simplex where the follower strictly prefers C to every column in ``others`` not in ``tied``.

    The points are restricted to ``Q``: x.B_C >= x.B_k for k in ``others`` and,
    when ``floor`` is given, x.A_j >= floor for j in ``floor_columns``. Returns
    None when no such point exists (strictness LP value 0, or Q empty).
    """
    A, B, atol = problem.A, problem.B, problem.atol
    n = problem.shape[0]
    base = B[:, members[0]]
    rows, rhs = [], []
    for k in others:
        strict = k not in tied
        rows.append(np.append(B[:, k] - base, problem.one if strict else problem.zero))
        rhs.append(problem.zero)
    if floor is not None:
        for j in floor_columns:
            rows.append(np.append(-A[:, j], problem.zero))
            rhs.append(-floor)
    cap = np.append(np.full(n, problem.zero, dtype=A.dtype), problem.one)
    rows.append(cap)
    rhs.append(problem.one)  # s <= 1 keeps the LP bounded
    simplex = np.append(np.ones(n, dtype=A.dtype), problem.zero)[None, :]
    point = problem.maximize(cap, np.array(rows), np.array(rhs, dtype=A.dtype), simplex, [problem.one])
    if point is None or (len(set(others) - set(tied)) and point[n] <= atol):
        return None
    return problem.vector(point[:n])


def _attaining_commitment(problem: _Problem, members, others, optimum, supremum):
    """A commitment x with x.A_j >= supremum for every follower best response j, or None if none exists."""
    A, atol = problem.A, problem.atol
    follower, best = problem.best_responses(optimum)
    if min((optimum @ A)[best]) >= supremum - atol:
        return optimum
    tied: list[int] = []
    while True:
        floor_columns = list(members) + tied
        point = _strict_point(problem, members, others, floor_columns, tied, supremum)
        if point is not None:
            return point
        if _strict_point(problem, members, others, floor_columns, list(others), supremum) is None:
            return None  # Q is empty
        # Q is not empty but no point is strict for all remaining columns: find the columns tied on all of Q.
        newly_tied = [k for k in others if k not in tied
                      and _strict_point(problem, members, others, floor_columns,
                                        [q for q in others if q != k], supremum) is None]
        if not newly_tied:
            raise CertificationError("weak-supremum attainment search found no tied column on a degenerate face")
        tied.extend(newly_tied)


def _epsilon_commitment(problem: _Problem, members, optimum, strict_point, supremum, epsilon) -> np.ndarray:
    """Move from the optimum toward the strict region far enough for a strict follower preference."""
    A = problem.A
    strict_value = min(strict_point @ A[:, j] for j in members)
    shortfall = supremum - strict_value
    step = problem.one if shortfall <= epsilon else epsilon / shortfall
    return (1 - step) * optimum + step * strict_point


# ---------------------------------------------------------------------------- linear programming


def _float_maximize(c, A_ub, b_ub, A_eq, b_eq):
    """HiGHS: an optimal x of max c.x over {x >= 0 : A_ub x <= b_ub, A_eq x = b_eq}, or None if infeasible."""
    A_ub = np.asarray(A_ub, dtype=float).reshape(-1, len(c))
    result = linprog(
        -np.asarray(c, dtype=float),
        A_ub=A_ub if A_ub.size else None,
        b_ub=np.asarray(b_ub, dtype=float) if A_ub.size else None,
        A_eq=np.asarray(A_eq, dtype=float),
        b_eq=np.asarray(b_eq, dtype=float),
        bounds=(0, None),
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if result.status == 2:
        return None
    if result.status != 0:
        raise RuntimeError(f"HiGHS failed on a Stackelberg LP: {result.message}")
    x = np.clip(result.x, 0.0, None)
    simplex = np.flatnonzero(np.asarray(A_eq, dtype=float)[0])  # the leader's strategy: renormalise its rounding
    x[simplex] /= x[simplex].sum()
    return x
