r"""Named games from the papers behind the toolkit and from the textbooks.

Every game is a function returning a fresh :class:`NormalFormGame` with exact
(integer) payoffs, player names and action names. The row player is player 0,
the leader of every Stackelberg concept; ``(x, y)`` in a cell means (row payoff,
column payoff), i.e. ``A[i, j] = x`` and ``B[i, j] = y``.

The registry :data:`GAMES` maps a name to its function; :func:`get_game` builds
a game from a short specification such as ``"penalty:-50"`` or
``"penalty(k=-50)"``, as used on the command line.

Examples
--------
>>> from stackelberg.games.catalog import get_game, describe
>>> get_game("penalty(k=-50)").bimatrix()[0].tolist()[0]
[-50.0, 0.0, 10.0]
>>> describe("maintain")
'Maintain: a non-cooperative coordination game whose SE is not a NE (Bi-AC, Table 1b).'

References
----------
.. [1] H. Zhang et al., "Bi-level Actor-Critic for Multi-agent Coordination", AAAI 2020.
.. [2] S. Zhang et al., "STEP: Stackelberg equilibrium via spatio-temporal sequential
   decision-making", IJCAI 2023.
"""

from __future__ import annotations

import difflib
import inspect
import numbers
import re
from fractions import Fraction
from typing import Callable

import numpy as np

from .._validation import check_exact_magnitude, is_exact_number, parse_exact_literal
from .normal_form import NormalFormGame

__all__ = [
    "escape",
    "maintain",
    "penalty",
    "mixing",
    "prisoners_dilemma",
    "battle_of_the_sexes",
    "matching_pennies",
    "rock_paper_scissors",
    "shapley",
    "stag_hunt",
    "von_stengel_3x2",
    "von_stengel_degenerate",
    "commitment_example",
    "weak_commitment_example",
    "GAMES",
    "game_names",
    "describe",
    "get_game",
]

_LEADER_FOLLOWER = ("Leader", "Follower")
_ROW_COLUMN = ("Row", "Column")


def _bimatrix(A, B, players, row_actions, column_actions, title) -> NormalFormGame:
    return NormalFormGame.from_bimatrix(
        A, B, player_names=players, action_names=[row_actions, column_actions], title=title
    )


# ---------------------------------------------------------------------------- papers
def escape() -> NormalFormGame:
    """Escape: a cooperative (common-payoff) coordination game (Bi-AC, Table 1a).

    ::

              X        Y        Z
        A  15, 15   10, 10    0, 0
        B  10, 10   10, 10    0, 0
        C   0, 0     0, 0    30, 30

    Pure Nash equilibria A-X, B-Y (weak) and C-Z; the Stackelberg equilibrium
    C-Z = (30, 30) is the Pareto-optimal one. The upper-left block lures Nash
    learners to A-X unless C-Z is explored enough to "escape".

    References
    ----------
    .. [1] Zhang et al. (AAAI 2020), Bi-level Actor-Critic, Table 1a.

    Examples
    --------
    >>> escape().pure_payoffs((2, 2))
    (30.0, 30.0)
    """
    U = [[15, 10, 0], [10, 10, 0], [0, 0, 30]]
    return _bimatrix(U, U, _LEADER_FOLLOWER, ("A", "B", "C"), ("X", "Y", "Z"), "Escape")


def maintain() -> NormalFormGame:
    """Maintain: a non-cooperative coordination game whose SE is not a NE (Bi-AC, Table 1b).

    ::

              X        Y        Z
        A  20, 15    0, 0     0, 0
        B  30, 0    10, 5     0, 0
        C   0, 0     0, 0     5, 10

    The Stackelberg equilibrium A-X = (20, 15) is not a Nash equilibrium (the
    leader would switch to B) and Pareto-dominates both pure Nash equilibria
    B-Y = (10, 5) and C-Z = (5, 10).

    References
    ----------
    .. [1] Zhang et al. (AAAI 2020), Bi-level Actor-Critic, Table 1b.

    Examples
    --------
    >>> maintain().pure_payoffs((0, 0))
    (20.0, 15.0)
    """
    A = [[20, 0, 0], [30, 10, 0], [0, 0, 5]]
    B = [[15, 0, 0], [0, 5, 0], [0, 0, 10]]
    return _bimatrix(A, B, _LEADER_FOLLOWER, ("A", "B", "C"), ("X", "Y", "Z"), "Maintain")


def penalty(k=-25) -> NormalFormGame:
    """Penalty(k): a common-payoff game punishing miscoordination with k <= 0 (STEP, Fig. 4 left).

    ::

               a1      a2      a3
        a1    k, k    0, 0   10, 10
        a2    0, 0    2, 2    0, 0
        a3    8, 8    0, 0    k, k

    Pure Nash equilibria (a1, a3), (a2, a2) and (a3, a1); the unique
    Stackelberg equilibrium is (a1, a3) with value 10. STEP uses
    k in {0, -25, -50, -75, -100}; the game is due to Claus and Boutilier (1998).

    Parameters
    ----------
    k : int or Fraction (or float), default -25
        The miscoordination penalty; must be finite and ``<= 0``. Integers and
        Fractions keep the game exact; a float makes it a float game.

    Raises
    ------
    TypeError
        If ``k`` is not a real number.
    ValueError
        If ``k`` is positive or not finite.

    References
    ----------
    .. [1] Zhang et al. (IJCAI 2023), STEP, Figure 4 (left).
    .. [2] C. Claus and C. Boutilier, "The dynamics of reinforcement learning in
       cooperative multiagent systems", AAAI 1998.

    Examples
    --------
    >>> penalty(-50).pure_payoffs((0, 0))
    (-50.0, -50.0)
    >>> penalty(5)
    Traceback (most recent call last):
    ...
    ValueError: k must be a finite number <= 0 (a penalty); got 5
    """
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Real):
        raise TypeError(f"k must be a real number <= 0 (a penalty); got {k!r}")
    if is_exact_number(k):
        check_exact_magnitude("k", k)
    if not np.isfinite(float(k)) or k > 0:
        raise ValueError(f"k must be a finite number <= 0 (a penalty); got {k!r}")
    U = np.array([[k, 0, 10], [0, 2, 0], [8, 0, k]], dtype=object)
    return _bimatrix(U, U, _LEADER_FOLLOWER, ("a1", "a2", "a3"), ("a1", "a2", "a3"), f"Penalty (k={k})")


def mixing() -> NormalFormGame:
    """Mixing: a non-cooperative game whose pure SE Pareto-dominates its unique NE (STEP, Fig. 4 right).

    ::

                a1        a2         a3
        a1    0, 5    -10, -5     -8, 4
        a2   -5, -10   -5, 0     -15, -5
        a3    5, 0    -10, -5    -10, 5

    The unique pure Nash equilibrium is (a2, a2) = (-5, 0). The figure caption's
    "(a1, a2) is the only SE" is a typo: the pure Stackelberg equilibrium is
    (a1, a1) = (0, 5), as the paper's Table 1 shows.

    References
    ----------
    .. [1] Zhang et al. (IJCAI 2023), STEP, Figure 4 (right) and Table 1.

    Examples
    --------
    >>> mixing().pure_payoffs((0, 0))
    (0.0, 5.0)
    """
    A = [[0, -10, -8], [-5, -5, -15], [5, -10, -10]]
    B = [[5, -5, 4], [-10, 0, -5], [0, -5, 5]]
    return _bimatrix(A, B, _LEADER_FOLLOWER, ("a1", "a2", "a3"), ("a1", "a2", "a3"), "Mixing")


def prisoners_dilemma() -> NormalFormGame:
    """Prisoner's Dilemma with action 0 = cooperate (Yang's thesis, Table 5.1).

    ::

               C        D
        C   -1, -1   -3, 0
        D    0, -3   -2, -2

    Defection strictly dominates; (D, D) is the unique Nash equilibrium and is
    Pareto-dominated by (C, C).

    References
    ----------
    .. [1] J. Yang, "Cooperation in Multi-Agent Reinforcement Learning", PhD
       thesis, 2021, Table 5.1.

    Examples
    --------
    >>> prisoners_dilemma().pure_payoffs((1, 1))
    (-2.0, -2.0)
    """
    A = [[-1, -3], [0, -2]]
    B = [[-1, 0], [-3, -2]]
    return _bimatrix(A, B, ("Agent 1", "Agent 2"), ("C", "D"), ("C", "D"), "Prisoner's Dilemma")


# ---------------------------------------------------------------------------- classics
def battle_of_the_sexes() -> NormalFormGame:
    """Battle of the Sexes ("Bach or Stravinsky"): coordination with conflicting preferences.

    ::

                  Bach     Stravinsky
        Bach      2, 1       0, 0
        Stravinsky 0, 0      1, 2

    Two pure Nash equilibria (Bach, Bach) and (Stravinsky, Stravinsky) and a
    mixed one, rows (2/3, 1/3) and columns (1/3, 2/3), worth (2/3, 2/3).

    References
    ----------
    .. [1] M. J. Osborne and A. Rubinstein, "A Course in Game Theory", MIT
       Press, 1994, Section 2.3 ("Bach or Stravinsky?").

    Examples
    --------
    >>> battle_of_the_sexes().pure_payoffs((0, 0))
    (2.0, 1.0)
    """
    A = [[2, 0], [0, 1]]
    B = [[1, 0], [0, 2]]
    actions = ("Bach", "Stravinsky")
    return _bimatrix(A, B, _ROW_COLUMN, actions, actions, "Battle of the Sexes")


def matching_pennies() -> NormalFormGame:
    """Matching Pennies: the row player wins 1 when the coins match, loses 1 otherwise (zero-sum).

    The unique Nash equilibrium mixes 1/2-1/2 for both players; value 0.

    References
    ----------
    .. [1] M. J. Osborne and A. Rubinstein, "A Course in Game Theory", MIT
       Press, 1994, Section 2.3 ("Matching Pennies").

    Examples
    --------
    >>> matching_pennies().pure_payoffs((0, 1))
    (-1.0, 1.0)
    """
    A = [[1, -1], [-1, 1]]
    actions = ("Heads", "Tails")
    return NormalFormGame.zero_sum(A, player_names=_ROW_COLUMN, action_names=[actions, actions], title="Matching Pennies")


def rock_paper_scissors() -> NormalFormGame:
    """Rock-Paper-Scissors: win 1, lose -1, tie 0 (zero-sum).

    The unique Nash equilibrium plays each action with probability 1/3; value 0.

    References
    ----------
    .. [1] A folklore game; see e.g. M. Maschler, E. Solan and S. Zamir, "Game
       Theory", Cambridge University Press, 2013.

    Examples
    --------
    >>> rock_paper_scissors().pure_payoffs((1, 0))
    (1.0, -1.0)
    """
    A = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    actions = ("Rock", "Paper", "Scissors")
    return NormalFormGame.zero_sum(
        A, player_names=_ROW_COLUMN, action_names=[actions, actions], title="Rock-Paper-Scissors"
    )


def shapley() -> NormalFormGame:
    """Shapley's 3x3 game, on which fictitious play cycles forever.

    ::

                L       M       R
        T     0, 0    1, 0    0, 1
        M     0, 1    0, 0    1, 0
        B     1, 0    0, 1    0, 0

    (the presentation of Fudenberg and Levine). The unique Nash equilibrium is
    uniform for both players, worth (1/3, 1/3).

    References
    ----------
    .. [1] L. S. Shapley, "Some topics in two-person games", in Advances in Game
       Theory, Annals of Mathematics Studies 52, 1964.
    .. [2] D. Fudenberg and D. K. Levine, "The Theory of Learning in Games", MIT
       Press, 1998, Section 2.8.

    Examples
    --------
    >>> shapley().pure_payoffs((0, 1))
    (1.0, 0.0)
    """
    A = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    B = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    return _bimatrix(A, B, _ROW_COLUMN, ("T", "M", "B"), ("L", "M", "R"), "Shapley's game")


def stag_hunt() -> NormalFormGame:
    """Stag Hunt: the payoff-dominant (Stag, Stag) against the risk-dominant (Hare, Hare).

    ::

                 Stag    Hare
        Stag    4, 4    0, 3
        Hare    3, 0    3, 3

    Pure Nash equilibria (Stag, Stag) = (4, 4) and (Hare, Hare) = (3, 3), and a
    mixed one that hunts the stag with probability 3/4.

    References
    ----------
    .. [1] B. Skyrms, "The Stag Hunt and the Evolution of Social Structure",
       Cambridge University Press, 2004 (the game; the payoffs above are one
       common parameterisation of it).

    Examples
    --------
    >>> stag_hunt().pure_payoffs((1, 0))
    (3.0, 0.0)
    """
    A = [[4, 0], [3, 3]]
    B = [[4, 3], [0, 3]]
    actions = ("Stag", "Hare")
    return _bimatrix(A, B, _ROW_COLUMN, actions, actions, "Stag Hunt")


# ---------------------------------------------------------------------------- reference games for tests
def von_stengel_3x2() -> NormalFormGame:
    """Von Stengel's nondegenerate 3x2 game with three Nash equilibria.

    ``A = [[3, 3], [2, 5], [0, 6]]``, ``B = [[3, 2], [2, 6], [3, 1]]``. Its Nash
    equilibria are ``((1, 0, 0), (1, 0))``, ``((4/5, 1/5, 0), (2/3, 1/3))`` and
    ``((0, 1/3, 2/3), (1/3, 2/3))``.

    References
    ----------
    .. [1] B. von Stengel, "Computing equilibria for two-person games", Handbook
       of Game Theory vol. 3, ch. 45, 2002 (the running 3x2 example).

    Examples
    --------
    >>> von_stengel_3x2().shape
    (3, 2)
    """
    A = [[3, 3], [2, 5], [0, 6]]
    B = [[3, 2], [2, 6], [3, 1]]
    return _bimatrix(A, B, ("Player 1", "Player 2"), ("T", "M", "B"), ("l", "r"), "von Stengel 3x2")


def von_stengel_degenerate() -> NormalFormGame:
    """A degenerate variant of von Stengel's 3x2 game with a continuum of Nash equilibria.

    ``A = [[3, 3], [2, 5], [0, 6]]`` as in :func:`von_stengel_3x2`, but the
    column player's payoffs in the top row are equal: ``B = [[3, 3], [2, 6], [3, 1]]``.
    The top row's pure strategy has two best responses, so the game is
    degenerate. Its Nash equilibria are the segment
    ``{((1, 0, 0), (q, 1 - q)) : 2/3 <= q <= 1}`` (the row player keeps T as a
    best response exactly when ``q >= 2/3``) and the isolated equilibrium
    ``((0, 1/3, 2/3), (1/3, 2/3))``; the equilibrium ``((4/5, 1/5, 0), (2/3, 1/3))``
    of the original game disappears.

    References
    ----------
    .. [1] B. von Stengel, "Computing equilibria for two-person games", Handbook
       of Game Theory vol. 3, ch. 45, 2002 (the degenerate variant of the 3x2
       example in the section on degenerate games).

    Examples
    --------
    >>> from fractions import Fraction
    >>> von_stengel_degenerate().max_regret(([1, 0, 0], [Fraction(2, 3), Fraction(1, 3)]))
    Fraction(0, 1)
    """
    A = [[3, 3], [2, 5], [0, 6]]
    B = [[3, 3], [2, 6], [3, 1]]
    return _bimatrix(A, B, ("Player 1", "Player 2"), ("T", "M", "B"), ("l", "r"), "von Stengel 3x2 (degenerate)")


def commitment_example() -> NormalFormGame:
    """The game where committing to a mixed strategy beats every pure commitment.

    ::

                L       R
        U     2, 1    4, 0
        D     1, 0    3, 1

    U strictly dominates D for the leader, so the Nash (and simultaneous-move)
    outcome is (U, L) = (2, 1). Committing to the pure D earns 3 (the follower
    answers R); committing to the mixed (1/2, 1/2), with the follower breaking
    its tie in the leader's favour (strong Stackelberg equilibrium), earns 7/2.

    References
    ----------
    .. [1] V. Conitzer and T. Sandholm, "Computing the optimal strategy to commit
       to", ACM EC 2006 (the introductory example).

    Examples
    --------
    >>> commitment_example().expected_payoffs(([0.5, 0.5], [0, 1]))
    (3.5, 0.5)
    """
    A = [[2, 4], [1, 3]]
    B = [[1, 0], [0, 1]]
    return _bimatrix(A, B, _LEADER_FOLLOWER, ("U", "D"), ("L", "R"), "Commitment example")


def weak_commitment_example() -> NormalFormGame:
    """A game separating strong and weak Stackelberg equilibria.

    ::

                L       R
        U     3, 0    9, 0
        D     9, 1    1, 8

    The follower is indifferent after U and strictly prefers R after every
    other leader strategy. Strong Stackelberg (ties broken for the leader):
    commit to U, the follower answers R, value 9 (pure and mixed). Weak
    Stackelberg (ties broken against the leader): the pure value is 3 (U
    answered by L); over mixed commitments ``(p, 1 - p)`` the value
    ``1 + 8p`` approaches 9 as p -> 1 but is not attained, so no weak
    Stackelberg equilibrium exists. An illustration built for this toolkit,
    in the spirit of the examples of Breton, Alj and Haurie (1988) and von
    Stengel and Zamir (2010).

    References
    ----------
    .. [1] M. Breton, A. Alj and A. Haurie, "Sequential Stackelberg equilibria in
       two-person games", J. Optimization Theory and Applications 59, 1988.
    .. [2] B. von Stengel and S. Zamir, "Leadership games with convex strategy
       sets", Games and Economic Behavior 69, 2010.

    Examples
    --------
    >>> weak_commitment_example().pure_payoffs((0, 1))
    (9.0, 0.0)
    """
    A = [[3, 9], [9, 1]]
    B = [[0, 0], [1, 8]]
    return _bimatrix(A, B, _LEADER_FOLLOWER, ("U", "D"), ("L", "R"), "Weak commitment example")


# ---------------------------------------------------------------------------- registry
GAMES: dict[str, Callable[..., NormalFormGame]] = {
    function.__name__: function
    for function in (
        escape,
        maintain,
        penalty,
        mixing,
        prisoners_dilemma,
        battle_of_the_sexes,
        matching_pennies,
        rock_paper_scissors,
        shapley,
        stag_hunt,
        von_stengel_3x2,
        von_stengel_degenerate,
        commitment_example,
        weak_commitment_example,
    )
}
"""Name -> function returning the named game."""


def game_names() -> list[str]:
    """The names of the catalogue's games, sorted.

    Returns
    -------
    list of str

    Examples
    --------
    >>> game_names()[:3]
    ['battle_of_the_sexes', 'commitment_example', 'escape']
    """
    return sorted(GAMES)


def _lookup(name: str) -> Callable[..., NormalFormGame]:
    if name not in GAMES:
        close = difflib.get_close_matches(name, GAMES, n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"unknown game {name!r}{hint} Known games: {', '.join(game_names())}")
    return GAMES[name]


def describe(name: str) -> str:
    """The first line of the named game's docstring.

    Parameters
    ----------
    name : str
        A key of :data:`GAMES`.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If there is no game of that name (close names are suggested).

    Examples
    --------
    >>> describe("escape")
    'Escape: a cooperative (common-payoff) coordination game (Bi-AC, Table 1a).'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string; got {type(name).__name__}")
    return inspect.getdoc(_lookup(name)).splitlines()[0]


_SPEC = re.compile(r"\s*(?P<name>[A-Za-z_]\w*)\s*(?::(?P<colon>.*)|\((?P<paren>.*)\))?\s*", re.DOTALL)


def get_game(spec: str) -> NormalFormGame:
    """Build a catalogue game from a specification string.

    Parameters
    ----------
    spec : str
        ``"name"``, ``"name:arg,..."`` or ``"name(arg, ...)"``, each argument
        either positional (``-50``) or keyword (``k=-50``). Values are read
        exactly: integers, decimals (``-2.5`` is ``Fraction(-5, 2)``) or ``a/b``.

    Returns
    -------
    NormalFormGame

    Raises
    ------
    TypeError
        If ``spec`` is not a string.
    ValueError
        If the name is unknown (close names are suggested), the syntax is
        malformed, a value is not a number, or the arguments do not fit the
        game's parameters (unknown, missing, repeated or out of range).

    Examples
    --------
    >>> get_game("penalty:-50") == get_game("penalty(k=-50)") == get_game("penalty(-50)")
    True
    >>> get_game("escpe")
    Traceback (most recent call last):
    ...
    ValueError: unknown game 'escpe'; did you mean 'escape'? Known games: ...
    """
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a string such as 'penalty(k=-50)'; got {type(spec).__name__}")
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise ValueError(f"spec must look like 'name', 'name:arg,...' or 'name(arg, ...)'; got {spec!r}")
    function = _lookup(match["name"])
    arguments = match["colon"] if match["colon"] is not None else match["paren"]
    args, kwargs = [], {}
    if arguments is not None and arguments.strip():
        for item in arguments.split(","):
            key, _, value = item.rpartition("=")
            key = key.strip()
            number = _spec_value(value.strip(), spec)
            if not key:
                if kwargs:
                    raise ValueError(f"positional arguments must come before keyword arguments in {spec!r}")
                args.append(number)
            elif key in kwargs:
                raise ValueError(f"argument {key!r} is given twice in {spec!r}")
            else:
                kwargs[key] = number
    signature = inspect.signature(function)
    parameters = list(signature.parameters)
    for key in kwargs:
        if key not in parameters:
            close = difflib.get_close_matches(key, parameters, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            accepted = ", ".join(parameters) if parameters else "no parameters"
            raise ValueError(f"{match['name']} has no parameter {key!r}{hint} (it takes {accepted})")
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        accepted = ", ".join(parameters) if parameters else "no parameters"
        raise ValueError(f"bad arguments for {match['name']} in {spec!r}: {error} (it takes {accepted})") from None
    return function(*args, **kwargs)


def _spec_value(text: str, spec: str):
    """An exact number from a specification: int when integral, else Fraction."""
    value = parse_exact_literal(f"argument value in {spec[:80]!r}", text)  # bounded: digits, exponent, magnitude
    if value is None:
        raise ValueError(f"argument value {text[:80]!r} in {spec[:80]!r} is not a number (integer, decimal or a/b "
                         "with ASCII digits)")
    return int(value) if value.denominator == 1 else value
