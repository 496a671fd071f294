"""Boundary checks shared by every public function.

Each helper validates one argument and raises ``ValueError`` or ``TypeError``
with a message that names the argument and what was expected. Kernels never
call these: they trust their inputs.
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np

__all__ = [
    "as_finite_array",
    "check_discount",
    "check_probability_vector",
    "check_positive_int",
    "check_tol",
    "check_choice",
    "check_bimatrix_arguments",
    "is_exact_number",
]


def is_exact_number(value) -> bool:
    """Return True for Python/numpy integers and ``Fraction`` (not bool, not float)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (numbers.Integral, Fraction))


def as_finite_array(name: str, value, *, ndim: int | None = None, dtype=float) -> np.ndarray:
    """Convert ``value`` to a finite numeric array, or raise naming ``name``.

    Examples
    --------
    >>> as_finite_array("A", [[1, 2], [3, 4]], ndim=2).shape
    (2, 2)
    >>> as_finite_array("A", [1.0, float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: A must contain only finite numbers; found nan at index (1,)
    """
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers; got {type(value).__name__} ({error})") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array; got shape {array.shape}")
    if array.dtype.kind == "f" or array.dtype.kind == "c":
        bad = ~np.isfinite(array)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name} must contain only finite numbers; found {array[index]} at index {index}")
    return array


def check_probability_vector(name: str, p, size: int | None = None, *, tol: float = 1e-9) -> np.ndarray:
    """Return ``p`` as a float vector after checking it lies on the simplex.

    Examples
    --------
    >>> check_probability_vector("x", [0.5, 0.5], 2)
    array([0.5, 0.5])
    >>> check_probability_vector("x", [0.5, 0.6], 2)
    Traceback (most recent call last):
    ...
    ValueError: x must sum to 1 (within 1e-09); its entries sum to 1.1
    """
    exact = all(is_exact_number(v) for v in np.asarray(p, dtype=object).ravel())
    vector = as_finite_array(name, p, ndim=1)
    if size is not None and vector.shape[0] != size:
        raise ValueError(f"{name} must have {size} entries (one per action); got {vector.shape[0]}")
    if (vector < -tol).any():
        raise ValueError(f"{name} must be non-negative; found {vector.min():g}")
    total = sum(Fraction(v) for v in np.asarray(p, dtype=object).ravel()) if exact else vector.sum()
    if (exact and total != 1) or (not exact and abs(total - 1.0) > tol):
        raise ValueError(f"{name} must sum to 1 (within {tol:g}); its entries sum to {float(total):.12g}")
    return vector


def check_discount(name: str, gamma) -> float:
    """Return ``gamma`` as a float after checking ``0 <= gamma < 1``.

    Examples
    --------
    >>> check_discount("gamma", 0.9)
    0.9
    >>> check_discount("gamma", 1.0)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be a discount factor in [0, 1); got 1.0
    """
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1); got {type(gamma).__name__}")
    value = float(gamma)
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{name} must be a discount factor in [0, 1); got {gamma}")
    return value


def check_positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_flag(name: str, value) -> bool:
    """A ``True``/``False`` switch (numpy booleans too); anything else is a TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_tol(name: str, tol) -> float:
    """Return ``tol`` as a float after checking it is finite and non-negative."""
    if isinstance(tol, (bool, np.bool_)) or not isinstance(tol, numbers.Real):
        raise TypeError(f"{name} must be a non-negative real number; got {tol!r}")
    value = float(tol)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite non-negative number; got {tol!r}")
    return value


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` after checking it is one of ``choices``.

    Examples
    --------
    >>> check_choice("tie_break", "weak", ("strong", "weak"))
    'weak'
    >>> check_choice("tie_break", "soft", ("strong", "weak"))
    Traceback (most recent call last):
    ...
    ValueError: tie_break must be one of 'strong', 'weak'; got 'soft'
    """
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def check_bimatrix_arguments(game, exact) -> bool:
    """Validate a two-player game and resolve ``exact`` (None: ``game.is_exact``)."""
    from .games.normal_form import NormalFormGame  # here: normal_form imports this module

    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame; got {type(game).__name__}")
    if game.n_players != 2:
        raise ValueError(
            f"game must have 2 players for mixed equilibrium enumeration; it has {game.n_players} "
            "(use pure_nash_equilibria for the pure equilibria of N-player games)"
        )
    if exact is None:
        return game.is_exact
    if exact not in (True, False) or not isinstance(exact, (bool, np.bool_)):
        raise TypeError(f"exact must be True, False or None; got {exact!r}")
    if exact and not game.is_exact:
        raise ValueError(
            "exact=True needs a game with integer or Fraction payoffs; this game has float payoffs "
            "(build it with NormalFormGame(payoffs, exact=True) to solve the floats' exact binary values)"
        )
    return bool(exact)
