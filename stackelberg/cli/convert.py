"""``stackelberg convert IN OUT``: a game file from Gambit ``.nfg`` to JSON or back."""

from __future__ import annotations

from pathlib import Path

from ._common import CommandError, sentence

__all__ = ["add_parser", "run"]

HELP = "convert a game file between Gambit .nfg and JSON (the format follows each file's suffix)"


def add_parser(subparsers) -> None:
    """The ``convert`` verb."""
    p = subparsers.add_parser("convert", help=HELP, description=sentence(HELP))
    p.add_argument("input", metavar="IN", help="the game file to read (.nfg or .json)")
    p.add_argument("output", metavar="OUT", help="the file to write (.nfg or .json)")
    p.set_defaults(run=run)


def run(args) -> int:
    """Read IN, write OUT."""
    from ..games.io import load_game, save_game

    source = Path(args.input)
    if not source.is_file():
        raise CommandError(f"IN file {args.input!r} does not exist")
    save_game(load_game(source), Path(args.output))
    print(f"wrote {args.output}")
    return 0
