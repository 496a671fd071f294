"""Boundary checks shared by every public function.

Each helper validates one argument and raises ``ValueError`` or ``TypeError``
with a message that names the argument and what was expected. Kernels never
call these: they trust their inputs.
"""

from __future__ import annotations

import numbers
import re
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
    "parse_exact_literal",
    "check_exact_magnitude",
    "MAX_LITERAL_DIGITS",
    "MAX_LITERAL_EXPONENT",
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
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be None, a non-negative integer or a numpy.random.Generator; got {seed!r}")
    if seed < 0:
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


#: Most digits accepted in one exact number literal (in a file, a JSON string or a game parameter): its mantissa,
#: or each of the numerator and denominator of ``a/b``. Bounds the time ``Fraction`` spends on a literal.
MAX_LITERAL_DIGITS = 1000

#: Largest magnitude of a decimal exponent accepted in an exact literal (``1e1000`` is the largest power of ten).
#: ``Fraction("1e999999999")`` would build a billion-digit integer, which takes minutes.
MAX_LITERAL_EXPONENT = 1000

#: Largest finite float (about 1.8e308): every game keeps a float copy of its payoffs, so exact values are bounded
#: by it too.
FLOAT_MAX = float.fromhex("0x1.fffffffffffffp+1023")

_ASCII_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_ASCII_RATIONAL = re.compile(r"([+-]?)([0-9]+)/([0-9]+)")


def parse_exact_literal(name: str, text: str) -> Fraction | None:
    """The exact value of an integer, decimal (``-2.5e-3``) or rational (``a/b``) literal, or None if it is none.

    Only ASCII digits count (``"١"`` is not a number, nor ``"1_000"``). The size is bounded before any arithmetic:
    at most :data:`MAX_LITERAL_DIGITS` digits (mantissa, or each of numerator and denominator), an exponent of
    magnitude at most :data:`MAX_LITERAL_EXPONENT`, and a magnitude at most :data:`FLOAT_MAX` (the largest float;
    every game keeps a float copy of its payoffs).

    Parameters
    ----------
    name : str
        What the literal is (named in errors), e.g. ``"payoffs[0][1, 2]"``.
    text : str
        The literal.

    Returns
    -------
    Fraction or None
        None when ``text`` is not a number literal at all (the caller says what was expected); a zero
        denominator is not a number either.

    Raises
    ------
    ValueError
        Naming ``name`` and the bound, when the literal is a number beyond the bounds above.

    Examples
    --------
    >>> parse_exact_literal("k", "-2.5e-1"), parse_exact_literal("k", "1/3"), parse_exact_literal("k", "١")
    (Fraction(-1, 4), Fraction(1, 3), None)
    >>> parse_exact_literal("k", "1e999999999")
    Traceback (most recent call last):
    ...
    ValueError: k: the exponent of 1e999999999 is beyond +-1000 (MAX_LITERAL_EXPONENT)
    """
    if not isinstance(text, str):
        return None
    if len(text) > 3 * MAX_LITERAL_DIGITS:
        if _ASCII_DECIMAL.fullmatch(text) or _ASCII_RATIONAL.fullmatch(text):
            raise ValueError(f"{name}: a number literal of {len(text)} characters is longer than "
                             f"{MAX_LITERAL_DIGITS} digits (MAX_LITERAL_DIGITS)")
        return None
    shown = text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"
    decimal = _ASCII_DECIMAL.fullmatch(text)
    if decimal is not None:
        sign, whole, fraction, exponent = decimal.groups()
        fraction = fraction or ""
        if not whole and not fraction:
            return None
        if len(whole) + len(fraction) > MAX_LITERAL_DIGITS:
            raise ValueError(f"{name}: {shown} has more than {MAX_LITERAL_DIGITS} digits (MAX_LITERAL_DIGITS)")
        power = int(exponent) if exponent else 0
        if abs(power) > MAX_LITERAL_EXPONENT:
            raise ValueError(f"{name}: the exponent of {shown} is beyond +-{MAX_LITERAL_EXPONENT} "
                             "(MAX_LITERAL_EXPONENT)")
        digits = (whole + fraction).lstrip("0") or "0"
        power -= len(fraction)
        # the magnitude is below 10**(len(digits) + power): test it before building a huge integer
        if digits != "0" and len(digits) + power - 1 > 309:
            raise ValueError(f"{name}: {shown} is larger in magnitude than the largest float {FLOAT_MAX:.4g}")
        value = Fraction(int(digits) * 10**power) if power >= 0 else Fraction(int(digits), 10**-power)
        value = -value if sign == "-" else value
    else:
        rational = _ASCII_RATIONAL.fullmatch(text)
        if rational is None:
            return None
        sign, numerator, denominator = rational.groups()
        if max(len(numerator), len(denominator)) > MAX_LITERAL_DIGITS:
            raise ValueError(f"{name}: {shown} has more than {MAX_LITERAL_DIGITS} digits in its numerator or "
                             "denominator (MAX_LITERAL_DIGITS)")
        if int(denominator) == 0:
            return None
        value = Fraction(int(numerator), int(denominator))
        value = -value if sign == "-" else value
    if abs(value) > FLOAT_MAX:
        raise ValueError(f"{name}: {shown} is larger in magnitude than the largest float {FLOAT_MAX:.4g}")
    return value


def check_exact_magnitude(name: str, value):
    """Return ``value`` (an int or Fraction) after checking it has at most :data:`MAX_LITERAL_DIGITS` digits in
    numerator and denominator and a magnitude at most :data:`FLOAT_MAX`; else a ValueError naming ``name``.

    Examples
    --------
    >>> check_exact_magnitude("k", 10**400)
    Traceback (most recent call last):
    ...
    ValueError: k: an exact number of magnitude about 1e+400 is larger than the largest float 1.798e+308
    """
    fraction = Fraction(int(value)) if isinstance(value, numbers.Integral) else Fraction(value)
    for part in (fraction.numerator, fraction.denominator):
        if int(part).bit_length() > 3322 * MAX_LITERAL_DIGITS // 1000 + 4:  # log2(10) digits per bit
            raise ValueError(f"{name}: an exact number with more than {MAX_LITERAL_DIGITS} digits in its numerator "
                             "or denominator (MAX_LITERAL_DIGITS)")
    if abs(fraction) > FLOAT_MAX:
        size = len(str(abs(fraction.numerator) // fraction.denominator)) - 1
        raise ValueError(f"{name}: an exact number of magnitude about 1e+{size} is larger than the largest float "
                         f"{FLOAT_MAX:.4g}")
    return value
