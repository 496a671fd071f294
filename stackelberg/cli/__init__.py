"""The stackelberg command line: one module per verb, each with its ``add_parser(subparsers)`` and ``run(args)``.

=============  ===============================================================================================
verb           module
=============  ===============================================================================================
solve          :mod:`~stackelberg.cli.solve`: the equilibria of a catalogue game or a ``.nfg``/``.json`` file
games          :mod:`~stackelberg.cli.games`: the catalogue of named matrix games and Markov games
convert        :mod:`~stackelberg.cli.convert`: ``.nfg`` <-> JSON
demo           :mod:`~stackelberg.cli.demo`: the papers' matrix games and their equilibria
study          :mod:`~stackelberg.cli.study`: the SE-vs-NE cooperation study and its plots
dynamics       :mod:`~stackelberg.cli.dynamics`: exact LIO / designer learning dynamics
markov         :mod:`~stackelberg.cli.markov`: exact solvers of tabular Markov games
learn          :mod:`~stackelberg.cli.learn`: tabular learners over many runs
train          :mod:`~stackelberg.cli.train`: neural learners (``neural`` extra) against the exact solution
incentive      :mod:`~stackelberg.cli.incentive`: Algorithm 1 of incentive design on the paper's examples
reproduce      :mod:`~stackelberg.cli.reproduce`: the figure scripts and ``REPORT.md``
=============  ===============================================================================================

:mod:`~stackelberg.cli._common` holds what they share (rendering as a table, JSON or CSV; loading games; the
``--format`` and ``--progress/--no-progress`` options). Every user mistake, that is every
:class:`~stackelberg.errors.StackelbergError`, ``ValueError``, ``TypeError`` or ``OSError``, is one line on stderr
and exit code 2, never a traceback.

Examples
--------
>>> main(["solve", "maintain", "--concept", "pure-nash", "--format", "csv"])
strategies,payoffs,regret
B; Y,10; 5,0
C; Z,5; 10,0
0
"""

from __future__ import annotations

import argparse
import sys

from . import convert, demo, dynamics, games, incentive, learn, markov, reproduce, solve, study, train
from ._common import CommandError, flag_hint

__all__ = ["main", "build_parser", "VERBS"]

VERBS = (solve, games, convert, demo, study, dynamics, markov, learn, train, incentive, reproduce)
"""The verb modules, in the order of ``stackelberg --help``."""

DESCRIPTION = ("Exact solvers for leader-follower games: Nash and Stackelberg equilibria of matrix games, tabular "
               "Markov games, learning dynamics, incentive design and the papers' reproductions. Errors are one "
               "line on stderr and exit code 2.")


def build_parser() -> argparse.ArgumentParser:
    """The ``stackelberg`` parser: one sub-parser per verb module."""
    parser = argparse.ArgumentParser(prog="stackelberg", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for verb in VERBS:
        verb.add_parser(commands)
    return parser


def _user_errors() -> tuple:
    from ..errors import StackelbergError

    return (CommandError, StackelbergError, ValueError, TypeError, OSError)


def main(argv=None) -> int:
    """Entry point of the ``stackelberg`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except _user_errors() as error:
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"stackelberg: error: {flag_hint(message)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stackelberg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
