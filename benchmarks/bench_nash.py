"""All extreme Nash equilibria of random n x n games: stackelberg against its peers.

For each size n and each payoff family, draws ``--games`` random games and runs,
in this one process run: stackelberg (vertex enumeration, float and exact),
nashpy (support, vertex), quantecon (support, vertex), pygambit 17.0.0b2
(enummixed float and rational, lcp) and lrsnash (if installed). For every
peer it reports the median time per game, the ratio to stackelberg's float
vertex enumeration, and the fraction of games on which the peer's set of
equilibria equals the exact reference set (lrsnash when installed, else
stackelberg exact). A solver that takes more than ``--budget`` seconds on one
game is not run on the remaining games of that size nor at larger sizes, and
one whose median projected from the last size (x15 per two more actions)
exceeds ``--budget`` is not run either (lrsnash and stackelberg vertex always run). All
numba kernels (ours, quantecon) are compiled by an untimed warm-up run.

The reference set is lrsnash's (exact rational arithmetic on the exact binary
values of the payoffs) when installed, else stackelberg's exact mode.
Families: ``normal`` (iid standard normal payoffs: non-degenerate) and
``int10`` (integers in [-10, 10]: ties, often degenerate).

Run: ``python benchmarks/bench_nash.py [--sizes 4,6,8,10,12] [--games 5] [--budget 2] [--repeats 1]``;
``--repeats 3`` times each solver as the best of three runs per game (one run if it takes more than a tenth of
the budget), steadier on a loaded machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # the stackelberg of this tree, not another install
from _common import best_of, format_seconds, markdown_table, median, timed  # noqa: E402

import stackelberg as sb  # noqa: E402
from stackelberg.solvers.matrix.nash import nash_equilibria  # noqa: E402


def distinct_profiles(pairs, tol: float = 1e-6) -> list[np.ndarray]:
    """The profiles (x, y) as flat float vectors, duplicates within ``tol`` dropped."""
    distinct = []
    for x, y in pairs:
        z = np.concatenate([np.asarray(x, float), np.asarray(y, float)])
        if not any(np.max(np.abs(z - w)) <= tol for w in distinct):
            distinct.append(z)
    return distinct


def same_set(found, reference, tol: float = 1e-6) -> bool:
    """Whether two lists of profiles hold the same equilibria, up to ``tol`` in the max norm."""
    found, reference = distinct_profiles(found, tol), distinct_profiles(reference, tol)
    return len(found) == len(reference) and all(
        any(np.max(np.abs(z - w)) <= tol for w in reference) for z in found
    )


# ------------------------------------------------------------------ peers
def ours(game, exact):
    return [eq.strategies for eq in nash_equilibria(game, method="vertex", exact=exact)]


def nashpy_peer(method):
    import nashpy

    def run(A, B):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            game = nashpy.Game(A, B)
            found = game.support_enumeration() if method == "support" else game.vertex_enumeration()
            return list(found)

    return run


def quantecon_peer(method):
    import quantecon.game_theory as gt

    def run(A, B):
        game = gt.NormalFormGame((gt.Player(A), gt.Player(B.T)))
        found = gt.support_enumeration(game) if method == "support" else gt.vertex_enumeration(game)
        return [tuple(pair) for pair in found]

    return run


def gambit_peer(method, rational=False):
    import pygambit

    def run(A, B):
        if rational:
            game = pygambit.StrategicGame.from_arrays(
                [[Fraction(v).limit_denominator(10**12) for v in row] for row in A.tolist()],
                [[Fraction(v).limit_denominator(10**12) for v in row] for row in B.tolist()],
            )
        else:
            game = pygambit.StrategicGame.from_arrays(A, B)
        if method == "enummixed":
            result = pygambit.nash.enummixed_solve(game, rational=rational)
        else:
            result = pygambit.nash.lcp_solve(game, rational=False)
        # pygambit 17: a profile iterates over players, each a sequence of (strategy label, probability)
        return [tuple(np.array([float(p) for _, p in mixed]) for mixed in profile) for profile in result.equilibria]

    return run


def lrsnash_run(A, B):
    """lrsnash on the exact rational values of A and B (floats are passed as their exact binary fractions)."""
    m, n = np.shape(A)

    def rows(M):
        return "\n".join(" ".join(str(Fraction(v)) for v in r) for r in np.asarray(M).tolist())

    text = f"{m} {n}\n\n{rows(A)}\n\n{rows(B)}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(text)
    output = subprocess.run(["lrsnash", handle.name], capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()
    pairs = []
    for block in output.split("\n\n"):
        cols, rows = [], []
        for line in block.splitlines():
            parts = line.split()
            if not parts or parts[0].startswith("*"):
                continue
            values = [float(Fraction(p)) for p in parts[1:-1]]
            (cols if parts[0] == "2" else rows).append(values)
        pairs += [(x, y) for x in rows for y in cols]
    return pairs


# ------------------------------------------------------------------ driver
def draw(family, n, rng):
    if family == "normal":
        return rng.standard_normal((n, n)), rng.standard_normal((n, n))
    return rng.integers(-10, 11, (n, n)), rng.integers(-10, 11, (n, n))


def run(sizes, games, budget, seed, repeats=1):
    have_lrs = shutil.which("lrsnash") is not None
    solvers = {
        "stackelberg vertex": lambda game: ours(game.to_float(), False),
        "stackelberg exact": lambda game: ours(exact_copy(game), True),
        "nashpy support": on_matrices(nashpy_peer("support")),
        "nashpy vertex": on_matrices(nashpy_peer("vertex")),
        "quantecon support": on_matrices(quantecon_peer("support")),
        "quantecon vertex": on_matrices(quantecon_peer("vertex")),
        "pygambit enummixed": on_matrices(gambit_peer("enummixed")),
        "pygambit enummixed (rational)": on_matrices(gambit_peer("enummixed", rational=True)),
        "pygambit lcp": on_matrices(gambit_peer("lcp")),
    }
    if have_lrs:
        solvers["lrsnash"] = on_matrices(lrsnash_run)
    reference_name = "lrsnash" if have_lrs else "stackelberg exact"
    warm_up(solvers)
    rows = []
    exempt = {reference_name, "stackelberg vertex"}  # always run: the reference and the baseline
    for family in ("normal", "int10"):
        over_budget, last = set(), {}
        for n in sizes:
            for name, (size, seconds) in last.items():  # projected time at n: x15 per 2 more actions
                if seconds * 15 ** ((n - size) / 2) > budget and name not in exempt:
                    over_budget.add(name)
            rng = np.random.default_rng([seed, n, family == "int10"])
            times = {name: [] for name in solvers}
            agree = {name: 0 for name in solvers}
            for _ in range(games):
                A, B = draw(family, n, rng)
                game = sb.NormalFormGame.from_bimatrix(A, B)
                found = {}
                for name in [reference_name, *solvers]:
                    if name in found or name in over_budget:
                        continue
                    seconds, found[name] = timed(solvers[name], game)
                    if repeats > 1 and seconds < 0.1 * budget:  # best of ``repeats``, slow solvers once
                        seconds = min(seconds, best_of(repeats - 1, solvers[name], game)[0])
                    times[name].append(seconds)
                    if seconds > budget and name not in exempt:  # stops for this size's other games and larger sizes
                        over_budget.add(name)
                for name, pairs in found.items():
                    agree[name] += same_set(pairs, found[reference_name])
            base = median(times["stackelberg vertex"])
            for name, values in times.items():
                if values:
                    t = median(values)
                    last[name] = (n, t)
                    agreement = f"{agree[name]}/{len(values)}"
                    rows.append([family, n, name, format_seconds(t), f"{t / base:.1f}x", agreement])
            print(f"done {family} n={n}", file=sys.stderr, flush=True)
    header = ["payoffs", "n", "solver", "median time / game", "time / stackelberg vertex", "set equals reference"]
    note = (
        f"Reference set: {'lrsnash (exact rationals)' if have_lrs else 'stackelberg exact (lrsnash not installed)'}. "
        f"A solver is stopped after its first game that takes more than {budget:g} s; "
        "its row then counts the games it ran; a solver whose time projected from the last size "
        "(x15 per two more actions) exceeds that is not run."
    )
    return markdown_table(header, rows) + f"\n\n{note}\n"


def on_matrices(peer):
    """A peer run on the game's float64 payoff matrices (exact for the integer family)."""
    return lambda game: peer(*game.payoffs)


def exact_copy(game):
    return game if game.is_exact else sb.NormalFormGame(game.payoffs, exact=True)


def warm_up(solvers):
    """Run every solver once, untimed, so numba kernels (ours, quantecon) are compiled before timing."""
    rng = np.random.default_rng(12345)
    for family in ("normal", "int10"):
        A, B = draw(family, 4, rng)
        game = sb.NormalFormGame.from_bimatrix(A, B)
        for solver in solvers.values():
            solver(game)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4,6,8,10,12")
    parser.add_argument("--games", type=int, default=5)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds for one game above which a solver stops")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeats", type=int, default=1, help="time each solver as the best of this many runs per game (noisy machines)"
    )
    args = parser.parse_args(argv)
    print(run([int(s) for s in args.sizes.split(",")], args.games, args.budget, args.seed, args.repeats))


if __name__ == "__main__":
    main()
