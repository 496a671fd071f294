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
    "check_callback",
    "check_choice",
    "check_discount",
    "check_flag",
    "check_player",
    "check_positive",
    "check_positive_int",
    "check_probability",
    "check_probability_vector",
    "check_real",
    "check_seed",
    "check_tol",
    "is_exact_number",
    "resolve_exact",
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


def check_real(name: str, value, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, allow_inf: bool = False) -> float:
    """Return ``value`` as a float after checking it is a real number in the stated interval.

    ``low``/``high`` bound the interval (None: unbounded); ``low_open``/``high_open`` exclude the bound.

    Examples
    --------
    >>> check_real("alpha", 0.5, low=0, high=1)
    0.5
    >>> check_real("alpha", 0.0, low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: alpha must be a real number in (0, inf); got 0.0
    """
    interval = (("(" if low_open else "[") + ("-inf" if low is None else f"{low:g}") + ", "
                + ("inf" if high is None else f"{high:g}") + (")" if high_open or high is None else "]"))
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in {interval}; got {value!r}")
    number = float(value)
    if np.isnan(number) or (np.isinf(number) and not allow_inf):
        raise ValueError(f"{name} must be a finite real number in {interval}; got {value!r}")
    if low is not None and (number < low or (low_open and number == low)):
        raise ValueError(f"{name} must be a real number in {interval}; got {value!r}")
    if high is not None and (number > high or (high_open and number == high)):
        raise ValueError(f"{name} must be a real number in {interval}; got {value!r}")
    return number


def check_positive(name: str, value) -> float:
    """A finite real number ``> 0`` (a rate, a temperature, a step size)."""
    return check_real(name, value, low=0.0, low_open=True)


def check_probability(name: str, value) -> float:
    """A real number in ``[0, 1]`` (an exploration rate, a slip probability)."""
    return check_real(name, value, low=0.0, high=1.0)


def check_seed(name: str, seed):
    """A seed: None, a non-negative integer or a ``numpy.random.Generator`` (returned unchanged).

    Examples
    --------
    >>> check_seed("seed", 3)
    3
    >>> check_seed("seed", -1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be None, a non-negative integer or a numpy.random.Generator; got -1
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{name} must be None, a non-negative integer or a numpy.random.Generator; got {seed!r}")
    return int(seed)


def check_player(name: str, value, n_players: int) -> int:
    """A player index in ``[0, n_players)``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer player index in [0, {n_players}); got {value!r}")
    if not 0 <= value < n_players:
        raise ValueError(f"{name} must be a player index in [0, {n_players}); got {value}")
    return int(value)


def check_callback(name: str, callback):
    """None or a callable."""
    if callback is not None and not callable(callback):
        raise TypeError(f"{name} must be callable or None; got {type(callback).__name__}")
    return callback


def resolve_exact(exact, game_is_exact: bool) -> bool:
    """Resolve a solver's ``exact`` argument against whether the game's payoffs are exact.

    ``None`` follows the game; ``True`` on a float game is an error (exactness cannot be invented).

    Examples
    --------
    >>> resolve_exact(None, True), resolve_exact(False, True)
    (True, False)
    """
    if exact is None:
        return bool(game_is_exact)
    if not isinstance(exact, (bool, np.bool_)):
        raise TypeError(f"exact must be True, False or None; got {exact!r}")
    if exact and not game_is_exact:
        raise ValueError(
            "exact=True needs a game with integer or Fraction payoffs; this game has float payoffs "
            "(build it with NormalFormGame(payoffs, exact=True) to solve the floats' exact binary values)"
        )
    return bool(exact)
