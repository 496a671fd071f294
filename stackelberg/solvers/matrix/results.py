"""Result objects shared by the matrix-game solvers, and their certification.

Every equilibrium a solver returns goes through :func:`certify_equilibrium`,
which recomputes the profile's payoffs and regret from the game itself (not
from the solver's internals): exact games are checked in ``Fraction`` with
zero tolerance, float games against ``tol``, which is relative to the payoff
scale (:mod:`stackelberg.games._scale`): player ``p``'s regret may be
at most ``tol * scale_p`` plus the rounding of its computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import CertificationError
from ...games._scale import regret_allowances
from ...games.normal_form import NormalFormGame

__all__ = ["Equilibrium", "CertificationError", "certify_equilibrium", "regret_allowances"]


@dataclass(frozen=True, kw_only=True)
class Equilibrium:
    """A Nash equilibrium with its certificate.

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        One mixed strategy per player (``Fraction`` object arrays when exact).
    payoffs : tuple
        Each player's expected payoff.
    support : tuple of tuple of int
        The actions each player plays with positive probability.
    max_regret : float or Fraction
        The largest gain any player could get by deviating (0 when exact).
    exact : bool
        Whether strategies and payoffs are exact rationals.
    method : str
        The algorithm that found it.
    """

    strategies: tuple
    payoffs: tuple
    support: tuple
    max_regret: Any
    exact: bool
    method: str
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_pure(self) -> bool:
        """True when every player plays a single action."""
        return all(len(s) == 1 for s in self.support)

    @property
    def pure_actions(self) -> tuple[int, ...] | None:
        """The joint action of a pure equilibrium, else None."""
        return tuple(s[0] for s in self.support) if self.is_pure else None

    def float_strategies(self) -> tuple[np.ndarray, ...]:
        """The strategies as float64 arrays."""
        return tuple(np.asarray(s, dtype=float) for s in self.strategies)

    def key(self, decimals: int = 9) -> tuple:
        """A hashable key (rounded floats) for comparing equilibrium sets."""
        return tuple(tuple(np.round(np.asarray(s, dtype=float), decimals) + 0.0) for s in self.strategies)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Equilibrium) or len(other.strategies) != len(self.strategies):
            return NotImplemented
        if self.exact and other.exact:
            return all(np.array_equal(a, b) for a, b in zip(self.strategies, other.strategies))
        return all(np.allclose(np.asarray(a, float), np.asarray(b, float), atol=1e-9) for a, b in zip(self.strategies, other.strategies))

    __hash__ = None


def certify_equilibrium(
    game: NormalFormGame,
    strategies,
    *,
    exact: bool,
    tol: float,
    method: str,
    parameters: dict | None = None,
    allowances: tuple | None = None,
) -> Equilibrium:
    """Build an :class:`Equilibrium` after checking its regret from the game's payoffs.

    Parameters
    ----------
    game : NormalFormGame
    strategies : sequence of array_like
        One mixed strategy per player (``Fraction`` entries when ``exact``).
    exact : bool
        Check in rationals with zero tolerance.
    tol : float
        Float mode: tol is relative to the payoff scale; player ``p``'s regret
        may be at most ``tol * scale_p`` (``scale_p`` the range of its payoffs,
        :func:`~stackelberg.games._scale.payoff_scale`) plus a bound on
        the rounding of the expected payoffs. Probabilities (the simplex check,
        the support) are compared with ``tol`` itself.
    method : str
        Name of the algorithm, recorded in the result.
    allowances : tuple of float, optional
        The accepted regret of each player, :func:`regret_allowances` of ``game``
        and ``tol`` (callers certifying many profiles compute it once).

    Raises
    ------
    CertificationError
        If the regret exceeds the tolerance (a solver bug).

    Examples
    --------
    >>> g = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> from fractions import Fraction as F
    >>> eq = certify_equilibrium(g, ([F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]), exact=True, tol=0, method="demo")
    >>> eq.max_regret, eq.support
    (Fraction(0, 1), ((0, 1), (0, 1)))
    """
    if len(strategies) != game.n_players:
        raise CertificationError(f"{method} returned {len(strategies)} strategies for {game.n_players} players")
    if exact:
        strategies = tuple(np.array([Fraction(v) for v in s], dtype=object) for s in strategies)
        on_simplex = all(len(s) == k and all(v >= 0 for v in s) and sum(s) == 1 for s, k in zip(strategies, game.shape))
    else:
        strategies = tuple(np.asarray(s, dtype=float) for s in strategies)
        on_simplex = all(
            s.shape == (k,) and np.isfinite(s).all() and s.min() >= -tol and abs(s.sum() - 1.0) <= max(tol, 1e-12)
            for s, k in zip(strategies, game.shape)
        )
    if not on_simplex:
        raise CertificationError(f"{method} returned strategies that are not probability vectors: {strategies}")
    payoffs, regrets = game.payoffs_and_regrets(strategies, exact)
    regret = max(regrets)
    if not exact and allowances is None:
        allowances = regret_allowances(game, tol)
    if (exact and regret != 0) or (not exact and any(r > a for r, a in zip(regrets, allowances))):
        raise CertificationError(
            f"{method} returned a profile with regrets {[float(r) for r in regrets]} above tol {tol:g} "
            f"relative to the payoff scale (allowed {[float(a) for a in (allowances or ())]}): {strategies}")
    if exact:
        support = tuple(tuple(int(a) for a in np.flatnonzero([v != 0 for v in s])) for s in strategies)
    else:
        support = tuple(tuple(int(a) for a in np.flatnonzero(s > tol)) for s in strategies)
    return Equilibrium(
        strategies=strategies,
        payoffs=payoffs,
        support=support,
        max_regret=regret if exact else float(max(regret, 0.0)),
        exact=exact,
        method=method,
        parameters=dict(parameters or {}),
    )
