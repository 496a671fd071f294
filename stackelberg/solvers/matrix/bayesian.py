r"""Bayesian Stackelberg games: a leader committing to a mixed strategy against follower types.

The leader (payoffs :math:`A_k`) commits to :math:`x \in \Delta_m`; a follower of type :math:`k` (prior
probability :math:`p_k`, payoffs :math:`B_k`, the same :math:`m \times n` action sets for every type) observes
:math:`x` and plays a best response :math:`j_k \in \arg\max_j x^\top B_{k,:,j}`, ties broken in the leader's
favour (strong tie-breaking). The leader maximises

.. math:: \sum_k p_k \, x^\top A_{k,:,j_k(x)} .

**DOBSS** (Paruchuri et al. 2008), ``method="milp"``: with :math:`z^k_{ij} = x_i q^k_j` and binary
:math:`q^k_j` (type :math:`k` plays :math:`j`), the mixed-integer linear programme

.. math::

    \max \sum_k p_k \sum_{ij} A_{k,ij} z^k_{ij} \quad \text{s.t.} \quad
    \sum_{ij} z^k_{ij} = 1, \quad q^k_j \le \sum_i z^k_{ij} \le 1, \quad \sum_j q^k_j = 1,

    0 \le a^k - \sum_i B_{k,ij} \sum_h z^k_{ih} \le (1 - q^k_j) M, \quad
    \sum_j z^k_{ij} = \sum_j z^1_{ij} = x_i ,

solved by HiGHS (:func:`scipy.optimize.milp`) on payoffs scaled to :math:`[-1, 1]`, with
:math:`M = \max_k (\max B_k - \min B_k)`. ``solver="NAME"`` passes the same programme to cvxpy (the ``cvxpy``
extra; for commercial solvers such as ``"GUROBI"`` or ``"CPLEX"``).

**Multiple LPs** (Conitzer and Sandholm 2006), ``method="multiple-lps"``: for every response profile
:math:`(j_1, \dots, j_K)`, the LP :math:`\max_x \sum_k p_k x^\top A_{k,:,j_k}` subject to each :math:`j_k` being a
best response of type :math:`k`; profiles are visited by decreasing upper bound
:math:`\sum_k p_k \max_i A_{k,i j_k}` and skipped once the bound cannot beat the best value. With integer or
``Fraction`` payoffs and prior every LP is solved by the exact integer-preserving simplex
(:func:`stackelberg.solvers._exact.exact_maximize`): the value is a rational number and exact. There are
:math:`n^K` profiles, so this suits small games.

Every solution is certified by recomputing each type's best responses to the commitment from the payoffs: the
response is a best response (exactly, or within ``tol`` times the payoff scale) and, among the best responses,
one best for the leader.

References
----------
.. [1] P. Paruchuri, J. P. Pearce, J. Marecki, M. Tambe, F. Ordonez and S. Kraus, "Playing games for security:
   an efficient exact algorithm for solving Bayesian Stackelberg games", AAMAS 2008.
.. [2] V. Conitzer and T. Sandholm, "Computing the optimal strategy to commit to", EC 2006.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..._validation import check_choice, check_positive_int, check_probability_vector, is_exact_number
from ...errors import CertificationError, MissingExtraError, ProblemTooLargeError
from ...games.normal_form import NormalFormGame
from .._exact import exact_maximize
from ._arguments import check_solver_tol

__all__ = ["BayesianStackelbergSolution", "bayesian_stackelberg"]

METHODS = ("auto", "milp", "multiple-lps")


@dataclass(frozen=True, kw_only=True)
class BayesianStackelbergSolution:
    """A strong Bayesian Stackelberg equilibrium with its certificate.

    Attributes
    ----------
    leader_strategy : numpy.ndarray
        The leader's mixed commitment (``Fraction`` entries when exact).
    responses : tuple of int
        Each follower type's response.
    value : float or Fraction
        The leader's expected payoff, :math:`\\sum_k p_k x^\\top A_{k,:,j_k}`.
    leader_values, follower_values : tuple
        Per type, the leader's and the follower's payoff.
    prior : tuple
        The types' probabilities.
    max_follower_regret : float or Fraction
        The largest gain any type has from deviating from its response (0 when exact).
    exact : bool
    method : str
    """

    leader_strategy: np.ndarray
    responses: tuple
    value: Any
    leader_values: tuple
    follower_values: tuple
    prior: tuple
    max_follower_regret: Any
    exact: bool
    method: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)


def bayesian_stackelberg(
    types,
    prior=None,
    *,
    method: str = "auto",
    exact: bool | None = None,
    solver: str | None = None,
    tol: float = 1e-9,
    max_profiles: int = 100_000,
) -> BayesianStackelbergSolution:
    """The leader's optimal commitment against follower types with a prior (strong tie-breaking; see the module).

    Parameters
    ----------
    types : NormalFormGame or sequence
        One two-player game (the leader is player 0) per follower type, or ``(A_k, B_k)`` payoff pairs; every
        type has the same ``m x n`` shape. A single game is one type.
    prior : sequence of float or Fraction, optional
        The types' probabilities (non-negative, summing to 1); optional for a single type.
    method : {"auto", "milp", "multiple-lps"}
        DOBSS through a MILP, or one LP per response profile. ``"auto"``: exact multiple LPs when the data are
        exact and ``n**K <= max_profiles``, else the MILP.
    exact : bool, optional
        Rational arithmetic (multiple LPs with the exact simplex). Default: when payoffs and prior are exact
        and the method allows it. ``True`` needs exact data.
    solver : str, optional
        A cvxpy solver name (``"HIGHS"``, ``"GUROBI"``, ...) for the MILP, through cvxpy (the ``cvxpy`` extra);
        default: scipy's HiGHS directly.
    tol : float
        Float mode: ties and regrets are judged within ``tol * max(1, max|payoff|)``.
    max_profiles : int
        Largest number of response profiles the multiple-LP method may enumerate.

    Returns
    -------
    BayesianStackelbergSolution

    Raises
    ------
    TypeError, ValueError
        On bad input: types of different shapes, a prior that does not sum to 1 or has the wrong length, NaN
        payoffs, an unknown method, ``exact=True`` with float data or with ``method="milp"``.
    MissingExtraError
        If ``solver`` is given and cvxpy is not installed.
    ProblemTooLargeError
        If multiple LPs would need more than ``max_profiles`` profiles.
    CertificationError
        If a solution fails its check (a bug).

    Examples
    --------
    Two follower types, equally likely; the leader's even mix makes both indifferent, and each breaks the tie in
    the leader's favour:

    >>> A1, B1 = [[2, 4], [1, 3]], [[1, 0], [0, 1]]
    >>> A2, B2 = [[1, 2], [0, 3]], [[0, 1], [1, 0]]
    >>> solution = bayesian_stackelberg([(A1, B1), (A2, B2)], [Fraction(1, 2), Fraction(1, 2)])
    >>> solution.leader_strategy.tolist(), solution.responses, solution.value
    ([Fraction(1, 2), Fraction(1, 2)], (1, 1), Fraction(3, 1))
    >>> float(bayesian_stackelberg([(A1, B1), (A2, B2)], [0.5, 0.5], method="milp").value)
    3.0
    """
    games = _check_types(types)
    K = len(games)
    m, n = games[0].shape
    prior = _check_prior(prior, K)
    method = check_choice("method", method, METHODS)
    max_profiles = check_positive_int("max_profiles", max_profiles)
    data_exact = all(g.is_exact for g in games) and all(isinstance(p, Fraction) for p in prior)
    if exact is not None and not isinstance(exact, bool):
        raise TypeError(f"exact must be True, False or None; got {type(exact).__name__}")
    if exact and not data_exact:
        raise ValueError("exact=True needs integer or Fraction payoffs and prior")
    if exact and method == "milp":
        raise ValueError("exact=True needs method='multiple-lps' (the MILP is solved in floating point)")
    if solver is not None and method == "multiple-lps":
        raise ValueError("solver is the MILP's cvxpy solver; it needs method='milp' or 'auto'")
    if method == "auto":
        small = n**K <= max_profiles
        method = "multiple-lps" if (exact or (exact is None and data_exact)) and small and solver is None else "milp"
    exact = data_exact if exact is None else exact
    if method == "milp":
        exact = False
    tol = check_solver_tol(tol, exact, "a float solve", "LP solvers leave tiny regrets")
    if exact:
        A = [g.exact_payoffs[0] for g in games]
        B = [g.exact_payoffs[1] for g in games]
    else:
        A = [g.payoffs[0] for g in games]
        B = [g.payoffs[1] for g in games]
        prior = tuple(float(p) for p in prior)
    if method == "milp":
        x, responses = _dobss(A, B, prior, solver)
        name = "DOBSS MILP (" + (f"cvxpy {solver}" if solver else "HiGHS") + ")"
    else:
        if n**K > max_profiles:
            raise ProblemTooLargeError(f"multiple LPs need {n}**{K} = {n**K} response profiles, more than max_profiles "
                                       f"= {max_profiles} (use method='milp')", limit="max_profiles")
        x, responses = _multiple_lps(A, B, prior, exact)
        name = "multiple LPs (" + ("exact simplex" if exact else "HiGHS") + ")"
    return _certify(A, B, prior, x, responses, exact, tol, name)


# ---------------------------------------------------------------------- input


def _check_types(types) -> list[NormalFormGame]:
    if isinstance(types, NormalFormGame):
        types = [types]
    if isinstance(types, (str, bytes)) or not hasattr(types, "__len__"):
        raise TypeError(f"types must be a NormalFormGame or a sequence of games or (A, B) pairs; got "
                        f"{type(types).__name__}")
    if len(types) == 0:
        raise ValueError("types must hold at least one follower type")
    games = []
    for k, t in enumerate(types):
        if isinstance(t, NormalFormGame):
            game = t
        else:
            try:
                A, B = t
            except (TypeError, ValueError):
                raise TypeError(f"types[{k}] must be a two-player NormalFormGame or an (A, B) pair") from None
            try:
                game = NormalFormGame.from_bimatrix(A, B)
            except (TypeError, ValueError) as error:
                raise type(error)(f"types[{k}]: {error}") from None
        if game.n_players != 2:
            raise ValueError(f"types[{k}] must be a two-player game; it has {game.n_players} players")
        if games and game.shape != games[0].shape:
            raise ValueError(f"every type must have the same action sets: types[{k}] has shape {game.shape}, "
                             f"types[0] has {games[0].shape}")
        games.append(game)
    return games


def _check_prior(prior, K) -> tuple:
    if prior is None:
        if K != 1:
            raise ValueError(f"prior is needed for {K} follower types")
        return (Fraction(1),)
    values = list(np.asarray(prior, dtype=object).ravel()) if not isinstance(prior, (str, bytes)) else None
    if values is None:
        raise TypeError(f"prior must be a sequence of numbers; got {type(prior).__name__}")
    check_probability_vector("prior", prior, K)
    if all(is_exact_number(v) for v in values):
        return tuple(Fraction(int(v)) if not isinstance(v, Fraction) else v for v in values)
    return tuple(float(v) for v in values)


# ---------------------------------------------------------------------- DOBSS


def _dobss(A, B, prior, solver):
    K = len(A)
    m, n = A[0].shape
    scale = max(1.0, max(float(np.abs(a).max()) for a in A))
    follower_scale = max(1.0, max(float(np.abs(b).max()) for b in B))
    As = [a / scale for a in A]
    Bs = [b / follower_scale for b in B]
    M = max(float(b.max() - b.min()) for b in Bs) + 1.0
    # variables: z^k_{ij} (K m n), q^k_j (K n), a^k (K)
    nz, nq = K * m * n, K * n
    size = nz + nq + K

    def z(k, i, j):
        return k * m * n + i * n + j

    def q(k, j):
        return nz + k * n + j

    def a(k):
        return nz + nq + k

    c = np.zeros(size)
    for k in range(K):
        c[z(k, 0, 0):z(k, 0, 0) + m * n] = -prior[k] * As[k].ravel()
    rows, lower, upper = [], [], []

    def add(coefficients, lo, hi):
        row = np.zeros(size)
        for index, value in coefficients:
            row[index] += value
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    for k in range(K):
        add([(z(k, i, j), 1.0) for i in range(m) for j in range(n)], 1.0, 1.0)
        for j in range(n):
            column = [(z(k, i, j), 1.0) for i in range(m)]
            add(column + [(q(k, j), -1.0)], 0.0, np.inf)  # q <= sum_i z
            add(column, -np.inf, 1.0)
        add([(q(k, j), 1.0) for j in range(n)], 1.0, 1.0)
        for j in range(n):  # 0 <= a - sum_i B_ij x_i <= (1 - q_j) M, with x_i = sum_h z_ih
            payoff = [(z(k, i, h), -Bs[k][i, j]) for i in range(m) for h in range(n)]
            add([(a(k), 1.0)] + payoff, 0.0, np.inf)
            add([(a(k), 1.0), (q(k, j), M)] + payoff, -np.inf, M)
        if k:
            for i in range(m):
                add([(z(k, i, j), 1.0) for j in range(n)] + [(z(0, i, j), -1.0) for j in range(n)], 0.0, 0.0)
    rows = np.array(rows)
    integrality = np.zeros(size)
    integrality[nz:nz + nq] = 1
    bounds_lo = np.zeros(size)
    bounds_hi = np.ones(size)
    bounds_lo[nz + nq:] = -np.inf
    bounds_hi[nz + nq:] = np.inf
    if solver is None:
        from scipy.optimize import Bounds, LinearConstraint, milp

        result = milp(c, constraints=LinearConstraint(rows, lower, upper), integrality=integrality,
                      bounds=Bounds(bounds_lo, bounds_hi), options={"mip_rel_gap": 0.0})
        if result.status != 0:
            raise CertificationError(f"HiGHS failed on the DOBSS MILP: {result.message}")
        solution = result.x
    else:
        solution = _cvxpy_milp(c, rows, np.array(lower), np.array(upper), integrality, bounds_lo, bounds_hi, solver)
    x = np.array([solution[z(0, i, 0):z(0, i, 0) + n].sum() for i in range(m)])
    x = np.clip(x, 0.0, None)
    x = x / x.sum()
    responses = tuple(int(np.argmax(solution[q(k, 0):q(k, 0) + n])) for k in range(K))
    return x, responses


def _cvxpy_milp(c, rows, lower, upper, integrality, bounds_lo, bounds_hi, solver):
    try:
        import cvxpy as cp
    except ImportError:
        raise MissingExtraError("cvxpy", "bayesian_stackelberg(solver=...)") from None
    if not isinstance(solver, str) or solver.upper() not in cp.installed_solvers():
        raise ValueError(f"solver must be one of cvxpy's installed solvers {cp.installed_solvers()}; got {solver!r}")
    continuous = np.flatnonzero(integrality == 0)
    binary = np.flatnonzero(integrality == 1)
    xc = cp.Variable(len(continuous))
    xb = cp.Variable(len(binary), boolean=True)
    expression = rows[:, continuous] @ xc + rows[:, binary] @ xb
    constraints = []
    finite_lo, finite_hi = np.isfinite(lower), np.isfinite(upper)
    constraints.append(expression[np.flatnonzero(finite_lo)] >= lower[finite_lo])
    constraints.append(expression[np.flatnonzero(finite_hi)] <= upper[finite_hi])
    lo, hi = bounds_lo[continuous], bounds_hi[continuous]
    constraints.append(xc[np.flatnonzero(np.isfinite(lo))] >= lo[np.isfinite(lo)])
    constraints.append(xc[np.flatnonzero(np.isfinite(hi))] <= hi[np.isfinite(hi)])
    problem = cp.Problem(cp.Minimize(c[continuous] @ xc + c[binary] @ xb), constraints)
    problem.solve(solver=solver.upper())
    if problem.status not in ("optimal", "optimal_inaccurate"):
        raise CertificationError(f"cvxpy {solver} failed on the DOBSS MILP: {problem.status}")
    solution = np.zeros(len(c))
    solution[continuous] = xc.value
    solution[binary] = np.round(xb.value)
    return solution


# ---------------------------------------------------------------------- multiple LPs


def _multiple_lps(A, B, prior, exact):
    K = len(A)
    m, n = A[0].shape
    column_bounds = [[max(A[k][:, j]) for j in range(n)] for k in range(K)]
    profiles = sorted(itertools.product(range(n), repeat=K),
                      key=lambda profile: -sum(prior[k] * column_bounds[k][j] for k, j in enumerate(profile)))
    best = None
    for profile in profiles:
        bound = sum(prior[k] * column_bounds[k][j] for k, j in enumerate(profile))
        if best is not None and bound <= best[0]:
            break
        c = [sum(prior[k] * A[k][i, j] for k, j in enumerate(profile)) for i in range(m)]
        A_ub = [[B[k][i, other] - B[k][i, j] for i in range(m)]
                for k, j in enumerate(profile) for other in range(n) if other != j]
        if exact:
            x = exact_maximize(c, A_ub, [0] * len(A_ub), [[1] * m], [1])
        else:
            from .stackelberg import _float_maximize

            x = _float_maximize(np.array(c, float), np.array(A_ub, float).reshape(-1, m), np.zeros(len(A_ub)),
                                np.ones((1, m)), np.ones(1))
        if x is None:
            continue
        value = sum(ci * xi for ci, xi in zip(c, x))
        if best is None or value > best[0]:
            best = (value, x, profile)
    return np.asarray(best[1], dtype=object if exact else float), tuple(int(j) for j in best[2])


# ---------------------------------------------------------------------- certificate


def _certify(A, B, prior, x, responses, exact, tol, method) -> BayesianStackelbergSolution:
    if exact:
        x = np.array([Fraction(v) for v in x], dtype=object)
        slack = Fraction(0)
    else:
        x = np.asarray(x, dtype=float)
        slack = tol * max(1.0, max(float(np.abs(t).max()) for t in list(A) + list(B)))
    leader_values, follower_values, regrets, chosen = [], [], [], []
    for k, (a, b) in enumerate(zip(A, B)):
        follower = x @ b
        leader = x @ a
        best = follower >= follower.max() - slack
        j = responses[k]
        if not best[j]:  # the solver's response is not a best response: a bug or a numerical failure
            raise CertificationError(f"{method}: type {k}'s response {j} is not a best response "
                                     f"(regret {float(follower.max() - follower[j]):.3g})")
        # strong tie-breaking: among the best responses, the one best for the leader
        candidates = np.flatnonzero(best)
        j = int(candidates[np.argmax([leader[c] for c in candidates])]) if leader[j] < max(leader[best]) - slack else j
        chosen.append(j)
        leader_values.append(leader[j])
        follower_values.append(follower[j])
        regrets.append(follower.max() - follower[j])
    value = sum(p * v for p, v in zip(prior, leader_values))
    if not exact:
        leader_values = [float(v) for v in leader_values]
        follower_values = [float(v) for v in follower_values]
        value = float(value)
        regret = float(max(max(regrets), 0.0))
    else:
        regret = max(regrets)
        if regret != 0:
            raise CertificationError(f"{method}: a follower type has regret {regret}")
    return BayesianStackelbergSolution(
        leader_strategy=x,
        responses=tuple(chosen),
        value=value,
        leader_values=tuple(leader_values),
        follower_values=tuple(follower_values),
        prior=tuple(prior),
        max_follower_regret=regret,
        exact=exact,
        method=method,
    )
