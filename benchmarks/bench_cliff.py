"""The cost cliff of ``nash_equilibria`` on random normal n x n games: time, vertices and peak memory by size.

Each (size, game) runs in its own subprocess with its address space capped (``--memory-gb``, default 4) and a
wall-clock limit (``--timeout``, default 120 s), so a run that would exhaust the machine ends as ``MemoryError``,
``ProblemTooLargeError`` or ``timeout`` instead. For each run it reports the outcome, the wall time of
``nash_equilibria(game)`` (float vertex enumeration, the default method; numba compiled by an untimed warm-up),
the number of equilibria and the peak resident memory of the subprocess.

``--root`` selects the stackelberg source tree to time (default: this one), so that two trees (before/after a
change) can be compared on the same machine in one sitting:

    python benchmarks/bench_cliff.py --sizes 14,16,18,20,22 --games 3 > /tmp/after.md
    python benchmarks/bench_cliff.py --root /path/to/old/tree --sizes 14,16,18,20 --games 3 > /tmp/before.md
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import markdown_table, median  # noqa: E402

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    import numpy as np
    import stackelberg as sb
    from stackelberg.solvers.matrix.nash import nash_equilibria
    sb.nash_equilibria(sb.NormalFormGame.from_bimatrix(np.eye(3), np.eye(3)), exact=False)  # compile
    rng = np.random.default_rng({seed})
    n = {n}
    game = sb.NormalFormGame.from_bimatrix(rng.standard_normal((n, n)), rng.standard_normal((n, n)))
    start = time.perf_counter()
    try:
        equilibria = len(nash_equilibria(game))
        outcome = "solved"
    except MemoryError:
        equilibria, outcome = None, "MemoryError"
    except Exception as error:  # ProblemTooLargeError on the bounded code
        equilibria, outcome = None, type(error).__name__
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(outcome=outcome, seconds=seconds, equilibria=equilibria, peak_mb=peak)))
""")


def run(root: Path, n: int, seed: int, memory_gb: float, timeout: float) -> dict:
    code = CHILD.format(limit=int(memory_gb * 2**30), seed=seed, n=n)
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(root)}
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=root)
    except subprocess.TimeoutExpired:
        return dict(outcome=f"timeout ({timeout:.0f} s)", seconds=None, equilibria=None, peak_mb=None)
    if done.returncode != 0 or not done.stdout.strip():
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return dict(outcome=f"crashed: {tail[:60]}", seconds=None, equilibria=None, peak_mb=None)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--sizes", default="14,16,18,20,22")
    parser.add_argument("--games", type=int, default=3)
    parser.add_argument("--memory-gb", type=float, default=4.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    rows = []
    for n in (int(v) for v in args.sizes.split(",")):
        results = []
        for seed in range(args.games):
            result = run(args.root, n, seed, args.memory_gb, args.timeout)
            print(f"n={n} seed={seed}: {result}", file=sys.stderr)
            results.append(result)
        solved = [r for r in results if r["outcome"] == "solved"]
        outcomes = sorted({r["outcome"] for r in results})
        rows.append([
            n,
            f"{len(solved)}/{len(results)}",
            ", ".join(outcomes),
            f"{median([r['seconds'] for r in results if r['seconds'] is not None]):.2f} s",
            f"{median([r['peak_mb'] for r in results if r['peak_mb'] is not None]):.0f} MB",
            ", ".join(str(r["equilibria"]) for r in solved) or "-",
        ])
    print(markdown_table(["n", "solved", "outcomes", "median time", "median peak RSS", "equilibria"], rows))


if __name__ == "__main__":
    main()
