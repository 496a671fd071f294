r"""All Nash equilibria of small N-player games: support enumeration over multilinear indifference systems.

For a *support profile* :math:`S = (S_0, \dots, S_{N-1})`, :math:`S_p = (a_{p,0}, \dots, a_{p,k_p})`, a Nash
equilibrium with exactly these supports solves the indifference system (as Gambit's ``enumpoly``)

.. math::

    g_{p,i}(z) = u_p(a_{p,i}, \sigma_{-p}) - u_p(a_{p,0}, \sigma_{-p}) = 0, \qquad
    p = 0, \dots, N-1, \; i = 1, \dots, k_p,

in the :math:`d = \sum_p k_p` free probabilities :math:`z_{p,i} = \sigma_p(a_{p,i})`
(:math:`\sigma_p(a_{p,0}) = 1 - \sum_i z_{p,i}`), and then satisfies :math:`\sigma \ge 0` and
:math:`u_p(b, \sigma_{-p}) \le u_p(a_{p,0}, \sigma_{-p})` for every action :math:`b \notin S_p`.
Each :math:`g_{p,i}` is *multilinear*: affine in every single variable :math:`z_{q,j}` (it only multiplies
probabilities of different players). Hence its exact range over a box is spanned by its values at the box's
:math:`2^d` corners, and so is the range of each entry of its Jacobian.

The solver subdivides the unit box :math:`[0, 1]^d` of each support profile:

* a cell is discarded when some :math:`g_{p,i}` has one strict sign at all its corners (an exact test), or when
  it lies outside the product of simplices;
* otherwise the Krawczyk operator :math:`K(X) = m - Y g(m) + (I - Y J(X))(X - m)` (:math:`Y = J(m)^{-1}`,
  :math:`J(X)` the exact interval hull of the Jacobian over the cell) either proves that the cell holds no root
  (:math:`K(X) \cap X = \emptyset`) or that it holds exactly one (:math:`K(X)` inside :math:`X`); that root is
  then found by Newton's method from the centre, to full float precision;
* undecided cells are bisected (slightly off-centre, so that rational roots such as 1/2 do not sit on cell faces)
  down to a width of ``2**-depth``.

Cells still undecided at the finest width surround singular roots or *continua* of solutions. Gauss-Newton from
their centres projects them onto the solution set; the points that are equilibria are grouped by distance. A group
whose Jacobian is rank-deficient and whose points spread over more than a few cells is a continuum: it is
reported, per support profile and connected group of cells (so a continuum crossing several support profiles
appears once for each), as one representative equilibrium with ``parameters["continuum"] = True`` and
``parameters["dimension"]`` (the nullity of the Jacobian there). Every other equilibrium has
``parameters["continuum"] = False``.

Support profiles are pruned first by conditional dominance (an action strictly worse than another of the same
player against every joint action of the others' supports is never played). Every equilibrium is certified by
:func:`stackelberg.solvers.matrix.results.certify_equilibrium` with the regret tolerance ``tol`` times the payoff
scale. For exact (integer or ``Fraction``) games, each equilibrium is also rationalised (continued fractions,
denominators up to ``max_denominator``) and, when the rational profile has exactly zero regret, returned exact:
rational equilibria come out as ``Fraction`` with zero regret, irrational ones in floating point.

Sizes that finish in seconds (one core, generic random payoffs, see ``benchmarks/README.md``): 3 x 3 x 3
(343 support profiles) in under 1 s, 2 x 2 x 2 x 2 x 2 (243) in about 1 s, 4 x 3 x 3 in 1-8 s;
2 x 2 x 2 x 2 x 2 x 2 (729) takes 8-30 s. The work grows like :math:`\prod_p (2^{n_p} - 1)` support profiles
times :math:`2^d` corners per cell. Gambit's ``enumpoly`` is 13-30x faster but gives up on supports whose
subdivision exceeds its budget: on generic 2 x 2 x 2 x 2 x 2 games it misses equilibria that this solver finds
(and certifies), whose total count is odd as Wilson's theorem requires.

References
----------
.. [1] R. D. McKelvey and A. McLennan, "Computation of equilibria in finite games", Handbook of Computational
   Economics I, 87-142, 1996.
.. [2] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit Fehlerschranken", Computing 4, 1969.
.. [3] T. L. Turocy, The Gambit Project, ``enumpoly`` (support enumeration with polynomial systems).
"""

from __future__ import annotations

import itertools
import string
from fractions import Fraction

import numpy as np

from ..._validation import check_positive_int
from ...errors import ProblemTooLargeError
from ...games.normal_form import NormalFormGame
from ._arguments import check_exact, check_game, check_solver_tol
from .results import Equilibrium, certify_equilibrium

__all__ = ["polynomial_nash_equilibria", "support_profiles"]

_SPLIT = 0.4876543  # off-centre bisection: rational roots (1/2, 1/3, ...) do not land on cell faces
_PROFILE_CELLS = 5_000  # cells examined on one support profile before its undecided cells count as a continuum
_STARTS = 50  # Gauss-Newton starts on one component of undecided cells
_EXCLUDE = 1e-12  # margin of the corner sign test on payoffs scaled to [-1, 1]


def support_profiles(game: NormalFormGame):
    """The support profiles that conditional dominance does not rule out, smallest total size first.

    A support profile is skipped when some action in a player's support is strictly worse than another action of
    that player against every joint action of the other players' supports.

    Examples
    --------
    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame([np.zeros((2, 2, 2))] * 3)
    >>> len(list(support_profiles(game)))
    27
    """
    check_game(game)
    subsets = [
        [s for r in range(1, n + 1) for s in itertools.combinations(range(n), r)] for n in game.shape
    ]
    profiles = sorted(itertools.product(*subsets), key=lambda profile: (sum(map(len, profile)), profile))
    for profile in profiles:
        if not _dominated(game.payoffs, profile):
            yield profile


def polynomial_nash_equilibria(
    game: NormalFormGame,
    *,
    exact: bool | None = None,
    tol: float = 1e-9,
    depth: int = 10,
    max_cells: int = 200_000,
    max_denominator: int = 10**6,
) -> list[Equilibrium]:
    """All Nash equilibria of an N-player game by support enumeration with multilinear systems (see the module).

    Parameters
    ----------
    game : NormalFormGame
        Any number of players (two work too, but :func:`stackelberg.nash_equilibria` is faster there).
    exact : bool, optional
        ``None`` (default): rationalise the equilibria of exact games and return those that are rational exactly
        (``Fraction``, zero regret). ``False``: all float. ``True`` on a float game is an error.
    tol : float
        Largest regret accepted, relative to the payoff scale ``max(1, max|u|)``; must be positive.
    depth : int
        Cells are bisected down to a width of ``2**-depth`` before they count as undecided (singular or continuum).
    max_cells : int
        Largest number of cells examined over all support profiles.
    max_denominator : int
        Largest denominator tried when rationalising an equilibrium of an exact game.

    Returns
    -------
    list of Equilibrium
        Sorted by support, then strategies; method ``"polynomial"``; ``parameters`` hold ``"continuum"`` (bool),
        ``"dimension"`` (0 for isolated equilibria) and ``"support_profile"``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or value.
    ProblemTooLargeError
        If more than ``max_cells`` cells are needed.

    Examples
    --------
    Three players each pick 0 or 1; player 0 wants to match player 1, player 1 to match player 2 and player 2 to
    differ from player 0. The unique equilibrium is uniform:

    >>> import numpy as np, stackelberg as sb
    >>> a = np.indices((2, 2, 2))
    >>> game = sb.NormalFormGame([(a[0] == a[1]) * 1, (a[1] == a[2]) * 1, (a[2] != a[0]) * 1])
    >>> [[str(v) for v in s] for s in polynomial_nash_equilibria(game)[0].strategies]
    [['1/2', '1/2'], ['1/2', '1/2'], ['1/2', '1/2']]
    """
    check_game(game)
    want_exact = check_exact(game, exact) if exact is not None else game.is_exact
    tol = check_solver_tol(tol, False, "a polynomial solve", "Newton leaves tiny regrets")
    depth = check_positive_int("depth", depth)
    max_cells = check_positive_int("max_cells", max_cells)
    max_denominator = check_positive_int("max_denominator", max_denominator)
    scale = max(1.0, max(float(np.abs(t).max()) for t in game.payoffs))
    payoffs = tuple(t / scale for t in game.payoffs)
    budget = [max_cells]
    found: list[tuple[tuple, dict]] = []
    for profile in support_profiles(game):
        system = _System(payoffs, profile)
        def accept(strategies):
            return strategies is not None and max(_regrets(payoffs, strategies)) <= tol

        for z, info in system.solve(depth, budget, accept):
            strategies = system.strategies(z)
            if not accept(strategies):
                continue
            info = dict(info, support_profile=profile)
            if any(_close(strategies, other) or _same_continuum(info, other_info) for other, other_info in found):
                continue
            found.append((strategies, info))
    results = []
    for strategies, info in found:
        equilibrium = None
        if want_exact:
            rational = _rationalise(game, strategies, max_denominator, 1e-4 if info["continuum"] else 1e-8)
            if rational is not None:
                equilibrium = certify_equilibrium(game, rational, exact=True, tol=0.0, method="polynomial",
                                                  parameters=info)
        if equilibrium is None:
            equilibrium = certify_equilibrium(game, strategies, exact=False, tol=tol * scale, method="polynomial",
                                              parameters=info)
        results.append(equilibrium)
    return sorted(results, key=lambda eq: (eq.support, tuple(tuple(float(v) for v in s) for s in eq.strategies)))


# ---------------------------------------------------------------------- helpers


def _dominated(payoffs, profile) -> bool:
    """True when some support action is conditionally strictly dominated against the others' supports."""
    for p, tensor in enumerate(payoffs):
        axes = [range(tensor.shape[q]) if q == p else list(s) for q, s in enumerate(profile)]
        block = np.moveaxis(tensor[np.ix_(*axes)], p, 0).reshape(tensor.shape[p], -1)
        for a in profile[p]:
            if (block > block[a] + _EXCLUDE).all(axis=1).any():
                return True
    return False


def _contract(D, vectors, batch):
    """Contract the trailing axes of ``D`` with a batch of vectors: ``(batch, product of D's leading axes)``.

    ``D`` has shape ``leading + (s_1, ..., s_r)`` and ``vectors[j]`` shape ``(batch, s_j)``; the last axis goes
    first, each step one batched matrix-vector product.
    """
    if not vectors:
        return np.broadcast_to(D.reshape(1, -1), (batch, D.size))
    T = (D.reshape(-1, D.shape[-1]) @ vectors[-1].T).T  # (batch, everything before the last axis)
    for vector in reversed(vectors[:-1]):
        T = np.matmul(T.reshape(batch, -1, vector.shape[1]), vector[:, :, None])[..., 0]
    return T


def _regrets(payoffs, strategies) -> list[float]:
    out = []
    for p, tensor in enumerate(payoffs):
        for q in reversed(range(len(payoffs))):
            if q != p:
                tensor = np.tensordot(tensor, strategies[q], axes=([q], [0]))
        out.append(float(tensor.max() - tensor @ strategies[p]))
    return out


def _same_continuum(info, other) -> bool:
    """Two continuum representatives of one support profile whose samples come within 0.05 of each other."""
    if not (info["continuum"] and other["continuum"]) or info["support_profile"] != other["support_profile"]:
        return False
    flat = [np.array([np.concatenate(s) for s in i["samples"]]) for i in (info, other)]
    return float(np.abs(flat[0][:, None, :] - flat[1][None, :, :]).max(axis=2).min()) < 0.05


def _close(a, b, atol: float = 1e-7) -> bool:
    return all(np.allclose(x, y, atol=atol) for x, y in zip(a, b))


def _rationalise(game, strategies, max_denominator, distance):
    """A rational profile within ``distance`` of ``strategies`` with exactly zero regret, else None."""
    bound = 10
    while True:
        bound = min(bound, max_denominator)
        rational = []
        for s in strategies:
            values = [Fraction(float(v)).limit_denominator(bound) for v in s]
            big = int(np.argmax(s))
            values[big] = 1 - (sum(values) - values[big])
            rational.append(np.array(values, dtype=object))
        near = all(np.abs(np.asarray(r, float) - s).max() <= distance for r, s in zip(rational, strategies))
        if near and all(v >= 0 for s in rational for v in s) and max(game.payoffs_and_regrets(rational, True)[1]) == 0:
            return rational
        if bound == max_denominator:
            return None
        bound *= 100


class _System:
    """The indifference system of one support profile in its free variables ``z``."""

    def __init__(self, payoffs, profile):
        self.profile = profile
        self.shape = tuple(len(s) for s in profile)
        self.n = len(profile)
        self.offsets = np.cumsum([0] + [k - 1 for k in self.shape])
        self.d = int(self.offsets[-1])
        self.payoffs = payoffs
        block = np.ix_(*[list(s) for s in profile])
        letters = string.ascii_lowercase[: self.n]
        self.differences, self.scripts = [], []
        for p, tensor in enumerate(payoffs):
            restricted = np.moveaxis(tensor[block], p, 0)
            self.differences.append(restricted[1:] - restricted[:1])  # (k_p, other supports...)
            others = [letters[q] for q in range(self.n) if q != p]
            self.scripts.append(others)

    def mixed(self, z):
        """Restricted strategies (batch, |S_q|) of every player for points ``z`` (batch, d)."""
        out = []
        for q in range(self.n):
            free = z[:, self.offsets[q]:self.offsets[q + 1]]
            out.append(np.concatenate([1.0 - free.sum(axis=1, keepdims=True), free], axis=1))
        return out

    def values(self, z):
        """g(z): (batch, d)."""
        x = self.mixed(z)
        parts = []
        for p in range(self.n):
            if self.shape[p] == 1:
                continue
            others = self.scripts[p]
            if not others:  # a one-player game: the differences are constants
                parts.append(np.broadcast_to(self.differences[p], (len(z), self.shape[p] - 1)))
                continue
            parts.append(_contract(self.differences[p], [x[ord(c) - 97] for c in others], len(z)))
        return np.concatenate(parts, axis=1)

    def jacobian(self, z):
        """dg/dz: (batch, d, d)."""
        x = self.mixed(z)
        batch = z.shape[0]
        J = np.zeros((batch, self.d, self.d))
        for p in range(self.n):
            if self.shape[p] == 1:
                continue
            rows = slice(self.offsets[p], self.offsets[p + 1])
            others = self.scripts[p]
            for c in others:
                q = ord(c) - 97
                if self.shape[q] == 1:
                    continue
                rest = [o for o in others if o != c]
                moved = np.moveaxis(self.differences[p], 1 + others.index(c), 1)  # (k_p, |S_q|, rest...)
                T = _contract(moved, [x[ord(o) - 97] for o in rest], batch).reshape(batch, -1, self.shape[q])
                J[:, rows, self.offsets[q]:self.offsets[q + 1]] = T[:, :, 1:] - T[:, :, :1]
        return J

    def strategies(self, z):
        """Full strategies of a point, or None when it is off the product of simplices."""
        x = self.mixed(z[None, :])
        out = []
        for q, (support, k) in enumerate(zip(self.profile, self.shape)):
            restricted = x[q][0]
            if restricted.min() < -1e-9:
                return None
            full = np.zeros(self.payoffs[0].shape[q])
            full[list(support)] = np.clip(restricted, 0.0, None)
            out.append(full / full.sum())
        return tuple(out)

    # ------------------------------------------------------------------ subdivision
    def solve(self, depth, budget, accept):
        """Yield ``(z, info)``: isolated roots and continuum representatives in the unit box."""
        if self.d == 0:
            yield np.zeros(0), {"continuum": False, "dimension": 0}
            return
        corners = np.array(list(itertools.product((0.0, 1.0), repeat=self.d)))  # (2^d, d)
        lo, hi = np.zeros((1, self.d)), np.ones((1, self.d))
        min_width = 2.0**-depth
        # generic rank below d: every non-empty solution set has dimension >= d - rank (no isolated roots),
        # so only the sign test is useful and a coarse subdivision locates the continua
        probe = np.random.default_rng(0).dirichlet(np.ones(self.d + 1), size=4)[:, : self.d]
        generic_rank = max(np.linalg.matrix_rank(J, tol=1e-9) for J in self.jacobian(probe))
        cell_budget = _PROFILE_CELLS if generic_rank == self.d else _PROFILE_CELLS // 10
        roots, undecided, examined = [], [], 0
        while len(lo):
            examined += len(lo)
            if examined > cell_budget:  # a continuum of positive dimension: stop refining it here
                undecided.extend(zip(lo, hi))
                break
            budget[0] -= len(lo)
            if budget[0] < 0:
                raise ProblemTooLargeError(
                    f"the polynomial support enumeration needs more cells than max_cells on support profile "
                    f"{self.profile} (use logit_equilibrium for one equilibrium of a large game)", limit="max_cells")
            points = lo[:, None, :] + corners[None] * (hi - lo)[:, None, :]  # (c, 2^d, d)
            flat = points.reshape(-1, self.d)
            g = self.values(flat).reshape(len(lo), -1, self.d)
            keep = ~((g.min(axis=1) > _EXCLUDE) | (g.max(axis=1) < -_EXCLUDE)).any(axis=1)
            for q in range(self.n):  # the cell must meet the simplex: sum of lower corners <= 1
                keep &= lo[:, self.offsets[q]:self.offsets[q + 1]].sum(axis=1) <= 1.0 + 1e-12
            lo, hi, points = lo[keep], hi[keep], points[keep]
            if not len(lo):
                break
            J = self.jacobian(points.reshape(-1, self.d)).reshape(len(lo), -1, self.d, self.d)
            J_lo, J_hi = J.min(axis=1), J.max(axis=1)
            middle, radius = (lo + hi) / 2, (hi - lo) / 2
            verdict = self._krawczyk(middle, radius, J_lo, J_hi) if generic_rank == self.d else np.zeros(len(lo), int)
            for k in np.flatnonzero(verdict == 1):
                root = self._newton(middle[k])
                if root is not None and not any(np.allclose(root, r, atol=1e-10) for r in roots):
                    roots.append(root)
            split = verdict == 0
            small = split & ((hi - lo).max(axis=1) < min_width)
            undecided.extend(zip(lo[small], hi[small]))
            split &= ~small
            lo, hi = lo[split], hi[split]
            axis = np.argmax(hi - lo, axis=1)
            rows = np.arange(len(lo))
            cut = lo[rows, axis] + _SPLIT * (hi - lo)[rows, axis]
            lo2, hi1 = lo.copy(), hi.copy()
            hi1[rows, axis] = cut
            lo2[rows, axis] = cut
            lo, hi = np.concatenate([lo, lo2]), np.concatenate([hi1, hi])
        for root in roots:
            yield root, {"continuum": False, "dimension": 0}
        yield from self._undecided(undecided, roots, accept)

    def _krawczyk(self, middle, radius, J_lo, J_hi):
        """Per cell: -1 no root, 1 exactly one root, 0 undecided."""
        verdict = np.zeros(len(middle), dtype=int)
        Jm = self.jacobian(middle)
        s = np.linalg.svd(Jm, compute_uv=False)
        regular = s[:, -1] > 1e-10 * np.maximum(s[:, 0], 1e-300)
        if not regular.any():
            return verdict
        k = np.flatnonzero(regular)
        Y = np.linalg.inv(Jm[k])
        f = self.values(middle[k])
        centre_J, radius_J = (J_lo[k] + J_hi[k]) / 2, (J_hi[k] - J_lo[k]) / 2
        M = np.eye(self.d)[None] - Y @ centre_J
        spread = np.abs(M) + np.abs(Y) @ radius_J
        K_centre = middle[k] - np.einsum("cij,cj->ci", Y, f)
        K_radius = np.einsum("cij,cj->ci", spread, radius[k])
        r = radius[k]
        offset = np.abs(K_centre - middle[k])
        inside = (offset + K_radius < r).all(axis=1)
        outside = (offset - K_radius > r).any(axis=1)
        verdict[k[inside]] = 1
        verdict[k[outside]] = -1
        return verdict

    def _newton(self, z, iterations: int = 60):
        for _ in range(iterations):
            g = self.values(z[None])[0]
            J = self.jacobian(z[None])[0]
            try:
                step = np.linalg.solve(J, g)
            except np.linalg.LinAlgError:
                return None
            z = z - step
            if np.abs(step).max() < 1e-15:
                break
        return z if np.abs(self.values(z[None])[0]).max() < 1e-11 else None

    def _gauss_newton(self, z, iterations: int = 60):
        for _ in range(iterations):
            g = self.values(z[None])[0]
            if np.abs(g).max() < 1e-14:
                break
            J = self.jacobian(z[None])[0]
            step = np.linalg.lstsq(J, g, rcond=None)[0]
            z = z - step
            if np.abs(step).max() < 1e-15:
                break
        return z if np.abs(self.values(z[None])[0]).max() < 1e-11 else None

    def _undecided(self, cells, roots, accept):
        """Singular roots and continua around the cells left undecided (touching cells form one component)."""
        if not cells:
            return
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        lo = np.array([c[0] for c in cells])
        hi = np.array([c[1] for c in cells])
        rows, cols = [], []
        for k in range(len(cells)):
            touching = np.flatnonzero(((lo <= hi[k] + 1e-12) & (lo[k] <= hi + 1e-12)).all(axis=1))
            rows.extend([k] * len(touching))
            cols.extend(touching)
        graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cells), len(cells)))
        count, labels = connected_components(graph, directed=False)
        for component in range(count):
            members = np.flatnonzero(labels == component)
            if len(members) > _STARTS:
                members = members[np.linspace(0, len(members) - 1, _STARTS).astype(int)]
            points = []
            for k in members:
                z = self._gauss_newton((lo[k] + hi[k]) / 2)
                if z is not None and accept(self.strategies(z)):
                    points.append(z)
            if not points:
                continue
            centre = np.mean(points, axis=0)
            z = min(points, key=lambda w: float(np.abs(w - centre).max()))  # the most central sample
            if any(np.allclose(z, r, atol=1e-8) for r in roots):
                continue
            s = np.linalg.svd(self.jacobian(z[None])[0], compute_uv=False)
            nullity = int((s <= 1e-8 * max(1.0, s[0])).sum())
            spread = max(np.abs(w - z).max() for w in points)
            if nullity and spread > 1e-4:
                samples = tuple(self.strategies(w) for w in points)
                yield z, {"continuum": True, "dimension": nullity, "samples": samples}
            else:
                refined = self._newton(z) if not nullity else z
                yield (z if refined is None else refined), {"continuum": False, "dimension": 0}
