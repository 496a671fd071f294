"""Updates per second of the tabular learners on the matrix games, against a plain per-run Python loop.

The learners: bi-level Q, independent Q, hysteretic Q, lenient Q, tabular Bi-AC, the N-level learner, Nash-Q and
minimax-Q (``--learners`` picks some, e.g. ``independent_q_learning,hysteretic_q_learning,lenient_q_learning`` to
compare the optimistic variants with independent Q in one run).

An *update* is one sampled transition of one run: exploration, the joint action, the next state and every table
(and actor) update of that transition. The games are the papers' matrix games as repeated one-state games
(``repeated_game(get_game(name), gamma)``, default ``gamma = 0`` as in Bi-AC Tables 2-3 and STEP Fig. 5):
Escape, Maintain, Penalty(-50) and Mixing; minimax-Q, which needs a zero-sum game, runs on matching pennies and
rock-paper-scissors instead.

For every learner and game the script times, in one process run (best of ``--repeats``, compilation excluded by a
warm-up call):

* ``numba``: the learner with ``backend="numba"`` over ``--runs`` runs (default 1000) and ``--episodes`` one-step
  episodes: the serial kernels of :mod:`stackelberg.solvers.kernels.learning`, i.e. one core;
* ``numpy``: the vectorised numpy path (``backend="numpy"``, the same random numbers), over fewer episodes;
* ``python``: the plain per-run Python loop, i.e. the same kernels run as ordinary Python in a subprocess with
  ``NUMBA_DISABLE_JIT=1``, over ``--reference-updates`` updates;

and reports updates per second and the ratios to the Python loop. Target: at least 1e6 updates per second per core
for the tabular learners on the matrix games.

Nash-Q and minimax-Q also report how many stage games their kernel handed back to Python (``python stages``: a
mixed Nash stage the kernel could not decide as the numpy path does, or a zero-sum stage needing the LP).

Run: ``python benchmarks/bench_learning.py [--runs 1000] [--episodes 2000] [--gamma 0.0] [--repeats 3]
[--learners nash_q_learning,minimax_q_learning]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import markdown_table  # noqa: E402

from stackelberg.games.catalog import get_game  # noqa: E402
from stackelberg.games.repeated import repeated_game  # noqa: E402
from stackelberg.solvers import learning  # noqa: E402
from stackelberg.solvers.learning import equilibrium_q  # noqa: E402

MATRIX_GAMES = ("escape", "maintain", "penalty(-50)", "mixing")
ZERO_SUM_GAMES = ("matching_pennies", "rock_paper_scissors")
KERNEL_LEARNERS = ("bilevel_q_learning", "independent_q_learning", "hysteretic_q_learning", "lenient_q_learning",
                   "bilevel_actor_critic", "nlevel_learning", "nash_q_learning", "minimax_q_learning")
EQUILIBRIUM_LEARNERS = ("nash_q_learning", "minimax_q_learning")


def cases(learners=KERNEL_LEARNERS):
    """(learner name, game name) pairs."""
    matrix = [learner for learner in KERNEL_LEARNERS if learner != "minimax_q_learning"]
    out = [(learner, game) for game in MATRIX_GAMES for learner in matrix if learner in learners]
    return out + [("minimax_q_learning", game) for game in ZERO_SUM_GAMES if "minimax_q_learning" in learners]


def python_stages(learner, game, runs, episodes):
    """Stage games the equilibrium kernels handed back to Python in one run of ``learner`` (numba backend)."""
    solver = "_stage_nash" if learner == "nash_q_learning" else "zero_sum_values"
    original = getattr(equilibrium_q, solver)
    count = [0]

    def counted(*args, **kwargs):
        count[0] += 1
        return original(*args, **kwargs)

    setattr(equilibrium_q, solver, counted)
    try:
        getattr(learning, learner)(game, episodes=episodes, runs=runs, epsilon=0.1, seed=0, backend="numba")
    finally:
        setattr(equilibrium_q, solver, original)
    return count[0]


def updates_per_second(learner, game, runs, episodes, repeats, **kwargs):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        getattr(learning, learner)(game, episodes=episodes, runs=runs, epsilon=0.1, seed=0, **kwargs)
        best = min(best, time.perf_counter() - start)
    return runs * episodes / best


def python_reference(learner, game, updates):
    """Updates per second of the plain per-run Python loop (run under NUMBA_DISABLE_JIT=1 for the kernels)."""
    runs = 10
    return updates_per_second(learner, game, runs, max(1, updates // runs), 1, backend="numba")


def reference_subprocess(args) -> dict:
    """Run the Python-loop references in a subprocess whose numba kernels are plain Python."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    command = [sys.executable, __file__, "--reference-json", "--gamma", str(args.gamma),
               "--reference-updates", str(args.reference_updates), "--learners", args.learners]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return {tuple(key.split("|")): value for key, value in json.loads(output).items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--episodes", type=int, default=2000, help="one-step episodes of the numba runs")
    parser.add_argument("--numpy-episodes", type=int, default=100)
    parser.add_argument("--reference-updates", type=int, default=2000)
    parser.add_argument("--gamma", type=float, default=0.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--learners", default=",".join(KERNEL_LEARNERS), help="comma-separated learner names")
    parser.add_argument("--reference-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    learners = tuple(args.learners.split(","))

    if args.reference_json:  # inside the NUMBA_DISABLE_JIT subprocess
        python_reference("bilevel_q_learning", repeated_game(get_game("escape"), args.gamma), 100)  # warm-up
        result = {f"{learner}|{name}": python_reference(learner, repeated_game(get_game(name), args.gamma),
                                                        args.reference_updates)
                  for learner, name in cases(learners)}
        print(json.dumps(result))
        return result

    print("timing the plain Python loop references (subprocess, NUMBA_DISABLE_JIT=1)", file=sys.stderr, flush=True)
    reference = reference_subprocess(args)
    rows, headline = [], {}
    for learner, name in cases(learners):
        game = repeated_game(get_game(name), args.gamma)
        row = [name, learner]
        python = reference[(learner, name)]
        getattr(learning, learner)(game, episodes=5, runs=5, seed=0, backend="numba")  # compile / load cache
        numba_rate = updates_per_second(learner, game, args.runs, args.episodes, args.repeats, backend="numba")
        numpy_rate = updates_per_second(learner, game, args.runs, args.numpy_episodes, 1, backend="numpy")
        row += [f"{numba_rate / 1e6:.2f}", f"{numpy_rate / 1e6:.3f}", f"{python / 1e3:.1f}",
                f"{numba_rate / python:.0f}x", f"{numpy_rate / python:.0f}x"]
        if learner in EQUILIBRIUM_LEARNERS:
            row.append(str(python_stages(learner, game, args.runs, args.episodes)))
        else:
            row.append("-")
        headline[(learner, name)] = numba_rate
        rows.append(row)
        print(f"done {learner} on {name}", file=sys.stderr, flush=True)
    header = ["game", "learner", "numba (M updates/s)", "numpy vectorised (M updates/s)",
              "Python loop (k updates/s)", "numba / Python", "numpy / Python",
              f"python stages (of {args.runs * args.episodes} updates)"]
    print(markdown_table(header, rows))
    print(f"\nruns={args.runs}, gamma={args.gamma}, epsilon=0.1, one-step episodes; numba over {args.episodes} "
          f"episodes (best of {args.repeats}), numpy over {args.numpy_episodes}; single thread.")
    return headline


if __name__ == "__main__":
    main()
