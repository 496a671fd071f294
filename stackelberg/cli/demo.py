"""``stackelberg demo``: the papers' matrix games and their Nash and Stackelberg equilibria."""

from __future__ import annotations

from ._common import render, sentence
from .solve import solve

__all__ = ["DEMO_GAMES", "add_parser", "run"]

DEMO_GAMES = ("escape", "maintain", "penalty:0", "penalty:-50", "penalty:-100", "mixing", "prisoners_dilemma")
HELP = "solve the papers' matrix games and print their Nash and Stackelberg equilibria"


def add_parser(subparsers) -> None:
    """The ``demo`` verb (no options)."""
    p = subparsers.add_parser("demo", help=HELP, description=sentence(HELP))
    p.set_defaults(run=run)


def run(args) -> int:
    """Print pure and mixed Nash and pure and mixed Stackelberg equilibria of each demo game."""
    from ..games.catalog import get_game

    for spec in DEMO_GAMES:
        game = get_game(spec)
        print(f"=== {spec}: {game.title}")
        for concept, kwargs in (("pure-nash", {}), ("nash", {}), ("stackelberg", {"commitment": "pure"}),
                                ("stackelberg", {"commitment": "mixed"})):
            rows, title = solve(game, concept, **kwargs)
            print(render(rows, "table", title))
        print()
    return 0
