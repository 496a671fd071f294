"""Markov games by name: the builders of the papers' tabular Markov games, as the command line names them.

A name maps to a builder and the parameters it accepts (with their defaults); :func:`get_markov_game` checks the
parameters against that list, so a parameter that does not apply to a game is an error, never silently ignored.

========================  ===============================================================  ========================
name                      game                                                             parameters (default)
========================  ===============================================================  ========================
``repeated``              a catalogue stage game repeated in one state                     stage (required),
                                                                                           gamma (0.9), horizon
``memory-one``            the iterated stage game whose state is the last joint action     stage (required),
                                                                                           gamma (0.9), horizon
``escape-room``           ER(N, M): N agents, M of them must pull the lever                agents (2), required (1),
                                                                                           horizon (5)
``grid``                  the Bi-AC grid game (Fig. 1)                                     gamma (0.9)
``counterexample``        the two-state game where the Eq. 7 fixed point is not BiRL       gamma (0.9)
========================  ===============================================================  ========================

``repeated`` and ``memory-one`` take exactly one of ``gamma`` and ``horizon``; with neither they are discounted
with ``gamma = 0.9``.

Examples
--------
>>> from stackelberg.games.markov_catalog import get_markov_game, markov_game_names
>>> markov_game_names()
['counterexample', 'escape-room', 'grid', 'memory-one', 'repeated']
>>> get_markov_game("repeated", stage="maintain").gamma
0.9
>>> get_markov_game("escape-room", agents=3, required=2).n_players
3
>>> get_markov_game("grid", horizon=3)
Traceback (most recent call last):
...
TypeError: Markov game 'grid' takes no parameter 'horizon'; it takes: gamma
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["MARKOV_GAMES", "MarkovCatalogEntry", "get_markov_game", "markov_game_names", "describe_markov_game"]

@dataclass(frozen=True)
class MarkovCatalogEntry:
    """One named Markov game: a one-line description and the parameters its builder accepts.

    Attributes
    ----------
    description : str
        One line saying what the game is.
    parameters : Mapping[str, object]
        Accepted parameter -> default (``None``: optional without default).
    required : tuple of str
        Parameters that must be given.
    """

    description: str
    parameters: MappingProxyType
    required: tuple = ()


def _entry(description: str, needs=(), **parameters) -> MarkovCatalogEntry:
    return MarkovCatalogEntry(description=description, parameters=MappingProxyType(parameters),
                              required=tuple(needs))


MARKOV_GAMES = MappingProxyType({
    "repeated": _entry("a catalogue stage game repeated in one state", ("stage",),
                       stage=None, gamma=None, horizon=None),
    "memory-one": _entry("the iterated stage game whose state is the last joint action", ("stage",),
                         stage=None, gamma=None, horizon=None),
    "escape-room": _entry("ER(N, M): N agents, the door opens when M of them pull the lever (finite horizon)",
                          agents=2, required=1, horizon=5),
    "grid": _entry("the Bi-AC grid game (Fig. 1), discounted", gamma=0.9),
    "counterexample": _entry("two states where the bi-level fixed point is not the BiRL solution, discounted",
                             gamma=0.9),
})
"""Name -> :class:`MarkovCatalogEntry`."""


def markov_game_names() -> list[str]:
    """The names :func:`get_markov_game` accepts, sorted.

    Examples
    --------
    >>> "escape-room" in markov_game_names()
    True
    """
    return sorted(MARKOV_GAMES)


def _lookup(name) -> MarkovCatalogEntry:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string; got {type(name).__name__}")
    if name not in MARKOV_GAMES:
        raise ValueError(f"unknown Markov game {name!r}; known: {', '.join(markov_game_names())}")
    return MARKOV_GAMES[name]


def describe_markov_game(name: str) -> str:
    """The one-line description of the named Markov game.

    Examples
    --------
    >>> describe_markov_game("grid")
    'the Bi-AC grid game (Fig. 1), discounted'
    """
    return _lookup(name).description


def get_markov_game(name: str, **params):
    """Build the named Markov game.

    Parameters
    ----------
    name : str
        One of :func:`markov_game_names`.
    **params
        The game's parameters (see the module docstring): ``stage`` (a catalogue specification such as
        ``"penalty:-50"``, or a :class:`~stackelberg.games.normal_form.NormalFormGame`), ``gamma``,
        ``horizon``, ``agents``, ``required``. A parameter given as ``None`` counts as not given.

    Returns
    -------
    MarkovGame

    Raises
    ------
    TypeError
        If ``name`` is not a string or a parameter does not apply to the game.
    ValueError
        If the name is unknown, a required parameter is missing, or the builder rejects a value.

    Examples
    --------
    >>> game = get_markov_game("memory-one", stage="prisoners_dilemma", horizon=3)
    >>> game.n_states, game.horizon
    (5, 3)
    >>> get_markov_game("repeated")
    Traceback (most recent call last):
    ...
    ValueError: Markov game 'repeated' needs stage (a catalogue stage game, e.g. 'maintain')
    """
    from .catalog import get_game
    from .escape_room import escape_room
    from .markov_examples import biac_counterexample, biac_grid_game
    from .normal_form import NormalFormGame
    from .repeated import memory_one_game, repeated_game

    entry = _lookup(name)
    given = {key: value for key, value in params.items() if value is not None}
    unknown = [key for key in given if key not in entry.parameters]
    if unknown:
        raise TypeError(f"Markov game {name!r} takes no parameter {unknown[0]!r}; it takes: "
                        f"{', '.join(entry.parameters)}")
    for key in entry.required:
        if key not in given:
            raise ValueError(f"Markov game {name!r} needs {key} (a catalogue stage game, e.g. 'maintain')")
    values = {**entry.parameters, **given}
    if name in ("repeated", "memory-one"):
        stage = values["stage"]
        if not isinstance(stage, NormalFormGame):
            stage = get_game(stage)
        gamma, horizon = values["gamma"], values["horizon"]
        if gamma is None and horizon is None:
            gamma = 0.9
        build = repeated_game if name == "repeated" else memory_one_game
        return build(stage, gamma, horizon=horizon)
    if name == "escape-room":
        return escape_room(values["agents"], values["required"], horizon=values["horizon"])
    build = biac_grid_game if name == "grid" else biac_counterexample
    return build(values["gamma"])
