"""Argument checks of the matrix-game solvers that need the game class.

They live here, not in :mod:`stackelberg._validation`, which must not import the game classes
(:mod:`stackelberg.games.normal_form` imports :mod:`stackelberg._validation`). The ``exact`` resolution itself is
:func:`stackelberg._validation.resolve_exact`.
"""

from __future__ import annotations

from ..._validation import check_tol, resolve_exact
from ...games.normal_form import NormalFormGame

__all__ = ["check_game", "check_bimatrix_arguments", "check_exact", "check_solver_tol"]


def check_game(game) -> NormalFormGame:
    """Return ``game`` after checking it is a :class:`NormalFormGame` (any number of players).

    Examples
    --------
    >>> check_game([[1, 2]])
    Traceback (most recent call last):
    ...
    TypeError: game must be a NormalFormGame; got list
    """
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame; got {type(game).__name__}")
    return game


def check_exact(game: NormalFormGame, exact) -> bool:
    """Resolve ``exact`` (None: ``game.is_exact``; True only for an exact game) for a checked ``game``."""
    return resolve_exact(exact, game.is_exact)


def check_bimatrix_arguments(
    game,
    exact,
    *,
    purpose: str = "mixed equilibrium enumeration",
    hint: str = "use pure_nash_equilibria for the pure equilibria of N-player games",
) -> bool:
    """Validate a two-player game and resolve ``exact`` (None: ``game.is_exact``).

    A game with another number of players is a ValueError that names ``purpose`` (what needs two players) and
    ends with ``hint`` (which solver to use instead).

    Examples
    --------
    >>> import stackelberg as sb
    >>> check_bimatrix_arguments(sb.NormalFormGame.from_bimatrix([[1]], [[2]]), None)
    True
    >>> check_bimatrix_arguments(sb.NormalFormGame.common_payoff([[[1]]]), None)
    Traceback (most recent call last):
    ...
    ValueError: game must have 2 players for mixed equilibrium enumeration; it has 3 (use pure_nash_equilibria for the pure equilibria of N-player games)
    """
    check_game(game)
    if game.n_players != 2:
        raise ValueError(f"game must have 2 players for {purpose}; it has {game.n_players} ({hint})")
    return check_exact(game, exact)


def check_solver_tol(tol, exact: bool, what: str, why: str) -> float:
    """``tol`` as a float: finite and non-negative, and positive for a float solve (``exact`` False).

    ``what`` names the solve and ``why`` says what a zero tolerance would break, in the error message.

    Examples
    --------
    >>> check_solver_tol(0, True, "a float solve", "rounding leaves tiny regrets")
    0.0
    >>> check_solver_tol(0, False, "a float solve", "rounding leaves tiny regrets")
    Traceback (most recent call last):
    ...
    ValueError: tol must be positive for a float solve (rounding leaves tiny regrets); got 0
    """
    tol = check_tol("tol", tol)
    if not exact and tol == 0:
        raise ValueError(f"tol must be positive for {what} ({why}); got 0")
    return tol
