"""``stackelberg games``: the catalogue of named matrix games and Markov games."""

from __future__ import annotations

from ._common import sentence

__all__ = ["add_parser", "run"]

HELP = "list the catalogue of named games (matrix games, then Markov-game builders)"


def add_parser(subparsers) -> None:
    """The ``games`` verb (no options)."""
    p = subparsers.add_parser("games", help=HELP, description=sentence(HELP))
    p.set_defaults(run=run)


def run(args) -> int:
    """Print one line per catalogue game."""
    from ..games.catalog import describe, game_names
    from ..games.markov_catalog import describe_markov_game, markov_game_names

    for name in game_names():
        print(f"{name:24s} {describe(name)}")
    print()
    print("Markov games (stackelberg markov|learn GAME):")
    for name in markov_game_names():
        print(f"{name:24s} {describe_markov_game(name)}")
    return 0
