r"""Nash equilibria of normal-form games: pure equilibria of N-player games, all extreme equilibria of bimatrix games.

A profile :math:`\sigma = (\sigma_0, \dots, \sigma_{N-1})` of mixed strategies is a
Nash equilibrium when no player gains by a unilateral deviation,

.. math::

    u_p(\sigma) \ge u_p(a_p, \sigma_{-p}) \quad \text{for every player } p
    \text{ and action } a_p .

:func:`pure_nash_equilibria` finds the pure ones of an N-player game in a few
vectorised passes over the payoff tensors. For two players,
:func:`nash_equilibria` (and its generator twin :func:`iter_nash_equilibria`)
returns the *extreme* equilibria: the vertices of the finitely many maximal
convex sets of equilibria, whose convex hulls are described by
:func:`stackelberg.solvers.matrix.components.equilibrium_components`. A
non-degenerate game has finitely many equilibria, an odd number of them, and
they are all extreme. For N != 2 players :func:`nash_equilibria` returns all
equilibria of small games (:mod:`stackelberg.solvers.matrix.polynomial_nash`).
Every result is certified by
:func:`stackelberg.solvers.matrix.results.certify_equilibrium` from the game's payoffs:
exactly zero regret in exact mode.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import numpy as np

from ..._validation import check_choice, check_tol
from ...games._scale import payoff_scales
from ...games.normal_form import NormalFormGame
from ._arguments import check_bimatrix_arguments, check_game, check_solver_tol
from .results import Equilibrium, certify_equilibrium, regret_allowances
from .support_enumeration import MAX_SYSTEMS
from .vertex_enumeration import MAX_MEMORY, iter_vertex_enumeration

__all__ = ["pure_nash_equilibria", "nash_equilibria", "iter_nash_equilibria", "NASH_METHODS"]

NASH_METHODS = ("auto", "support", "vertex", "lemke-howson")
"""The values of ``method`` accepted by :func:`nash_equilibria`."""


def pure_nash_equilibria(game: NormalFormGame, *, tol: float = 1e-9) -> list[Equilibrium]:
    """All pure Nash equilibria of an N-player game, sorted by joint action.

    A joint action is an equilibrium when each player's payoff equals the
    maximum of its payoffs along its own axis. Two-player games read each matrix
    once (:mod:`stackelberg.solvers.kernels.pure_nash`). For
    N players each tensor is read once for its maxima, and player 0's once more
    to find candidates; the other players are checked at the candidates only.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    tol : float
        Largest regret accepted for float games; tol is relative to the payoff
        scale: player ``p``'s payoffs within ``tol * scale_p`` of its best
        response tie with it (``scale_p`` the range of its payoffs,
        :mod:`stackelberg.games._scale`), so scaling or shifting a
        game never changes its pure equilibria. Exact games are compared
        exactly: float payoffs (correctly rounded from the exact ones, so
        rounding keeps every order ``<=``) propose the candidates and each
        candidate is confirmed on the exact payoffs.

    Returns
    -------
    list of Equilibrium
        With one-hot strategies (``Fraction`` for exact games), method ``"pure"``.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame` or ``tol`` is not a number.
    ValueError
        If ``tol`` is negative or not finite.

    Examples
    --------
    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> [eq.pure_actions for eq in pure_nash_equilibria(pd)]
    [(1, 1)]
    >>> coordination = sb.NormalFormGame.common_payoff([[[1, 0], [0, 0]], [[0, 0], [0, 1]]])
    >>> [eq.pure_actions for eq in pure_nash_equilibria(coordination)]
    [(0, 0, 0), (1, 1, 1)]

    References
    ----------
    .. [1] J. F. Nash, "Non-cooperative games", Annals of Mathematics 54(2), 286-295, 1951.
    """
    check_game(game)
    tol = check_tol("tol", tol)
    exact = game.is_exact
    tensors = game.payoffs
    if game.n_players == 2:
        from ..kernels.pure_nash import bimatrix_pure_nash

        A, B = (np.ascontiguousarray(t, dtype=np.float64) for t in tensors)
        # exact: the correctly rounded floats propose (threshold 0), the exact payoffs confirm
        threshold_A, threshold_B = (0.0, 0.0) if exact else (tol * scale for scale in payoff_scales(game))
        joint_actions = bimatrix_pure_nash(A, B, A.max(axis=0) - threshold_A, threshold_B)
        if exact:
            joint_actions = [a for a in joint_actions if _is_exact_pure_nash(game, tuple(a))]
        return [_pure_equilibrium(game, tuple(int(a) for a in actions), exact) for actions in joint_actions]
    thresholds = [0.0] * game.n_players if exact else [tol * scale for scale in payoff_scales(game)]
    maxima = [tensor.max(axis=p, keepdims=True) for p, tensor in enumerate(tensors)]
    candidates = np.nonzero(tensors[0] >= maxima[0] - thresholds[0])
    for p in range(1, game.n_players):
        best = maxima[p][candidates[:p] + (np.zeros_like(candidates[p]),) + candidates[p + 1 :]]
        keep = tensors[p][candidates] >= best - thresholds[p]
        candidates = tuple(axis[keep] for axis in candidates)
    joint_actions = np.stack(candidates, axis=1) if candidates[0].size else np.zeros((0, game.n_players), int)
    if exact:
        joint_actions = [a for a in joint_actions if _is_exact_pure_nash(game, tuple(a))]
    return [_pure_equilibrium(game, tuple(int(a) for a in actions), exact) for actions in joint_actions]


def nash_equilibria(
    game: NormalFormGame,
    method: str = "auto",
    *,
    exact: bool | None = None,
    tol: float = 1e-9,
    max_memory: int = MAX_MEMORY,
    max_systems: int = MAX_SYSTEMS,
) -> list[Equilibrium]:
    """All extreme Nash equilibria of a two-player game, all equilibria of a small N-player game; certified, sorted.

    Games with N != 2 players go to
    :func:`stackelberg.solvers.matrix.polynomial_nash.polynomial_nash_equilibria` (support enumeration with the
    multilinear indifference systems, as Gambit's ``enumpoly``; ``method`` "auto" or "support"): isolated
    equilibria refined by Newton's method, rational ones returned exact for exact games, and each continuum of
    equilibria as one representative with ``parameters["continuum"] = True``. Sizes that finish in seconds:
    3 x 3 x 3 (under 1 s), 2 x 2 x 2 x 2 x 2 (about 1 s), 4 x 3 x 3 (1-8 s); 2 x 2 x 2 x 2 x 2 x 2 takes 8-30 s.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game, or a small N-player game.
    method : {"auto", "support", "vertex", "lemke-howson"}
        ``"vertex"``: vertex enumeration of the best-response polytopes
        (:mod:`stackelberg.solvers.matrix.vertex_enumeration`); ``"auto"`` is
        ``"vertex"``. ``"support"``: support enumeration. Both return *all*
        extreme equilibria, degenerate games included. ``"lemke-howson"``: the
        distinct equilibria that Lemke-Howson reaches from every initial label
        ``0 .. m + n - 1``; not necessarily all of them.
    exact : bool, optional
        Rational arithmetic, with ``Fraction`` strategies and exactly zero
        regret. Default ``None``: exact iff ``game.is_exact``. ``exact=True`` on
        a float game is an error (convert it explicitly with
        ``NormalFormGame(game.payoffs, exact=True)``); ``exact=False`` solves an
        exact game in floats.
    tol : float
        Largest regret accepted when certifying float results (must then be
        positive). tol is relative to the payoff scale: player ``p`` may regret
        at most ``tol * scale_p``, ``scale_p`` the range of its payoffs
        (:mod:`stackelberg.games._scale`), so scaling or shifting a
        game does not change its equilibria. Probabilities above ``tol`` make
        up a float equilibrium's support.
    max_memory : int
        ``"vertex"``: the bytes the vertex traversal may hold (default 1 GiB,
        :data:`~stackelberg.solvers.matrix.vertex_enumeration.MAX_MEMORY`); a
        larger enumeration stops with ``ProblemTooLargeError`` instead of
        exhausting the machine. Random games up to about 18 x 18 fit and take
        seconds; 20 x 20 needs several GB.
    max_systems : int
        ``"support"``: the largest number of square systems to solve (default
        :data:`~stackelberg.solvers.matrix.support_enumeration.MAX_SYSTEMS`, 2
        million: games up to 11 x 11), checked before any work.

    Returns
    -------
    list of Equilibrium
        Sorted by supports, then strategies; ``method`` records the algorithm.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`, or ``exact`` or ``tol`` has the wrong type.
    ValueError
        If ``method`` is unknown (or not "auto"/"support" for N != 2 players), ``tol``
        is negative (or zero in a float solve), or ``exact=True`` for a float game.
    ProblemTooLargeError
        If the enumeration needs more than ``max_memory`` bytes or
        ``max_systems`` systems (``limit`` names the keyword to raise).
    CertificationError
        If an algorithm returned a profile that is not an equilibrium (a bug).

    Examples
    --------
    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    >>> for eq in nash_equilibria(game):
    ...     print([str(v) for v in eq.strategies[0]], [str(v) for v in eq.strategies[1]])
    ['1', '0', '0'] ['1', '0']
    ['4/5', '1/5', '0'] ['2/3', '1/3']
    ['0', '1/3', '2/3'] ['1/3', '2/3']
    >>> a = np.indices((2, 2, 2))
    >>> three = sb.NormalFormGame([(a[0] == a[1]) * 1, (a[1] == a[2]) * 1, (a[2] != a[0]) * 1])
    >>> [[str(v) for v in s] for s in nash_equilibria(three)[0].strategies]
    [['1/2', '1/2'], ['1/2', '1/2'], ['1/2', '1/2']]

    References
    ----------
    .. [1] B. von Stengel, "Computing equilibria for two-person games", Handbook
       of Game Theory with Economic Applications, vol. 3, ch. 45, 2002.
    .. [2] D. Avis, G. Rosenberg, R. Savani, B. von Stengel, "Enumeration of Nash
       equilibria for two-player games", Economic Theory 42, 9-37, 2010.
    """
    if isinstance(game, NormalFormGame) and game.n_players != 2:
        return _polynomial(game, method, exact, tol)
    return sorted(iter_nash_equilibria(game, method, exact=exact, tol=tol, max_memory=max_memory,
                                       max_systems=max_systems), key=_sort_key)


def iter_nash_equilibria(
    game: NormalFormGame,
    method: str = "auto",
    *,
    exact: bool | None = None,
    tol: float = 1e-9,
    max_memory: int = MAX_MEMORY,
    max_systems: int = MAX_SYSTEMS,
) -> Iterator[Equilibrium]:
    """Generator twin of :func:`nash_equilibria`: yields each certified equilibrium as it is found.

    The arguments are validated, and the up-front size checks made, at the call.
    The order is the algorithm's own (deterministic); :func:`nash_equilibria` sorts.

    Examples
    --------
    >>> import stackelberg as sb
    >>> pennies = sb.NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    >>> [eq.support for eq in iter_nash_equilibria(pennies, "vertex")]
    [((0, 1), (0, 1))]
    """
    if isinstance(game, NormalFormGame) and game.n_players != 2:
        return iter(_polynomial(game, method, exact, tol))
    exact = check_bimatrix_arguments(game, exact)
    method = check_choice("method", method, NASH_METHODS)
    tol = check_solver_tol(tol, exact, "a float solve", "rounding leaves tiny regrets")
    if method == "lemke-howson":
        return _lemke_howson_equilibria(game, exact, tol)
    if method == "support":
        from .support_enumeration import iter_support_enumeration

        profiles = iter_support_enumeration(game, exact=exact, tol=tol, max_systems=max_systems)
    else:
        method = "vertex"
        profiles = iter_vertex_enumeration(game, exact=exact, max_memory=max_memory)
    return _certified(game, method, exact, tol, profiles)


def _polynomial(game, method, exact, tol):
    """N != 2 players: support enumeration with multilinear systems (:mod:`.polynomial_nash`)."""
    from .polynomial_nash import polynomial_nash_equilibria

    if check_choice("method", method, NASH_METHODS) not in ("auto", "support"):
        raise ValueError(f"method must be 'auto' or 'support' for a game with {game.n_players} players; got {method!r}")
    return polynomial_nash_equilibria(game, exact=exact, tol=tol)


def _certified(game, method, exact, tol, profiles):
    allowances = None if exact else regret_allowances(game, tol)
    for x, y in profiles:
        yield certify_equilibrium(game, (x, y), exact=exact, tol=tol, method=method, allowances=allowances)


def _lemke_howson_equilibria(game, exact, tol):
    from .lemke_howson import lemke_howson

    found = []
    allowances = None if exact else regret_allowances(game, tol)
    for label in range(sum(game.shape)):
        equilibrium = lemke_howson(game, label, exact=exact, tol=tol)
        if any(equilibrium == other for other in found):
            continue
        found.append(equilibrium)
        yield certify_equilibrium(
            game, equilibrium.strategies, exact=exact, tol=tol, method="lemke-howson", parameters={"initial_label": label},
            allowances=allowances,
        )


def _sort_key(equilibrium: Equilibrium):
    return equilibrium.support, tuple(tuple(s) for s in equilibrium.strategies)


def _is_exact_pure_nash(game: NormalFormGame, actions: tuple[int, ...]) -> bool:
    for p, tensor in enumerate(game.exact_payoffs):
        line = tensor[actions[:p] + (slice(None),) + actions[p + 1 :]]
        if tensor[actions] != line.max():
            return False
    return True


def _pure_equilibrium(game: NormalFormGame, actions: tuple[int, ...], exact: bool) -> Equilibrium:
    """The Equilibrium of a verified pure profile; its regret is computed on the spot from the payoffs."""
    strategies, regrets = [], []
    source = game.exact_payoffs if exact else game.payoffs
    zero, one = (Fraction(0), Fraction(1)) if exact else (0.0, 1.0)
    for p, a in enumerate(actions):
        strategy = np.full(game.shape[p], zero, dtype=object if exact else float)
        strategy[a] = one
        strategies.append(strategy)
        line = source[p][actions[:p] + (slice(None),) + actions[p + 1 :]]
        regrets.append(line.max() - source[p][actions])
    payoffs = tuple(source[p][actions] if exact else float(source[p][actions]) for p in range(game.n_players))
    return Equilibrium(
        strategies=tuple(strategies),
        payoffs=payoffs,
        support=tuple((a,) for a in actions),
        max_regret=max(regrets) if exact else float(max(max(regrets), 0.0)),
        exact=exact,
        method="pure",
    )
