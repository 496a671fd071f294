"""``stackelberg reproduce``: run the papers' reproductions (PNG + CSV per figure) and write ``REPORT.md``.

The reproductions are modules of the installed package (:data:`stackelberg.figures.SCRIPTS`), imported by name:
``pip install .`` then ``stackelberg reproduce --quick`` works from any directory and runs no file from a path.
"""

from __future__ import annotations

import sys

from ._common import CommandError, add_progress_argument

__all__ = ["add_parser", "run"]

HELP = "run the papers' reproductions; PNG + CSV per figure and REPORT.md (paper vs ours, with verdicts)"


def add_parser(subparsers) -> None:
    """The ``reproduce`` verb and its options."""
    import argparse

    from ..figures import SCRIPTS

    names = list(SCRIPTS)
    p = subparsers.add_parser(
        "reproduce", help=HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"{HELP[0].upper()}{HELP[1:]}.\n\n"
                    "--quick runs few trials: about 1 minute on 2 idle cores, up to 2.5 minutes on a busy machine.\n"
                    "Without --quick every script runs at the papers' scale, which takes far longer.\n\n"
                    "Figure scripts (names for --only):\n  " + "\n  ".join(names))
    p.add_argument("--quick", action="store_true",
                   help="few trials: about 1-2.5 minutes on 2 cores (default: the papers' full scale)")
    p.add_argument("--only", nargs="+", metavar="NAME", help=f"figure scripts to run (default: all): {', '.join(names)}")
    p.add_argument("--out", default="reproduce-out", help="output directory (default reproduce-out)")
    add_progress_argument(p)
    p.set_defaults(run=run)


def run(args) -> int:
    """Run the chosen scripts; exit 1 (after writing the report) if any failed."""
    from ..figures import SCRIPTS, ReproductionError, reproduce

    unknown = [name for name in args.only or () if name not in SCRIPTS]
    if unknown:
        raise CommandError(f"--only names unknown figures {unknown}; known: {', '.join(SCRIPTS)}")
    try:
        report = reproduce(args.out, quick=args.quick, only=args.only, progress=args.progress)
    except ReproductionError as error:
        print(f"stackelberg reproduce: {error}", file=sys.stderr)
        print(f"wrote {error.report}")
        return 1
    print(f"wrote {report}")
    return 0
