"""N-player equilibria against pygambit in one run: all equilibria (enumpoly), the logit branch (logit), gnm.

Run: ``python benchmarks/bench_nplayer.py [--shapes 2x2x2,3x3x3,2x2x2x2,2x2x2x2x2,4x3x3] [--games 3] [--seed 0]``.
Random games with payoffs drawn from a standard normal (rounded to 6 decimals, so that both sides read the same
rationals) are generic: finitely many equilibria, an odd number. For each shape the script prints

* all equilibria: :func:`stackelberg.nash_equilibria` (support enumeration over multilinear systems) against
  ``pygambit.nash.enumpoly_solve``: median time, equilibria found, how many of Gambit's are in our set, and how
  many of ours Gambit misses (each certified by its regret);
* one equilibrium by path following: :func:`stackelberg.logit_equilibrium` against ``pygambit.nash.logit_solve``
  (median time, how often both end at the same equilibrium: ours is the equilibrium nearest to Gambit's final
  large-lambda QRE) and ``pygambit.nash.gnm_solve`` (median time, how
  often its equilibria are in our set).
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

import numpy as np
import pygambit

from _common import format_seconds, markdown_table, median, timed

import stackelberg as sb


def same(a, b, atol=1e-6) -> bool:
    return all(np.allclose(x, y, atol=atol) for x, y in zip(a, b))


def profiles(result_profiles):
    return [tuple(np.array([float(v) for _, v in player]) for player in eq) for eq in result_profiles]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="2x2x2,3x3x3,2x2x2x2,2x2x2x2x2,4x3x3")
    parser.add_argument("--games", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    all_rows, path_rows = [], []
    for text in args.shapes.split(","):
        shape = tuple(int(v) for v in text.split("x"))
        times = {"ours": [], "enumpoly": [], "logit": [], "gambit logit": [], "gnm": []}
        counts = {"ours": 0, "enumpoly": 0, "contained": 0, "missed": 0, "logit same": 0, "gnm in ours": 0,
                  "gnm total": 0}
        for k in range(args.games):
            print(f"{text} game {k + 1}/{args.games}", file=sys.stderr)
            rng = np.random.default_rng([args.seed, k, len(shape)])
            tensors = [np.round(rng.normal(size=shape), 6) for _ in shape]
            exact = [np.vectorize(lambda v: Fraction(str(v)), otypes=[object])(t.astype(object)) for t in tensors]
            game = sb.NormalFormGame(tensors)
            gambit_game = pygambit.StrategicGame.from_arrays(*exact)
            seconds, ours = timed(sb.nash_equilibria, game)
            times["ours"].append(seconds)
            seconds, theirs = timed(pygambit.nash.enumpoly_solve, gambit_game)
            times["enumpoly"].append(seconds)
            theirs = profiles(theirs.equilibria)
            mine = [eq.float_strategies() for eq in ours]
            assert all(game.max_regret(s) <= 1e-9 for s in mine)
            counts["ours"] += len(mine)
            counts["enumpoly"] += len(theirs)
            counts["contained"] += sum(any(same(t, m) for m in mine) for t in theirs)
            counts["missed"] += sum(not any(same(m, t) for t in theirs) for m in mine)
            seconds, logit = timed(sb.logit_equilibrium, game)
            times["logit"].append(seconds)
            seconds, gambit_logit = timed(pygambit.nash.logit_solve, pygambit.StrategicGame.from_arrays(*tensors))
            times["gambit logit"].append(seconds)
            (end,) = profiles([gambit_logit.equilibrium])
            # Gambit stops at a large-lambda QRE near the equilibrium: the same end when the equilibrium of ours
            # nearest to it is the one our trace certified
            distance = [max(np.abs(a - b).max() for a, b in zip(m, end)) for m in mine]
            counts["logit same"] += same(mine[int(np.argmin(distance))], logit.equilibrium.float_strategies())
            seconds, gnm = timed(pygambit.nash.gnm_solve, pygambit.StrategicGame.from_arrays(*tensors))
            times["gnm"].append(seconds)
            found = profiles(gnm.equilibria)
            counts["gnm total"] += len(found)
            counts["gnm in ours"] += sum(any(same(f, m, atol=1e-5) for m in mine) for f in found)
        all_rows.append([text, args.games, format_seconds(median(times["ours"])),
                         format_seconds(median(times["enumpoly"])), counts["ours"], counts["enumpoly"],
                         f"{counts['contained']}/{counts['enumpoly']}", counts["missed"]])
        path_rows.append([text, format_seconds(median(times["logit"])), format_seconds(median(times["gambit logit"])),
                          f"{counts['logit same']}/{args.games}", format_seconds(median(times["gnm"])),
                          f"{counts['gnm in ours']}/{counts['gnm total']}"])
    print("All equilibria (median time per game; counts summed over the games)\n")
    print(markdown_table(["shape", "games", "stackelberg", "enumpoly", "ours found", "enumpoly found",
                          "enumpoly's in ours", "ours enumpoly misses"], all_rows))
    print("\nOne equilibrium by path following (median time per game)\n")
    print(markdown_table(["shape", "logit_equilibrium", "gambit logit", "same end", "gambit gnm",
                          "gnm's in our set"], path_rows))


if __name__ == "__main__":
    main()
