"""Mixed strong Stackelberg equilibria (SSE) of random 100 x 100 games: stackelberg against cvxpy.

The peer is the textbook method of Conitzer and Sandholm (2006) written in
cvxpy: for every follower action j, maximise x . A[:, j] over leader mixed
strategies x with x . B[:, j] >= x . B[:, k] for all k; the SSE value is the
best of these LPs. cvxpy uses its default LP solver (named in the output).
OpenSpiel's ``open_spiel.python.algorithms.stackelberg_lp.solve_stackelberg``
(the same LPs, in cvxpy, one scalar constraint at a time) is run too when
``open_spiel`` is importable. Reported: median time per game, ratio to
stackelberg, and the number of games whose SSE leader value agrees with ours
within 1e-6 (relative to the payoff scale).

Run: ``python benchmarks/bench_sse.py [--n 100] [--games 5]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import format_seconds, markdown_table, median, timed  # noqa: E402

import stackelberg as sb  # noqa: E402
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria  # noqa: E402


def ours(A, B):
    game = sb.NormalFormGame.from_bimatrix(A, B)
    return float(stackelberg_equilibria(game, commitment="mixed", tie_break="strong")[0].leader_value)


def cvxpy_multiple_lps(A, B, solver_names: set):
    """The best value of the n LPs of Conitzer-Sandholm, in cvxpy with its default solver."""
    import cvxpy as cp

    n, m = A.shape
    best = -np.inf
    for j in range(m):
        x = cp.Variable(n, nonneg=True)
        others = np.arange(m) != j
        problem = cp.Problem(cp.Maximize(A[:, j] @ x), [cp.sum(x) == 1, (B[:, others] - B[:, [j]]).T @ x <= 0])
        problem.solve()
        solver_names.add(problem.solver_stats.solver_name)
        if problem.status == cp.OPTIMAL:
            best = max(best, problem.value)
    return best


def openspiel_peer():
    try:
        import pyspiel
        from open_spiel.python.algorithms.stackelberg_lp import solve_stackelberg
    except ImportError:
        return None

    def run(A, B):
        game = pyspiel.create_matrix_game(A.tolist(), B.tolist())
        return float(solve_stackelberg(game, is_first_leader=True)[2])

    return run


def run(n, games, openspiel_games, seed):
    solver_names: set = set()
    solvers = {"stackelberg": ours, "cvxpy LPs": lambda A, B: cvxpy_multiple_lps(A, B, solver_names)}
    openspiel = openspiel_peer()
    if openspiel is not None:
        solvers["OpenSpiel stackelberg_lp"] = openspiel
    ours(*np.random.default_rng(1).standard_normal((2, 5, 5)))  # warm-up (imports) outside the timings
    times = {name: [] for name in solvers}
    agree = {name: 0 for name in solvers}
    rng = np.random.default_rng([seed, n])
    for g in range(games):
        A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        values = {}
        for name, solve in solvers.items():
            if name.startswith("OpenSpiel") and g >= openspiel_games:
                continue
            seconds, values[name] = timed(solve, A, B)
            times[name].append(seconds)
            agree[name] += abs(values[name] - values["stackelberg"]) <= 1e-6 * max(1.0, np.abs(A).max())
        summary = ", ".join(f"{name} {value:.6f}" for name, value in values.items())
        print(f"done game {g}: {summary}", file=sys.stderr, flush=True)
    base = median(times["stackelberg"])
    rows = [
        [name, format_seconds(median(t)), f"{median(t) / base:.1f}x", f"{agree[name]}/{len(t)}"]
        for name, t in times.items()
        if t
    ]
    header = ["solver", "median time / game", "time / stackelberg", "SSE value agrees"]
    note = (
        f"{games} random {n} x {n} games, iid standard normal payoffs; cvxpy default LP solver: "
        f"{', '.join(sorted(solver_names))}; OpenSpiel: "
        + (f"installed, run on the first {min(openspiel_games, games)} games." if openspiel else "not installed.")
    )
    return markdown_table(header, rows) + f"\n\n{note}\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--games", type=int, default=5)
    parser.add_argument("--openspiel-games", type=int, default=2, help="OpenSpiel is slow: run it on this many games")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(run(args.n, args.games, args.openspiel_games, args.seed))


if __name__ == "__main__":
    main()
