r"""Cooperation level of a game and Pareto comparison of payoff profiles.

Bi-AC (Zhang et al., 2020, Eq. 6) defines the cooperation level of a
two-player Markov game as the correlation, over all deterministic joint
policies :math:`\vec\pi`, of the two agents' values:

.. math::

    CL = \frac{\sum_{\vec\pi} (V_1^{\vec\pi} - \bar V_1)(V_2^{\vec\pi} - \bar V_2)}
              {\sqrt{\sum_{\vec\pi} (V_1^{\vec\pi} - \bar V_1)^2 \,
                     \sum_{\vec\pi} (V_2^{\vec\pi} - \bar V_2)^2}}.

For a matrix game (one state) the deterministic joint policies are the cells,
so :math:`CL` is the Pearson correlation of :math:`(A_{ij}, B_{ij})` over all
cells: 1 for a common-payoff game, -1 for a zero-sum game.

Conventions of this module:

* **N players.** The cooperation level is the mean of the pairwise
  correlations :math:`CL(u_p, u_q)` over the :math:`N(N-1)/2` pairs
  :math:`p < q`. It is 1 exactly for common-payoff games, and at least
  :math:`-1/(N-1)` (the bound of an equicorrelation matrix); for the
  :func:`~stackelberg.games.generators.covariance_game` of parameter
  :math:`\rho` it is close to :math:`\rho`.
* **Constant payoffs.** A player whose payoffs are the same in every cell has
  no variance, and the correlation is undefined: :func:`cooperation_level`
  raises ``ValueError`` naming the player (never a silent NaN). Games with one
  player or one cell raise too.

Examples
--------
>>> from stackelberg.games.catalog import escape, matching_pennies
>>> cooperation_level(escape()), cooperation_level(matching_pennies())
(1.0, -1.0)
>>> pareto_compare((30, 30), (15, 15))
'dominates'

References
----------
.. [1] H. Zhang et al., "Bi-level Actor-Critic for Multi-agent Coordination",
   AAAI 2020, Eq. 6 and Fig. 2.
"""

from __future__ import annotations

import itertools
import math
import numbers
from fractions import Fraction

import numpy as np

from .._validation import check_tol, is_exact_number
from ..games.normal_form import NormalFormGame

__all__ = ["cooperation_level", "pareto_compare"]


def cooperation_level(game: NormalFormGame) -> float:
    """The Pearson correlation of the players' payoffs over all cells (Bi-AC, Eq. 6).

    Parameters
    ----------
    game : NormalFormGame
        A game with at least two players and two cells. For N > 2 players the
        result is the mean of the pairwise correlations.

    Returns
    -------
    float
        In ``[-1, 1]``: 1 for common-payoff games, -1 for two-player zero-sum games.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`.
    ValueError
        If the game has a single player, or some player's payoffs are constant
        over all cells (zero variance: the correlation is undefined).

    Examples
    --------
    >>> from stackelberg.games.catalog import maintain
    >>> round(cooperation_level(maintain()), 4)
    0.3751
    >>> cooperation_level(NormalFormGame.from_bimatrix([[1, 2]], [[5, 5]]))
    Traceback (most recent call last):
    ...
    ValueError: cooperation_level is undefined when a player's payoffs are constant: player 1 gets 5.0 in every cell
    """
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame; got {type(game).__name__}")
    if game.n_players < 2:
        raise ValueError(f"cooperation_level needs at least two players; the game has {game.n_players}")
    centred = []
    for p, payoffs in enumerate(game.payoffs):
        values = payoffs.ravel()
        if (values == values[0]).all():
            raise ValueError(
                "cooperation_level is undefined when a player's payoffs are constant: "
                f"player {p} gets {values[0]} in every cell"
            )
        centred.append(values - values.mean())
    correlations = [
        float(np.clip((x @ y) / math.sqrt((x @ x) * (y @ y)), -1.0, 1.0))
        for x, y in itertools.combinations(centred, 2)
    ]
    return correlations[0] if len(correlations) == 1 else float(np.mean(correlations))


def _payoff_vector(name: str, profile) -> list:
    try:
        values = list(profile)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of payoffs (one per player); got {type(profile).__name__}") from None
    if not values:
        raise ValueError(f"{name} must hold at least one payoff; got an empty sequence")
    for k, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name}[{k}] must be a real number; got {v!r}")
        if not is_exact_number(v) and not math.isfinite(float(v)):
            raise ValueError(f"{name}[{k}] must be finite; got {v!r}")
    # exact values (a float's binary value), so mixed int/Fraction/float profiles compare exactly
    return [Fraction(v) if is_exact_number(v) else Fraction(float(v)) for v in values]


def pareto_compare(profile_a, profile_b, tol=0) -> str:
    """Compare two payoff profiles by (strict) Pareto dominance.

    With ``d = profile_a - profile_b`` componentwise:

    * ``"equal"``: every ``|d_p| <= tol``;
    * ``"dominates"``: ``a`` is at least as good for every player
      (``d_p >= -tol``) and strictly better for one (``d_p > tol``);
    * ``"dominated"``: the same with the roles of ``a`` and ``b`` swapped;
    * ``"incomparable"``: some player strictly prefers ``a`` and another ``b``.

    The comparison is exact: every payoff (and ``tol``) is compared by its
    exact value, a float by its binary value, so ``tol=0`` means no slack at all.

    Parameters
    ----------
    profile_a, profile_b : sequence of real
        One payoff per player, of the same length.
    tol : float, default 0
        Differences within ``tol`` count as ties (for float payoffs).

    Returns
    -------
    str
        One of ``"dominates"``, ``"dominated"``, ``"equal"``, ``"incomparable"``.

    Raises
    ------
    TypeError
        If a profile is not a sequence of real numbers or ``tol`` is not a real number.
    ValueError
        If a profile is empty or holds NaN/infinity, the lengths differ, or ``tol`` is negative.

    Examples
    --------
    >>> pareto_compare((20, 15), (10, 5)), pareto_compare((10, 5), (5, 10))
    ('dominates', 'incomparable')
    >>> pareto_compare((1.0, 2.0), (1.0 + 1e-12, 2.0), tol=1e-9)
    'equal'
    """
    a = _payoff_vector("profile_a", profile_a)
    b = _payoff_vector("profile_b", profile_b)
    if len(a) != len(b):
        raise ValueError(f"profile_a and profile_b must have the same length (one payoff per player); got {len(a)} and {len(b)}")
    tol = check_tol("tol", tol)
    differences = [x - y for x, y in zip(a, b)]
    better = any(d > tol for d in differences)
    worse = any(d < -tol for d in differences)
    if better and worse:
        return "incomparable"
    if better:
        return "dominates"
    if worse:
        return "dominated"
    return "equal"
