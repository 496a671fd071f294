"""The SE-vs-NE study (Bi-AC Fig. 2, Figs 8-12): wall time of the pure study, and the mixed study's cost.

1. The whole pure-strategy study at the paper's trial counts (5x5: 2000, 10x10: 2000, 20x20: 500, 50x50: 200,
   100x100: 100 games per rho, 21 rhos from -1 to 1) on ``--workers`` local processes: wall time and games per
   second per size. Target: under 2 minutes on 2 cores.
2. The mixed variant at 10x10: per-game cost of what the study computes (all extreme NE and the mixed strong SSE)
   with stackelberg, against the same per-game work done with the fastest peers in this run (quantecon vertex
   enumeration for the NE, the Conitzer-Sandholm LPs written in cvxpy for the SSE), on ``--mixed-games`` games
   per rho; the time of the full study (2000 games per rho) is extrapolated from that sample and said so.

Run: ``python benchmarks/bench_study.py [--workers 2] [--mixed-games 10]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import format_seconds, markdown_table  # noqa: E402

from stackelberg.analysis.cooperation_study import PAPER_RHOS, PAPER_SIZES, PAPER_TRIALS, cooperation_study  # noqa: E402
from stackelberg.games.generators import covariance_game  # noqa: E402
from stackelberg.solvers.matrix.nash import nash_equilibria  # noqa: E402
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria  # noqa: E402


def pure_study(workers: int) -> str:
    rows, total = [], 0.0
    for n in PAPER_SIZES:
        start = time.perf_counter()
        result = cooperation_study([n], PAPER_RHOS, {n: PAPER_TRIALS[n]}, 0, workers=workers, progress=False)
        seconds = time.perf_counter() - start
        total += seconds
        rows.append([f"{n}x{n}", len(result.rows), f"{seconds:.1f} s", f"{len(result.rows) / seconds:,.0f}"])
    rows.append(["all", sum(r[1] for r in rows), f"{total:.1f} s", ""])
    return markdown_table(["size", "games", "wall time", "games / s"], rows) + (
        f"\n\nTarget under 2 minutes on 2 cores: {'met' if total < 120 else 'NOT met'} ({total:.1f} s, {workers} workers).\n"
    )


def cvxpy_sse(A, B):
    import cvxpy as cp

    best = -np.inf
    for j in range(A.shape[1]):
        x = cp.Variable(A.shape[0], nonneg=True)
        constraints = [cp.sum(x) == 1, B.T @ x <= (B[:, j] @ x)]
        problem = cp.Problem(cp.Maximize(A[:, j] @ x), constraints)
        problem.solve()
        if problem.status == "optimal":
            best = max(best, problem.value)
    return best


def quantecon_ne(A, B):
    import quantecon.game_theory as gt

    return gt.vertex_enumeration(gt.NormalFormGame((gt.Player(A), gt.Player(B.T))))


def mixed_study(games_per_rho: int) -> str:
    timings = {"stackelberg NE": 0.0, "stackelberg SSE": 0.0, "quantecon NE": 0.0, "cvxpy SSE": 0.0}
    count = 0
    warm = covariance_game(10, 0.0, seed=0)  # compile every jitted kernel outside the timings
    nash_equilibria(warm)
    quantecon_ne(*warm.payoffs)
    for rho in PAPER_RHOS:
        for trial in range(games_per_rho):
            game = covariance_game(10, rho, seed=np.random.default_rng([7, trial, int(round(rho * 1e6)) + 10**7]))
            A, B = game.payoffs
            for name, work in (
                ("stackelberg NE", lambda: nash_equilibria(game)),
                ("stackelberg SSE", lambda: stackelberg_equilibria(game, commitment="mixed")),
                ("quantecon NE", lambda: quantecon_ne(A, B)),
                ("cvxpy SSE", lambda: cvxpy_sse(A, B)),
            ):
                start = time.perf_counter()
                work()
                timings[name] += time.perf_counter() - start
            count += 1
    ours = timings["stackelberg NE"] + timings["stackelberg SSE"]
    peers = timings["quantecon NE"] + timings["cvxpy SSE"]
    full = 2000 * len(PAPER_RHOS)
    rows = [[name, format_seconds(t / count), f"{t / count * full / 60:.1f} min"] for name, t in timings.items()]
    rows.append(["stackelberg (NE + SSE)", format_seconds(ours / count), f"{ours / count * full / 60:.1f} min"])
    rows.append(["peers (quantecon NE + cvxpy SSE)", format_seconds(peers / count), f"{peers / count * full / 60:.1f} min"])
    return markdown_table(["10x10 mixed study, per game", "mean time", f"extrapolated to {full} games, 1 core"], rows) + (
        f"\n\nMeasured on {count} games ({games_per_rho} per rho); peers / stackelberg = {peers / ours:.1f}x. "
        "With 2 workers the study's wall time is about half the 1-core figure.\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mixed-games", dest="mixed_games", type=int, default=10)
    args = parser.parse_args(argv)
    print("## Pure-strategy study at the paper's trial counts\n")
    print(pure_study(args.workers))
    print("## Mixed study at 10x10\n")
    print(mixed_study(args.mixed_games))


if __name__ == "__main__":
    main()
