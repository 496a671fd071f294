"""Pure Nash and pure-commitment Stackelberg equilibria of large n x n float games.

Both are one pass over the two payoff matrices: a pure NE is a cell that is a
column maximum of A and a row maximum of B; a pure Stackelberg commitment
takes, for each leader row, the follower's best responses (row maxima of B)
and the leader's best value among them. The floor for either is numpy reading
both matrices once, ``A.max(axis=0); B.max(axis=1)``. For each n the script
reports the best of ``--repeats`` wall times of that floor,
``pure_nash_equilibria`` and ``stackelberg_equilibria(commitment="pure")``
(strong and weak tie-breaking), all on the same game in the same run, and the
ratio to the floor. Target: within 3x of the floor.

Run: ``python benchmarks/bench_pure.py [--sizes 100,300,1000,3000] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, format_seconds, markdown_table  # noqa: E402

import stackelberg as sb  # noqa: E402
from stackelberg.solvers.matrix.nash import pure_nash_equilibria  # noqa: E402
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria  # noqa: E402


def numpy_floor(A, B):
    """One numpy pass reading both matrices once."""
    return A.max(axis=0), B.max(axis=1)


def run(sizes, repeats, seed):
    rows = []
    for n in sizes:
        rng = np.random.default_rng([seed, n])
        A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        game = sb.NormalFormGame.from_bimatrix(A, B)
        floor, _ = best_of(repeats, numpy_floor, A, B)
        rows.append([n, "numpy A.max(axis=0); B.max(axis=1)", format_seconds(floor), "1.0x", ""])
        solvers = {
            "pure_nash_equilibria": lambda: pure_nash_equilibria(game),
            "stackelberg_equilibria pure, strong": lambda: stackelberg_equilibria(game, commitment="pure"),
            "stackelberg_equilibria pure, weak": lambda: stackelberg_equilibria(
                game, commitment="pure", tie_break="weak"
            ),
        }
        for name, solve in solvers.items():
            seconds, found = best_of(repeats, solve)
            rows.append([n, name, format_seconds(seconds), f"{seconds / floor:.1f}x", len(found)])
        print(f"done n={n}", file=sys.stderr, flush=True)
    header = ["n", "solver", f"best of {repeats}", "time / numpy floor", "solutions"]
    return markdown_table(header, rows) + "\n\nPayoffs: iid standard normal float64 (no ties).\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,300,1000,3000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(run([int(s) for s in args.sizes.split(",")], args.repeats, args.seed))


if __name__ == "__main__":
    main()
