"""What every figure module shares: the command line (and, re-exported, :mod:`stackelberg._plotting`).

``python -m stackelberg.figures.NAME --out DIR [--quick]`` runs the module's ``run`` and prints its account
(:mod:`stackelberg.figures._account`): per item the paper's number, ours in this run and the verdict.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stackelberg._plotting import pyplot, save_figure
from stackelberg.figures._account import fmt, verdict

__all__ = ["pyplot", "save_figure", "script_main"]


def script_main(run, account, argv=None, *, quick_help: str) -> dict:
    """The command line of a figure module: ``--out DIR`` and ``--quick``; prints the account, returns the numbers."""
    module = sys.modules[run.__module__]
    name = Path(module.__file__).stem
    parser = argparse.ArgumentParser(prog=f"python -m stackelberg.figures.{name}",
                                     description=(module.__doc__ or name).splitlines()[0])
    parser.add_argument("--out", default=f"reproduce-out/{name}", help="output directory (PNG + CSV)")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args(argv)
    numbers = run(args.out, quick=args.quick)
    for row in account(numbers, args.quick):
        print(f"{row.item}: paper {fmt(row.paper)}, ours {fmt(row.ours)} [{verdict(row, quick=args.quick)}]")
    print(f"wrote {args.out}")
    return numbers
