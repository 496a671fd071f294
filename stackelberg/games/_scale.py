r"""The payoff scale that makes every float tolerance relative (matrix solvers, certificates, ``is_nash``): defined once.

A positive affine change of one player's payoffs, :math:`u_p \mapsto c\,u_p + d_p` with :math:`c > 0`, changes no
Nash, Stackelberg or sequential equilibrium. So a float solver must not compare payoff differences with an
absolute number: ``1e-9`` is huge for payoffs of size ``1e-12`` (every action ties, every profile "is" an
equilibrium) and tiny for payoffs of size ``1e12`` (rounding alone exceeds it). Every ``tol`` of the matrix solvers
is therefore **relative to the payoff scale**:

.. math::

    \operatorname{scale}_p = \max u_p - \min u_p \quad \text{(the range of player } p\text{'s payoffs)},

or, for a player whose payoffs are all equal (every comparison of its payoffs is then a tie),
:math:`\max |u_p|`, and 1 if they are all zero. A payoff difference of player ``p`` counts as zero when it is at
most ``tol * scale_p``. Probabilities are already scale-free and are compared with ``tol`` itself. The range is
invariant under shifts and multiplies with ``c``, so scaling or shifting a game changes no float decision beyond
rounding. Checks that *compute* payoffs from mixed strategies (certificates) also allow for the rounding of that
computation, :data:`ROUNDING_ULPS` units in the last place of the largest :math:`|u_p|` per action summed over.

Exact games (integers and Fractions) are compared exactly and never use a tolerance.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ROUNDING_ULPS", "normalised", "payoff_range", "payoff_scale", "payoff_scales", "regret_allowances", "rounding_allowance"]

ROUNDING_ULPS = 4.0
"""Units in the last place, per summed term, that certificates allow for the rounding of an expected payoff."""


def payoff_scale(payoffs) -> float:
    """The scale of one player's float payoffs: their range; ``max |u|`` if constant; 1 if all zero.

    Examples
    --------
    >>> payoff_scale(np.array([[1.0, 3.0], [-1.0, 2.0]]))
    4.0
    >>> payoff_scale(np.array([[5.0, 5.0]])), payoff_scale(np.zeros(3))
    (5.0, 1.0)
    >>> bool(np.isclose(payoff_scale(1e-12 * np.array([1.0, 3.0]) + 7e-12), 2e-12, rtol=1e-12, atol=0))
    True
    """
    return payoff_range(payoffs)[1]


def payoff_range(payoffs) -> tuple[float, float]:
    """``(min u, scale)`` of one player's float payoffs, read in one min and one max pass: the offset and slope of
    :func:`normalised` (``scale`` as :func:`payoff_scale`; the minimum is 0 for no payoffs).

    Examples
    --------
    >>> payoff_range(np.array([[1.0, 3.0], [-1.0, 2.0]]))
    (-1.0, 4.0)
    """
    values = np.asarray(payoffs, dtype=float)
    if values.size == 0:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    if high > low:
        return low, high - low
    magnitude = max(abs(low), abs(high))
    return low, (magnitude if magnitude > 0 else 1.0)


def payoff_scales(game) -> tuple[float, ...]:
    """:func:`payoff_scale` of every player of a :class:`~stackelberg.games.normal_form.NormalFormGame`.

    Examples
    --------
    >>> import stackelberg as sb
    >>> payoff_scales(sb.NormalFormGame.from_bimatrix([[0, 2e6]], [[1e-9, 3e-9]]))
    (2000000.0, 2e-09)
    """
    return tuple(payoff_scale(tensor) for tensor in game.payoffs)


def normalised(payoffs) -> np.ndarray:
    """Float payoffs mapped affinely (positive slope) onto ``[0, 1]``: ``(u - min u) / scale``.

    Same equilibria, and a payoff difference of ``tol`` in the result is ``tol * scale`` in the original.
    Subtraction and division by a positive number are monotone in floating point, so ties and orders of the
    input survive exactly.

    Examples
    --------
    >>> normalised(np.array([2e12, 4e12, 3e12])).tolist()
    [0.0, 1.0, 0.5]
    """
    values = np.asarray(payoffs, dtype=float)
    low, scale = payoff_range(values)
    return (values - low) / scale


def rounding_allowance(payoffs, terms: int) -> float:
    """A bound on the rounding error of an expected payoff of these payoffs summed over ``terms`` actions.

    Examples
    --------
    >>> bool(rounding_allowance(np.array([1.0, -2.0]), 2) == 4.0 * 2 * 2.0 * np.finfo(float).eps)
    True
    """
    values = np.asarray(payoffs, dtype=float)
    magnitude = float(np.abs(values).max()) if values.size else 0.0
    return ROUNDING_ULPS * max(terms, 1) * magnitude * float(np.finfo(float).eps)


def regret_allowances(game, tol: float) -> tuple[float, ...]:
    """The largest regret accepted for each player of a float game (certificates and ``is_nash``).

    ``tol * scale_p`` (tol is relative to the payoff scale) plus the rounding allowance of an expected payoff
    (:func:`rounding_allowance` over all actions of ``game``, a NormalFormGame).

    Examples
    --------
    >>> from stackelberg.games.normal_form import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[0.0, 1e12]], [[0.0, 2.0]])
    >>> [f"{a:.3g}" for a in regret_allowances(g, 1e-9)]
    ['1e+03', '2e-09']
    """
    terms = sum(game.shape)
    return tuple(tol * scale + rounding_allowance(tensor, terms)
                 for scale, tensor in zip(payoff_scales(game), game.payoffs))
